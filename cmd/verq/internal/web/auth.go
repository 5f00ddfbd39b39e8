package web

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
	"unicode"

	"go.etcd.io/bbolt"
)

// AdminBucket is the top-level bucket of the catalog database in which the server keeps the SHA-256 hash
// of the generated admin token (key "token_sha256") and when it was made (key "created"). The token
// itself is never stored.
const AdminBucket = "web.admin"

var (
	keyTokenHash    = []byte("token_sha256")
	keyTokenCreated = []byte("created")
)

// ActorHeader is the request header an admin client may set to name who is making a change; the history
// records "admin:<value>" (otherwise "admin").
const ActorHeader = "X-Verq-Actor"

// Token checks admin bearer tokens. It holds only the SHA-256 hash of the token and compares hashes in
// constant time. The zero Token accepts nothing.
type Token struct {
	hash [sha256.Size]byte
	set  bool
}

// NewToken returns a Token accepting exactly token. An empty token gives the zero Token.
func NewToken(token string) Token {
	if token == "" {
		return Token{}
	}
	return Token{hash: sha256.Sum256([]byte(token)), set: true}
}

// Set reports whether the Token accepts anything.
func (t Token) Set() bool { return t.set }

// Check reports whether presented is the token, in time independent of where they differ.
func (t Token) Check(presented string) bool {
	h := sha256.Sum256([]byte(presented))
	ok := subtle.ConstantTimeCompare(h[:], t.hash[:]) == 1
	return ok && t.set
}

// GenerateToken returns a new random admin token: "verq_" followed by 32 random bytes in URL-safe base64.
func GenerateToken() (string, error) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		return "", fmt.Errorf("generate admin token: %w", err)
	}
	return "verq_" + base64.RawURLEncoding.EncodeToString(b[:]), nil
}

// LoadToken returns the Token whose hash is stored in db (AdminBucket), and false when none is stored.
// It works on read-only databases.
func LoadToken(db *bbolt.DB) (Token, bool, error) {
	var t Token
	err := db.View(func(tx *bbolt.Tx) error {
		b := tx.Bucket([]byte(AdminBucket))
		if b == nil {
			return nil
		}
		h := b.Get(keyTokenHash)
		if h == nil {
			return nil
		}
		if len(h) != sha256.Size {
			return fmt.Errorf("bucket %q of %s: the stored admin token hash is %d bytes, want %d: rotate it (verq serve --rotate-admin-token)", AdminBucket, db.Path(), len(h), sha256.Size)
		}
		copy(t.hash[:], h)
		t.set = true
		return nil
	})
	return t, t.set, err
}

// CreateToken generates a new admin token, stores its hash in db (replacing any earlier one) and returns
// the Token and the token text, which the caller shows once: it cannot be recovered later.
func CreateToken(db *bbolt.DB, now time.Time) (Token, string, error) {
	if db.IsReadOnly() {
		return Token{}, "", errors.New("cannot store an admin token in a read-only database: set VERQ_ADMIN_TOKEN, or start once without --read-only")
	}
	text, err := GenerateToken()
	if err != nil {
		return Token{}, "", err
	}
	t := NewToken(text)
	err = db.Update(func(tx *bbolt.Tx) error {
		b, err := tx.CreateBucketIfNotExists([]byte(AdminBucket))
		if err != nil {
			return err
		}
		if err := b.Put(keyTokenHash, t.hash[:]); err != nil {
			return err
		}
		return b.Put(keyTokenCreated, []byte(now.UTC().Format(time.RFC3339)))
	})
	if err != nil {
		return Token{}, "", fmt.Errorf("store the admin token hash in %s: %w", db.Path(), err)
	}
	return t, text, nil
}

// bearer extracts the token of an "Authorization: Bearer <token>" header.
func bearer(r *http.Request) (string, bool) {
	h := r.Header.Get("Authorization")
	const prefix = "bearer "
	if len(h) <= len(prefix) || !strings.EqualFold(h[:len(prefix)], prefix) {
		return "", false
	}
	return strings.TrimSpace(h[len(prefix):]), true
}

// maxActorLen bounds the X-Verq-Actor value recorded in the history.
const maxActorLen = 64

// actorOf is the history actor of an authorized request: "admin", or "admin:<X-Verq-Actor>" with the
// header's control and invisible characters removed and its length bounded.
func actorOf(r *http.Request) string {
	v := r.Header.Get(ActorHeader)
	var b strings.Builder
	n := 0
	for _, c := range strings.TrimSpace(v) {
		if n == maxActorLen {
			break
		}
		if !unicode.IsPrint(c) {
			continue
		}
		b.WriteRune(c)
		n++
	}
	if s := strings.TrimSpace(b.String()); s != "" {
		return "admin:" + s
	}
	return "admin"
}
