package resolver

import (
	"regexp"
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

// rangeMemo keeps compiled ranges by text: rules use few distinct ranges, and compiling one takes
// microseconds of regular-expression work. Only valid ranges are kept; when full it starts over.
type rangeMemo struct {
	mu sync.RWMutex
	m  map[string]*versionRange
}

const rangeMemoSize = 256

func (m *rangeMemo) compile(text string) (*versionRange, error) {
	m.mu.RLock()
	r := m.m[text]
	m.mu.RUnlock()
	if r != nil {
		return r, nil
	}
	r, err := parseRange(text)
	if err != nil {
		return nil, err
	}
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m == nil || len(m.m) >= rangeMemoSize {
		m.m = make(map[string]*versionRange)
	}
	m.m[strings.Clone(text)] = r
	return r, nil
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
	for _, g := range r.groups {
		if !g.cons.Check(v) {
			continue
		}
		if v.Prerelease() == "" {
			return true
		}
		t := [3]uint64{v.Major(), v.Minor(), v.Patch()}
		for _, p := range g.pre {
			if p == t {
				return true
			}
		}
	}
	return false
}
