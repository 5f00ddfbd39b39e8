package audit

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"strings"
	"testing"
)

func TestWriteUsage_Golden(t *testing.T) {
	rows := readAll(t, openUsageDB(t, usageFixture(t), true))
	for _, format := range []string{FormatTable, FormatJSON, FormatCSV} {
		t.Run(format, func(t *testing.T) {
			var b bytes.Buffer
			if err := WriteUsage(&b, rows, format); err != nil {
				t.Fatal(err)
			}
			golden(t, "usage_"+format+".golden", b.Bytes())
		})
	}
}

func TestWriteUsage_RoundTrips(t *testing.T) {
	rows := readAll(t, openUsageDB(t, usageFixture(t), true))
	var b bytes.Buffer
	if err := WriteUsage(&b, rows, FormatJSON); err != nil {
		t.Fatal(err)
	}
	var back []UsageRow
	if err := json.Unmarshal(b.Bytes(), &back); err != nil {
		t.Fatal(err)
	}
	if len(back) != len(rows) {
		t.Fatalf("%d rows back from JSON, want %d", len(back), len(rows))
	}
	for i := range rows {
		if !back[i].FirstSeen.Equal(rows[i].FirstSeen) || back[i].Count != rows[i].Count || back[i].Spec != rows[i].Spec {
			t.Errorf("JSON row %d = %+v, want %+v", i, back[i], rows[i])
		}
	}
	b.Reset()
	if err := WriteUsage(&b, rows, FormatCSV); err != nil {
		t.Fatal(err)
	}
	recs, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(recs) != len(rows)+1 {
		t.Fatalf("%d CSV records for %d rows", len(recs), len(rows))
	}
	for i, r := range rows {
		if rec := recs[i+1]; rec[0] != r.Tenant || rec[2] != r.Rule || rec[3] != r.Spec || rec[11] != r.LastError {
			t.Errorf("CSV record %d = %q, row %+v", i+1, rec, r)
		}
	}
}

func TestWriteUsage_Empty(t *testing.T) {
	tests := map[string]string{FormatTable: "no usage recorded\n", FormatJSON: "[]\n", "": "no usage recorded\n",
		FormatCSV: "tenant,runtime,rule,spec,resolved,module,version,count,errors,first_seen,last_seen,last_error\n"}
	for format, want := range tests {
		var b bytes.Buffer
		if err := WriteUsage(&b, nil, format); err != nil {
			t.Fatal(err)
		}
		if b.String() != want {
			t.Errorf("WriteUsage(nil, %q) = %q, want %q", format, b.String(), want)
		}
	}
	if err := WriteUsage(&bytes.Buffer{}, nil, FormatSARIF); err == nil || !strings.Contains(err.Error(), "use table, json, csv") {
		t.Errorf("WriteUsage(sarif) = %v", err)
	}
}
