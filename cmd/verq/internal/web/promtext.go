package web

import (
	"bufio"
	"math"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
)

// This file is a minimal implementation of the Prometheus text exposition format (version 0.0.4):
// counters and histograms with up to three labels, and gauges computed at scrape time. It covers what
// the server exports and nothing more.

// labelValues holds up to three label values; unused trailing entries are empty. As an array it is a
// map key that needs no allocation.
type labelValues [3]string

// counterVec is a family of counters keyed by label values. Safe for concurrent use.
type counterVec struct {
	name, help string
	labels     []string
	mu         sync.RWMutex
	m          map[labelValues]*atomic.Uint64
}

func newCounterVec(name, help string, labels ...string) *counterVec {
	return &counterVec{name: name, help: help, labels: labels, m: map[labelValues]*atomic.Uint64{}}
}

// add increases the counter for lv by n.
func (c *counterVec) add(lv labelValues, n uint64) {
	c.mu.RLock()
	v := c.m[lv]
	c.mu.RUnlock()
	if v == nil {
		c.mu.Lock()
		if v = c.m[lv]; v == nil {
			v = new(atomic.Uint64)
			c.m[lv] = v
		}
		c.mu.Unlock()
	}
	v.Add(n)
}

// value returns the counter for lv (0 when never increased).
func (c *counterVec) value(lv labelValues) uint64 {
	c.mu.RLock()
	defer c.mu.RUnlock()
	if v := c.m[lv]; v != nil {
		return v.Load()
	}
	return 0
}

func (c *counterVec) write(w *bufio.Writer) {
	writeHeader(w, c.name, c.help, "counter")
	c.mu.RLock()
	keys := sortedKeys(c.m)
	for _, k := range keys {
		w.WriteString(c.name)
		writeLabels(w, c.labels, k, "", "")
		w.WriteByte(' ')
		w.WriteString(strconv.FormatUint(c.m[k].Load(), 10))
		w.WriteByte('\n')
	}
	c.mu.RUnlock()
}

// histogram is one labelled series of a histogramVec.
type histogram struct {
	counts  []atomic.Uint64 // per bucket, not cumulative; the last is +Inf
	sumBits atomic.Uint64
	count   atomic.Uint64
}

// histogramVec is a family of histograms with fixed bucket upper bounds, keyed by label values.
type histogramVec struct {
	name, help string
	labels     []string
	bounds     []float64
	mu         sync.RWMutex
	m          map[labelValues]*histogram
}

func newHistogramVec(name, help string, bounds []float64, labels ...string) *histogramVec {
	return &histogramVec{name: name, help: help, labels: labels, bounds: bounds, m: map[labelValues]*histogram{}}
}

// observe records one value (in the family's unit, seconds for durations).
func (h *histogramVec) observe(lv labelValues, v float64) {
	h.mu.RLock()
	s := h.m[lv]
	h.mu.RUnlock()
	if s == nil {
		h.mu.Lock()
		if s = h.m[lv]; s == nil {
			s = &histogram{counts: make([]atomic.Uint64, len(h.bounds)+1)}
			h.m[lv] = s
		}
		h.mu.Unlock()
	}
	i := sort.SearchFloat64s(h.bounds, v) // first bound >= v: the "le" bucket v falls in
	s.counts[i].Add(1)
	for {
		old := s.sumBits.Load()
		if s.sumBits.CompareAndSwap(old, math.Float64bits(math.Float64frombits(old)+v)) {
			break
		}
	}
	s.count.Add(1)
}

func (h *histogramVec) write(w *bufio.Writer) {
	writeHeader(w, h.name, h.help, "histogram")
	h.mu.RLock()
	keys := sortedKeys(h.m)
	for _, k := range keys {
		s := h.m[k]
		var cum uint64
		for i := range s.counts {
			cum += s.counts[i].Load()
			le := "+Inf"
			if i < len(h.bounds) {
				le = formatFloat(h.bounds[i])
			}
			w.WriteString(h.name)
			w.WriteString("_bucket")
			writeLabels(w, h.labels, k, "le", le)
			w.WriteByte(' ')
			w.WriteString(strconv.FormatUint(cum, 10))
			w.WriteByte('\n')
		}
		w.WriteString(h.name)
		w.WriteString("_sum")
		writeLabels(w, h.labels, k, "", "")
		w.WriteByte(' ')
		w.WriteString(formatFloat(math.Float64frombits(s.sumBits.Load())))
		w.WriteByte('\n')
		w.WriteString(h.name)
		w.WriteString("_count")
		writeLabels(w, h.labels, k, "", "")
		w.WriteByte(' ')
		w.WriteString(strconv.FormatUint(cum, 10))
		w.WriteByte('\n')
	}
	h.mu.RUnlock()
}

// gaugeSample is one sample of a gauge family computed at scrape time.
type gaugeSample struct {
	labels labelValues
	value  float64
}

func writeGauge(w *bufio.Writer, name, help string, labels []string, samples []gaugeSample) {
	writeHeader(w, name, help, "gauge")
	for _, s := range samples {
		w.WriteString(name)
		writeLabels(w, labels, s.labels, "", "")
		w.WriteByte(' ')
		w.WriteString(formatFloat(s.value))
		w.WriteByte('\n')
	}
}

func writeHeader(w *bufio.Writer, name, help, typ string) {
	w.WriteString("# HELP ")
	w.WriteString(name)
	w.WriteByte(' ')
	w.WriteString(escapeHelp(help))
	w.WriteString("\n# TYPE ")
	w.WriteString(name)
	w.WriteByte(' ')
	w.WriteString(typ)
	w.WriteByte('\n')
}

// writeLabels writes {a="x",b="y"[,extra="v"]}, or nothing when there are no labels.
func writeLabels(w *bufio.Writer, names []string, lv labelValues, extraName, extraValue string) {
	if len(names) == 0 && extraName == "" {
		return
	}
	w.WriteByte('{')
	for i, n := range names {
		if i > 0 {
			w.WriteByte(',')
		}
		w.WriteString(n)
		w.WriteString(`="`)
		w.WriteString(escapeLabel(lv[i]))
		w.WriteByte('"')
	}
	if extraName != "" {
		if len(names) > 0 {
			w.WriteByte(',')
		}
		w.WriteString(extraName)
		w.WriteString(`="`)
		w.WriteString(extraValue)
		w.WriteByte('"')
	}
	w.WriteByte('}')
}

var labelEscaper = strings.NewReplacer(`\`, `\\`, `"`, `\"`, "\n", `\n`)
var helpEscaper = strings.NewReplacer(`\`, `\\`, "\n", `\n`)

func escapeLabel(s string) string { return labelEscaper.Replace(s) }
func escapeHelp(s string) string  { return helpEscaper.Replace(s) }

func formatFloat(f float64) string {
	switch {
	case math.IsInf(f, 1):
		return "+Inf"
	case math.IsInf(f, -1):
		return "-Inf"
	case math.IsNaN(f):
		return "NaN"
	}
	return strconv.FormatFloat(f, 'g', -1, 64)
}

func sortedKeys[V any](m map[labelValues]V) []labelValues {
	keys := make([]labelValues, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Slice(keys, func(i, j int) bool {
		a, b := keys[i], keys[j]
		for x := range a {
			if a[x] != b[x] {
				return a[x] < b[x]
			}
		}
		return false
	})
	return keys
}
