package tenant

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/json"
	"encoding/pem"
	"errors"
	"io"
	"math/big"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"
)

func TestRoundTripper(t *testing.T) {
	tn := openTest(t, Options{})
	tok := token(t, tn, "read:users", "update:users")
	client := &http.Client{Transport: tn.RoundTripper()}
	for _, base := range []string{tn.BaseURL(), "http://any-host.example:9/api/v2"} {
		req, _ := http.NewRequest("GET", base+"/users/"+jane, nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := client.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		var u map[string]any
		if resp.StatusCode != 200 || json.Unmarshal(body, &u) != nil || u["user_id"] != jane {
			t.Fatalf("%s: %d %s", base, resp.StatusCode, body)
		}
		if resp.ContentLength != int64(len(body)) || resp.Header.Get("Content-Type") == "" || resp.Request != req {
			t.Fatalf("response fields: %+v", resp)
		}
	}
	req, _ := http.NewRequest("PATCH", tn.BaseURL()+"/users/"+jane, strings.NewReader(`{"app_metadata":{"via":"round tripper"}}`))
	req.Header.Set("Authorization", "Bearer "+tok)
	req.Header.Set("Content-Type", "application/json")
	resp, err := client.Do(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("patch: %v %v", resp, err)
	}
	resp.Body.Close()
	if u, _ := tn.GetUser(bg, jane); u["app_metadata"].(map[string]any)["via"] != "round tripper" {
		t.Fatal("patch through the round tripper not stored")
	}
}

func TestRoundTripper_Context(t *testing.T) {
	tn := openTest(t, Options{})
	tok := token(t, tn, "read:users")
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	req, _ := http.NewRequestWithContext(ctx, "GET", tn.BaseURL()+"/users", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	if _, err := tn.RoundTripper().RoundTrip(req); !errors.Is(err, context.Canceled) {
		t.Fatalf("cancelled request: %v", err)
	}
	// A handler that blocks: RoundTrip must return when the context ends.
	block := make(chan struct{})
	defer close(block)
	rt := inProcess{http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { <-block })}
	ctx, cancel = context.WithTimeout(context.Background(), 20*time.Millisecond)
	defer cancel()
	req, _ = http.NewRequestWithContext(ctx, "GET", "https://local.verq/api/v2/users", nil)
	if _, err := rt.RoundTrip(req); !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("blocked handler: %v", err)
	}
	// A live context that does not end: the normal path.
	ctx, cancel = context.WithTimeout(context.Background(), time.Minute)
	defer cancel()
	req, _ = http.NewRequestWithContext(ctx, "GET", tn.BaseURL()+"/users", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := tn.RoundTripper().RoundTrip(req)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("live context: %v %v", resp, err)
	}
}

func TestServe_Loopback(t *testing.T) {
	tn := openTest(t, Options{})
	ctx, cancel := context.WithCancel(context.Background())
	addrc := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, tn, "127.0.0.1:0", "", "", func(a net.Addr) { addrc <- a }) }()
	var addr net.Addr
	select {
	case addr = <-addrc:
	case err := <-done:
		t.Fatalf("Serve: %v", err)
	}
	base := "http://" + addr.String()
	id, secret, err := tn.CreateClient("loopback", []string{"read:users"})
	if err != nil {
		t.Fatal(err)
	}
	resp, err := http.Post(base+"/oauth/token", "application/json", strings.NewReader(
		`{"grant_type":"client_credentials","client_id":"`+id+`","client_secret":"`+secret+`","audience":"https://local.verq/api/v2/"}`))
	if err != nil {
		t.Fatal(err)
	}
	var tr struct {
		AccessToken string `json:"access_token"`
	}
	json.NewDecoder(resp.Body).Decode(&tr)
	resp.Body.Close()
	var wg sync.WaitGroup
	for i := 0; i < 8; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req, _ := http.NewRequest("GET", base+"/api/v2/users-by-email?email=jane.smith@example.com", nil)
			req.Header.Set("Authorization", "Bearer "+tr.AccessToken)
			resp, err := http.DefaultClient.Do(req)
			if err != nil {
				t.Error(err)
				return
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || !strings.Contains(string(body), jane) {
				t.Errorf("%d %s", resp.StatusCode, body)
			}
		}()
	}
	wg.Wait()
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve returned %v after shutdown", err)
		}
	case <-time.After(15 * time.Second):
		t.Fatal("Serve did not shut down")
	}
	if _, err := http.Get(base + "/api/v2/users"); err == nil {
		t.Fatal("server still accepting after shutdown")
	}
}

func TestServe_Errors(t *testing.T) {
	tn := openTest(t, Options{})
	if err := Serve(context.Background(), tn, "127.0.0.1:0", "cert.pem", "", nil); err == nil {
		t.Fatal("TLS with a cert and no key")
	}
	if err := Serve(context.Background(), tn, "256.0.0.1:bad", "", "", nil); err == nil {
		t.Fatal("bad address")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	if err := Serve(ctx, tn, "127.0.0.1:0", "missing-cert.pem", "missing-key.pem", nil); err == nil || !strings.Contains(err.Error(), "missing-cert.pem") {
		t.Fatalf("missing TLS files: %v", err)
	}
}

func TestServe_TLS(t *testing.T) {
	tn := openTest(t, Options{})
	certFile, keyFile, pool := selfSigned(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	addrc := make(chan net.Addr, 1)
	done := make(chan error, 1)
	go func() { done <- Serve(ctx, tn, "127.0.0.1:0", certFile, keyFile, func(a net.Addr) { addrc <- a }) }()
	addr := <-addrc
	client := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}}}
	req, _ := http.NewRequest("GET", "https://"+addr.String()+"/api/v2/users/"+jane, nil)
	req.Header.Set("Authorization", "Bearer "+token(t, tn, "read:users"))
	resp, err := client.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 || resp.TLS == nil {
		t.Fatalf("TLS request: %d %v", resp.StatusCode, resp.TLS)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}

// selfSigned writes a certificate for 127.0.0.1 and its key, and returns a pool trusting it.
func selfSigned(t *testing.T) (certFile, keyFile string, pool *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "local.verq"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, DNSNames: []string{"local.verq"},
		KeyUsage: x509.KeyUsageDigitalSignature, ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	kb, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	certFile, keyFile = filepath.Join(dir, "cert.pem"), filepath.Join(dir, "key.pem")
	os.WriteFile(certFile, pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}), 0o600)
	os.WriteFile(keyFile, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: kb}), 0o600)
	cert, _ := x509.ParseCertificate(der)
	pool = x509.NewCertPool()
	pool.AddCert(cert)
	return certFile, keyFile, pool
}
