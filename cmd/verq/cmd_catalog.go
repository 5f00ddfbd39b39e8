package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"strings"

	"github.com/verq/verq/catalog"
	"github.com/verq/verq/cmd/verq/internal/web"
	"github.com/verq/verq/registry"
)

func catalogCommands() []*command {
	var (
		importFormat, exportFormat, exportOut string
		dryRun, replace                       bool
		reason                                string
		historyLimit                          int
	)
	return []*command{
		{
			path: "catalog runtimes", usage: "catalog runtimes", summary: "list the runtimes (named catalogs)",
			run: func(a *app, ctx context.Context, fs *flag.FlagSet, args []string) error {
				if err := wantArgs(args, 0, 0); err != nil {
					return err
				}
				st, err := a.openCatalog(true)
				if err != nil {
					return err
				}
				defer st.Close()
				rts, err := st.Runtimes()
				if err != nil {
					return err
				}
				if a.g.json {
					return a.printJSON(rts)
				}
				rows := [][]string{{"RUNTIME", "NODE", "MODULES", "VERSIONS", "BUILTIN"}}
				for _, r := range rts {
					rows = append(rows, []string{r.Name, r.NodeVersion, fmt.Sprint(r.Modules), fmt.Sprint(r.Versions), yesNo(r.Builtin)})
				}
				return a.table(rows)
			},
		},
		{
			path: "catalog list", usage: "catalog list [MODULE]", summary: "list the modules of a runtime, or the versions of one module",
			run: func(a *app, ctx context.Context, fs *flag.FlagSet, args []string) error {
				if err := wantArgs(args, 0, 1); err != nil {
					return err
				}
				if len(args) == 1 {
					return a.showModule(args[0])
				}
				st, err := a.openCatalog(true)
				if err != nil {
					return err
				}
				defer st.Close()
				mods, err := st.Modules(a.runtimeName())
				if err != nil {
					return err
				}
				reg := a.listingRegistry(st)
				if a.g.json {
					out := make([]moduleView, 0, len(mods))
					for _, m := range mods {
						out = append(out, newModuleView(m, reg))
					}
					return a.printJSON(out)
				}
				rows := [][]string{{"MODULE", "DEFAULT", "VERSIONS", "IMPLEMENTED BY"}}
				for _, m := range mods {
					v := newModuleView(m, reg)
					def := m.Default
					if m.Core && def == "" {
						def = catalog.NativeVersion
					}
					rows = append(rows, []string{m.Name, def, fmt.Sprint(len(m.Versions)), v.ImplSummary()})
				}
				return a.table(rows)
			},
		},
		{
			path: "catalog show", usage: "catalog show MODULE", summary: "show one module: versions, statuses, default, implementation",
			run: func(a *app, ctx context.Context, fs *flag.FlagSet, args []string) error {
				if err := wantArgs(args, 1, 1); err != nil {
					return err
				}
				return a.showModule(args[0])
			},
		},
		{
			path: "catalog add", usage: "catalog add NAME@VERSION", summary: "allow a module version in the runtime (NAME@native adds a core module)",
			run: func(a *app, ctx context.Context, fs *flag.FlagSet, args []string) error {
				return a.catalogWrite(args, "added", func(st *catalog.Store, name, version string) error {
					return st.AddVersion(a.actor(), a.runtimeName(), name, version)
				})
			},
		},
		{
			path: "catalog remove", usage: "catalog remove NAME@VERSION", summary: "remove a module version from the runtime",
			run: func(a *app, ctx context.Context, fs *flag.FlagSet, args []string) error {
				return a.catalogWrite(args, "removed", func(st *catalog.Store, name, version string) error {
					return st.RemoveVersion(a.actor(), a.runtimeName(), name, version)
				})
			},
		},
		{
			path: "catalog default", usage: "catalog default NAME VERSION", summary: "set the version an unpinned require('NAME') resolves to",
			run: func(a *app, ctx context.Context, fs *flag.FlagSet, args []string) error {
				if err := wantArgs(args, 2, 2); err != nil {
					return err
				}
				return a.catalogWrite([]string{args[0] + "@" + args[1]}, "is now the default", func(st *catalog.Store, name, version string) error {
					return st.SetDefault(a.actor(), a.runtimeName(), name, version)
				})
			},
		},
		{
			path: "catalog deprecate", usage: "catalog deprecate NAME@VERSION --reason R", summary: "deprecate a version: it still resolves, and is reported",
			flags: func(fs *flag.FlagSet) {
				fs.StringVar(&reason, "reason", "", "why the version is deprecated (required)")
			},
			run: func(a *app, ctx context.Context, fs *flag.FlagSet, args []string) error {
				if strings.TrimSpace(reason) == "" {
					return usagef("--reason is required")
				}
				return a.catalogWrite(args, "deprecated", func(st *catalog.Store, name, version string) error {
					return st.SetStatus(a.actor(), a.runtimeName(), name, version, catalog.StatusDeprecated, reason)
				})
			},
		},
		{
			path: "catalog block", usage: "catalog block NAME@VERSION --reason R", summary: "block a version: requiring it fails with the reason",
			flags: func(fs *flag.FlagSet) { fs.StringVar(&reason, "reason", "", "why the version is blocked (required)") },
			run: func(a *app, ctx context.Context, fs *flag.FlagSet, args []string) error {
				if strings.TrimSpace(reason) == "" {
					return usagef("--reason is required")
				}
				return a.catalogWrite(args, "blocked", func(st *catalog.Store, name, version string) error {
					return st.SetStatus(a.actor(), a.runtimeName(), name, version, catalog.StatusBlocked, reason)
				})
			},
		},
		{
			path: "catalog allow", usage: "catalog allow NAME@VERSION", summary: "clear a deprecation or block",
			run: func(a *app, ctx context.Context, fs *flag.FlagSet, args []string) error {
				return a.catalogWrite(args, "allowed", func(st *catalog.Store, name, version string) error {
					return st.SetStatus(a.actor(), a.runtimeName(), name, version, catalog.StatusAllowed, "")
				})
			},
		},
		{
			path: "catalog import", usage: "catalog import FILE [--format auto|canirequire|verquire] [--dry-run] [--replace]",
			summary: "import a canirequire list or a verquire packages.json (atomic; the first version of a module is its default)",
			flags: func(fs *flag.FlagSet) {
				fs.StringVar(&importFormat, "format", "auto", "input format: auto, canirequire or verquire")
				fs.BoolVar(&dryRun, "dry-run", false, "print the difference the import would make and change nothing")
				fs.BoolVar(&replace, "replace", false, "also remove modules and versions the file does not list")
			},
			run: func(a *app, ctx context.Context, fs *flag.FlagSet, args []string) error {
				if err := wantArgs(args, 1, 1); err != nil {
					return err
				}
				return a.catalogImport(args[0], importFormat, dryRun, replace)
			},
		},
		{
			path: "catalog export", usage: "catalog export [--format canirequire|verquire] [-o FILE]", summary: "export the runtime's catalog",
			flags: func(fs *flag.FlagSet) {
				fs.StringVar(&exportFormat, "format", "canirequire", "output format: canirequire or verquire")
				fs.StringVar(&exportOut, "o", "", "write to `FILE` (atomically) instead of stdout")
			},
			run: func(a *app, ctx context.Context, fs *flag.FlagSet, args []string) error {
				if err := wantArgs(args, 0, 0); err != nil {
					return err
				}
				return a.catalogExport(exportFormat, exportOut)
			},
		},
		{
			path: "catalog history", usage: "catalog history [--limit N]", summary: "show the change history of the runtime (newest first)",
			flags: func(fs *flag.FlagSet) { fs.IntVar(&historyLimit, "limit", 50, "at most `N` entries (0 = all)") },
			run: func(a *app, ctx context.Context, fs *flag.FlagSet, args []string) error {
				if err := wantArgs(args, 0, 0); err != nil {
					return err
				}
				st, err := a.openCatalog(true)
				if err != nil {
					return err
				}
				defer st.Close()
				hist, err := st.History(a.runtimeName(), historyLimit)
				if err != nil {
					return err
				}
				if a.g.json {
					return a.printJSON(hist)
				}
				rows := [][]string{{"SEQ", "TIME", "ACTOR", "ACTION", "MODULE", "VERSION", "DETAIL"}}
				for _, c := range hist {
					rows = append(rows, []string{fmt.Sprint(c.Seq), c.Time.UTC().Format("2006-01-02 15:04:05Z"), c.Actor, c.Action, c.Module, c.Version, c.Detail})
				}
				return a.table(rows)
			},
		},
	}
}

// splitNameVersion splits NAME@VERSION at the first '@' after index 0 (scoped names keep their '@').
func splitNameVersion(s string) (name, version string, err error) {
	i := strings.Index(s[min(1, len(s)):], "@")
	if i < 0 {
		return "", "", usagef("%q: expected NAME@VERSION, e.g. auth0@2.9.1 (core modules: crypto@native)", s)
	}
	i++
	name, version = s[:i], s[i+1:]
	if name == "" || version == "" {
		return "", "", usagef("%q: expected NAME@VERSION, e.g. auth0@2.9.1", s)
	}
	return name, version, nil
}

func (a *app) catalogWrite(args []string, verb string, fn func(st *catalog.Store, name, version string) error) error {
	if err := wantArgs(args, 1, 1); err != nil {
		return err
	}
	name, version, err := splitNameVersion(args[0])
	if err != nil {
		return err
	}
	st, err := a.openCatalog(false)
	if err != nil {
		return err
	}
	defer st.Close()
	if err := fn(st, name, version); err != nil {
		return err
	}
	if a.g.json {
		m, err := st.Module(a.runtimeName(), name)
		if errors.Is(err, catalog.ErrModuleNotFound) {
			return a.printJSON(map[string]any{"runtime": a.runtimeName(), "module": name, "version": version, "removed_module": true})
		}
		if err != nil {
			return err
		}
		return a.printJSON(newModuleView(m, a.listingRegistry(st)))
	}
	a.printf("%s@%s %s in runtime %q\n", name, version, verb, a.runtimeName())
	return nil
}

func (a *app) catalogImport(file, format string, dryRun, replace bool) error {
	data, err := os.ReadFile(file)
	if err != nil {
		return err
	}
	list, err := catalog.ParseList(data, format)
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	rt := a.g.runtime
	if rt == "" {
		if r, ok := catalog.RuntimeFromNodeVersion(list.NodeVersion); ok {
			rt = r
		} else if r := a.getenv("VERQ_RUNTIME"); r != "" {
			rt = r
		} else {
			return usagef("%s does not say which Node.js runtime it is for (node_version %q): pass --runtime NAME", file, list.NodeVersion)
		}
	}
	st, err := a.openCatalog(dryRun)
	if err != nil {
		return err
	}
	defer st.Close()
	diff, err := st.Import(a.actor(), rt, list, catalog.ImportOptions{DryRun: dryRun, Replace: replace, NodeVersion: list.NodeVersion})
	if err != nil {
		return fmt.Errorf("%s: %w", file, err)
	}
	if a.g.json {
		return a.printJSON(map[string]any{"runtime": rt, "dry_run": dryRun, "diff": diff})
	}
	mode := "imported into"
	if dryRun {
		mode = "would change"
	}
	if diff.Empty() {
		a.printf("%s: nothing to change in runtime %q (%d entries already present)\n", file, rt, diff.Unchanged)
		return nil
	}
	a.printf("%s %s runtime %q:\n", file, mode, rt)
	if diff.CreatedRuntime {
		a.printf("  + runtime %s\n", rt)
	}
	for _, s := range diff.AddedModules {
		a.printf("  + module  %s\n", s)
	}
	for _, s := range diff.AddedVersions {
		a.printf("  + version %s\n", s)
	}
	for _, s := range diff.DefaultChanges {
		a.printf("  ~ default %s\n", s)
	}
	for _, s := range diff.RemovedVersions {
		a.printf("  - version %s\n", s)
	}
	for _, s := range diff.Notes {
		a.printf("  note: %s\n", s)
	}
	a.printf("  (%d unchanged)\n", diff.Unchanged)
	return nil
}

func (a *app) catalogExport(format, out string) error {
	st, err := a.openCatalog(true)
	if err != nil {
		return err
	}
	defer st.Close()
	list, err := st.Export(a.runtimeName())
	if err != nil {
		return err
	}
	var data []byte
	switch format {
	case "canirequire":
		data, err = list.MarshalCanirequire()
	case "verquire":
		data, err = list.MarshalVerquire()
	default:
		return usagef("unknown --format %q: use canirequire or verquire", format)
	}
	if err != nil {
		return err
	}
	if out == "" {
		_, err = a.stdout.Write(data)
		return err
	}
	return writeFileAtomic(out, data)
}

func (a *app) showModule(name string) error {
	st, err := a.openCatalog(true)
	if err != nil {
		return err
	}
	defer st.Close()
	m, err := st.Module(a.runtimeName(), name)
	if err != nil {
		return err
	}
	v := newModuleView(m, a.listingRegistry(st))
	if a.g.json {
		return a.printJSON(v)
	}
	a.printf("%s (runtime %s)\n", m.Name, a.runtimeName())
	if m.Homepage != "" {
		a.printf("homepage: %s\n", m.Homepage)
	}
	if m.Notes != "" {
		a.printf("notes: %s\n", m.Notes)
	}
	rows := [][]string{{"VERSION", "DEFAULT", "STATUS", "REASON", "IMPLEMENTED BY", "REQUIRE"}}
	for _, ver := range v.Versions {
		def := ""
		if ver.Default {
			def = "*"
		}
		rows = append(rows, []string{ver.Version, def, string(ver.Status), ver.Reason, ver.Implementation, ver.Require})
	}
	return a.table(rows)
}

// moduleView is the listing shape of a module, shared with the HTTP API.
type moduleView = web.ModuleView

func newModuleView(m catalog.Module, reg *registry.Registry) moduleView {
	return web.NewModuleView(m, reg)
}

func yesNo(b bool) string {
	if b {
		return "yes"
	}
	return ""
}
