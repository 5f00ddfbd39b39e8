package audit

import (
	"io"
	"net/url"
	"path/filepath"
	"strings"
)

// SARIF 2.1.0 document, reduced to what the audit writes.
type sarifLog struct {
	Schema  string     `json:"$schema"`
	Version string     `json:"version"`
	Runs    []sarifRun `json:"runs"`
}

type sarifRun struct {
	Tool       sarifTool      `json:"tool"`
	ColumnKind string         `json:"columnKind"`
	Results    []sarifResult  `json:"results"`
	Properties map[string]any `json:"properties,omitempty"`
}

type sarifTool struct {
	Driver sarifDriver `json:"driver"`
}

type sarifDriver struct {
	Name           string      `json:"name"`
	InformationURI string      `json:"informationUri,omitempty"`
	Rules          []sarifRule `json:"rules"`
}

type sarifRule struct {
	ID                   string        `json:"id"`
	Name                 string        `json:"name"`
	ShortDescription     sarifText     `json:"shortDescription"`
	DefaultConfiguration sarifRuleConf `json:"defaultConfiguration"`
}

type sarifRuleConf struct {
	Level string `json:"level"`
}

type sarifText struct {
	Text string `json:"text"`
}

type sarifResult struct {
	RuleID     string            `json:"ruleId"`
	RuleIndex  int               `json:"ruleIndex"`
	Level      string            `json:"level"`
	Message    sarifText         `json:"message"`
	Locations  []sarifLocation   `json:"locations"`
	Properties map[string]string `json:"properties,omitempty"`
}

type sarifLocation struct {
	PhysicalLocation sarifPhysical `json:"physicalLocation"`
}

type sarifPhysical struct {
	ArtifactLocation sarifArtifact `json:"artifactLocation"`
	Region           sarifRegion   `json:"region"`
}

type sarifArtifact struct {
	URI string `json:"uri"`
}

type sarifRegion struct {
	StartLine   int `json:"startLine"`
	StartColumn int `json:"startColumn"`
}

const sarifSchema = "https://json.schemastore.org/sarif-2.1.0.json"

// writeSARIF writes the findings as one SARIF run of the tool "verq". Every finding kind is a
// reporting rule (id = kind); results carry the finding's severity as level, the rule's Source as
// artifact URI and the finding's position as region (columns in UTF-16 code units). The audited
// rule's name is in the result's properties.
func (r *Report) writeSARIF(w io.Writer) error {
	kinds := Kinds()
	index := make(map[string]int, len(kinds))
	rules := make([]sarifRule, 0, len(kinds))
	for i, k := range kinds {
		index[k.Kind] = i
		rules = append(rules, sarifRule{
			ID:                   k.Kind,
			Name:                 ruleName(k.Kind),
			ShortDescription:     sarifText{k.Description},
			DefaultConfiguration: sarifRuleConf{Level: k.Severity},
		})
	}
	results := make([]sarifResult, 0, len(r.Findings))
	for _, f := range r.Findings {
		results = append(results, sarifResult{
			RuleID:    f.Kind,
			RuleIndex: index[f.Kind],
			Level:     f.Severity,
			Message:   sarifText{f.Message},
			Locations: []sarifLocation{{PhysicalLocation: sarifPhysical{
				ArtifactLocation: sarifArtifact{URI: artifactURI(f.Source)},
				Region:           sarifRegion{StartLine: max(f.Line, 1), StartColumn: max(f.Column, 1)},
			}}},
			Properties: map[string]string{"rule": f.Rule},
		})
	}
	log := sarifLog{
		Schema:  sarifSchema,
		Version: "2.1.0",
		Runs: []sarifRun{{
			Tool:       sarifTool{Driver: sarifDriver{Name: "verq", Rules: rules}},
			ColumnKind: "utf16CodeUnits",
			Results:    results,
			Properties: map[string]any{"runtime": r.Runtime},
		}},
	}
	return writeJSON(w, log)
}

// ruleName turns a kind into the PascalCase name SARIF viewers show ("missing_method" →
// "MissingMethod").
func ruleName(kind string) string {
	var b strings.Builder
	for part := range strings.SplitSeq(kind, "_") {
		if part == "" {
			continue
		}
		b.WriteString(strings.ToUpper(part[:1]) + part[1:])
	}
	return b.String()
}

// artifactURI turns a rule's Source into a URI reference: file paths become slash-separated,
// percent-encoded relative references (or file: URIs when absolute); anything else, such as
// "tenant", is used as is when it is a valid reference.
func artifactURI(source string) string {
	if source == "" {
		return "unknown"
	}
	if filepath.IsAbs(source) {
		return (&url.URL{Scheme: "file", Path: filepath.ToSlash(source)}).String()
	}
	return (&url.URL{Path: filepath.ToSlash(source)}).String()
}
