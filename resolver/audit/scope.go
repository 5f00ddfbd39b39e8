package audit

import (
	"github.com/dop251/goja/ast"
)

// binding is one declared name (var, let, const, parameter, function, class, catch parameter) or a
// property of the global object assigned by the rule (global.x = …).
type binding struct {
	name string
	// opaque bindings hold values the analyser does not follow (parameters, loop variables,
	// functions, classes, compound assignments).
	opaque bool
	val    value
}

// scope is a lexical scope. Function scopes also receive var declarations.
type scope struct {
	parent *scope
	fn     bool
	names  map[string]*binding
}

func (s *scope) declare(name string, opaque bool) *binding {
	if s.names == nil {
		s.names = make(map[string]*binding, 4)
	}
	b, ok := s.names[name]
	if !ok {
		b = &binding{name: name}
		s.names[name] = b
	}
	if opaque {
		b.opaque = true
		b.val = unknown
	}
	return b
}

// lookup finds the binding a name refers to from s, or nil for a free (global) name.
func (s *scope) lookup(name string) *binding {
	for ; s != nil; s = s.parent {
		if b, ok := s.names[name]; ok {
			return b
		}
	}
	return nil
}

// fnScope returns the nearest function scope (the target of var declarations).
func (s *scope) fnScope() *scope {
	for ; s.parent != nil && !s.fn; s = s.parent {
	}
	return s
}

// targetNames calls f with every identifier a binding target declares.
func targetNames(t ast.Expression, f func(*ast.Identifier)) {
	switch t := t.(type) {
	case *ast.Identifier:
		if t != nil {
			f(t)
		}
	case *ast.ObjectPattern:
		if t == nil {
			return
		}
		for _, p := range t.Properties {
			switch p := p.(type) {
			case *ast.PropertyShort:
				if p != nil {
					f(&p.Name)
				}
			case *ast.PropertyKeyed:
				if p != nil {
					targetNames(p.Value, f)
				}
			}
		}
		targetNames(t.Rest, f)
	case *ast.ArrayPattern:
		if t == nil {
			return
		}
		for _, e := range t.Elements {
			targetNames(e, f)
		}
		targetNames(t.Rest, f)
	case *ast.AssignExpression: // target with a default value
		if t != nil {
			targetNames(t.Left, f)
		}
	case *ast.Binding:
		if t != nil {
			targetNames(t.Target, f)
		}
	}
}

// hoistVars declares, in the function scope fs, every var and function declaration of stmts that
// is not inside a nested function.
func hoistVars(fs *scope, stmts []ast.Statement, depth int) {
	if depth > maxDepth {
		return
	}
	for _, st := range stmts {
		hoistVarsIn(fs, st, depth+1)
	}
}

func hoistVarsIn(fs *scope, st ast.Statement, depth int) {
	if depth > maxDepth {
		return
	}
	declare := func(id *ast.Identifier) { fs.declare(id.Name.String(), false) }
	switch st := st.(type) {
	case *ast.VariableStatement:
		if st != nil {
			for _, b := range st.List {
				targetNames(b, declare)
			}
		}
	case *ast.FunctionDeclaration:
		if st != nil && st.Function != nil && st.Function.Name != nil {
			fs.declare(st.Function.Name.Name.String(), true)
		}
	case *ast.BlockStatement:
		if st != nil {
			hoistVars(fs, st.List, depth)
		}
	case *ast.IfStatement:
		if st != nil {
			hoistVarsIn(fs, st.Consequent, depth+1)
			hoistVarsIn(fs, st.Alternate, depth+1)
		}
	case *ast.WhileStatement:
		if st != nil {
			hoistVarsIn(fs, st.Body, depth+1)
		}
	case *ast.DoWhileStatement:
		if st != nil {
			hoistVarsIn(fs, st.Body, depth+1)
		}
	case *ast.ForStatement:
		if st == nil {
			return
		}
		if vl, ok := st.Initializer.(*ast.ForLoopInitializerVarDeclList); ok && vl != nil {
			for _, b := range vl.List {
				targetNames(b, declare)
			}
		}
		hoistVarsIn(fs, st.Body, depth+1)
	case *ast.ForInStatement:
		if st != nil {
			hoistForInto(fs, st.Into)
			hoistVarsIn(fs, st.Body, depth+1)
		}
	case *ast.ForOfStatement:
		if st != nil {
			hoistForInto(fs, st.Into)
			hoistVarsIn(fs, st.Body, depth+1)
		}
	case *ast.LabelledStatement:
		if st != nil {
			hoistVarsIn(fs, st.Statement, depth+1)
		}
	case *ast.WithStatement:
		if st != nil {
			hoistVarsIn(fs, st.Body, depth+1)
		}
	case *ast.TryStatement:
		if st == nil {
			return
		}
		if st.Body != nil {
			hoistVars(fs, st.Body.List, depth)
		}
		if st.Catch != nil && st.Catch.Body != nil {
			hoistVars(fs, st.Catch.Body.List, depth)
		}
		if st.Finally != nil {
			hoistVars(fs, st.Finally.List, depth)
		}
	case *ast.SwitchStatement:
		if st == nil {
			return
		}
		for _, c := range st.Body {
			if c != nil {
				hoistVars(fs, c.Consequent, depth)
			}
		}
	}
}

func hoistForInto(fs *scope, into ast.ForInto) {
	if v, ok := into.(*ast.ForIntoVar); ok && v != nil && v.Binding != nil {
		targetNames(v.Binding.Target, func(id *ast.Identifier) { fs.declare(id.Name.String(), true) })
	}
}

// declareLexical declares in s the let, const, class and function declarations made directly in
// stmts (block scoping).
func declareLexical(s *scope, stmts []ast.Statement) {
	for _, st := range stmts {
		switch st := st.(type) {
		case *ast.LexicalDeclaration:
			if st != nil {
				for _, b := range st.List {
					targetNames(b, func(id *ast.Identifier) { s.declare(id.Name.String(), false) })
				}
			}
		case *ast.ClassDeclaration:
			if st != nil && st.Class != nil && st.Class.Name != nil {
				s.declare(st.Class.Name.Name.String(), true)
			}
		case *ast.FunctionDeclaration:
			if st != nil && st.Function != nil && st.Function.Name != nil {
				s.declare(st.Function.Name.Name.String(), true)
			}
		}
	}
}
