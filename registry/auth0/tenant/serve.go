package tenant

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"time"
)

// shutdownGrace bounds how long Serve waits for in-flight requests after ctx is done.
const shutdownGrace = 10 * time.Second

// Serve runs a real HTTP server for t.Handler on addr (e.g. "127.0.0.1:8080"; port 0 picks a free
// one) until ctx is done, then shuts down gracefully: it stops accepting, lets in-flight requests
// finish (up to 10 s) and returns nil. With tlsCert and tlsKey (PEM files) it serves HTTPS. ready,
// if not nil, is called with the bound address once the listener is open. The tenant is not closed.
func Serve(ctx context.Context, t *Tenant, addr string, tlsCert, tlsKey string, ready func(net.Addr)) error {
	if (tlsCert == "") != (tlsKey == "") {
		return fmt.Errorf("tenant: serving TLS needs both a certificate and a key file")
	}
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return fmt.Errorf("tenant: listen on %s: %w", addr, err)
	}
	srv := &http.Server{
		Handler:           t.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       60 * time.Second,
		WriteTimeout:      60 * time.Second,
		IdleTimeout:       120 * time.Second,
		MaxHeaderBytes:    64 << 10,
		BaseContext:       func(net.Listener) context.Context { return context.WithoutCancel(ctx) },
	}
	scheme := "http"
	if tlsCert != "" {
		scheme = "https"
	}
	t.log.Info("tenant serving", "addr", ln.Addr().String(), "scheme", scheme, "domain", t.domain)
	if ready != nil {
		ready(ln.Addr())
	}
	errc := make(chan error, 1)
	go func() {
		if tlsCert != "" {
			errc <- srv.ServeTLS(ln, tlsCert, tlsKey)
		} else {
			errc <- srv.Serve(ln)
		}
	}()
	select {
	case err := <-errc:
		return fmt.Errorf("tenant: serve: %w", err)
	case <-ctx.Done():
	}
	sctx, cancel := context.WithTimeout(context.Background(), shutdownGrace)
	defer cancel()
	if err := srv.Shutdown(sctx); err != nil {
		srv.Close()
		return fmt.Errorf("tenant: shutdown: %w", err)
	}
	if err := <-errc; err != nil && !errors.Is(err, http.ErrServerClosed) {
		return fmt.Errorf("tenant: serve: %w", err)
	}
	t.log.Info("tenant server stopped", "addr", ln.Addr().String())
	return nil
}
