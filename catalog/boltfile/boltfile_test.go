package boltfile

import (
	"bytes"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func TestHolder_WriteReadRemove(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	if _, ok := ReadHolder(path); ok {
		t.Fatal("holder reported with no sidecar")
	}
	h := CurrentHolder(time.Date(2024, 5, 1, 10, 0, 0, 500, time.UTC))
	if h.PID != os.Getpid() || h.Command == "" || h.Mode != "read-write" || h.Since.Nanosecond() != 0 {
		t.Fatalf("CurrentHolder = %+v", h)
	}
	if err := WriteHolder(path, h); err != nil {
		t.Fatal(err)
	}
	got, ok := ReadHolder(path)
	if !ok || got.PID != h.PID || got.Command != h.Command || !got.Since.Equal(h.Since) {
		t.Fatalf("ReadHolder = %+v, %v; want %+v", got, ok, h)
	}
	RemoveHolder(path)
	if _, err := os.Stat(HolderPath(path)); !errors.Is(err, os.ErrNotExist) {
		t.Fatalf("sidecar not removed: %v", err)
	}
}

func TestHolder_OthersAndStale(t *testing.T) {
	path := filepath.Join(t.TempDir(), "x.db")
	other := Holder{PID: 1 << 30, Command: "verq serve", Since: time.Now(), Mode: "read-write"}
	if err := WriteHolder(path, other); err != nil {
		t.Fatal(err)
	}
	if _, ok := ReadHolder(path); ok {
		t.Error("a holder naming a dead process was trusted")
	}
	RemoveHolder(path)
	if _, err := os.Stat(HolderPath(path)); err != nil {
		t.Errorf("another process's sidecar was removed: %v", err)
	}
}

func TestLockedError(t *testing.T) {
	sentinel := errors.New("locked")
	path := filepath.Join(t.TempDir(), "x.db")
	tests := []struct {
		name   string
		holder bool
		want   []string
	}{
		{"no holder", false, []string{"database " + path + " is locked by another process (no writer recorded", "stop it or retry (waited 1s)"}},
		{"holder", true, []string{"database " + path + " is locked by another process (pid ", `"verq serve"`, ", since ", "stop it or retry"}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if tt.holder {
				h := CurrentHolder(time.Now())
				h.Command = "verq serve"
				if err := WriteHolder(path, h); err != nil {
					t.Fatal(err)
				}
				defer RemoveHolder(path)
			}
			err := NewLockedError(path, time.Second, sentinel)
			if !errors.Is(err, sentinel) || errors.Is(err, errors.New("locked")) {
				t.Errorf("errors.Is mismatch for %v", err)
			}
			if (err.Holder != nil) != tt.holder {
				t.Errorf("Holder = %+v", err.Holder)
			}
			for _, w := range tt.want {
				if !strings.Contains(err.Error(), w) {
					t.Errorf("%q lacks %q", err, w)
				}
			}
		})
	}
}

func TestCheckHeader(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good.db")
	db, err := bolt.Open(good, 0o600, nil)
	if err != nil {
		t.Fatal(err)
	}
	if err := db.Update(func(tx *bolt.Tx) error {
		b, err := tx.CreateBucket([]byte("b"))
		if err != nil {
			return err
		}
		return b.Put([]byte("k"), bytes.Repeat([]byte("v"), 20000))
	}); err != nil {
		t.Fatal(err)
	}
	db.Close()
	valid, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	damaged := bytes.Clone(valid)
	damaged[16+20] ^= 0xff // page size of meta 0: checksum no longer matches
	damaged[os.Getpagesize()+16+20] ^= 0xff
	tests := []struct {
		name string
		data []byte
		want string // "" for a good file
	}{
		{"bbolt file", valid, ""},
		{"text", bytes.Repeat([]byte("not a database\n"), 500), "it is not a bbolt database"},
		{"tiny", []byte("{}"), "the file is 2 bytes long, too short"},
		{"truncated", valid[:3*os.Getpagesize()], "it is truncated"},
		{"damaged meta", damaged, "its bbolt header is damaged (meta page checksum mismatch)"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := CheckHeader(bytes.NewReader(tt.data), int64(len(tt.data)))
			switch {
			case tt.want == "" && err != nil:
				t.Fatalf("CheckHeader = %v, want nil", err)
			case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
				t.Fatalf("CheckHeader = %v, want %q", err, tt.want)
			}
		})
	}
}

func FuzzCheckHeader(f *testing.F) {
	f.Add([]byte("{}"))
	f.Add(bytes.Repeat([]byte{0xED, 0xDA, 0x0C, 0xED}, 2048))
	f.Fuzz(func(t *testing.T, data []byte) {
		_ = CheckHeader(bytes.NewReader(data), int64(len(data))) // must not panic
	})
}
