package query

import (
	"strconv"
	"strings"
	"unicode/utf8"
)

// Kind is the type of a field or of a document value.
type Kind uint8

const (
	// Any is a field whose type is only known per value (metadata, unknown fields): a term matches a
	// text value by equality, a number by numeric equality and a boolean by "true"/"false".
	Any Kind = iota
	// Text values compare as strings.
	Text
	// Number values compare numerically; query values must be numbers.
	Number
	// Bool values are true or false; query values must be "true" or "false".
	Bool
	// Date values are instants (Value.N holds Unix milliseconds); query values are full or partial
	// ISO-8601 dates (see ParseDate).
	Date
)

// String names the kind as error messages do ("a number", "a date", …).
func (k Kind) String() string {
	switch k {
	case Text:
		return "text"
	case Number:
		return "a number"
	case Bool:
		return "a boolean"
	case Date:
		return "a date"
	}
	return "any"
}

// Field says how one field is searched.
type Field struct {
	// ID identifies the field in Documents (see Document). A negative ID means no document has the
	// field: terms on it match nothing and _exists_ is false.
	ID int
	// Kind is the field's type; Any when values decide.
	Kind Kind
	// Fold marks a case-insensitive field: the Document must hold its text values lower-cased, and
	// the query's literals are lower-cased before comparing.
	Fold bool
	// NoWildcard rejects wildcard terms on the field (v3 metadata fields).
	NoWildcard bool
	// NoRange rejects range queries on the field (v3 metadata fields).
	NoRange bool
}

// Schema describes the fields a query may name. It is called at compile time only. Unknown fields
// should get Field{ID: -1} (Any): they simply match nothing.
type Schema func(name string) Field

// Value is one indexed value of a document field. For Text, S holds the string (lower-cased for
// Fold fields); for Number, N; for Bool, B; for Date, N holds Unix milliseconds.
type Value struct {
	S    string
	N    float64
	Kind Kind
	B    bool
}

// Document is what a query is evaluated against. Fields are named by the IDs the Schema gave at
// compile time (so a lookup needs no string hashing). Values returns the values of a field path
// such as "email" or "app_metadata.plan" (several for arrays); Exists reports whether the path is
// present with a searchable value, including non-empty objects. Negative IDs are never present.
type Document interface {
	Values(field int) []Value
	Exists(field int) bool
}

// Query is a compiled query. It is immutable and safe for concurrent use.
type Query struct {
	tree *Tree
	root matcher
}

// String returns the normalized form of the parsed query.
func (q *Query) String() string { return q.tree.String() }

// Match reports whether the document satisfies the query.
func (q *Query) Match(d Document) bool { return q.root.match(d) }

// Compile parses q and checks it against schema. Bare terms (no field) are matched against
// defaultFields, any of which may match.
func Compile(q string, schema Schema, defaultFields ...string) (*Query, error) {
	t, err := Parse(q)
	if err != nil {
		return nil, err
	}
	return CompileTree(t, schema, defaultFields...)
}

// CompileTree compiles an already parsed tree; see Compile.
func CompileTree(t *Tree, schema Schema, defaultFields ...string) (*Query, error) {
	if schema == nil {
		schema = func(string) Field { return Field{ID: -1} }
	}
	c := &compiler{src: t.src, schema: schema, defaults: defaultFields}
	m, err := c.compile(t.root)
	if err != nil {
		return nil, err
	}
	return &Query{tree: t, root: m}, nil
}

type compiler struct {
	src      string
	schema   Schema
	defaults []string
}

type matcher interface {
	match(d Document) bool
}

type andMatcher []matcher

func (m andMatcher) match(d Document) bool {
	for _, x := range m {
		if !x.match(d) {
			return false
		}
	}
	return true
}

type orMatcher []matcher

func (m orMatcher) match(d Document) bool {
	for _, x := range m {
		if x.match(d) {
			return true
		}
	}
	return false
}

type notMatcher struct{ x matcher }

func (m notMatcher) match(d Document) bool { return !m.x.match(d) }

type allMatcher struct{}

func (allMatcher) match(Document) bool { return true }

type existsMatcher int

func (m existsMatcher) match(d Document) bool { return d.Exists(int(m)) }

func (c *compiler) compile(n node) (matcher, error) {
	switch n := n.(type) {
	case *andNode:
		out := make(andMatcher, 0, len(n.xs))
		for _, x := range n.xs {
			m, err := c.compile(x)
			if err != nil {
				return nil, err
			}
			out = append(out, m)
		}
		return out, nil
	case *orNode:
		out := make(orMatcher, 0, len(n.xs))
		for _, x := range n.xs {
			m, err := c.compile(x)
			if err != nil {
				return nil, err
			}
			out = append(out, m)
		}
		return out, nil
	case *notNode:
		m, err := c.compile(n.x)
		if err != nil {
			return nil, err
		}
		return notMatcher{m}, nil
	case *existsNode:
		return existsMatcher(c.schema(n.field).ID), nil
	case *termNode:
		if n.field != "" {
			return c.term(n.field, n)
		}
		if len(n.parts) > 1 && allEmpty(n.parts) {
			return allMatcher{}, nil
		}
		out := make(orMatcher, 0, len(c.defaults))
		for _, f := range c.defaults {
			m, err := c.term(f, n)
			if err != nil {
				return nil, err
			}
			out = append(out, m)
		}
		return out, nil
	case *rangeNode:
		return c.rangeM(n)
	}
	return nil, errAt(c.src, 0, "internal error: unknown query node %T", n)
}

func allEmpty(parts []string) bool {
	for _, p := range parts {
		if p != "" {
			return false
		}
	}
	return true
}

func (c *compiler) term(field string, n *termNode) (matcher, error) {
	f := c.schema(field)
	if len(n.parts) > 1 {
		return c.wildcard(field, f, n)
	}
	lit := n.parts[0]
	switch f.Kind {
	case Number:
		v, err := strconv.ParseFloat(lit, 64)
		if err != nil {
			return nil, errAt(c.src, n.off, "%s is a number; %q is not (use e.g. %s:5 or a range %s:[1 TO 10])", field, lit, field, field)
		}
		return numberEq{f.ID, v}, nil
	case Bool:
		switch lit {
		case "true":
			return boolEq{f.ID, true}, nil
		case "false":
			return boolEq{f.ID, false}, nil
		}
		return nil, errAt(c.src, n.off, "%s is a boolean; use %s:true or %s:false, not %q", field, field, field, lit)
	case Date:
		lo, hi, ok := ParseDate(lit)
		if !ok {
			return nil, errAt(c.src, n.off, "%s is a date; %q is not a date (use e.g. 2017-12, 2017-12-31 or 2017-12-31T10:00:00Z)", field, lit)
		}
		return dateIn{f.ID, lo, hi}, nil
	case Text:
		if f.Fold {
			lit = strings.ToLower(lit)
		}
		return textEq{f.ID, lit}, nil
	}
	m := anyEq{field: f.ID, s: lit}
	if f.Fold {
		m.s = strings.ToLower(lit)
	}
	if v, err := strconv.ParseFloat(lit, 64); err == nil {
		m.num, m.isNum = v, true
	}
	switch lit {
	case "true":
		m.isBool, m.b = true, true
	case "false":
		m.isBool = true
	}
	return m, nil
}

func (c *compiler) wildcard(field string, f Field, n *termNode) (matcher, error) {
	if f.NoWildcard {
		return nil, errAt(c.src, n.off, "wildcards are not supported on %s (metadata fields match whole values only)", field)
	}
	if f.Kind == Number || f.Kind == Bool || f.Kind == Date {
		return nil, errAt(c.src, n.off, "wildcards only work on text; %s is %s", field, f.Kind)
	}
	if allEmpty(n.parts) {
		return existsMatcher(f.ID), nil
	}
	prefixOnly := len(n.parts) == 2 && n.parts[1] == ""
	if !prefixOnly {
		literal := 0
		for _, p := range n.parts {
			literal += utf8.RuneCountInString(p)
		}
		if literal < 3 {
			return nil, errAt(c.src, n.off, "a wildcard that is not a plain prefix needs at least 3 literal characters (e.g. %s:*usa, not %s:*sa)", field, field)
		}
	}
	parts := n.parts
	if f.Fold {
		parts = make([]string, len(n.parts))
		for i, p := range n.parts {
			parts[i] = strings.ToLower(p)
		}
	}
	return globMatcher{f.ID, parts}, nil
}

func (c *compiler) rangeM(n *rangeNode) (matcher, error) {
	f := c.schema(n.field)
	if f.NoRange {
		return nil, errAt(c.src, n.off, "range queries are not supported on %s (metadata fields)", n.field)
	}
	switch f.Kind {
	case Bool:
		return nil, errAt(c.src, n.off, "%s is a boolean; ranges need numbers, dates or text", n.field)
	case Number:
		m := numRange{field: f.ID, lo: n.lo, hi: n.hi}
		var err error
		if m.loV, err = c.numBound(n, n.lo); err != nil {
			return nil, err
		}
		if m.hiV, err = c.numBound(n, n.hi); err != nil {
			return nil, err
		}
		return m, nil
	case Date:
		m := dateRange{field: f.ID, loOpen: n.lo.open, hiOpen: n.hi.open}
		if !n.lo.open {
			s, e, ok := ParseDate(n.lo.value)
			if !ok {
				return nil, errAt(c.src, n.off, "%s is a date; range bound %q is not a date (use e.g. 2017-12 or 2017-12-31)", n.field, n.lo.value)
			}
			m.from = s // inclusive: from the start of the interval
			if !n.lo.inclusive {
				m.from = e // exclusive: after the whole interval
			}
		}
		if !n.hi.open {
			s, e, ok := ParseDate(n.hi.value)
			if !ok {
				return nil, errAt(c.src, n.off, "%s is a date; range bound %q is not a date (use e.g. 2017-12 or 2017-12-31)", n.field, n.hi.value)
			}
			m.until = e // inclusive: to the end of the interval
			if !n.hi.inclusive {
				m.until = s // exclusive: before the interval
			}
		}
		return m, nil
	}
	m := anyRange{field: f.ID, lo: n.lo, hi: n.hi}
	if f.Fold {
		m.lo.value = strings.ToLower(m.lo.value)
		m.hi.value = strings.ToLower(m.hi.value)
	}
	if f.Kind == Any {
		var errLo, errHi error
		m.loN, errLo = strconv.ParseFloat(n.lo.value, 64)
		m.hiN, errHi = strconv.ParseFloat(n.hi.value, 64)
		m.numeric = (n.lo.open || errLo == nil) && (n.hi.open || errHi == nil)
	}
	return m, nil
}

func (c *compiler) numBound(n *rangeNode, b bound) (float64, error) {
	if b.open {
		return 0, nil
	}
	v, err := strconv.ParseFloat(b.value, 64)
	if err != nil {
		return 0, errAt(c.src, n.off, "%s is a number; range bound %q is not a number", n.field, b.value)
	}
	return v, nil
}

type textEq struct {
	field int
	s     string
}

func (m textEq) match(d Document) bool {
	for _, v := range d.Values(m.field) {
		if v.Kind == Text && v.S == m.s {
			return true
		}
	}
	return false
}

type numberEq struct {
	field int
	n     float64
}

func (m numberEq) match(d Document) bool {
	for _, v := range d.Values(m.field) {
		if v.Kind == Number && v.N == m.n {
			return true
		}
	}
	return false
}

type boolEq struct {
	field int
	b     bool
}

func (m boolEq) match(d Document) bool {
	for _, v := range d.Values(m.field) {
		if v.Kind == Bool && v.B == m.b {
			return true
		}
	}
	return false
}

type dateIn struct {
	field  int
	lo, hi int64
}

func (m dateIn) match(d Document) bool {
	for _, v := range d.Values(m.field) {
		if v.Kind == Date && int64(v.N) >= m.lo && int64(v.N) < m.hi {
			return true
		}
	}
	return false
}

type anyEq struct {
	field  int
	s      string
	num    float64
	isNum  bool
	isBool bool
	b      bool
}

func (m anyEq) match(d Document) bool {
	for _, v := range d.Values(m.field) {
		switch v.Kind {
		case Text:
			if v.S == m.s {
				return true
			}
		case Number, Date:
			if m.isNum && v.N == m.num {
				return true
			}
		case Bool:
			if m.isBool && v.B == m.b {
				return true
			}
		}
	}
	return false
}

type globMatcher struct {
	field int
	parts []string
}

func (m globMatcher) match(d Document) bool {
	for _, v := range d.Values(m.field) {
		if v.Kind == Text && glob(m.parts, v.S) {
			return true
		}
	}
	return false
}

// glob reports whether s matches parts joined by '*' (each '*' matches any run of characters).
func glob(parts []string, s string) bool {
	if !strings.HasPrefix(s, parts[0]) {
		return false
	}
	s = s[len(parts[0]):]
	last := parts[len(parts)-1]
	middle := parts[1 : len(parts)-1]
	for _, p := range middle {
		i := strings.Index(s, p)
		if i < 0 {
			return false
		}
		s = s[i+len(p):]
	}
	return len(s) >= len(last) && strings.HasSuffix(s, last)
}

type numRange struct {
	field    int
	lo, hi   bound
	loV, hiV float64
}

func (m numRange) match(d Document) bool {
	for _, v := range d.Values(m.field) {
		if v.Kind == Number && inNum(v.N, m.lo, m.hi, m.loV, m.hiV) {
			return true
		}
	}
	return false
}

func inNum(x float64, lo, hi bound, loV, hiV float64) bool {
	if !lo.open && (x < loV || (!lo.inclusive && x == loV)) {
		return false
	}
	if !hi.open && (x > hiV || (!hi.inclusive && x == hiV)) {
		return false
	}
	return true
}

type dateRange struct {
	field          int
	from, until    int64
	loOpen, hiOpen bool
}

func (m dateRange) match(d Document) bool {
	for _, v := range d.Values(m.field) {
		if v.Kind != Date {
			continue
		}
		t := int64(v.N)
		if (m.loOpen || t >= m.from) && (m.hiOpen || t < m.until) {
			return true
		}
	}
	return false
}

type anyRange struct {
	field    int
	lo, hi   bound
	numeric  bool
	loN, hiN float64
}

func (m anyRange) match(d Document) bool {
	for _, v := range d.Values(m.field) {
		switch v.Kind {
		case Number:
			if m.numeric && inNum(v.N, m.lo, m.hi, m.loN, m.hiN) {
				return true
			}
		case Text:
			if inText(v.S, m.lo, m.hi) {
				return true
			}
		}
	}
	return false
}

func inText(s string, lo, hi bound) bool {
	if !lo.open {
		c := strings.Compare(s, lo.value)
		if c < 0 || (c == 0 && !lo.inclusive) {
			return false
		}
	}
	if !hi.open {
		c := strings.Compare(s, hi.value)
		if c > 0 || (c == 0 && !hi.inclusive) {
			return false
		}
	}
	return true
}
