// Package redact is commbench's one redaction of secrets: every URL, credential and header value
// that may be echoed (results, reports, logs at every level, error messages) goes through it.
//
// What is replaced by Mask:
//   - the user info of a URL, always ("amqp://guest:pw@h/" -> "amqp://***@h/");
//   - the value of every query parameter, always, names kept ("?token=abc&limit=5" ->
//     "?token=***&limit=***");
//   - literal secret values registered in a Secrets set (header values, passwords, SASL and
//     schema registry credentials, tokens from the environment), wherever they appear.
//
// Errors from libraries carry URLs in clear (net/http's *url.Error holds the full URL, with user
// info and query): Error wraps such an error so its text is redacted while errors.Is and errors.As
// still see the original.
package redact

import (
	"regexp"
	"sort"
	"strings"
	"sync"
)

// Mask replaces every redacted value.
const Mask = "***"

// URL returns raw with its user info and the values of its query parameters replaced by Mask.
// raw need not parse: a scheme-less address ("user:pw@host:5672", "/orders?token=x") is redacted
// the same way, and text that holds URLs among other words is handled by String.
func URL(raw string) string {
	if raw == "" {
		return raw
	}
	if strings.ContainsAny(raw, " \t\r\n\"'<>") {
		return String(raw)
	}
	return redactToken(raw, false)
}

// urlToken matches a URL in free text: a scheme, "://", and everything up to white space, a quote
// or an angle bracket (net/http quotes the URL in its errors: Get "http://...": ...).
var urlToken = regexp.MustCompile(`[A-Za-z][A-Za-z0-9+.\-]*://[^\s"'<>` + "`" + `]+`)

// String returns s with every URL in it redacted as URL does. It is the redaction for free text:
// error messages, reasons, log lines.
func String(s string) string {
	if !strings.Contains(s, "://") {
		return s
	}
	return urlToken.ReplaceAllStringFunc(s, func(u string) string { return redactToken(u, true) })
}

// redactToken redacts one URL-like token. In free text (inText) a URL ends where its query ends
// at a character a query cannot hold.
func redactToken(u string, inText bool) string {
	var b strings.Builder
	rest := u
	if i := strings.Index(rest, "://"); i >= 0 {
		b.WriteString(rest[:i+3])
		rest = rest[i+3:]
		end := strings.IndexAny(rest, "/?#")
		if end < 0 {
			end = len(rest)
		}
		if at := strings.LastIndex(rest[:end], "@"); at >= 0 {
			b.WriteString(Mask + "@")
			rest = rest[at+1:]
		}
	} else if at := strings.LastIndex(rest, "@"); at >= 0 && !strings.ContainsAny(rest[:at], "/?#") {
		// host-style address with credentials but no scheme: "user:pw@host:5672"
		b.WriteString(Mask + "@")
		rest = rest[at+1:]
	}
	q := strings.IndexByte(rest, '?')
	if q < 0 {
		b.WriteString(rest)
		return b.String()
	}
	b.WriteString(rest[:q+1])
	query, frag := rest[q+1:], ""
	if h := strings.IndexByte(query, '#'); h >= 0 {
		query, frag = query[:h], query[h:]
	}
	for i, part := range strings.FieldsFunc(query, func(r rune) bool { return r == '&' || r == ';' }) {
		if i > 0 {
			b.WriteByte('&')
		}
		if name, _, ok := strings.Cut(part, "="); ok {
			b.WriteString(name + "=" + Mask)
		} else {
			b.WriteString(part) // a bare name
		}
	}
	b.WriteString(frag)
	return b.String()
}

// Error returns err with its text redacted by String, or nil for nil. The result unwraps to err,
// so errors.Is and errors.As see the original chain.
func Error(err error) error { return wrap(err, String) }

func wrap(err error, redact func(string) string) error {
	if err == nil {
		return nil
	}
	msg := redact(err.Error())
	if r, ok := err.(*redacted); ok && r.msg == msg {
		return err
	}
	return &redacted{err: err, msg: msg}
}

type redacted struct {
	err error
	msg string
}

func (e *redacted) Error() string { return e.msg }
func (e *redacted) Unwrap() error { return e.err }

// Secrets is a set of literal secret values (passwords, tokens, header values) to replace by Mask
// wherever they appear. The zero value is empty and ready; it is safe for concurrent use.
type Secrets struct {
	mu     sync.RWMutex
	values []string // longest first, so a secret holding another is replaced whole
}

// minSecret is the shortest value Secrets replaces: shorter ones ("1", "ab") would mask ordinary
// text and protect nothing.
const minSecret = 4

// Add registers values; empty and very short ones (under 4 bytes) are ignored.
func (s *Secrets) Add(values ...string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, v := range values {
		if len(v) < minSecret || v == Mask {
			continue
		}
		dup := false
		for _, have := range s.values {
			dup = dup || have == v
		}
		if !dup {
			s.values = append(s.values, v)
		}
	}
	sort.SliceStable(s.values, func(i, j int) bool { return len(s.values[i]) > len(s.values[j]) })
}

// String returns x with URLs redacted (String) and every registered value replaced by Mask.
func (s *Secrets) String(x string) string {
	x = String(x)
	if s == nil {
		return x
	}
	s.mu.RLock()
	defer s.mu.RUnlock()
	for _, v := range s.values {
		if strings.Contains(x, v) {
			x = strings.ReplaceAll(x, v, Mask)
		}
	}
	return x
}

// Error returns err with its text redacted by s.String, or nil for nil; it unwraps to err.
func (s *Secrets) Error(err error) error { return wrap(err, s.String) }

// Header returns the value to show for an HTTP header or message metadata entry: Mask for any
// non-empty value (header values carry tokens and cookies), "" for "".
func Header(value string) string {
	if value == "" {
		return ""
	}
	return Mask
}
