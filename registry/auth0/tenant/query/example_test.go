package query_test

import (
	"fmt"

	"github.com/verq/verq/registry/auth0/tenant/query"
)

// user is a Document over three fields with ids 0, 1 and 2.
type user struct {
	email  string
	logins float64
	plan   string
}

func (u user) Values(id int) []query.Value {
	switch id {
	case 0:
		return []query.Value{{Kind: query.Text, S: u.email}}
	case 1:
		return []query.Value{{Kind: query.Number, N: u.logins}}
	case 2:
		return []query.Value{{Kind: query.Text, S: u.plan}}
	}
	return nil
}

func (u user) Exists(id int) bool { return len(u.Values(id)) > 0 }

func schema(name string) query.Field {
	switch name {
	case "email":
		return query.Field{ID: 0, Kind: query.Text, Fold: true}
	case "logins_count":
		return query.Field{ID: 1, Kind: query.Number}
	case "app_metadata.plan":
		return query.Field{ID: 2, NoWildcard: true, NoRange: true}
	}
	return query.Field{ID: -1}
}

func ExampleCompile() {
	q, err := query.Compile(`email:*@example.com AND (logins_count:[10 TO *] OR app_metadata.plan:"gold")`, schema, "email")
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(q)
	fmt.Println(q.Match(user{"jane@example.com", 3, "gold"}), q.Match(user{"john@example.com", 3, "free"}))

	_, err = query.Compile(`email:"jane`, schema)
	fmt.Println(err)
	_, err = query.Compile(`app_metadata.plan:go*`, schema)
	fmt.Println(err)
	// Output:
	// (email:*@example.com AND (logins_count:[10 TO *] OR app_metadata.plan:"gold"))
	// true false
	// at position 7: unterminated phrase: the '"' is never closed
	// at position 1: wildcards are not supported on app_metadata.plan (metadata fields match whole values only)
}
