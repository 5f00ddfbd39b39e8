package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"sort"
	"strings"

	"github.com/verq/verq/registry"
	"github.com/verq/verq/registry/npm"
)

// registryCommands are the commands that manage the npm packages stored in the database.
func registryCommands() []*command {
	var (
		registryURL, listIn string
		force, noFiles      bool
	)
	return []*command{
		{
			path: "registry add", usage: "registry add NAME@VERSION|./pkg.tgz [--registry URL] [--catalog RUNTIME]",
			summary: "store an npm package and its dependency closure (from the registry, or offline from a tarball)",
			flags: func(fs *flag.FlagSet) {
				fs.StringVar(&registryURL, "registry", "", "npm registry `URL` (default $NPM_CONFIG_REGISTRY, else "+npm.DefaultRegistry+")")
				fs.StringVar(&listIn, "catalog", "", "also list the version in this catalog `runtime`")
			},
			run: func(a *app, ctx context.Context, fs *flag.FlagSet, args []string) error {
				if err := wantArgs(args, 1, 1); err != nil {
					return err
				}
				st, err := a.openCatalog(false)
				if err != nil {
					return err
				}
				defer st.Close()
				store := npm.NewStore(st.DB(), npm.Options{Registry: npm.RegistryURL(registryURL, a.getenv), Progress: a.stderr, Logger: a.log})
				opts := npm.AddOptions{Actor: a.actor()}
				if listIn != "" {
					opts.Catalog, opts.Runtime = st, listIn
				}
				var res *npm.AddResult
				if isTarballArg(args[0]) {
					f, err := os.Open(args[0])
					if err != nil {
						return err
					}
					defer f.Close()
					res, err = store.AddTarball(ctx, f, args[0], opts)
					if err != nil {
						return err
					}
				} else {
					if res, err = store.Add(ctx, args[0], opts); err != nil {
						return err
					}
				}
				if a.g.json {
					return a.printJSON(res)
				}
				a.printAddResult(res, listIn)
				return nil
			},
		},
		{
			path: "registry list", usage: "registry list", summary: "list the stored npm package versions",
			run: func(a *app, ctx context.Context, fs *flag.FlagSet, args []string) error {
				if err := wantArgs(args, 0, 0); err != nil {
					return err
				}
				st, err := a.openCatalog(true)
				if err != nil {
					return err
				}
				defer st.Close()
				list, err := npm.NewStore(st.DB(), npm.Options{}).List()
				if err != nil {
					return err
				}
				if a.g.json {
					if list == nil {
						list = []npm.Summary{}
					}
					return a.printJSON(list)
				}
				if len(list) == 0 {
					fmt.Fprintln(a.stdout, "no packages stored; add one with: verq registry add NAME@VERSION")
					return nil
				}
				rows := [][]string{{"PACKAGE", "VERSION", "LICENSE", "FILES", "SIZE", "DEPS", "ADDED"}}
				for _, p := range list {
					added := "by name"
					if !p.Direct {
						added = "as dependency"
					}
					rows = append(rows, []string{p.Name, p.Version, p.License, fmt.Sprint(p.Files), byteSize(p.Size), fmt.Sprint(p.Dependencies), added})
				}
				return a.table(rows)
			},
		},
		{
			path: "registry show", usage: "registry show NAME@VERSION [--no-files]", summary: "show a stored package version: license, size, dependencies, files",
			flags: func(fs *flag.FlagSet) {
				fs.BoolVar(&noFiles, "no-files", false, "leave out the file list")
			},
			run: func(a *app, ctx context.Context, fs *flag.FlagSet, args []string) error {
				if err := wantArgs(args, 1, 1); err != nil {
					return err
				}
				name, version, err := exactSpec(args[0])
				if err != nil {
					return err
				}
				st, err := a.openCatalog(true)
				if err != nil {
					return err
				}
				defer st.Close()
				d, err := npm.NewStore(st.DB(), npm.Options{}).Get(name, version)
				if err != nil {
					return err
				}
				listed, err := npm.ListedIn(st, name, version)
				if err != nil {
					return err
				}
				if noFiles {
					d.FileList = nil
				}
				if a.g.json {
					return a.printJSON(struct {
						*npm.Details
						Implementation string   `json:"implementation"`
						ListedIn       []string `json:"listed_in"`
					}{d, registry.KindPackage.Label(), listed})
				}
				a.printDetails(d, listed)
				return nil
			},
		},
		{
			path: "registry remove", usage: "registry remove NAME@VERSION [--force]",
			summary: "remove a stored package version (refused while a catalog runtime lists it or a package depends on it)",
			flags: func(fs *flag.FlagSet) {
				fs.BoolVar(&force, "force", false, "remove even when a catalog runtime lists the version or a stored package pins it")
			},
			run: func(a *app, ctx context.Context, fs *flag.FlagSet, args []string) error {
				if err := wantArgs(args, 1, 1); err != nil {
					return err
				}
				name, version, err := exactSpec(args[0])
				if err != nil {
					return err
				}
				st, err := a.openCatalog(false)
				if err != nil {
					return err
				}
				defer st.Close()
				res, err := npm.NewStore(st.DB(), npm.Options{Logger: a.log}).Remove(name, version, npm.RemoveOptions{Catalog: st, Force: force})
				if err != nil {
					return err
				}
				if a.g.json {
					return a.printJSON(res)
				}
				fmt.Fprintf(a.stdout, "removed %s (%d file contents no other version holds, %s freed)\n", res.Removed, res.FreedBlobs, byteSize(res.FreedBytes))
				if len(res.ListedIn) > 0 {
					fmt.Fprintf(a.stderr, "warning: runtime(s) %s still list %s; requiring it fails until you run: verq catalog remove %s --runtime RUNTIME\n",
						strings.Join(res.ListedIn, ", "), res.Removed, res.Removed)
				}
				if len(res.Dependents) > 0 {
					fmt.Fprintf(a.stderr, "warning: %s pin %s; their require of it fails until it is added again\n", strings.Join(res.Dependents, ", "), res.Removed)
				}
				return nil
			},
		},
	}
}

// isTarballArg reports whether an add argument names a local tarball rather than a package spec.
func isTarballArg(arg string) bool {
	if strings.HasSuffix(arg, ".tgz") || strings.HasSuffix(arg, ".tar.gz") ||
		strings.HasPrefix(arg, "./") || strings.HasPrefix(arg, "../") || strings.HasPrefix(arg, "/") {
		return true
	}
	fi, err := os.Stat(arg)
	return err == nil && fi.Mode().IsRegular()
}

// exactSpec parses NAME@VERSION with an exact version.
func exactSpec(arg string) (string, string, error) {
	name, version, err := npm.ParseSpec(arg)
	if err != nil {
		return "", "", usagef("%v", err)
	}
	if version == "" {
		return "", "", usagef("give an exact version: %s@VERSION (see verq registry list)", name)
	}
	return name, version, nil
}

func (a *app) printAddResult(res *npm.AddResult, runtime string) {
	fmt.Fprintf(a.stdout, "stored %s: %d new, %d already stored, %s downloaded\n", res.Package, len(res.Added), len(res.Present), byteSize(res.Downloaded))
	for _, id := range res.Added {
		fmt.Fprintf(a.stdout, "  + %s\n", id)
	}
	for _, id := range res.Present {
		fmt.Fprintf(a.stdout, "  = %s (already stored)\n", id)
	}
	if len(res.Pinned) > 0 {
		names := make([]string, 0, len(res.Pinned))
		for n := range res.Pinned {
			names = append(names, n)
		}
		sort.Strings(names)
		var pins []string
		for _, n := range names {
			pins = append(pins, n+"@"+res.Pinned[n])
		}
		fmt.Fprintf(a.stdout, "dependencies pinned: %s\n", strings.Join(pins, ", "))
	}
	for _, s := range res.Skipped {
		fmt.Fprintf(a.stdout, "skipped %s\n", s)
	}
	switch {
	case res.Listed:
		fmt.Fprintf(a.stdout, "listed %s in runtime %q\n", res.Package, runtime)
	case runtime != "":
		fmt.Fprintf(a.stdout, "%s was already listed in runtime %q\n", res.Package, runtime)
	}
}

func (a *app) printDetails(d *npm.Details, listed []string) {
	lic := d.License
	if lic == "" {
		lic = "no license declared"
	}
	fmt.Fprintf(a.stdout, "%s  %s (%s)\n", d.ID(), registry.KindPackage.Label(), lic)
	if d.Description != "" {
		fmt.Fprintf(a.stdout, "  %s\n", d.Description)
	}
	rows := [][]string{
		{"main:", orDash(d.Main, "index.js")},
		{"size:", fmt.Sprintf("%s in %d files (tarball %s)", byteSize(d.Size), d.Files, byteSize(d.TarballSize))},
		{"integrity:", d.Integrity},
		{"source:", d.Source},
		{"added:", d.Added.Format("2006-01-02 15:04:05 MST") + map[bool]string{true: " (by name)", false: " (as a dependency)"}[d.Direct]},
	}
	if d.Deprecated != "" {
		rows = append(rows, []string{"deprecated:", d.Deprecated})
	}
	rows = append(rows, []string{"catalogs:", orDash(strings.Join(listed, ", "), "listed in no runtime")})
	rows = append(rows, []string{"dependents:", orDash(strings.Join(d.Dependents, ", "), "none")})
	for i := range rows {
		rows[i][0] = "  " + rows[i][0]
	}
	_ = a.table(rows)
	if len(d.Dependencies)+len(d.OptionalDependencies)+len(d.PeerDependencies) > 0 {
		fmt.Fprintln(a.stdout, "dependencies:")
		deps := [][]string{{"  NAME", "RANGE", "KIND", "PINNED"}}
		add := func(m map[string]string, kind string) {
			names := make([]string, 0, len(m))
			for n := range m {
				names = append(names, n)
			}
			sort.Strings(names)
			for _, n := range names {
				deps = append(deps, []string{"  " + n, m[n], kind, orDash(d.Pinned[n], "not installed")})
			}
		}
		add(d.Dependencies, "dependency")
		add(d.OptionalDependencies, "optional")
		add(d.PeerDependencies, "peer")
		_ = a.table(deps)
	}
	if len(d.FileList) > 0 {
		fmt.Fprintln(a.stdout, "files:")
		files := make([][]string, 0, len(d.FileList))
		for _, f := range d.FileList {
			files = append(files, []string{"  " + f.Path, fmt.Sprint(f.Size)})
		}
		_ = a.table(files)
	}
}

func orDash(s, empty string) string {
	if s == "" {
		return empty
	}
	return s
}

// byteSize renders a byte count for people: "318.9 kB", "1.4 MB".
func byteSize(n int64) string {
	const unit = 1000
	if n < unit {
		return fmt.Sprintf("%d B", n)
	}
	div, exp := int64(unit), 0
	for m := n / unit; m >= unit; m /= unit {
		div *= unit
		exp++
	}
	return fmt.Sprintf("%.1f %cB", float64(n)/float64(div), "kMGTPE"[exp])
}
