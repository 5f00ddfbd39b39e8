package query

import (
	"strings"
	"unicode/utf8"
)

// maxDepth bounds nesting (parentheses and NOT chains) so hostile input cannot exhaust the stack.
const maxDepth = 100

// Parse parses a v3 user-search query. An empty or all-whitespace query is an error: a caller that
// wants "everything" should not search.
func Parse(q string) (*Tree, error) {
	if !utf8.ValidString(q) {
		for i := 0; i < len(q); {
			r, size := utf8.DecodeRuneInString(q[i:])
			if r == utf8.RuneError && size == 1 {
				return nil, errAt(q, i, "the query is not valid UTF-8")
			}
			i += size
		}
	}
	p := &parser{src: q}
	p.skipSpace()
	if p.eof() {
		return nil, errAt(q, 0, "the query is empty")
	}
	root, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	p.skipSpace()
	if !p.eof() {
		// parseOr stops only at ')' or the end.
		return nil, errAt(q, p.i, "unexpected ')' without a matching '('")
	}
	return &Tree{src: q, root: root}, nil
}

type parser struct {
	src   string
	i     int
	depth int
	// field is set inside a field group such as email:(a OR b): bare terms there belong to it.
	field    string
	fieldOff int
}

func (p *parser) eof() bool { return p.i >= len(p.src) }

func (p *parser) peek() byte {
	if p.eof() {
		return 0
	}
	return p.src[p.i]
}

func (p *parser) skipSpace() {
	for !p.eof() {
		r, size := utf8.DecodeRuneInString(p.src[p.i:])
		if !isSpace(r) {
			return
		}
		p.i += size
	}
}

func isSpace(r rune) bool {
	return r == ' ' || r == '\t' || r == '\n' || r == '\r' || r == '\f' || r == '\v' || r == 0x85 || r == 0xA0 || r == 0x3000
}

// isSpecial reports characters that end an unquoted word.
func isSpecial(r rune) bool {
	switch r {
	case '(', ')', '[', ']', '{', '}', '"', ':', '^', '~', '\\':
		return true
	}
	return false
}

// isDelimAt reports whether position i ends a keyword: end of input, whitespace, a parenthesis or
// a quote.
func (p *parser) isDelimAt(i int) bool {
	if i >= len(p.src) {
		return true
	}
	r, _ := utf8.DecodeRuneInString(p.src[i:])
	return isSpace(r) || r == '(' || r == ')' || r == '"'
}

// keywordAt reports whether the keyword kw starts at the current position.
func (p *parser) keywordAt(kw string) bool {
	return strings.HasPrefix(p.src[p.i:], kw) && p.isDelimAt(p.i+len(kw))
}

func (p *parser) accept(kws ...string) bool {
	for _, kw := range kws {
		if p.keywordAt(kw) {
			p.i += len(kw)
			return true
		}
	}
	return false
}

// atNot reports whether a negation starts here: NOT, '!' or '-' directly followed by a clause.
func (p *parser) atNot() bool {
	if p.keywordAt("NOT") {
		return true
	}
	c := p.peek()
	if (c == '!' || c == '-') && p.i+1 < len(p.src) {
		r, _ := utf8.DecodeRuneInString(p.src[p.i+1:])
		return !isSpace(r) && r != ')'
	}
	return false
}

func (p *parser) enter(off int) error {
	p.depth++
	if p.depth > maxDepth {
		return errAt(p.src, off, "the query nests too deeply (more than %d levels of parentheses or NOT)", maxDepth)
	}
	return nil
}

func (p *parser) leave() { p.depth-- }

// parseOr: and-expr { (OR | || | implicit) and-expr }. Stops before ')' or at the end.
//
// Clauses joined by OR or written side by side are alternatives. A negation written side by side
// with earlier clauses (no operator) is an exclusion, as in Lucene: "a b NOT c" is
// "(a OR b) AND NOT c"; a side-by-side "NOT c AND d" is required.
func (p *parser) parseOr() (node, error) {
	first, err := p.parseAnd()
	if err != nil {
		return nil, err
	}
	should := []node{first}
	var must []node
	for {
		p.skipSpace()
		if p.eof() || p.peek() == ')' {
			break
		}
		opOff := p.i
		explicit := p.accept("OR", "||")
		if explicit {
			p.skipSpace()
			if p.eof() || p.peek() == ')' {
				return nil, errAt(p.src, opOff, "OR needs a clause after it")
			}
		}
		exclude := !explicit && p.atNot()
		right, err := p.parseAnd()
		if err != nil {
			return nil, err
		}
		if exclude {
			must = append(must, right)
			continue
		}
		should = append(should, right)
	}
	if len(must) == 0 {
		return orOf(should), nil
	}
	return andOf(append([]node{orOf(should)}, must...)), nil
}

// parseAnd: unary { (AND | &&) unary }.
func (p *parser) parseAnd() (node, error) {
	first, err := p.parseUnary()
	if err != nil {
		return nil, err
	}
	xs := []node{first}
	for {
		p.skipSpace()
		opOff := p.i
		if !p.accept("AND", "&&") {
			return andOf(xs), nil
		}
		p.skipSpace()
		if p.eof() || p.peek() == ')' {
			return nil, errAt(p.src, opOff, "AND needs a clause after it")
		}
		right, err := p.parseUnary()
		if err != nil {
			return nil, err
		}
		xs = append(xs, right)
	}
}

// orOf and andOf build n-ary nodes, flattening nested nodes of the same kind.
func orOf(xs []node) node {
	if len(xs) == 1 {
		return xs[0]
	}
	var out []node
	for _, x := range xs {
		if o, ok := x.(*orNode); ok {
			out = append(out, o.xs...)
		} else {
			out = append(out, x)
		}
	}
	return &orNode{out}
}

func andOf(xs []node) node {
	if len(xs) == 1 {
		return xs[0]
	}
	var out []node
	for _, x := range xs {
		if a, ok := x.(*andNode); ok {
			out = append(out, a.xs...)
		} else {
			out = append(out, x)
		}
	}
	return &andNode{out}
}

// parseUnary: { NOT | ! | - } clause.
func (p *parser) parseUnary() (node, error) {
	p.skipSpace()
	off := p.i
	switch {
	case p.keywordAt("NOT"):
		p.i += 3
	case p.atNot():
		p.i++
	case p.peek() == '+':
		return nil, errAt(p.src, off, "the '+' (required) modifier is not supported; join clauses with AND instead")
	default:
		return p.parseClause()
	}
	if err := p.enter(off); err != nil {
		return nil, err
	}
	defer p.leave()
	p.skipSpace()
	if p.eof() || p.peek() == ')' {
		return nil, errAt(p.src, off, "NOT needs a clause after it")
	}
	x, err := p.parseUnary()
	if err != nil {
		return nil, err
	}
	return &notNode{x}, nil
}

// parseClause: '(' or-expr ')' | phrase | field ':' value | word.
func (p *parser) parseClause() (node, error) {
	p.skipSpace()
	off := p.i
	if p.eof() {
		return nil, errAt(p.src, off, "expected a term, a phrase or '(' but the query ended")
	}
	for _, kw := range []string{"AND", "OR", "&&", "||"} {
		if p.keywordAt(kw) {
			return nil, errAt(p.src, off, "%s needs a clause before it", kw)
		}
	}
	switch c := p.peek(); c {
	case '(':
		return p.parseGroup()
	case ')':
		return nil, errAt(p.src, off, "unexpected ')' without a matching '('")
	case '"':
		s, err := p.parsePhrase()
		if err != nil {
			return nil, err
		}
		return &termNode{field: p.field, parts: []string{s}, phrase: true, off: off}, nil
	case '[', '{':
		return nil, errAt(p.src, off, "a range needs a field, e.g. logins_count:[100 TO 200]")
	case ']', '}':
		return nil, errAt(p.src, off, "unexpected '%c' outside a range", c)
	case ':':
		return nil, errAt(p.src, off, "missing field name before ':'")
	}
	parts, err := p.parseWord()
	if err != nil {
		return nil, err
	}
	if p.peek() == ':' {
		if !validFieldName(p.src[off:p.i]) {
			return nil, errAt(p.src, off, "%q is not a field name (letters, digits, '_' and '.'); escape ':' as \\: or quote the value", p.src[off:p.i])
		}
		p.i++ // ':'
		return p.parseFieldValue(parts[0], off)
	}
	return &termNode{field: p.field, parts: parts, off: off}, nil
}

func (p *parser) parseGroup() (node, error) {
	off := p.i
	if err := p.enter(off); err != nil {
		return nil, err
	}
	defer p.leave()
	p.i++ // '('
	p.skipSpace()
	if p.peek() == ')' {
		return nil, errAt(p.src, off, "empty parentheses")
	}
	if p.eof() {
		return nil, errAt(p.src, off, "'(' is never closed")
	}
	n, err := p.parseOr()
	if err != nil {
		return nil, err
	}
	if p.peek() != ')' {
		return nil, errAt(p.src, off, "'(' is never closed")
	}
	p.i++
	return n, nil
}

// parseFieldValue parses what follows "field:".
func (p *parser) parseFieldValue(field string, fieldOff int) (node, error) {
	if p.field != "" {
		return nil, errAt(p.src, fieldOff, "field %q inside the group of field %q; a field group may only hold values", field, p.field)
	}
	p.skipSpace()
	off := p.i
	if field == "_missing_" {
		return nil, errAt(p.src, fieldOff, "_missing_ is not supported; use NOT _exists_:field")
	}
	if p.eof() || p.peek() == ')' || p.keywordAt("AND") || p.keywordAt("OR") || p.keywordAt("&&") || p.keywordAt("||") {
		return nil, errAt(p.src, fieldOff, "expected a value after '%s:'", field)
	}
	if field == "_exists_" {
		if c := p.peek(); c == '"' || c == '(' || c == '[' || c == '{' {
			return nil, errAt(p.src, off, "_exists_ needs a field name, e.g. _exists_:email_verified")
		}
		parts, err := p.parseWord()
		if err != nil {
			return nil, err
		}
		if len(parts) != 1 || !validFieldName(parts[0]) {
			return nil, errAt(p.src, off, "_exists_ needs a field name, e.g. _exists_:email_verified")
		}
		return &existsNode{field: parts[0], off: fieldOff}, nil
	}
	switch c := p.peek(); c {
	case '(':
		if err := p.enter(off); err != nil {
			return nil, err
		}
		defer p.leave()
		p.i++
		p.skipSpace()
		if p.peek() == ')' {
			return nil, errAt(p.src, off, "empty parentheses after '%s:'", field)
		}
		saved, savedOff := p.field, p.fieldOff
		p.field, p.fieldOff = field, fieldOff
		n, err := p.parseOr()
		p.field, p.fieldOff = saved, savedOff
		if err != nil {
			return nil, err
		}
		if p.peek() != ')' {
			return nil, errAt(p.src, off, "'(' is never closed")
		}
		p.i++
		return n, nil
	case '"':
		s, err := p.parsePhrase()
		if err != nil {
			return nil, err
		}
		return &termNode{field: field, parts: []string{s}, phrase: true, off: fieldOff}, nil
	case '[', '{':
		return p.parseRange(field, fieldOff)
	case ']', '}', ':':
		return nil, errAt(p.src, off, "unexpected '%c' after '%s:'", c, field)
	}
	parts, err := p.parseWord()
	if err != nil {
		return nil, err
	}
	if p.peek() == ':' {
		return nil, errAt(p.src, p.i, "unexpected ':' in the value of %s; escape it as \\: or quote the value", field)
	}
	return &termNode{field: field, parts: parts, off: fieldOff}, nil
}

// parsePhrase reads a double-quoted string with \" and \\ escapes.
func (p *parser) parsePhrase() (string, error) {
	off := p.i
	p.i++ // opening quote
	var b strings.Builder
	for !p.eof() {
		c := p.src[p.i]
		switch c {
		case '"':
			p.i++
			return b.String(), nil
		case '\\':
			if p.i+1 >= len(p.src) {
				return "", errAt(p.src, p.i, "a trailing '\\' escapes nothing")
			}
			_, size := utf8.DecodeRuneInString(p.src[p.i+1:])
			b.WriteString(p.src[p.i+1 : p.i+1+size])
			p.i += 1 + size
		default:
			b.WriteByte(c)
			p.i++
		}
	}
	return "", errAt(p.src, off, "unterminated phrase: the '\"' is never closed")
}

// parseWord reads an unquoted word, splitting it at unescaped '*'. It stops at whitespace or a
// special character and fails on the unsupported '^' and '~' operators.
func (p *parser) parseWord() ([]string, error) {
	start := p.i
	var parts []string
	var b strings.Builder
	for !p.eof() {
		r, size := utf8.DecodeRuneInString(p.src[p.i:])
		switch {
		case isSpace(r):
			goto done
		case r == '\\':
			if p.i+size >= len(p.src) {
				return nil, errAt(p.src, p.i, "a trailing '\\' escapes nothing")
			}
			_, esize := utf8.DecodeRuneInString(p.src[p.i+1:])
			b.WriteString(p.src[p.i+1 : p.i+1+esize])
			p.i += 1 + esize
			continue
		case r == '~':
			return nil, errAt(p.src, p.i, "fuzzy queries (~) are not supported by search_engine=v3; use a wildcard such as name:jo*")
		case r == '^':
			return nil, errAt(p.src, p.i, "boosting (^) is not supported")
		case isSpecial(r):
			goto done
		case r == '*':
			parts = append(parts, b.String())
			b.Reset()
		default:
			b.WriteString(p.src[p.i : p.i+size])
		}
		p.i += size
	}
done:
	if p.i == start {
		return nil, errAt(p.src, start, "expected a value")
	}
	parts = append(parts, b.String())
	return parts, nil
}

// parseRange parses [lo TO hi], {lo TO hi} and the mixed forms after "field:".
func (p *parser) parseRange(field string, fieldOff int) (node, error) {
	off := p.i
	lo := bound{inclusive: p.peek() == '['}
	p.i++
	var err error
	if lo.value, lo.open, lo.quoted, err = p.parseBound(off); err != nil {
		return nil, err
	}
	p.skipSpace()
	if strings.HasPrefix(p.src[p.i:], "TO") && (p.isDelimAt(p.i+2) || p.src[p.i+2] == ']' || p.src[p.i+2] == '}') {
		p.i += 2
	} else {
		if p.eof() {
			return nil, errAt(p.src, off, "the range is never closed; write [from TO to]")
		}
		return nil, errAt(p.src, p.i, "expected TO in the range (ranges are written [from TO to])")
	}
	hi := bound{}
	if hi.value, hi.open, hi.quoted, err = p.parseBound(off); err != nil {
		return nil, err
	}
	p.skipSpace()
	switch p.peek() {
	case ']':
		hi.inclusive = true
	case '}':
	default:
		if p.eof() {
			return nil, errAt(p.src, off, "the range is never closed with ']' or '}'")
		}
		return nil, errAt(p.src, p.i, "expected ']' or '}' to close the range")
	}
	p.i++
	return &rangeNode{field: field, lo: lo, hi: hi, off: fieldOff}, nil
}

// parseBound reads one side of a range: a quoted string, '*' or an unquoted run of characters
// (colons allowed, so times need no escaping inside ranges).
func (p *parser) parseBound(rangeOff int) (value string, open, quoted bool, err error) {
	p.skipSpace()
	if p.eof() {
		return "", false, false, errAt(p.src, rangeOff, "the range is never closed; write [from TO to]")
	}
	if p.peek() == '"' {
		s, err := p.parsePhrase()
		return s, false, true, err
	}
	start := p.i
	var b strings.Builder
	for !p.eof() {
		r, size := utf8.DecodeRuneInString(p.src[p.i:])
		if isSpace(r) || r == ']' || r == '}' || r == '[' || r == '{' || r == '"' || r == '(' || r == ')' {
			break
		}
		if r == '\\' {
			if p.i+1 >= len(p.src) {
				return "", false, false, errAt(p.src, p.i, "a trailing '\\' escapes nothing")
			}
			_, esize := utf8.DecodeRuneInString(p.src[p.i+1:])
			b.WriteString(p.src[p.i+1 : p.i+1+esize])
			p.i += 1 + esize
			continue
		}
		b.WriteString(p.src[p.i : p.i+size])
		p.i += size
	}
	if p.i == start {
		return "", false, false, errAt(p.src, p.i, "expected a range bound (a value or *)")
	}
	if p.src[start:p.i] == "*" {
		return "", true, false, nil
	}
	if p.src[start:p.i] == "TO" {
		return "", false, false, errAt(p.src, start, "missing range bound before TO")
	}
	return b.String(), false, false, nil
}

// validFieldName accepts letters, digits, '_' and '.' (not leading or trailing '.', no "..").
func validFieldName(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' || strings.Contains(s, "..") {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}
