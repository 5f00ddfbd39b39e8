package main

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/user"
	"path/filepath"
	"sort"
	"strings"
	"text/tabwriter"
	"time"

	"github.com/verq/verq/catalog"
)

// Exit codes shared by every command.
const (
	exitOK      = 0
	exitFailure = 1
	exitUsage   = 2
)

// usageError marks an error as a usage error (exit code 2).
type usageError struct{ msg string }

func (e usageError) Error() string { return e.msg }

func usagef(format string, args ...any) error { return usageError{fmt.Sprintf(format, args...)} }

// exitError carries a specific exit code with an optional message.
type exitError struct {
	code int
	err  error
}

func (e exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit %d", e.code)
	}
	return e.err.Error()
}

// globals are the flags every command accepts.
type globals struct {
	db        string
	runtime   string
	json      bool
	actor     string
	lockWait  time.Duration
	verbosity string
}

// app holds the process environment of one CLI invocation; there is no package-level state.
type app struct {
	stdin          io.Reader
	stdout, stderr io.Writer
	getenv         func(string) string
	g              globals
	log            *slog.Logger
}

func newApp(stdin io.Reader, stdout, stderr io.Writer, getenv func(string) string) *app {
	return &app{stdin: stdin, stdout: stdout, stderr: stderr, getenv: getenv}
}

// command is one CLI command: a name path ("catalog list"), a one-line summary, a usage line and its body.
type command struct {
	path    string
	summary string
	usage   string
	run     func(a *app, ctx context.Context, fs *flag.FlagSet, args []string) error
	// flags registers the command's own flags; the body reads them through closures.
	flags func(fs *flag.FlagSet)
}

func (a *app) commands() []*command {
	var cmds []*command
	cmds = append(cmds, catalogCommands()...)
	cmds = append(cmds, resolveCommands()...)
	cmds = append(cmds, extraCommands()...)
	sort.SliceStable(cmds, func(i, j int) bool { return cmds[i].path < cmds[j].path })
	return cmds
}

// extraCommands is extended by later command files through registration in this list.
func extraCommands() []*command {
	var out []*command
	for _, f := range commandSets {
		out = append(out, f()...)
	}
	return out
}

// commandSets lists the constructors of command groups defined in other files of this package. It is
// a fixed table, not mutated at run time.
var commandSets = []func() []*command{
	runCommands,
	tenantCommands,
	auditCommands,
	registryCommands,
	serveCommands,
}

func (a *app) run(ctx context.Context, args []string) int {
	cmds := a.commands()
	// Find the longest command path that prefixes the non-flag words of args.
	words := leadingWords(args)
	var cmd *command
	var consumed int
	for _, c := range cmds {
		parts := strings.Fields(c.path)
		if len(parts) <= len(words) && strings.Join(words[:len(parts)], " ") == c.path && len(parts) > consumed {
			cmd, consumed = c, len(parts)
		}
	}
	if len(words) == 0 || words[0] == "help" || (len(args) > 0 && (args[0] == "-h" || args[0] == "--help")) {
		topic := ""
		if len(words) > 1 {
			topic = strings.Join(words[1:], " ")
		}
		a.printHelp(cmds, topic)
		if len(words) == 0 && len(args) == 0 {
			return exitUsage
		}
		return exitOK
	}
	if cmd == nil {
		group := strings.Join(words, " ")
		for _, c := range cmds {
			if strings.HasPrefix(c.path, group+" ") {
				// A command group without its subcommand: list the group's commands.
				a.printHelp(cmds, group)
				if hasHelpFlag(args) {
					return exitOK
				}
				fmt.Fprintf(a.stderr, "verq %s: missing subcommand\n", group)
				return exitUsage
			}
		}
		fmt.Fprintf(a.stderr, "verq: unknown command %q\n", strings.Join(words, " "))
		a.printHelp(cmds, words[0])
		return exitUsage
	}
	rest := removeWords(args, consumed)
	fs := flag.NewFlagSet("verq "+cmd.path, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	a.registerGlobals(fs)
	if cmd.flags != nil {
		cmd.flags(fs)
	}
	pos, err := parseInterleaved(fs, rest)
	if errors.Is(err, flag.ErrHelp) {
		a.printCommandHelp(cmd, fs)
		return exitOK
	}
	if err != nil {
		fmt.Fprintf(a.stderr, "verq %s: %v\n", cmd.path, err)
		fmt.Fprintf(a.stderr, "usage: verq %s\n", cmd.usage)
		return exitUsage
	}
	a.log = a.newLogger()
	err = cmd.run(a, ctx, fs, pos)
	return a.finish(cmd, err)
}

func (a *app) finish(cmd *command, err error) int {
	if err == nil {
		return exitOK
	}
	var ue usageError
	if errors.As(err, &ue) {
		fmt.Fprintf(a.stderr, "verq %s: %s\nusage: verq %s\n", cmd.path, ue.msg, cmd.usage)
		return exitUsage
	}
	var ee exitError
	if errors.As(err, &ee) {
		if ee.err != nil {
			a.reportError(cmd, ee.err)
		}
		return ee.code
	}
	a.reportError(cmd, err)
	return exitFailure
}

func (a *app) reportError(cmd *command, err error) {
	if a.g.json {
		_ = json.NewEncoder(a.stderr).Encode(map[string]string{"error": err.Error()})
		return
	}
	fmt.Fprintf(a.stderr, "verq %s: %v\n", cmd.path, err)
}

func (a *app) registerGlobals(fs *flag.FlagSet) {
	fs.StringVar(&a.g.db, "db", "", "catalog database `path` (default $VERQ_DB, else verq.db in the user data directory)")
	fs.StringVar(&a.g.runtime, "runtime", "", "catalog runtime `name` (default $VERQ_RUNTIME, else \"default\")")
	fs.BoolVar(&a.g.json, "json", false, "machine-readable JSON output")
	fs.StringVar(&a.g.actor, "actor", "", "who is making a change, recorded in the history (default $VERQ_ACTOR, else user@host)")
	fs.DurationVar(&a.g.lockWait, "lock-timeout", 2*time.Second, "how long to wait for another process holding the database")
	fs.StringVar(&a.g.verbosity, "log-level", "warn", "log level: debug, info, warn, error")
}

func (a *app) newLogger() *slog.Logger {
	var lvl slog.Level
	if err := lvl.UnmarshalText([]byte(a.g.verbosity)); err != nil {
		lvl = slog.LevelWarn
	}
	return slog.New(slog.NewTextHandler(a.stderr, &slog.HandlerOptions{Level: lvl}))
}

// dbPath is --db, else $VERQ_DB, else <user data dir>/verq/verq.db.
func (a *app) dbPath() (string, error) {
	if a.g.db != "" {
		return a.g.db, nil
	}
	if p := a.getenv("VERQ_DB"); p != "" {
		return p, nil
	}
	return a.dataFile("verq.db")
}

// dataFile returns a path in the user's data directory ($XDG_DATA_HOME/verq, else ~/.local/share/verq).
func (a *app) dataFile(name string) (string, error) {
	dir := a.getenv("XDG_DATA_HOME")
	if dir == "" {
		home := a.getenv("HOME")
		if home == "" {
			h, err := os.UserHomeDir()
			if err != nil {
				return "", fmt.Errorf("cannot find a data directory (set --db or VERQ_DB): %w", err)
			}
			home = h
		}
		dir = filepath.Join(home, ".local", "share")
	}
	return filepath.Join(dir, "verq", name), nil
}

func (a *app) runtimeName() string {
	if a.g.runtime != "" {
		return a.g.runtime
	}
	if r := a.getenv("VERQ_RUNTIME"); r != "" {
		return r
	}
	return catalog.DefaultRuntime
}

func (a *app) actor() string {
	if a.g.actor != "" {
		return a.g.actor
	}
	if v := a.getenv("VERQ_ACTOR"); v != "" {
		return v
	}
	name := "unknown"
	if u, err := user.Current(); err == nil && u.Username != "" {
		name = u.Username
	}
	host, _ := os.Hostname()
	if host == "" {
		return name
	}
	return name + "@" + host
}

// openCatalog opens the catalog database, read-only when ro is true.
func (a *app) openCatalog(ro bool) (*catalog.Store, error) {
	path, err := a.dbPath()
	if err != nil {
		return nil, err
	}
	return catalog.Open(path, catalog.Options{ReadOnly: ro, LockTimeout: a.g.lockWait, Logger: a.log})
}

// printJSON writes v as indented JSON to stdout.
func (a *app) printJSON(v any) error {
	enc := json.NewEncoder(a.stdout)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}

// table writes aligned rows; the first row is the header.
func (a *app) table(rows [][]string) error {
	tw := tabwriter.NewWriter(a.stdout, 0, 4, 2, ' ', 0)
	for _, r := range rows {
		fmt.Fprintln(tw, strings.Join(r, "\t"))
	}
	return tw.Flush()
}

func (a *app) printf(format string, args ...any) { fmt.Fprintf(a.stdout, format, args...) }

func (a *app) printHelp(cmds []*command, topic string) {
	w := a.stdout
	fmt.Fprintln(w, "verq: a versioned module registry and require resolver for JavaScript rule runtimes")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Commands:")
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, c := range cmds {
		if topic != "" && !strings.HasPrefix(c.path, topic) {
			continue
		}
		fmt.Fprintf(tw, "  verq %s\t%s\n", c.usage, c.summary)
	}
	tw.Flush()
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Global flags (any command): --db PATH, --runtime NAME, --json, --actor WHO, --lock-timeout D, --log-level L")
	fmt.Fprintln(w, "Run 'verq COMMAND -h' for a command's flags.")
}

func (a *app) printCommandHelp(c *command, fs *flag.FlagSet) {
	fmt.Fprintf(a.stdout, "usage: verq %s\n\n%s\n\nFlags:\n", c.usage, c.summary)
	fs.SetOutput(a.stdout)
	fs.PrintDefaults()
}

// hasHelpFlag reports whether args ask for help.
func hasHelpFlag(args []string) bool {
	for _, s := range args {
		if s == "-h" || s == "--help" || s == "-help" {
			return true
		}
	}
	return false
}

// valueFlags are the global flags that take a separate value argument.
var valueFlags = map[string]bool{"db": true, "runtime": true, "actor": true, "lock-timeout": true, "log-level": true}

// leadingWords returns the non-flag words of args that come before any command-specific flag,
// skipping global flags (and their values) given before the command.
func leadingWords(args []string) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		s := args[i]
		if s == "--" {
			break
		}
		if strings.HasPrefix(s, "-") {
			name := strings.TrimLeft(s, "-")
			if strings.Contains(name, "=") {
				continue
			}
			if valueFlags[name] {
				i++
				continue
			}
			if name == "json" || name == "h" || name == "help" {
				continue
			}
			break
		}
		out = append(out, s)
	}
	return out
}

// removeWords drops the first n command words from args, keeping flags given before them.
func removeWords(args []string, n int) []string {
	var out []string
	for i := 0; i < len(args); i++ {
		s := args[i]
		if n > 0 && !strings.HasPrefix(s, "-") {
			n--
			continue
		}
		out = append(out, s)
		if n > 0 && strings.HasPrefix(s, "-") && !strings.Contains(s, "=") && valueFlags[strings.TrimLeft(s, "-")] && i+1 < len(args) {
			i++
			out = append(out, args[i])
		}
	}
	return out
}

// parseInterleaved parses flags that may appear before, between or after positional arguments.
// A lone "--" ends flag parsing.
func parseInterleaved(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, err
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if len(args) > 0 && len(rest) < len(args) && args[len(args)-len(rest)-1] == "--" {
			return append(pos, rest...), nil
		}
		pos = append(pos, rest[0])
		args = rest[1:]
	}
}

// wantArgs checks the positional argument count.
func wantArgs(args []string, min, max int) error {
	if len(args) < min {
		return usagef("missing argument")
	}
	if max >= 0 && len(args) > max {
		return usagef("unexpected argument %q", args[max])
	}
	return nil
}
