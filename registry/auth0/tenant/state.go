package tenant

import (
	"slices"
	"sort"
	"strings"
)

// state is the in-memory copy of the committed database. Only the committer goroutine mutates it,
// under Tenant.mu; readers hold Tenant.mu for reading. Records are immutable once stored.
type state struct {
	users     map[string]*userRec
	sorted    []*userRec            // default listing order: created_at, then user_id
	byEmail   map[string][]*userRec // lower-cased email -> users (one per connection)
	userRoles map[string][]string   // user_id -> role ids
	roles     map[string]*Role
	rules     map[string]*Rule
	configs   map[string]string
	clients   map[string]*client
}

func newState() *state {
	return &state{
		users:     map[string]*userRec{},
		byEmail:   map[string][]*userRec{},
		userRoles: map[string][]string{},
		roles:     map[string]*Role{},
		rules:     map[string]*Rule{},
		configs:   map[string]string{},
		clients:   map[string]*client{},
	}
}

func userLess(a, b *userRec) bool {
	if a.created != b.created {
		return a.created < b.created
	}
	return a.id < b.id
}

// sortedIndex returns the position of r (or where it belongs) in s.sorted.
func (s *state) sortedIndex(r *userRec) int {
	return sort.Search(len(s.sorted), func(i int) bool { return !userLess(s.sorted[i], r) })
}

// putUser inserts or replaces a user and keeps the indexes in step.
func (s *state) putUser(r *userRec) {
	if old, ok := s.users[r.id]; ok {
		s.unindex(old)
	}
	s.users[r.id] = r
	i := s.sortedIndex(r)
	s.sorted = slices.Insert(s.sorted, i, r)
	if r.email != "" {
		s.byEmail[r.email] = append(s.byEmail[r.email], r)
	}
}

// removeUser deletes a user and its role assignments.
func (s *state) removeUser(id string) {
	if old, ok := s.users[id]; ok {
		s.unindex(old)
		delete(s.users, id)
	}
	delete(s.userRoles, id)
}

func (s *state) unindex(old *userRec) {
	i := s.sortedIndex(old)
	for i < len(s.sorted) && s.sorted[i].id != old.id {
		i++
	}
	if i < len(s.sorted) {
		s.sorted = slices.Delete(s.sorted, i, i+1)
	}
	if old.email != "" {
		k := old.email
		list := s.byEmail[k]
		for j, u := range list {
			if u.id == old.id {
				list = slices.Delete(slices.Clone(list), j, j+1)
				break
			}
		}
		if len(list) == 0 {
			delete(s.byEmail, k)
		} else {
			s.byEmail[k] = list
		}
	}
}

// rebuildSorted recomputes the default order after bulk loads.
func (s *state) rebuildSorted() {
	s.sorted = s.sorted[:0]
	for _, r := range s.users {
		s.sorted = append(s.sorted, r)
	}
	sort.Slice(s.sorted, func(i, j int) bool { return userLess(s.sorted[i], s.sorted[j]) })
}

// emailTaken returns the user other than exceptID holding email in connection conn.
func (s *state) emailTaken(email, conn, exceptID string) *userRec {
	for _, u := range s.byEmail[strings.ToLower(email)] {
		if u.id != exceptID && u.conn == conn {
			return u
		}
	}
	return nil
}

// phoneTaken returns the user other than exceptID holding phone in connection conn.
func (s *state) phoneTaken(phone, conn, exceptID string) *userRec {
	for _, u := range s.sorted {
		if u.phone == phone && u.conn == conn && u.id != exceptID {
			return u
		}
	}
	return nil
}

// usernameTaken returns the user other than exceptID holding username in connection conn.
func (s *state) usernameTaken(username, conn, exceptID string) *userRec {
	for _, u := range s.sorted {
		if u.username == username && u.conn == conn && u.id != exceptID {
			return u
		}
	}
	return nil
}
