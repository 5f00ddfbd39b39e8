package npm

import (
	"encoding/json"
	"time"
)

// Package is what the store keeps about one package version: its package.json facts, where it
// came from, and its dependencies pinned to exact stored versions, like a lockfile entry.
type Package struct {
	// Name and Version identify the package, e.g. "lodash" and "4.17.21".
	Name    string `json:"name"`
	Version string `json:"version"`
	// Description and License come from package.json; License is an SPDX expression when the
	// package declares one ("MIT", "(MIT OR Apache-2.0)"), else the legacy form's type.
	Description string `json:"description,omitempty"`
	License     string `json:"license,omitempty"`
	// Main is package.json's "main" as written (empty means index.js).
	Main string `json:"main,omitempty"`
	// Type is package.json's "type" ("module" marks ES module .js files, which verq cannot load).
	Type string `json:"type,omitempty"`
	// Exports is package.json's "exports" as written, when present.
	Exports json.RawMessage `json:"exports,omitempty"`
	// Dependencies, OptionalDependencies and PeerDependencies are the declared ranges.
	Dependencies         map[string]string `json:"dependencies,omitempty"`
	OptionalDependencies map[string]string `json:"optional_dependencies,omitempty"`
	PeerDependencies     map[string]string `json:"peer_dependencies,omitempty"`
	// Bundled names dependencies shipped inside the tarball under node_modules/.
	Bundled []string `json:"bundled,omitempty"`
	// Pinned maps each resolved dependency name to the exact stored version its requires load.
	Pinned map[string]string `json:"pinned,omitempty"`
	// Files counts the package's files and Size is their total size in bytes.
	Files int   `json:"files"`
	Size  int64 `json:"size"`
	// TarballSize is the compressed size of the tarball it was added from.
	TarballSize int64 `json:"tarball_size"`
	// Integrity is the SRI hash the tarball was verified against (or computed, for a local file).
	Integrity string `json:"integrity"`
	// Source is the tarball URL or local file it was added from.
	Source string `json:"source"`
	// Deprecated is the registry's deprecation message, if any.
	Deprecated string `json:"deprecated,omitempty"`
	// Direct is true when the version was added by name rather than only as a dependency.
	Direct bool `json:"direct"`
	// Added is when the version was stored.
	Added time.Time `json:"added"`
}

// ID returns "name@version".
func (p *Package) ID() string { return p.Name + "@" + p.Version }

// File is one file of a stored package.
type File struct {
	// Path is relative to the package root, slash-separated, e.g. "lib/index.js".
	Path string `json:"path"`
	// SHA256 is the hex SHA-256 of the content, the key of the stored blob.
	SHA256 string `json:"sha256"`
	// Size is the content length in bytes.
	Size int64 `json:"size"`
}

// Summary is one row of List.
type Summary struct {
	Name        string `json:"name"`
	Version     string `json:"version"`
	License     string `json:"license,omitempty"`
	Description string `json:"description,omitempty"`
	Files       int    `json:"files"`
	Size        int64  `json:"size"`
	// Dependencies counts the pinned dependencies.
	Dependencies int  `json:"dependencies"`
	Direct       bool `json:"direct"`
}
