package audit

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// Write renders the impact: "table" (default for ""), a header line, one aligned row per affected
// rule and a summary line; "json", the whole impact; "csv", one row per affected rule with a header.
func (i *Impact) Write(w io.Writer, format string) error {
	switch format {
	case "", FormatTable:
		return i.writeTable(w)
	case FormatJSON:
		return writeJSON(w, i)
	case FormatCSV:
		return i.writeCSV(w)
	}
	return formatError(format, FormatTable, FormatJSON, FormatCSV)
}

func (i *Impact) writeTable(w io.Writer) error {
	tw := newTable(w)
	def := "no"
	if i.WasDefault {
		def = "yes"
	}
	remaining := "none"
	if len(i.Remaining) > 0 {
		remaining = strings.Join(i.Remaining, ", ")
	}
	fmt.Fprintf(tw, "what if %s@%s is removed from runtime %s (default: %s; remaining allowed: %s)\n\n", i.Module, i.Version, i.Runtime, def, remaining)
	if len(i.Rules) == 0 {
		fmt.Fprintln(tw, "no rule uses it")
	} else {
		fmt.Fprintln(tw, "RULE\tLOCATION\tSPECS\tEFFECT\tMETHODS\tLOWEST\tHIGHEST\tMESSAGE")
		for _, r := range i.Rules {
			fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n", cell(r.Rule), cell(location(r.Source, r.Line, r.Column)),
				cell(strings.Join(r.Specs, ", ")), r.Effect, cell(strings.Join(r.Methods, ", ")), cell(r.Lowest), cell(r.Highest), cell(r.Message))
		}
	}
	fmt.Fprintf(tw, "\n%s would break, %s affected\n", plural(i.Breaking, "rule"), plural(len(i.Rules), "rule"))
	return tw.Flush()
}

func (i *Impact) writeCSV(w io.Writer) error {
	cw := csv.NewWriter(w)
	_ = cw.Write([]string{"rule", "source", "line", "column", "specs", "effect", "moves_to", "methods", "lowest", "highest", "alternatives", "message"})
	for _, r := range i.Rules {
		_ = cw.Write([]string{r.Rule, r.Source, strconv.Itoa(r.Line), strconv.Itoa(r.Column), strings.Join(r.Specs, ";"), r.Effect,
			r.MovesTo, strings.Join(r.Methods, ";"), r.Lowest, r.Highest, strings.Join(r.Alternatives, ";"), r.Message})
	}
	cw.Flush()
	return cw.Error()
}
