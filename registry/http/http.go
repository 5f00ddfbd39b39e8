// Package http gathers verq's outbound HTTP modules for rules — request 2.x, axios 0.x and
// node-fetch 2.x — as registry providers of kind go, all built on the egress core
// (registry/http/egress). Register them with
//
//	reg.MustRegister(http.Providers()...)
//
// and give runtimes the standard global fetch with [FetchGlobal]. Each module lives in its own
// subpackage (request, axios, fetch) with the same small API: a Provider type, New, and Name and
// Range constants.
package http

import (
	"github.com/verq/verq/registry"
	"github.com/verq/verq/registry/http/axios"
	"github.com/verq/verq/registry/http/fetch"
	"github.com/verq/verq/registry/http/request"
)

// Providers returns a provider for every HTTP module, sorted by name.
func Providers() []registry.Provider {
	return []registry.Provider{axios.New(), fetch.New(), request.New()}
}

// Names returns the module names served, sorted.
func Names() []string {
	ps := Providers()
	names := make([]string, len(ps))
	for i, p := range ps {
		names[i] = p.Info().Name
	}
	return names
}

// FetchGlobal installs the standard global fetch, Headers, Request and Response into a runtime;
// see fetch.FetchGlobal.
func FetchGlobal() registry.GlobalInstaller { return fetch.FetchGlobal() }
