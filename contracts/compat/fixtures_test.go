package compat

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"os"
	"path/filepath"
	"strings"

	"github.com/cucumber/godog"
)

// body is a request, response or message body as the suite's steps describe it.
type body struct {
	present     bool
	content     []byte
	contentType string
}

// fixtureDir is the suite's fixtures folder, set by TestCompatibilitySuite.
var fixtureDir string

func readFixture(name string) ([]byte, error) {
	data, err := os.ReadFile(filepath.Join(fixtureDir, name))
	if err != nil {
		return nil, fmt.Errorf("fixture %s: %w", name, err)
	}
	return data, nil
}

// parseBody reads a body cell as pact-reference's setup_body does: "file: NAME" (a -body.xml
// fixture holds contentType and contents; other files take their type from the extension),
// "JSON: ...", "XML: ...", "EMPTY", or plain text. ct, when not empty, is the content type given
// beside the body.
func parseBody(cell, ct string) (body, error) {
	cell = strings.TrimSpace(cell)
	b := body{present: true}
	switch {
	case cell == "":
		return body{}, nil
	case cell == "EMPTY":
		b.content = []byte{}
	case strings.HasPrefix(cell, "JSON:"):
		b.content, b.contentType = []byte(strings.TrimSpace(strings.TrimPrefix(cell, "JSON:"))), "application/json"
	case strings.HasPrefix(cell, "XML:"):
		b.content, b.contentType = []byte(strings.TrimSpace(strings.TrimPrefix(cell, "XML:"))), "application/xml"
	case strings.HasPrefix(cell, "file:"):
		name := strings.TrimSpace(strings.TrimPrefix(cell, "file:"))
		data, err := readFixture(name)
		if err != nil {
			return b, err
		}
		switch {
		case strings.HasSuffix(name, "-body.xml"):
			return xmlBodyFixture(data, ct)
		case strings.HasSuffix(name, ".json"):
			b.content, b.contentType = data, "application/json"
		case strings.HasSuffix(name, ".xml"):
			b.content, b.contentType = data, "application/xml"
		case strings.HasSuffix(name, ".jpg"):
			b.content, b.contentType = data, "image/jpeg"
		case strings.HasSuffix(name, ".pdf"):
			b.content, b.contentType = data, "application/pdf"
		default:
			b.content, b.contentType = data, "application/octet-stream"
		}
	default:
		b.content, b.contentType = []byte(cell), "text/plain"
	}
	if ct != "" {
		b.contentType = ct
	}
	return b, nil
}

// xmlBodyFixture reads a -body.xml fixture: <body><contentType/><contents eol="CRLF"/></body>.
func xmlBodyFixture(data []byte, ct string) (body, error) {
	var doc struct {
		ContentType string `xml:"contentType"`
		Contents    struct {
			EOL  string `xml:"eol,attr"`
			Text string `xml:",chardata"`
		} `xml:"contents"`
	}
	if err := xml.Unmarshal(data, &doc); err != nil {
		return body{}, fmt.Errorf("body fixture: %w", err)
	}
	text := strings.TrimSpace(doc.Contents.Text)
	if doc.Contents.EOL == "CRLF" {
		text = strings.ReplaceAll(text, "\n", "\r\n")
	}
	b := body{present: true, content: []byte(text), contentType: strings.TrimSpace(doc.ContentType)}
	if b.contentType == "" {
		b.contentType = "text/plain"
	}
	if ct != "" {
		b.contentType = ct
	}
	return b, nil
}

// jsonCell reads a "JSON: ..." cell or a fixture file name holding JSON (matching rules,
// generators).
func jsonCell(cell string) (map[string]any, error) {
	cell = strings.TrimSpace(cell)
	var data []byte
	if strings.HasPrefix(cell, "JSON:") {
		data = []byte(strings.TrimSpace(strings.TrimPrefix(cell, "JSON:")))
	} else {
		var err error
		if data, err = readFixture(cell); err != nil {
			return nil, err
		}
	}
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		return nil, fmt.Errorf("%s: %w", cell, err)
	}
	return m, nil
}

func decodeJSON(data []byte) (any, error) {
	d := json.NewDecoder(bytes.NewReader(data))
	d.UseNumber()
	var v any
	err := d.Decode(&v)
	return v, err
}

// rows turns a table with a header row into one map per data row.
func rows(t *godog.Table) []map[string]string {
	if t == nil || len(t.Rows) < 1 {
		return nil
	}
	head := t.Rows[0].Cells
	var out []map[string]string
	for _, r := range t.Rows[1:] {
		m := map[string]string{}
		for i, c := range r.Cells {
			if i < len(head) {
				m[head[i].Value] = c.Value
			}
		}
		out = append(out, m)
	}
	return out
}

// parseHeaders reads "'A: 1', 'B: 2'" as pact-reference's steps do.
func parseHeaders(s string) map[string][]string {
	out := map[string][]string{}
	for _, h := range strings.Split(s, ",") {
		h = strings.TrimSpace(h)
		h = strings.TrimSuffix(strings.TrimPrefix(h, "'"), "'")
		k, v, ok := strings.Cut(h, ":")
		if !ok {
			continue
		}
		k = strings.TrimSpace(k)
		out[k] = append(out[k], strings.TrimSpace(v))
	}
	return out
}

// unescape removes the backslashes a step's quoted text keeps before quotes (\" -> ").
func unescape(s string) string { return strings.ReplaceAll(s, `\"`, `"`) }
