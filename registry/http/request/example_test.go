package request_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/verq/verq/registry"
	"github.com/verq/verq/registry/http/egress"
	"github.com/verq/verq/registry/http/internal/harness"
	"github.com/verq/verq/registry/http/request"
)

// A rule calls a third-party API with request; the egress map sends the call to a local stand-in.
func Example() {
	standIn := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"id":"`+r.URL.Query().Get("id")+`","auth":"`+r.Header.Get("Authorization")+`"}`)
	}))
	defer standIn.Close()

	reg := registry.New().MustRegister(request.New())
	p, _ := reg.Lookup("request", "2.88.2")
	fmt.Println(p.Info().Name, p.Info().Range, p.Info().Kind.Label())

	h, err := harness.New(harness.Options{
		Egress:   &egress.Options{Policy: egress.Policy{Map: map[string]string{"api.example.com": standIn.URL}}},
		Modules:  map[string]registry.Provider{"request": p},
		Versions: map[string]string{"request": "2.88.2"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer h.Close()
	_, err = h.Run(`
		request.get({url: 'https://api.example.com/lookup', qs: {id: 'u1'}, auth: {bearer: 'T'}, json: true},
			function (err, response, body) { done([err, response.statusCode, body]); });
	`)
	fmt.Println(h.Result(), err)
	for _, c := range h.Calls() {
		fmt.Println(c.Method, c.Host, c.Status)
	}
	// Output:
	// request >=2.0.0 <3 Go shim
	// [null,200,{"id":"u1","auth":"Bearer T"}] <nil>
	// GET api.example.com 200
}
