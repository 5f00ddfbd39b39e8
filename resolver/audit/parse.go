package audit

import (
	"errors"
	"fmt"
	"sort"
	"unicode/utf8"

	"github.com/dop251/goja/ast"
	"github.com/dop251/goja/file"
	"github.com/dop251/goja/parser"
)

// MaxScriptBytes is the largest rule script the analyser parses; a larger script is reported as a
// parse_error. The Rules platform recommends at most 100 kB for all enabled rules together.
const MaxScriptBytes = 1 << 20

// wrapPrefix and wrapSuffix turn the rule's script into the expression the runtime evaluates. The
// suffix starts with a newline so that a trailing line comment cannot swallow the parenthesis.
const (
	wrapPrefix = "("
	wrapSuffix = "\n)"
)

// source maps positions of the wrapped program back to the rule's own text.
type source struct {
	text       string
	lineStarts []int // byte offset of each line start in text
}

func newSource(text string) *source {
	s := &source{text: text, lineStarts: []int{0}}
	for i := 0; i < len(text); {
		c := text[i]
		switch {
		case c == '\n':
			i++
			s.lineStarts = append(s.lineStarts, i)
		case c == '\r':
			i++
			if i < len(text) && text[i] == '\n' {
				i++
			}
			s.lineStarts = append(s.lineStarts, i)
		case c == 0xE2 && i+2 < len(text) && text[i+1] == 0x80 && (text[i+2] == 0xA8 || text[i+2] == 0xA9):
			// U+2028 LINE SEPARATOR, U+2029 PARAGRAPH SEPARATOR
			i += 3
			s.lineStarts = append(s.lineStarts, i)
		default:
			i++
		}
	}
	return s
}

// offsetOf converts a parser index of the wrapped program into a byte offset of the rule's text,
// clamped to the text.
func (s *source) offsetOf(idx file.Idx) int {
	off := int(idx) - 1 - len(wrapPrefix) // parser indexes start at 1
	return min(max(off, 0), len(s.text))
}

// position returns the 1-based line and column (in UTF-16 code units) of a byte offset of the text.
func (s *source) position(off int) (line, col int) {
	off = min(max(off, 0), len(s.text))
	i := sort.Search(len(s.lineStarts), func(i int) bool { return s.lineStarts[i] > off }) - 1
	start := s.lineStarts[i]
	col = 1
	for _, r := range s.text[start:off] {
		if r >= 0x10000 {
			col += 2
		} else {
			col++
		}
	}
	return i + 1, col
}

// pos is position(offsetOf(idx)).
func (s *source) pos(idx file.Idx) (line, col int) {
	return s.position(s.offsetOf(idx))
}

// wrappedOffset converts a parser error position (line and byte column of the wrapped program)
// into a byte offset of the rule's text.
func (s *source) errorOffset(p file.Position) int {
	if p.Line < 1 {
		return len(s.text)
	}
	var off int
	if p.Line == 1 {
		off = p.Column - 1 - len(wrapPrefix)
	} else {
		if p.Line-1 >= len(s.lineStarts) {
			return len(s.text)
		}
		off = s.lineStarts[p.Line-1] + p.Column - 1
	}
	return min(max(off, 0), len(s.text))
}

// parseError describes why a script could not be analysed.
type parseError struct {
	msg       string
	line, col int
}

// parseRule parses the script as the runtime does, "(" + script + ")", and returns the function
// expression, or a parseError. A script that parses but is not a single function expression is
// returned with fn == nil and a parseError; prog is then still usable for analysis.
func parseRule(src *source) (prog *ast.Program, fn ast.Expression, perr *parseError) {
	if len(src.text) > MaxScriptBytes {
		return nil, nil, &parseError{msg: fmt.Sprintf("the script is %d bytes; the analyser reads at most %d", len(src.text), MaxScriptBytes), line: 1, col: 1}
	}
	if !utf8.ValidString(src.text) {
		off := 0
		for off < len(src.text) {
			r, n := utf8.DecodeRuneInString(src.text[off:])
			if r == utf8.RuneError && n <= 1 {
				break
			}
			off += n
		}
		line, col := src.position(off)
		return nil, nil, &parseError{msg: "the script is not valid UTF-8", line: line, col: col}
	}
	defer func() {
		if r := recover(); r != nil {
			prog, fn = nil, nil
			perr = &parseError{msg: fmt.Sprintf("the parser failed on this script: %v", r), line: 1, col: 1}
		}
	}()
	prog, err := parser.ParseFile(nil, "", wrapPrefix+src.text+wrapSuffix, 0, parser.WithDisableSourceMaps)
	if err != nil {
		var list parser.ErrorList
		var one *parser.Error
		switch {
		case errors.As(err, &list) && len(list) > 0:
			one = list[0]
		case errors.As(err, &one):
		default:
			return nil, nil, &parseError{msg: err.Error(), line: 1, col: 1}
		}
		line, col := src.position(src.errorOffset(one.Position))
		return nil, nil, &parseError{msg: "SyntaxError: " + one.Message, line: line, col: col}
	}
	if len(prog.Body) == 1 {
		if es, ok := prog.Body[0].(*ast.ExpressionStatement); ok && es != nil {
			switch e := es.Expression.(type) {
			case *ast.FunctionLiteral:
				if e != nil {
					return prog, e, nil
				}
			case *ast.ArrowFunctionLiteral:
				if e != nil {
					return prog, e, nil
				}
			}
		}
	}
	return prog, nil, &parseError{msg: "the script is not a function expression; a rule is `function (user, context, callback) { … }` with no trailing semicolon", line: 1, col: 1}
}
