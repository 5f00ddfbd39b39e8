// Package query parses and evaluates the Lucene subset that the Management API's user search
// (search_engine=v3) accepts in its q parameter.
//
// # Basics
//
// [Parse] turns a query string into a syntax tree; [Compile] checks the tree against a [Schema]
// (which fields are numbers, dates, case-insensitive text, metadata …) and returns a [Query] whose
// [Query.Match] evaluates one [Document]. Both report problems as an [*Error] carrying the 1-based
// character position of the offending part of the query.
//
// Supported syntax:
//
//	jane                       a bare term: exact match on the default fields
//	"green apple"              a quoted phrase (exact, whitespace kept)
//	name:"jane smith"          field:value; fields are not tokenized: the whole value must match
//	user_id:auth0*             '*' matches zero or more characters (prefix always allowed;
//	name:*usa  name:*john*     other positions need at least 3 literal characters)
//	logins_count:[100 TO 200]  inclusive range; {a TO b} exclusive; mixable: [100 TO 200}
//	last_login:{2017-11 TO *]  open ends with '*'; dates may be partial (2017, 2017-12, 2017-12-01…)
//	_exists_:email_verified    field present (objects count when non-empty)
//	email:("a@x.com" OR "b@x.com")   a parenthesised group applied to one field
//	a AND b, a OR b, NOT a     upper-case operators; also &&, || and !
//	(a OR b) AND NOT c         parentheses group sub-queries
//	\:  \*  \"                 a backslash escapes the next character
//
// Precedence is NOT, then AND, then OR. Two clauses written next to each other are joined with OR
// (Lucene's default operator), except that a clause starting with NOT, '!' or '-' written next to
// earlier clauses without an operator is an exclusion, as in Lucene: "a NOT b" and "a -b" mean
// "a AND NOT b", and "a b -c" means "(a OR b) AND NOT c".
//
// A partial date covers an interval: 2017-12 is the whole of December 2017. A term matches values
// inside the interval; an inclusive lower bound starts at the interval's beginning, an exclusive one
// after its end; an inclusive upper bound ends after the interval, an exclusive one before it (the
// rounding Elasticsearch applies to partial dates).
//
// # Caveats
//
// Not supported, and reported as errors: fuzzy (~) and boost (^) operators, the '+' (required)
// modifier, _missing_ (use NOT _exists_:field), ranges and wildcards on fields the schema marks
// NoRange/NoWildcard, wildcards on numbers, booleans and dates. A '?' is an ordinary character, as
// in v3. Colons inside unquoted values must be escaped or the value quoted (IPv6 addresses, times).
//
// A Query is immutable and safe for concurrent use.
package query
