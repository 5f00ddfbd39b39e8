package npm

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strings"
)

// conditions are the package.json "exports" conditions verq matches, in Node's require() terms.
var conditions = map[string]bool{"require": true, "node": true, "default": true}

// jsonNode is a JSON value that keeps object key order, which "exports" conditions depend on.
type jsonNode struct {
	kind byte // 's' string, 'a' array, 'o' object, 'n' null, 'x' anything else
	str  string
	arr  []*jsonNode
	keys []string
	vals []*jsonNode
}

// parseOrdered decodes raw into a jsonNode tree.
func parseOrdered(raw []byte) (*jsonNode, error) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	n, err := decodeNode(dec)
	if err != nil {
		return nil, err
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, errors.New("trailing data")
	}
	return n, nil
}

func decodeNode(dec *json.Decoder) (*jsonNode, error) {
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	switch t := tok.(type) {
	case string:
		return &jsonNode{kind: 's', str: t}, nil
	case nil:
		return &jsonNode{kind: 'n'}, nil
	case json.Delim:
		switch t {
		case '[':
			n := &jsonNode{kind: 'a'}
			for dec.More() {
				c, err := decodeNode(dec)
				if err != nil {
					return nil, err
				}
				n.arr = append(n.arr, c)
			}
			_, err := dec.Token()
			return n, err
		case '{':
			n := &jsonNode{kind: 'o'}
			for dec.More() {
				kt, err := dec.Token()
				if err != nil {
					return nil, err
				}
				k, _ := kt.(string)
				c, err := decodeNode(dec)
				if err != nil {
					return nil, err
				}
				n.keys = append(n.keys, k)
				n.vals = append(n.vals, c)
			}
			_, err := dec.Token()
			return n, err
		}
	}
	return &jsonNode{kind: 'x'}, nil
}

// errNotExported marks a subpath the "exports" map does not expose.
var errNotExported = errors.New("not exported")

// resolveExports maps a subpath ("." or "./sub") through a package's "exports" to a file path
// relative to the package root, following Node's PACKAGE_EXPORTS_RESOLVE for require().
func resolveExports(exports *jsonNode, subpath string) (string, error) {
	if exports.kind == 'o' && len(exports.keys) > 0 && strings.HasPrefix(exports.keys[0], ".") {
		for _, k := range exports.keys {
			if !strings.HasPrefix(k, ".") {
				return "", errors.New(`"exports" mixes subpath keys (starting with ".") with condition keys`)
			}
		}
		// An exact key wins.
		for i, k := range exports.keys {
			if k == subpath && !strings.Contains(k, "*") {
				return resolveTarget(exports.vals[i], "", false)
			}
		}
		// Then the best "*" pattern: longest prefix, then longest key.
		best := -1
		var match string
		for i, k := range exports.keys {
			star := strings.IndexByte(k, '*')
			if star < 0 || strings.Count(k, "*") != 1 {
				continue
			}
			prefix, suffix := k[:star], k[star+1:]
			if len(subpath) < len(k) || !strings.HasPrefix(subpath, prefix) || !strings.HasSuffix(subpath, suffix) || subpath == prefix {
				continue
			}
			if best < 0 || patternLess(exports.keys[best], k) {
				best, match = i, subpath[len(prefix):len(subpath)-len(suffix)]
			}
		}
		if best >= 0 {
			return resolveTarget(exports.vals[best], match, true)
		}
		return "", errNotExported
	}
	// A string, array or conditions object is the export of ".".
	if subpath != "." {
		return "", errNotExported
	}
	return resolveTarget(exports, "", false)
}

// patternLess reports whether pattern key b is more specific than a (Node's PATTERN_KEY_COMPARE).
func patternLess(a, b string) bool {
	pa, pb := strings.IndexByte(a, '*'), strings.IndexByte(b, '*')
	if pa != pb {
		return pb > pa
	}
	return len(b) > len(a)
}

// resolveTarget resolves one "exports" target for require().
func resolveTarget(t *jsonNode, match string, pattern bool) (string, error) {
	switch t.kind {
	case 's':
		target := t.str
		if !strings.HasPrefix(target, "./") {
			return "", fmt.Errorf("%w: target %q does not start with \"./\"", errNotExported, target)
		}
		if badSegments(target[2:]) {
			return "", fmt.Errorf("%w: target %q has \".\", \"..\" or \"node_modules\" segments", errNotExported, target)
		}
		if pattern {
			if badSegments(match) {
				return "", fmt.Errorf("%w: %q has \".\", \"..\" or \"node_modules\" segments", errNotExported, match)
			}
			target = strings.ReplaceAll(target, "*", match)
		}
		return strings.TrimPrefix(target, "./"), nil
	case 'a':
		var last error = errNotExported
		for _, c := range t.arr {
			p, err := resolveTarget(c, match, pattern)
			if err == nil {
				return p, nil
			}
			last = err
		}
		return "", last
	case 'o':
		for i, k := range t.keys {
			if !conditions[k] {
				continue
			}
			p, err := resolveTarget(t.vals[i], match, pattern)
			if err == nil {
				return p, nil
			}
			if !errors.Is(err, errNotExported) {
				return "", err
			}
		}
		return "", errNotExported
	}
	return "", errNotExported
}

// badSegments reports whether a slash path has empty, ".", ".." or "node_modules" segments.
func badSegments(p string) bool {
	for _, seg := range strings.Split(p, "/") {
		switch seg {
		case ".", "..", "node_modules":
			return true
		}
	}
	return strings.ContainsAny(p, "\\")
}
