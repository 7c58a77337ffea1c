package runner

import (
	"errors"
	"fmt"

	"github.com/commbench/commbench/bench/payload"
	"github.com/commbench/commbench/formats"
	"github.com/commbench/commbench/formats/template"
	"github.com/commbench/commbench/scenario"
)

// mergeHeaders returns the target's headers overlaid with the workload's.
func mergeHeaders(target, workload map[string]string) map[string]string {
	if len(workload) == 0 {
		return target
	}
	out := make(map[string]string, len(target)+len(workload))
	for k, v := range target {
		out[k] = v
	}
	for k, v := range workload {
		out[k] = v
	}
	return out
}

// contentTypeOf is the Content-Type of bodies from src: p's, else the codec's, else JSON's; ""
// without bodies.
func contentTypeOf(p scenario.Payload, src payload.Source, codec formats.Codec) string {
	switch {
	case p.ContentType != "":
		return p.ContentType
	case src == nil:
		return ""
	case codec != nil:
		return codec.ContentType()
	}
	return "application/json"
}

func formatName(p scenario.Payload) string {
	if p.Format == "" {
		return "json"
	}
	return p.Format
}

// payloadOf is p's codec (payloadCodec) and compiled template (payloadSource).
func payloadOf(p scenario.Payload) (formats.Codec, payload.Source, error) {
	codec, err := payloadCodec(p)
	if err != nil {
		return nil, nil, err
	}
	src, err := payloadSource(p, codec)
	return codec, src, err
}

// payloadCodec returns the codec of p's format: nil for JSON (templates are JSON text already).
func payloadCodec(p scenario.Payload) (formats.Codec, error) {
	if p.Format == "" || p.Format == "json" {
		return nil, nil
	}
	codec, err := formats.New(p.Format, formats.Options{Schema: p.Schema, SchemaFiles: p.SchemaDeps, ImportPaths: p.ImportPaths, Message: p.Message})
	if err != nil {
		return nil, fmt.Errorf("payload format %s: %w", p.Format, err)
	}
	return codec, nil
}

// payloadSource compiles p's template (file, or inline body) into a payload source encoded by
// codec (nil: JSON text). No template gives nil: empty bodies. A template that does not encode
// fails here, before any load.
func payloadSource(p scenario.Payload, codec formats.Codec) (payload.Source, error) {
	if p.MaxBytes < 0 {
		return nil, errors.New("payload: max_bytes must not be negative")
	}
	opts := template.Options{DataFile: p.DataFile, MaxPayloadBytes: p.MaxBytes}
	var (
		t    *template.Template
		err  error
		name = p.Template
	)
	switch {
	case p.Template != "" && p.Body != "":
		return nil, errors.New("payload: set template (a file) or body (inline), not both")
	case p.Template != "":
		t, err = template.CompileFile(p.Template, opts)
	case p.Body != "":
		name = "payload body"
		t, err = template.Compile(name, p.Body, opts)
	default:
		if p.DataFile != "" {
			return nil, errors.New("payload: data_file needs a template")
		}
		return nil, nil
	}
	if errors.Is(err, template.ErrPayloadTooLarge) {
		return nil, fmt.Errorf("template %s: %w (raise the limit with payload max_bytes, or --max-payload-bytes)", name, err)
	}
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", name, err)
	}
	if p.Ring < 0 {
		return nil, errors.New("payload: ring must not be negative")
	}
	src, err := payload.FromTemplate(t, codec, p.Ring)
	if err != nil {
		return nil, fmt.Errorf("template %s: %w", name, err)
	}
	if p.Ring == 0 {
		if _, err := src.Append(nil, 0); err != nil {
			return nil, fmt.Errorf("template %s: %w", name, err)
		}
	}
	return src, nil
}
