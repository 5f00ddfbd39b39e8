package audit

import (
	"github.com/dop251/goja/ast"
	"github.com/dop251/goja/file"
	"github.com/dop251/goja/token"
)

// maxDepth bounds the nesting the analyser follows; deeper parts of a rule are skipped and reported
// as incomplete.
const maxDepth = 500

// maxFixpointRounds bounds the value propagation rounds; values only grow, so real rules settle in
// two or three.
const maxFixpointRounds = 32

// requireSite is one require(...) call.
type requireSite struct {
	spec      string // the literal spec; empty when dynamic
	literal   bool
	why       string // for a dynamic require: what the argument is
	line, col int
}

// callSite is one ManagementClient method call found by following values.
type callSite struct {
	spec      string // the require spec of the auth0 module
	method    string // "getUsers" or "users.getAll"
	flat      bool   // method is a flat method (or a call/apply/bind of one)
	line, col int
}

// globalUse is the first use of a free legacy global name, with the number of uses.
type globalUse struct {
	name      string
	line, col int
	uses      int
}

// analysis is what the static analysis of one rule found, before any resolution.
type analysis struct {
	parse      *parseError
	incomplete *parseError
	requires   []requireSite
	calls      []callSite
	globals    []globalUse
}

// assignment records that target receives the value of expr (selected through path, for
// destructuring).
type assignment struct {
	target *binding
	expr   ast.Expression
	path   []string
}

// analyzer walks one rule's AST. It is single-use and not safe for concurrent use.
type analyzer struct {
	src    *source
	legacy func(name string) bool

	sc    *scope
	depth int
	deep  file.Idx // first node skipped for depth, 0 if none

	refs     map[*ast.Identifier]*binding
	requires map[*ast.CallExpression]int // require call -> index in out.requires
	globals  map[string]*binding         // global.x / globalThis.x properties
	assigns  []assignment
	calls    []*ast.CallExpression
	freeUse  map[string]int // legacy name -> index in out.globals
	freeSet  map[string]bool
	out      analysis
}

// analyze parses and analyses one rule script. legacy reports whether a free name is a legacy
// global to report. It never panics on any input.
func analyze(text string, legacy func(string) bool) (out analysis) {
	src := newSource(text)
	prog, _, perr := parseRule(src)
	if prog == nil {
		out.parse = perr
		return out
	}
	defer func() {
		if r := recover(); r != nil {
			out = analysis{parse: &parseError{msg: "the analyser failed on this script", line: 1, col: 1}}
		}
	}()
	a := &analyzer{
		src:      src,
		legacy:   legacy,
		refs:     make(map[*ast.Identifier]*binding, 32),
		requires: make(map[*ast.CallExpression]int, 4),
	}
	root := &scope{fn: true}
	a.sc = root
	hoistVars(root, prog.Body, 0)
	declareLexical(root, prog.Body)
	for _, st := range prog.Body {
		a.stmt(st)
	}
	a.propagate()
	a.collectCalls()
	a.out.parse = perr
	if a.deep != 0 {
		line, col := src.pos(a.deep)
		a.out.incomplete = &parseError{msg: "the rule nests too deeply here; the analyser skipped the deeper part", line: line, col: col}
	}
	return a.out
}

// enter increments the nesting depth and reports whether the node at idx is analysed.
func (a *analyzer) enter(idx file.Idx) bool {
	a.depth++
	if a.depth > maxDepth {
		if a.deep == 0 {
			a.deep = idx
		}
		return false
	}
	return true
}

func (a *analyzer) leave() { a.depth-- }

func (a *analyzer) push(fn bool) { a.sc = &scope{parent: a.sc, fn: fn} }
func (a *analyzer) pop()         { a.sc = a.sc.parent }

// ---- statements ----

func (a *analyzer) stmts(list []ast.Statement) {
	for _, st := range list {
		a.stmt(st)
	}
}

func (a *analyzer) block(b *ast.BlockStatement) {
	if b == nil {
		return
	}
	a.push(false)
	declareLexical(a.sc, b.List)
	a.stmts(b.List)
	a.pop()
}

func (a *analyzer) stmt(st ast.Statement) {
	if st == nil {
		return
	}
	if !a.enter(st.Idx0()) {
		a.leave()
		return
	}
	defer a.leave()
	switch st := st.(type) {
	case *ast.BlockStatement:
		a.block(st)
	case *ast.ExpressionStatement:
		if st != nil {
			a.expr(st.Expression)
		}
	case *ast.VariableStatement:
		if st != nil {
			a.bindings(st.List)
		}
	case *ast.LexicalDeclaration:
		if st != nil {
			a.bindings(st.List)
		}
	case *ast.FunctionDeclaration:
		if st != nil {
			a.function(st.Function, false)
		}
	case *ast.ClassDeclaration:
		if st != nil {
			a.class(st.Class, false)
		}
	case *ast.IfStatement:
		if st != nil {
			a.expr(st.Test)
			a.stmt(st.Consequent)
			a.stmt(st.Alternate)
		}
	case *ast.WhileStatement:
		if st != nil {
			a.expr(st.Test)
			a.stmt(st.Body)
		}
	case *ast.DoWhileStatement:
		if st != nil {
			a.stmt(st.Body)
			a.expr(st.Test)
		}
	case *ast.ForStatement:
		if st != nil {
			a.forStmt(st)
		}
	case *ast.ForInStatement:
		if st != nil {
			a.forInto(st.Into, st.Source, st.Body)
		}
	case *ast.ForOfStatement:
		if st != nil {
			a.forInto(st.Into, st.Source, st.Body)
		}
	case *ast.ReturnStatement:
		if st != nil {
			a.expr(st.Argument)
		}
	case *ast.ThrowStatement:
		if st != nil {
			a.expr(st.Argument)
		}
	case *ast.TryStatement:
		if st != nil {
			a.block(st.Body)
			if c := st.Catch; c != nil {
				a.push(false)
				targetNames(c.Parameter, func(id *ast.Identifier) { a.sc.declare(id.Name.String(), true) })
				a.defaults(c.Parameter)
				a.block(c.Body)
				a.pop()
			}
			a.block(st.Finally)
		}
	case *ast.SwitchStatement:
		if st != nil {
			a.expr(st.Discriminant)
			a.push(false)
			for _, c := range st.Body {
				if c != nil {
					declareLexical(a.sc, c.Consequent)
				}
			}
			for _, c := range st.Body {
				if c != nil {
					a.expr(c.Test)
					a.stmts(c.Consequent)
				}
			}
			a.pop()
		}
	case *ast.LabelledStatement:
		if st != nil {
			a.stmt(st.Statement)
		}
	case *ast.WithStatement:
		if st != nil {
			a.expr(st.Object)
			a.stmt(st.Body)
		}
	}
}

func (a *analyzer) forStmt(st *ast.ForStatement) {
	a.push(false)
	switch in := st.Initializer.(type) {
	case *ast.ForLoopInitializerVarDeclList:
		if in != nil {
			a.bindings(in.List)
		}
	case *ast.ForLoopInitializerLexicalDecl:
		if in != nil {
			for _, b := range in.LexicalDeclaration.List {
				targetNames(b, func(id *ast.Identifier) { a.sc.declare(id.Name.String(), false) })
			}
			a.bindings(in.LexicalDeclaration.List)
		}
	case *ast.ForLoopInitializerExpression:
		if in != nil {
			a.expr(in.Expression)
		}
	}
	a.expr(st.Test)
	a.expr(st.Update)
	a.stmt(st.Body)
	a.pop()
}

func (a *analyzer) forInto(into ast.ForInto, src ast.Expression, body ast.Statement) {
	a.push(false)
	switch in := into.(type) {
	case *ast.ForIntoVar:
		if in != nil && in.Binding != nil {
			targetNames(in.Binding.Target, func(id *ast.Identifier) { a.resolveDecl(id).opaque = true })
			a.defaults(in.Binding.Target)
			a.expr(in.Binding.Initializer)
		}
	case *ast.ForDeclaration:
		if in != nil {
			targetNames(in.Target, func(id *ast.Identifier) { a.sc.declare(id.Name.String(), true) })
			a.defaults(in.Target)
		}
	case *ast.ForIntoExpression:
		if in != nil {
			a.assignOpaque(in.Expression)
		}
	}
	a.expr(src)
	a.stmt(body)
	a.pop()
}

// bindings handles a declaration list: the names are already declared (hoisting or lexical
// pre-declaration); each initializer is walked, then assigned to its targets.
func (a *analyzer) bindings(list []*ast.Binding) {
	for _, b := range list {
		if b == nil {
			continue
		}
		a.expr(b.Initializer)
		a.defaults(b.Target)
		if b.Initializer != nil {
			a.assignTarget(b.Target, b.Initializer, nil, true)
		}
	}
}

// resolveDecl returns the binding a declared identifier names, declaring it in the current
// function scope if the pre-declaration missed it.
func (a *analyzer) resolveDecl(id *ast.Identifier) *binding {
	name := id.Name.String()
	b := a.sc.lookup(name)
	if b == nil {
		b = a.sc.fnScope().declare(name, false)
	}
	a.refs[id] = b
	return b
}

// defaults walks the default-value expressions inside a binding target.
func (a *analyzer) defaults(t ast.Expression) {
	switch t := t.(type) {
	case *ast.ObjectPattern:
		if t == nil {
			return
		}
		for _, p := range t.Properties {
			switch p := p.(type) {
			case *ast.PropertyShort:
				if p != nil {
					a.expr(p.Initializer)
				}
			case *ast.PropertyKeyed:
				if p != nil {
					if p.Computed {
						a.expr(p.Key)
					}
					a.defaults(p.Value)
				}
			}
		}
		a.defaults(t.Rest)
	case *ast.ArrayPattern:
		if t == nil {
			return
		}
		for _, e := range t.Elements {
			a.defaults(e)
		}
		a.defaults(t.Rest)
	case *ast.AssignExpression:
		if t != nil {
			a.defaults(t.Left)
			a.expr(t.Right)
		}
	}
}

// assignTarget records that target receives expr (through path). decl is true for declarations,
// where identifiers are bindings of the current scope chain; otherwise targets may also be member
// expressions, which are walked.
func (a *analyzer) assignTarget(target ast.Expression, expr ast.Expression, path []string, decl bool) {
	switch t := target.(type) {
	case *ast.Identifier:
		if t == nil {
			return
		}
		b := a.targetBinding(t)
		if b != nil {
			a.assigns = append(a.assigns, assignment{target: b, expr: expr, path: path})
		}
	case *ast.ObjectPattern:
		if t == nil {
			return
		}
		for _, p := range t.Properties {
			switch p := p.(type) {
			case *ast.PropertyShort:
				if p == nil {
					continue
				}
				if b := a.targetBinding(&p.Name); b != nil {
					a.assigns = append(a.assigns, assignment{target: b, expr: expr, path: appendPath(path, p.Name.Name.String())})
				}
			case *ast.PropertyKeyed:
				if p == nil {
					continue
				}
				key, ok := p.Key.(*ast.StringLiteral)
				val := p.Value
				if d, isDef := val.(*ast.AssignExpression); isDef && d != nil {
					val = d.Left
				}
				if ok && key != nil && !p.Computed {
					a.assignTarget(val, expr, appendPath(path, key.Value.String()), decl)
				} else {
					a.assignOpaque(val)
				}
			}
		}
		a.assignOpaque(t.Rest)
	case *ast.ArrayPattern:
		if t == nil {
			return
		}
		for _, e := range t.Elements {
			if d, isDef := e.(*ast.AssignExpression); isDef && d != nil {
				e = d.Left
			}
			a.assignOpaque(e)
		}
		a.assignOpaque(t.Rest)
	case *ast.DotExpression:
		if t == nil {
			return
		}
		if g := a.globalProp(t); g != nil {
			a.assigns = append(a.assigns, assignment{target: g, expr: expr, path: path})
			return
		}
		a.expr(t.Left)
	case *ast.BracketExpression:
		if t != nil {
			a.expr(t.Left)
			a.expr(t.Member)
		}
	default:
		a.expr(target)
	}
}

// targetBinding resolves an assigned identifier. A free name assigned by the rule (sloppy-mode
// implicit global) is remembered so that later uses of it are not reported as legacy globals.
func (a *analyzer) targetBinding(id *ast.Identifier) *binding {
	name := id.Name.String()
	b := a.sc.lookup(name)
	if b == nil {
		if a.freeSet == nil {
			a.freeSet = make(map[string]bool)
		}
		a.freeSet[name] = true
		return a.globalBinding(name)
	}
	a.refs[id] = b
	return b
}

// assignOpaque marks every binding a target names as holding an untracked value.
func (a *analyzer) assignOpaque(target ast.Expression) {
	if target == nil {
		return
	}
	switch t := target.(type) {
	case *ast.Identifier, *ast.ObjectPattern, *ast.ArrayPattern, *ast.AssignExpression:
		targetNames(t, func(id *ast.Identifier) {
			if b := a.targetBinding(id); b != nil {
				b.opaque = true
				b.val = unknown
			}
		})
		a.defaults(t)
	case *ast.DotExpression:
		if t == nil {
			return
		}
		if g := a.globalProp(t); g != nil {
			g.opaque = true
			g.val = unknown
			return
		}
		a.expr(t.Left)
	default:
		a.expr(target)
	}
}

// globalProp returns the pseudo-binding of global.x / globalThis.x when d is such an expression
// and `global` is not shadowed.
func (a *analyzer) globalProp(d *ast.DotExpression) *binding {
	id, ok := d.Left.(*ast.Identifier)
	if !ok || id == nil {
		return nil
	}
	if n := id.Name.String(); (n != "global" && n != "globalThis") || a.sc.lookup(n) != nil {
		return nil
	}
	return a.globalBinding(d.Identifier.Name.String())
}

func (a *analyzer) globalBinding(name string) *binding {
	if a.globals == nil {
		a.globals = make(map[string]*binding)
	}
	b, ok := a.globals[name]
	if !ok {
		b = &binding{name: name}
		a.globals[name] = b
	}
	return b
}

func appendPath(path []string, name string) []string {
	out := make([]string, len(path), len(path)+1)
	copy(out, path)
	return append(out, name)
}

// ---- functions and classes ----

func (a *analyzer) params(pl *ast.ParameterList) {
	if pl == nil {
		return
	}
	for _, b := range pl.List {
		if b != nil {
			targetNames(b.Target, func(id *ast.Identifier) { a.refs[id] = a.sc.declare(id.Name.String(), true) })
		}
	}
	targetNames(pl.Rest, func(id *ast.Identifier) { a.refs[id] = a.sc.declare(id.Name.String(), true) })
	for _, b := range pl.List {
		if b != nil {
			a.defaults(b.Target)
			a.expr(b.Initializer)
		}
	}
}

func (a *analyzer) function(f *ast.FunctionLiteral, isExpr bool) {
	if f == nil {
		return
	}
	if isExpr && f.Name != nil {
		a.push(false)
		a.sc.declare(f.Name.Name.String(), true)
		defer a.pop()
	}
	a.push(true)
	defer a.pop()
	a.sc.declare("arguments", true)
	a.params(f.ParameterList)
	if f.Body != nil {
		hoistVars(a.sc, f.Body.List, 0)
		declareLexical(a.sc, f.Body.List)
		a.stmts(f.Body.List)
	}
}

func (a *analyzer) arrow(f *ast.ArrowFunctionLiteral) {
	if f == nil {
		return
	}
	a.push(true)
	defer a.pop()
	a.params(f.ParameterList)
	switch body := f.Body.(type) {
	case *ast.BlockStatement:
		if body != nil {
			hoistVars(a.sc, body.List, 0)
			declareLexical(a.sc, body.List)
			a.stmts(body.List)
		}
	case *ast.ExpressionBody:
		if body != nil {
			a.expr(body.Expression)
		}
	}
}

func (a *analyzer) class(c *ast.ClassLiteral, isExpr bool) {
	if c == nil {
		return
	}
	a.expr(c.SuperClass)
	a.push(false)
	defer a.pop()
	if isExpr && c.Name != nil {
		a.sc.declare(c.Name.Name.String(), true)
	}
	for _, el := range c.Body {
		switch el := el.(type) {
		case *ast.FieldDefinition:
			if el != nil {
				if el.Computed {
					a.expr(el.Key)
				}
				a.push(true)
				a.expr(el.Initializer)
				a.pop()
			}
		case *ast.MethodDefinition:
			if el != nil {
				if el.Computed {
					a.expr(el.Key)
				}
				a.function(el.Body, false)
			}
		case *ast.ClassStaticBlock:
			if el != nil && el.Block != nil {
				a.push(true)
				hoistVars(a.sc, el.Block.List, 0)
				declareLexical(a.sc, el.Block.List)
				a.stmts(el.Block.List)
				a.pop()
			}
		}
	}
}

// ---- expressions ----

func (a *analyzer) exprs(list []ast.Expression) {
	for _, e := range list {
		a.expr(e)
	}
}

func (a *analyzer) expr(e ast.Expression) {
	if e == nil {
		return
	}
	if !a.enter(e.Idx0()) {
		a.leave()
		return
	}
	defer a.leave()
	switch e := e.(type) {
	case *ast.Identifier:
		if e != nil {
			a.ref(e)
		}
	case *ast.CallExpression:
		if e != nil {
			a.call(e)
		}
	case *ast.NewExpression:
		if e != nil {
			a.expr(e.Callee)
			a.exprs(e.ArgumentList)
		}
	case *ast.DotExpression:
		if e != nil {
			a.expr(e.Left)
		}
	case *ast.PrivateDotExpression:
		if e != nil {
			a.expr(e.Left)
		}
	case *ast.BracketExpression:
		if e != nil {
			a.expr(e.Left)
			a.expr(e.Member)
		}
	case *ast.AssignExpression:
		if e != nil {
			a.assign(e)
		}
	case *ast.UnaryExpression:
		if e != nil {
			if e.Operator == token.INCREMENT || e.Operator == token.DECREMENT {
				a.assignOpaque(e.Operand)
			} else {
				a.expr(e.Operand)
			}
		}
	case *ast.BinaryExpression:
		if e != nil {
			a.expr(e.Left)
			a.expr(e.Right)
		}
	case *ast.ConditionalExpression:
		if e != nil {
			a.expr(e.Test)
			a.expr(e.Consequent)
			a.expr(e.Alternate)
		}
	case *ast.SequenceExpression:
		if e != nil {
			a.exprs(e.Sequence)
		}
	case *ast.FunctionLiteral:
		a.function(e, true)
	case *ast.ArrowFunctionLiteral:
		a.arrow(e)
	case *ast.ClassLiteral:
		a.class(e, true)
	case *ast.ObjectLiteral:
		if e == nil {
			return
		}
		for _, p := range e.Value {
			switch p := p.(type) {
			case *ast.PropertyKeyed:
				if p != nil {
					if p.Computed {
						a.expr(p.Key)
					}
					a.expr(p.Value)
				}
			case *ast.PropertyShort:
				if p != nil {
					a.ref(&p.Name)
					a.expr(p.Initializer)
				}
			case *ast.SpreadElement:
				if p != nil {
					a.expr(p.Expression)
				}
			}
		}
	case *ast.ArrayLiteral:
		if e != nil {
			a.exprs(e.Value)
		}
	case *ast.TemplateLiteral:
		if e != nil {
			a.expr(e.Tag)
			a.exprs(e.Expressions)
		}
	case *ast.AwaitExpression:
		if e != nil {
			a.expr(e.Argument)
		}
	case *ast.YieldExpression:
		if e != nil {
			a.expr(e.Argument)
		}
	case *ast.SpreadElement:
		if e != nil {
			a.expr(e.Expression)
		}
	case *ast.OptionalChain:
		if e != nil {
			a.expr(e.Expression)
		}
	case *ast.Optional:
		if e != nil {
			a.expr(e.Expression)
		}
	case *ast.ObjectPattern, *ast.ArrayPattern:
		a.assignOpaque(e)
	case *ast.Binding:
		if e != nil {
			a.defaults(e.Target)
			a.expr(e.Initializer)
		}
	}
}

// ref resolves an identifier reference; a free legacy global is counted.
func (a *analyzer) ref(id *ast.Identifier) {
	name := id.Name.String()
	if b := a.sc.lookup(name); b != nil {
		a.refs[id] = b
		return
	}
	if a.legacy == nil || !a.legacy(name) {
		return
	}
	if a.freeUse == nil {
		a.freeUse = make(map[string]int)
	}
	if i, ok := a.freeUse[name]; ok {
		a.out.globals[i].uses++
		return
	}
	line, col := a.src.pos(id.Idx)
	a.freeUse[name] = len(a.out.globals)
	a.out.globals = append(a.out.globals, globalUse{name: name, line: line, col: col, uses: 1})
}

func (a *analyzer) assign(e *ast.AssignExpression) {
	if e.Operator != token.ASSIGN {
		a.assignOpaque(e.Left)
		a.expr(e.Right)
		return
	}
	a.expr(e.Right)
	switch l := e.Left.(type) {
	case *ast.ObjectPattern, *ast.ArrayPattern:
		a.defaults(l)
	}
	a.assignTarget(e.Left, e.Right, nil, false)
}

// call records require(...) calls and calls that may be ManagementClient methods.
func (a *analyzer) call(e *ast.CallExpression) {
	if id, ok := e.Callee.(*ast.Identifier); ok && id != nil && id.Name == "require" && a.sc.lookup("require") == nil {
		a.requireCall(e)
		a.exprs(e.ArgumentList)
		return
	}
	a.expr(e.Callee)
	a.exprs(e.ArgumentList)
	switch unwrap(e.Callee).(type) {
	case *ast.DotExpression, *ast.BracketExpression, *ast.Identifier:
		a.calls = append(a.calls, e)
	}
}

func (a *analyzer) requireCall(e *ast.CallExpression) {
	line, col := a.src.pos(e.Idx0())
	site := requireSite{line: line, col: col}
	if len(e.ArgumentList) == 0 {
		site.why = "require() is called without an argument"
	} else {
		arg := e.ArgumentList[0]
		if l, c := a.src.pos(arg.Idx0()); l > 0 {
			site.line, site.col = l, c
		}
		if s, ok := literalString(arg); ok {
			site.spec, site.literal = s, true
		} else {
			site.why = "require is called with a computed argument (" + describe(arg) + ")"
		}
	}
	a.requires[e] = len(a.out.requires)
	a.out.requires = append(a.out.requires, site)
}

// literalString returns the value of a string literal or of a template literal without
// substitutions.
func literalString(e ast.Expression) (string, bool) {
	switch e := e.(type) {
	case *ast.StringLiteral:
		if e != nil {
			return e.Value.String(), true
		}
	case *ast.TemplateLiteral:
		if e != nil && e.Tag == nil && len(e.Expressions) == 0 && len(e.Elements) == 1 && e.Elements[0] != nil && e.Elements[0].Valid {
			return e.Elements[0].Parsed.String(), true
		}
	}
	return "", false
}

// describe names the kind of a non-literal require argument for messages.
func describe(e ast.Expression) string {
	switch e.(type) {
	case *ast.Identifier:
		return "a variable"
	case *ast.TemplateLiteral:
		return "a template with substitutions"
	case *ast.BinaryExpression:
		return "a concatenation or other operation"
	case *ast.CallExpression:
		return "a function call"
	case *ast.DotExpression, *ast.BracketExpression:
		return "a property"
	case *ast.ConditionalExpression:
		return "a conditional"
	}
	return "not a string literal"
}

// unwrap strips optional-chaining wrappers.
func unwrap(e ast.Expression) ast.Expression {
	for i := 0; i < maxDepth; i++ {
		switch w := e.(type) {
		case *ast.OptionalChain:
			if w == nil {
				return nil
			}
			e = w.Expression
		case *ast.Optional:
			if w == nil {
				return nil
			}
			e = w.Expression
		default:
			return e
		}
	}
	return e
}
