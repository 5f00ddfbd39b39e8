package catalog

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sort"
	"strconv"
	"strings"
)

// List formats accepted by [ParseList].
const (
	FormatAuto        = "auto"
	FormatCanirequire = "canirequire"
	FormatVerquire    = "verquire"
)

// ListEntry is one (name, version) pair of a list. A module with three versions has three entries.
type ListEntry struct {
	// Name is the module name.
	Name string `json:"name"`
	// Version is an exact version, "native" for a core module, or (canirequire data only) a semver
	// range that [Store.Import] resolves to the lowest version it names.
	Version string `json:"version"`
	// Homepage is optional (2015-era canirequire lists carry it).
	Homepage string `json:"homepage,omitempty"`
}

// List is a catalog list in one of the two interchange formats: a canirequire list
// ({"node_version", "modules": [{"name", "version"}…]}) or a verquire packages.json
// ({"name": ["1.0.0", …]}). Entries keep their order: a module's first entry is its default.
type List struct {
	// Format is the format the list was parsed from: "canirequire" or "verquire"; empty for lists
	// built in memory ([Store.Export], [Builtin]).
	Format string `json:"format,omitempty"`
	// NodeVersion is the canirequire node_version, e.g. "v18.20.4"; empty for verquire lists.
	NodeVersion string `json:"node_version,omitempty"`
	// Entries are in list order.
	Entries []ListEntry `json:"entries"`
}

// ParseList parses a list file. format is "auto" (or empty), "canirequire" or "verquire"; auto
// recognises a canirequire list by its "modules" array of objects and a verquire packages.json by its
// arrays of version strings. Names are checked with [ValidateName]; versions must be exact, "native"
// (canirequire only) or a semver range (canirequire only). Every error wraps [ErrInvalid] and says
// what is wrong and where (entry index and module name).
func ParseList(data []byte, format string) (*List, error) {
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	switch format {
	case "", FormatAuto, FormatCanirequire, FormatVerquire:
	default:
		return nil, fmt.Errorf("%w: unknown list format %q (want auto, canirequire or verquire)", ErrInvalid, format)
	}
	fields, err := readObject(data)
	if err != nil {
		return nil, err
	}
	if format == "" || format == FormatAuto {
		format, err = detectFormat(fields)
		if err != nil {
			return nil, err
		}
	}
	if format == FormatCanirequire {
		return parseCanirequire(fields)
	}
	return parseVerquire(fields)
}

type field struct {
	key string
	val json.RawMessage
}

// readObject reads a top-level JSON object keeping its key order.
func readObject(data []byte) ([]field, error) {
	if len(bytes.TrimSpace(data)) == 0 {
		return nil, fmt.Errorf("%w: the list is empty (want a JSON object)", ErrInvalid)
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	tok, err := dec.Token()
	if err != nil {
		return nil, jsonError(data, err)
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, fmt.Errorf("%w: not a catalog list: the file holds a JSON %s, not an object (want a canirequire list or a verquire packages.json)", ErrInvalid, jsonKind(tok))
	}
	var fields []field
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, jsonError(data, err)
		}
		key, _ := tok.(string)
		var raw json.RawMessage
		if err := dec.Decode(&raw); err != nil {
			return nil, jsonError(data, err)
		}
		fields = append(fields, field{key, raw})
	}
	if _, err := dec.Token(); err != nil {
		return nil, jsonError(data, err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("%w: unexpected data after the top-level JSON object (at byte %d)", ErrInvalid, dec.InputOffset())
	}
	return fields, nil
}

func jsonKind(tok json.Token) string {
	switch t := tok.(type) {
	case json.Delim:
		if t == '[' {
			return "array"
		}
	case string:
		return "string"
	case float64, json.Number:
		return "number"
	case bool:
		return "boolean"
	case nil:
		return "null"
	}
	return "value"
}

// jsonError reports a syntax error with its line and column.
func jsonError(data []byte, err error) error {
	var se *json.SyntaxError
	off := int64(-1)
	if errors.As(err, &se) {
		off = se.Offset
	}
	if errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) {
		return fmt.Errorf("%w: the list is not valid JSON: it ends too early", ErrInvalid)
	}
	if off < 0 {
		return fmt.Errorf("%w: the list is not valid JSON: %v", ErrInvalid, err)
	}
	if off > int64(len(data)) {
		off = int64(len(data))
	}
	line := 1 + bytes.Count(data[:off], []byte("\n"))
	col := off - int64(bytes.LastIndexByte(data[:off], '\n'))
	return fmt.Errorf("%w: the list is not valid JSON at line %d, column %d: %v", ErrInvalid, line, col, err)
}

func firstByte(raw json.RawMessage) byte {
	t := bytes.TrimSpace(raw)
	if len(t) == 0 {
		return 0
	}
	return t[0]
}

func detectFormat(fields []field) (string, error) {
	for _, f := range fields {
		// A canirequire "modules" array holds objects; a verquire package named "modules" holds strings.
		if f.key == "modules" && firstByte(f.val) == '[' {
			if c := firstByte(bytes.TrimSpace(f.val)[1:]); c == '{' || c == ']' {
				return FormatCanirequire, nil
			}
		}
	}
	allArrays := true
	for _, f := range fields {
		if firstByte(f.val) != '[' {
			allArrays = false
			break
		}
	}
	if allArrays {
		return FormatVerquire, nil
	}
	return "", notAList(fields)
}

func notAList(fields []field) error {
	keys := make([]string, 0, len(fields))
	for _, f := range fields {
		keys = append(keys, strconv.Quote(f.key))
	}
	return fmt.Errorf("%w: not a catalog list: a canirequire list is {\"node_version\": …, \"modules\": [{\"name\", \"version\"}, …]} and a verquire packages.json is {\"<name>\": [\"<version>\", …]}, but this file's top-level keys are %s (is it a provenance or metadata file?)", ErrInvalid, joinList(keys, 6))
}

// rawEntry is one canirequire modules[] element; pointers tell a missing field from an empty one.
type rawEntry struct {
	Name     *string `json:"name"`
	Version  *string `json:"version"`
	Homepage *string `json:"homepage"`
}

func parseCanirequire(fields []field) (*List, error) {
	l := &List{Format: FormatCanirequire}
	var modules json.RawMessage
	for _, f := range fields {
		switch f.key {
		case "node_version":
			if err := json.Unmarshal(f.val, &l.NodeVersion); err != nil {
				return nil, fmt.Errorf("%w: canirequire list: node_version must be a string", ErrInvalid)
			}
		case "modules":
			modules = f.val
		}
	}
	if modules == nil {
		return nil, notAList(fields)
	}
	if firstByte(modules) != '[' {
		return nil, fmt.Errorf("%w: canirequire list: \"modules\" must be an array of {\"name\", \"version\"} objects", ErrInvalid)
	}
	var entries []rawEntry
	if err := json.Unmarshal(modules, &entries); err != nil {
		// Decode entry by entry to say which one is wrong.
		var items []json.RawMessage
		if err := json.Unmarshal(modules, &items); err != nil {
			return nil, fmt.Errorf("%w: canirequire list: \"modules\": %v", ErrInvalid, err)
		}
		for i, raw := range items {
			var e rawEntry
			if firstByte(raw) != '{' || json.Unmarshal(raw, &e) != nil {
				return nil, fmt.Errorf("%w: canirequire list: modules[%d]: want an object with string \"name\" and \"version\", got %s", ErrInvalid, i, abbreviate(string(raw)))
			}
		}
		return nil, fmt.Errorf("%w: canirequire list: \"modules\": %v", ErrInvalid, err)
	}
	l.Entries = make([]ListEntry, 0, len(entries))
	for i, e := range entries {
		if e.Name == nil || *e.Name == "" {
			return nil, fmt.Errorf("%w: canirequire list: modules[%d]: \"name\" is missing or empty", ErrInvalid, i)
		}
		name := *e.Name
		if e.Version == nil || *e.Version == "" {
			hint := ""
			if j := strings.LastIndexByte(name, '@'); j > 0 {
				hint = " (name@version in \"name\" is not supported: split it into \"name\" and \"version\")"
			}
			return nil, fmt.Errorf("%w: canirequire list: modules[%d] (%q): \"version\" is missing or empty%s", ErrInvalid, i, name, hint)
		}
		entry := ListEntry{Name: name, Version: *e.Version}
		if e.Homepage != nil {
			entry.Homepage = *e.Homepage
		}
		if err := checkEntry(entry, true); err != nil {
			return nil, fmt.Errorf("canirequire list: modules[%d] (%q): %w", i, name, err)
		}
		l.Entries = append(l.Entries, entry)
	}
	return l, nil
}

func parseVerquire(fields []field) (*List, error) {
	l := &List{Format: FormatVerquire}
	seen := make(map[string]bool, len(fields))
	for _, f := range fields {
		if seen[f.key] {
			return nil, fmt.Errorf("%w: verquire packages.json: module %q is listed twice", ErrInvalid, f.key)
		}
		seen[f.key] = true
		var versions []string
		if firstByte(f.val) != '[' || json.Unmarshal(f.val, &versions) != nil {
			if f.key == "modules" || f.key == "node_version" {
				return nil, notAList(fields)
			}
			return nil, fmt.Errorf("%w: verquire packages.json: module %q: want an array of version strings, got %s", ErrInvalid, f.key, abbreviate(string(f.val)))
		}
		for j, v := range versions {
			e := ListEntry{Name: f.key, Version: v}
			if err := checkEntry(e, false); err != nil {
				return nil, fmt.Errorf("verquire packages.json: module %q, version %d: %w", f.key, j, err)
			}
			l.Entries = append(l.Entries, e)
		}
	}
	return l, nil
}

// checkEntry validates one entry; ranges and "native" only where the format allows them.
func checkEntry(e ListEntry, canirequire bool) error {
	core := e.Version == NativeVersion
	if core && !canirequire {
		return fmt.Errorf("%w: \"native\" is a canirequire version; a verquire packages.json lists package versions only", ErrInvalid)
	}
	if err := ValidateName(e.Name, core); err != nil {
		return err
	}
	if core {
		return nil
	}
	if _, err := CanonicalVersion(e.Version); err == nil {
		return nil
	}
	if !canirequire {
		return fmt.Errorf("%w: version %q is not exact; a verquire packages.json lists exact versions only", ErrInvalid, e.Version)
	}
	_, err := lowestInRange(e.Version)
	return err
}

func abbreviate(s string) string {
	s = strings.Join(strings.Fields(s), " ")
	if len(s) > 60 {
		s = s[:57] + "..."
	}
	return s
}

// sortedEntries returns the entries in canirequire order: core modules first, then packages, each
// stable-sorted by name (a module's versions keep their order).
func (l *List) sortedEntries() []ListEntry {
	out := make([]ListEntry, len(l.Entries))
	copy(out, l.Entries)
	sort.SliceStable(out, func(i, j int) bool {
		ci, cj := out[i].Version == NativeVersion, out[j].Version == NativeVersion
		if ci != cj {
			return ci
		}
		return out[i].Name < out[j].Name
	})
	return out
}

// MarshalCanirequire renders the list as an indented canirequire list: node_version, then modules
// with natives first and packages second, both sorted by name (stable), each (name, version) its own
// entry (homepage included when set). A name that is core and a package has its "native" entry in
// the first half and its package versions in the second.
func (l *List) MarshalCanirequire() ([]byte, error) {
	doc := struct {
		NodeVersion string      `json:"node_version"`
		Modules     []ListEntry `json:"modules"`
	}{l.NodeVersion, l.sortedEntries()}
	out, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(out, '\n'), nil
}

// MarshalVerquire renders the list as an indented verquire packages.json: {"name": ["v1", "v2"]},
// names sorted, versions in list order (a module's default first in exported lists), "native"
// entries omitted: a core module appears only if it also has package versions, with those. A range version cannot be expressed in this format and is an error.
func (l *List) MarshalVerquire() ([]byte, error) {
	var names []string
	versions := map[string][]string{}
	for i, e := range l.sortedEntries() {
		if e.Version == NativeVersion {
			continue
		}
		if _, err := CanonicalVersion(e.Version); err != nil {
			return nil, fmt.Errorf("verquire packages.json: entry %d (%s@%s): %w: it lists exact versions only; import the list and export the runtime instead", i, e.Name, e.Version, ErrInvalid)
		}
		if _, ok := versions[e.Name]; !ok {
			names = append(names, e.Name)
		}
		if !contains(versions[e.Name], e.Version) {
			versions[e.Name] = append(versions[e.Name], e.Version)
		}
	}
	var buf bytes.Buffer
	if len(names) == 0 {
		return []byte("{}\n"), nil
	}
	buf.WriteString("{\n")
	for i, name := range names {
		k, _ := json.Marshal(name)
		v, _ := json.Marshal(versions[name])
		buf.WriteString("  ")
		buf.Write(k)
		buf.WriteString(": ")
		buf.Write(bytes.ReplaceAll(v, []byte(`","`), []byte(`", "`)))
		if i < len(names)-1 {
			buf.WriteByte(',')
		}
		buf.WriteByte('\n')
	}
	buf.WriteString("}\n")
	return buf.Bytes(), nil
}

func contains(list []string, s string) bool {
	for _, x := range list {
		if x == s {
			return true
		}
	}
	return false
}

// listFromModules builds an export-order list from modules: a core module's "native" entry, then a
// package's default version and its other versions in catalog order. Sorting puts every "native"
// entry in the natives half and the package versions in the packages half, so a module that is
// both appears in each.
func listFromModules(nodeVersion string, mods []Module) *List {
	l := &List{NodeVersion: nodeVersion}
	for _, m := range mods {
		if m.Core {
			l.Entries = append(l.Entries, ListEntry{Name: m.Name, Version: NativeVersion, Homepage: m.Homepage})
		}
		if m.Default != "" {
			l.Entries = append(l.Entries, ListEntry{Name: m.Name, Version: m.Default, Homepage: m.Homepage})
		}
		for _, v := range m.Versions {
			if v.Version != m.Default && v.Version != NativeVersion {
				l.Entries = append(l.Entries, ListEntry{Name: m.Name, Version: v.Version, Homepage: m.Homepage})
			}
		}
	}
	l.Entries = l.sortedEntries()
	return l
}

var nodeVersionRE = regexp.MustCompile(`^v?(\d+)(?:\.(\d+))?(?:\.\d+)?(?:[-+][0-9A-Za-z.-]*)?$`)

// RuntimeFromNodeVersion derives a runtime name from a node_version: "v18.20.4" -> "node18",
// "v4" -> "node4"; before Node 1 the minor version mattered, so "v0.10.24" -> "node0.10". It reports
// false for anything that is not a Node version, such as "unknown (…)".
func RuntimeFromNodeVersion(nodeVersion string) (string, bool) {
	m := nodeVersionRE.FindStringSubmatch(strings.TrimSpace(nodeVersion))
	if m == nil {
		return "", false
	}
	major, err := strconv.Atoi(m[1])
	if err != nil || major > 9999 {
		return "", false
	}
	if major == 0 {
		if m[2] == "" {
			return "", false
		}
		minor, err := strconv.Atoi(m[2])
		if err != nil || minor > 9999 {
			return "", false
		}
		return fmt.Sprintf("node0.%d", minor), true
	}
	return fmt.Sprintf("node%d", major), true
}
