package contracts_test

import (
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/commbench/commbench/contracts"
)

// Load a pact and match a provider's response against each HTTP interaction.
func Example() {
	doc := `{"consumer":{"name":"web"},"provider":{"name":"orders"},
	  "interactions":[{"description":"get order 7","request":{"method":"GET","path":"/orders/7"},
	    "response":{"status":200,"headers":{"Content-Type":"application/json"},"body":{"id":7,"state":"PAID"},
	      "matchingRules":{"body":{"$.id":{"matchers":[{"match":"integer"}]}}}}}],
	  "metadata":{"pactSpecification":{"version":"3.0.0"}}}`
	dir, _ := os.MkdirTemp("", "pacts")
	defer os.RemoveAll(dir)
	path := filepath.Join(dir, "web-orders.json")
	_ = os.WriteFile(path, []byte(doc), 0o644)

	pacts, err := contracts.Load(context.Background(), path, contracts.LoadOptions{})
	if err != nil {
		fmt.Println(err)
		return
	}
	in := pacts[0].Interactions[0]
	actual := &contracts.Response{Status: 200, Headers: map[string][]string{"content-type": {"application/json"}},
		Body: contracts.NewBody([]byte(`{"id":"7","state":"PAID","extra":1}`), "application/json")}
	for _, m := range contracts.MatchResponse(in.Response, actual) {
		fmt.Printf("%s %s: %s\n", m.Category, m.Path, m.Message)
	}
	// Output: body $.id: Expected '7' (String) to be an integer
}
