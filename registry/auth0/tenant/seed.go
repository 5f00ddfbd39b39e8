package tenant

import (
	_ "embed"
	"encoding/json"
	"fmt"

	bolt "go.etcd.io/bbolt"
)

// seedJSON holds the example users and roles a new tenant starts with: database, social,
// passwordless (email and sms) users with metadata, identities, logins, a blocked user, a user who
// never logged in, and two roles.
//
//go:embed seed.json
var seedJSON []byte

type seedRole struct {
	Role
	Users []string `json:"users"`
}

type seedData struct {
	Roles []seedRole       `json:"roles"`
	Users []map[string]any `json:"users"`
	recs  []*userRec
}

func loadSeed() (*seedData, error) {
	var s seedData
	if err := decodeJSON(seedJSON, &s); err != nil {
		return nil, fmt.Errorf("tenant: built-in example data: %w", err)
	}
	for _, u := range s.Users {
		r, err := newUserRec(u, nil, nil)
		if err != nil {
			return nil, fmt.Errorf("tenant: built-in example data: %w", err)
		}
		s.recs = append(s.recs, r)
	}
	return &s, nil
}

// write stores the example data in a new database.
func (s *seedData) write(tx *bolt.Tx) error {
	users := tx.Bucket(bucketUsers)
	for _, r := range s.recs {
		if err := users.Put([]byte(r.id), r.raw); err != nil {
			return err
		}
	}
	byUser := map[string][]string{}
	for _, sr := range s.Roles {
		b, err := json.Marshal(sr.Role)
		if err != nil {
			return err
		}
		if err := tx.Bucket(bucketRoles).Put([]byte(sr.ID), b); err != nil {
			return err
		}
		for _, u := range sr.Users {
			byUser[u] = append(byUser[u], sr.ID)
		}
	}
	for u, ids := range byUser {
		b, err := json.Marshal(ids)
		if err != nil {
			return err
		}
		if err := tx.Bucket(bucketUserRoles).Put([]byte(u), b); err != nil {
			return err
		}
	}
	return nil
}
