package catalog

import (
	"bytes"
	"math/rand/v2"
	"os"
	"path/filepath"
	"testing"

	"go.etcd.io/bbolt"
)

// TestOpen_Refused_FileLeftUntouched covers every kind of file Open must refuse: each is refused with
// ErrNotCatalog naming the file and what to do, read-write and read-only, and stays byte-identical.
func TestOpen_Refused_FileLeftUntouched(t *testing.T) {
	cases := []struct {
		name string
		make func(t *testing.T, path string)
		why  string
	}{
		{"random bytes", func(t *testing.T, path string) {
			r := rand.New(rand.NewPCG(1, 2))
			data := make([]byte, 64<<10)
			for i := range data {
				data[i] = byte(r.IntN(256))
			}
			mustNoErr(t, os.WriteFile(path, data, 0o600))
		}, "not a bbolt database"},
		{"text file", func(t *testing.T, path string) {
			mustNoErr(t, os.WriteFile(path, []byte(`{"auth0": ["2.9.1"]}`), 0o600))
		}, "too short"},
		{"bbolt without marker", func(t *testing.T, path string) {
			db, err := bbolt.Open(path, 0o600, nil)
			mustNoErr(t, err)
			mustNoErr(t, db.Update(func(tx *bbolt.Tx) error {
				_, err := tx.CreateBucket([]byte("sessions"))
				return err
			}))
			mustNoErr(t, db.Close())
		}, `without the verq marker (its buckets include "sessions")`},
		{"empty bbolt", func(t *testing.T, path string) {
			db, err := bbolt.Open(path, 0o600, nil)
			mustNoErr(t, err)
			mustNoErr(t, db.Close())
		}, "without the verq marker (it has no buckets)"},
		{"newer schema", func(t *testing.T, path string) {
			s, err := Open(path, Options{})
			mustNoErr(t, err)
			mustNoErr(t, s.DB().Update(func(tx *bbolt.Tx) error {
				return tx.Bucket(bucketMeta).Put(keySchema, []byte("99"))
			}))
			mustNoErr(t, s.Close())
		}, "newer verq (schema 99"},
		{"truncated verq database", func(t *testing.T, path string) {
			s, err := Open(path, Options{})
			mustNoErr(t, err)
			l := synthList(400, 3)
			_, err = s.Import("t", "big", l, ImportOptions{})
			mustNoErr(t, err)
			mustNoErr(t, s.Close())
			st, err := os.Stat(path)
			mustNoErr(t, err)
			mustNoErr(t, os.Truncate(path, st.Size()/2))
		}, "truncated"},
		{"damaged meta pages", func(t *testing.T, path string) {
			s, err := Open(path, Options{})
			mustNoErr(t, err)
			mustNoErr(t, s.Close())
			data := readFile(t, path)
			for _, off := range []int{16 + 20, 4096 + 16 + 20} { // inside both meta records
				data[off] ^= 0xff
			}
			mustNoErr(t, os.WriteFile(path, data, 0o600))
		}, "damaged (meta page checksum mismatch)"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "verq.db")
			tc.make(t, path)
			before := readFile(t, path)
			for _, ro := range []bool{false, true} {
				s, err := Open(path, Options{ReadOnly: ro, LockTimeout: 100e6})
				if err == nil {
					s.Close()
					t.Fatalf("ReadOnly=%v: file was accepted", ro)
				}
				wantErr(t, err, ErrNotCatalog, path, tc.why, "left untouched", "move it aside or pass --db")
			}
			if !bytes.Equal(before, readFile(t, path)) {
				t.Error("the refused file was modified")
			}
			if _, err := os.Stat(HolderPath(path)); !os.IsNotExist(err) {
				t.Error("a holder file was written for a refused file")
			}
		})
	}
}

// TestOpen_DamagedPage_NoCrash flips bytes in each data page of a verq database: Open and Check
// either succeed or fail with ErrNotCatalog, and never crash the process.
func TestOpen_DamagedPage_NoCrash(t *testing.T) {
	path := filepath.Join(t.TempDir(), "verq.db")
	s, err := Open(path, Options{})
	mustNoErr(t, err)
	mustNoErr(t, s.Close())
	orig := readFile(t, path)
	damaged := 0
	for page := 2; page*4096 < len(orig); page++ {
		data := bytes.Clone(orig)
		for i := page * 4096; i < page*4096+64 && i < len(data); i++ {
			data[i] ^= 0x5a
		}
		mustNoErr(t, os.WriteFile(path, data, 0o600))
		s, err := Open(path, Options{ReadOnly: true})
		if err != nil {
			wantErr(t, err, ErrNotCatalog, path)
			continue
		}
		if err := s.Check(); err != nil {
			wantErr(t, err, ErrNotCatalog, path, "damaged")
			damaged++
		}
		s.Close()
	}
	if damaged == 0 {
		t.Error("Check found no damage in any page")
	}
}

func TestStore_Check_Healthy(t *testing.T) {
	s := openTemp(t)
	_, err := s.Import("t", "node18", synthList(300, 3), ImportOptions{})
	mustNoErr(t, err)
	mustNoErr(t, s.Check())
}
