package contracts

import (
	"os"
	"path/filepath"
	"testing"
)

// FuzzParse: the loader never panics, and whatever it accepts it can write back as V4 and read
// again.
func FuzzParse(f *testing.F) {
	addPactSeeds(f)
	f.Add([]byte("\xef\xbb\xbf{}"))
	f.Add([]byte(`{"interactions":[{"type":"Synchronous/Messages","description":"d","request":{"contents":{"content":"AAE=","encoded":"base64","contentType":"application/octet-stream"}},"response":[{}]}]}`))
	f.Add([]byte(`{"interactions":[{"description":"d","request":{"method":"GET","path":"/","query":"a=1&b"},"response":{"status":200,"body":"x","matchingRules":{"$.body":{"min":1}}}}]}`))
	f.Fuzz(func(t *testing.T, data []byte) {
		p, err := Parse(data, "fuzz.json")
		if err != nil {
			return
		}
		out, err := p.JSONV4()
		if err != nil {
			return
		}
		if _, err := Parse(out, "again.json"); err != nil {
			t.Fatalf("written pact does not parse: %v\n%s", err, out)
		}
		for _, in := range p.Interactions {
			switch in.Kind {
			case KindHTTP:
				MatchRequest(in.Request, in.Request)
				MatchResponse(in.Response, in.Response)
			case KindAsynchronousMessage:
				MatchMessage(in.Message, in.Message.Contents, in.Message.Metadata)
			}
		}
	})
}

// addPactSeeds seeds f with pacts of testdata/pacts, one per specification version.
func addPactSeeds(f *testing.F) {
	for _, n := range []string{"v2-flat-rules.json", "v3-quirks.json", "v4-spec.json"} {
		data, err := os.ReadFile(filepath.Join("..", "testdata", "pacts", n))
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
}
