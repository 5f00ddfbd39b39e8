package npm

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
	"hash"
	"strings"
)

// sriAlgorithms are the Subresource Integrity algorithms verq verifies, strongest first.
var sriAlgorithms = []struct {
	name string
	new  func() hash.Hash
}{
	{"sha512", sha512.New},
	{"sha384", sha512.New384},
	{"sha256", sha256.New},
}

// verifyIntegrity checks data against dist.integrity (an SRI string, possibly holding several
// hashes: the strongest supported one is checked) or, only when integrity is empty, against
// dist.shasum (hex SHA-1). It returns the SRI string that was verified, for the record.
func verifyIntegrity(id string, data []byte, integrity, shasum string) (string, error) {
	integrity = strings.TrimSpace(integrity)
	if integrity != "" {
		byAlg := map[string][]string{}
		for _, tok := range strings.Fields(integrity) {
			alg, digest, ok := strings.Cut(tok, "-")
			if !ok {
				continue
			}
			if i := strings.IndexByte(digest, '?'); i >= 0 {
				digest = digest[:i] // SRI options are ignored
			}
			byAlg[alg] = append(byAlg[alg], digest)
		}
		for _, a := range sriAlgorithms {
			digests, ok := byAlg[a.name]
			if !ok {
				continue
			}
			h := a.new()
			h.Write(data)
			got := h.Sum(nil)
			for _, d := range digests {
				want, err := base64.StdEncoding.DecodeString(d)
				if err == nil && subtle.ConstantTimeCompare(want, got) == 1 {
					return a.name + "-" + d, nil
				}
			}
			return "", fmt.Errorf("%w: %s: the tarball hashes to %s-%s, the registry says %s; the download is damaged or was tampered with",
				ErrIntegrity, id, a.name, base64.StdEncoding.EncodeToString(got), integrity)
		}
		return "", fmt.Errorf("%w: %s: integrity %q uses no supported algorithm (sha512, sha384, sha256)", ErrIntegrity, id, integrity)
	}
	shasum = strings.ToLower(strings.TrimSpace(shasum))
	if shasum == "" {
		return "", fmt.Errorf("%w: %s: the registry gives neither dist.integrity nor dist.shasum; refusing an unverifiable tarball", ErrIntegrity, id)
	}
	sum := sha1.Sum(data)
	if hex.EncodeToString(sum[:]) != shasum {
		return "", fmt.Errorf("%w: %s: the tarball's sha1 is %x, the registry says %s; the download is damaged or was tampered with", ErrIntegrity, id, sum, shasum)
	}
	return "sha1-" + base64.StdEncoding.EncodeToString(sum[:]), nil
}

// sriOf returns the sha512 SRI string of data.
func sriOf(data []byte) string {
	sum := sha512.Sum512(data)
	return "sha512-" + base64.StdEncoding.EncodeToString(sum[:])
}
