package scenario

import "strings"

// SplitHeader splits a header given on a command line as "Name: value" at the first ':' or,
// with equals, at the first ':' or '=' (header names hold neither, so Name=value works too),
// trimming spaces around name and value; ok is false without a separator or without a name.
func SplitHeader(s string, equals bool) (name, value string, ok bool) {
	seps := ":"
	if equals {
		seps = ":="
	}
	i := strings.IndexAny(s, seps)
	if i < 0 {
		return "", "", false
	}
	name, value = strings.TrimSpace(s[:i]), strings.TrimSpace(s[i+1:])
	return name, value, name != ""
}
