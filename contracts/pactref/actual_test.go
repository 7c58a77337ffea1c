//go:build pact

package pactref

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"
)

// actual is what a provider variant returns for one interaction: an HTTP response (status,
// headers, body) or a message (body, metadata). Body is a JSON value (map[string]any, []any,
// string, float64, bool, nil), or raw text when Text is set.
type actual struct {
	Status   int
	Headers  map[string]string
	Body     any
	Text     string // non-JSON body (Content-Type header says which), used when Body is nil
	Metadata map[string]any
}

// clone deep-copies a (JSON round trip for the body, so numbers become float64 as on the wire).
func (a actual) clone() actual {
	c := actual{Status: a.Status, Text: a.Text, Headers: map[string]string{}, Metadata: map[string]any{}}
	for k, v := range a.Headers {
		c.Headers[k] = v
	}
	for k, v := range a.Metadata {
		c.Metadata[k] = v
	}
	if a.Body != nil {
		raw, err := json.Marshal(a.Body)
		if err != nil {
			panic(fmt.Sprintf("fixture body is not JSON: %v", err)) // fixtures are code: a bug here is ours
		}
		if err := json.Unmarshal(raw, &c.Body); err != nil {
			panic(err)
		}
	}
	return c
}

// variant is one provider behaviour for an interaction: the correct one or a deliberate break.
type variant struct {
	name   string
	mutate func(*actual) error
}

const correctVariant = "correct"

// resolve walks a dotted path ("customer.email", "orders.1.total") in body and returns the
// container holding the last segment and that segment.
func resolve(body any, path string) (parent any, last string, err error) {
	segs := strings.Split(path, ".")
	cur := body
	for _, s := range segs[:len(segs)-1] {
		switch c := cur.(type) {
		case map[string]any:
			cur = c[s]
		case []any:
			i, err := strconv.Atoi(s)
			if err != nil || i < 0 || i >= len(c) {
				return nil, "", fmt.Errorf("path %q: no item %q", path, s)
			}
			cur = c[i]
		default:
			return nil, "", fmt.Errorf("path %q: %q is not in an object or array", path, s)
		}
	}
	return cur, segs[len(segs)-1], nil
}

// setAt sets body[path] = v (the field or array item must exist unless the parent is an object).
func setAt(body any, path string, v any) error {
	parent, last, err := resolve(body, path)
	if err != nil {
		return err
	}
	switch p := parent.(type) {
	case map[string]any:
		p[last] = v
		return nil
	case []any:
		i, err := strconv.Atoi(last)
		if err != nil || i < 0 || i >= len(p) {
			return fmt.Errorf("path %q: no item %q", path, last)
		}
		p[i] = v
		return nil
	}
	return fmt.Errorf("path %q: parent is not an object or array", path)
}

func getAt(body any, path string) (any, error) {
	parent, last, err := resolve(body, path)
	if err != nil {
		return nil, err
	}
	switch p := parent.(type) {
	case map[string]any:
		v, ok := p[last]
		if !ok {
			return nil, fmt.Errorf("path %q: no field %q", path, last)
		}
		return v, nil
	case []any:
		i, err := strconv.Atoi(last)
		if err != nil || i < 0 || i >= len(p) {
			return nil, fmt.Errorf("path %q: no item %q", path, last)
		}
		return p[i], nil
	}
	return nil, fmt.Errorf("path %q: parent is not an object or array", path)
}

// wrongType replaces the value at path by v, a value of another JSON type.
func wrongType(path string, v any) variant {
	return variant{"wrong-type " + path + "=" + compact(v), func(a *actual) error { return setAt(a.Body, path, v) }}
}

// wrongValue replaces the value at path by v, same JSON type but outside what the rule allows.
func wrongValue(path string, v any) variant {
	return variant{"wrong-value " + path + "=" + compact(v), func(a *actual) error { return setAt(a.Body, path, v) }}
}

// otherValue replaces the value at path by v, a value the contract may well accept (edge cases
// where implementations tend to differ).
func otherValue(path string, v any) variant {
	return variant{"other-value " + path + "=" + compact(v), func(a *actual) error { return setAt(a.Body, path, v) }}
}

// otherHeader sets a response header to a value the contract may well accept.
func otherHeader(name, value string) variant {
	return variant{"other-header " + name + "=" + compact(value), func(a *actual) error { a.Headers[name] = value; return nil }}
}

// missingField deletes the object field at path.
func missingField(path string) variant {
	return variant{"missing-field " + path, func(a *actual) error {
		parent, last, err := resolve(a.Body, path)
		if err != nil {
			return err
		}
		m, ok := parent.(map[string]any)
		if !ok {
			return fmt.Errorf("path %q: parent is not an object", path)
		}
		if _, ok := m[last]; !ok {
			return fmt.Errorf("path %q: no field %q", path, last)
		}
		delete(m, last)
		return nil
	}}
}

// extraField adds a field the contract does not mention (Pact bodies are open: this passes).
func extraField(path string, v any) variant {
	return variant{"extra-field " + path + "=" + compact(v), func(a *actual) error { return setAt(a.Body, path, v) }}
}

// extraItem appends copies of the array's last item until it has n more items.
func extraItem(path string, n int) variant {
	return variant{fmt.Sprintf("extra-item %s +%d", path, n), func(a *actual) error {
		return resizeArray(a, path, func(arr []any) []any {
			for range n {
				arr = append(arr, deepCopy(arr[len(arr)-1]))
			}
			return arr
		})
	}}
}

// truncateArray keeps the first n items of the array at path.
func truncateArray(path string, n int) variant {
	return variant{fmt.Sprintf("too-few-items %s =%d", path, n), func(a *actual) error {
		return resizeArray(a, path, func(arr []any) []any { return arr[:n] })
	}}
}

func resizeArray(a *actual, path string, f func([]any) []any) error {
	v, err := getAt(a.Body, path)
	if err != nil {
		return err
	}
	arr, ok := v.([]any)
	if !ok || len(arr) == 0 {
		return fmt.Errorf("path %q: not a non-empty array", path)
	}
	return setAt(a.Body, path, f(arr))
}

// compact is v as compact JSON, for variant names.
func compact(v any) string {
	raw, err := json.Marshal(v)
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(raw)
}

func deepCopy(v any) any {
	raw, _ := json.Marshal(v)
	var out any
	_ = json.Unmarshal(raw, &out)
	return out
}

// wrongStatus answers with another HTTP status code.
func wrongStatus(code int) variant {
	return variant{fmt.Sprintf("wrong-status %d", code), func(a *actual) error { a.Status = code; return nil }}
}

// wrongHeader sets a response header to a value the contract does not allow ("" removes it).
func wrongHeader(name, value string) variant {
	label := "wrong-header " + name + "=" + compact(value)
	if value == "" {
		label = "missing-header " + name
	}
	return variant{label, func(a *actual) error {
		if value == "" {
			delete(a.Headers, name)
			return nil
		}
		a.Headers[name] = value
		return nil
	}}
}

// wrongText replaces a non-JSON body.
func wrongText(text string) variant {
	return variant{"wrong-text " + compact(text), func(a *actual) error { a.Text = text; return nil }}
}

// wrongMetadata sets a message metadata key to another value.
func wrongMetadata(key string, v any) variant {
	return variant{"wrong-metadata " + key + "=" + compact(v), func(a *actual) error { a.Metadata[key] = v; return nil }}
}

// missingMetadata removes a message metadata key.
func missingMetadata(key string) variant {
	return variant{"missing-metadata " + key, func(a *actual) error { delete(a.Metadata, key); return nil }}
}

// extraMetadata adds a metadata key the contract does not mention.
func extraMetadata(key string, v any) variant {
	return variant{"extra-metadata " + key + "=" + compact(v), func(a *actual) error { a.Metadata[key] = v; return nil }}
}

// build applies v to a copy of good.
func build(good actual, v variant) (actual, error) {
	a := good.clone()
	if v.mutate == nil {
		return a, nil
	}
	if err := v.mutate(&a); err != nil {
		return actual{}, fmt.Errorf("variant %q: %w", v.name, err)
	}
	return a, nil
}
