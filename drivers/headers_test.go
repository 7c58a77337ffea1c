package drivers

import (
	"strings"
	"testing"
)

func TestExpandHeaders(t *testing.T) {
	env := map[string]string{"TOKEN": "s3cret", "EMPTY": "", "A_1": "x"}
	lookup := func(n string) (string, bool) { v, ok := env[n]; return v, ok }
	t.Setenv("COMMBENCH_TEST_HEADER_TOKEN", "from-env")
	tests := []struct {
		name    string
		value   string
		lookup  func(string) (string, bool)
		want    string
		wantErr string
	}{
		{name: "bearer", value: "Bearer ${TOKEN}", lookup: lookup, want: "Bearer s3cret"},
		{name: "two refs", value: "${A_1}-${TOKEN}", lookup: lookup, want: "x-s3cret"},
		{name: "empty value is set", value: "[${EMPTY}]", lookup: lookup, want: "[]"},
		{name: "dollar escape", value: "cost $$5", lookup: lookup, want: "cost $5"},
		{name: "nil lookup reads the process environment", value: "Bearer ${COMMBENCH_TEST_HEADER_TOKEN}", want: "Bearer from-env"},
		{name: "unset", value: "Bearer ${NOPE}", lookup: lookup, wantErr: `header "Authorization": ${NOPE} is not set`},
		{name: "unterminated", value: "x ${TOKEN", lookup: lookup, wantErr: "offset 2: ${ without closing }"},
		{name: "bare dollar", value: "a$b", lookup: lookup, wantErr: "offset 1: want ${NAME}"},
		{name: "bad name", value: "${1X}", lookup: lookup, wantErr: `"1X" is not a variable name`},
		{name: "trailing dollar", value: "a$", lookup: lookup, wantErr: "offset 1"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tg := Target{Headers: map[string]string{"Authorization": tc.value}, LookupEnv: tc.lookup}
			got, err := tg.ExpandHeaders()
			if tc.wantErr != "" {
				if err == nil || !strings.Contains(err.Error(), tc.wantErr) {
					t.Fatalf("err = %v, want it to contain %q", err, tc.wantErr)
				}
				if strings.Contains(err.Error(), "s3cret") {
					t.Fatalf("error leaks a secret: %v", err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if got["Authorization"] != tc.want {
				t.Fatalf("got %q, want %q", got["Authorization"], tc.want)
			}
			if tg.Headers["Authorization"] != tc.value {
				t.Fatal("ExpandHeaders modified the target's headers")
			}
		})
	}
}

func FuzzExpandHeaders(f *testing.F) {
	for _, s := range []string{"Bearer ${TOKEN}", "$$", "${", "${}", "$", "a${B}c${TOKEN}", "${TOKEN"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		lookup := func(n string) (string, bool) { return "<" + n + ">", n != "UNSET" }
		got, err := expand(s, lookup)
		if err != nil {
			return
		}
		if !strings.Contains(s, "$") && got != s {
			t.Fatalf("text without '$' changed: %q -> %q", s, got)
		}
	})
}

func TestBasicAuth(t *testing.T) {
	tests := []struct {
		name, user, pass, want string
	}{
		{name: "none", want: ""},
		{name: "user and password", user: "Aladdin", pass: "open sesame", want: "Basic QWxhZGRpbjpvcGVuIHNlc2FtZQ=="}, // RFC 7617 section 2
		{name: "password only", pass: "pw", want: "Basic OnB3"},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			if got := (Target{Username: tc.user, Password: tc.pass}).BasicAuth(); got != tc.want {
				t.Fatalf("got %q, want %q", got, tc.want)
			}
		})
	}
}
