package query

import (
	"errors"
	"strings"
	"testing"
)

func TestQuery_Match(t *testing.T) {
	jane := doc(map[string][]Value{
		"user_id":                      text("auth0|12345"),
		"email":                        text("jane@exampleco.com"),
		"email.domain":                 text("exampleco.com"),
		"name":                         text("jane smith"),
		"nickname":                     text("jane"),
		"email_verified":               boolean(true),
		"logins_count":                 num(150),
		"last_login":                   date(t, "2017-12-15T10:00:00Z"),
		"created_at":                   date(t, "2017-11-30T23:59:59.999Z"),
		"identities.connection":        text("Username-Password-Authentication", "google-oauth2"),
		"app_metadata.plan":            text("gold"),
		"app_metadata.roles":           text("admin", "editor"),
		"app_metadata.seats":           num(5),
		"app_metadata.vip":             boolean(true),
		"user_metadata.addresses.city": text("Paris", "Seattle"),
	})
	john := doc(map[string][]Value{
		"user_id":        text("google-oauth2|9876"),
		"email":          text("john@other.org"),
		"email.domain":   text("other.org"),
		"name":           text("john doe"),
		"email_verified": boolean(false),
		"logins_count":   num(0),
	})
	tests := []struct {
		q          string
		jane, john bool
	}{
		{`name:"Jane Smith"`, true, false},
		{`name:jane`, false, false}, // not tokenized
		{`name:jane*`, true, false},
		{`name:J*`, true, true},
		{`name:*smith`, true, false},
		{`name:*ane*`, true, false},
		{`name:jane*smith`, true, false},
		{`user_id:auth0`, false, false},
		{`user_id:auth0*`, true, false},
		{`user_id:"auth0|12345"`, true, false},
		{`jane@exampleco.com`, true, false}, // bare term on default fields
		{`JANE`, true, false},               // nickname is case-insensitive
		{`"john doe"`, false, true},
		{`email:("john@other.org" OR "jane@exampleco.com")`, true, true},
		{`email.domain:"exampleco.com"`, true, false},
		{`email_verified:false OR NOT _exists_:email_verified`, false, true},
		{`(NOT _exists_:last_login OR logins_count:0)`, false, true},
		{`logins_count:[100 TO 200]`, true, false},
		{`logins_count:{100 TO 150}`, false, false},
		{`logins_count:{100 TO 150]`, true, false},
		{`logins_count:[* TO 0]`, false, true},
		{`logins_count:150`, true, false},
		{`last_login:{2017-11 TO 2017-12]`, true, false},
		{`last_login:[2017-12-01 TO 2017-12-31]`, true, false},
		{`last_login:[* TO 2017-12-14]`, false, false},
		{`last_login:2017-12`, true, false},
		{`last_login:2017-12-15`, true, false},
		{`created_at:{2017-11-29 TO 2017-11}`, false, false}, // exclusive upper ends before November
		{`created_at:[2017-11-30 TO 2017-11-30]`, true, false},
		{`created_at:{* TO 2017-12}`, true, false},
		{`identities.connection:"google-oauth2"`, true, false},
		{`app_metadata.plan:gold`, true, false},
		{`app_metadata.plan:Gold`, false, false}, // metadata is case-sensitive
		{`app_metadata.roles:"admin"`, true, false},
		{`app_metadata.seats:5`, true, false},
		{`app_metadata.vip:true`, true, false},
		{`user_metadata.addresses.city:"Seattle"`, true, false},
		{`_exists_:app_metadata`, true, false},
		{`_exists_:user_metadata.addresses`, true, false},
		{`_exists_:app_metadata.nope`, false, false},
		{`name:jane* AND NOT app_metadata.plan:gold`, false, false},
		{`name:jane* john*`, true, true},
		{`name:* NOT email_verified:true`, false, true},
		{`*`, true, true},
		{`name:*`, true, true},
		{`unknown_field:x`, false, false},
		{`_exists_:last_login`, true, false},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			q, err := Compile(tt.q, userSchema, defaultFields...)
			if err != nil {
				t.Fatalf("Compile(%q): %v", tt.q, err)
			}
			if got := q.Match(jane); got != tt.jane {
				t.Errorf("jane: got %v, want %v", got, tt.jane)
			}
			if got := q.Match(john); got != tt.john {
				t.Errorf("john: got %v, want %v", got, tt.john)
			}
		})
	}
}

func TestCompile_Errors(t *testing.T) {
	tests := []struct {
		q       string
		pos     int
		contain string
	}{
		{`name:*sa`, 1, "at least 3 literal characters"},
		{`name:j*n`, 1, "at least 3 literal characters"},
		{`app_metadata.plan:gold*`, 1, "wildcards are not supported on app_metadata.plan"},
		{`user_metadata.age:[1 TO 5]`, 1, "range queries are not supported"},
		{`logins_count:many`, 1, "is a number"},
		{`logins_count:1*`, 1, "wildcards only work on text"},
		{`email_verified:yes`, 1, "use email_verified:true"},
		{`blocked:[true TO false]`, 1, "is a boolean"},
		{`a AND last_login:yesterday`, 7, "is not a date"},
		{`last_login:[2017 TO tomorrow]`, 1, "range bound \"tomorrow\" is not a date"},
		{`logins_count:[a TO 5]`, 1, "range bound \"a\" is not a number"},
		{`*sa`, 1, "at least 3 literal characters"},
	}
	for _, tt := range tests {
		t.Run(tt.q, func(t *testing.T) {
			_, err := Compile(tt.q, userSchema, defaultFields...)
			var qe *Error
			if !errors.As(err, &qe) {
				t.Fatalf("Compile(%q) error = %v, want *Error", tt.q, err)
			}
			if qe.Pos != tt.pos || !strings.Contains(qe.Msg, tt.contain) {
				t.Fatalf("Compile(%q) = %v, want position %d and %q", tt.q, qe, tt.pos, tt.contain)
			}
		})
	}
}

func TestGlob(t *testing.T) {
	tests := []struct {
		parts []string
		s     string
		want  bool
	}{
		{[]string{"ab", ""}, "abc", true},
		{[]string{"", "bc"}, "abc", true},
		{[]string{"", "b", ""}, "abc", true},
		{[]string{"a", "c"}, "abc", true},
		{[]string{"a", "c"}, "ac", true},
		{[]string{"ab", "bc"}, "abc", false}, // no overlap between prefix and suffix
		{[]string{"a", "b", "b"}, "abb", true},
		{[]string{"a", "b", "b"}, "ab", false},
		{[]string{"", ""}, "", true},
	}
	for _, tt := range tests {
		if got := glob(tt.parts, tt.s); got != tt.want {
			t.Errorf("glob(%q, %q) = %v, want %v", tt.parts, tt.s, got, tt.want)
		}
	}
}
