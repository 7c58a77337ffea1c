package payload

import (
	"testing"

	"github.com/commbench/commbench/formats"
	_ "github.com/commbench/commbench/formats/json"
	"github.com/commbench/commbench/formats/template"
)

func TestFromTemplate(t *testing.T) {
	tpl, err := template.Compile("t", `{"id":"ord-{{.Seq}}","qty":{{.Seq}}}`, template.Options{})
	if err != nil {
		t.Fatal(err)
	}
	jc, err := formats.New("json", formats.Options{})
	if err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		name  string
		codec formats.Codec
		ring  int
		seq   uint64
		want  string
	}{
		{"text", nil, 0, 7, `{"id":"ord-7","qty":7}`},
		{"json codec is the text", jc, 0, 8, `{"id":"ord-8","qty":8}`},
		{"ring wraps", nil, 4, 9, `{"id":"ord-1","qty":1}`},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			src, err := FromTemplate(tpl, tt.codec, tt.ring)
			if err != nil {
				t.Fatal(err)
			}
			got, err := src.Append([]byte("x"), tt.seq)
			if err != nil || string(got) != "x"+tt.want {
				t.Fatalf("got %q, %v; want x%s", got, err, tt.want)
			}
		})
	}
}

func BenchmarkRingAppend(b *testing.B) {
	r := Ring{[]byte(`{"id":1}`), []byte(`{"id":2}`)}
	buf := make([]byte, 0, 64)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		buf, _ = r.Append(buf[:0], uint64(i))
	}
}
