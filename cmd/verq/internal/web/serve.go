package web

import (
	"context"
	"errors"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// Connection limits of Serve.
const (
	ReadHeaderTimeout = 5 * time.Second
	IdleTimeout       = 2 * time.Minute
	MaxHeaderBytes    = 64 << 10
)

// HTTPServer returns the http.Server Serve uses: the handler, header/read/write/idle timeouts sized for
// the body limits and the execution timeout, and error logs through the server's logger.
func (s *Server) HTTPServer() *http.Server {
	return &http.Server{
		Handler:           s,
		ReadHeaderTimeout: ReadHeaderTimeout,
		// An 8 MiB import over a slow link, but no slower than about 64 KiB/s.
		ReadTimeout: 2 * time.Minute,
		// The longest answer is an execution: its timeout plus time to write the result.
		WriteTimeout:   s.cfg.MaxExecuteTimeout + 30*time.Second,
		IdleTimeout:    IdleTimeout,
		MaxHeaderBytes: MaxHeaderBytes,
		ErrorLog:       slog.NewLogLogger(s.log.Handler(), slog.LevelWarn),
	}
}

// Serve answers requests on ln until ctx is done, then shuts down gracefully: /readyz turns 503 at once,
// the listener closes, and requests in flight get Config.ShutdownTimeout to finish before their
// connections are closed. It returns nil after a shutdown that ctx asked for, or the error that stopped
// the server.
func (s *Server) Serve(ctx context.Context, ln net.Listener) error {
	hs := s.HTTPServer()
	errc := make(chan error, 1)
	go func() { errc <- hs.Serve(ln) }()
	select {
	case err := <-errc:
		return err
	case <-ctx.Done():
	}
	s.draining.Store(true)
	s.log.Info("shutting down", "grace", s.cfg.ShutdownTimeout.String())
	sctx, cancel := context.WithTimeout(context.Background(), s.cfg.ShutdownTimeout)
	defer cancel()
	err := hs.Shutdown(sctx)
	if err != nil {
		s.log.Warn("requests still running after the shutdown grace period; closing their connections", "err", err)
		_ = hs.Close()
	}
	if serr := <-errc; serr != nil && !errors.Is(serr, http.ErrServerClosed) {
		return serr
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return nil
	}
	return err
}
