// Package reports renders a commbench results file (package results, schema
// commbench.results/v1) for people and CI systems: a self-contained HTML page, JUnit XML, a
// Markdown summary, the terminal summary, and the results JSON itself. It also compares two
// results files (Compare). Results are data, reports are views: every report is rebuilt from the
// file.
//
// Commands that produce results (verify, bench, run) write their report files with WriteOutputs
// and print the terminal summary with Text:
//
//	if err := reports.WriteOutputs(file, reports.Outputs{HTML: htmlFlag, JUnit: junitFlag, Markdown: mdFlag, JSON: outFlag}); err != nil {
//		return exitcode.Unavailablef("%w", err) // or Usage when the path is bad
//	}
//	reports.Text(stdout, file, app.Color(stdout))
package reports

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"os"
	"path/filepath"

	"github.com/commbench/commbench/results"
)

// Outputs names the files to write; an empty path skips that format, "-" writes to Stdout.
type Outputs struct {
	HTML     string // self-contained HTML report (see HTML)
	JUnit    string // JUnit XML (see JUnit)
	Markdown string // Markdown summary (see Markdown)
	JSON     string // the results file itself (results.Write)
	// StepSummary, when set, gets the Markdown summary appended rather than overwritten: pass
	// $GITHUB_STEP_SUMMARY here.
	StepSummary string
	// Stdout receives the outputs whose path is "-" (nil: os.Stdout).
	Stdout io.Writer
}

// WriteOutputs renders f into every file named in o. Each file is rendered in memory first and
// then written to a temporary file that is renamed into place, so a failed run never leaves half
// a report; missing parent directories are created. It writes all it can and returns the first
// error, naming the file ("write junit report out/junit.xml: permission denied").
func WriteOutputs(f *results.File, o Outputs) error {
	jobs := []struct {
		kind, path string
		render     func(io.Writer, *results.File) error
	}{
		{"json results", o.JSON, results.Write},
		{"html report", o.HTML, HTML},
		{"junit report", o.JUnit, JUnit},
		{"markdown summary", o.Markdown, Markdown},
	}
	var first error
	keep := func(err error) {
		if err != nil && first == nil {
			first = err
		}
	}
	for _, j := range jobs {
		if j.path == "" {
			continue
		}
		if j.path == "-" {
			var buf bytes.Buffer // stdout gets a whole report or nothing
			if err := j.render(&buf, f); err != nil {
				keep(fmt.Errorf("render %s %s: %w", j.kind, j.path, err))
				continue
			}
			out := o.Stdout
			if out == nil {
				out = os.Stdout
			}
			_, err := out.Write(buf.Bytes())
			keep(err)
			continue
		}
		render := func(w io.Writer) error { return j.render(w, f) }
		if err := writeFileAtomic(j.path, render); err != nil {
			keep(fmt.Errorf("write %s %s: %w", j.kind, j.path, err))
		}
	}
	if o.StepSummary != "" {
		var buf bytes.Buffer
		if err := Markdown(&buf, f); err == nil {
			keep(appendFile(o.StepSummary, buf.Bytes()))
		}
	}
	return first
}

// WriteFile renders with render into path atomically (see WriteOutputs); "-" writes to w.
func WriteFile(path string, w io.Writer, render func(io.Writer) error) error {
	if path == "-" {
		var buf bytes.Buffer
		if err := render(&buf); err != nil {
			return fmt.Errorf("render %s: %w", path, err)
		}
		_, err := w.Write(buf.Bytes())
		return err
	}
	if err := writeFileAtomic(path, render); err != nil {
		return fmt.Errorf("write %s: %w", path, err)
	}
	return nil
}

func writeFileAtomic(path string, render func(io.Writer) error) error {
	dir := filepath.Dir(path)
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return err
	}
	tmp, err := os.CreateTemp(dir, "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	defer os.Remove(tmp.Name()) // no-op after a successful rename
	// Rendered straight into the file (buffered), not into memory first: the results of 100,000
	// interactions are tens of MB. A render error leaves the previous file in place.
	bw := bufio.NewWriterSize(tmp, 256<<10)
	if err := render(bw); err != nil {
		tmp.Close()
		return err
	}
	if err := bw.Flush(); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Chmod(0o644); err != nil {
		tmp.Close()
		return err
	}
	if err := tmp.Close(); err != nil {
		return err
	}
	return os.Rename(tmp.Name(), path)
}

func appendFile(path string, data []byte) error {
	f, err := os.OpenFile(path, os.O_APPEND|os.O_CREATE|os.O_WRONLY, 0o644)
	if err != nil {
		return fmt.Errorf("append step summary %s: %w", path, err)
	}
	if _, err := f.Write(append(data, '\n')); err != nil {
		f.Close()
		return fmt.Errorf("append step summary %s: %w", path, err)
	}
	return f.Close()
}
