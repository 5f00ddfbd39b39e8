package audit

import (
	"cmp"
	"slices"

	"github.com/dop251/goja/ast"
	"github.com/dop251/goja/file"
	"github.com/dop251/goja/token"
)

// propagate computes the value of every binding from its assignments, flow-insensitively: a
// binding holds the join of everything assigned to it anywhere in the rule. Reassigning a client
// variable to something else therefore makes it unknown, and its calls are not checked.
func (a *analyzer) propagate() {
	for round := 0; round < maxFixpointRounds; round++ {
		changed := false
		for _, as := range a.assigns {
			if as.target.opaque {
				continue
			}
			v := a.eval(as.expr, 0)
			for _, p := range as.path {
				v = member(v, p)
			}
			if nv := join(as.target.val, v); nv != as.target.val {
				as.target.val = nv
				changed = true
			}
		}
		if !changed {
			return
		}
	}
}

// eval returns the abstract value of an expression from the current binding values.
func (a *analyzer) eval(e ast.Expression, depth int) value {
	if e == nil || depth > maxDepth {
		return unknown
	}
	depth++
	switch e := e.(type) {
	case *ast.Identifier:
		if e == nil {
			return unknown
		}
		if b, ok := a.refs[e]; ok {
			return b.val
		}
		if e.Name == "undefined" {
			return value{}
		}
		if b, ok := a.globals[e.Name.String()]; ok && !b.opaque {
			return b.val
		}
		return unknown
	case *ast.NullLiteral:
		return value{}
	case *ast.CallExpression:
		if e == nil {
			return unknown
		}
		if i, ok := a.requires[e]; ok {
			if r := a.out.requires[i]; r.literal {
				return value{kind: valModule, spec: r.spec}
			}
		}
		return unknown
	case *ast.DotExpression:
		if e == nil {
			return unknown
		}
		if g := a.globalRead(e); g != nil {
			return g.val
		}
		return member(a.eval(e.Left, depth), e.Identifier.Name.String())
	case *ast.BracketExpression:
		if e == nil {
			return unknown
		}
		if s, ok := literalString(e.Member); ok {
			return member(a.eval(e.Left, depth), s)
		}
		return unknown
	case *ast.NewExpression:
		if e == nil {
			return unknown
		}
		if c := a.eval(e.Callee, depth); c.kind == valCtor {
			return value{kind: valClient, spec: c.spec}
		}
		return unknown
	case *ast.AssignExpression:
		if e == nil || e.Operator != token.ASSIGN {
			return unknown
		}
		return a.eval(e.Right, depth)
	case *ast.SequenceExpression:
		if e == nil || len(e.Sequence) == 0 {
			return unknown
		}
		return a.eval(e.Sequence[len(e.Sequence)-1], depth)
	case *ast.BinaryExpression:
		if e == nil {
			return unknown
		}
		switch e.Operator {
		case token.LOGICAL_OR, token.COALESCE:
			return joinFallback(a.eval(e.Left, depth), a.eval(e.Right, depth))
		case token.LOGICAL_AND:
			return a.eval(e.Right, depth)
		}
		return unknown
	case *ast.ConditionalExpression:
		if e == nil {
			return unknown
		}
		return join(a.eval(e.Consequent, depth), a.eval(e.Alternate, depth))
	case *ast.AwaitExpression:
		if e == nil {
			return unknown
		}
		return a.eval(e.Argument, depth)
	case *ast.OptionalChain:
		if e == nil {
			return unknown
		}
		return a.eval(e.Expression, depth)
	case *ast.Optional:
		if e == nil {
			return unknown
		}
		return a.eval(e.Expression, depth)
	}
	return unknown
}

// globalRead is globalProp for reads: it does not create pseudo-bindings.
func (a *analyzer) globalRead(d *ast.DotExpression) *binding {
	if a.globals == nil {
		return nil
	}
	id, ok := d.Left.(*ast.Identifier)
	if !ok || id == nil {
		return nil
	}
	if n := id.Name.String(); n != "global" && n != "globalThis" {
		return nil
	}
	if _, bound := a.refs[id]; bound {
		return nil
	}
	b, ok := a.globals[d.Identifier.Name.String()]
	if !ok || b.opaque {
		return nil
	}
	return b
}

// collectCalls turns the recorded calls whose callee evaluates to a member of a ManagementClient
// into call sites, and drops legacy-global uses the rule itself defines.
func (a *analyzer) collectCalls() {
	for _, c := range a.calls {
		callee := unwrap(c.Callee)
		v := a.eval(callee, 0)
		if v.kind != valClient || v.n == 0 {
			continue
		}
		site := callSite{spec: v.spec}
		if v.n == 1 || isCallHelper(v.path[1]) {
			site.method, site.flat = v.path[0], true
		} else {
			site.method = v.path[0] + "." + v.path[1]
		}
		site.line, site.col = a.src.pos(calleeIdx(callee))
		a.out.calls = append(a.out.calls, site)
	}
	// Calls were recorded after their arguments; report them in source order.
	slices.SortStableFunc(a.out.calls, func(x, y callSite) int {
		return cmp.Or(cmp.Compare(x.line, y.line), cmp.Compare(x.col, y.col))
	})
	if len(a.freeSet) == 0 && len(a.globals) == 0 {
		return
	}
	kept := a.out.globals[:0]
	for _, g := range a.out.globals {
		if a.freeSet[g.name] {
			continue
		}
		if _, ok := a.globals[g.name]; ok {
			continue
		}
		kept = append(kept, g)
	}
	a.out.globals = kept
}

// isCallHelper reports whether name is a Function.prototype method, so that
// management.getUsers.call(management, …) counts as a call of getUsers.
func isCallHelper(name string) bool {
	return name == "call" || name == "apply" || name == "bind"
}

// calleeIdx is where a call's callee names the method: the property of a member expression.
func calleeIdx(callee ast.Expression) file.Idx {
	switch c := callee.(type) {
	case *ast.DotExpression:
		if c != nil {
			if v, ok := c.Left.(*ast.DotExpression); ok && v != nil && isCallHelper(c.Identifier.Name.String()) {
				return v.Identifier.Idx
			}
			return c.Identifier.Idx
		}
	case *ast.BracketExpression:
		if c != nil && c.Member != nil {
			return c.Member.Idx0()
		}
	}
	if callee != nil {
		return callee.Idx0()
	}
	return 0
}
