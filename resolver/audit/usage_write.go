package audit

import (
	"encoding/csv"
	"fmt"
	"io"
	"strconv"
	"time"
)

// WriteUsage renders usage rows: "table" (the default for ""), an aligned table followed by a
// summary line; "json", the rows as a JSON array; "csv", one row per aggregate with a header. Times
// are RFC 3339 in UTC.
func WriteUsage(w io.Writer, rows []UsageRow, format string) error {
	switch format {
	case "", FormatTable:
		return writeUsageTable(w, rows)
	case FormatJSON:
		if rows == nil {
			rows = []UsageRow{}
		}
		return writeJSON(w, rows)
	case FormatCSV:
		cw := csv.NewWriter(w)
		_ = cw.Write([]string{"tenant", "runtime", "rule", "spec", "resolved", "module", "version", "count", "errors",
			"first_seen", "last_seen", "last_error"})
		for _, r := range rows {
			_ = cw.Write([]string{r.Tenant, r.Runtime, r.Rule, r.Spec, r.Resolved, r.Module, r.Version,
				strconv.FormatUint(r.Count, 10), strconv.FormatUint(r.Errors, 10), usageTime(r.FirstSeen), usageTime(r.LastSeen), r.LastError})
		}
		cw.Flush()
		return cw.Error()
	}
	return formatError(format, FormatTable, FormatJSON, FormatCSV)
}

func writeUsageTable(w io.Writer, rows []UsageRow) error {
	tw := newTable(w)
	if len(rows) == 0 {
		fmt.Fprintln(tw, "no usage recorded")
		return tw.Flush()
	}
	fmt.Fprintln(tw, "MODULE\tVERSION\tRUNTIME\tTENANT\tRULE\tSPEC\tRESOLVED\tCOUNT\tERRORS\tFIRST SEEN\tLAST SEEN\tLAST ERROR")
	var calls, failed uint64
	tenants, rules := map[string]bool{}, map[[2]string]bool{}
	for _, r := range rows {
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\t%s\t%s\t%s\t%d\t%d\t%s\t%s\t%s\n", cell(r.Module), cell(r.Version), cell(r.Runtime),
			cell(r.Tenant), cell(r.Rule), cell(r.Spec), cell(r.Resolved), r.Count, r.Errors, usageTime(r.FirstSeen), usageTime(r.LastSeen), cell(r.LastError))
		calls += r.Count
		failed += r.Errors
		tenants[r.Tenant] = true
		if r.Rule != "" {
			rules[[2]string{r.Tenant, r.Rule}] = true
		}
	}
	fmt.Fprintln(tw)
	fmt.Fprintf(tw, "%s, %s, %s, %s\n", plural(len(rules), "rule"), plural(len(tenants), "tenant"),
		pluralU(calls, "require call"), pluralU(failed, "failure"))
	return tw.Flush()
}

func pluralU(n uint64, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return strconv.FormatUint(n, 10) + " " + noun + "s"
}

func usageTime(t time.Time) string {
	return t.UTC().Format(time.RFC3339)
}
