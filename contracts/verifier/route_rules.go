package verifier

import "os"

// ReadRouteRules reads the routes file at path (the --message-routes flag) with ParseRouteRules.
// An unreadable file is the os error; a bad line an error naming the file and line.
func ReadRouteRules(path string) ([]RouteRule, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	return ParseRouteRules(f, path)
}

// ParseRouteRuleList reads --message-route values with ParseRouteRule, in order; the first that
// does not parse is the error.
func ParseRouteRuleList(values []string) ([]RouteRule, error) {
	return parseAll(values, ParseRouteRule)
}

// ParseTriggerRules reads --trigger-url values with ParseTriggerRule, in order; the first that
// does not parse is the error.
func ParseTriggerRules(values []string) ([]TriggerRule, error) {
	return parseAll(values, ParseTriggerRule)
}

func parseAll[T any](values []string, parse func(string) (T, error)) ([]T, error) {
	var out []T
	for _, s := range values {
		v, err := parse(s)
		if err != nil {
			return nil, err
		}
		out = append(out, v)
	}
	return out, nil
}
