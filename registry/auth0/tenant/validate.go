package tenant

import (
	"encoding/json"
	"sort"
	"strings"
)

// ptype is a JSON type a payload property must have.
type ptype uint8

const (
	tString ptype = iota + 1
	tBool
	tNumber
	tInteger
	tObject
	tArray
)

// String names the type as validation messages do.
func (p ptype) String() string {
	switch p {
	case tString:
		return "string"
	case tBool:
		return "boolean"
	case tNumber:
		return "number"
	case tInteger:
		return "integer"
	case tObject:
		return "object"
	case tArray:
		return "array"
	}
	return "unknown"
}

// payloadSchema maps the properties a body may have to their types.
type payloadSchema map[string]ptype

// jsonType names the JSON type of a decoded value the way validation messages do.
func jsonType(v any) string {
	switch x := v.(type) {
	case nil:
		return "null"
	case string:
		return "string"
	case bool:
		return "boolean"
	case json.Number:
		if isInteger(x) {
			return "integer"
		}
		return "number"
	case float64:
		return "number"
	case map[string]any:
		return "object"
	case []any:
		return "array"
	}
	return "unknown"
}

func isInteger(n json.Number) bool {
	_, err := n.Int64()
	return err == nil
}

func typeMatches(want ptype, v any) bool {
	switch want {
	case tString:
		_, ok := v.(string)
		return ok
	case tBool:
		_, ok := v.(bool)
		return ok
	case tNumber:
		_, ok := v.(json.Number)
		return ok
	case tInteger:
		n, ok := v.(json.Number)
		return ok && isInteger(n)
	case tObject:
		_, ok := v.(map[string]any)
		return ok
	case tArray:
		_, ok := v.([]any)
		return ok
	}
	return false
}

// check validates body: no unknown properties, every property of its type, null only where
// nullable allows it.
func (sc payloadSchema) check(body map[string]any, nullable map[string]bool) *Error {
	var unknown []string
	for k := range body {
		if _, ok := sc[k]; !ok {
			unknown = append(unknown, k)
		}
	}
	if len(unknown) > 0 {
		sort.Strings(unknown)
		return invalidBody("Payload validation error: 'Additional properties not allowed: %s'.", strings.Join(unknown, ","))
	}
	keys := make([]string, 0, len(body))
	for k := range body {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		v := body[k]
		if v == nil && nullable[k] {
			continue
		}
		if !typeMatches(sc[k], v) {
			return payloadError(k, "Expected type %s but found type %s", sc[k], jsonType(v))
		}
	}
	return nil
}

// coerceForm converts the string values of a form-encoded body to the schema's types where they
// read as such ("true", "42"); other values are left for check to reject.
func (sc payloadSchema) coerceForm(body map[string]any) {
	for k, v := range body {
		s, ok := v.(string)
		if !ok {
			continue
		}
		switch sc[k] {
		case tBool:
			if s == "true" || s == "false" {
				body[k] = s == "true"
			}
		case tNumber, tInteger:
			n := json.Number(s)
			if _, err := n.Float64(); err == nil {
				body[k] = n
			}
		case tObject:
			var m map[string]any
			if decodeJSON([]byte(s), &m) == nil && m != nil {
				body[k] = m
			}
		}
	}
}

// validEmail is a pragmatic check: one '@', a non-empty local part, a dotted domain, no spaces.
func validEmail(s string) bool {
	at := strings.LastIndexByte(s, '@')
	if at <= 0 || at == len(s)-1 || len(s) > 320 || strings.ContainsAny(s, " \t\r\n<>(),;:\"[]\\") {
		return false
	}
	domain := s[at+1:]
	if strings.IndexByte(s[:at], '@') >= 0 {
		return false
	}
	dot := strings.IndexByte(domain, '.')
	return dot > 0 && dot < len(domain)-1 && !strings.Contains(domain, "..")
}

// validPhone checks E.164: '+' then 2 to 15 digits, the first not 0.
func validPhone(s string) bool {
	if len(s) < 3 || len(s) > 16 || s[0] != '+' || s[1] == '0' {
		return false
	}
	for _, c := range []byte(s[1:]) {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// reservedAppMetadata are names app_metadata may not use at its top level.
var reservedAppMetadata = []string{"blocked", "clientID", "created_at", "email", "email_verified", "global_client_id",
	"globalClientID", "identities", "lastIP", "lastLogin", "metadata", "user_id", "loginsCount"}

// checkMetadata enforces the metadata field-name rules: no '.' or '$' in any key (at any depth) and,
// for app_metadata, none of the reserved top-level names.
func checkMetadata(prop string, m map[string]any) *Error {
	if prop == "app_metadata" {
		for _, r := range reservedAppMetadata {
			if _, ok := m[r]; ok {
				return invalidBody("Payload validation error: 'app_metadata may not use the reserved name %q (reserved: %s)' on property app_metadata.", r, strings.Join(reservedAppMetadata, ", "))
			}
		}
	}
	return checkKeys(prop, m)
}

func checkKeys(path string, v any) *Error {
	switch x := v.(type) {
	case map[string]any:
		for k, sub := range x {
			if strings.ContainsAny(k, ".$") {
				return invalidBody("Payload validation error: 'Invalid key %q in %s: metadata field names may not contain \".\" or \"$\"' on property %s.", k, path, strings.SplitN(path, ".", 2)[0])
			}
			if e := checkKeys(path+"."+k, sub); e != nil {
				return e
			}
		}
	case []any:
		for _, sub := range x {
			if e := checkKeys(path, sub); e != nil {
				return e
			}
		}
	}
	return nil
}
