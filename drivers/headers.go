package drivers

import (
	"encoding/base64"
	"fmt"
	"strings"
)

// BasicAuth returns the HTTP Basic authorization value (RFC 7617) for t.Username and t.Password,
// "Basic base64(user:password)", or "" when both are empty. The value is a secret.
func (t Target) BasicAuth() string {
	if t.Username == "" && t.Password == "" {
		return ""
	}
	return "Basic " + base64.StdEncoding.EncodeToString([]byte(t.Username+":"+t.Password))
}

// ExpandHeaders returns t.Headers with every ${NAME} reference in a value replaced by
// t.LookupEnv(NAME) (NAME: a letter or '_' then letters, digits, '_'); "$$" stands for a literal '$'.
// A nil LookupEnv resolves from the process environment, as ExpandEnv does. The result is a new
// map; t is unchanged.
//
// Errors name the header and the variable, never a value: `header "Authorization": ${TOKEN} is
// not set`, or the byte offset of a malformed reference.
func (t Target) ExpandHeaders() (map[string]string, error) {
	out := make(map[string]string, len(t.Headers))
	for name, v := range t.Headers {
		if !strings.Contains(v, "$") {
			out[name] = v
			continue
		}
		e, err := ExpandEnv(v, t.LookupEnv)
		if err != nil {
			return nil, fmt.Errorf("header %q: %w", name, err)
		}
		out[name] = e
	}
	return out, nil
}

// expand replaces ${NAME} references and "$$" escapes in s.
func expand(s string, lookup func(string) (string, bool)) (string, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c != '$' {
			b.WriteByte(c)
			continue
		}
		if i+1 < len(s) && s[i+1] == '$' {
			b.WriteByte('$')
			i++
			continue
		}
		if i+1 >= len(s) || s[i+1] != '{' {
			return "", fmt.Errorf("offset %d: want ${NAME} or $$ after '$'", i)
		}
		end := strings.IndexByte(s[i+2:], '}')
		if end < 0 {
			return "", fmt.Errorf("offset %d: ${ without closing }", i)
		}
		name := s[i+2 : i+2+end]
		if !validEnvName(name) {
			return "", fmt.Errorf("offset %d: %q is not a variable name (letters, digits, _)", i, name)
		}
		v, ok := lookup(name)
		if !ok {
			return "", fmt.Errorf("${%s} is not set", name)
		}
		b.WriteString(v)
		i += 2 + end
	}
	return b.String(), nil
}

func validEnvName(n string) bool {
	if n == "" {
		return false
	}
	for i := 0; i < len(n); i++ {
		c := n[i]
		switch {
		case c == '_', 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z':
		case '0' <= c && c <= '9' && i > 0:
		default:
			return false
		}
	}
	return true
}
