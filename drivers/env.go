package drivers

import "os"

// ExpandEnv replaces ${NAME} references in s (addresses such as an AMQP URI with credentials)
// with lookup(NAME), os.LookupEnv when lookup is nil; "$$" is a literal '$'. Errors name the
// variable or the byte offset of a malformed reference, never a value.
func ExpandEnv(s string, lookup func(string) (string, bool)) (string, error) {
	if lookup == nil {
		lookup = os.LookupEnv
	}
	return expand(s, lookup)
}
