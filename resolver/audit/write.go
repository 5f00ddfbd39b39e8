package audit

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"io"
	"strconv"
	"strings"
	"text/tabwriter"
)

// Output formats accepted by the Write methods.
const (
	FormatTable = "table"
	FormatJSON  = "json"
	FormatCSV   = "csv"
	FormatSARIF = "sarif"
)

// Write renders the report: "table" (the default for ""), an aligned by-rule findings table
// followed by the by-module table and a summary line; "json", the whole report; "csv", one row per
// finding with a header; "sarif", a SARIF 2.1.0 log for code scanning.
func (r *Report) Write(w io.Writer, format string) error {
	switch format {
	case "", FormatTable:
		return r.writeTable(w)
	case FormatJSON:
		return writeJSON(w, r)
	case FormatCSV:
		return r.writeCSV(w)
	case FormatSARIF:
		return r.writeSARIF(w)
	}
	return formatError(format, FormatTable, FormatJSON, FormatCSV, FormatSARIF)
}

// WriteModules renders only the by-module view: "table" (default), "json" or "csv".
func (r *Report) WriteModules(w io.Writer, format string) error {
	switch format {
	case "", FormatTable:
		tw := newTable(w)
		writeModuleTable(tw, r.ByModule)
		return tw.Flush()
	case FormatJSON:
		return writeJSON(w, r.ByModule)
	case FormatCSV:
		cw := csv.NewWriter(w)
		_ = cw.Write([]string{"module", "version", "status", "requires", "pinned", "ranged", "unpinned", "rules", "specs"})
		for _, m := range r.ByModule {
			_ = cw.Write([]string{m.Module, m.Version, m.Status, strconv.Itoa(m.Requires), strconv.Itoa(m.Pinned),
				strconv.Itoa(m.Ranged), strconv.Itoa(m.Unpinned), strings.Join(m.Rules, ";"), strings.Join(m.Specs, ";")})
		}
		cw.Flush()
		return cw.Error()
	}
	return formatError(format, FormatTable, FormatJSON, FormatCSV)
}

func formatError(format string, valid ...string) error {
	return fmt.Errorf("audit: unknown output format %q: use %s", format, strings.Join(valid, ", "))
}

func writeJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(v)
}

func newTable(w io.Writer) *tabwriter.Writer {
	return tabwriter.NewWriter(w, 0, 0, 2, ' ', 0)
}

// cell makes a value safe for one tabwriter cell: no tabs or line breaks, "-" when empty.
func cell(s string) string {
	if s == "" {
		return "-"
	}
	if strings.ContainsAny(s, "\t\n\r") {
		s = strings.NewReplacer("\t", " ", "\r\n", " ", "\n", " ", "\r", " ").Replace(s)
	}
	return s
}

func location(source string, line, col int) string {
	if source == "" {
		source = "-"
	}
	return fmt.Sprintf("%s:%d:%d", source, line, col)
}

func (r *Report) writeTable(w io.Writer) error {
	tw := newTable(w)
	if len(r.Findings) == 0 {
		fmt.Fprintln(tw, "no findings")
	} else {
		fmt.Fprintln(tw, "RULE\tLOCATION\tSEVERITY\tKIND\tSPEC\tRESOLVED\tMESSAGE")
		for _, f := range r.Findings {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\n", cell(f.Rule), cell(location(f.Source, f.Line, f.Column)),
				f.Severity, f.Kind, cell(f.Spec), cell(f.Resolved), cell(f.Message))
		}
	}
	if len(r.ByModule) > 0 {
		fmt.Fprintln(tw)
		writeModuleTable(tw, r.ByModule)
	}
	fmt.Fprintln(tw)
	s := r.Summary
	fmt.Fprintf(tw, "runtime %s: %s, %s, %s; %s, %s, %s\n", r.Runtime, plural(s.Rules, "rule"), plural(s.Requires, "require"),
		plural(s.Calls, "ManagementClient call"), plural(s.Errors, "error"), plural(s.Warnings, "warning"), plural(s.Notes, "note"))
	return tw.Flush()
}

func writeModuleTable(tw *tabwriter.Writer, mods []ModuleUsage) {
	fmt.Fprintln(tw, "MODULE\tVERSION\tSTATUS\tRULES\tREQUIRES\tPINNED\tRANGED\tUNPINNED\tUSED BY")
	for _, m := range mods {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%d\t%d\t%d\t%d\t%d\t%s\n", cell(m.Module), cell(m.Version), m.Status, len(m.Rules),
			m.Requires, m.Pinned, m.Ranged, m.Unpinned, cell(strings.Join(m.Rules, ", ")))
	}
}

func plural(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.Itoa(n) + " " + noun + "s"
}

func (r *Report) writeCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"rule", "source", "line", "column", "severity", "kind", "spec", "resolved", "message"})
	for _, f := range r.Findings {
		_ = cw.Write([]string{f.Rule, f.Source, strconv.Itoa(f.Line), strconv.Itoa(f.Column), f.Severity, f.Kind, f.Spec, f.Resolved, f.Message})
	}
	cw.Flush()
	return cw.Error()
}
