package main

import (
	"flag"
	"net/http"

	"github.com/verq/verq/catalog"
	"github.com/verq/verq/registry"
	"github.com/verq/verq/registry/auth0"
	httpmods "github.com/verq/verq/registry/http"
	"github.com/verq/verq/registry/http/egress"
	"github.com/verq/verq/registry/node"
	"github.com/verq/verq/registry/npm"
)

// fullRegistry is the registry of every implementation this binary can serve: the core modules, the
// HTTP client modules, the auth0 ManagementClient shim (talking to the Management API that opts
// names) and stored packages.
// Stored packages are served from st's database when st is not nil.
func (a *app) fullRegistry(st *catalog.Store, opts auth0.Options) (*registry.Registry, error) {
	reg := registry.New()
	if st != nil {
		reg.AddSource(npm.NewSource(st.DB(), npm.SourceOptions{Logger: a.log}))
	}
	for _, group := range [][]registry.Provider{node.Providers(), httpmods.Providers()} {
		for _, p := range group {
			if err := reg.Register(p); err != nil {
				return nil, err
			}
		}
	}
	ap, err := auth0.NewProvider(opts)
	if err != nil {
		return nil, err
	}
	if err := reg.Register(ap); err != nil {
		return nil, err
	}
	return reg, nil
}

// listingRegistry is the registry used where nothing is executed (listings, resolve): the same
// implementations, with the default Management API settings.
func (a *app) listingRegistry(st *catalog.Store) *registry.Registry {
	reg, err := a.fullRegistry(st, auth0.Options{Logger: a.log})
	if err != nil {
		// The default options cannot fail; a failure here is a programming error in wiring.
		panic(err)
	}
	return reg
}

// egressFlags configure the outbound HTTP policy of rule executions.
type egressFlags struct {
	allow        multiFlag
	allowPrivate bool
	maps         multiFlag
}

func (e *egressFlags) register(fs *flag.FlagSet) {
	fs.Var(&e.allow, "egress-allow", "let rules reach this `host, *.domain, IP or CIDR` (repeatable; default: every public address)")
	fs.BoolVar(&e.allowPrivate, "egress-allow-private", false, "let rules reach loopback, link-local and private addresses")
	fs.Var(&e.maps, "egress-map", "send a host's calls to a local stand-in: `HOST=URL` (repeatable)")
}

func (e *egressFlags) policy() (egress.Policy, error) {
	p := egress.Policy{Allow: e.allow, AllowPrivate: e.allowPrivate}
	for _, m := range e.maps {
		host, target, err := egress.ParseMap(m)
		if err != nil {
			return p, usagef("--egress-map %q: %v", m, err)
		}
		if p.Map == nil {
			p.Map = map[string]string{}
		}
		p.Map[host] = target
	}
	return p, nil
}

// hostRoute sends requests for one host to a local round tripper (the in-process local tenant) and
// everything else to next. Calls it serves locally are recorded like egress calls.
type hostRoute struct {
	host  string
	local http.RoundTripper
	next  http.RoundTripper
}

func (h *hostRoute) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.URL.Hostname() == h.host {
		return h.local.RoundTrip(req)
	}
	return h.next.RoundTrip(req)
}
