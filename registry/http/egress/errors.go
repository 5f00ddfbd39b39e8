package egress

import (
	"errors"
	"fmt"
	"net/netip"
)

// Sentinel errors; test with errors.Is. The concrete errors carry the details.
var (
	// ErrDenied means the egress policy does not permit the destination (a *DeniedError).
	ErrDenied = errors.New("egress denied")
	// ErrResponseTooLarge means a response body exceeded the size limit (a *SizeError).
	ErrResponseTooLarge = errors.New("response too large")
	// ErrTooManyRedirects means a call followed more redirects than allowed (a *RedirectError).
	ErrTooManyRedirects = errors.New("too many redirects")
	// ErrRedirect means a call met a redirect while CallOptions.Redirect was RedirectFail.
	ErrRedirect = errors.New("redirect not allowed")
	// ErrTimeout means a call did not complete within its own CallOptions.Timeout.
	ErrTimeout = errors.New("call timed out")
	// ErrUnsupportedScheme means the URL is neither http nor https.
	ErrUnsupportedScheme = errors.New("unsupported protocol")
)

// DeniedError reports a destination the policy does not permit. Its message names the host, the
// resolved address when there is one, the rule that denied it and how to permit it, e.g.
//
//	egress denied: 127.0.0.1 (resolved from evil.example) is a loopback address; allow it with --egress-allow 127.0.0.1 or --egress-allow-private
type DeniedError struct {
	// Host is the host name or IP literal the call addressed.
	Host string
	// IP is the resolved address that was denied; invalid when the name itself was denied.
	IP     netip.Addr
	reason string
	hint   string
}

// Error implements error.
func (e *DeniedError) Error() string {
	subject := e.Host
	if e.IP.IsValid() {
		ip := e.IP.WithZone("").String()
		if isIPLiteral(e.Host) {
			subject = ip
		} else {
			subject = ip + " (resolved from " + e.Host + ")"
		}
	}
	msg := "egress denied: " + subject + " " + e.reason
	if e.hint != "" {
		msg += "; " + e.hint
	}
	return msg
}

// Is makes errors.Is(err, ErrDenied) true.
func (e *DeniedError) Is(target error) bool { return target == ErrDenied }

// SizeError reports a response body larger than the limit in force.
type SizeError struct {
	// Host is the host the response came from (as the call addressed it).
	Host string
	// Limit is the limit in bytes.
	Limit int64
}

// Error implements error.
func (e *SizeError) Error() string {
	return fmt.Sprintf("egress: response from %s exceeds the size limit of %d bytes", e.Host, e.Limit)
}

// Is makes errors.Is(err, ErrResponseTooLarge) true.
func (e *SizeError) Is(target error) bool { return target == ErrResponseTooLarge }

// RedirectError reports a call that was redirected more often than allowed.
type RedirectError struct {
	// Max is the number of redirects that was allowed.
	Max int
	// URL is the redirect target that was not followed.
	URL string
}

// Error implements error.
func (e *RedirectError) Error() string {
	return fmt.Sprintf("egress: stopped after %d redirects (next: %s)", e.Max, e.URL)
}

// Is makes errors.Is(err, ErrTooManyRedirects) true.
func (e *RedirectError) Is(target error) bool { return target == ErrTooManyRedirects }
