package audit

import (
	"bytes"
	"context"
	"encoding/csv"
	"encoding/json"
	"flag"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the golden files in testdata/golden")

// fixtureRules loads testdata/rules/*.js in name order, with Source "rules/<file>".
func fixtureRules(t *testing.T) []Rule {
	t.Helper()
	paths, err := filepath.Glob("testdata/rules/*.js")
	if err != nil {
		t.Fatal(err)
	}
	sort.Strings(paths)
	var rules []Rule
	for _, p := range paths {
		data, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		base := filepath.Base(p)
		rules = append(rules, Rule{Name: strings.TrimSuffix(base, ".js"), Source: "rules/" + base, Script: string(data)})
	}
	return rules
}

func fixtureReport(t *testing.T) *Report {
	t.Helper()
	rep, err := Run(context.Background(), fixtureRules(t), testOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	return rep
}

// golden compares got with testdata/golden/name, or rewrites it with -update.
func golden(t *testing.T, name string, got []byte) {
	t.Helper()
	path := filepath.Join("testdata", "golden", name)
	if *update {
		if err := os.WriteFile(path, got, 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if !bytes.Equal(got, want) {
		t.Errorf("%s differs from the golden file (run go test -update after checking the change)\ngot:\n%s\nwant:\n%s", name, got, want)
	}
}

func TestReport_Write_Golden(t *testing.T) {
	rep := fixtureReport(t)
	for _, format := range []string{FormatTable, FormatJSON, FormatCSV, FormatSARIF} {
		t.Run(format, func(t *testing.T) {
			var b bytes.Buffer
			if err := rep.Write(&b, format); err != nil {
				t.Fatal(err)
			}
			golden(t, "report."+format+".golden", b.Bytes())
		})
	}
	for _, format := range []string{FormatTable, FormatJSON, FormatCSV} {
		t.Run("modules-"+format, func(t *testing.T) {
			var b bytes.Buffer
			if err := rep.WriteModules(&b, format); err != nil {
				t.Fatal(err)
			}
			golden(t, "modules."+format+".golden", b.Bytes())
		})
	}
}

func TestImpact_Write_Golden(t *testing.T) {
	rep := fixtureReport(t)
	imp, err := WhatIfRemove(context.Background(), rep, nil, "auth0@2.9.1", testOptions(t))
	if err != nil {
		t.Fatal(err)
	}
	for _, format := range []string{FormatTable, FormatJSON, FormatCSV} {
		t.Run(format, func(t *testing.T) {
			var b bytes.Buffer
			if err := imp.Write(&b, format); err != nil {
				t.Fatal(err)
			}
			golden(t, "impact."+format+".golden", b.Bytes())
		})
	}
}

func TestWrite_UnknownFormat(t *testing.T) {
	rep := &Report{}
	if err := rep.Write(&bytes.Buffer{}, "xml"); err == nil || !strings.Contains(err.Error(), `unknown output format "xml": use table, json, csv, sarif`) {
		t.Errorf("Report.Write(xml) = %v", err)
	}
	if err := rep.WriteModules(&bytes.Buffer{}, "sarif"); err == nil {
		t.Error("WriteModules(sarif) succeeded")
	}
	if err := (&Impact{}).Write(&bytes.Buffer{}, "sarif"); err == nil || !strings.Contains(err.Error(), "use table, json, csv") {
		t.Errorf("Impact.Write(sarif) = %v", err)
	}
}

// TestReport_Write_SARIFShape checks the SARIF structure code scanning relies on, independently of
// the golden file.
func TestReport_Write_SARIFShape(t *testing.T) {
	rep := fixtureReport(t)
	var b bytes.Buffer
	if err := rep.Write(&b, FormatSARIF); err != nil {
		t.Fatal(err)
	}
	var log struct {
		Version string `json:"version"`
		Runs    []struct {
			Tool struct {
				Driver struct {
					Name  string `json:"name"`
					Rules []struct {
						ID string `json:"id"`
					} `json:"rules"`
				} `json:"driver"`
			} `json:"tool"`
			Results []struct {
				RuleID    string `json:"ruleId"`
				RuleIndex int    `json:"ruleIndex"`
				Level     string `json:"level"`
				Message   struct {
					Text string `json:"text"`
				} `json:"message"`
				Locations []struct {
					PhysicalLocation struct {
						ArtifactLocation struct {
							URI string `json:"uri"`
						} `json:"artifactLocation"`
						Region struct {
							StartLine   int `json:"startLine"`
							StartColumn int `json:"startColumn"`
						} `json:"region"`
					} `json:"physicalLocation"`
				} `json:"locations"`
			} `json:"results"`
		} `json:"runs"`
	}
	if err := json.Unmarshal(b.Bytes(), &log); err != nil {
		t.Fatal(err)
	}
	if log.Version != "2.1.0" || len(log.Runs) != 1 || log.Runs[0].Tool.Driver.Name != "verq" {
		t.Fatalf("bad SARIF header: %+v", log)
	}
	run := log.Runs[0]
	if len(run.Results) != len(rep.Findings) {
		t.Fatalf("%d results for %d findings", len(run.Results), len(rep.Findings))
	}
	for i, r := range run.Results {
		f := rep.Findings[i]
		loc := r.Locations[0].PhysicalLocation
		if run.Tool.Driver.Rules[r.RuleIndex].ID != r.RuleID || r.RuleID != f.Kind || r.Level != f.Severity || r.Message.Text != f.Message ||
			loc.Region.StartLine != f.Line || loc.Region.StartColumn != f.Column {
			t.Errorf("result %d = %+v does not match finding %+v", i, r, f)
		}
	}
	if uri := run.Results[len(run.Results)-1].Locations[0].PhysicalLocation.ArtifactLocation.URI; uri != "rules/sync%20users.js" {
		t.Errorf("artifact URI = %q, want the percent-encoded path", uri)
	}
}

func TestReport_Write_CSVRoundTrip(t *testing.T) {
	rep := fixtureReport(t)
	var b bytes.Buffer
	if err := rep.Write(&b, FormatCSV); err != nil {
		t.Fatal(err)
	}
	rows, err := csv.NewReader(&b).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	if len(rows) != len(rep.Findings)+1 {
		t.Fatalf("%d rows for %d findings", len(rows), len(rep.Findings))
	}
	for i, f := range rep.Findings {
		if row := rows[i+1]; row[0] != f.Rule || row[5] != f.Kind || row[8] != f.Message {
			t.Errorf("row %d = %q, finding %+v", i+1, row, f)
		}
	}
}

func TestArtifactURI(t *testing.T) {
	tests := map[string]string{
		"rules/a.js":        "rules/a.js",
		"rules/My Rule.js":  "rules/My%20Rule.js",
		"tenant":            "tenant",
		"":                  "unknown",
		"/srv/rules/x y.js": "file:///srv/rules/x%20y.js",
		"c:odd.js":          "./c:odd.js",
	}
	for in, want := range tests {
		if got := artifactURI(in); got != want {
			t.Errorf("artifactURI(%q) = %q, want %q", in, got, want)
		}
	}
}
