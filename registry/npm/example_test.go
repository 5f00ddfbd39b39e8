package npm_test

import (
	"bytes"
	"context"
	"fmt"
	"os"
	"path/filepath"

	"github.com/dop251/goja"

	"github.com/verq/verq/catalog"
	"github.com/verq/verq/registry"
	"github.com/verq/verq/registry/npm"
	"github.com/verq/verq/registry/npm/tarball"
)

// Example stores a package from a local tarball, lists it in a catalog runtime, and loads it
// through a registry into a goja runtime, as the sandbox does.
func Example() {
	dir, _ := os.MkdirTemp("", "verq-example")
	defer os.RemoveAll(dir)
	cat, err := catalog.Open(filepath.Join(dir, "verq.db"), catalog.Options{})
	if err != nil {
		panic(err)
	}
	defer cat.Close()

	tgz, _ := tarball.Bytes([]tarball.File{
		{Path: "package.json", Data: []byte(`{"name": "greet", "version": "1.0.0", "license": "MIT", "main": "lib/greet.js"}`)},
		{Path: "lib/greet.js", Data: []byte(`module.exports = function (who) { return 'hello ' + who; };`)},
	})
	store := npm.NewStore(cat.DB(), npm.Options{})
	res, err := store.AddTarball(context.Background(), bytes.NewReader(tgz), "greet-1.0.0.tgz",
		npm.AddOptions{Catalog: cat, Runtime: catalog.DefaultRuntime, Actor: "example"})
	if err != nil {
		panic(err)
	}
	fmt.Println("stored", res.Package, "listed:", res.Listed)

	reg := registry.New()
	reg.AddSource(npm.NewSource(cat.DB(), npm.SourceOptions{}))
	p, _ := reg.Lookup("greet", "1.0.0")
	info := p.Info()
	fmt.Printf("%s (%s)\n", info.Kind.Label(), info.License)

	rt := goja.New()
	greet, err := p.Load(&registry.LoadRequest{Runtime: rt, Name: "greet", Version: "1.0.0"})
	if err != nil {
		panic(err)
	}
	fn, _ := goja.AssertFunction(greet)
	v, _ := fn(nil, rt.ToValue("rules"))
	fmt.Println(v)
	// Output:
	// stored greet@1.0.0 listed: true
	// JS package (MIT)
	// hello rules
}
