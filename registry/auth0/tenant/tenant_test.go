package tenant

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func TestOpen_NewFileIsSeeded(t *testing.T) {
	tn := openTest(t, Options{})
	page, err := tn.ListUsers(bg, ListQuery{})
	if err != nil {
		t.Fatal(err)
	}
	if page.Total < 5 {
		t.Fatalf("seeded %d users, want a handful", page.Total)
	}
	var social, blocked, neverLoggedIn, withMetadata int
	for _, u := range page.Users {
		for _, k := range []string{"user_id", "created_at", "updated_at", "identities"} {
			if _, ok := u[k]; !ok {
				t.Errorf("seed user %s lacks %s", u.ID(), k)
			}
		}
		if ids := u["identities"].([]any); ids[0].(map[string]any)["isSocial"] == true {
			social++
		}
		if u["blocked"] == true {
			blocked++
		}
		if _, ok := u["logins_count"]; !ok {
			neverLoggedIn++
		}
		if _, ok := u["app_metadata"]; ok {
			withMetadata++
		}
	}
	if social == 0 || blocked == 0 || neverLoggedIn == 0 || withMetadata < 3 {
		t.Fatalf("seed lacks variety: social=%d blocked=%d never-logged-in=%d with-metadata=%d", social, blocked, neverLoggedIn, withMetadata)
	}
	if tn.Domain() != DefaultDomain || tn.BaseURL() != "https://local.verq/api/v2" {
		t.Fatalf("domain %q base %q", tn.Domain(), tn.BaseURL())
	}
	if roles := tn.listRoles(""); len(roles) != 2 {
		t.Fatalf("seeded roles: %v", roles)
	}
}

func TestOpen_ReopenKeepsCommittedWrites(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tenant.db")
	tn, err := Open(path, Options{Domain: "acme.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	tok := token(t, tn, everyScope...)
	r := do(t, tn, "PATCH", "/api/v2/users/auth0%7C5f7c8ec7c33c6c004bbafe82", tok, map[string]any{"app_metadata": map[string]any{"plan": "platinum"}})
	expect(t, r, 200, "", "")
	if err := tn.setConfig(bg, "API_KEY", "s3cret"); err != nil {
		t.Fatal(err)
	}
	if _, err := tn.createRule(bg, ruleInput{Name: ptr("one"), Script: ptr("function (u, c, cb) { cb(null, u, c); }")}); err != nil {
		t.Fatal(err)
	}
	if err := tn.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(holderPath(path)); !os.IsNotExist(err) {
		t.Fatalf("holder file left after Close: %v", err)
	}

	tn, err = Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer tn.Close()
	if tn.Domain() != "acme.example.com" {
		t.Fatalf("stored domain not used: %q", tn.Domain())
	}
	u, err := tn.GetUser(bg, "auth0|5f7c8ec7c33c6c004bbafe82")
	if err != nil {
		t.Fatal(err)
	}
	if u["app_metadata"].(map[string]any)["plan"] != "platinum" {
		t.Fatalf("patch lost across reopen: %v", u["app_metadata"])
	}
	if cfg, _ := tn.Configuration(); cfg["API_KEY"] != "s3cret" {
		t.Fatalf("configuration lost: %v", cfg)
	}
	if rules, _ := tn.EnabledRules(); len(rules) != 1 || rules[0].Name != "one" {
		t.Fatalf("rules lost: %v", rules)
	}
	// The old token is still valid: the signing secret and the domain are stored in the database.
	expect(t, do(t, tn, "GET", "/api/v2/users/auth0%7C5f7c8ec7c33c6c004bbafe82", tok, nil), 200, "", "")
	tn.Close()

	// Opening under another domain changes iss/aud: old tokens are refused.
	tn, err = Open(path, Options{Domain: "other.example.com"})
	if err != nil {
		t.Fatal(err)
	}
	defer tn.Close()
	expect(t, do(t, tn, "GET", "/api/v2/users/auth0%7C5f7c8ec7c33c6c004bbafe82", tok, nil), 401, "invalid_token", "Bad issuer")
}

func ptr[T any](v T) *T { return &v }

// refused checks that Open fails with ErrNotTenant and leaves the file byte-for-byte unchanged.
func refused(t *testing.T, path string, fragment string) {
	t.Helper()
	before, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	st, _ := os.Stat(path)
	_, err = Open(path, Options{LockTimeout: 200 * time.Millisecond})
	if !errors.Is(err, ErrNotTenant) {
		t.Fatalf("Open = %v, want ErrNotTenant", err)
	}
	if !strings.Contains(err.Error(), path) || !strings.Contains(err.Error(), fragment) {
		t.Fatalf("error %q should name the file and say %q", err, fragment)
	}
	after, _ := os.ReadFile(path)
	st2, _ := os.Stat(path)
	if !bytes.Equal(before, after) || !st.ModTime().Equal(st2.ModTime()) {
		t.Fatal("a refused file was modified")
	}
	if _, err := os.Stat(holderPath(path)); !os.IsNotExist(err) {
		t.Fatal("a refused file got a holder sidecar")
	}
}

func TestOpen_RefusesNonTenantFiles(t *testing.T) {
	dir := t.TempDir()
	t.Run("text file", func(t *testing.T) {
		p := filepath.Join(dir, "notes.txt")
		os.WriteFile(p, []byte(strings.Repeat("hello, this is not a database\n", 300)), 0o600)
		refused(t, p, "not a bbolt database")
	})
	t.Run("tiny file", func(t *testing.T) {
		p := filepath.Join(dir, "tiny")
		os.WriteFile(p, []byte("{}"), 0o600)
		refused(t, p, "too short")
	})
	t.Run("other bbolt database", func(t *testing.T) {
		p := filepath.Join(dir, "catalog.db")
		db, err := bolt.Open(p, 0o600, nil)
		if err != nil {
			t.Fatal(err)
		}
		db.Update(func(tx *bolt.Tx) error {
			b, _ := tx.CreateBucket([]byte("runtimes"))
			return b.Put([]byte("default"), []byte("{}"))
		})
		db.Close()
		refused(t, p, "not a verq tenant")
	})
	t.Run("corrupt tenant", func(t *testing.T) {
		p := filepath.Join(dir, "corrupt.db")
		tn, err := Open(p, Options{})
		if err != nil {
			t.Fatal(err)
		}
		tn.Close()
		b, _ := os.ReadFile(p)
		// Keep the meta pages (first two 4 KiB pages) and scribble over every page after them.
		for i := 2 * 4096; i < len(b); i++ {
			b[i] = byte(i * 7)
		}
		os.WriteFile(p, b, 0o600)
		refused(t, p, "corrupt")
	})
	t.Run("directory", func(t *testing.T) {
		if _, err := Open(dir, Options{}); err == nil || !strings.Contains(err.Error(), "directory") {
			t.Fatalf("Open(dir) = %v", err)
		}
	})
}

func TestOpen_LockTimeoutNamesHolder(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tenant.db")
	tn, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer tn.Close()
	var h holder
	b, err := os.ReadFile(holderPath(path))
	if err != nil || json.Unmarshal(b, &h) != nil || h.PID != os.Getpid() || h.Command == "" {
		t.Fatalf("holder sidecar: %s, %v", b, err)
	}
	for _, ro := range []bool{false, true} {
		_, err = Open(path, Options{LockTimeout: 150 * time.Millisecond, ReadOnly: ro})
		if !errors.Is(err, ErrLocked) {
			t.Fatalf("second Open (read-only %v) = %v, want ErrLocked", ro, err)
		}
		for _, want := range []string{path, "pid", h.Command} {
			if !strings.Contains(err.Error(), want) {
				t.Fatalf("lock error %q lacks %q", err, want)
			}
		}
	}
}

func TestOpen_ReadOnly(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tenant.db")
	if _, err := Open(path, Options{ReadOnly: true}); err == nil || !strings.Contains(err.Error(), "does not exist") {
		t.Fatalf("read-only open of a missing file = %v", err)
	}
	tn, err := Open(path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	tn.Close()
	ro1, err := Open(path, Options{ReadOnly: true})
	if err != nil {
		t.Fatal(err)
	}
	defer ro1.Close()
	ro2, err := Open(path, Options{ReadOnly: true, LockTimeout: 200 * time.Millisecond})
	if err != nil {
		t.Fatalf("two read-only opens should share the file: %v", err)
	}
	defer ro2.Close()
	tok := token(t, ro1, everyScope...)
	expect(t, do(t, ro1, "GET", "/api/v2/users", tok, nil), 200, "", "")
	r := do(t, ro1, "PATCH", "/api/v2/users/auth0%7C5f7c8ec7c33c6c004bbafe82", tok, map[string]any{"app_metadata": map[string]any{"a": 1}})
	expect(t, r, 503, "read_only", "read-only")
	if _, err := ro1.ImportUsers(bg, strings.NewReader(`[]`)); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("ImportUsers on read-only = %v", err)
	}
	if _, _, err := ro1.CreateClient("x", []string{"read:users"}); !errors.Is(err, ErrReadOnly) {
		t.Fatalf("CreateClient on read-only = %v", err)
	}
	if _, err := os.Stat(holderPath(path)); !os.IsNotExist(err) {
		t.Fatal("read-only open wrote a holder sidecar")
	}
}

func TestOpen_InterruptedCreationIsFinished(t *testing.T) {
	path := filepath.Join(t.TempDir(), "tenant.db")
	db, err := bolt.Open(path, 0o600, nil) // a bbolt file with no buckets yet
	if err != nil {
		t.Fatal(err)
	}
	db.Close()
	tn, err := Open(path, Options{})
	if err != nil {
		t.Fatalf("Open of an empty bbolt file: %v", err)
	}
	defer tn.Close()
	if len(tn.st.users) == 0 {
		t.Fatal("not seeded")
	}
}

func TestOpen_Options(t *testing.T) {
	for _, bad := range []Options{{Domain: "https://x.com"}, {Domain: "a/b"}, {Domain: "x:port"}, {RateLimit: -1}} {
		if _, err := Open(filepath.Join(t.TempDir(), "t.db"), bad); err == nil {
			t.Errorf("Open(%+v) succeeded", bad)
		}
	}
	tn := openTest(t, Options{Domain: "127.0.0.1:8443"})
	if tn.BaseURL() != "https://127.0.0.1:8443/api/v2" {
		t.Fatal(tn.BaseURL())
	}
}

func TestTenant_CloseTwice(t *testing.T) {
	tn, err := Open(filepath.Join(t.TempDir(), "t.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	if err := tn.Close(); err != nil {
		t.Fatal(err)
	}
	if err := tn.Close(); err != nil {
		t.Fatal(err)
	}
	if err := tn.setConfig(bg, "K", "v"); !errors.Is(err, ErrClosed) {
		t.Fatalf("write after Close = %v", err)
	}
}
