package template

import (
	"text/template/parse"
)

// position is where an action stands in the JSON text around it, which decides how its output is
// written so that every payload is JSON, whatever value the action produces.
type position int

const (
	// inValue: the action is a whole JSON value (after ':', '[' or ',' in an array, or the whole
	// document): strings are written quoted and escaped, numbers and booleans bare.
	inValue position = iota
	// inString: the action is inside a JSON string: its text is escaped, without quotes.
	inString
)

const followMsg = "an action written as a JSON value must be followed by ',', '}' or ']'; to build text, put it inside quotes"

// positionError is an action at a place where no output would keep the payload JSON.
type positionError struct {
	node parse.Node
	msg  string
}

// scanPositions walks the template's text nodes as JSON tokens (strings, brackets, separators)
// and returns the position of each action node. Errors: an action as an object key, inside a
// number or literal, right after a backslash in a string, or followed by anything but ',', '}',
// ']' or the end. Structure errors of the text itself are left to the JSON check of Compile.
func scanPositions(nodes []parse.Node) (map[parse.Node]position, *positionError) {
	out := make(map[parse.Node]position)
	var (
		inStr, esc bool
		stack      []byte     // open '{' and '['
		prev       byte       // last significant byte outside strings, 0 at the start, 'v' after an action
		after      parse.Node // the action written as a value, until the next significant byte
	)
	top := func() byte {
		if len(stack) == 0 {
			return 0
		}
		return stack[len(stack)-1]
	}
	for _, n := range nodes {
		switch x := n.(type) {
		case *parse.TextNode:
			for _, c := range x.Text {
				if inStr {
					switch {
					case esc:
						esc = false
					case c == '\\':
						esc = true
					case c == '"':
						inStr = false
						prev = '"'
					}
					continue
				}
				if c == ' ' || c == '\t' || c == '\n' || c == '\r' {
					continue
				}
				if after != nil {
					if c != ',' && c != '}' && c != ']' {
						return nil, &positionError{after, followMsg}
					}
					after = nil
				}
				switch c {
				case '"':
					inStr = true
				case '{', '[':
					stack = append(stack, c)
				case '}', ']':
					if len(stack) > 0 {
						stack = stack[:len(stack)-1]
					}
				}
				prev = c
			}
		case *parse.ActionNode:
			if after != nil {
				return nil, &positionError{after, followMsg}
			}
			if inStr {
				if esc {
					return nil, &positionError{n, "an action right after a backslash in a string would complete an escape sequence"}
				}
				out[n] = inString
				continue
			}
			switch {
			case prev == 0 && len(stack) == 0, prev == ':', prev == '[', prev == ',' && top() == '[':
				out[n] = inValue
				after, prev = n, 'v'
			case prev == '{', prev == ',' && top() == '{':
				return nil, &positionError{n, `an action cannot be an object key as is: put it inside quotes ("{{...}}": ...)`}
			default:
				return nil, &positionError{n, "an action outside a string must be a whole JSON value (after ':', '[' or ','); to build text, put it inside quotes"}
			}
		}
	}
	return out, nil
}
