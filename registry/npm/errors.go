package npm

import "errors"

// Sentinel errors; match them with errors.Is. Error texts say what was wrong and what to do.
var (
	// ErrNotStored means the package version is not in the store.
	ErrNotStored = errors.New("package version not stored")
	// ErrInUse means a removal was refused because a catalog runtime lists the version or another
	// stored package depends on it.
	ErrInUse = errors.New("package version in use")
	// ErrIntegrity means downloaded bytes do not match the registry's integrity hash or shasum.
	ErrIntegrity = errors.New("integrity check failed")
	// ErrFetch means the npm registry could not be reached or answered with an error.
	ErrFetch = errors.New("npm registry request failed")
	// ErrResolve means a version or dependency range could not be resolved to a published version.
	ErrResolve = errors.New("cannot resolve version")
	// ErrMissingDependency means an offline add names dependencies that are not stored.
	ErrMissingDependency = errors.New("dependency not stored")
	// ErrInvalidPackage means a tarball or its package.json is malformed or unsafe.
	ErrInvalidPackage = errors.New("invalid package")
	// ErrReadOnly means a write was attempted through a read-only database.
	ErrReadOnly = errors.New("database is read-only")
)
