package query

import (
	"errors"
	"testing"
)

// FuzzParseQuery checks that no input makes the parser or the matcher panic, that every failure is
// an *Error with a position inside the query, and that the normalized form parses to itself.
func FuzzParseQuery(f *testing.F) {
	for _, s := range []string{
		`name:*john*`, `name:"jane"`, `name:john*`, `name:jane*smith`,
		`email:("john@exampleco.com" OR "jane@exampleco.com")`,
		`email_verified:false OR NOT _exists_:email_verified`,
		`(NOT _exists_:logins_count OR logins_count:0)`,
		`logins_count:[100 TO 200]`, `logins_count:{100 TO 200}`, `last_login:{2017-11 TO 2017-12]`,
		`a \AND "b\"c" -d !e && f || g`, `app_metadata.plan:gold`, `x:[* TO *]`, `((a))`, `"`, `\`,
	} {
		f.Add(s)
	}
	d := doc(map[string][]Value{
		"name":              text("jane smith"),
		"logins_count":      num(3),
		"last_login":        {{Kind: Date, N: 1.5e12}},
		"app_metadata.plan": text("gold"),
	})
	f.Fuzz(func(t *testing.T, q string) {
		tree, err := Parse(q)
		if err != nil {
			var qe *Error
			if !errors.As(err, &qe) {
				t.Fatalf("Parse(%q) returned %T, want *Error", q, err)
			}
			if qe.Pos < 1 || qe.Pos > len([]rune(q))+1 {
				t.Fatalf("Parse(%q) position %d out of range", q, qe.Pos)
			}
			return
		}
		norm := tree.String()
		again, err := Parse(norm)
		if err != nil {
			t.Fatalf("normalized form %q of %q does not parse: %v", norm, q, err)
		}
		if again.String() != norm {
			t.Fatalf("normalized form is not stable: %q -> %q", norm, again.String())
		}
		cq, err := CompileTree(tree, userSchema, defaultFields...)
		if err != nil {
			var qe *Error
			if !errors.As(err, &qe) {
				t.Fatalf("Compile(%q) returned %T, want *Error", q, err)
			}
			return
		}
		cq.Match(d)
	})
}
