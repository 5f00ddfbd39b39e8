// Package rules loads Auth0 rules from disk in the formats rule authors keep them in.
//
// Load accepts, in any mix:
//
//   - a .js file: one rule named after the file (without .js), enabled;
//   - a directory of .js files: one rule per file, in file-name order;
//   - an auth0-deploy-cli directory: the export root (holding rules/) or its rules/ directory, where
//     each rules/*.json is {"name", "script": "./file.js", "order", "enabled", "stage"} and the script
//     path is relative to the JSON file;
//   - a single auth0-deploy-cli rule .json file as above;
//   - a Management API rules export: a .json file holding the array GET /api/v2/rules returns (or the
//     {"rules": [...]} page of include_totals=true), scripts inline.
//
// Rules without an order (plain .js files, or a JSON order of null) get one more than the highest order
// loaded so far, as the Management API does. Enabled defaults to true when a JSON rule does not say.
// Scripts are returned as written (a UTF-8 byte order mark is dropped); sandbox.Compile checks them.
// Each rule's Source is the file its script came from (the .js file, also for a deploy-cli rule), or
// EXPORT.json#name for a rule inside a Management API export.
// deploy-cli keyword replacement (@@KEY@@, ##KEY##) is not applied.
package rules

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"

	"github.com/verq/verq/sandbox"
)

// ErrNoRules means a directory holds nothing Load recognises as rules.
var ErrNoRules = errors.New("no rules found")

// Load reads rules from the given paths (see the package documentation for the formats) and returns
// them in load order. Errors name the file at fault. Rule names must be unique across all paths.
func Load(paths ...string) ([]sandbox.Rule, error) {
	if len(paths) == 0 {
		return nil, errors.New("rules: no paths given; name .js files, directories or rules exports")
	}
	l := &loader{seen: make(map[string]string)}
	for _, p := range paths {
		if err := l.path(p); err != nil {
			return nil, err
		}
	}
	return l.rules, nil
}

type loader struct {
	rules   []sandbox.Rule
	seen    map[string]string // rule name → file it came from
	maxOrd  int
	ordered bool
}

// add appends a rule; order nil means "one more than the highest so far".
func (l *loader) add(r sandbox.Rule, order *int, from string) error {
	if strings.TrimSpace(r.Name) == "" {
		return fmt.Errorf("rules: %s: a rule has no name", from)
	}
	if prev, dup := l.seen[r.Name]; dup {
		return fmt.Errorf("rules: %s: rule name %q is already used by %s; rule names must be unique", from, r.Name, prev)
	}
	if strings.TrimSpace(r.Script) == "" {
		return fmt.Errorf("rules: %s: rule %q has an empty script", from, r.Name)
	}
	if order != nil {
		r.Order = *order
	} else {
		r.Order = l.next()
	}
	if !l.ordered || r.Order > l.maxOrd {
		l.maxOrd, l.ordered = r.Order, true
	}
	l.seen[r.Name] = from
	l.rules = append(l.rules, r)
	return nil
}

func (l *loader) next() int {
	if !l.ordered {
		return 1
	}
	return l.maxOrd + 1
}

func (l *loader) path(p string) error {
	info, err := os.Stat(p)
	if err != nil {
		return fmt.Errorf("rules: %w", err)
	}
	if info.IsDir() {
		return l.dir(p)
	}
	switch strings.ToLower(filepath.Ext(p)) {
	case ".js":
		return l.jsFile(p)
	case ".json":
		return l.jsonFile(p)
	}
	return fmt.Errorf("rules: %s: unsupported file; give a .js rule, a .json rules export or deploy-cli rule, or a directory", p)
}

// jsFile loads a plain rule file.
func (l *loader) jsFile(p string) error {
	script, err := readScript(p)
	if err != nil {
		return err
	}
	name := strings.TrimSuffix(filepath.Base(p), filepath.Ext(p))
	return l.add(sandbox.Rule{Name: name, Script: script, Enabled: true, Stage: sandbox.DefaultStage, Source: p}, nil, p)
}

// dir loads a deploy-cli export root, a deploy-cli rules directory, or a directory of .js files.
func (l *loader) dir(p string) error {
	if sub := filepath.Join(p, "rules"); isDir(sub) {
		if jsons, _ := filepath.Glob(filepath.Join(sub, "*.json")); len(jsons) > 0 {
			return l.deployDir(sub, jsons)
		}
	}
	jsons, err := filepath.Glob(filepath.Join(p, "*.json"))
	if err != nil {
		return fmt.Errorf("rules: %s: %w", p, err)
	}
	if len(jsons) > 0 {
		return l.deployDir(p, jsons)
	}
	scripts, err := filepath.Glob(filepath.Join(p, "*.js"))
	if err != nil {
		return fmt.Errorf("rules: %s: %w", p, err)
	}
	if len(scripts) == 0 {
		return fmt.Errorf("rules: %s: %w (expected .js files, rules/*.json of auth0-deploy-cli, or a rules export)", p, ErrNoRules)
	}
	sort.Strings(scripts)
	for _, s := range scripts {
		if err := l.jsFile(s); err != nil {
			return err
		}
	}
	return nil
}

// deployDir loads every deploy-cli rule description of a rules directory, sorted by order then file.
func (l *loader) deployDir(dir string, jsons []string) error {
	sort.Strings(jsons)
	type item struct {
		rule  sandbox.Rule
		order *int
		from  string
	}
	var items []item
	for _, j := range jsons {
		r, order, err := readDeployRule(j)
		if err != nil {
			return err
		}
		items = append(items, item{r, order, j})
	}
	sort.SliceStable(items, func(a, b int) bool {
		oa, ob := items[a].order, items[b].order
		return oa != nil && (ob == nil || *oa < *ob)
	})
	for _, it := range items {
		if err := l.add(it.rule, it.order, it.from); err != nil {
			return err
		}
	}
	return nil
}

// apiRule is a rule as the Management API and auth0-deploy-cli describe it.
type apiRule struct {
	ID      string  `json:"id"`
	Name    string  `json:"name"`
	Script  *string `json:"script"`
	Order   *int    `json:"order"`
	Enabled *bool   `json:"enabled"`
	Stage   string  `json:"stage"`
}

func (a apiRule) rule(script string) sandbox.Rule {
	r := sandbox.Rule{ID: a.ID, Name: a.Name, Script: script, Enabled: true, Stage: a.Stage}
	if a.Enabled != nil {
		r.Enabled = *a.Enabled
	}
	if r.Stage == "" {
		r.Stage = sandbox.DefaultStage
	}
	return r
}

// readDeployRule reads one deploy-cli rule description and the script it points to.
func readDeployRule(p string) (sandbox.Rule, *int, error) {
	raw, err := os.ReadFile(p)
	if err != nil {
		return sandbox.Rule{}, nil, fmt.Errorf("rules: %w", err)
	}
	var a apiRule
	if err := decodeJSON(raw, &a); err != nil {
		return sandbox.Rule{}, nil, fmt.Errorf("rules: %s: not an auth0-deploy-cli rule description: %w", p, err)
	}
	if a.Script == nil || *a.Script == "" {
		return sandbox.Rule{}, nil, fmt.Errorf("rules: %s: \"script\" is missing; it names the rule's .js file, e.g. \"./%s.js\"", p, a.Name)
	}
	scriptPath := *a.Script
	if !filepath.IsAbs(scriptPath) {
		scriptPath = filepath.Join(filepath.Dir(p), scriptPath)
	}
	script, err := readScript(scriptPath)
	if err != nil {
		return sandbox.Rule{}, nil, fmt.Errorf("rules: %s: script %q: %w", p, *a.Script, errors.Unwrap(err))
	}
	r := a.rule(script)
	r.Source = scriptPath
	return r, a.Order, nil
}

// jsonFile loads a Management API export or a single deploy-cli rule description.
func (l *loader) jsonFile(p string) error {
	raw, err := os.ReadFile(p)
	if err != nil {
		return fmt.Errorf("rules: %w", err)
	}
	trimmed := bytes.TrimSpace(bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf")))
	var list []apiRule
	switch {
	case len(trimmed) > 0 && trimmed[0] == '[':
		if err := decodeJSON(trimmed, &list); err != nil {
			return fmt.Errorf("rules: %s: not a Management API rules export: %w", p, err)
		}
	case len(trimmed) > 0 && trimmed[0] == '{':
		var probe map[string]json.RawMessage
		if err := json.Unmarshal(trimmed, &probe); err != nil {
			return fmt.Errorf("rules: %s: invalid JSON: %w", p, err)
		}
		if page, ok := probe["rules"]; ok {
			if err := decodeJSON(page, &list); err != nil {
				return fmt.Errorf("rules: %s: \"rules\" is not a list of rules: %w", p, err)
			}
			break
		}
		r, order, err := readDeployRule(p)
		if err != nil {
			return err
		}
		return l.add(r, order, p)
	default:
		return fmt.Errorf("rules: %s: expected a JSON array of rules (GET /api/v2/rules) or a deploy-cli rule object", p)
	}
	if len(list) == 0 {
		return fmt.Errorf("rules: %s: %w (the export is empty)", p, ErrNoRules)
	}
	for i, a := range list {
		from := fmt.Sprintf("%s[%d]", p, i)
		if a.Script == nil {
			return fmt.Errorf("rules: %s: rule %q has no \"script\"", from, a.Name)
		}
		r := a.rule(stripBOM(*a.Script))
		r.Source = p + "#" + a.Name
		if err := l.add(r, a.Order, from); err != nil {
			return err
		}
	}
	return nil
}

// decodeJSON decodes exactly one JSON value (unknown fields are ignored).
func decodeJSON(raw []byte, v any) error {
	dec := json.NewDecoder(bytes.NewReader(bytes.TrimPrefix(raw, []byte("\xef\xbb\xbf"))))
	if err := dec.Decode(v); err != nil {
		return err
	}
	if dec.More() {
		return errors.New("unexpected data after the JSON value")
	}
	return nil
}

func readScript(p string) (string, error) {
	b, err := os.ReadFile(p)
	if err != nil {
		return "", fmt.Errorf("rules: %w", err)
	}
	return stripBOM(string(b)), nil
}

func stripBOM(s string) string { return strings.TrimPrefix(s, "\ufeff") }

func isDir(p string) bool {
	info, err := os.Stat(p)
	return err == nil && info.IsDir()
}
