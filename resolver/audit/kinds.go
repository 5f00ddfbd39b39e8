package audit

// Severities of a Finding, from most to least serious.
const (
	// SeverityError marks what fails at require or call time: the rule breaks.
	SeverityError = "error"
	// SeverityWarning marks what works today but may break without the rule changing.
	SeverityWarning = "warning"
	// SeverityNote marks information: a require that resolves as written.
	SeverityNote = "note"
)

// Kinds of a Finding. Each has a fixed severity (see KindInfo).
const (
	// KindOK: a require naming an exact version that resolves to an allowed version.
	KindOK = "ok"
	// KindUnpinned: a require without a version; it resolves to the module's current default.
	KindUnpinned = "unpinned"
	// KindRange: a require naming a semver range; it resolves to the highest allowed match.
	KindRange = "range"
	// KindCore: a require of a core module (crypto, url, …).
	KindCore = "core"
	// KindDeprecated: the require resolves, but to a deprecated version.
	KindDeprecated = "deprecated"
	// KindNotInCatalog: the module, or the requested version or range, is not in the runtime's catalog.
	KindNotInCatalog = "not_in_catalog"
	// KindBlocked: the requested version is blocked in the runtime's catalog.
	KindBlocked = "blocked"
	// KindNoImplementation: the catalog allows the version but nothing serves it.
	KindNoImplementation = "no_implementation"
	// KindInvalidSpec: the literal spec is malformed or hostile; it can never resolve.
	KindInvalidSpec = "invalid_spec"
	// KindDynamicRequire: require is called with something other than a literal string.
	KindDynamicRequire = "dynamic_require"
	// KindLegacyGlobal: a legacy sandbox global (_, request, jwt, …) is used without a require.
	KindLegacyGlobal = "legacy_global"
	// KindParseError: the rule is not a parseable function expression.
	KindParseError = "parse_error"
	// KindMissingMethod: a ManagementClient method is called that the required auth0 version lacks.
	KindMissingMethod = "missing_method"
	// KindMethodsUnchecked: ManagementClient calls were found but the method table does not know
	// the auth0 version they run against.
	KindMethodsUnchecked = "methods_unchecked"
	// KindIncomplete: the rule nests deeper than the analyser follows; part of it was not analysed.
	KindIncomplete = "incomplete"
)

// KindInfo describes one finding kind: its fixed severity and a one-line description (used as the
// SARIF rule description).
type KindInfo struct {
	Kind        string `json:"kind"`
	Severity    string `json:"severity"`
	Description string `json:"description"`
}

// Kinds returns every finding kind in a fixed order. The slice is new on every call.
func Kinds() []KindInfo {
	return []KindInfo{
		{KindParseError, SeverityError, "The rule does not parse as a function expression."},
		{KindInvalidSpec, SeverityError, "The require specifier is malformed and can never resolve."},
		{KindNotInCatalog, SeverityError, "The required module or version is not in the runtime's catalog."},
		{KindBlocked, SeverityError, "The required version is blocked in the runtime's catalog."},
		{KindNoImplementation, SeverityError, "The catalog allows the version but no implementation serves it."},
		{KindMissingMethod, SeverityError, "A ManagementClient method is called that the required auth0 version does not have."},
		{KindDeprecated, SeverityWarning, "The require resolves to a deprecated version."},
		{KindUnpinned, SeverityWarning, "The require names no version and follows the module's default."},
		{KindDynamicRequire, SeverityWarning, "require is called with a computed specifier that cannot be checked."},
		{KindLegacyGlobal, SeverityWarning, "A legacy sandbox global is used without require."},
		{KindIncomplete, SeverityWarning, "Part of the rule nests too deeply to be analysed."},
		{KindMethodsUnchecked, SeverityNote, "ManagementClient calls could not be checked: the auth0 version has no method table."},
		{KindRange, SeverityNote, "The require names a semver range; it resolves to the highest allowed match."},
		{KindOK, SeverityNote, "The require names an exact allowed version."},
		{KindCore, SeverityNote, "The require names a core module."},
	}
}

// severityOf returns the fixed severity of kind (the same as Kinds lists).
func severityOf(kind string) string {
	switch kind {
	case KindParseError, KindInvalidSpec, KindNotInCatalog, KindBlocked, KindNoImplementation, KindMissingMethod:
		return SeverityError
	case KindDeprecated, KindUnpinned, KindDynamicRequire, KindLegacyGlobal, KindIncomplete:
		return SeverityWarning
	}
	return SeverityNote
}
