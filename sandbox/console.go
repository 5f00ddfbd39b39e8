package sandbox

import (
	"errors"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/dop251/goja"
)

// consoleLevels are the console methods rules get; each records entries at its own level.
var consoleLevels = []string{"log", "info", "warn", "error", "debug"}

// newConsole builds the console object: every call is formatted like Node's util.format and recorded
// for the rule it is attributed to, up to Limits.MaxConsoleBytes per execution.
func (v *vm) newConsole() *goja.Object {
	c := v.rt.NewObject()
	for _, level := range consoleLevels {
		level := level
		_ = c.Set(level, v.nativeFunc(level, 0, func(call goja.FunctionCall) goja.Value {
			v.consoleCall(level, call.Arguments)
			return goja.Undefined()
		}))
	}
	return c
}

// consoleCall formats and records one console call.
func (v *vm) consoleCall(level string, args []goja.Value) {
	ex := v.cur
	if ex == nil || ex.res.LogsTruncated {
		return
	}
	limit := v.ex.cfg.Limits.MaxConsoleBytes
	remaining := limit - ex.logBytes
	msg, cut := formatArgs(args, remaining+1, v.jsonString)
	rule := ex.ruleName(ex.attributed)
	if cut || len(msg) > remaining {
		msg = truncateUTF8(msg, remaining)
		if msg != "" {
			ex.res.Logs = append(ex.res.Logs, LogEntry{Rule: rule, Level: level, Message: msg})
		}
		ex.logBytes = limit
		ex.res.LogsTruncated = true
		ex.res.Logs = append(ex.res.Logs, LogEntry{Rule: rule, Level: "warn",
			Message: fmt.Sprintf("[console output truncated: more than %d bytes in this execution]", limit)})
		return
	}
	ex.logBytes += len(msg)
	ex.res.Logs = append(ex.res.Logs, LogEntry{Rule: rule, Level: level, Message: msg})
}

// truncateUTF8 cuts s to at most n bytes without splitting a character.
func truncateUTF8(s string, n int) string {
	if n <= 0 {
		return ""
	}
	if len(s) <= n {
		return s
	}
	for n > 0 && !utf8.RuneStart(s[n]) {
		n--
	}
	return s[:n]
}

// formatArgs implements util.format: with a string first argument, %s %d %i %f %j %o %O %c and %% are
// substituted; remaining arguments are appended, separated by spaces, strings as they are and other
// values inspected. Output stops growing past limit bytes; cut reports that it did.
func formatArgs(args []goja.Value, limit int, stringify func(goja.Value) string) (string, bool) {
	b := &limitedBuilder{limit: limit}
	rest := args
	if len(args) > 0 && goja.IsString(args[0]) && len(args) > 1 {
		f := args[0].String()
		rest = args[1:]
		for i := 0; i < len(f) && !b.full(); i++ {
			c := f[i]
			if c != '%' || i+1 == len(f) {
				b.WriteByte(c)
				continue
			}
			verb := f[i+1]
			if verb == '%' {
				b.WriteByte('%')
				i++
				continue
			}
			if len(rest) == 0 || !strings.ContainsRune("sdifjoOc", rune(verb)) {
				b.WriteByte(c)
				continue
			}
			arg := rest[0]
			rest = rest[1:]
			i++
			switch verb {
			case 's':
				if o, ok := arg.(*goja.Object); ok && !isError(o) {
					inspect(b, arg, 1, nil)
				} else {
					writePlain(b, arg)
				}
			case 'd', 'i', 'f':
				formatNumber(b, arg, verb)
			case 'j':
				b.WriteString(stringify(arg))
			case 'o', 'O':
				inspect(b, arg, 2, nil)
			case 'c':
			}
		}
		for _, arg := range rest {
			b.WriteByte(' ')
			writePlain(b, arg)
		}
		return b.String(), b.cut
	}
	for i, arg := range args {
		if i > 0 {
			b.WriteByte(' ')
		}
		writePlain(b, arg)
	}
	return b.String(), b.cut
}

// writePlain writes a string as it is and inspects anything else.
func writePlain(b *limitedBuilder, arg goja.Value) {
	if goja.IsString(arg) {
		b.WriteString(arg.String())
		return
	}
	inspect(b, arg, 2, nil)
}

// formatNumber implements %d, %i and %f.
func formatNumber(b *limitedBuilder, arg goja.Value, verb byte) {
	if _, isObj := arg.(*goja.Object); isObj {
		b.WriteString("NaN")
		return
	}
	if goja.IsBigInt(arg) {
		b.WriteString(arg.String() + "n")
		return
	}
	n := arg.ToNumber()
	if verb == 'i' {
		f := n.ToFloat()
		if f != f || f > 1e308 || f < -1e308 {
			b.WriteString(n.String())
			return
		}
		b.WriteString(fmt.Sprint(int64(f)))
		return
	}
	b.WriteString(n.String())
}

// jsonString implements %j with the runtime's guarded JSON.stringify: "[Circular]" when it throws
// (a circular structure), "undefined" for values JSON cannot represent.
func (v *vm) jsonString(arg goja.Value) string {
	if v.jsonStringify == nil {
		return safeString(arg)
	}
	res, err := v.jsonStringify(goja.Undefined(), arg)
	if err != nil {
		var ex *goja.Exception
		if errors.As(err, &ex) {
			if o, ok := ex.Value().(*goja.Object); ok && o.ClassName() == "Error" && safeString(o.Get("name")) == "TypeError" {
				return "[Circular]"
			}
		}
		panic(err)
	}
	if goja.IsUndefined(res) {
		return "undefined"
	}
	return res.String()
}

// limitedBuilder is a strings.Builder that stops growing past limit bytes.
type limitedBuilder struct {
	strings.Builder
	limit int
	cut   bool
}

func (b *limitedBuilder) full() bool {
	if b.Len() >= b.limit {
		b.cut = true
		return true
	}
	return false
}

// WriteString appends s, cut at the limit.
func (b *limitedBuilder) WriteString(s string) {
	if b.full() {
		return
	}
	if room := b.limit - b.Len(); len(s) > room {
		s = s[:room]
		b.cut = true
	}
	b.Builder.WriteString(s)
}

// WriteByte appends c unless the limit is reached.
func (b *limitedBuilder) WriteByte(c byte) error {
	if b.full() {
		return nil
	}
	return b.Builder.WriteByte(c)
}
