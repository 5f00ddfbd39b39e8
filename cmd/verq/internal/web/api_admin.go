package web

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"

	"github.com/verq/verq/catalog"
)

// CreateRuntimeRequest is the body of PUT /api/v1/runtimes/{runtime} (optional).
type CreateRuntimeRequest struct {
	// NodeVersion is written as node_version on canirequire exports, e.g. "v18.20.4".
	NodeVersion string `json:"node_version,omitempty"`
}

// DefaultRequest is the body of PUT …/modules/{name}/default.
type DefaultRequest struct {
	Version string `json:"version"`
}

// StatusRequest is the body of PUT …/modules/{name}/versions/{version}/status.
type StatusRequest struct {
	// Status is allowed, deprecated or blocked.
	Status catalog.Status `json:"status"`
	// Reason is required for deprecated and blocked, and must be empty for allowed.
	Reason string `json:"reason,omitempty"`
}

// ModuleInfoRequest is the body of PATCH …/modules/{name}: absent fields keep their value, "" clears one.
type ModuleInfoRequest struct {
	Homepage *string `json:"homepage,omitempty"`
	Notes    *string `json:"notes,omitempty"`
}

// WriteResponse is the answer to a write on a module: what the runtime now lists for it.
type WriteResponse struct {
	Runtime string `json:"runtime"`
	// Changed is false when the request asked for the state the catalog was already in.
	Changed bool `json:"changed"`
	// Module is the module after the change; nil when the change removed it.
	Module *ModuleView `json:"module,omitempty"`
	// ModuleRemoved is true when the last version was removed and the module with it.
	ModuleRemoved bool `json:"module_removed,omitempty"`
}

// ImportResponse is the answer of POST …/import.
type ImportResponse struct {
	Runtime string        `json:"runtime"`
	DryRun  bool          `json:"dry_run"`
	Diff    *catalog.Diff `json:"diff"`
}

func (s *Server) handleCreateRuntime(w http.ResponseWriter, r *http.Request) {
	rt, err := s.runtimeOf(r)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	var req CreateRuntimeRequest
	if err := s.decodeBody(w, r, &req, true); err != nil {
		writeError(w, r, s.log, err)
		return
	}
	if info, err := s.cat.Runtime(rt); err == nil {
		writeJSON(w, http.StatusOK, info)
		return
	} else if !errors.Is(err, catalog.ErrRuntimeNotFound) {
		writeError(w, r, s.log, err)
		return
	}
	if err := s.cat.CreateRuntime(actorOf(r), rt, req.NodeVersion); err != nil {
		writeError(w, r, s.log, err)
		return
	}
	info, err := s.cat.Runtime(rt)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	w.Header().Set("Location", "/api/v1/runtimes/"+rt)
	writeJSON(w, http.StatusCreated, info)
}

// handleModulePut serves PUT …/modules/{name}/versions/{version} (add),
// PUT …/modules/{name}/versions/{version}/status and PUT …/modules/{name}/default.
func (s *Server) handleModulePut(w http.ResponseWriter, r *http.Request) {
	rt, name, tail, ok := s.moduleTarget(w, r)
	if !ok {
		return
	}
	actor := actorOf(r)
	switch {
	case len(tail) == 2 && tail[0] == segVersions:
		if err := s.decodeBody(w, r, &struct{}{}, true); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		version := tail[1]
		if m, err := s.cat.Module(rt, name); err == nil {
			if canon, cerr := catalog.CanonicalVersion(version); cerr == nil {
				if _, listed := m.Lookup(canon); listed {
					s.writeModule(w, r, rt, name, http.StatusOK, false)
					return
				}
			}
		}
		if err := s.cat.AddVersion(actor, rt, name, version); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		s.writeModule(w, r, rt, name, http.StatusCreated, true)
	case len(tail) == 3 && tail[0] == segVersions && tail[2] == segStatus:
		var req StatusRequest
		if err := s.decodeBody(w, r, &req, false); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		if !req.Status.Valid() {
			writeError(w, r, s.log, BadRequest("status %q: use allowed, deprecated or blocked", req.Status))
			return
		}
		if req.Status != catalog.StatusAllowed && strings.TrimSpace(req.Reason) == "" {
			writeError(w, r, s.log, BadRequest("a %s version needs a reason: send {\"status\": %q, \"reason\": \"why\"}", req.Status, req.Status))
			return
		}
		if err := s.cat.SetStatus(actor, rt, name, tail[1], req.Status, req.Reason); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		s.writeModule(w, r, rt, name, http.StatusOK, true)
	case len(tail) == 1 && tail[0] == segDefault:
		var req DefaultRequest
		if err := s.decodeBody(w, r, &req, false); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		if req.Version == "" {
			writeError(w, r, s.log, BadRequest("missing version: send {\"version\": \"2.9.1\"}"))
			return
		}
		if err := s.cat.SetDefault(actor, rt, name, req.Version); err != nil {
			writeError(w, r, s.log, err)
			return
		}
		s.writeModule(w, r, rt, name, http.StatusOK, true)
	default:
		s.unknownModuleResource(w, r, tail)
	}
}

// handleModulePatch serves PATCH …/modules/{name}: homepage and notes.
func (s *Server) handleModulePatch(w http.ResponseWriter, r *http.Request) {
	rt, name, tail, ok := s.moduleTarget(w, r)
	if !ok {
		return
	}
	if len(tail) != 0 {
		s.unknownModuleResource(w, r, tail)
		return
	}
	var req ModuleInfoRequest
	if err := s.decodeBody(w, r, &req, false); err != nil {
		writeError(w, r, s.log, err)
		return
	}
	m, err := s.cat.Module(rt, name)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	homepage, notes := m.Homepage, m.Notes
	if req.Homepage != nil {
		homepage = *req.Homepage
	}
	if req.Notes != nil {
		notes = *req.Notes
	}
	if homepage == m.Homepage && notes == m.Notes {
		s.writeModule(w, r, rt, name, http.StatusOK, false)
		return
	}
	if err := s.cat.SetModuleInfo(actorOf(r), rt, name, homepage, notes); err != nil {
		writeError(w, r, s.log, err)
		return
	}
	s.writeModule(w, r, rt, name, http.StatusOK, true)
}

// handleModuleDelete serves DELETE …/modules/{name}/versions/{version}.
func (s *Server) handleModuleDelete(w http.ResponseWriter, r *http.Request) {
	rt, name, tail, ok := s.moduleTarget(w, r)
	if !ok {
		return
	}
	if len(tail) != 2 || tail[0] != segVersions {
		s.unknownModuleResource(w, r, tail)
		return
	}
	if err := s.cat.RemoveVersion(actorOf(r), rt, name, tail[1]); err != nil {
		writeError(w, r, s.log, err)
		return
	}
	s.writeModule(w, r, rt, name, http.StatusOK, true)
}

// moduleTarget parses the runtime and module of a write; on failure it has answered already.
func (s *Server) moduleTarget(w http.ResponseWriter, r *http.Request) (rt, name string, tail []string, ok bool) {
	rt, err := s.runtimeOf(r)
	if err == nil {
		name, tail, err = splitModulePath(r.PathValue("rest"))
	}
	if err != nil {
		writeError(w, r, s.log, err)
		return "", "", nil, false
	}
	return rt, name, tail, true
}

func (s *Server) unknownModuleResource(w http.ResponseWriter, r *http.Request, tail []string) {
	writeError(w, r, s.log, &RequestError{Status: http.StatusNotFound, Code: CodeNotFound,
		Message: fmt.Sprintf("%s does not apply to …/modules/{name}/%s: writes are PUT …/versions/{version}, PUT …/versions/{version}/status, PUT …/default, PATCH …/modules/{name} and DELETE …/versions/{version}",
			r.Method, strings.Join(tail, "/"))})
}

// writeModule answers a write with the module's state after it.
func (s *Server) writeModule(w http.ResponseWriter, r *http.Request, rt, name string, status int, changed bool) {
	m, err := s.cat.Module(rt, name)
	if errors.Is(err, catalog.ErrModuleNotFound) {
		writeJSON(w, status, WriteResponse{Runtime: rt, Changed: changed, ModuleRemoved: true})
		return
	}
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	v := NewModuleView(m, s.cfg.Registry)
	writeJSON(w, status, WriteResponse{Runtime: rt, Changed: changed, Module: &v})
}

// handleImport serves POST /api/v1/runtimes/{runtime}/import: the body is a canirequire list or a
// verquire packages.json; ?format=auto|canirequire|verquire, ?dry_run=true, ?replace=true,
// ?node_version=v18.20.4.
func (s *Server) handleImport(w http.ResponseWriter, r *http.Request) {
	rt, err := s.runtimeOf(r)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	q := r.URL.Query()
	format := q.Get("format")
	if format == "" {
		format = catalog.FormatAuto
	}
	dryRun, err1 := boolParam(q.Get("dry_run"), "dry_run")
	replace, err2 := boolParam(q.Get("replace"), "replace")
	if err := errors.Join(err1, err2); err != nil {
		writeError(w, r, s.log, err)
		return
	}
	data, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.cfg.MaxImportBytes))
	if err != nil {
		writeError(w, r, s.log, bodyError(err, s.cfg.MaxImportBytes))
		return
	}
	if len(data) == 0 {
		writeError(w, r, s.log, BadRequest("empty body: send a canirequire list or a verquire packages.json"))
		return
	}
	list, err := catalog.ParseList(data, format)
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	nodeVersion := q.Get("node_version")
	if nodeVersion == "" {
		nodeVersion = list.NodeVersion
	}
	diff, err := s.cat.Import(actorOf(r), rt, list, catalog.ImportOptions{DryRun: dryRun, Replace: replace, NodeVersion: nodeVersion})
	if err != nil {
		writeError(w, r, s.log, err)
		return
	}
	writeJSON(w, http.StatusOK, ImportResponse{Runtime: rt, DryRun: dryRun, Diff: diff})
}

// decodeBody decodes a JSON request body into v, refusing unknown fields, trailing data and multipart
// forms. An empty body is allowed only when optional is set (v is then left as is).
func (s *Server) decodeBody(w http.ResponseWriter, r *http.Request, v any, optional bool) error {
	body := http.MaxBytesReader(w, r.Body, s.cfg.MaxBodyBytes)
	data, err := io.ReadAll(body)
	if err != nil {
		return bodyError(err, s.cfg.MaxBodyBytes)
	}
	if len(bytes.TrimSpace(data)) == 0 {
		if optional {
			return nil
		}
		return BadRequest("empty body: send a JSON object")
	}
	// Any declared type is read as JSON (curl -d sends application/x-www-form-urlencoded), except
	// multipart forms, which cannot be.
	if ct := r.Header.Get("Content-Type"); strings.HasPrefix(strings.ToLower(ct), "multipart/") {
		return &RequestError{Status: http.StatusUnsupportedMediaType, Code: CodeUnsupportedMedia,
			Message: fmt.Sprintf("Content-Type %q: send a JSON body (application/json)", ct)}
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		return BadRequest("invalid JSON body: %v", err)
	}
	if dec.More() {
		return BadRequest("invalid JSON body: more than one JSON value")
	}
	return nil
}

// bodyError turns a body read failure into a 413 or 400.
func bodyError(err error, limit int64) error {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		return &RequestError{Status: http.StatusRequestEntityTooLarge, Code: CodeTooLarge,
			Message: fmt.Sprintf("request body larger than %d bytes", limit)}
	}
	return BadRequest("cannot read the request body: %v", err)
}

// boolParam parses an optional boolean query parameter.
func boolParam(v, name string) (bool, error) {
	if v == "" {
		return false, nil
	}
	b, err := strconv.ParseBool(v)
	if err != nil {
		return false, BadRequest("%s=%q: expected true or false", name, v)
	}
	return b, nil
}
