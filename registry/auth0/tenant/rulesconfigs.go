package tenant

import (
	"context"
	"regexp"
	"sort"
)

var configKeyPattern = regexp.MustCompile(`^[A-Za-z0-9_\-@*+:]*$`)

// Configuration returns the rules-configs values: the `configuration` object rules see. The map is
// a copy.
func (t *Tenant) Configuration() (map[string]string, error) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	out := make(map[string]string, len(t.st.configs))
	for k, v := range t.st.configs {
		out[k] = v
	}
	return out, nil
}

// configKeys returns the keys, sorted (the API never returns values).
func (t *Tenant) configKeys() []string {
	t.mu.RLock()
	keys := make([]string, 0, len(t.st.configs))
	for k := range t.st.configs {
		keys = append(keys, k)
	}
	t.mu.RUnlock()
	sort.Strings(keys)
	return keys
}

func validateConfigKey(key string) *Error {
	switch {
	case key == "":
		return badRequest("invalid_uri", "Path validation error: 'String is too short (0 chars), minimum 1' on property key.")
	case len(key) > 127:
		return badRequest("invalid_uri", "Path validation error: 'String is too long (%d chars), maximum 127' on property key.", len(key))
	case !configKeyPattern.MatchString(key):
		return badRequest("invalid_uri", "Path validation error: 'String does not match pattern ^[A-Za-z0-9_\\-@*+:]*$' on property key (%q; use letters, digits and _ - @ * + :).", key)
	}
	return nil
}

func (t *Tenant) setConfig(ctx context.Context, key, value string) error {
	if e := validateConfigKey(key); e != nil {
		return e
	}
	_, err := t.write(ctx, []string{"c:" + key}, false, func(s *state) (*change, error) {
		return &change{
			puts:  []kv{put(bucketConfigs, key, []byte(value))},
			apply: func(s *state) { s.configs[key] = value },
		}, nil
	})
	return err
}

// deleteConfig removes a key; removing a missing key succeeds (204), as in the API.
func (t *Tenant) deleteConfig(ctx context.Context, key string) error {
	if e := validateConfigKey(key); e != nil {
		return e
	}
	_, err := t.write(ctx, []string{"c:" + key}, false, func(s *state) (*change, error) {
		if _, ok := s.configs[key]; !ok {
			return nil, nil
		}
		return &change{puts: []kv{del(bucketConfigs, key)}, apply: func(s *state) { delete(s.configs, key) }}, nil
	})
	return err
}
