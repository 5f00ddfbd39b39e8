package resolver

import (
	"regexp"
	"slices"
	"strconv"
	"strings"
	"sync"

	"github.com/Masterminds/semver/v3"
)

// isExactVersion reports whether v is a strict semantic version (SemVer 2.0.0, no leading "v"):
// MAJOR.MINOR.PATCH with optional -prerelease and +build. It does not allocate.
func isExactVersion(v string) bool {
	i := 0
	for part := 0; part < 3; part++ {
		n := numberEnd(v, i)
		if n < 0 {
			return false
		}
		i = n
		if part < 2 {
			if i >= len(v) || v[i] != '.' {
				return false
			}
			i++
		}
	}
	if i < len(v) && v[i] == '-' {
		n := identifiersEnd(v, i+1, true)
		if n < 0 {
			return false
		}
		i = n
	}
	if i < len(v) && v[i] == '+' {
		n := identifiersEnd(v, i+1, false)
		if n < 0 {
			return false
		}
		i = n
	}
	return i == len(v)
}

// numberEnd returns the end of a numeric identifier at v[i:] ("0" or no leading zero, at most 19
// digits so it fits a uint64), or -1.
func numberEnd(v string, i int) int {
	j := i
	for j < len(v) && isDigit(v[j]) {
		j++
	}
	if j == i || j-i > 19 || (v[i] == '0' && j-i > 1) {
		return -1
	}
	return j
}

// identifiersEnd returns the end of dot-separated identifiers at v[i:], or -1. Prerelease numeric
// identifiers may not have leading zeros.
func identifiersEnd(v string, i int, prerelease bool) int {
	for {
		j, numeric := i, true
		for j < len(v) && (isLetter(v[j]) || isDigit(v[j]) || v[j] == '-') {
			if !isDigit(v[j]) {
				numeric = false
			}
			j++
		}
		if j == i || (prerelease && numeric && v[i] == '0' && j-i > 1) {
			return -1
		}
		if j < len(v) && v[j] == '.' {
			i = j + 1
			continue
		}
		return j
	}
}

// versionRange is a semver range with npm's prerelease rule: a prerelease version matches only an
// OR-group that names a prerelease of the same MAJOR.MINOR.PATCH ("^2.0.0-alpha" matches
// 2.0.0-alpha.5, not 2.1.0-beta).
type versionRange struct {
	groups []rangeGroup
}

type rangeGroup struct {
	cons *semver.Constraints
	pre  [][3]uint64 // release tuples of the group's prerelease comparators
}

var (
	buildMetadata = regexp.MustCompile(`\+[0-9A-Za-z.-]+`)
	preComparator = regexp.MustCompile(`v?(\d+|[xX*])(?:\.(\d+|[xX*]))?(?:\.(\d+|[xX*]))?-[0-9A-Za-z-]+(?:\.[0-9A-Za-z-]+)*`)
)

// parseRange compiles a semver range; it accepts exactly what semver.NewConstraint accepts.
func parseRange(text string) (*versionRange, error) {
	whole, err := semver.NewConstraint(text)
	if err != nil {
		return nil, err
	}
	var r versionRange
	single := !strings.Contains(text, "||")
	for group := range strings.SplitSeq(text, "||") {
		c := whole
		if !single {
			if c, err = semver.NewConstraint(group); err != nil {
				return nil, err
			}
		}
		g := rangeGroup{cons: c}
		for _, m := range preComparator.FindAllStringSubmatch(buildMetadata.ReplaceAllString(group, ""), -1) {
			g.pre = append(g.pre, [3]uint64{tupleNum(m[1]), tupleNum(m[2]), tupleNum(m[3])})
		}
		r.groups = append(r.groups, g)
	}
	return &r, nil
}

// parseVersion parses a catalog version, strictly first (fast, no regular expression).
func parseVersion(v string) (*semver.Version, error) {
	if sv, err := semver.StrictNewVersion(v); err == nil {
		return sv, nil
	}
	return semver.NewVersion(v)
}

// memo is a bounded map from text to what was computed from it (a compiled range, a parsed
// version), shared by concurrent resolutions. When full it starts over: the working set of ranges
// and versions is small, so a rare reset is cheaper than tracking recency.
type memo[V any] struct {
	mu  sync.RWMutex
	m   map[string]V
	max int
}

func (m *memo[V]) get(k string) (V, bool) {
	m.mu.RLock()
	v, ok := m.m[k]
	m.mu.RUnlock()
	return v, ok
}

func (m *memo[V]) put(k string, v V) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil || len(m.m) >= m.max {
		m.m = make(map[string]V)
	}
	m.m[strings.Clone(k)] = v
}

func (m *memo[V]) len() int {
	m.mu.RLock()
	defer m.mu.RUnlock()
	return len(m.m)
}

const (
	rangeMemoSize   = 256
	versionMemoSize = 4096
)

// compileRange is parseRange through a memo of valid ranges; invalid ranges are not remembered.
func compileRange(m *memo[*versionRange], text string) (*versionRange, error) {
	if r, ok := m.get(text); ok {
		return r, nil
	}
	r, err := parseRange(text)
	if err != nil {
		return nil, err
	}
	m.put(text, r)
	return r, nil
}

// memoVersion is parseVersion through a memo; a version that does not parse is remembered as nil.
func memoVersion(m *memo[*semver.Version], v string) *semver.Version {
	if sv, ok := m.get(v); ok {
		return sv
	}
	sv, err := parseVersion(v)
	if err != nil {
		sv = nil
	}
	m.put(v, sv)
	return sv
}

func tupleNum(s string) uint64 {
	n, err := strconv.ParseUint(s, 10, 64)
	if err != nil {
		return 0 // "", "x", "*": a wildcard counts as 0, as the semver library does
	}
	return n
}

// Check reports whether v satisfies the range.
func (r *versionRange) Check(v *semver.Version) bool {
	pre := v.Prerelease() != ""
	t := [3]uint64{v.Major(), v.Minor(), v.Patch()}
	for _, g := range r.groups {
		// The prerelease rule goes first: it is cheap, and a failing semver check is not (it
		// formats an error that Check then discards).
		if pre && !slices.Contains(g.pre, t) {
			continue
		}
		if g.cons.Check(v) {
			return true
		}
	}
	return false
}
