package scenario

import (
	"slices"
	"strings"
	"testing"
)

func TestExpandArgs(t *testing.T) {
	env := map[string]string{"D": "5s", "TOKEN": "t$k", "URL": "http://h"}
	getenv := func(k string) (string, bool) { v, ok := env[k]; return v, ok }
	keep := func(flag string) bool { return flag == "url" || flag == "header" }
	var seen []string
	refs := func(flag, value string) { seen = append(seen, flag+"="+value) }
	args := []string{"bench", "--duration", "${D}", "--token=${TOKEN}", "--url", "${URL}", "-H", "A: ${TOKEN}",
		"-q", "${N:-3}", "--rate=${R:-10}", "--", "$$x"}
	got, err := ExpandArgs(args, getenv, keep, refs)
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"bench", "--duration", "5s", "--token=t$k", "--url", "${URL}", "-H", "A: ${TOKEN}",
		"-q", "3", "--rate=10", "--", "$x"}
	if !slices.Equal(got, want) {
		t.Errorf("got  %q\nwant %q", got, want)
	}
	if !slices.Equal(seen, []string{"duration=${D}", "token=${TOKEN}", "=${N:-3}", "rate=${R:-10}", "=$$x"}) {
		t.Errorf("refs %q", seen)
	}
	if args[2] != "${D}" {
		t.Error("args modified")
	}
	for in, msg := range map[string]string{"--password=${NOPE}": "--password: environment variable NOPE", "${NOPE}": `argument "${NOPE}": environment variable NOPE`} {
		if _, err := ExpandArgs([]string{"verify", in}, getenv, keep, refs); err == nil || !strings.Contains(err.Error(), msg) {
			t.Errorf("%s: %v, want %q", in, err, msg)
		}
	}
}
