package catalog_test

import (
	"fmt"
	"log"
	"os"
	"path/filepath"

	"github.com/verq/verq/catalog"
)

// Open a catalog, import a canirequire list into a runtime, curate it, and read it back.
func Example() {
	dir, err := os.MkdirTemp("", "verq-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)

	store, err := catalog.Open(filepath.Join(dir, "verq.db"), catalog.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

	list, err := catalog.ParseList([]byte(`{
	  "node_version": "v18.20.4",
	  "modules": [
	    {"name": "crypto", "version": "native"},
	    {"name": "auth0", "version": "2.44.1"},
	    {"name": "auth0", "version": "2.9.1"},
	    {"name": "lodash", "version": "~4.17.21"}
	  ]
	}`), "auto")
	if err != nil {
		log.Fatal(err)
	}
	runtime, _ := catalog.RuntimeFromNodeVersion(list.NodeVersion)
	diff, err := store.Import("alice", runtime, list, catalog.ImportOptions{})
	if err != nil {
		log.Fatal(err)
	}
	fmt.Println(diff.Summary())
	fmt.Println(diff.Notes[0])

	if err := store.SetStatus("alice", runtime, "auth0", "2.9.1", catalog.StatusDeprecated, "upgrade to 2.44.1"); err != nil {
		log.Fatal(err)
	}
	m, err := store.Module(runtime, "auth0")
	if err != nil {
		log.Fatal(err)
	}
	for _, v := range m.Versions {
		line := fmt.Sprintf("%s@%s %s", m.Name, v.Version, v.Status)
		if v.Reason != "" {
			line += ": " + v.Reason
		}
		fmt.Println(line)
	}
	fmt.Println("default:", m.Default)

	_, err = store.Module(runtime, "request")
	fmt.Println(err)

	history, _ := store.History(runtime, 1)
	fmt.Println(history[0].Actor, history[0].Action, history[0].Module, history[0].Version)
	// Output:
	// runtime "node18": created, +3 modules, +4 versions, 0 unchanged
	// lodash: range ~4.17.21 imported as 4.17.21
	// auth0@2.44.1 allowed
	// auth0@2.9.1 deprecated: upgrade to 2.44.1
	// default: 2.44.1
	// module not found: "request" is not in catalog "node18"
	// alice deprecate auth0 2.9.1
}

// Export a runtime in both list formats.
func ExampleStore_Export() {
	dir, err := os.MkdirTemp("", "verq-example")
	if err != nil {
		log.Fatal(err)
	}
	defer os.RemoveAll(dir)
	store, err := catalog.Open(filepath.Join(dir, "verq.db"), catalog.Options{})
	if err != nil {
		log.Fatal(err)
	}
	defer store.Close()

	_ = store.CreateRuntime("ops", "node16", "v16.20.2")
	_ = store.AddVersion("ops", "node16", "url", "native")
	_ = store.AddVersion("ops", "node16", "auth0", "2.9.1")
	_ = store.AddVersion("ops", "node16", "auth0", "2.44.1")
	_ = store.SetDefault("ops", "node16", "auth0", "2.44.1")

	list, err := store.Export("node16")
	if err != nil {
		log.Fatal(err)
	}
	verquire, _ := list.MarshalVerquire()
	fmt.Print(string(verquire))
	for _, e := range list.Entries {
		fmt.Println(e.Name, e.Version)
	}
	// Output:
	// {
	//   "auth0": ["2.44.1", "2.9.1"]
	// }
	// url native
	// auth0 2.44.1
	// auth0 2.9.1
}
