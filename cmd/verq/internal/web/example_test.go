package web_test

import (
	"fmt"
	"io"
	"net/http/httptest"
	"os"
	"path/filepath"

	"github.com/verq/verq/catalog"
	"github.com/verq/verq/cmd/verq/internal/web"
)

// Example serves a catalog and reads the canirequire list of one runtime, as the canirequire page and
// scripts do.
func Example() {
	dir, _ := os.MkdirTemp("", "verq-example")
	defer os.RemoveAll(dir)
	st, err := catalog.Open(filepath.Join(dir, "verq.db"), catalog.Options{Actor: "example"})
	if err != nil {
		panic(err)
	}
	defer st.Close()
	list, _ := catalog.ParseList([]byte(`{"node_version": "v18.20.4", "modules": [
		{"name": "crypto", "version": "native"},
		{"name": "auth0", "version": "2.44.1"},
		{"name": "auth0", "version": "2.9.1"}]}`), catalog.FormatAuto)
	if _, err := st.Import("example", "node18", list, catalog.ImportOptions{}); err != nil {
		panic(err)
	}

	srv, err := web.New(web.Config{Catalog: st, DefaultRuntime: "node18", Token: web.NewToken("s3cret")})
	if err != nil {
		panic(err)
	}
	rec := httptest.NewRecorder()
	srv.ServeHTTP(rec, httptest.NewRequest("GET", "/canirequire", nil))
	body, _ := io.ReadAll(rec.Body)
	fmt.Println(rec.Code, rec.Header().Get("Access-Control-Allow-Origin"))
	fmt.Print(string(body))
	// Output:
	// 200 *
	// {
	//   "node_version": "v18.20.4",
	//   "modules": [
	//     {
	//       "name": "crypto",
	//       "version": "native"
	//     },
	//     {
	//       "name": "auth0",
	//       "version": "2.44.1"
	//     },
	//     {
	//       "name": "auth0",
	//       "version": "2.9.1"
	//     }
	//   ]
	// }
}
