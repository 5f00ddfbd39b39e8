package web

import (
	"context"
	"math"
	"net/http"
	"slices"

	"go.etcd.io/bbolt"

	"github.com/verq/verq/resolver/audit"
)

// UsageResponse is GET /api/v1/usage: the recorded run-time usage rows that match the query, sorted by
// module, version, runtime, tenant, rule and spec.
type UsageResponse struct {
	Rows []audit.UsageRow `json:"rows"`
}

// usageStore is implemented by a Catalog that keeps the recorded usage in its database file, as
// *catalog.Store does (audit.UsageRecorder writes there).
type usageStore interface {
	DB() *bbolt.DB
}

// UsageFromDB returns a UsageFunc answering from the usage rows an audit.UsageRecorder stored in db
// (the catalog's file: catalog.Store.DB). Each version lists the rules, of every tenant, whose
// requires resolved to it, the specs they wrote and the number of calls; requires that did not
// resolve are left out. It reads db on every call and never writes, so db may be read-only.
func UsageFromDB(db *bbolt.DB) UsageFunc {
	return func(ctx context.Context, runtime, module string) ([]VersionUsage, error) {
		if err := ctx.Err(); err != nil {
			return nil, err
		}
		rows, err := audit.ReadUsage(db, audit.UsageFilter{Runtime: runtime, Module: module})
		if err != nil {
			return nil, err
		}
		return versionUsage(rows), nil
	}
}

// versionUsage groups rows (sorted by version, as ReadUsage returns them) by version.
func versionUsage(rows []audit.UsageRow) []VersionUsage {
	var out []VersionUsage
	var calls uint64
	for _, r := range rows {
		if r.Resolved == "" {
			continue
		}
		if len(out) == 0 || out[len(out)-1].Version != r.Version {
			out = append(out, VersionUsage{Version: r.Version, Rules: []string{}})
			calls = 0
		}
		u := &out[len(out)-1]
		if r.Rule != "" {
			u.Rules = append(u.Rules, r.Rule)
		}
		u.Specs = append(u.Specs, r.Spec)
		calls += r.Count
		u.Requires = int(min(calls, math.MaxInt))
	}
	for i := range out {
		slices.Sort(out[i].Rules)
		out[i].Rules = slices.Compact(out[i].Rules)
		slices.Sort(out[i].Specs)
		out[i].Specs = slices.Compact(out[i].Specs)
	}
	return out
}

// handleUsage answers GET /api/v1/usage?tenant=&runtime=&rule=&module=&version= (module may also be
// NAME@VERSION). Usage changes without catalog writes, so the answer is never cached.
func (s *Server) handleUsage(w http.ResponseWriter, r *http.Request) {
	us, ok := s.cat.(usageStore)
	if !ok {
		writeError(w, r, s.log, &RequestError{Status: http.StatusNotImplemented, Code: CodeNotImplemented,
			Message: "this server's catalog keeps no run-time usage records"})
		return
	}
	q := r.URL.Query()
	f := audit.UsageFilter{Tenant: q.Get("tenant"), Runtime: q.Get("runtime"), Rule: q.Get("rule"), Module: q.Get("module"), Version: q.Get("version")}
	if f.Module != "" && f.Version == "" {
		var err error
		if f.Module, f.Version, err = audit.ParseUsageModule(f.Module); err != nil {
			writeError(w, r, s.log, BadRequest("%v", err))
			return
		}
	}
	if f.Version != "" && f.Module == "" {
		writeError(w, r, s.log, BadRequest("version=%s needs module=NAME", f.Version))
		return
	}
	rows, err := audit.ReadUsage(us.DB(), f)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	if rows == nil {
		rows = []audit.UsageRow{}
	}
	setCORS(w.Header())
	writeJSON(w, http.StatusOK, UsageResponse{Rows: rows})
}
