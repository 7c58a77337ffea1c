package main

import (
	"encoding/json"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/commbench/commbench/internal/buildinfo"
	"github.com/commbench/commbench/internal/exitcode"
)

// Set at build time: go build -ldflags "-X main.version=v1.2.3 -X main.commit=abc123".
var (
	version = ""
	commit  = ""
)

// buildInfo is what `commbench version` prints.
type buildInfo = buildinfo.Info

func currentBuild() buildInfo { return buildinfo.Current(version, commit) }

func newVersionCmd(a *app) *cobra.Command {
	var output string
	cmd := &cobra.Command{
		Use:   "version",
		Short: "Print the commbench version, commit, Go version and OS/arch",
		Long: `Print the version of this commbench binary, the commit it was built from, the Go version
that built it and the operating system and architecture it runs on.`,
		Example: `  commbench version
  commbench version --format json`,
		Args: cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			b := currentBuild()
			switch output {
			case "text":
				_, err := fmt.Fprintf(a.stdout, "commbench %s\n  commit: %s\n  go:     %s\n  os/arch: %s/%s\n", b.Version, b.Commit, b.GoVersion, b.OS, b.Arch)
				return err
			case "json":
				enc := json.NewEncoder(a.stdout)
				enc.SetIndent("", "  ")
				return enc.Encode(b)
			}
			return exitcode.Usagef("invalid --format %q: want text or json", output)
		},
	}
	cmd.Flags().StringVar(&output, "format", "text", "output format: text or json")
	cmd.Flags().StringVarP(&output, "output", "o", "text", "output format: text or json")
	deprecate(a, cmd, "output", "use --format")
	return cmd
}
