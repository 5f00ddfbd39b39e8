package web

import (
	"errors"
	"net/http"
	"strconv"
	"strings"

	"github.com/verq/verq/catalog"
)

// Pagination of GET …/modules.
const (
	DefaultPerPage = 50
	MaxPerPage     = 500
	// DefaultHistoryLimit and MaxHistoryLimit bound history listings.
	DefaultHistoryLimit = 100
	MaxHistoryLimit     = 1000
)

// RuntimesResponse is GET /api/v1/runtimes.
type RuntimesResponse struct {
	// DefaultRuntime is the runtime of requests that name none.
	DefaultRuntime string                `json:"default_runtime"`
	Runtimes       []catalog.RuntimeInfo `json:"runtimes"`
}

// ModulesPage is GET /api/v1/runtimes/{runtime}/modules: one page of the modules matching q, sorted by name.
type ModulesPage struct {
	Runtime string `json:"runtime"`
	Q       string `json:"q,omitempty"`
	// Page counts from 0.
	Page    int `json:"page"`
	PerPage int `json:"per_page"`
	// Total is the number of modules matching q (on all pages).
	Total   int          `json:"total"`
	Modules []ModuleView `json:"modules"`
}

// VersionDetail is GET …/modules/{name}/versions/{version}.
type VersionDetail struct {
	Runtime string `json:"runtime"`
	Module  string `json:"module"`
	Core    bool   `json:"core,omitempty"`
	VersionView
	// Usage is present when the server has a Usage hook and a rule requires the version.
	Usage *VersionUsage `json:"usage,omitempty"`
}

// HistoryResponse is GET …/history and GET …/modules/{name}/history: changes, newest first.
type HistoryResponse struct {
	// Runtime is empty when the history of every runtime is listed.
	Runtime string           `json:"runtime,omitempty"`
	Module  string           `json:"module,omitempty"`
	Changes []catalog.Change `json:"changes"`
}

// runtimeOf is the request's runtime: the {runtime} path segment, else ?runtime=, else the default.
func (s *Server) runtimeOf(r *http.Request) (string, error) {
	rt := r.PathValue("runtime")
	if rt == "" {
		rt = r.URL.Query().Get("runtime")
	}
	if rt == "" {
		return s.cfg.DefaultRuntime, nil
	}
	if err := catalog.ValidateRuntimeName(rt); err != nil {
		return "", &RequestError{Status: http.StatusBadRequest, Code: CodeInvalid, Message: err.Error()}
	}
	return rt, nil
}

// Reserved path segments after a module name.
const (
	segVersions = "versions"
	segHistory  = "history"
	segDefault  = "default"
	segStatus   = "status"
)

// splitModulePath splits the part of a path after /modules/ into the module name and what follows it.
// A scoped name takes two segments ("@auth0/rule-utilities"); a core module name runs until a reserved
// segment ("assert/strict"). Percent-encoded slashes have been decoded already, so "@auth0%2Frule-utilities"
// works as well.
func splitModulePath(rest string) (name string, tail []string, err error) {
	segs := strings.Split(strings.Trim(rest, "/"), "/")
	n := 1
	if strings.HasPrefix(segs[0], "@") {
		n = 2
	}
	if segs[0] == "" || len(segs) < n {
		return "", nil, &RequestError{Status: http.StatusNotFound, Code: CodeNotFound,
			Message: "expected a module name after /modules/, e.g. /modules/auth0 or /modules/@auth0/rule-utilities"}
	}
	for n < len(segs) && segs[n] != segVersions && segs[n] != segHistory && segs[n] != segDefault {
		n++
	}
	return strings.Join(segs[:n], "/"), segs[n:], nil
}

func (s *Server) handleAPIIndex(w http.ResponseWriter, r *http.Request) {
	setCORS(w.Header())
	writeJSON(w, http.StatusOK, map[string]any{
		"runtimes":    "/api/v1/runtimes",
		"modules":     "/api/v1/runtimes/{runtime}/modules?q=&page=&per_page=",
		"module":      "/api/v1/runtimes/{runtime}/modules/{name}",
		"version":     "/api/v1/runtimes/{runtime}/modules/{name}/versions/{version}",
		"resolve":     "/api/v1/runtimes/{runtime}/resolve?spec=",
		"history":     "/api/v1/runtimes/{runtime}/history?limit=",
		"canirequire": "/canirequire?runtime=",
		"execute":     "POST /api/v1/execute",
	})
}

func (s *Server) handleRuntimes(w http.ResponseWriter, r *http.Request) {
	s.serveRendered(w, r, true, func() (string, []byte, error) {
		rts, err := s.cat.Runtimes()
		if err != nil {
			return "", nil, err
		}
		if rts == nil {
			rts = []catalog.RuntimeInfo{}
		}
		return jsonBody(RuntimesResponse{DefaultRuntime: s.cfg.DefaultRuntime, Runtimes: rts})
	})
}

func (s *Server) handleRuntime(w http.ResponseWriter, r *http.Request) {
	rt, err := s.runtimeOf(r)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	s.serveRendered(w, r, true, func() (string, []byte, error) {
		info, err := s.cat.Runtime(rt)
		if err != nil {
			return "", nil, err
		}
		return jsonBody(info)
	})
}

func (s *Server) handleModules(w http.ResponseWriter, r *http.Request) {
	rt, err := s.runtimeOf(r)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	q := r.URL.Query()
	page, err := intParam(q.Get("page"), "page", 0, 0, 1<<30)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	perPage, err := intParam(q.Get("per_page"), "per_page", DefaultPerPage, 1, MaxPerPage)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	query := strings.TrimSpace(q.Get("q"))
	s.serveRendered(w, r, true, func() (string, []byte, error) {
		views, err := s.moduleViews(rt)
		if err != nil {
			return "", nil, err
		}
		nq := normalizeQuery(query)
		out := ModulesPage{Runtime: rt, Q: query, Page: page, PerPage: perPage, Modules: []ModuleView{}}
		first := page * perPage
		for i := range views {
			if !views[i].matches(nq) {
				continue
			}
			if out.Total >= first && len(out.Modules) < perPage {
				out.Modules = append(out.Modules, views[i])
			}
			out.Total++
		}
		return jsonBody(out)
	})
}

// moduleViews returns the views of every module of a runtime, sorted by name.
func (s *Server) moduleViews(rt string) ([]ModuleView, error) {
	mods, err := s.cat.Modules(rt)
	if err != nil {
		return nil, err
	}
	views := make([]ModuleView, len(mods))
	for i, m := range mods {
		views[i] = NewModuleView(m, s.cfg.Registry)
	}
	return views, nil
}

func (s *Server) handleModuleRead(w http.ResponseWriter, r *http.Request) {
	rt, err := s.runtimeOf(r)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	name, tail, err := splitModulePath(r.PathValue("rest"))
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	switch {
	case len(tail) == 0:
		s.serveModule(w, r, rt, name)
	case len(tail) == 2 && tail[0] == segVersions:
		s.serveVersion(w, r, rt, name, tail[1])
	case len(tail) == 1 && tail[0] == segHistory:
		s.serveModuleHistory(w, r, rt, name)
	default:
		writeError(w, r, s.log, &RequestError{Status: http.StatusNotFound, Code: CodeNotFound,
			Message: "unknown module resource " + strings.Join(tail, "/") + ": use …/modules/{name}, …/versions/{version} or …/history"})
	}
}

// serveModule answers one module. With a Usage hook the answer depends on more than the catalog, so it
// is rendered per request and carries no ETag.
func (s *Server) serveModule(w http.ResponseWriter, r *http.Request, rt, name string) {
	if s.cfg.Usage == nil {
		s.serveRendered(w, r, true, func() (string, []byte, error) {
			m, err := s.cat.Module(rt, name)
			if err != nil {
				return "", nil, err
			}
			return jsonBody(NewModuleView(m, s.cfg.Registry))
		})
		return
	}
	m, err := s.cat.Module(rt, name)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	v := NewModuleView(m, s.cfg.Registry)
	v.Usage, err = s.cfg.Usage(r.Context(), rt, name)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	setCORS(w.Header())
	writeJSONCached(w, v)
}

func (s *Server) serveVersion(w http.ResponseWriter, r *http.Request, rt, name, version string) {
	m, err := s.cat.Module(rt, name)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	canon, err := catalog.CanonicalVersion(version)
	if err != nil {
		writeError(w, r, s.log, &RequestError{Status: http.StatusNotFound, Code: CodeNotFound, Message: err.Error()})
		return
	}
	v := NewModuleView(m, s.cfg.Registry)
	for _, vv := range v.Versions {
		if vv.Version != canon {
			continue
		}
		d := VersionDetail{Runtime: rt, Module: m.Name, Core: m.Core, VersionView: vv}
		if s.cfg.Usage != nil {
			us, err := s.cfg.Usage(r.Context(), rt, name)
			if err != nil {
				writeError(w, r, s.log, err)
				return
			}
			for i := range us {
				if us[i].Version == canon || (m.Core && us[i].Version == "") {
					d.Usage = &us[i]
				}
			}
		}
		setCORS(w.Header())
		writeJSONCached(w, d)
		return
	}
	writeError(w, r, s.log, &RequestError{Status: http.StatusNotFound, Code: CodeNotFound,
		Message: "version " + canon + " of " + name + " is not in catalog \"" + rt + "\""})
}

func (s *Server) serveModuleHistory(w http.ResponseWriter, r *http.Request, rt, name string) {
	limit, err := intParam(r.URL.Query().Get("limit"), "limit", DefaultHistoryLimit, 1, MaxHistoryLimit)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	s.serveRendered(w, r, true, func() (string, []byte, error) {
		changes, err := s.moduleHistory(rt, name, limit)
		if err != nil {
			return "", nil, err
		}
		return jsonBody(HistoryResponse{Runtime: rt, Module: name, Changes: changes})
	})
}

// moduleHistory returns a module's changes in a runtime, newest first, at most limit. A module that was
// removed still has its history; a module that never existed is ErrModuleNotFound.
func (s *Server) moduleHistory(rt, name string, limit int) ([]catalog.Change, error) {
	if _, err := s.cat.Runtime(rt); err != nil {
		return nil, err
	}
	all, err := s.cat.History(rt, 0)
	if err != nil {
		return nil, err
	}
	out := []catalog.Change{}
	for _, c := range all {
		if c.Module == name {
			out = append(out, c)
			if len(out) == limit {
				break
			}
		}
	}
	if len(out) == 0 {
		if _, err := s.cat.Module(rt, name); err != nil {
			return nil, err
		}
	}
	return out, nil
}

func (s *Server) handleHistory(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	limit, err := intParam(q.Get("limit"), "limit", DefaultHistoryLimit, 1, MaxHistoryLimit)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	rt := ""
	if r.PathValue("runtime") != "" || q.Get("runtime") != "" {
		if rt, err = s.runtimeOf(r); err != nil {
			writeError(w, r, s.log, err)
			return
		}
	}
	s.serveRendered(w, r, true, func() (string, []byte, error) {
		if rt != "" {
			if _, err := s.cat.Runtime(rt); err != nil {
				return "", nil, err
			}
		}
		changes, err := s.cat.History(rt, limit)
		if err != nil {
			return "", nil, err
		}
		if changes == nil {
			changes = []catalog.Change{}
		}
		return jsonBody(HistoryResponse{Runtime: rt, Changes: changes})
	})
}

func (s *Server) handleResolve(w http.ResponseWriter, r *http.Request) {
	rt, err := s.runtimeOf(r)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	spec := r.URL.Query().Get("spec")
	if spec == "" {
		writeError(w, r, s.log, BadRequest("missing spec: pass ?spec=NAME[@VERSION][/SUBPATH], e.g. ?spec=auth0@2.9.1"))
		return
	}
	s.serveRendered(w, r, true, func() (string, []byte, error) {
		return jsonBody(s.explain.Explain(rt, spec))
	})
}

// CanirequireFormats are the values of /canirequire?format=.
const (
	FormatCanirequire = "canirequire"
	FormatVerquire    = "verquire"
)

func (s *Server) handleCanirequire(w http.ResponseWriter, r *http.Request) {
	rt, err := s.runtimeOf(r)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	format := r.URL.Query().Get("format")
	if format != "" && format != FormatCanirequire && format != FormatVerquire {
		writeError(w, r, s.log, BadRequest("unknown format %q: use canirequire (the default) or verquire", format))
		return
	}
	s.serveRendered(w, r, true, func() (string, []byte, error) {
		l, err := s.requirableList(rt)
		if err != nil {
			return "", nil, err
		}
		var body []byte
		if format == FormatVerquire {
			body, err = l.MarshalVerquire()
		} else {
			body, err = l.MarshalCanirequire()
		}
		return "application/json; charset=utf-8", body, err
	})
}

// requirableList is a runtime's list as the canirequire webtask served it: what a rule can require.
// Blocked versions are left out (a rule cannot require them), deprecated ones stay, and entries carry
// only name and version. Order is the export order (a module's default first), which MarshalCanirequire
// keeps within each name, so importing the list reproduces the defaults.
func (s *Server) requirableList(rt string) (*catalog.List, error) {
	l, err := s.cat.Export(rt)
	if err != nil {
		return nil, err
	}
	mods, err := s.cat.Modules(rt)
	if err != nil {
		return nil, err
	}
	blocked := map[string]bool{}
	for _, m := range mods {
		for _, v := range m.Versions {
			if v.Status == catalog.StatusBlocked {
				blocked[m.Name+"@"+v.Version] = true
			}
		}
	}
	out := &catalog.List{NodeVersion: l.NodeVersion, Entries: make([]catalog.ListEntry, 0, len(l.Entries))}
	for _, e := range l.Entries {
		if blocked[e.Name+"@"+e.Version] {
			continue
		}
		out.Entries = append(out.Entries, catalog.ListEntry{Name: e.Name, Version: e.Version})
	}
	return out, nil
}

// jsonBody renders v for serveRendered.
func jsonBody(v any) (string, []byte, error) {
	b, err := marshalJSON(v)
	return "application/json; charset=utf-8", b, err
}

// writeJSONCached writes a 200 JSON answer that is not cached by the server but may be revalidated.
func writeJSONCached(w http.ResponseWriter, v any) {
	body, err := marshalJSON(v)
	if err != nil {
		writeJSON(w, http.StatusInternalServerError, ErrorBody{Error: "cannot encode the response", Code: CodeInternal, Status: http.StatusInternalServerError})
		return
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Cache-Control", cacheControlRead)
	_, _ = w.Write(body)
}

// intParam parses an optional integer query parameter within [lo, hi]; empty gives def.
func intParam(v, name string, def, lo, hi int) (int, error) {
	if v == "" {
		return def, nil
	}
	n, err := strconv.Atoi(v)
	if err != nil || n < lo || n > hi {
		return 0, BadRequest("%s=%q: expected a whole number from %d to %d", name, v, lo, hi)
	}
	return n, nil
}

// errNotFound reports whether err is one of the catalog's not-found errors.
func errNotFound(err error) bool {
	return errors.Is(err, catalog.ErrRuntimeNotFound) || errors.Is(err, catalog.ErrModuleNotFound) || errors.Is(err, catalog.ErrVersionNotFound)
}
