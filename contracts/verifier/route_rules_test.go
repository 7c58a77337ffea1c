package verifier

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestRouteRuleLists(t *testing.T) {
	routes, err := ParseRouteRuleList([]string{"^order=kafka://orders", "refund=amqp://shop/refunds"})
	if err != nil || len(routes) != 2 || !routes[0].Pattern.MatchString("order placed") || routes[1].Pattern.String() != "refund" {
		t.Fatalf("%+v %v", routes, err)
	}
	if _, err := ParseRouteRuleList([]string{"^order=kafka://orders", "no route"}); err == nil {
		t.Error("a bad route parsed")
	}
	triggers, err := ParseTriggerRules([]string{"order=http://127.0.0.1:9/trigger"})
	if err != nil || len(triggers) != 1 || triggers[0].URL != "http://127.0.0.1:9/trigger" {
		t.Fatalf("%+v %v", triggers, err)
	}
	if got, err := ParseTriggerRules(nil); got != nil || err != nil {
		t.Errorf("none: %v %v", got, err)
	}

	path := filepath.Join(t.TempDir(), "routes.txt")
	if err := os.WriteFile(path, []byte("# routes\n^order=kafka://orders\n\nbad line\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := ReadRouteRules(path); err == nil || !strings.Contains(err.Error(), path) {
		t.Errorf("bad line: %v", err)
	}
	if _, err := ReadRouteRules(path + ".missing"); !os.IsNotExist(err) {
		t.Errorf("missing file: %v", err)
	}
	if err := os.WriteFile(path, []byte("# routes\n^order=kafka://orders\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if rules, err := ReadRouteRules(path); err != nil || len(rules) != 1 {
		t.Errorf("good file: %+v %v", rules, err)
	}
}
