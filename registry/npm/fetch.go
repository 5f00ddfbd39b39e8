package npm

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"
)

// DefaultRegistry is the public npm registry.
const DefaultRegistry = "https://registry.npmjs.org"

const (
	// maxPackumentSize bounds a packument download (the largest public ones are tens of MB).
	maxPackumentSize = 256 << 20
	// fetchAttempts is how many times a request is tried on network errors, 429 and 5xx answers.
	fetchAttempts = 3
	// userAgent identifies verq to the registry.
	userAgent = "verq (npm package store)"
	// acceptPackument asks for the abbreviated install document, as npm does.
	acceptPackument = "application/vnd.npm.install-v1+json; q=1.0, application/json; q=0.8, */*"
)

// fetcher downloads packuments and tarballs from one registry.
type fetcher struct {
	base       string
	client     *http.Client
	maxTarball int64
	log        *slog.Logger
	// retryWait is the pause before the second attempt; it grows linearly.
	retryWait time.Duration

	progressMu sync.Mutex
	progress   io.Writer
}

// packumentURL returns the URL of a package's document; a scoped name keeps its '@' and encodes
// the '/', as npm does.
func (f *fetcher) packumentURL(name string) string {
	return f.base + "/" + strings.Replace(url.PathEscape(name), "%40", "@", 1)
}

// packument fetches and decodes one package's document.
func (f *fetcher) packument(ctx context.Context, name string) (*packument, error) {
	u := f.packumentURL(name)
	body, err := f.get(ctx, u, acceptPackument, maxPackumentSize, name)
	if err != nil {
		return nil, err
	}
	var p packument
	if err := json.Unmarshal(body, &p); err != nil {
		return nil, fmt.Errorf("%w: %s: the registry's document for %s is not valid JSON: %v", ErrFetch, u, name, err)
	}
	if p.Name == "" {
		p.Name = name
	}
	if p.Name != name {
		return nil, fmt.Errorf("%w: %s: asked for %s, the registry answered with %s", ErrFetch, u, name, p.Name)
	}
	return &p, nil
}

// tarball downloads a tarball and reports it on the progress writer.
func (f *fetcher) tarball(ctx context.Context, id, rawURL string) ([]byte, error) {
	u, err := url.Parse(rawURL)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		return nil, fmt.Errorf("%w: %s: tarball URL %q is not an http(s) URL", ErrFetch, id, rawURL)
	}
	start := time.Now()
	body, err := f.get(ctx, rawURL, "application/octet-stream", f.maxTarball, id)
	if err != nil {
		return nil, err
	}
	f.report("fetched %s: %d bytes in %s\n", id, len(body), time.Since(start).Round(time.Millisecond))
	return body, nil
}

func (f *fetcher) report(format string, args ...any) {
	if f.progress == nil {
		return
	}
	f.progressMu.Lock()
	defer f.progressMu.Unlock()
	fmt.Fprintf(f.progress, format, args...)
}

// get performs a GET with retries and a size limit. what names the package for error texts.
func (f *fetcher) get(ctx context.Context, u, accept string, limit int64, what string) ([]byte, error) {
	var lastErr error
	for attempt := 1; attempt <= fetchAttempts; attempt++ {
		if attempt > 1 {
			wait := time.Duration(attempt-1) * f.retryWait
			f.log.Debug("retrying npm registry request", "url", u, "attempt", attempt, "error", lastErr)
			select {
			case <-ctx.Done():
				return nil, fmt.Errorf("%w: %s: %w (last error: %v)", ErrFetch, u, ctx.Err(), lastErr)
			case <-time.After(wait):
			}
		}
		body, retry, err := f.getOnce(ctx, u, accept, limit, what)
		if err == nil {
			return body, nil
		}
		lastErr = err
		if !retry || ctx.Err() != nil {
			break
		}
	}
	return nil, lastErr
}

func (f *fetcher) getOnce(ctx context.Context, u, accept string, limit int64, what string) ([]byte, bool, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, u, nil)
	if err != nil {
		return nil, false, fmt.Errorf("%w: %s: %v", ErrFetch, u, err)
	}
	req.Header.Set("Accept", accept)
	req.Header.Set("User-Agent", userAgent)
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, ctx.Err() == nil, fmt.Errorf("%w: %s: %w (check the network and --registry)", ErrFetch, u, err)
	}
	defer resp.Body.Close()
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return nil, false, fmt.Errorf("%w: %s: %s %w in the registry; check the name and --registry", ErrFetch, u, what, errNotFound)
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode >= 500:
		return nil, true, fmt.Errorf("%w: %s: the registry answered %s", ErrFetch, u, resp.Status)
	case resp.StatusCode != http.StatusOK:
		return nil, false, fmt.Errorf("%w: %s: the registry answered %s", ErrFetch, u, resp.Status)
	}
	if resp.ContentLength > limit {
		return nil, false, fmt.Errorf("%w: %s: %s is %d bytes; the limit is %d", ErrFetch, u, what, resp.ContentLength, limit)
	}
	body, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, true, fmt.Errorf("%w: %s: reading the answer: %v", ErrFetch, u, err)
	}
	if int64(len(body)) > limit {
		return nil, false, fmt.Errorf("%w: %s: %s is larger than the limit of %d bytes", ErrFetch, u, what, limit)
	}
	if resp.ContentLength >= 0 && int64(len(body)) != resp.ContentLength {
		return nil, true, fmt.Errorf("%w: %s: the answer was cut short (%d of %d bytes)", ErrFetch, u, len(body), resp.ContentLength)
	}
	return body, false, nil
}

// errNotFound marks a 404 answer inside an ErrFetch error.
var errNotFound = errors.New("not found (404)")
