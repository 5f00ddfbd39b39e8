// Command gen builds the auth0 ManagementClient endpoint table (internal/spec/table.json) from the
// observed reference (one versions/auth0-<v>.json per probed npm version) plus a small hand-written
// overlay for what the probe could not observe (manager-only methods, validations beyond the first
// required parameter).
//
//	go run ./internal/gen -ref <reference dir> -overlay internal/gen/overlay.json -out internal/spec/table.json
//
// The reference directory defaults to $VERQ_AUTH0_REFERENCE, then to the shared reference checkout
// next to the repository.
package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strconv"
	"strings"

	"github.com/verq/verq/registry/auth0/internal/spec"
)

func main() {
	def := os.Getenv("VERQ_AUTH0_REFERENCE")
	if def == "" {
		def = "../../../../../shared/reference/auth0-management-client"
	}
	ref := flag.String("ref", def, "directory holding versions/auth0-<v>.json")
	overlay := flag.String("overlay", "../gen/overlay.json", "hand-written overlay (JSON)")
	out := flag.String("out", "table.json", "output file")
	flag.Parse()
	if err := run(*ref, *overlay, *out); err != nil {
		slog.Error("gen failed", "err", err)
		os.Exit(1)
	}
}

func run(refDir, overlayPath, out string) error {
	versions, err := loadVersions(refDir)
	if err != nil {
		return err
	}
	ov, err := loadOverlay(overlayPath)
	if err != nil {
		return err
	}
	table, err := build(versions, ov)
	if err != nil {
		return err
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	enc.SetIndent("", " ")
	if err := enc.Encode(table); err != nil {
		return err
	}
	return os.WriteFile(out, buf.Bytes(), 0o644)
}

// refVersion is the part of a versions/auth0-<v>.json file the generator reads.
type refVersion struct {
	Version         string                `json:"version"`
	PrototypeNames  []string              `json:"prototypeNames"`
	InstanceOwnKeys []string              `json:"instanceOwnKeys"`
	Managers        map[string]refManager `json:"managers"`
	Methods         map[string]refMethod  `json:"methods"`
	Headers         struct {
		Auth0ClientDecoded struct {
			Dependencies []spec.Dependency `json:"dependencies"`
		} `json:"auth0ClientDecoded"`
	} `json:"headers"`
}

type refManager struct {
	Class     string            `json:"class"`
	Methods   []string          `json:"methods"`
	Templates map[string]string `json:"resourceUrlTemplates"`
}

type refMethod struct {
	DelegatesTo            *string  `json:"delegatesTo"`
	PropertyAccess         *string  `json:"propertyAccess"`
	ArgNames               []string `json:"argNames"`
	Verb                   *string  `json:"verb"`
	Path                   *string  `json:"path"`
	PathParams             []string `json:"pathParams"`
	QueryParams            []string `json:"queryParams"`
	BodyFrom               *string  `json:"bodyFrom"`
	Sync                   bool     `json:"sync"`
	PromiseStyleThrowsSync string   `json:"promiseStyleThrowsSync"`
	ResolvesTo             *struct {
		Ctor string   `json:"ctor"`
		Keys []string `json:"keys"`
	} `json:"resolvesTo"`
	CalledWithNoArgs *struct {
		PromiseStyle string `json:"promiseStyle"`
		CallbackOnly string `json:"callbackOnly"`
	} `json:"calledWithNoArgs"`
	ClientCredentialsMode *struct {
		Verb       string `json:"verb"`
		Path       string `json:"path"`
		ResolvesTo *struct {
			Ctor string   `json:"ctor"`
			Keys []string `json:"keys"`
		} `json:"resolvesTo"`
	} `json:"clientCredentialsMode"`
}

func loadVersions(dir string) ([]*refVersion, error) {
	files, err := filepath.Glob(filepath.Join(dir, "versions", "auth0-*.json"))
	if err != nil {
		return nil, err
	}
	var out []*refVersion
	for _, f := range files {
		v := strings.TrimSuffix(strings.TrimPrefix(filepath.Base(f), "auth0-"), ".json")
		if !strings.HasPrefix(v, "2.") && !strings.HasPrefix(v, "3.") {
			continue // 0.8.x and 4.x+ are different libraries
		}
		b, err := os.ReadFile(f)
		if err != nil {
			return nil, err
		}
		var rv refVersion
		if err := json.Unmarshal(b, &rv); err != nil {
			return nil, fmt.Errorf("%s: %w", f, err)
		}
		out = append(out, &rv)
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("no versions/auth0-2.*.json under %s: pass -ref or set VERQ_AUTH0_REFERENCE", dir)
	}
	sort.Slice(out, func(i, j int) bool { return versionLess(out[i].Version, out[j].Version) })
	return out, nil
}

func versionLess(a, b string) bool {
	pa, pb := strings.Split(a, "."), strings.Split(b, ".")
	for i := 0; i < len(pa) && i < len(pb); i++ {
		x, _ := strconv.Atoi(pa[i])
		y, _ := strconv.Atoi(pb[i])
		if x != y {
			return x < y
		}
	}
	return len(pa) < len(pb)
}

// overlay is the hand-written complement of the reference.
type overlay struct {
	// Checks replaces the derived validations of an endpoint in every range.
	Checks map[string][]spec.Check `json:"checks"`
	// ExtraChecks are appended to the derived validations.
	ExtraChecks map[string][]spec.Check `json:"extraChecks"`
	// Derived defines manager methods no probed version exposes as a flat method.
	Derived map[string]spec.EndpointRange `json:"derived"`
}

func loadOverlay(path string) (*overlay, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	var ov overlay
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&ov); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return &ov, nil
}

// build turns per-version observations into ranged records.
func build(vs []*refVersion, ov *overlay) (*spec.Table, error) {
	t := &spec.Table{About: "npm auth0 2.x/3.x ManagementClient surface, generated by registry/auth0/internal/gen from the observed reference; do not edit"}
	// Per-version records, keyed by flat name / endpoint id / manager name.
	flat := make([]map[string]*spec.FlatRange, len(vs))
	eps := make([]map[string]*spec.EndpointRange, len(vs))
	mgrs := make([]map[string]*spec.ManagerRange, len(vs))
	var flatOrder, mgrOrder []string
	for i, v := range vs {
		facts := spec.VersionFacts{Version: v.Version, TelemetryDeps: v.Headers.Auth0ClientDecoded.Dependencies}
		t.Versions = append(t.Versions, facts)
		flat[i], eps[i], mgrs[i] = map[string]*spec.FlatRange{}, map[string]*spec.EndpointRange{}, map[string]*spec.ManagerRange{}
		var names []string
		for _, n := range v.PrototypeNames {
			if n != "constructor" {
				names = append(names, n)
			}
		}
		flatOrder = mergeOrder(flatOrder, names)
		var mnames []string
		for _, n := range v.InstanceOwnKeys {
			if _, ok := v.Managers[n]; ok {
				mnames = append(mnames, n)
			}
		}
		mgrOrder = mergeOrder(mgrOrder, mnames)
		for _, n := range mnames {
			m := v.Managers[n]
			mgrs[i][n] = &spec.ManagerRange{Class: m.Class, Methods: append([]string(nil), m.Methods...)}
		}
		for _, n := range names {
			m, ok := v.Methods[n]
			if !ok {
				return nil, fmt.Errorf("%s: prototype member %s has no methods entry", v.Version, n)
			}
			fr, ep, err := observe(v, n, m)
			if err != nil {
				return nil, fmt.Errorf("%s %s: %w", v.Version, n, err)
			}
			flat[i][n] = fr
			if ep != nil {
				if old, ok := eps[i][fr.Endpoint]; ok && !sameJSON(old, ep) {
					return nil, fmt.Errorf("%s: two flat methods observe %s differently", v.Version, fr.Endpoint)
				}
				eps[i][fr.Endpoint] = ep
			}
		}
	}
	if err := fillManagerOnly(vs, mgrs, eps, ov); err != nil {
		return nil, err
	}
	for i := range vs {
		for id, ep := range eps[i] {
			applyOverlayChecks(id, ep, ov)
		}
	}
	for _, n := range flatOrder {
		t.Flat = append(t.Flat, spec.Flat{Name: n, Ranges: values(compress(vs, func(i int) *spec.FlatRange { return flat[i][n] }))})
	}
	var ids []string
	seen := map[string]bool{}
	for i := range vs {
		for id := range eps[i] {
			if !seen[id] {
				seen[id] = true
				ids = append(ids, id)
			}
		}
	}
	sort.Strings(ids)
	for _, id := range ids {
		t.Endpoints = append(t.Endpoints, spec.Endpoint{ID: id, Ranges: values(compress(vs, func(i int) *spec.EndpointRange { return eps[i][id] }))})
	}
	for _, n := range mgrOrder {
		t.Managers = append(t.Managers, spec.Manager{Name: n, Ranges: values(compress(vs, func(i int) *spec.ManagerRange { return mgrs[i][n] }))})
	}
	return t, nil
}

// mergeOrder inserts names missing from order right after their predecessor in names.
func mergeOrder(order, names []string) []string {
	pos := func(s string) int {
		for i, o := range order {
			if o == s {
				return i
			}
		}
		return -1
	}
	for i, n := range names {
		if pos(n) >= 0 {
			continue
		}
		at := 0
		if i > 0 {
			at = pos(names[i-1]) + 1
		}
		order = append(order[:at], append([]string{n}, order[at:]...)...)
	}
	return order
}

type ranged interface {
	*spec.FlatRange | *spec.EndpointRange | *spec.ManagerRange
}

// compress merges consecutive probed versions whose records are equal into ranges.
func compress[T ranged](vs []*refVersion, at func(int) T) []T {
	var out []T
	var cur T
	var curJSON string
	for i := range vs {
		r := at(i)
		if r == nil {
			cur, curJSON = nil, ""
			continue
		}
		setRange(r, spec.Range{})
		j := mustJSON(r)
		if cur != nil && j == curJSON {
			extendRange(cur, vs[i].Version)
			continue
		}
		c := r
		setRange(c, spec.Range{First: vs[i].Version, Last: vs[i].Version})
		out = append(out, c)
		cur, curJSON = c, j
	}
	return out
}

func values[T any](ps []*T) []T {
	out := make([]T, len(ps))
	for i, p := range ps {
		out[i] = *p
	}
	return out
}

func setRange(r any, rg spec.Range) {
	switch x := r.(type) {
	case *spec.FlatRange:
		x.Range = rg
	case *spec.EndpointRange:
		x.Range = rg
	case *spec.ManagerRange:
		x.Range = rg
	}
}

func extendRange(r any, last string) {
	switch x := r.(type) {
	case *spec.FlatRange:
		x.Last = last
	case *spec.EndpointRange:
		x.Last = last
	case *spec.ManagerRange:
		x.Last = last
	}
}

func mustJSON(v any) string {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return string(b)
}

func sameJSON(a, b any) bool { return mustJSON(a) == mustJSON(b) }

var argRoles = map[string]string{
	"params": spec.ArgParams, "data": spec.ArgData, "metadata": spec.ArgMetadata, "token": spec.ArgToken,
	"template": spec.ArgTemplate, "userId": spec.ArgUserID, "email": spec.ArgEmail,
}

// observe turns one probed flat method into its flat record and, when it delegates to a working
// manager method, the endpoint record.
func observe(v *refVersion, name string, m refMethod) (*spec.FlatRange, *spec.EndpointRange, error) {
	switch {
	case m.Sync:
		return &spec.FlatRange{Access: spec.AccessClientInfo}, nil, nil
	case name == "getAccessToken":
		return &spec.FlatRange{Access: spec.AccessToken}, nil, nil
	case m.PropertyAccess != nil && *m.PropertyAccess == "throws":
		target := brokenTarget(name)
		if target == "" {
			return nil, nil, fmt.Errorf("property access throws but the broken target is unknown: extend brokenTarget")
		}
		return &spec.FlatRange{Access: spec.AccessThrows, Endpoint: target}, nil, nil
	case m.DelegatesTo == nil:
		return nil, nil, fmt.Errorf("no delegatesTo")
	}
	id := *m.DelegatesTo
	ep := &spec.EndpointRange{}
	for _, a := range m.ArgNames {
		role, ok := argRoles[a]
		if !ok {
			return nil, nil, fmt.Errorf("unknown argument name %q", a)
		}
		ep.Args = append(ep.Args, role)
	}
	switch id {
	case "users.deleteAll":
		ep.Kind = spec.KindDeleteAll
	case "users.getByEmail":
		ep.Kind = spec.KindByEmail
	case "jobs.importUsers", "jobs.importUsersJob":
		ep.Kind = spec.KindImport
	}
	verb, path := deref(m.Verb), deref(m.Path)
	resolves := m.ResolvesTo
	if verb == "" && m.ClientCredentialsMode != nil {
		verb, path, resolves = m.ClientCredentialsMode.Verb, m.ClientCredentialsMode.Path, m.ClientCredentialsMode.ResolvesTo
		if strings.Contains(m.PromiseStyleThrowsSync, "getAccessToken") {
			ep.TokenModeThrows = "Cannot read properties of undefined (reading 'getAccessToken')"
		}
	}
	if verb == "" || path == "" {
		return nil, nil, fmt.Errorf("no verb/path observed")
	}
	ep.Verb, ep.Path = verb, path
	if mgr, ok := v.Managers[strings.Split(id, ".")[0]]; ok {
		ep.Path, ep.Fixed = fixedParams(mgr, path, m.PathParams)
	}
	switch b := deref(m.BodyFrom); b {
	case "":
	case "data", "params", "token", "template":
		ep.Body, ep.BodyArg = spec.BodyData, b
	case "{} (empty object)":
		ep.Body = spec.BodyEmpty
	case "{ app_metadata: metadata }":
		ep.Body = spec.BodyAppMetadata
	case "{ user_metadata: metadata }":
		ep.Body = spec.BodyUserMetadata
	case "params.body":
		ep.Body = spec.BodyParamsBody
		leaks := false
		for _, q := range m.QueryParams {
			leaks = leaks || strings.HasPrefix(q, "body[")
		}
		if !leaks {
			ep.QueryExclude = []string{"body"}
		}
	case "non-JSON body (see example_request)":
		ep.Body = spec.BodyMultipart
	default:
		return nil, nil, fmt.Errorf("unknown bodyFrom %q", b)
	}
	if ep.Kind == spec.KindImport {
		if ep.TokenModeThrows != "" || ep.Body == "" {
			ep.Body = spec.BodyMultipart
		}
		if resolves != nil && (resolves.Ctor == "Response" || resolves.Ctor == "IncomingMessage" || contains(resolves.Keys, "statusText")) {
			ep.Result = "response"
		}
	}
	if m.CalledWithNoArgs != nil {
		var err error
		if ep.NoArgs, err = parseOutcome(m.CalledWithNoArgs.PromiseStyle); err != nil {
			return nil, nil, err
		}
		if ep.CallbackOnly, err = parseOutcome(m.CalledWithNoArgs.CallbackOnly); err != nil {
			return nil, nil, err
		}
	}
	ep.Checks = deriveChecks(ep)
	return &spec.FlatRange{Access: spec.AccessMethod, Endpoint: id}, ep, nil
}

// brokenTarget names a manager method that does not exist, for the wrapper bugs of the reference
// (SUMMARY §4): reading such a getter throws because manager[method] is undefined.
func brokenTarget(name string) string {
	switch {
	case strings.HasPrefix(name, "updateClientGrant"):
		return "clientGrants." + name
	case strings.Contains(name, "Guardian"):
		return "guardian." + name
	}
	return ""
}

// fixedParams recognises paths the manager completes itself, such as /stats/daily from the
// template /stats/:type.
func fixedParams(mgr refManager, path string, pathParams []string) (string, map[string]string) {
	for _, tpl := range mgr.Templates {
		i := strings.Index(tpl, ":type")
		if i < 0 || contains(pathParams, "type") {
			continue
		}
		if strings.HasPrefix(path, tpl[:i]) && len(path) > i && !strings.Contains(path[i:], "/") {
			return tpl, map[string]string{"type": path[i:]}
		}
	}
	return path, nil
}

var outcomeRE = regexp.MustCompile(`^(throws|rejects) (\w+)(?: \(name "(\w+)"\))?: (.*)$`)

func parseOutcome(s string) (*spec.Outcome, error) {
	switch {
	case s == "":
		return nil, nil
	case strings.HasPrefix(s, "sends "):
		f := strings.Fields(s)
		if len(f) != 3 || !strings.HasPrefix(f[2], "/api/v2") {
			return nil, fmt.Errorf("bad outcome %q", s)
		}
		return &spec.Outcome{Kind: spec.OutcomeSends, Verb: f[1], Path: strings.TrimPrefix(f[2], "/api/v2")}, nil
	case strings.HasPrefix(s, "callback(err): "):
		return &spec.Outcome{Kind: spec.OutcomeCallbackErr, Class: "ArgumentError", Message: strings.TrimPrefix(s, "callback(err): ")}, nil
	case s == "callback never called":
		return &spec.Outcome{Kind: spec.OutcomeNever}, nil
	case s == "resolves without request":
		return &spec.Outcome{Kind: spec.OutcomeResolves}, nil
	}
	m := outcomeRE.FindStringSubmatch(s)
	if m == nil {
		return nil, fmt.Errorf("bad outcome %q", s)
	}
	kind := spec.OutcomeThrows
	if m[1] == "rejects" {
		kind = spec.OutcomeRejects
	}
	return &spec.Outcome{Kind: kind, Class: m[2], Name: m[3], Message: m[4]}, nil
}

var readingRE = regexp.MustCompile(`^Cannot read properties of undefined \(reading '(\w+)'\)$`)

// deriveChecks infers the manager's validations from the degenerate-call outcomes: the check that
// made a no-argument call throw also guards calls with arguments.
func deriveChecks(ep *spec.EndpointRange) []spec.Check {
	p, c := ep.NoArgs, ep.CallbackOnly
	if p == nil || p.Kind != spec.OutcomeThrows || ep.Kind != spec.KindREST || len(ep.Args) == 0 {
		return nil
	}
	var out []spec.Check
	if m := readingRE.FindStringSubmatch(p.Message); m != nil && p.Class == "TypeError" {
		out = append(out, spec.Check{Arg: 0, Key: m[1], Rule: spec.CheckDeref})
		if c != nil && c.Kind == spec.OutcomeThrows && c.Class == "ArgumentError" {
			out = append(out, spec.Check{Arg: 0, Key: m[1], Rule: spec.CheckPresent, Message: c.Message})
		}
		return out
	}
	if p.Class != "ArgumentError" {
		return nil
	}
	if ep.Args[0] == spec.ArgUserID {
		out = append(out, spec.Check{Arg: 0, Rule: spec.CheckPresent, Message: p.Message})
		if c != nil && c.Kind == spec.OutcomeThrows && c.Message != p.Message {
			out = append(out, spec.Check{Arg: 0, Rule: spec.CheckString, Message: c.Message})
		}
		return out
	}
	if key := firstPathKey(ep.Path); key != "" && ep.Args[0] == spec.ArgParams {
		return []spec.Check{{Arg: 0, Key: key, Rule: spec.CheckPresentString, Message: p.Message}}
	}
	return nil
}

func firstPathKey(path string) string {
	for _, seg := range strings.Split(path, "/") {
		if strings.HasPrefix(seg, ":") {
			return seg[1:]
		}
	}
	return ""
}

// fillManagerOnly gives every manager method listed in a version an endpoint record: the one a
// flat method observed in the nearest version, else the overlay's derived definition.
func fillManagerOnly(vs []*refVersion, mgrs []map[string]*spec.ManagerRange, eps []map[string]*spec.EndpointRange, ov *overlay) error {
	for i := range vs {
		for mname, mr := range mgrs[i] {
			for _, meth := range mr.Methods {
				id := mname + "." + meth
				if _, ok := eps[i][id]; ok {
					continue
				}
				if near := nearest(eps, i, id); near != nil {
					cp := *near
					cp.Derived = true
					eps[i][id] = &cp
					continue
				}
				d, ok := ov.Derived[id]
				if !ok {
					return fmt.Errorf("%s: manager method %s has no observed or overlay definition", vs[i].Version, id)
				}
				cp := d
				cp.Derived = true
				eps[i][id] = &cp
			}
		}
	}
	for id := range ov.Derived {
		found := false
		for i := range vs {
			if ep, ok := eps[i][id]; ok && ep.Derived {
				found = true
			}
		}
		if !found {
			return fmt.Errorf("overlay derived %s is not listed by any manager", id)
		}
	}
	return nil
}

func nearest(eps []map[string]*spec.EndpointRange, i int, id string) *spec.EndpointRange {
	for d := 1; d < len(eps); d++ {
		for _, j := range []int{i + d, i - d} {
			if j >= 0 && j < len(eps) {
				if ep, ok := eps[j][id]; ok && !ep.Derived {
					return ep
				}
			}
		}
	}
	return nil
}

func applyOverlayChecks(id string, ep *spec.EndpointRange, ov *overlay) {
	if cs, ok := ov.Checks[id]; ok {
		ep.Checks = append([]spec.Check(nil), cs...)
	}
	if cs, ok := ov.ExtraChecks[id]; ok && len(ep.Checks) > 0 {
		ep.Checks = append(append([]spec.Check(nil), ep.Checks...), cs...)
	}
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

func contains(xs []string, s string) bool {
	for _, x := range xs {
		if x == s {
			return true
		}
	}
	return false
}
