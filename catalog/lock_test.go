package catalog

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"
)

func TestOpen_Locked_SecondWriterTimesOut(t *testing.T) {
	path := filepath.Join(t.TempDir(), "verq.db")
	first, err := Open(path, Options{})
	mustNoErr(t, err)
	defer first.Close()

	for _, ro := range []bool{false, true} {
		t.Run(fmt.Sprintf("ReadOnly=%v", ro), func(t *testing.T) {
			start := time.Now()
			_, err := Open(path, Options{ReadOnly: ro, LockTimeout: 100 * time.Millisecond})
			if waited := time.Since(start); waited > 2*time.Second {
				t.Errorf("Open waited %v with a 100ms timeout", waited)
			}
			wantErr(t, err, ErrLocked, "database "+path+" is locked by another process",
				fmt.Sprintf("pid %d", os.Getpid()), "since ", "stop it or retry")
			var le *LockedError
			if !errors.As(err, &le) || le.Holder == nil || le.Holder.PID != os.Getpid() || le.Path != path {
				t.Errorf("LockedError = %+v", le)
			}
		})
	}
	// The holder is still recorded: the failed opens did not remove it.
	if h, ok := ReadHolder(path); !ok || h.PID != os.Getpid() {
		t.Errorf("holder after failed opens = %+v, %v", h, ok)
	}
}

func TestOpen_Locked_ReadersShareWritersWait(t *testing.T) {
	path := filepath.Join(t.TempDir(), "verq.db")
	s, err := Open(path, Options{})
	mustNoErr(t, err)
	mustNoErr(t, s.Close())

	r1, err := Open(path, Options{ReadOnly: true, LockTimeout: 100 * time.Millisecond})
	mustNoErr(t, err)
	defer r1.Close()
	r2, err := Open(path, Options{ReadOnly: true, LockTimeout: 100 * time.Millisecond})
	mustNoErr(t, err)
	defer r2.Close()

	_, err = Open(path, Options{LockTimeout: 100 * time.Millisecond})
	wantErr(t, err, ErrLocked, path, "no writer recorded: a reader may have it open")

	r1.Close()
	r2.Close()
	w, err := Open(path, Options{LockTimeout: 100 * time.Millisecond})
	mustNoErr(t, err)
	w.Close()
}

func TestReadHolder_StaleFileIgnored(t *testing.T) {
	path := filepath.Join(t.TempDir(), "verq.db")
	h := Holder{PID: 1 << 30, Command: "verq serve", Since: time.Now(), Mode: "read-write"}
	mustNoErr(t, writeHolder(path, h))
	if _, ok := ReadHolder(path); ok {
		t.Error("a holder naming a dead process was trusted")
	}
	// Opening replaces the stale record with ours.
	s, err := Open(path, Options{})
	mustNoErr(t, err)
	defer s.Close()
	if got, ok := ReadHolder(path); !ok || got.PID != os.Getpid() {
		t.Errorf("holder = %+v, %v", got, ok)
	}
}

// TestOpen_Locked_OtherProcess holds the database in a child process (this test binary re-run as a
// helper) and checks that the error names the child.
func TestOpen_Locked_OtherProcess(t *testing.T) {
	if testing.Short() {
		t.Skip("spawns a process")
	}
	path := filepath.Join(t.TempDir(), "verq.db")
	cmd := exec.Command(os.Args[0], "-test.run=^TestHelperProcess_HoldLock$", "serve")
	cmd.Env = append(os.Environ(), "VERQ_CATALOG_HOLD="+path)
	stdin, err := cmd.StdinPipe()
	mustNoErr(t, err)
	stdout, err := cmd.StdoutPipe()
	mustNoErr(t, err)
	mustNoErr(t, cmd.Start())
	defer func() {
		stdin.Close()
		cmd.Wait()
	}()
	line, err := bufio.NewReader(stdout).ReadString('\n')
	if err != nil || !strings.HasPrefix(line, "ready") {
		t.Fatalf("helper did not start: %q %v", line, err)
	}

	_, err = Open(path, Options{LockTimeout: 100 * time.Millisecond})
	wantErr(t, err, ErrLocked, path, fmt.Sprintf("pid %d", cmd.Process.Pid), "serve")
	t.Log(err)

	stdin.Close() // the helper closes the store and exits
	mustNoErr(t, cmd.Wait())
	s, err := Open(path, Options{LockTimeout: time.Second})
	mustNoErr(t, err)
	s.Close()
}

// TestHelperProcess_HoldLock is not a test: TestOpen_Locked_OtherProcess runs it in a child process
// to hold a database open until its stdin closes.
func TestHelperProcess_HoldLock(t *testing.T) {
	path := os.Getenv("VERQ_CATALOG_HOLD")
	if path == "" {
		t.Skip("helper process only")
	}
	s, err := Open(path, Options{})
	if err != nil {
		fmt.Println("error", err)
		os.Exit(1)
	}
	fmt.Println("ready")
	_, _ = bufio.NewReader(os.Stdin).ReadString('\n')
	s.Close()
	os.Exit(0)
}
