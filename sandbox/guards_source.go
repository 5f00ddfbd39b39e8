package sandbox

import (
	"fmt"

	"github.com/dop251/goja"
)

// MaxSourceLength is the longest source text (in bytes) that Function, its async and generator
// siblings and RegExp accept. goja parses and compiles a source in one Go call that no interrupt
// can stop (tens of MB take seconds); longer sources make the constructor throw a RangeError with code
// ERR_SANDBOX_LIMIT instead.
const MaxSourceLength = 1 << 20

// functionCtorsProgram lists Function and the constructors reachable only through prototypes:
// AsyncFunction, GeneratorFunction, AsyncGeneratorFunction (goja may lack the last).
var functionCtorsProgram = mustCompileInternal("<sandbox:function-ctors>", `[
  Function,
  Object.getPrototypeOf(async function () {}).constructor,
  Object.getPrototypeOf(function* () {}).constructor,
  (function () { try { return Object.getPrototypeOf(eval('(async function* () {})')).constructor; } catch (e) { return undefined; } })(),
]`)

// guardSources replaces Function (and its siblings, whose prototype's constructor and [[Prototype]]
// are pointed at the guarded Function so that no chain leads back to an unchecked one) and RegExp by
// proxies that bound the length of the source they compile. The arguments are converted to strings
// once, before the check, and passed on as such, so a conversion cannot answer differently later.
func (v *vm) guardSources() error {
	list, err := v.rt.RunProgram(functionCtorsProgram)
	if err != nil {
		return err
	}
	ctors, ok := list.(*goja.Object)
	if !ok {
		return fmt.Errorf("sandbox: function constructors: unexpected %v", list)
	}
	g := v.rt.GlobalObject()
	var fnProxy *goja.Object
	for i, name := range []string{"Function", "AsyncFunction", "GeneratorFunction", "AsyncGeneratorFunction"} {
		c, ok := ctors.Get(fmt.Sprint(i)).(*goja.Object)
		if !ok {
			continue
		}
		name := name
		p, err := v.guardedProxy(c, name, func(args []goja.Value) {
			total := 0
			for j, a := range args {
				s := a.String()
				args[j] = v.rt.ToValue(s)
				total += len(s)
			}
			v.checkSource(name, total)
		}, true)
		if err != nil {
			return err
		}
		if fnProxy == nil {
			fnProxy = p
			if err := g.DefineDataProperty("Function", p, goja.FLAG_TRUE, goja.FLAG_FALSE, goja.FLAG_TRUE); err != nil {
				return err
			}
		} else if err := c.SetPrototype(fnProxy); err != nil {
			return err
		}
	}

	re, ok := g.Get("RegExp").(*goja.Object)
	if !ok {
		return nil
	}
	p, err := v.rewritingProxy(re, "RegExp", func(args []goja.Value) []goja.Value {
		if len(args) == 0 {
			return args
		}
		if o, isObj := args[0].(*goja.Object); isObj {
			if o.ClassName() == "RegExp" {
				return args // its source was checked when it was made
			}
			if m := o.GetSymbol(goja.SymMatch); m != nil && m.ToBoolean() {
				// a regexp-like object: read its source (and flags) once and pass them as strings
				src := o.Get("source").String()
				if len(args) < 2 || goja.IsUndefined(args[1]) {
					flags := o.Get("flags")
					args = []goja.Value{args[0], goja.Undefined()}
					if flags != nil && !goja.IsUndefined(flags) {
						args[1] = v.rt.ToValue(flags.String())
					}
				}
				args[0] = v.rt.ToValue(src)
				v.checkSource("RegExp", len(src))
				return args
			}
		}
		if goja.IsUndefined(args[0]) {
			return args
		}
		s := args[0].String()
		args[0] = v.rt.ToValue(s)
		v.checkSource("RegExp", len(s))
		return args
	}, true)
	if err != nil {
		return err
	}
	return g.DefineDataProperty("RegExp", p, goja.FLAG_TRUE, goja.FLAG_FALSE, goja.FLAG_TRUE)
}

// checkSource throws when a source text is over MaxSourceLength.
func (v *vm) checkSource(what string, n int) {
	if n > MaxSourceLength {
		v.limitError(what, fmt.Sprintf("the source is %s long, over the sandbox limit of %s; build less code at run time", humanBytes(float64(n)), humanBytes(MaxSourceLength)))
	}
}
