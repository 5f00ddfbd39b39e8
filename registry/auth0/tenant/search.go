package tenant

import (
	"cmp"
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"

	"github.com/verq/verq/registry/auth0/tenant/query"
)

// ListQuery selects a page of users, as GET /api/v2/users does with search_engine=v3.
type ListQuery struct {
	// Q is a v3 search query (Lucene subset, see package query); empty selects every user.
	Q string
	// Page is the zero-based page number.
	Page int
	// PerPage is the page size, 1 to 100; 0 means 50.
	PerPage int
	// Sort is "field:1" (ascending) or "field:-1" (descending), e.g. "created_at:-1"; empty keeps
	// the default order (created_at, then user_id). Users without the field sort last.
	Sort string
	// Fields limits each user to these top-level fields; empty returns whole users.
	Fields []string
	// ExcludeFields makes Fields the list of fields to leave out instead.
	ExcludeFields bool
}

// UserPage is one page of results; the fields are those of the include_totals=true envelope.
type UserPage struct {
	Start  int    `json:"start"`
	Limit  int    `json:"limit"`
	Length int    `json:"length"`
	Total  int    `json:"total"`
	Users  []User `json:"users"`
}

// DefaultPerPage is the page size when none is given.
const DefaultPerPage = 50

// searchWindow is how far v3 search lets callers page (page*per_page + per_page).
const searchWindow = 1000

var sortPattern = regexp.MustCompile(`^(([a-zA-Z0-9_\.]+))\:(1|-1)$`)

// ListUsers returns one page of users matching q, without identity-provider tokens. Errors are
// *Error values (400 for a bad query, with the position of the problem).
func (t *Tenant) ListUsers(ctx context.Context, q ListQuery) (*UserPage, error) {
	res, err := t.search(ctx, q)
	if err != nil {
		return nil, err
	}
	page := &UserPage{Start: res.start, Limit: res.limit, Length: len(res.recs), Total: res.total, Users: make([]User, len(res.recs))}
	for i, r := range res.recs {
		page.Users[i] = cloneUser(project(r.view(false), q.Fields, q.ExcludeFields))
	}
	return page, nil
}

type searchResult struct {
	recs         []*userRec
	start, limit int
	total        int
}

// compileSearch turns a q parameter into a query, or a 400 saying where it is wrong.
func (t *Tenant) compileSearch(q string) (*query.Query, *Error) {
	cq, err := query.Compile(q, t.fields.schema, searchDefaultFields...)
	if err != nil {
		var qe *query.Error
		if errors.As(err, &qe) {
			return nil, badRequest("invalid_query_string", "Invalid search query (q) at position %d: %s. Query: %s", qe.Pos, qe.Msg, q)
		}
		return nil, badRequest("invalid_query_string", "Invalid search query (q): %v", err)
	}
	return cq, nil
}

func (t *Tenant) search(ctx context.Context, q ListQuery) (*searchResult, error) {
	perPage := q.PerPage
	if perPage == 0 {
		perPage = DefaultPerPage
	}
	if perPage < 0 || perPage > 100 {
		return nil, queryError("per_page", "Value %d is out of range: per_page must be between 1 and 100", q.PerPage)
	}
	if q.Page < 0 {
		return nil, queryError("page", "Value %d is less than minimum 0", q.Page)
	}
	if q.Page*perPage+perPage > searchWindow {
		return nil, badRequest("invalid_query_string", "You can only page through the first 1000 records. See https://auth0.com/docs/users/search/v3/view-search-results-by-page#limitation.")
	}
	var sortField string
	desc := false
	if q.Sort != "" {
		m := sortPattern.FindStringSubmatch(q.Sort)
		if m == nil {
			return nil, queryError("sort", "String does not match pattern ^(([a-zA-Z0-9_\\.]+))\\:(1|-1)$: %q (use field:1 or field:-1, e.g. created_at:1)", q.Sort)
		}
		sortField, desc = m[1], m[3] == "-1"
	}
	var cq *query.Query
	if strings.TrimSpace(q.Q) != "" {
		var e *Error
		if cq, e = t.compileSearch(q.Q); e != nil {
			return nil, e
		}
	}

	t.mu.RLock()
	var matches []*userRec
	if cq == nil {
		matches = make([]*userRec, len(t.st.sorted))
		copy(matches, t.st.sorted)
	} else {
		for i, r := range t.st.sorted {
			if i&1023 == 1023 && ctx.Err() != nil {
				t.mu.RUnlock()
				return nil, ctx.Err()
			}
			if cq.Match(r.search) {
				matches = append(matches, r)
			}
		}
	}
	t.mu.RUnlock()

	if sortField != "" {
		sortRecs(matches, t.fields.lookup(sortField), desc)
	}
	res := &searchResult{start: q.Page * perPage, limit: perPage, total: len(matches)}
	if res.start < len(matches) {
		end := min(res.start+perPage, len(matches))
		res.recs = matches[res.start:end]
	}
	return res, nil
}

// sortRecs orders users by the first value of field; users without it come last either way. The
// default order breaks ties.
func sortRecs(recs []*userRec, field int, desc bool) {
	type keyed struct {
		r   *userRec
		v   query.Value
		has bool
		pfx uint64 // first 8 bytes of a text value, compared before the string itself
		pos int    // position in the default order: the tie-breaker
	}
	ks := make([]keyed, len(recs))
	for i, r := range recs {
		vals := r.search.Values(field)
		ks[i] = keyed{r: r, has: len(vals) > 0, pos: i}
		if ks[i].has {
			ks[i].v = vals[0]
			ks[i].pfx = prefix8(vals[0].S)
		}
	}
	slices.SortFunc(ks, func(a, b keyed) int {
		if a.has != b.has {
			if a.has {
				return -1
			}
			return 1
		}
		if a.has {
			c := 0
			if a.v.Kind == query.Text && b.v.Kind == query.Text && a.pfx != b.pfx {
				c = cmp.Compare(a.pfx, b.pfx)
			} else {
				c = compareValues(a.v, b.v)
			}
			if desc {
				c = -c
			}
			if c != 0 {
				return c
			}
		}
		return a.pos - b.pos
	})
	for i := range ks {
		recs[i] = ks[i].r
	}
}

// prefix8 packs the first 8 bytes of s big-endian, so comparing prefixes orders like strings do.
func prefix8(s string) uint64 {
	var p uint64
	for i := 0; i < 8; i++ {
		p <<= 8
		if i < len(s) {
			p |= uint64(s[i])
		}
	}
	return p
}

// project keeps (or, with exclude, drops) the named top-level fields of doc.
func project(doc map[string]any, fields []string, exclude bool) map[string]any {
	if len(fields) == 0 {
		return doc
	}
	out := make(map[string]any, len(fields))
	if exclude {
		for k, v := range doc {
			out[k] = v
		}
		for _, f := range fields {
			delete(out, f)
		}
		return out
	}
	for _, f := range fields {
		if v, ok := doc[f]; ok {
			out[f] = v
		}
	}
	return out
}
