// Command verq is a versioned module registry and require resolver for JavaScript rule runtimes.
//
// Run `verq help` for the command list. Exit codes: 0 ok, 1 a resolution, validation or rule-level
// failure, 2 a usage error; `verq run` adds 3 (unauthorized) and 4 (rule error or timeout).
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := newApp(os.Stdin, os.Stdout, os.Stderr, os.Getenv).run(ctx, os.Args[1:])
	stop()
	os.Exit(code)
}
