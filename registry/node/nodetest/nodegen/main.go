// Command nodegen fills the expected values of nodetest case files by running each script with
// Node.js (node must be on PATH). It is a development tool: tests never run node.
//
//	go run ./registry/node/nodetest/nodegen registry/node/util/testdata/cases.txt …
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"strings"

	"github.com/verq/verq/registry/node/nodetest"
)

func main() {
	if len(os.Args) < 2 {
		fmt.Fprintln(os.Stderr, "usage: nodegen CASEFILE…")
		os.Exit(2)
	}
	for _, path := range os.Args[1:] {
		if err := regenerate(path); err != nil {
			fmt.Fprintln(os.Stderr, err)
			os.Exit(1)
		}
	}
}

func regenerate(path string) error {
	cases, err := nodetest.ReadCases(path)
	if err != nil {
		return err
	}
	header, err := readHeader(path)
	if err != nil {
		return err
	}
	for i, c := range cases {
		want, err := runNode(c)
		if err != nil {
			return fmt.Errorf("%s: case %q: %w", path, c.Name, err)
		}
		cases[i].Want = want
	}
	return nodetest.WriteCases(path, header, cases)
}

// readHeader returns the comment lines before the first case.
func readHeader(path string) (string, error) {
	f, err := os.Open(path)
	if err != nil {
		return "", err
	}
	defer f.Close()
	var b strings.Builder
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if strings.HasPrefix(sc.Text(), "=== ") {
			break
		}
		b.WriteString(sc.Text() + "\n")
	}
	return b.String(), sc.Err()
}

func runNode(c nodetest.Case) (string, error) {
	src, err := json.Marshal(c.Script)
	if err != nil {
		return "", err
	}
	var prog string
	if c.Async {
		prog = fmt.Sprintf("process.on('exit', () => process.stdout.write(String(globalThis.result)));\ntry { (0, eval)(%s) } catch (e) { process.stdout.write('THROWS ' + e); process.exit(0) }", src)
	} else {
		prog = fmt.Sprintf("let r; try { r = (0, eval)(%s) } catch (e) { r = 'THROWS ' + e }\nprocess.stdout.write(String(r))", src)
	}
	cmd := exec.Command("node", "-e", prog)
	cmd.Stderr = os.Stderr
	out, err := cmd.Output()
	return string(out), err
}
