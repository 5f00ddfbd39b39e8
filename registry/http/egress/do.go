package egress

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// RedirectMode says what a call does with a 3xx response that has a Location.
type RedirectMode uint8

const (
	// RedirectFollow follows redirects up to the limit (the default).
	RedirectFollow RedirectMode = iota
	// RedirectManual returns the 3xx response as the result.
	RedirectManual
	// RedirectFail fails the call with ErrRedirect at the first redirect.
	RedirectFail
)

// CallOptions are per-call settings for Do. The zero value uses the client's limits and follows
// redirects.
type CallOptions struct {
	// Timeout bounds the whole call (connect, send, receive the full body); 0 means only the
	// context bounds it. When it fires the call fails with ErrTimeout.
	Timeout time.Duration
	// Redirect is the redirect mode.
	Redirect RedirectMode
	// MaxRedirects lowers the client's redirect limit for this call; 0 keeps the client's.
	MaxRedirects int
	// MaxResponseBytes lowers the client's size limit for this call; 0 keeps the client's.
	MaxResponseBytes int64
}

// Response is a complete response: Do reads the whole body (within the size limit) and closes it.
type Response struct {
	// Status is the status code, e.g. 200.
	Status int
	// StatusText is the reason phrase the server sent, e.g. "OK" (http.StatusText when absent).
	StatusText string
	// Proto is the protocol, e.g. "HTTP/1.1".
	Proto string
	// Header holds the response headers (canonical keys).
	Header http.Header
	// Body is the response body, decompressed when the transport asked for gzip itself.
	Body []byte
	// URL is the URL of the final request (after redirects), as the rule addressed it (Map
	// rewriting is invisible here).
	URL *url.URL
	// Redirected reports whether at least one redirect was followed.
	Redirected bool
}

// errCallTimeout is the cause set on a call's context when CallOptions.Timeout fires.
var errCallTimeout = errors.New("egress: call timeout")

// Do sends req through client bound to ctx (the rule's remaining time) and returns the complete
// response. It is the one path every HTTP module uses: it applies opts, reads the body within the
// size limit and returns errors without the *url.Error wrapping, so callers can classify them:
// errors.Is(err, ErrDenied / ErrTimeout / ErrResponseTooLarge / ErrTooManyRedirects / ErrRedirect),
// context.DeadlineExceeded or context.Canceled when ctx ended, or the network error itself. With a
// client from NewClient, each exchange is reported to the Recorder in ctx.
//
// Do replaces req's context with ctx. It is safe for concurrent use and blocks until the call ends.
func Do(ctx context.Context, client *http.Client, req *http.Request, opts CallOptions) (*Response, error) {
	callCtx, cancel := ctx, context.CancelFunc(func() {})
	if opts.Timeout > 0 {
		callCtx, cancel = context.WithTimeoutCause(ctx, opts.Timeout, errCallTimeout)
	}
	defer cancel()
	resp, err := do(callCtx, client, req.WithContext(callCtx), opts)
	if err != nil {
		if context.Cause(callCtx) == errCallTimeout && ctx.Err() == nil {
			return nil, fmt.Errorf("%w: no complete response from %s within %s", ErrTimeout, req.URL.Host, opts.Timeout)
		}
		if ctx.Err() != nil && !errors.Is(err, ctx.Err()) {
			return nil, fmt.Errorf("%w (%v)", ctx.Err(), err)
		}
		return nil, err
	}
	return resp, nil
}

func do(ctx context.Context, client *http.Client, req *http.Request, opts CallOptions) (*Response, error) {
	limitBytes, maxRedirects := int64(DefaultMaxResponseBytes), DefaultMaxRedirects
	if t, ok := client.Transport.(*Transport); ok {
		limitBytes, maxRedirects = t.maxBytes, t.maxRedirects
	}
	if opts.MaxResponseBytes > 0 && opts.MaxResponseBytes < limitBytes {
		limitBytes = opts.MaxResponseBytes
	}
	if opts.MaxRedirects > 0 && opts.MaxRedirects < maxRedirects {
		maxRedirects = opts.MaxRedirects
	}
	c := *client
	c.Timeout = 0
	redirected := false
	c.CheckRedirect = func(next *http.Request, via []*http.Request) error {
		switch opts.Redirect {
		case RedirectManual:
			return http.ErrUseLastResponse
		case RedirectFail:
			return fmt.Errorf("%w: %s redirects to %s", ErrRedirect, via[len(via)-1].URL.Host, next.URL.Redacted())
		}
		if len(via) > maxRedirects {
			return &RedirectError{Max: maxRedirects, URL: next.URL.Redacted()}
		}
		redirected = true
		return nil
	}
	resp, err := c.Do(req)
	if err != nil {
		var ue *url.Error
		if errors.As(err, &ue) {
			err = ue.Err
		}
		return nil, err
	}
	defer resp.Body.Close()
	if resp.ContentLength > limitBytes {
		err := &SizeError{Host: resp.Request.URL.Host, Limit: limitBytes}
		abortBody(resp.Body, err)
		return nil, err
	}
	body, err := readAll(resp.Body, resp.ContentLength, limitBytes)
	if err != nil {
		if errors.Is(err, ErrResponseTooLarge) {
			err = &SizeError{Host: resp.Request.URL.Host, Limit: limitBytes}
		}
		abortBody(resp.Body, err)
		return nil, err
	}
	text := strings.TrimSpace(strings.TrimPrefix(resp.Status, fmt.Sprint(resp.StatusCode)))
	if text == "" {
		text = http.StatusText(resp.StatusCode)
	}
	return &Response{
		Status: resp.StatusCode, StatusText: text, Proto: resp.Proto, Header: resp.Header,
		Body: body, URL: resp.Request.URL, Redirected: redirected,
	}, nil
}

// readAll reads r to the end, failing with ErrResponseTooLarge past limit bytes.
func readAll(r io.Reader, hint, limit int64) ([]byte, error) {
	if hint < 0 || hint > limit {
		hint = 512
	}
	buf := bytes.NewBuffer(make([]byte, 0, hint+1))
	n, err := buf.ReadFrom(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if n > limit {
		return nil, ErrResponseTooLarge
	}
	return buf.Bytes(), nil
}

// abortBody records err as the outcome of an exchange whose body the caller gives up on.
func abortBody(body io.ReadCloser, err error) {
	if b, ok := body.(*limitedBody); ok {
		b.rec.finish(b.rec.status, err)
	}
}
