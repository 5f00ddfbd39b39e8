package catalog

import (
	"errors"
	"fmt"
	"time"

	"go.etcd.io/bbolt"
)

// modSpec is one module as a list or the built-in file describes it.
type modSpec struct {
	name     string
	core     bool // versions holds the "native" entry
	homepage string
	notes    string
	def      string // default package version; "" when the spec lists none
	versions []verSpec
	entry    int // index of the module's first list entry, for messages
}

type verSpec struct {
	version string // canonical
	note    string // e.g. "imported from range ~0.9.0"
}

func (sp *modSpec) has(version string) bool {
	for _, v := range sp.versions {
		if v.version == version {
			return true
		}
	}
	return false
}

// listSpecs groups a list's entries into modules in first-appearance order. A name may be listed
// both as "native" and with package versions: the module is then core and a package. A module's
// first listed package version becomes its default. Ranges are replaced by the lowest version they
// name.
func listSpecs(l *List) ([]modSpec, []string, error) {
	var specs []modSpec
	var notes []string
	index := make(map[string]int, len(l.Entries))
	for i, e := range l.Entries {
		where := fmt.Sprintf("entry %d (%q)", i, e.Name)
		core := e.Version == NativeVersion
		if err := ValidateName(e.Name, core); err != nil {
			return nil, nil, fmt.Errorf("%s: %w", where, err)
		}
		version, note := e.Version, ""
		if !core {
			c, err := CanonicalVersion(e.Version)
			if err != nil {
				low, rerr := lowestInRange(e.Version)
				if rerr != nil {
					return nil, nil, fmt.Errorf("%s: %w", where, rerr)
				}
				c, note = low, "imported from range "+e.Version
				notes = append(notes, fmt.Sprintf("%s: range %s imported as %s", e.Name, e.Version, low))
			}
			version = c
		}
		k, ok := index[e.Name]
		if !ok {
			k = len(specs)
			index[e.Name] = k
			specs = append(specs, modSpec{name: e.Name, entry: i})
		}
		sp := &specs[k]
		if sp.homepage == "" {
			sp.homepage = e.Homepage
		}
		if sp.has(version) {
			notes = append(notes, fmt.Sprintf("%s@%s is listed more than once (entry %d); kept once", e.Name, version, i))
			continue
		}
		sp.versions = append(sp.versions, verSpec{version: version, note: note})
		if core {
			sp.core = true
		} else if sp.def == "" {
			sp.def = version
		}
	}
	return specs, notes, nil
}

// importMode says how a plan treats existing data.
type importMode struct {
	replace      bool          // remove what the specs lack
	keepDefaults bool          // never move an existing module's default (built-in updates)
	create       runtimeRecord // the runtime record written if the runtime is created
	nodeVersion  string        // update an existing runtime's node_version to this, if set
	source       string        // for history details, e.g. "canirequire list"
}

// plan is the full effect of an import, computed in any transaction and applied in a writable one.
type plan struct {
	runtime string
	mode    importMode
	now     time.Time
	detail  string // history detail naming the source
	diff    Diff
	create  *runtimeRecord
	update  *runtimeRecord
	puts    []*Module
	deletes []string
	history []Change
}

// makePlan computes what applying specs to runtime would change. It only reads tx.
func makePlan(tx *bbolt.Tx, runtime string, specs []modSpec, mode importMode, now time.Time) (*plan, error) {
	p := &plan{runtime: runtime, diff: Diff{Runtime: runtime}, mode: mode, now: now, detail: "by " + mode.source}
	b := runtimeBucket(tx, runtime)
	if err := p.planRuntime(b); err != nil {
		return nil, err
	}
	listed := make(map[string]bool, len(specs))
	for i := range specs {
		sp := &specs[i]
		listed[sp.name] = true
		if b == nil {
			p.planNew(sp)
			continue
		}
		cur, exists, err := getModule(b, sp.name)
		if err != nil {
			return nil, err
		}
		if !exists {
			p.planNew(sp)
			continue
		}
		if err := p.planExisting(sp, &cur); err != nil {
			return nil, err
		}
	}
	if mode.replace && b != nil {
		if err := p.planRemovals(b, listed); err != nil {
			return nil, err
		}
	}
	if !p.diff.Empty() {
		p.hist("import", "", "", p.diff.Summary()+" "+p.detail)
	}
	return p, nil
}

func (p *plan) hist(action, module, version, detail string) {
	p.history = append(p.history, Change{Runtime: p.runtime, Action: action, Module: module, Version: version, Detail: detail})
}

// planRuntime creates the runtime or updates its node_version.
func (p *plan) planRuntime(b *bbolt.Bucket) error {
	d := &p.diff
	if b == nil {
		rec := p.mode.create
		rec.Created = p.now
		p.create = &rec
		d.CreatedRuntime = true
		p.hist("create-runtime", "", "", fmt.Sprintf("%s (node_version %q)", p.detail, rec.NodeVersion))
		return nil
	}
	if p.mode.nodeVersion == "" {
		return nil
	}
	rec, err := readRuntimeRecord(p.runtime, b)
	if err != nil {
		return err
	}
	if rec.NodeVersion != p.mode.nodeVersion {
		d.InfoChanges = append(d.InfoChanges, fmt.Sprintf("node_version: %q -> %q", rec.NodeVersion, p.mode.nodeVersion))
		p.hist("info", "", "", fmt.Sprintf("node_version %q -> %q %s", rec.NodeVersion, p.mode.nodeVersion, p.detail))
		rec.NodeVersion = p.mode.nodeVersion
		p.update = &rec
	}
	return nil
}

// planNew adds a module the runtime lacks.
func (p *plan) planNew(sp *modSpec) {
	m := &Module{Name: sp.name, Core: sp.core, Default: sp.def, Homepage: sp.homepage, Notes: sp.notes,
		Versions: make([]Version, 0, len(sp.versions))}
	p.diff.AddedModules = append(p.diff.AddedModules, sp.name)
	for _, v := range sp.versions {
		m.Versions = append(m.Versions, Version{Version: v.version, Status: StatusAllowed, Note: v.note, Added: p.now})
		p.diff.AddedVersions = append(p.diff.AddedVersions, sp.name+"@"+v.version)
		p.hist("add", sp.name, v.version, p.detail)
	}
	p.puts = append(p.puts, m)
}

// planExisting merges sp into the runtime's module m: versions (the "native" entry included, which
// sets or, with Replace, clears Core), default, homepage and notes.
func (p *plan) planExisting(sp *modSpec, m *Module) error {
	d := &p.diff
	changed := false
	for _, v := range sp.versions {
		if _, ok := m.Lookup(v.version); ok {
			d.Unchanged++
			continue
		}
		m.Versions = append(m.Versions, Version{Version: v.version, Status: StatusAllowed, Note: v.note, Added: p.now})
		d.AddedVersions = append(d.AddedVersions, sp.name+"@"+v.version)
		p.hist("add", sp.name, v.version, p.detail)
		changed = true
	}
	if p.mode.replace {
		kept := m.Versions[:0:0]
		for _, v := range m.Versions {
			if sp.has(v.Version) {
				kept = append(kept, v)
				continue
			}
			d.RemovedVersions = append(d.RemovedVersions, sp.name+"@"+v.Version)
			p.hist("remove", sp.name, v.Version, p.detail)
			changed = true
		}
		m.Versions = kept
	}
	_, m.Core = m.Lookup(NativeVersion)
	if p.planDefault(sp, m) {
		changed = true
	}
	if sp.homepage != "" && sp.homepage != m.Homepage {
		d.InfoChanges = append(d.InfoChanges, fmt.Sprintf("%s: homepage %s", sp.name, sp.homepage))
		p.hist("info", sp.name, "", "homepage "+sp.homepage+" "+p.detail)
		m.Homepage = sp.homepage
		changed = true
	}
	if sp.notes != "" && sp.notes != m.Notes {
		d.InfoChanges = append(d.InfoChanges, fmt.Sprintf("%s: notes %q", sp.name, sp.notes))
		p.hist("info", sp.name, "", "notes "+p.detail)
		m.Notes = sp.notes
		changed = true
	}
	if changed {
		p.puts = append(p.puts, m)
	}
	return nil
}

// planDefault moves m's default to the list's first package version (or keeps it, for built-in
// updates and for lists that name no package version of m), never onto a blocked version nor onto
// "native". It reports whether the default changed.
func (p *plan) planDefault(sp *modSpec, m *Module) bool {
	want := sp.def
	_, defaultKept := m.Lookup(m.Default)
	switch {
	case defaultKept && (p.mode.keepDefaults || want == ""):
		want = m.Default
	case want == "":
		want = firstUnblocked(m)
	}
	if v, _ := m.Lookup(want); v.Status == StatusBlocked {
		if defaultKept {
			p.diff.Notes = append(p.diff.Notes, fmt.Sprintf("%s: the listed default %s is blocked here; the default stays %s", sp.name, want, m.Default))
			want = m.Default
		} else {
			alt := firstUnblocked(m)
			p.diff.Notes = append(p.diff.Notes, fmt.Sprintf("%s: the listed default %s is blocked here; the default is %s", sp.name, want, orNone(alt)))
			want = alt
		}
	}
	if want == m.Default {
		return false
	}
	p.diff.DefaultChanges = append(p.diff.DefaultChanges, fmt.Sprintf("%s: %s -> %s", sp.name, orNone(m.Default), orNone(want)))
	p.hist("default", sp.name, want, fmt.Sprintf("%s -> %s %s", orNone(m.Default), orNone(want), p.detail))
	m.Default = want
	return true
}

// planRemovals removes the modules the list lacks (Replace).
func (p *plan) planRemovals(b *bbolt.Bucket, listed map[string]bool) error {
	return b.ForEach(func(k, v []byte) error {
		if isMetaKey(k) || v == nil || listed[string(k)] {
			return nil
		}
		m, err := decodeModule(string(k), v)
		if err != nil {
			return err
		}
		p.deletes = append(p.deletes, m.Name)
		p.diff.RemovedModules = append(p.diff.RemovedModules, m.Name)
		for _, ver := range m.Versions {
			p.diff.RemovedVersions = append(p.diff.RemovedVersions, m.Name+"@"+ver.Version)
			p.hist("remove", m.Name, ver.Version, p.detail)
		}
		return nil
	})
}

// firstUnblocked returns the first package version of m in catalog order that is not blocked, or "".
func firstUnblocked(m *Module) string {
	for _, v := range m.Versions {
		if v.Status != StatusBlocked && v.Version != NativeVersion {
			return v.Version
		}
	}
	return ""
}

func orNone(v string) string {
	if v == "" {
		return "(none)"
	}
	return v
}

// apply writes the plan in w's transaction.
func (p *plan) apply(w *wtx) error {
	if p.diff.Empty() {
		return nil
	}
	var b *bbolt.Bucket
	if p.create != nil {
		var err error
		if b, err = w.tx.Bucket(bucketRuntimes).CreateBucket([]byte(p.runtime)); err != nil {
			return err
		}
		if err := putRuntimeRecord(b, *p.create); err != nil {
			return err
		}
	} else {
		b = runtimeBucket(w.tx, p.runtime)
	}
	if p.update != nil {
		if err := putRuntimeRecord(b, *p.update); err != nil {
			return err
		}
	}
	if p.create != nil {
		// A fresh bucket fills fastest in key order.
		b.FillPercent = 0.9
	}
	for _, m := range p.puts {
		if err := putModule(b, m); err != nil {
			return err
		}
	}
	for _, name := range p.deletes {
		if err := b.Delete([]byte(name)); err != nil {
			return err
		}
	}
	for _, c := range p.history {
		if err := w.record(c); err != nil {
			return err
		}
	}
	return nil
}

// errNoChange rolls back a write transaction that turned out to change nothing.
var errNoChange = errors.New("no change")

// Import applies a list to a runtime in one transaction (all or nothing) and returns what changed.
//
// The runtime is created if missing. Merge (the default) adds the modules and versions the list has
// and the runtime lacks; each listed module's first version becomes its default; statuses are kept.
// Replace also removes what the list lacks. A canirequire version given as a semver range is imported
// as the lowest version it names, with a Version.Note and a Diff note. A "native" entry lists the
// core module of that name; a list may give the same name as "native" and with package versions
// (url core and url@0.10.3), and Replace removes a core entry or package versions the list lacks
// like any other version. An invalid name or version fails the whole import naming the entry. Importing the same
// list twice changes nothing the second time: the Diff is empty and no history is written. DryRun
// computes the Diff only.
func (s *Store) Import(actor, runtime string, l *List, opts ImportOptions) (*Diff, error) {
	if err := ValidateRuntimeName(runtime); err != nil {
		return nil, fmt.Errorf("import: %w", err)
	}
	if l == nil {
		return nil, fmt.Errorf("import: %w: no list", ErrInvalid)
	}
	specs, notes, err := listSpecs(l)
	if err != nil {
		return nil, fmt.Errorf("import into %q: %w", runtime, err)
	}
	source := "list"
	if l.Format != "" {
		source = l.Format + " list"
	}
	nodeVersion := opts.NodeVersion
	if nodeVersion == "" {
		nodeVersion = l.NodeVersion
	}
	mode := importMode{
		replace:     opts.Replace,
		create:      runtimeRecord{NodeVersion: nodeVersion},
		nodeVersion: opts.NodeVersion,
		source:      fmt.Sprintf("import of a %s (%d entries)", source, len(l.Entries)),
	}
	var p *plan
	if opts.DryRun {
		err = s.db.View(func(tx *bbolt.Tx) error {
			p, err = makePlan(tx, runtime, specs, mode, time.Now().UTC())
			return err
		})
	} else {
		err = s.update("import", actor, func(w *wtx) error {
			var err error
			if p, err = makePlan(w.tx, runtime, specs, mode, w.now); err != nil {
				return err
			}
			if p.diff.Empty() {
				return errNoChange
			}
			return p.apply(w)
		})
	}
	if err != nil {
		return nil, fmt.Errorf("import into %q: %w", runtime, err)
	}
	p.diff.Notes = append(notes, p.diff.Notes...)
	return &p.diff, nil
}
