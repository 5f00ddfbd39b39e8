package axios_test

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"

	"github.com/verq/verq/registry"
	"github.com/verq/verq/registry/http/axios"
	"github.com/verq/verq/registry/http/egress"
	"github.com/verq/verq/registry/http/internal/harness"
)

// A rule pinned to axios@0.21.1 posts a form and reads the JSON answer from a local stand-in.
func Example() {
	standIn := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		r.ParseForm()
		w.Header().Set("Content-Type", "application/json")
		io.WriteString(w, `{"access_token":"at-`+r.PostForm.Get("code")+`"}`)
	}))
	defer standIn.Close()

	h, err := harness.New(harness.Options{
		Egress:   &egress.Options{Policy: egress.Policy{Map: map[string]string{"idp.example.com": standIn.URL}}},
		Modules:  map[string]registry.Provider{"axios": axios.New()},
		Versions: map[string]string{"axios": "0.21.1"},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	defer h.Close()
	_, err = h.Run(`
		(async function () {
			try {
				const res = await axios.post('https://idp.example.com/oauth2/token', 'grant_type=authorization_code&code=xyz');
				done([res.status, res.data.access_token]);
			} catch (e) {
				done(e.message);
			}
		})();
	`)
	fmt.Println(h.Result(), err)
	// Output: [200,"at-xyz"] <nil>
}
