package main

import (
	"context"
	"flag"
	"strings"

	"github.com/verq/verq/resolver"
)

func resolveCommands() []*command {
	return []*command{{
		path: "resolve", usage: "resolve SPEC", summary: "explain how a require specifier resolves in the runtime, or why it does not",
		run: func(a *app, ctx context.Context, fs *flag.FlagSet, args []string) error {
			if err := wantArgs(args, 1, 1); err != nil {
				return err
			}
			st, err := a.openCatalog(true)
			if err != nil {
				return err
			}
			defer st.Close()
			res := resolver.New(st, a.listingRegistry(st))
			ex := res.Explain(a.runtimeName(), args[0])
			if a.g.json {
				if err := a.printJSON(ex); err != nil {
					return err
				}
			} else {
				a.printExplanation(ex)
			}
			if ex.Error != "" {
				return exitError{code: exitFailure}
			}
			return nil
		},
	}}
}

func (a *app) printExplanation(ex *resolver.Explanation) {
	a.printf("spec:     %s\n", ex.Spec)
	a.printf("runtime:  %s\n", ex.Runtime)
	for _, s := range ex.Steps {
		a.printf("  - %s\n", s)
	}
	if ex.Error != "" {
		a.printf("result:   %s\n", ex.Error)
		return
	}
	r := ex.Resolution
	a.printf("result:   %s (%s", r.Key(), r.How)
	if r.Requested != "" && r.Requested != r.Version {
		a.printf(" of %s", r.Requested)
	}
	a.printf(")\n")
	a.printf("status:   %s", r.Status)
	if r.Reason != "" {
		a.printf(": %s", r.Reason)
	}
	a.printf("\n")
	impl := r.Implementation.Kind.Label()
	if d := strings.TrimSpace(r.Implementation.Description); d != "" {
		impl += " — " + d
	}
	a.printf("served by: %s\n", impl)
}
