package query

import "strings"

// Tree is a parsed query: the syntax tree plus the source it came from (for error positions).
type Tree struct {
	src  string
	root node
}

// String returns the query in a normalized, fully parenthesised form, e.g.
// `(name:john* OR NOT email_verified:true)`. Parsing the result yields the same tree.
func (t *Tree) String() string {
	if t == nil || t.root == nil {
		return ""
	}
	var b strings.Builder
	t.root.format(&b)
	return b.String()
}

// node is one element of the syntax tree. off is the byte offset in the source used for errors.
type node interface {
	format(b *strings.Builder)
}

type andNode struct{ xs []node }

type orNode struct{ xs []node }

type notNode struct{ x node }

// termNode is field:value or a bare value (field ""). parts is the value split at unescaped '*':
// one part means no wildcard; ["jo", ""] is the prefix pattern jo*.
type termNode struct {
	field  string
	parts  []string
	phrase bool
	off    int
}

type bound struct {
	value     string
	open      bool // '*': no limit on this side
	inclusive bool
	quoted    bool
}

type rangeNode struct {
	field  string
	lo, hi bound
	off    int
}

type existsNode struct {
	field string
	off   int
}

func (n *andNode) format(b *strings.Builder) { formatList(b, n.xs, " AND ") }

func (n *orNode) format(b *strings.Builder) { formatList(b, n.xs, " OR ") }

func formatList(b *strings.Builder, xs []node, op string) {
	b.WriteByte('(')
	for i, x := range xs {
		if i > 0 {
			b.WriteString(op)
		}
		x.format(b)
	}
	b.WriteByte(')')
}

func (n *notNode) format(b *strings.Builder) {
	b.WriteString("NOT ")
	n.x.format(b)
}

func (n *termNode) format(b *strings.Builder) {
	if n.field != "" {
		b.WriteString(n.field)
		b.WriteByte(':')
	}
	if n.phrase {
		writePhrase(b, n.parts[0])
		return
	}
	if len(n.parts) == 1 && isKeyword(n.parts[0]) {
		b.WriteByte('\\')
	}
	for i, p := range n.parts {
		if i > 0 {
			b.WriteByte('*')
		}
		writeWord(b, p)
	}
}

func (n *rangeNode) format(b *strings.Builder) {
	b.WriteString(n.field)
	b.WriteByte(':')
	if n.lo.inclusive {
		b.WriteByte('[')
	} else {
		b.WriteByte('{')
	}
	writeBound(b, n.lo)
	b.WriteString(" TO ")
	writeBound(b, n.hi)
	if n.hi.inclusive {
		b.WriteByte(']')
	} else {
		b.WriteByte('}')
	}
}

func (n *existsNode) format(b *strings.Builder) {
	b.WriteString("_exists_:")
	b.WriteString(n.field)
}

func writeBound(b *strings.Builder, v bound) {
	switch {
	case v.open:
		b.WriteByte('*')
	case v.quoted || v.value == "" || strings.ContainsAny(v.value, " \t\r\n[]{}\"\\") || v.value == "TO" || v.value == "*":
		writePhrase(b, v.value)
	default:
		b.WriteString(v.value)
	}
}

func writePhrase(b *strings.Builder, s string) {
	b.WriteByte('"')
	for _, r := range s {
		if r == '"' || r == '\\' {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
	b.WriteByte('"')
}

// writeWord writes a literal part of an unquoted term, escaping everything the parser treats as
// syntax so that the output parses back to the same value.
func writeWord(b *strings.Builder, s string) {
	for i, r := range s {
		if isSpecial(r) || r == '*' || isSpace(r) || (i == 0 && (r == '-' || r == '!' || r == '+')) {
			b.WriteByte('\\')
		}
		b.WriteRune(r)
	}
}

// isKeyword reports whether an unquoted word would be read as an operator.
func isKeyword(s string) bool {
	return s == "AND" || s == "OR" || s == "NOT" || s == "&&" || s == "||"
}
