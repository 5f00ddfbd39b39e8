package tenant

import (
	"context"
	"encoding/json"
	"math"
	"net/http"
	"regexp"
	"sort"
)

// Rule is a Rules-pipeline rule as /api/v2/rules returns it.
type Rule struct {
	// ID is "rul_" followed by 16 letters and digits.
	ID string `json:"id"`
	// Name matches ^[a-zA-Z0-9]([ \-a-zA-Z0-9]*[a-zA-Z0-9])?$ and is unique in the tenant.
	Name string `json:"name"`
	// Script is the rule's source: a function expression (user, context, callback).
	Script string `json:"script"`
	// Order is unique; lower orders run first.
	Order float64 `json:"order"`
	// Enabled rules run; disabled ones are skipped.
	Enabled bool `json:"enabled"`
	// Stage is the execution stage, always "login_success" for rules created through the API.
	Stage string `json:"stage"`
}

// StageLoginSuccess is the stage of every rule created through the API.
const StageLoginSuccess = "login_success"

var ruleNamePattern = regexp.MustCompile(`^[a-zA-Z0-9]([ \-a-zA-Z0-9]*[a-zA-Z0-9])?$`)

// Rules returns every rule sorted by order (then name).
func (t *Tenant) Rules() ([]Rule, error) {
	t.mu.RLock()
	out := make([]Rule, 0, len(t.st.rules))
	for _, r := range t.st.rules {
		out = append(out, *r)
	}
	t.mu.RUnlock()
	sortRules(out)
	return out, nil
}

// EnabledRules returns the enabled rules in execution order (ascending order).
func (t *Tenant) EnabledRules() ([]Rule, error) {
	all, err := t.Rules()
	if err != nil {
		return nil, err
	}
	out := all[:0]
	for _, r := range all {
		if r.Enabled {
			out = append(out, r)
		}
	}
	return out, nil
}

func sortRules(rs []Rule) {
	sort.Slice(rs, func(i, j int) bool {
		if rs[i].Order != rs[j].Order {
			return rs[i].Order < rs[j].Order
		}
		return rs[i].Name < rs[j].Name
	})
}

func (t *Tenant) getRule(id string) (Rule, bool) {
	t.mu.RLock()
	defer t.mu.RUnlock()
	r, ok := t.st.rules[id]
	if !ok {
		return Rule{}, false
	}
	return *r, true
}

// ruleInput is a create or update request; nil fields are absent.
type ruleInput struct {
	Name    *string
	Script  *string
	Order   *float64
	Enabled *bool
}

func (in ruleInput) validate() *Error {
	if in.Name != nil && !ruleNamePattern.MatchString(*in.Name) {
		return payloadError("name", "String does not match pattern ^[a-zA-Z0-9]([ \\-a-zA-Z0-9]*[a-zA-Z0-9])?$: %q — use letters, digits, spaces and '-', not starting or ending with '-' or a space", *in.Name)
	}
	if in.Script != nil && *in.Script == "" {
		return payloadError("script", "String is too short (0 chars), minimum 1")
	}
	if in.Order != nil && (*in.Order < 0 || math.IsNaN(*in.Order) || math.IsInf(*in.Order, 0)) {
		return payloadError("order", "Value %v is less than minimum 0", *in.Order)
	}
	return nil
}

func ruleConflicts(s *state, r Rule) *Error {
	for _, o := range s.rules {
		if o.ID != r.ID && o.Name == r.Name {
			return apiError(http.StatusConflict, "conflict", "A rule with the same name already exists.")
		}
	}
	for _, o := range s.rules {
		if o.ID != r.ID && o.Order == r.Order {
			return apiError(http.StatusConflict, "conflict", "A rule with the same order already exists.")
		}
	}
	return nil
}

func (t *Tenant) createRule(ctx context.Context, in ruleInput) (Rule, error) {
	if in.Name == nil {
		return Rule{}, invalidBody("Payload validation error: 'Missing required property: name'.")
	}
	if in.Script == nil {
		return Rule{}, invalidBody("Payload validation error: 'Missing required property: script'.")
	}
	if e := in.validate(); e != nil {
		return Rule{}, e
	}
	res, err := t.write(ctx, []string{"rules"}, false, func(s *state) (*change, error) {
		r := Rule{ID: newRuleID(), Name: *in.Name, Script: *in.Script, Enabled: true, Stage: StageLoginSuccess}
		if in.Enabled != nil {
			r.Enabled = *in.Enabled
		}
		if in.Order != nil {
			r.Order = *in.Order
		} else {
			// "If no order is provided it will automatically be one greater than the current maximum."
			max := 0.0
			for _, o := range s.rules {
				max = math.Max(max, o.Order)
			}
			r.Order = math.Floor(max) + 1
		}
		if e := ruleConflicts(s, r); e != nil {
			return nil, e
		}
		return ruleChange(r)
	})
	if err != nil {
		return Rule{}, err
	}
	return res.(Rule), nil
}

func ruleChange(r Rule) (*change, error) {
	b, err := json.Marshal(r)
	if err != nil {
		return nil, err
	}
	return &change{
		puts:   []kv{put(bucketRules, r.ID, b)},
		apply:  func(s *state) { c := r; s.rules[c.ID] = &c },
		result: r,
	}, nil
}

func (t *Tenant) updateRule(ctx context.Context, id string, in ruleInput) (Rule, error) {
	if e := in.validate(); e != nil {
		return Rule{}, e
	}
	res, err := t.write(ctx, []string{"rules"}, false, func(s *state) (*change, error) {
		cur, ok := s.rules[id]
		if !ok {
			return nil, errRuleNotFound()
		}
		r := *cur
		if in.Name != nil {
			r.Name = *in.Name
		}
		if in.Script != nil {
			r.Script = *in.Script
		}
		if in.Order != nil {
			r.Order = *in.Order
		}
		if in.Enabled != nil {
			r.Enabled = *in.Enabled
		}
		if e := ruleConflicts(s, r); e != nil {
			return nil, e
		}
		return ruleChange(r)
	})
	if err != nil {
		return Rule{}, err
	}
	return res.(Rule), nil
}

// deleteRule removes a rule; deleting a rule that does not exist succeeds (the API answers 204).
func (t *Tenant) deleteRule(ctx context.Context, id string) error {
	_, err := t.write(ctx, []string{"rules"}, false, func(s *state) (*change, error) {
		if _, ok := s.rules[id]; !ok {
			return nil, nil
		}
		return &change{puts: []kv{del(bucketRules, id)}, apply: func(s *state) { delete(s.rules, id) }}, nil
	})
	return err
}
