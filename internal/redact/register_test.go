package redact

import (
	"strings"
	"testing"
)

func TestSecretsRegister(t *testing.T) {
	var s Secrets
	s.AddEnv(map[string]string{"PACT_BROKER_TOKEN": "tok-123", "Db_Passwd": "pw-456", "HOME": "/home/someone"})
	env := map[string]string{"API": "api-789", "EMPTY": ""}
	s.AddRefs("x${API}y ${UNSET} ${EMPTY:-dflt}", func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	s.AddHeader("Authorization: Bearer abc-def-ghi")
	s.AddHeader("X-Key: ${API_KEY}")
	s.AddHeader("no colon here")
	got := s.String("tok-123 pw-456 /home/someone api-789 Bearer abc-def-ghi abc-def-ghi ${API_KEY} no colon here dflt")
	want := Mask + " " + Mask + " /home/someone " + Mask + " " + Mask + " " + Mask + " ${API_KEY} no colon here dflt"
	if got != want {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	if strings.Contains(s.String("Bearer"), Mask) {
		t.Error("the scheme word of a header was registered")
	}
}
