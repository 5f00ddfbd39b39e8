package main

import (
	"github.com/verq/verq/registry"
	"github.com/verq/verq/registry/auth0"
	"github.com/verq/verq/registry/node"
)

// fullRegistry is the registry of every implementation this binary can serve: the core modules, the
// auth0 ManagementClient shim (talking to the Management API that opts names) and stored packages.
func (a *app) fullRegistry(opts auth0.Options) (*registry.Registry, error) {
	reg := registry.New()
	for _, p := range node.Providers() {
		if err := reg.Register(p); err != nil {
			return nil, err
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
func (a *app) listingRegistry() *registry.Registry {
	reg, err := a.fullRegistry(auth0.Options{Logger: a.log})
	if err != nil {
		// The default options cannot fail; a failure here is a programming error in wiring.
		panic(err)
	}
	return reg
}
