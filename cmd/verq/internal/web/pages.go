package web

import (
	"bytes"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"fmt"
	"html/template"
	"io/fs"
	"mime"
	"net/http"
	"net/url"
	"path"
	"strconv"
	"strings"
	"time"

	"github.com/verq/verq/catalog"
)

//go:embed templates/*.html
var templateFS embed.FS

//go:embed static
var staticFS embed.FS

// pages holds the parsed templates and the embedded static assets.
type pages struct {
	index, module, errorPage *template.Template
	assets                   map[string]*asset
}

// asset is one embedded static file, with its content hash for cache-busting URLs.
type asset struct {
	contentType string
	body, gz    []byte
	version     string
}

func newPages() (*pages, error) {
	p := &pages{assets: map[string]*asset{}}
	err := fs.WalkDir(staticFS, "static", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := staticFS.ReadFile(name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		a := &asset{contentType: mime.TypeByExtension(path.Ext(name)), body: b, version: hex.EncodeToString(sum[:6])}
		if a.contentType == "" {
			a.contentType = "application/octet-stream"
		}
		if len(b) >= minGzipSize {
			a.gz = gzipBytes(b)
		}
		p.assets[path.Base(name)] = a
		return nil
	})
	if err != nil {
		return nil, fmt.Errorf("web: static assets: %w", err)
	}
	funcs := template.FuncMap{
		"asset":      p.assetURL,
		"moduleURL":  moduleURL,
		"date":       func(t time.Time) string { return t.UTC().Format("2006-01-02") },
		"datetime":   func(t time.Time) string { return t.UTC().Format("2006-01-02 15:04 UTC") },
		"isoTime":    func(t time.Time) string { return t.UTC().Format(time.RFC3339) },
		"notAllowed": func(s catalog.Status) bool { return s != catalog.StatusAllowed },
		"plural": func(n int, one, many string) string {
			if n == 1 {
				return "1 " + one
			}
			return strconv.Itoa(n) + " " + many
		},
	}
	parse := func(name string) (*template.Template, error) {
		return template.New("layout.html").Funcs(funcs).ParseFS(templateFS, "templates/layout.html", "templates/"+name)
	}
	if p.index, err = parse("index.html"); err != nil {
		return nil, err
	}
	if p.module, err = parse("module.html"); err != nil {
		return nil, err
	}
	if p.errorPage, err = parse("error.html"); err != nil {
		return nil, err
	}
	return p, nil
}

// assetURL is the cache-busting URL of an embedded static file.
func (p *pages) assetURL(name string) string {
	a := p.assets[name]
	if a == nil {
		return "/static/" + name
	}
	return "/static/" + name + "?v=" + a.version
}

// moduleURL is the page of a module in a runtime. The name's characters are percent-encoded except '@'
// and '/', which the module route reads as they are.
func moduleURL(name, runtime string) string {
	var b strings.Builder
	b.WriteString("/modules/")
	for i, seg := range strings.Split(name, "/") {
		if i > 0 {
			b.WriteByte('/')
		}
		b.WriteString(strings.ReplaceAll(url.PathEscape(seg), "%40", "@"))
	}
	b.WriteString("?runtime=")
	b.WriteString(url.QueryEscape(runtime))
	return b.String()
}

// layoutData is what every page's layout needs.
type layoutData struct {
	Title      string
	Runtime    string
	Runtimes   []catalog.RuntimeInfo
	Generation uint64
}

// indexData is the data of the module list page.
type indexData struct {
	layoutData
	Info    catalog.RuntimeInfo
	Q       string
	Modules []moduleRow
	Shown   int
}

// moduleRow is one module of the list page; Hidden rows do not match the query (the script shows them
// again as the query changes).
type moduleRow struct {
	View   ModuleView
	Search string
	Hidden bool
	// Summary names the implementations of the versions; Mixed is set when they differ (each version then
	// shows its own) and NoneInstalled when nothing serves any version.
	Summary       string
	Mixed         bool
	NoneInstalled bool
}

// moduleData is the data of a module page.
type moduleData struct {
	layoutData
	Module     ModuleView
	Usage      map[string]VersionUsage
	HasUsage   bool
	UsageError string
	History    []catalog.Change
}

// errorData is the data of the error page.
type errorData struct {
	layoutData
	Status  int
	Message string
}

func (s *Server) layout(title, rt string) layoutData {
	rts, err := s.cat.Runtimes()
	if err != nil {
		s.log.Warn("list runtimes for the page", "err", err)
	}
	return layoutData{Title: title, Runtime: rt, Runtimes: rts, Generation: s.cat.Generation()}
}

func (s *Server) handleIndex(w http.ResponseWriter, r *http.Request) {
	rt, err := s.runtimeOf(r)
	if err != nil {
		s.renderError(w, r, http.StatusBadRequest, err.Error())
		return
	}
	q := strings.TrimSpace(r.URL.Query().Get("q"))
	info, err := s.cat.Runtime(rt)
	if err != nil {
		if errNotFound(err) {
			s.renderError(w, r, http.StatusNotFound, fmt.Sprintf("There is no runtime %q in this catalog.", rt))
			return
		}
		s.renderError(w, r, http.StatusInternalServerError, "The catalog could not be read.")
		s.log.Error("read runtime", "runtime", rt, "err", err)
		return
	}
	s.serveRendered(w, r, false, func() (string, []byte, error) {
		views, err := s.moduleViews(rt)
		if err != nil {
			return "", nil, err
		}
		d := indexData{layoutData: s.layout("Allowed modules", rt), Info: info, Q: q, Modules: make([]moduleRow, len(views))}
		nq := normalizeQuery(q)
		for i := range views {
			v := &views[i]
			row := moduleRow{View: *v, Search: v.searchText(), Hidden: !v.matches(nq), Summary: v.ImplSummary(), NoneInstalled: true}
			for _, ver := range v.Versions {
				row.Mixed = row.Mixed || ver.Implementation != v.Versions[0].Implementation
				row.NoneInstalled = row.NoneInstalled && ver.Kind == ""
			}
			if !row.Hidden {
				d.Shown++
			}
			d.Modules[i] = row
		}
		return renderHTML(s.pages.index, d)
	})
}

func (s *Server) handleModulePage(w http.ResponseWriter, r *http.Request) {
	rt, err := s.runtimeOf(r)
	if err != nil {
		s.renderError(w, r, http.StatusBadRequest, err.Error())
		return
	}
	name := strings.Trim(r.PathValue("name"), "/")
	m, err := s.cat.Module(rt, name)
	if err != nil {
		if errNotFound(err) {
			s.renderError(w, r, http.StatusNotFound, err.Error())
			return
		}
		s.log.Error("read module", "runtime", rt, "module", name, "err", err)
		s.renderError(w, r, http.StatusInternalServerError, "The catalog could not be read.")
		return
	}
	build := func(usage []VersionUsage, usageErr error) (string, []byte, error) {
		hist, err := s.moduleHistory(rt, m.Name, DefaultHistoryLimit)
		if err != nil {
			return "", nil, err
		}
		d := moduleData{layoutData: s.layout(m.Name, rt), Module: NewModuleView(m, s.cfg.Registry), History: hist}
		if s.cfg.Usage != nil {
			d.HasUsage = true
			d.Usage = map[string]VersionUsage{}
			for _, u := range usage {
				v := u.Version
				if m.Core && v == "" {
					v = catalog.NativeVersion
				}
				d.Usage[v] = u
			}
			if usageErr != nil {
				d.UsageError = "Usage data is unavailable right now."
			}
		}
		return renderHTML(s.pages.module, d)
	}
	if s.cfg.Usage == nil {
		s.serveRendered(w, r, false, func() (string, []byte, error) { return build(nil, nil) })
		return
	}
	usage, uerr := s.cfg.Usage(r.Context(), rt, m.Name)
	if uerr != nil {
		s.log.WarnContext(r.Context(), "module usage", "runtime", rt, "module", m.Name, "err", uerr)
	}
	ct, body, err := build(usage, uerr)
	if err != nil {
		s.renderError(w, r, http.StatusInternalServerError, "The page could not be rendered.")
		s.log.Error("render module page", "err", err)
		return
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Cache-Control", cacheControlRead)
	_, _ = w.Write(body)
}

// renderError writes the HTML error page.
func (s *Server) renderError(w http.ResponseWriter, r *http.Request, status int, msg string) {
	ct, body, err := renderHTML(s.pages.errorPage, errorData{layoutData: s.layout(http.StatusText(status), s.cfg.DefaultRuntime), Status: status, Message: msg})
	if err != nil {
		http.Error(w, msg, status)
		return
	}
	w.Header().Set("Content-Type", ct)
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func renderHTML(t *template.Template, data any) (string, []byte, error) {
	var buf bytes.Buffer
	if err := t.Execute(&buf, data); err != nil {
		return "", nil, err
	}
	return "text/html; charset=utf-8", buf.Bytes(), nil
}

// handleStatic serves the embedded assets. A request carrying the current ?v= may be cached forever.
func (s *Server) handleStatic(w http.ResponseWriter, r *http.Request) {
	a := s.pages.assets[r.PathValue("file")]
	if a == nil {
		s.renderError(w, r, http.StatusNotFound, "no such file")
		return
	}
	h := w.Header()
	h.Set("Content-Type", a.contentType)
	tag := `"` + a.version + `"`
	h.Set("ETag", tag)
	if r.URL.Query().Get("v") == a.version {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "public, max-age=300")
	}
	if etagMatches(r.Header.Get("If-None-Match"), tag) {
		w.WriteHeader(http.StatusNotModified)
		return
	}
	body := a.body
	if a.gz != nil {
		h.Set("Vary", "Accept-Encoding")
		if acceptsGzip(r) {
			h.Set("Content-Encoding", "gzip")
			body = a.gz
		}
	}
	h.Set("Content-Length", strconv.Itoa(len(body)))
	if r.Method != http.MethodHead {
		_, _ = w.Write(body)
	}
}
