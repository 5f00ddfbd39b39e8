package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/verq/verq/catalog"
)

// verqBin is the binary built once by TestMain for the end-to-end tests.
var verqBin string

func TestMain(m *testing.M) {
	// Re-executed as a lock holder by TestCLI_LockTimeout: hold the database until killed.
	if path := os.Getenv("VERQ_TEST_HOLD_DB"); path != "" {
		st, err := catalog.Open(path, catalog.Options{})
		if err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
		fmt.Println("holding")
		time.Sleep(time.Minute)
		st.Close()
		os.Exit(0)
	}
	dir, err := os.MkdirTemp("", "verq-e2e")
	if err != nil {
		panic(err)
	}
	verqBin = filepath.Join(dir, "verq")
	build := exec.Command("go", "build", "-o", verqBin, ".")
	build.Stderr = os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "building verq:", err)
		os.Exit(1)
	}
	code := m.Run()
	os.RemoveAll(dir)
	os.Exit(code)
}

// cli runs the built binary with an isolated data directory.
type cli struct {
	t   *testing.T
	env []string
	dir string
}

func newCLI(t *testing.T) *cli {
	t.Helper()
	dir := t.TempDir()
	return &cli{t: t, dir: dir, env: []string{
		"HOME=" + dir,
		"XDG_DATA_HOME=" + filepath.Join(dir, "data"),
		"VERQ_DB=" + filepath.Join(dir, "verq.db"),
		"VERQ_TENANT_DB=" + filepath.Join(dir, "tenant.db"),
		"VERQ_ACTOR=e2e",
		"PATH=" + os.Getenv("PATH"),
	}}
}

type result struct {
	stdout, stderr string
	code           int
}

func (c *cli) run(args ...string) result {
	c.t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, verqBin, args...)
	cmd.Env = c.env
	cmd.Dir = repoRoot(c.t)
	var out, errb bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	code := 0
	if ee, ok := err.(*exec.ExitError); ok {
		code = ee.ExitCode()
	} else if err != nil {
		c.t.Fatalf("verq %v: %v", args, err)
	}
	return result{out.String(), errb.String(), code}
}

// must runs a command that must succeed and returns its stdout.
func (c *cli) must(args ...string) string {
	c.t.Helper()
	r := c.run(args...)
	if r.code != 0 {
		c.t.Fatalf("verq %s: exit %d\nstdout:\n%s\nstderr:\n%s", strings.Join(args, " "), r.code, r.stdout, r.stderr)
	}
	return r.stdout
}

func (c *cli) json(v any, args ...string) {
	c.t.Helper()
	out := c.must(append(args, "--json")...)
	if err := json.Unmarshal([]byte(out), v); err != nil {
		c.t.Fatalf("verq %s --json: bad JSON: %v\n%s", strings.Join(args, " "), err, out)
	}
}

func repoRoot(t *testing.T) string {
	t.Helper()
	wd, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	return filepath.Join(wd, "..", "..")
}

func refDir() string { return filepath.Join("..", "shared", "reference", "canirequire") }
