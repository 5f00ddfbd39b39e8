package fetch_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/verq/verq/registry"
	"github.com/verq/verq/registry/http/egress"
	"github.com/verq/verq/registry/http/fetch"
	"github.com/verq/verq/registry/http/internal/harness"
)

// A rule fetches JSON with node-fetch; a second runtime gets the standard global fetch.
func Example() {
	standIn := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `[{"relationshipType":"parent","to":"user-2"}]`)
	}))
	defer standIn.Close()
	eo := &egress.Options{Policy: egress.Policy{Map: map[string]string{"api.example.com": standIn.URL}}}

	h, err := harness.New(harness.Options{
		Egress:   eo,
		Modules:  map[string]registry.Provider{"node-fetch": fetch.New()},
		Versions: map[string]string{"node-fetch": "2.6.0"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer h.Close()
	_, err = h.Run(`
		const fetch = node_fetch;
		fetch('https://api.example.com/relationships', {headers: {Authorization: 'Bearer T'}})
			.then(res => res.ok ? res.json() : [])
			.then(rels => done(rels.map(r => r.relationshipType + ':' + r.to)));
	`)
	fmt.Println(h.Result(), err)

	g, err := harness.New(harness.Options{Egress: eo})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer g.Close()
	if err := fetch.FetchGlobal()(g.RT, g); err != nil {
		fmt.Println(err)
		return
	}
	_, err = g.Run(`(async () => { const res = await fetch('https://api.example.com/x'); done([res.status, (await res.json()).length]); })()`)
	fmt.Println(g.Result(), err)
	// Output:
	// ["parent:user-2"] <nil>
	// [200,1] <nil>
}
