// Package node gathers verq's Node.js core modules — buffer, crypto, events, querystring, url and
// util — as registry providers of kind core. Each module lives in its own subpackage with the
// same small API (a Module provider type and a Name constant); register them all with
//
//	reg.MustRegister(node.Providers()...)
//
// Modules not listed here (fs, child_process, net, process, vm, os, …) are deliberately absent:
// a sandbox must report them as unavailable.
package node

import (
	"github.com/verq/verq/registry"
	"github.com/verq/verq/registry/node/buffer"
	"github.com/verq/verq/registry/node/crypto"
	"github.com/verq/verq/registry/node/events"
	"github.com/verq/verq/registry/node/querystring"
	"github.com/verq/verq/registry/node/url"
	"github.com/verq/verq/registry/node/util"
)

// Providers returns a provider for every core module, sorted by name.
func Providers() []registry.Provider {
	return []registry.Provider{
		buffer.Module{},
		crypto.Module{},
		events.Module{},
		querystring.Module{},
		url.Module{},
		util.Module{},
	}
}

// Names returns the names of the core modules, sorted.
func Names() []string {
	ps := Providers()
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.Info().Name
	}
	return names
}
