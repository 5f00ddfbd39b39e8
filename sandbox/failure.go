package sandbox

import (
	"math"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/dop251/goja"
)

// callbackFailure classifies the error a rule passed to its callback: an UnauthorizedError (by
// identity with the sandbox's class, or by name) ends the pipeline as unauthorized, anything else as an
// error.
func (v *vm) callbackFailure(rule int, errVal goja.Value) (Outcome, *Failure) {
	f := v.failureOf(v.cur, rule, errVal)
	if o, ok := errVal.(*goja.Object); ok {
		if f.Name == "UnauthorizedError" || v.instanceOf(o, v.unauthCtr) {
			return OutcomeUnauthorized, f
		}
	}
	return OutcomeError, f
}

// instanceOf reports o instanceof ctor without running user code that could throw.
func (v *vm) instanceOf(o, ctor *goja.Object) (is bool) {
	defer func() {
		if recover() != nil {
			is = false
		}
	}()
	proto, ok := ctor.Get("prototype").(*goja.Object)
	if !ok {
		return false
	}
	for p := o.Prototype(); p != nil; p = p.Prototype() {
		if p == proto {
			return true
		}
	}
	return false
}

// failureOf describes a JS value used as an error: an Error-like object gives its name, message,
// code, description, stack and status code; a string is the message (as the Rules sandbox does);
// anything else is converted to a string. Reading properties may run getters: a getter that throws
// leaves that field empty.
func (v *vm) failureOf(ex *execution, rule int, val goja.Value) *Failure {
	f := &Failure{}
	if ex != nil {
		f.Rule = ex.ruleName(rule)
	}
	o, ok := val.(*goja.Object)
	if !ok {
		if val == nil || goja.IsUndefined(val) {
			f.Message = "undefined"
		} else {
			f.Message = safeString(val)
		}
		return f
	}
	get := func(key string) (res goja.Value) {
		defer func() {
			if recover() != nil {
				res = nil // a throwing getter, or an interrupt the loop reports
			}
		}()
		return o.Get(key)
	}
	str := func(key string) string {
		x := get(key)
		if x == nil || goja.IsUndefined(x) || goja.IsNull(x) {
			return ""
		}
		if _, isObj := x.(*goja.Object); isObj {
			return ""
		}
		return safeString(x)
	}
	f.Name = str("name")
	f.Message = str("message")
	f.Code = str("code")
	f.Description = str("description")
	if s := str("stack"); s != "" {
		var rules []Rule
		if ex != nil {
			rules = ex.rules
		}
		f.Stack = cleanStack(s, rules)
	}
	for _, key := range []string{"statusCode", "status_code"} {
		if x := get(key); x != nil && goja.IsNumber(x) {
			n := x.ToFloat()
			if n >= 0 && n < math.MaxInt32 {
				f.StatusCode = int(n)
				break
			}
		}
	}
	if f.Message == "" && f.Name == "" && f.Stack == "" {
		f.Message = safeString(o)
	}
	return f
}

// safeString converts a value to a string, tolerating toString methods that throw.
func safeString(val goja.Value) (s string) {
	defer func() {
		if recover() != nil {
			s = "[object]"
		}
	}()
	return val.String()
}

// framePC matches goja's program-counter suffix of a stack frame, "add-roles:3:9(5)".
var framePC = regexp.MustCompile(`:(\d+):(\d+)\(\d+\)`)

// cleanStack makes a goja stack read like Node's: frames indented with four spaces, program counters
// dropped, and columns on a rule's first line corrected for the parenthesis the script is wrapped in.
func cleanStack(stack string, rules []Rule) string {
	lines := strings.Split(strings.TrimRight(stack, "\n"), "\n")
	for i, line := range lines {
		t := strings.TrimLeft(line, " \t")
		if !strings.HasPrefix(t, "at ") {
			continue
		}
		t = framePC.ReplaceAllString(t, ":$1:$2")
		t = fixFirstLineColumn(t, rules)
		lines[i] = "    " + t
	}
	return strings.Join(lines, "\n")
}

// fixFirstLineColumn shifts "name:1:N" back by one column for rule sources.
func fixFirstLineColumn(frame string, rules []Rule) string {
	for _, r := range rules {
		key := r.Name + ":1:"
		idx := strings.Index(frame, key)
		if idx < 0 || (idx > 0 && frame[idx-1] != ' ' && frame[idx-1] != '(') {
			continue
		}
		start := idx + len(key)
		end := start
		for end < len(frame) && frame[end] >= '0' && frame[end] <= '9' {
			end++
		}
		col, err := strconv.Atoi(frame[start:end])
		if err != nil || col <= 1 {
			continue
		}
		return frame[:start] + strconv.Itoa(col-1) + frame[end:]
	}
	return frame
}

// describeValue names a value's type the way Node's ERR_INVALID_ARG_TYPE messages do.
func describeValue(val goja.Value) string {
	switch {
	case val == nil || goja.IsUndefined(val):
		return "undefined"
	case goja.IsNull(val):
		return "null"
	}
	if o, ok := val.(*goja.Object); ok {
		if _, fn := goja.AssertFunction(o); fn {
			return "function"
		}
		return "an instance of " + o.ClassName()
	}
	kind := "string"
	switch {
	case goja.IsNumber(val):
		kind = "number"
	case goja.IsBigInt(val):
		kind = "bigint"
	case val.ExportType() != nil && val.ExportType().Kind() == reflect.Bool:
		kind = "boolean"
	case !goja.IsString(val):
		kind = "symbol"
	}
	return "type " + kind + " (" + safeString(val) + ")"
}
