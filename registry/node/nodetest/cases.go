package nodetest

import (
	"bufio"
	"fmt"
	"os"
	"strings"
	"testing"

	"github.com/verq/verq/registry"
)

// Case is one golden case: a script and the string Node.js 20 produced for it.
//
// A case file holds cases as
//
//	=== name
//	script lines
//	--- want
//	expected lines
//
// Lines starting with "#" before the first case are comments. The result of a case is
// String(completion value of the script); a case whose name ends in " [async]" instead reports
// String(globalThis.result) once every pending callback has run.
type Case struct {
	Name   string
	Script string
	Want   string
	Async  bool
}

const asyncSuffix = " [async]"

// ReadCases parses a case file.
func ReadCases(path string) ([]Case, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var cases []Case
	var cur *Case
	var script, want []string
	inWant := false
	flush := func() {
		if cur != nil {
			cur.Script = strings.Join(script, "\n")
			cur.Want = strings.Join(want, "\n")
			cases = append(cases, *cur)
		}
		script, want, inWant = nil, nil, false
	}
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 1<<20), 1<<20)
	line := 0
	for sc.Scan() {
		line++
		t := sc.Text()
		switch {
		case strings.HasPrefix(t, "=== "):
			flush()
			name := strings.TrimPrefix(t, "=== ")
			cur = &Case{Name: strings.TrimSuffix(name, asyncSuffix), Async: strings.HasSuffix(name, asyncSuffix)}
		case cur == nil:
			if strings.TrimSpace(t) != "" && !strings.HasPrefix(t, "#") {
				return nil, fmt.Errorf("%s:%d: text before the first \"=== name\" line", path, line)
			}
		case t == "--- want" && !inWant:
			inWant = true
		case inWant:
			want = append(want, t)
		default:
			script = append(script, t)
		}
	}
	flush()
	if err := sc.Err(); err != nil {
		return nil, err
	}
	for _, c := range cases {
		if c.Script == "" {
			return nil, fmt.Errorf("%s: case %q has no script", path, c.Name)
		}
	}
	return cases, nil
}

// WriteCases writes cases back in the format ReadCases reads, after header (comment lines).
func WriteCases(path, header string, cases []Case) error {
	var b strings.Builder
	b.WriteString(header)
	for _, c := range cases {
		name := c.Name
		if c.Async {
			name += asyncSuffix
		}
		fmt.Fprintf(&b, "=== %s\n%s\n--- want\n%s\n", name, c.Script, c.Want)
	}
	return os.WriteFile(path, []byte(b.String()), 0o644)
}

// Result runs one case in a fresh Host over providers and returns its result string, or the
// error's text prefixed with "THROWS ".
func Result(c Case, providers ...registry.Provider) (string, error) {
	h, err := New(providers...)
	if err != nil {
		return "", err
	}
	v, err := h.Run(c.Script)
	if err != nil {
		return "THROWS " + err.Error(), nil
	}
	if c.Async {
		v = h.Runtime.Get("result")
	}
	if v == nil {
		return "undefined", nil
	}
	return v.String(), nil
}

// RunCases runs every case of the file at path as a subtest, each in a fresh Host over providers.
func RunCases(t *testing.T, path string, providers ...registry.Provider) {
	t.Helper()
	cases, err := ReadCases(path)
	if err != nil {
		t.Fatal(err)
	}
	if len(cases) == 0 {
		t.Fatalf("%s holds no cases", path)
	}
	for _, c := range cases {
		t.Run(c.Name, func(t *testing.T) {
			got, err := Result(c, providers...)
			if err != nil {
				t.Fatal(err)
			}
			if got != c.Want {
				t.Errorf("script:\n%s\n got: %s\nwant: %s", c.Script, got, c.Want)
			}
		})
	}
}
