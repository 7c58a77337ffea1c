package scenario

import (
	"fmt"
	"os"
	"regexp"
	"sort"
	"strings"

	"github.com/commbench/commbench/internal/redact"
)

// envRef matches "$$" (a literal '$', as in the drivers' ${NAME} expansion) or a ${VAR} or
// ${VAR:-default} reference.
var envRef = regexp.MustCompile(`\$\$|\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}`)

// ExpandEnv returns t with ${VAR} references in the address, credentials and headers replaced by
// values from getenv; ${VAR:-default} takes default when VAR is unset or empty (as POSIX shells
// do). A reference without a default to an unset variable is an error naming it and the target,
// so a secret is never silently empty.
func (t Target) ExpandEnv(getenv func(string) (string, bool)) (Target, error) {
	var missing []string
	expand := func(s string) string { return expandRefs(s, getenv, &missing) }
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

// ExpandEnv returns c with ${VAR} and ${VAR:-default} references in the state change URL and the
// set_headers_if_present values replaced as Target.ExpandEnv does; a reference to an unset
// variable without a default is an error.
func (c Contract) ExpandEnv(getenv func(string) (string, bool)) (Contract, error) {
	var missing []string
	c.StateChangeURL = expandRefs(c.StateChangeURL, getenv, &missing)
	if len(missing) > 0 {
		sort.Strings(missing)
		return c, fmt.Errorf("contract state_change_url: environment variable %s is not set", missing[0])
	}
	if len(c.SetHeadersIfPresent) > 0 {
		h := make(map[string]string, len(c.SetHeadersIfPresent))
		for k, v := range c.SetHeadersIfPresent {
			h[k] = expandRefs(v, getenv, &missing)
		}
		c.SetHeadersIfPresent = h
		if len(missing) > 0 {
			sort.Strings(missing)
			return c, fmt.Errorf("contract set_headers_if_present: environment variable %s is not set", missing[0])
		}
	}
	if c.Broker != nil {
		b := *c.Broker
		for _, f := range []*string{&b.URL, &b.Username, &b.Password, &b.Token, &b.ProviderVersion, &b.ProviderBranch, &b.BuildURL} {
			*f = expandRefs(*f, getenv, &missing)
		}
		if len(missing) > 0 {
			sort.Strings(missing)
			return c, fmt.Errorf("contract broker: environment variable %s is not set", missing[0])
		}
		c.Broker = &b
	}
	return c, nil
}

// expandRefs replaces the ${VAR} and ${VAR:-default} references in s and "$$" by "$", adding
// the names of unset variables without a default to missing.
func expandRefs(s string, getenv func(string) (string, bool), missing *[]string) string {
	return envRef.ReplaceAllStringFunc(s, func(ref string) string {
		if ref == "$$" {
			return "$"
		}
		m := envRef.FindStringSubmatch(ref)
		v, ok := getenv(m[1])
		switch {
		case strings.Contains(ref, ":-") && v == "":
			return m[2]
		case !ok:
			*missing = append(*missing, m[1])
		}
		return v
	})
}

// OSEnv is os.LookupEnv, the getenv for ExpandEnv outside tests.
var OSEnv = os.LookupEnv

// Redacted returns a copy of s fit for results and reports: passwords and header values are
// replaced by "***", and the user info and query values of addresses, pact URLs, state change
// URLs and request paths too (internal/redact). ${VAR} references are
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
	out.Contracts = make([]Contract, len(s.Contracts))
	for i, c := range s.Contracts {
		c.StateChangeURL = RedactURL(c.StateChangeURL)
		if len(c.SetHeadersIfPresent) > 0 {
			h := make(map[string]string, len(c.SetHeadersIfPresent))
			for k := range c.SetHeadersIfPresent {
				h[k] = "***"
			}
			c.SetHeadersIfPresent = h
		}
		if len(c.Pacts) > 0 {
			pacts := make([]string, len(c.Pacts))
			for j, p := range c.Pacts {
				pacts[j] = RedactURL(p)
			}
			c.Pacts = pacts
		}
		if c.Broker != nil {
			b := *c.Broker
			b.URL = RedactURL(b.URL)
			if b.Password != "" {
				b.Password = "***"
			}
			if b.Token != "" {
				b.Token = "***"
			}
			c.Broker = &b
		}
		out.Contracts[i] = c
	}
	out.Workloads = make([]Workload, len(s.Workloads))
	for i, w := range s.Workloads {
		w.Path = RedactURL(w.Path)
		if len(w.Headers) > 0 {
			h := make(map[string]string, len(w.Headers))
			for k := range w.Headers {
				h[k] = "***"
			}
			w.Headers = h
		}
		out.Workloads[i] = w
	}
	return out
}

// RedactURL is internal/redact's URL: user info and query values of every URL in s become "***"
// ("amqp://guest:x@h/" -> "amqp://***@h/", "http://h/s?token=t" -> "http://h/s?token=***").
func RedactURL(s string) string { return redact.URL(s) }

// Expand returns s with its ${VAR} and ${VAR:-default} references replaced by values from getenv
// and "$$" by "$", as scenario values are; a reference without a default to an unset variable is
// an error naming the variable. The CLI expands its flag values with it.
func Expand(s string, getenv func(string) (string, bool)) (string, error) {
	var missing []string
	out := expandRefs(s, getenv, &missing)
	if len(missing) > 0 {
		return s, fmt.Errorf("environment variable %s is not set (give a default as ${%s:-value})", missing[0], missing[0])
	}
	return out, nil
}
