package catalog

import (
	"fmt"
	"net/url"
	"strings"
)

// CreateRuntime creates an empty runtime. An existing name or a malformed one is [ErrInvalid].
func (s *Store) CreateRuntime(actor, name, nodeVersion string) error {
	if err := ValidateRuntimeName(name); err != nil {
		return fmt.Errorf("create runtime: %w", err)
	}
	return s.update("create-runtime", actor, func(w *wtx) error {
		if runtimeBucket(w.tx, name) != nil {
			return fmt.Errorf("create runtime: %w: runtime %q already exists", ErrInvalid, name)
		}
		b, err := w.tx.Bucket(bucketRuntimes).CreateBucket([]byte(name))
		if err != nil {
			return err
		}
		if err := putRuntimeRecord(b, runtimeRecord{NodeVersion: nodeVersion, Created: w.now}); err != nil {
			return err
		}
		return w.record(Change{Runtime: name, Action: "create-runtime", Detail: fmt.Sprintf("node_version %q", nodeVersion)})
	})
}

// loadForWrite reads a module of an existing runtime inside a write.
func loadForWrite(w *wtx, runtime, name string) (*Module, error) {
	b, err := mustRuntime(w.tx, runtime)
	if err != nil {
		return nil, err
	}
	m, ok, err := getModule(b, name)
	if err != nil {
		return nil, err
	}
	if !ok {
		return nil, errModuleNotFound(runtime, name)
	}
	return &m, nil
}

func saveModule(w *wtx, runtime string, m *Module) error {
	return putModule(runtimeBucket(w.tx, runtime), m)
}

func indexOf(m *Module, version string) int {
	for i, v := range m.Versions {
		if v.Version == version {
			return i
		}
	}
	return -1
}

// AddVersion lists name@version in an existing runtime (a missing runtime is [ErrRuntimeNotFound]).
// The module is created if needed. Version "native" lists the core module of that name and sets
// [Module.Core]; any other version is a package version, and the first package version listed (or
// the first when no other is resolvable) becomes the default. A name may be both: adding
// "url@0.10.3" where "url" is core keeps the core module for unpinned requires. A version already
// listed or a malformed name or version is [ErrInvalid]; core names may have "/" segments
// ("assert/strict"), package names may not.
func (s *Store) AddVersion(actor, runtime, name, version string) error {
	v, err := CanonicalVersion(version)
	if err != nil {
		return fmt.Errorf("add %s@%s: %w", name, version, err)
	}
	core := v == NativeVersion
	if err := ValidateName(name, core); err != nil {
		return fmt.Errorf("add %s@%s: %w", name, version, err)
	}
	return s.update("add", actor, func(w *wtx) error {
		b, err := mustRuntime(w.tx, runtime)
		if err != nil {
			return err
		}
		m, ok, err := getModule(b, name)
		if err != nil {
			return err
		}
		switch {
		case !ok:
			m = Module{Name: name}
		case core && m.Core:
			return fmt.Errorf("%w: %s is already listed as a core module in catalog %q", ErrInvalid, name, runtime)
		case indexOf(&m, v) >= 0:
			return fmt.Errorf("%w: %s@%s is already listed in catalog %q", ErrInvalid, name, v, runtime)
		}
		detail := ""
		packages := m.packageCount()
		m.Versions = append(m.Versions, Version{Version: v, Status: StatusAllowed, Added: w.now})
		switch {
		case core && packages > 0:
			m.Core = true
			detail = fmt.Sprintf("core module added beside %d package version(s): an unpinned require now gets the core module", packages)
		case core:
			m.Core = true
		case !ok:
			m.Default = v
			detail = "new module; default " + v
		case m.Default == "" && packages == 0:
			m.Default = v
			detail = "first package version of core module " + name + "; default " + v + " (an unpinned require still gets the core module)"
		case m.Default == "":
			m.Default = v
			detail = "default " + v + " (no other version was resolvable)"
		}
		if err := putModule(b, &m); err != nil {
			return err
		}
		return w.record(Change{Runtime: runtime, Action: "add", Module: name, Version: v, Detail: detail})
	})
}

// RemoveVersion removes name@version from a runtime. Removing "native" removes the core module: the
// module stays as a package if it has package versions. Removing the default makes the next listed
// non-blocked package version the default (none if there is no such version: a core module keeps
// its name with no default). Removing the last entry of any kind removes the module.
func (s *Store) RemoveVersion(actor, runtime, name, version string) error {
	v, err := CanonicalVersion(version)
	if err != nil {
		return fmt.Errorf("remove %s@%s: %w", name, version, err)
	}
	return s.update("remove", actor, func(w *wtx) error {
		m, err := loadForWrite(w, runtime, name)
		if err != nil {
			return err
		}
		i := indexOf(m, v)
		if i < 0 {
			return errVersionNotFound(runtime, m, v)
		}
		m.Versions = append(m.Versions[:i], m.Versions[i+1:]...)
		if len(m.Versions) == 0 {
			if err := runtimeBucket(w.tx, runtime).Delete([]byte(name)); err != nil {
				return err
			}
			return w.record(Change{Runtime: runtime, Action: "remove", Module: name, Version: v, Detail: "last version: module removed"})
		}
		var details []string
		if v == NativeVersion {
			m.Core = false
			details = append(details, "core module removed; the package stays, default "+orNone(m.Default))
		}
		if m.Default == v {
			m.Default = nextDefault(m, i)
			details = append(details, "was the default; default is now "+orNone(m.Default))
		}
		if v != NativeVersion && m.Core && m.packageCount() == 0 {
			details = append(details, "last package version: "+name+" stays a core module")
		}
		if err := saveModule(w, runtime, m); err != nil {
			return err
		}
		return w.record(Change{Runtime: runtime, Action: "remove", Module: name, Version: v, Detail: strings.Join(details, "; ")})
	})
}

// nextDefault picks the first non-blocked package version at or after index i (wrapping around),
// or "".
func nextDefault(m *Module, i int) string {
	n := len(m.Versions)
	for k := 0; k < n; k++ {
		if v := m.Versions[(i+k)%n]; v.Status != StatusBlocked && v.Version != NativeVersion {
			return v.Version
		}
	}
	return ""
}

// SetDefault makes a listed, non-blocked package version the module's default. "native" is never a
// default ([ErrInvalid]): an unpinned require of a core module always gets the core module, and the
// default of a module that is also core only orders exports and takes over if the core entry is
// removed.
func (s *Store) SetDefault(actor, runtime, name, version string) error {
	v, err := CanonicalVersion(version)
	if err != nil {
		return fmt.Errorf("set default of %s: %w", name, err)
	}
	if v == NativeVersion {
		return fmt.Errorf("set default of %s: %w: %q cannot be the default: an unpinned require of a core module always gets the core module; the default names a package version", name, ErrInvalid, NativeVersion)
	}
	return s.update("default", actor, func(w *wtx) error {
		m, err := loadForWrite(w, runtime, name)
		if err != nil {
			return err
		}
		i := indexOf(m, v)
		if i < 0 {
			if m.Core && m.packageCount() == 0 {
				return fmt.Errorf("%w: %s is only a core module in catalog %q and has no package versions to make the default; add one with `verq catalog add %s@%s`", ErrVersionNotFound, name, runtime, name, v)
			}
			return errVersionNotFound(runtime, m, v)
		}
		if st := m.Versions[i]; st.Status == StatusBlocked {
			return fmt.Errorf("%w: %s@%s is blocked (%s); allow it first to make it the default", ErrInvalid, name, v, st.Reason)
		}
		if m.Default == v {
			return nil
		}
		old := m.Default
		m.Default = v
		if err := saveModule(w, runtime, m); err != nil {
			return err
		}
		return w.record(Change{Runtime: runtime, Action: "default", Module: name, Version: v, Detail: orNone(old) + " -> " + v})
	})
}

// SetStatus sets a version's status. Deprecating or blocking needs a non-empty reason; allowing
// clears it. The "native" entry holds the core module's status: blocking name@native blocks the core
// module and leaves the package versions alone. The default version cannot be blocked: set another
// default first. Allowing a package version of a module without a default makes it the default.
func (s *Store) SetStatus(actor, runtime, name, version string, st Status, reason string) error {
	if !st.Valid() {
		return fmt.Errorf("set status of %s@%s: %w: unknown status %q (want allowed, deprecated or blocked)", name, version, ErrInvalid, st)
	}
	reason = strings.TrimSpace(reason)
	if st != StatusAllowed && reason == "" {
		return fmt.Errorf("set status of %s@%s: %w: a %s version needs a reason", name, version, ErrInvalid, st)
	}
	if st == StatusAllowed {
		reason = ""
	}
	v, err := CanonicalVersion(version)
	if err != nil {
		return fmt.Errorf("set status of %s@%s: %w", name, version, err)
	}
	return s.update(string(st), actor, func(w *wtx) error {
		m, err := loadForWrite(w, runtime, name)
		if err != nil {
			return err
		}
		i := indexOf(m, v)
		if i < 0 {
			return errVersionNotFound(runtime, m, v)
		}
		if st == StatusBlocked && m.Default == v {
			for _, o := range m.Versions {
				if o.Version != v && o.Version != NativeVersion && o.Status != StatusBlocked {
					return fmt.Errorf("%w: cannot block %s@%s: it is the default version in catalog %q; set another default first (for example %s)", ErrInvalid, name, v, runtime, o.Version)
				}
			}
			undo := "remove the module"
			if m.Core {
				undo = "remove " + name + "@" + v + " (the core module stays)"
			}
			return fmt.Errorf("%w: cannot block %s@%s: it is the default and the only package version of %s in catalog %q that is not blocked; add or allow another version and make it the default first, or %s", ErrInvalid, name, v, name, runtime, undo)
		}
		cur := &m.Versions[i]
		if cur.Status == st && cur.Reason == reason {
			return nil
		}
		cur.Status, cur.Reason = st, reason
		detail := reason
		if v != NativeVersion && m.Default == "" && st != StatusBlocked {
			m.Default = v
			detail = strings.TrimSpace(reason + " (now the default: no other version is resolvable)")
		}
		if err := saveModule(w, runtime, m); err != nil {
			return err
		}
		action := map[Status]string{StatusAllowed: "allow", StatusDeprecated: "deprecate", StatusBlocked: "block"}[st]
		return w.record(Change{Runtime: runtime, Action: action, Module: name, Version: v, Detail: detail})
	})
}

// SetModuleInfo replaces a module's homepage and notes. A non-empty homepage must be an http(s) URL.
func (s *Store) SetModuleInfo(actor, runtime, name, homepage, notes string) error {
	homepage, notes = strings.TrimSpace(homepage), strings.TrimSpace(notes)
	if homepage != "" {
		u, err := url.Parse(homepage)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return fmt.Errorf("set info of %s: %w: homepage %q is not an http(s) URL", name, ErrInvalid, homepage)
		}
	}
	return s.update("info", actor, func(w *wtx) error {
		m, err := loadForWrite(w, runtime, name)
		if err != nil {
			return err
		}
		if m.Homepage == homepage && m.Notes == notes {
			return nil
		}
		var parts []string
		if m.Homepage != homepage {
			parts = append(parts, fmt.Sprintf("homepage %q", homepage))
		}
		if m.Notes != notes {
			parts = append(parts, fmt.Sprintf("notes %q", notes))
		}
		m.Homepage, m.Notes = homepage, notes
		if err := saveModule(w, runtime, m); err != nil {
			return err
		}
		return w.record(Change{Runtime: runtime, Action: "info", Module: name, Detail: strings.Join(parts, ", ")})
	})
}
