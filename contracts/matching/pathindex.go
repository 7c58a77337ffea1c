package matching

import "github.com/commbench/commbench/contracts/jsonpath"

// pathNode is one node of a category's path trie: the rule paths of a category merged by their
// tokens, so the walk selects rules in O(depth) instead of O(rules x depth). Every location a node
// stands for weighs the same (root and named tokens 2, stars 1: SPEC-v2.md "Matcher selection
// algorithm"), so the weight is the node's.
type pathNode struct {
	w int64
	// named holds the children for Field tokens, and Index tokens by their decimal name: a list
	// searched in order while short (cheaper than hashing the segment), then also a map
	named     []namedChild
	namedMap  map[string]*pathNode
	star      *pathNode // .* or ['*']: any key or index
	starIndex *pathNode // [*]: any array index
	// exact is the first entry whose path ends here (its own list); inherit the first such entry
	// with rules its children inherit (structural rules removed). nil when there is none.
	exact, inherit *candidate
}

type namedChild struct {
	name string
	node *pathNode
}

// maxNamedList is how many named children a node searches as a list before it uses a map.
const maxNamedList = 8

// namedChild returns the child for the segment seg through a Field or Index token, or nil.
func (n *pathNode) namedChild(seg string) *pathNode {
	if n.namedMap != nil {
		return n.namedMap[seg]
	}
	for i := range n.named {
		if n.named[i].name == seg {
			return n.named[i].node
		}
	}
	return nil
}

// candidate is a rule list competing for a location: the heaviest weight wins, ties go to the
// longer path, then to the earlier entry (the order of Category.Entries).
type candidate struct {
	w     int64
	n     int // path length in tokens, root included
	entry int
	list  *RuleList
}

func (c *candidate) beats(o *candidate) bool {
	if c == nil {
		return false
	}
	return o == nil || c.w > o.w || c.w == o.w && (c.n > o.n || c.n == o.n && c.entry < o.entry)
}

// pathTrie is a category's trie and the number of entries it was built from.
type pathTrie struct {
	root *pathNode
	n    int
}

// paths returns the trie of the category's entries, built on first use (loading a pact does not
// pay for interactions it never verifies) and again if entries were added since. Concurrent
// first walks may each build one; they are equal and the last stored wins.
func (c *Category) paths() *pathNode {
	if c == nil {
		return nil
	}
	if t := c.trie.Load(); t != nil && t.n == len(c.Entries) {
		return t.root
	}
	t := &pathTrie{root: buildTrie(c.Entries), n: len(c.Entries)}
	c.trie.Store(t)
	return t.root
}

func buildTrie(entries []Entry) *pathNode {
	root := &pathNode{w: 2}
	for i := range entries {
		e := &entries[i]
		toks := e.Path.Tokens
		if len(toks) == 0 || toks[0].Kind != jsonpath.Root {
			continue
		}
		n := root
		for j := 1; j < len(toks); j++ {
			n = n.child(&toks[j])
		}
		if n.exact == nil {
			n.exact = &candidate{w: n.w, n: len(toks), entry: i, list: &e.List}
		}
		if n.inherit == nil && e.hasInherited {
			n.inherit = &candidate{w: n.w, n: len(toks), entry: i, list: &e.inherited}
		}
	}
	return root
}

// child returns (creating) the node for token t below n, with the token's weight applied as
// jsonpath.Token.Weight defines it.
func (n *pathNode) child(t *jsonpath.Token) *pathNode {
	var slot **pathNode
	tw := int64(2)
	switch t.Kind {
	case jsonpath.Field, jsonpath.Index, jsonpath.Root:
		name := t.Name
		switch {
		case t.Kind == jsonpath.Root:
			name = "$" // weighs 2 on the segment "$", as a field named "$" does
		case t.Kind == jsonpath.Index && !jsonpath.IsIndex(name):
			return &pathNode{} // matches no segment: a detached node
		}
		c := n.namedChild(name)
		if c == nil {
			c = &pathNode{w: min(n.w*tw, maxWeight)}
			n.named = append(n.named, namedChild{name, c})
			if len(n.named) > maxNamedList {
				if n.namedMap == nil {
					n.namedMap = make(map[string]*pathNode, len(n.named))
				}
				for _, nc := range n.named {
					n.namedMap[nc.name] = nc.node
				}
			}
		}
		return c
	case jsonpath.Star:
		slot, tw = &n.star, 1
	case jsonpath.StarIndex:
		slot, tw = &n.starIndex, 1
	default:
		return &pathNode{}
	}
	if *slot == nil {
		*slot = &pathNode{w: min(n.w*tw, maxWeight)}
	}
	return *slot
}
