package scenario

import (
	"path/filepath"
	"strings"
)

// ResolvePaths makes the input files a scenario names relative to dir (the scenario file's
// folder), so a scenario runs the same from any working directory: pact sources (not URLs),
// target protos and import paths, payload schemas, templates and data files. Absolute paths and
// http(s) URLs are kept. Outputs stay relative to the working directory, where CI expects them.
func (s *Scenario) ResolvePaths(dir string) {
	join := func(p string) string {
		if p == "" || filepath.IsAbs(p) || strings.HasPrefix(p, "http://") || strings.HasPrefix(p, "https://") {
			return p
		}
		return filepath.Join(dir, p)
	}
	all := func(ps []string) []string {
		if ps == nil {
			return nil
		}
		out := make([]string, len(ps))
		for i, p := range ps {
			out[i] = join(p)
		}
		return out
	}
	for i := range s.Targets {
		t := &s.Targets[i]
		t.Proto, t.ImportPaths = all(t.Proto), all(t.ImportPaths)
	}
	for i := range s.Contracts {
		s.Contracts[i].Pacts = all(s.Contracts[i].Pacts)
	}
	for i := range s.Workloads {
		p := &s.Workloads[i].Payload
		p.Schema, p.Template, p.DataFile = join(p.Schema), join(p.Template), join(p.DataFile)
		p.SchemaDeps, p.ImportPaths = all(p.SchemaDeps), all(p.ImportPaths)
	}
}
