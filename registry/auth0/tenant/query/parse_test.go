package query

import (
	"errors"
	"strings"
	"testing"
)

func TestParse_Normalized(t *testing.T) {
	tests := []struct{ in, want string }{
		{`jane`, `jane`},
		{`"green apple"`, `"green apple"`},
		{`name:"jane smith"`, `name:"jane smith"`},
		{`name:john*`, `name:john*`},
		{`name:*john*`, `name:*john*`},
		{`name:jane*smith`, `name:jane*smith`},
		{`email:("john@exampleco.com" OR "jane@exampleco.com")`, `(email:"john@exampleco.com" OR email:"jane@exampleco.com")`},
		{`email_verified:false OR NOT _exists_:email_verified`, `(email_verified:false OR NOT _exists_:email_verified)`},
		{`(NOT _exists_:logins_count OR logins_count:0)`, `(NOT _exists_:logins_count OR logins_count:0)`},
		{`logins_count:[100 TO 200]`, `logins_count:[100 TO 200]`},
		{`logins_count:{100 TO 200}`, `logins_count:{100 TO 200}`},
		{`logins_count:[100 TO 200}`, `logins_count:[100 TO 200}`},
		{`logins_count:{100 TO *]`, `logins_count:{100 TO *]`},
		{`last_login:{2017-11 TO 2017-12]`, `last_login:{2017-11 TO 2017-12]`},
		{`last_login:[2017-12-01T10:00:00Z TO *]`, `last_login:[2017-12-01T10:00:00Z TO *]`},
		{`a AND b OR c`, `((a AND b) OR c)`},
		{`a OR b AND c`, `(a OR (b AND c))`},
		{`a b c`, `(a OR b OR c)`},
		{`a && b || !c`, `((a AND b) OR NOT c)`},
		{`a NOT b`, `(a AND NOT b)`},
		{`a b -c`, `((a OR b) AND NOT c)`},
		{`NOT NOT a`, `NOT NOT a`},
		{`(a OR b) AND (c OR d)`, `((a OR b) AND (c OR d))`},
		{`app_metadata.plan:"gold" AND user_metadata.addresses.city:Paris`, `(app_metadata.plan:"gold" AND user_metadata.addresses.city:Paris)`},
		{`user_id:auth0\|123`, `user_id:auth0|123`},
		{`user_id:"auth0|123"`, `user_id:"auth0|123"`},
		{`last_ip:"::1"`, `last_ip:"::1"`},
		{`last_ip:\:\:1`, `last_ip:\:\:1`},
		{`name:\*literal`, `name:\*literal`},
		{`name:"a \"quoted\" word"`, `name:"a \"quoted\" word"`},
		{`logins_count:-1`, `logins_count:\-1`},
		{`\AND`, `\AND`},
		{`  spaced   out  `, `(spaced OR out)`},
		{`name:(jane OR john*)`, `(name:jane OR name:john*)`},
		{`name: jane`, `name:jane`},
		{`*`, `*`},
		{`héllo wörld`, `(héllo OR wörld)`},
		{`a AND (b OR (c AND NOT d))`, `(a AND (b OR (c AND NOT d)))`},
		{`phone_number:+14155550100`, `phone_number:\+14155550100`},
		{`why?`, `why?`},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			tree, err := Parse(tt.in)
			if err != nil {
				t.Fatalf("Parse(%q): %v", tt.in, err)
			}
			if got := tree.String(); got != tt.want {
				t.Fatalf("Parse(%q) = %s, want %s", tt.in, got, tt.want)
			}
			again, err := Parse(tree.String())
			if err != nil {
				t.Fatalf("reparse %q: %v", tree.String(), err)
			}
			if again.String() != tree.String() {
				t.Fatalf("reparse changed the tree: %s -> %s", tree.String(), again.String())
			}
		})
	}
}

func TestParse_Errors(t *testing.T) {
	tests := []struct {
		in      string
		pos     int
		contain string
	}{
		{``, 1, "empty"},
		{`   `, 1, "empty"},
		{`(a OR b`, 1, "never closed"},
		{`a OR b)`, 7, "without a matching '('"},
		{`name:"jane`, 6, "unterminated phrase"},
		{`AND a`, 1, "needs a clause before it"},
		{`a AND`, 3, "needs a clause after it"},
		{`a OR`, 3, "needs a clause after it"},
		{`NOT`, 1, "NOT needs a clause"},
		{`a AND ()`, 7, "empty parentheses"},
		{`name:`, 1, "expected a value after 'name:'"},
		{`name: AND b`, 1, "expected a value after 'name:'"},
		{`logins_count:[1 TO 5`, 14, "never closed"},
		{`logins_count:[1 5]`, 17, "expected TO"},
		{`logins_count:[1 TO 5)`, 21, "expected ']' or '}'"},
		{`logins_count:[ TO 5]`, 16, "missing range bound"},
		{`[1 TO 5]`, 1, "range needs a field"},
		{`a ] b`, 3, "outside a range"},
		{`:a`, 1, "missing field name"},
		{`na-me:x`, 1, "not a field name"},
		{`name:jhn~`, 9, "fuzzy"},
		{`name:jane^2`, 10, "boosting"},
		{`+name:jane`, 1, "'+'"},
		{`_missing_:email`, 1, "NOT _exists_"},
		{`_exists_:"email"`, 10, "_exists_ needs a field name"},
		{`email:(name:x)`, 8, "inside the group of field"},
		{`user_id:auth0:abc`, 14, "escape it"},
		{`a\`, 2, "trailing"},
		{"bad\xffutf8", 4, "UTF-8"},
		{strings.Repeat("(", 200) + "a" + strings.Repeat(")", 200), 101, "nests too deeply"},
		{strings.Repeat("NOT ", 200) + "a", 401, "nests too deeply"},
		{`é AND (`, 7, "never closed"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			_, err := Parse(tt.in)
			var qe *Error
			if !errors.As(err, &qe) {
				t.Fatalf("Parse(%q) error = %v, want *Error", tt.in, err)
			}
			if qe.Pos != tt.pos || !strings.Contains(qe.Msg, tt.contain) {
				t.Fatalf("Parse(%q) = %v, want position %d and %q", tt.in, qe, tt.pos, tt.contain)
			}
		})
	}
}

func TestParseDate(t *testing.T) {
	tests := []struct {
		in         string
		start, end string
	}{
		{"2017", "2017-01-01T00:00:00Z", "2018-01-01T00:00:00Z"},
		{"2017-12", "2017-12-01T00:00:00Z", "2018-01-01T00:00:00Z"},
		{"2017-12-31", "2017-12-31T00:00:00Z", "2018-01-01T00:00:00Z"},
		{"2017-12-31T10", "2017-12-31T10:00:00Z", "2017-12-31T11:00:00Z"},
		{"2017-12-31T10:30", "2017-12-31T10:30:00Z", "2017-12-31T10:31:00Z"},
		{"2017-12-31T10:30:15Z", "2017-12-31T10:30:15Z", "2017-12-31T10:30:16Z"},
		{"2017-12-31T10:30:15.250Z", "2017-12-31T10:30:15.25Z", "2017-12-31T10:30:15.251Z"},
		{"2017-12-31T10:30:15+02:00", "2017-12-31T08:30:15Z", "2017-12-31T08:30:16Z"},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			s, e, ok := ParseDate(tt.in)
			if !ok {
				t.Fatalf("ParseDate(%q) failed", tt.in)
			}
			ws, _, _ := ParseDate(strings.TrimSuffix(tt.start, "Z") + "Z")
			if gs := ms(t, tt.start); s != gs || e != ms(t, tt.end) {
				t.Fatalf("ParseDate(%q) = [%d, %d), want [%d, %d) (%d)", tt.in, s, e, gs, ms(t, tt.end), ws)
			}
		})
	}
	for _, bad := range []string{"", "17", "2017-13", "2017-02-30", "2017-12-01T25", "2017-12-01 10:00", "2017-12-01T10:00:00X", "yesterday", "2017-1"} {
		if _, _, ok := ParseDate(bad); ok {
			t.Errorf("ParseDate(%q) succeeded, want failure", bad)
		}
	}
}
