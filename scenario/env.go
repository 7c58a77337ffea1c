package scenario

import (
	"fmt"
	"os"
	"regexp"
	"sort"
)

var envRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)\}`)

// ExpandEnv returns t with ${VAR} references in the address, credentials and headers replaced by
// values from getenv. A reference to an unset variable is an error naming it and the target, so a
// secret is never silently empty.
func (t Target) ExpandEnv(getenv func(string) (string, bool)) (Target, error) {
	var missing []string
	expand := func(s string) string {
		return envRef.ReplaceAllStringFunc(s, func(ref string) string {
			name := envRef.FindStringSubmatch(ref)[1]
			v, ok := getenv(name)
			if !ok {
				missing = append(missing, name)
			}
			return v
		})
	}
	t.Address = expand(t.Address)
	t.Username = expand(t.Username)
	t.Password = expand(t.Password)
	if len(t.Headers) > 0 {
		h := make(map[string]string, len(t.Headers))
		for k, v := range t.Headers {
			h[k] = expand(v)
		}
		t.Headers = h
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return t, fmt.Errorf("target %q: environment variable %s is not set", t.Name, missing[0])
	}
	return t, nil
}

// OSEnv is os.LookupEnv, the getenv for ExpandEnv outside tests.
var OSEnv = os.LookupEnv

// Redacted returns a copy of s fit for results and reports: passwords and header values are
// replaced by "***", and credentials in addresses (user:pass@) are removed. ${VAR} references are
// kept as written, since they name the variable, not its value.
func (s Scenario) Redacted() Scenario {
	out := s
	out.Targets = make([]Target, len(s.Targets))
	for i, t := range s.Targets {
		if t.Password != "" {
			t.Password = "***"
		}
		if len(t.Headers) > 0 {
			h := make(map[string]string, len(t.Headers))
			for k := range t.Headers {
				h[k] = "***"
			}
			t.Headers = h
		}
		t.Address = RedactURL(t.Address)
		out.Targets[i] = t
	}
	return out
}

var userinfo = regexp.MustCompile(`(://)[^/@\s]*@`)

// RedactURL removes user:password@ from every URL in s ("amqp://guest:x@h/" -> "amqp://***@h/").
func RedactURL(s string) string { return userinfo.ReplaceAllString(s, "${1}***@") }
