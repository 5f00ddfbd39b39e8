package sandbox

import (
	"errors"
	"fmt"
	"sort"
	"strings"
	"unicode/utf8"

	"github.com/dop251/goja"
	"github.com/dop251/goja/ast"
	"github.com/dop251/goja/file"
	"github.com/dop251/goja/parser"
)

// DefaultStage is the stage of a rule that names none: Auth0 runs rules only after a successful login.
const DefaultStage = "login_success"

// Rule is one rule of a tenant, as the Management API and auth0-deploy-cli describe it.
type Rule struct {
	// ID is the Management API identifier (rul_…); optional.
	ID string `json:"id,omitempty"`
	// Name names the rule in logs, results and JS stack traces; it must be unique within a ruleset.
	Name string `json:"name"`
	// Script is a single function expression, `function (user, context, callback) {…}`: it is
	// evaluated as `(<script>)`, so a trailing `;` or anything but a function is a compile error.
	Script string `json:"script"`
	// Order places the rule in the pipeline: enabled rules run in ascending order (ties keep input order).
	Order int `json:"order"`
	// Enabled rules run; disabled rules are compiled (so errors surface early) but never run.
	Enabled bool `json:"enabled"`
	// Stage is informational ("login_success" when empty); every enabled rule runs.
	Stage string `json:"stage,omitempty"`
	// Source names where the rule was loaded from (a file path, or path#name for a rule inside a
	// rules export); informational, empty when the rule did not come from a file.
	Source string `json:"source,omitempty"`
}

// CompileError reports a rule that cannot be compiled: a syntax error, a trailing `;`, a script that is
// not a single function expression, or a missing or duplicate name. Line and Column are 1-based
// positions in the rule's own script (0 when the problem has no position).
type CompileError struct {
	Rule    string `json:"rule"`
	Line    int    `json:"line,omitempty"`
	Column  int    `json:"column,omitempty"`
	Message string `json:"message"`
}

// Error formats the problem as `rule "name": line:column: message`.
func (e *CompileError) Error() string {
	if e.Line > 0 {
		return fmt.Sprintf("rule %q: %d:%d: %s", e.Rule, e.Line, e.Column, e.Message)
	}
	return fmt.Sprintf("rule %q: %s", e.Rule, e.Message)
}

// Ruleset is a compiled, ordered set of rules. It is immutable and safe to share between executors and
// goroutines: each rule is compiled once, and every runtime evaluates the shared program.
type Ruleset struct {
	rules    []Rule // enabled rules in execution order
	programs []*goja.Program
	all      []Rule
}

// Rules returns the enabled rules in execution order.
func (rs *Ruleset) Rules() []Rule {
	return append([]Rule(nil), rs.rules...)
}

// All returns every rule given to Compile (enabled or not) in input order.
func (rs *Ruleset) All() []Rule {
	return append([]Rule(nil), rs.all...)
}

// Compile checks and compiles rules. Each script must be a single function expression (named or
// anonymous, async or not, arrow functions allowed; leading comments are fine). All problems found are
// returned joined (errors.Join of *CompileError); use errors.As to get the first. Disabled rules are
// compiled too, but only enabled rules run, in ascending Order (stable for equal orders).
func Compile(rules []Rule) (*Ruleset, error) {
	rs := &Ruleset{all: append([]Rule(nil), rules...)}
	type compiled struct {
		rule Rule
		prg  *goja.Program
	}
	var (
		errs  []error
		out   []compiled
		names = make(map[string]bool, len(rules))
	)
	for i, r := range rules {
		if r.Stage == "" {
			r.Stage = DefaultStage
			rs.all[i].Stage = DefaultStage
		}
		if r.Name == "" {
			errs = append(errs, &CompileError{Rule: fmt.Sprintf("#%d", i+1), Message: "rule has no name; give every rule a unique name"})
			continue
		}
		if names[r.Name] {
			errs = append(errs, &CompileError{Rule: r.Name, Message: "duplicate rule name; rule names must be unique"})
			continue
		}
		names[r.Name] = true
		prg, err := compileRule(r.Name, r.Script)
		if err != nil {
			errs = append(errs, err)
			continue
		}
		if r.Enabled {
			out = append(out, compiled{rule: r, prg: prg})
		}
	}
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].rule.Order < out[j].rule.Order })
	for _, c := range out {
		rs.rules = append(rs.rules, c.rule)
		rs.programs = append(rs.programs, c.prg)
	}
	return rs, nil
}

// compileRule parses `(<script>\n)` with source maps disabled (a sourceMappingURL comment must never make
// the parser read a host file) and checks that it is exactly one function expression.
func compileRule(name, script string) (*goja.Program, *CompileError) {
	if strings.TrimSpace(script) == "" {
		return nil, &CompileError{Rule: name, Message: "script is empty; a rule is a function expression such as function (user, context, callback) { … }"}
	}
	src := "(" + script + "\n)"
	prg, err := parser.ParseFile(nil, name, src, 0, parser.WithDisableSourceMaps)
	if err != nil {
		ce := &CompileError{Rule: name, Message: err.Error()}
		var list parser.ErrorList
		if errors.As(err, &list) && len(list) > 0 {
			ce.Line, ce.Column = scriptPosition(script, list[0].Position.Line, list[0].Position.Column)
			ce.Message = "SyntaxError: " + list[0].Message
			if list[0].Position.Line > strings.Count(script, "\n")+1 {
				// the parser stopped at the closing parenthesis the script is wrapped in
				ce.Message = "SyntaxError: Unexpected end of input"
			}
			if strings.Contains(list[0].Message, "Unexpected token ;") && strings.HasSuffix(strings.TrimSpace(script), ";") {
				ce.Message += " (a rule is a function expression: remove the trailing semicolon)"
			}
		}
		return nil, ce
	}
	if len(prg.Body) != 1 {
		return nil, &CompileError{Rule: name, Line: 1, Column: 1, Message: "script must be a single function expression"}
	}
	stmt, ok := prg.Body[0].(*ast.ExpressionStatement)
	if !ok {
		return nil, positioned(name, script, prg, prg.Body[0].Idx0(), "script must be a single function expression")
	}
	switch stmt.Expression.(type) {
	case *ast.FunctionLiteral, *ast.ArrowFunctionLiteral:
	default:
		return nil, positioned(name, script, prg, stmt.Expression.Idx0(),
			"script must be a function expression such as function (user, context, callback) { … }, not "+describeNode(stmt.Expression))
	}
	p, err := goja.CompileAST(prg, false)
	if err != nil {
		return nil, &CompileError{Rule: name, Message: err.Error()}
	}
	return p, nil
}

// positioned builds a CompileError at a node's position in the wrapped source.
func positioned(name, script string, prg *ast.Program, idx file.Idx, msg string) *CompileError {
	ce := &CompileError{Rule: name, Message: msg}
	if prg.File != nil {
		pos := prg.File.Position(int(idx) - prg.File.Base())
		ce.Line, ce.Column = scriptPosition(script, pos.Line, pos.Column)
	}
	return ce
}

// scriptPosition maps a position in the wrapped source `(<script>\n)` to the script's own position:
// the first line is shifted by the opening parenthesis, and a position on the closing line (an
// unexpected end of input) is reported just after the script's last character.
func scriptPosition(script string, line, col int) (int, int) {
	lines := strings.Count(script, "\n") + 1
	if line > lines {
		last := script[strings.LastIndexByte(script, '\n')+1:]
		line, col = lines, utf8.RuneCountInString(last)+1
		if lines == 1 {
			col++
		}
	}
	if line == 1 && col > 1 {
		col--
	}
	return line, col
}

func describeNode(e ast.Expression) string {
	switch e.(type) {
	case *ast.SequenceExpression:
		return "a sequence of expressions"
	case *ast.CallExpression:
		return "a call"
	case *ast.NumberLiteral, *ast.StringLiteral, *ast.BooleanLiteral, *ast.NullLiteral:
		return "a literal"
	case *ast.ObjectLiteral:
		return "an object"
	case *ast.Identifier:
		return "an identifier"
	case *ast.ClassLiteral:
		return "a class"
	}
	return "another kind of expression"
}
