package catalog

import (
	"fmt"
	"strings"
)

// ImportOptions control [Store.Import].
type ImportOptions struct {
	// DryRun computes the Diff without writing anything (it also works on a read-only store).
	DryRun bool
	// Replace also removes the modules and versions the list lacks. Default: merge (add only).
	Replace bool
	// NodeVersion is recorded on the runtime; empty means the list's node_version for a runtime the
	// import creates, and no change for an existing one.
	NodeVersion string
}

// Diff is what an import changed (or, for a dry run, would change). Entries read "name@version",
// "name: 1.0.0 -> 2.0.0" (default changes) or "name: homepage …" (info changes), in list order.
type Diff struct {
	// Runtime is the target runtime.
	Runtime string `json:"runtime"`
	// CreatedRuntime is true when the runtime did not exist before.
	CreatedRuntime bool `json:"created_runtime,omitempty"`
	// AddedModules names the modules new to the runtime.
	AddedModules []string `json:"added_modules,omitempty"`
	// AddedVersions lists every added name@version, including those of new modules (core modules
	// as name@native).
	AddedVersions []string `json:"added_versions,omitempty"`
	// DefaultChanges lists the existing modules whose default moved, "name: old -> new".
	DefaultChanges []string `json:"default_changes,omitempty"`
	// RemovedVersions lists every removed name@version (Replace only).
	RemovedVersions []string `json:"removed_versions,omitempty"`
	// RemovedModules names the modules removed entirely (Replace only).
	RemovedModules []string `json:"removed_modules,omitempty"`
	// InfoChanges lists homepage, notes and node_version updates.
	InfoChanges []string `json:"info_changes,omitempty"`
	// Unchanged counts the listed versions already present.
	Unchanged int `json:"unchanged"`
	// Notes are remarks that change nothing by themselves: ranges imported as their lowest version,
	// duplicate entries, defaults kept because the listed one is blocked.
	Notes []string `json:"notes,omitempty"`
}

// Empty reports whether the import changes nothing (Notes and Unchanged do not count).
func (d *Diff) Empty() bool {
	return !d.CreatedRuntime && len(d.AddedModules) == 0 && len(d.AddedVersions) == 0 &&
		len(d.DefaultChanges) == 0 && len(d.RemovedVersions) == 0 && len(d.RemovedModules) == 0 &&
		len(d.InfoChanges) == 0
}

// Summary is a one-line account such as `runtime "node18": created, +12 modules, +30 versions,
// 2 default changes, 4 unchanged`.
func (d *Diff) Summary() string {
	var parts []string
	if d.CreatedRuntime {
		parts = append(parts, "created")
	}
	add := func(n int, one, many string) {
		if n == 1 {
			parts = append(parts, one)
		} else if n > 1 {
			parts = append(parts, fmt.Sprintf(many, n))
		}
	}
	add(len(d.AddedModules), "+1 module", "+%d modules")
	add(len(d.AddedVersions), "+1 version", "+%d versions")
	add(len(d.DefaultChanges), "1 default change", "%d default changes")
	add(len(d.RemovedModules), "-1 module", "-%d modules")
	add(len(d.RemovedVersions), "-1 version", "-%d versions")
	add(len(d.InfoChanges), "1 info change", "%d info changes")
	if d.Empty() {
		parts = append(parts, "no changes")
	}
	parts = append(parts, fmt.Sprintf("%d unchanged", d.Unchanged))
	return fmt.Sprintf("runtime %q: %s", d.Runtime, strings.Join(parts, ", "))
}
