// Package buildinfo says which commbench binary is running: its version and commit, from the
// linker flags when given, else from the module and VCS information the Go toolchain embeds
// (runtime/debug.ReadBuildInfo), and the Go version, OS and architecture.
package buildinfo

import (
	"runtime"
	"runtime/debug"
)

// Info is what `commbench version` prints and results record (results.Run).
type Info struct {
	Version   string `json:"version"`
	Commit    string `json:"commit"`
	GoVersion string `json:"go_version"`
	OS        string `json:"os"`
	Arch      string `json:"arch"`
}

// Current returns the running binary's Info. version and commit are the values set at build
// time (go build -ldflags "-X main.version=v1.2.3 -X main.commit=abc123"); when empty, the
// version is the main module's (not "(devel)") and the commit the vcs.revision build setting,
// else "dev" and "unknown".
func Current(version, commit string) Info {
	return fromBuildInfo(version, commit, debug.ReadBuildInfo)
}

func fromBuildInfo(version, commit string, read func() (*debug.BuildInfo, bool)) Info {
	b := Info{Version: version, Commit: commit, GoVersion: runtime.Version(), OS: runtime.GOOS, Arch: runtime.GOARCH}
	if info, ok := read(); ok {
		if b.Version == "" && info.Main.Version != "" && info.Main.Version != "(devel)" {
			b.Version = info.Main.Version
		}
		for _, s := range info.Settings {
			if s.Key == "vcs.revision" && b.Commit == "" {
				b.Commit = s.Value
			}
		}
	}
	if b.Version == "" {
		b.Version = "dev"
	}
	if b.Commit == "" {
		b.Commit = "unknown"
	}
	return b
}
