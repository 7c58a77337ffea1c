package redact

import (
	"regexp"
	"strings"
)

// credentialName matches the names of environment variables whose values are credentials
// (PACT_BROKER_TOKEN, COMMBENCH_SCHEMA_REGISTRY_PASSWORD, AWS_SECRET_ACCESS_KEY...).
var credentialName = regexp.MustCompile(`(?i)(pass(word|wd)?|secret|token|api_?key|credential|private_?key)`)

// varRef matches a ${VAR} or ${VAR:-default} reference.
var varRef = regexp.MustCompile(`\$\{([A-Za-z_][A-Za-z0-9_]*)(:-[^}]*)?\}`)

// AddEnv registers the values of the variables of env (name to value) whose names look like
// credentials: containing pass, password, passwd, secret, token, api_key, apikey, credential or
// private_key, in any case.
func (s *Secrets) AddEnv(env map[string]string) {
	for k, v := range env {
		if credentialName.MatchString(k) {
			s.Add(v)
		}
	}
}

// AddRefs registers the values, read with getenv, of the variables that value references as
// ${VAR} or ${VAR:-default} (a flag whose value names a credential variable).
func (s *Secrets) AddRefs(value string, getenv func(string) (string, bool)) {
	for _, m := range varRef.FindAllStringSubmatch(value, -1) {
		if v, ok := getenv(m[1]); ok {
			s.Add(v)
		}
	}
}

// AddHeader registers the value of an HTTP header given as "Name: value" and, when the value has
// several words ("Bearer TOKEN"), each word after the first. A header holding a ${VAR} reference
// is not registered (its variable's value is, with AddRefs): masking "${TOKEN}" would hide which
// variable is not set.
func (s *Secrets) AddHeader(header string) {
	if strings.Contains(header, "${") {
		return
	}
	if _, hv, ok := strings.Cut(header, ":"); ok {
		s.Add(strings.TrimSpace(hv))
		if fields := strings.Fields(hv); len(fields) > 1 {
			s.Add(fields[1:]...)
		}
	}
}
