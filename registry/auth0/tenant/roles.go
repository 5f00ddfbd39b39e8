package tenant

import (
	"context"
	"encoding/json"
	"net/http"
	"slices"
	"sort"
	"strings"
)

// Role is a role of role-based access control, as GET /api/v2/roles returns it.
type Role struct {
	ID          string `json:"id"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

func sortRoles(rs []Role) {
	sort.Slice(rs, func(i, j int) bool {
		a, b := strings.ToLower(rs[i].Name), strings.ToLower(rs[j].Name)
		if a != b {
			return a < b
		}
		return rs[i].ID < rs[j].ID
	})
}

// listRoles returns the roles whose name contains filter (case-insensitive), by name.
func (t *Tenant) listRoles(filter string) []Role {
	filter = strings.ToLower(filter)
	t.mu.RLock()
	out := make([]Role, 0, len(t.st.roles))
	for _, r := range t.st.roles {
		if filter == "" || strings.Contains(strings.ToLower(r.Name), filter) {
			out = append(out, *r)
		}
	}
	t.mu.RUnlock()
	sortRoles(out)
	return out
}

func (t *Tenant) getRole(id string) (Role, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	r, ok := t.st.roles[id]
	if !ok {
		return Role{}, false
	}
	return *r, true
}

func roleNameKey(name string) string { return "rn:" + strings.ToLower(name) }

func (s *state) roleNamed(name, exceptID string) *Role {
	for _, r := range s.roles {
		if r.ID != exceptID && strings.EqualFold(r.Name, name) {
			return r
		}
	}
	return nil
}

func validateRoleName(name string) *Error {
	if strings.TrimSpace(name) == "" {
		return payloadError("name", "String is too short (0 chars), minimum 1")
	}
	if len(name) > 255 {
		return payloadError("name", "String is too long (%d chars), maximum 255", len(name))
	}
	return nil
}

func (t *Tenant) createRole(ctx context.Context, name, description string) (Role, error) {
	if e := validateRoleName(name); e != nil {
		return Role{}, e
	}
	role := Role{ID: newRoleID(), Name: name, Description: description}
	res, err := t.write(ctx, []string{roleNameKey(name), "r:" + role.ID}, false, func(s *state) (*change, error) {
		if s.roleNamed(name, "") != nil {
			return nil, apiError(http.StatusConflict, "conflict", "The role already exists.")
		}
		b, err := json.Marshal(role)
		if err != nil {
			return nil, err
		}
		return &change{
			puts:   []kv{put(bucketRoles, role.ID, b)},
			apply:  func(s *state) { r := role; s.roles[r.ID] = &r },
			result: role,
		}, nil
	})
	if err != nil {
		return Role{}, err
	}
	return res.(Role), nil
}

func (t *Tenant) updateRole(ctx context.Context, id string, name, description *string) (Role, error) {
	keys := []string{"r:" + id}
	if name != nil {
		if e := validateRoleName(*name); e != nil {
			return Role{}, e
		}
		keys = append(keys, roleNameKey(*name))
	}
	res, err := t.write(ctx, keys, false, func(s *state) (*change, error) {
		cur, ok := s.roles[id]
		if !ok {
			return nil, errRoleNotFound(id)
		}
		next := *cur
		if name != nil {
			if s.roleNamed(*name, id) != nil {
				return nil, apiError(http.StatusConflict, "conflict", "The role already exists.")
			}
			next.Name = *name
		}
		if description != nil {
			next.Description = *description
		}
		b, err := json.Marshal(next)
		if err != nil {
			return nil, err
		}
		return &change{
			puts:   []kv{put(bucketRoles, id, b)},
			apply:  func(s *state) { r := next; s.roles[id] = &r },
			result: next,
		}, nil
	})
	if err != nil {
		return Role{}, err
	}
	return res.(Role), nil
}

// deleteRole removes a role and takes it away from every user who had it.
func (t *Tenant) deleteRole(ctx context.Context, id string) error {
	_, err := t.write(ctx, nil, true, func(s *state) (*change, error) {
		if _, ok := s.roles[id]; !ok {
			return nil, errRoleNotFound(id)
		}
		puts := []kv{del(bucketRoles, id)}
		updated := map[string][]string{}
		for uid, ids := range s.userRoles {
			if i := slices.Index(ids, id); i >= 0 {
				rest := slices.Delete(slices.Clone(ids), i, i+1)
				updated[uid] = rest
				if len(rest) == 0 {
					puts = append(puts, del(bucketUserRoles, uid))
				} else {
					b, _ := json.Marshal(rest)
					puts = append(puts, put(bucketUserRoles, uid, b))
				}
			}
		}
		return &change{puts: puts, apply: func(s *state) {
			delete(s.roles, id)
			for uid, rest := range updated {
				if len(rest) == 0 {
					delete(s.userRoles, uid)
				} else {
					s.userRoles[uid] = rest
				}
			}
		}}, nil
	})
	return err
}

// userRoles returns the roles assigned to a user, by name; ok is false if the user does not exist.
func (t *Tenant) userRoles(userID string) ([]Role, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	if _, ok := t.st.users[userID]; !ok {
		return nil, false
	}
	out := []Role{}
	for _, id := range t.st.userRoles[userID] {
		if r, ok := t.st.roles[id]; ok {
			out = append(out, *r)
		}
	}
	sortRoles(out)
	return out, true
}

// changeUserRoles assigns (add) or removes role ids from a user. Assigning an unknown role is a 404;
// removing a role the user does not have is a no-op.
func (t *Tenant) changeUserRoles(ctx context.Context, userID string, roleIDs []string, add bool) error {
	keys := []string{"u:" + userID}
	for _, id := range roleIDs {
		keys = append(keys, "r:"+id)
	}
	_, err := t.write(ctx, keys, false, func(s *state) (*change, error) {
		if _, ok := s.users[userID]; !ok {
			return nil, errUserNotFound()
		}
		cur := s.userRoles[userID]
		next := slices.Clone(cur)
		for _, id := range roleIDs {
			if add {
				if _, ok := s.roles[id]; !ok {
					return nil, errRoleNotFound(id)
				}
				if !slices.Contains(next, id) {
					next = append(next, id)
				}
			} else if i := slices.Index(next, id); i >= 0 {
				next = slices.Delete(next, i, i+1)
			}
		}
		if slices.Equal(cur, next) {
			return nil, nil
		}
		var p kv
		if len(next) == 0 {
			p = del(bucketUserRoles, userID)
		} else {
			b, err := json.Marshal(next)
			if err != nil {
				return nil, err
			}
			p = put(bucketUserRoles, userID, b)
		}
		return &change{puts: []kv{p}, apply: func(s *state) {
			if len(next) == 0 {
				delete(s.userRoles, userID)
			} else {
				s.userRoles[userID] = next
			}
		}}, nil
	})
	return err
}
