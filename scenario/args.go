package scenario

import (
	"fmt"
	"strconv"
	"strings"
)

// ExpandArgs returns a copy of a command line (args without the program name) with the ${VAR}
// and ${VAR:-default} references of its flag values and arguments expanded by Expand, as
// scenario values are, so that flags are parsed from the expanded text (--duration '${D:-10s}'
// is a duration). A flag's value is the text after "--name=", or the argument after a bare
// "--name" (after "-H" the flag is "header"); other short flags, and "--" after the first
// argument, are left alone. The values of the flags keep reports are left unexpanded (they are
// expanded where used: expanding twice would expand a "$" in a variable's value); before a
// value is expanded, refs(flag, value) is called ("" for an argument), e.g. to register the
// referenced variables' values as secrets. An unset variable without a default is an error
// naming the flag (--name) or the argument.
func ExpandArgs(args []string, getenv func(string) (string, bool), keep func(flag string) bool, refs func(flag, value string)) ([]string, error) {
	out := make([]string, len(args))
	copy(out, args)
	for i, arg := range args {
		if arg == "--" && i > 0 {
			continue
		}
		name, value := "", arg
		switch {
		case strings.HasPrefix(arg, "--"):
			n, v, ok := strings.Cut(arg[2:], "=")
			if !ok {
				continue
			}
			name, value = n, v
		case strings.HasPrefix(arg, "-") && len(arg) > 1:
			continue
		case i > 0 && strings.HasPrefix(args[i-1], "--") && !strings.Contains(args[i-1], "="):
			name = args[i-1][2:]
		case i > 0 && args[i-1] == "-H":
			name = "header"
		}
		if keep(name) || !strings.Contains(value, "$") {
			continue
		}
		refs(name, value)
		v, err := Expand(value, getenv)
		if err != nil {
			what := "argument " + strconv.Quote(value)
			if name != "" {
				what = "--" + name
			}
			return nil, fmt.Errorf("%s: %w", what, err)
		}
		if name != "" && strings.HasPrefix(arg, "--") {
			v = "--" + name + "=" + v
		}
		out[i] = v
	}
	return out, nil
}
