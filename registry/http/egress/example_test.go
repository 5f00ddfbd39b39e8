package egress_test

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"time"

	"github.com/verq/verq/registry/http/egress"
)

// A rule's call to a third-party API reaches a local stand-in through Map, while the stand-in's own
// loopback address stays out of reach, and every exchange is recorded.
func Example() {
	standIn := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		io.WriteString(w, "hello from the stand-in for "+r.URL.Path)
	}))
	defer standIn.Close()

	client, err := egress.NewClient(egress.Options{
		Policy: egress.Policy{Map: map[string]string{"api.example.com": standIn.URL}},
	})
	if err != nil {
		fmt.Println(err)
		return
	}
	ctx := egress.WithRecorder(context.Background(), egress.RecorderFunc(func(c egress.Call) {
		fmt.Printf("recorded: %s %s status=%d denied=%v\n", c.Method, c.Host, c.Status, c.Error != "")
	}))

	req, _ := http.NewRequest("GET", "https://api.example.com/v1/users", nil)
	resp, err := egress.Do(ctx, client, req, egress.CallOptions{Timeout: 5 * time.Second})
	if err != nil {
		fmt.Println(err)
		return
	}
	fmt.Println(resp.Status, string(resp.Body))

	req, _ = http.NewRequest("GET", "http://127.0.0.1/", nil)
	_, err = egress.Do(ctx, client, req, egress.CallOptions{})
	fmt.Println(err)
	// Output:
	// recorded: GET api.example.com status=200 denied=false
	// 200 hello from the stand-in for /v1/users
	// recorded: GET 127.0.0.1 status=0 denied=true
	// egress denied: 127.0.0.1 is a loopback address; allow it with --egress-allow 127.0.0.1 or --egress-allow-private
}
