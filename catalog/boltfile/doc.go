// Package boltfile holds the storage conventions verq's bbolt files share: the "<path>.holder"
// sidecar that names the process holding a file read-write, the [*LockedError] reported when the
// file lock cannot be taken in time, and [CheckHeader], which inspects a file's bbolt meta pages
// without opening it so that a foreign or damaged file is refused before bbolt may write to it.
//
// The catalog and the local Auth0 tenant both follow these conventions; each keeps its own sentinel
// errors and wording for what its files must contain beyond the bbolt format.
package boltfile
