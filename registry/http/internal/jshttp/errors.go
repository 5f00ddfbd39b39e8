package jshttp

import (
	"context"
	"crypto/x509"
	"errors"
	"io"
	"net"
	"strconv"
	"syscall"

	"github.com/dop251/goja"
	"github.com/verq/verq/registry/http/egress"
)

// Failure is a failed call described the way Node.js describes network errors.
type Failure struct {
	// Code is the Node.js error code, e.g. "ECONNREFUSED", "ENOTFOUND", "ETIMEDOUT", or verq's
	// "ERR_EGRESS_DENIED" and "ERR_RESPONSE_TOO_LARGE".
	Code string
	// Message is the error message, e.g. "connect ECONNREFUSED 127.0.0.1:9".
	Message string
	// Syscall, Address, Port and Hostname are set where Node.js sets them.
	Syscall  string
	Address  string
	Port     int
	Hostname string
	// Errno is the negative libuv errno, 0 when Node.js sets none.
	Errno int
	// Timeout reports a call that ran out of time (its own timeout or the execution's).
	Timeout bool
	// Canceled reports a call cancelled by the module (abort).
	Canceled bool
	// Err is the underlying Go error.
	Err error
}

// Node.js-style error codes verq adds for its own failures.
const (
	// CodeEgressDenied: the egress policy refused the destination.
	CodeEgressDenied = "ERR_EGRESS_DENIED"
	// CodeTooLarge: the response body exceeded the size limit.
	CodeTooLarge = "ERR_RESPONSE_TOO_LARGE"
	// CodeTooManyHops: the call followed more redirects than allowed.
	CodeTooManyHops = "ERR_TOO_MANY_REDIRECTS"
	// CodeBadProtocol: the URL is neither http nor https.
	CodeBadProtocol = "ERR_INVALID_PROTOCOL"
	// CodeRedirectError: a redirect arrived while redirects were to fail the call.
	CodeRedirectError = "ERR_REDIRECT"
)

// Classify describes err (from egress.Do) for host ("name" or "name:port").
func Classify(err error, host string) Failure {
	f := Failure{Err: err, Message: err.Error()}
	var (
		dns   *net.DNSError
		op    *net.OpError
		errno syscall.Errno
		uae   x509.UnknownAuthorityError
		hne   x509.HostnameError
		cie   x509.CertificateInvalidError
	)
	switch {
	case errors.Is(err, egress.ErrDenied):
		f.Code = CodeEgressDenied
	case errors.Is(err, egress.ErrResponseTooLarge):
		f.Code = CodeTooLarge
	case errors.Is(err, egress.ErrTooManyRedirects):
		f.Code = CodeTooManyHops
	case errors.Is(err, egress.ErrRedirect):
		f.Code = CodeRedirectError
	case errors.Is(err, egress.ErrUnsupportedScheme):
		f.Code = CodeBadProtocol
	case errors.Is(err, egress.ErrTimeout), errors.Is(err, context.DeadlineExceeded):
		f.Code, f.Message, f.Timeout = "ETIMEDOUT", "ETIMEDOUT", true
	case errors.Is(err, context.Canceled):
		f.Code, f.Message, f.Canceled = "ECONNRESET", "socket hang up", true
	case errors.As(err, &dns):
		f.Code, f.Syscall, f.Hostname = "ENOTFOUND", "getaddrinfo", dns.Name
		if !dns.IsNotFound {
			f.Code = "EAI_AGAIN"
		}
		f.Message = "getaddrinfo " + f.Code + " " + dns.Name
		f.Errno = map[string]int{"ENOTFOUND": -3008, "EAI_AGAIN": -3001}[f.Code]
	case errors.As(err, &uae):
		f.Code, f.Message = "UNABLE_TO_VERIFY_LEAF_SIGNATURE", "unable to verify the first certificate"
	case errors.As(err, &hne):
		f.Code, f.Message = "ERR_TLS_CERT_ALTNAME_INVALID", "Hostname/IP does not match certificate's altnames: "+hne.Error()
	case errors.As(err, &cie):
		f.Code, f.Message = "CERT_HAS_EXPIRED", "certificate has expired"
		if cie.Reason != x509.Expired {
			f.Code, f.Message = "ERR_TLS_CERT_INVALID", cie.Error()
		}
	case errors.As(err, &errno):
		f.Syscall = "connect"
		if errors.As(err, &op) && op.Op != "dial" {
			f.Syscall = op.Op
		}
		f.Code, f.Errno = errnoName(errno)
		if errors.As(err, &op) && op.Addr != nil {
			if h, p, e := net.SplitHostPort(op.Addr.String()); e == nil {
				f.Address = h
				f.Port, _ = strconv.Atoi(p)
			}
		}
		f.Message = f.Syscall + " " + f.Code
		if f.Address != "" && f.Syscall == "connect" {
			f.Message += " " + net.JoinHostPort(f.Address, strconv.Itoa(f.Port))
		}
	case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
		f.Code, f.Message = "ECONNRESET", "socket hang up"
	}
	return f
}

// errnoName returns the Node.js code and libuv errno of a system error.
func errnoName(e syscall.Errno) (string, int) {
	switch e {
	case syscall.ECONNREFUSED:
		return "ECONNREFUSED", -111
	case syscall.ECONNRESET:
		return "ECONNRESET", -104
	case syscall.ETIMEDOUT:
		return "ETIMEDOUT", -110
	case syscall.EHOSTUNREACH:
		return "EHOSTUNREACH", -113
	case syscall.ENETUNREACH:
		return "ENETUNREACH", -101
	case syscall.EPIPE:
		return "EPIPE", -32
	case syscall.EADDRNOTAVAIL:
		return "EADDRNOTAVAIL", -99
	}
	return "E" + strconv.Itoa(int(e)), -int(e)
}

// NewError returns a JavaScript Error carrying f's message and Node.js properties (code, errno,
// syscall, address, port, hostname where set).
func (e *Env) NewError(f Failure) *goja.Object {
	o := e.Error(f.Message)
	if f.Code != "" {
		o.Set("code", f.Code)
	}
	if f.Errno != 0 {
		o.Set("errno", f.Errno)
	}
	if f.Syscall != "" {
		o.Set("syscall", f.Syscall)
	}
	if f.Address != "" {
		o.Set("address", f.Address)
		o.Set("port", f.Port)
	}
	if f.Hostname != "" {
		o.Set("hostname", f.Hostname)
	}
	return o
}

// Error returns new Error(msg).
func (e *Env) Error(msg string) *goja.Object {
	o, err := e.RT.New(e.RT.Get("Error"), e.RT.ToValue(msg))
	if err != nil {
		panic(err)
	}
	return o
}
