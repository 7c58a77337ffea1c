package redact

import (
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"net/http"
	"strings"
	"testing"
)

func TestURL(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"http://user:SECRET@host:1/_states?token=TOK", "http://***@host:1/_states?token=***"},
		{"amqp://guest:guest@127.0.0.1:5672/", "amqp://***@127.0.0.1:5672/"},
		{"http://127.0.0.1:8080/orders", "http://127.0.0.1:8080/orders"},
		{"https://h/p?a=1&b=2;c=3#frag", "https://h/p?a=***&b=***&c=***#frag"},
		{"https://h/p?bare&x=", "https://h/p?bare&x=***"},
		{"/orders?limit=10&api_key=K", "/orders?limit=***&api_key=***"},
		{"user:pw@kafka:9092", "***@kafka:9092"},
		{"http://user@h/p@x", "http://***@h/p@x"},
		{"127.0.0.1:9092", "127.0.0.1:9092"},
		{"", ""},
	} {
		if got := URL(c.in); got != c.want {
			t.Errorf("URL(%q) = %q, want %q", c.in, got, c.want)
		}
	}
}

func TestString(t *testing.T) {
	in := `provider state "x" (setup): Post "http://u:SECRET@host:1/_states?token=TOK": dial tcp 127.0.0.1:1: connect: connection refused; see https://a/b?k=v.`
	got := String(in)
	for _, bad := range []string{"SECRET", "TOK", "=v"} {
		if strings.Contains(got, bad) {
			t.Errorf("String kept %q: %s", bad, got)
		}
	}
	if !strings.Contains(got, `Post "http://***@host:1/_states?token=***": dial tcp 127.0.0.1:1: connect`) {
		t.Errorf("String = %s", got)
	}
}

func TestErrorFromNetHTTP(t *testing.T) {
	_, err := http.Get("http://user:SECRET@127.0.0.1:1/x?token=TOK")
	if err == nil {
		t.Fatal("want a dial error")
	}
	if !strings.Contains(err.Error(), "TOK") { // net/http masks the password itself, not the query
		t.Fatalf("net/http no longer shows the URL (%v): the test lost its point", err)
	}
	r := Error(fmt.Errorf("state change: %w", err))
	if s := r.Error(); strings.Contains(s, "SECRET") || strings.Contains(s, "TOK") {
		t.Errorf("Error kept a secret: %s", s)
	}
	wrapped := fmt.Errorf("outer: %w", r)
	if strings.Contains(wrapped.Error(), "SECRET") {
		t.Errorf("wrapping revealed the secret: %s", wrapped)
	}
	var ue interface{ Timeout() bool }
	if !errors.As(r, &ue) {
		t.Error("errors.As no longer finds the *url.Error")
	}
	if Error(nil) != nil {
		t.Error("Error(nil) != nil")
	}
	if !errors.Is(Error(fmt.Errorf("x: %w", fs.ErrNotExist)), fs.ErrNotExist) {
		t.Error("errors.Is lost the chain")
	}
}

func TestSecrets(t *testing.T) {
	var s Secrets
	s.Add("", "ab", "TOKEN-123", "TOKEN-1234567")
	got := s.String("Authorization: Bearer TOKEN-1234567 and TOKEN-123 ab http://u:p@h/")
	want := "Authorization: Bearer *** and *** ab http://***@h/"
	if got != want {
		t.Errorf("got %q, want %q", got, want)
	}
	if e := s.Error(errors.New("x TOKEN-123")); e.Error() != "x ***" {
		t.Errorf("Secrets.Error = %q", e)
	}
	var nilSet *Secrets
	if nilSet.String("http://a:b@h") != "http://***@h" {
		t.Error("nil Secrets must still redact URLs")
	}
}

func FuzzString(f *testing.F) {
	f.Add("Get \"http://u:SECRET@h/p?t=SECRET\": refused")
	f.Add("amqp://a:b@c/?x")
	f.Fuzz(func(t *testing.T, s string) {
		got := String(s)
		if String(got) != got {
			t.Errorf("String is not idempotent on %q: %q then %q", s, got, String(got))
		}
	})
}

func TestHandler(t *testing.T) {
	var buf strings.Builder
	s := &Secrets{}
	s.Add("HDR-CANARY")
	log := slog.New(Handler(slog.NewTextHandler(&buf, &slog.HandlerOptions{Level: slog.LevelDebug}), s))
	log = log.With("base", "http://u:URL-CANARY@h/")
	log.Debug("open http://h/s?token=QUERY-CANARY", "err", errors.New("header HDR-CANARY refused"),
		slog.Group("g", "url", "amqp://a:GROUP-CANARY@h/"), "list", []string{"x", "HDR-CANARY"})
	out := buf.String()
	if strings.Contains(out, "CANARY") {
		t.Errorf("log holds a canary:\n%s", out)
	}
	if !strings.Contains(out, "level=DEBUG") || !strings.Contains(out, "token=***") {
		t.Errorf("log lost its content:\n%s", out)
	}
}
