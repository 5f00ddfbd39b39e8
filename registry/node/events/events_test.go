package events_test

import (
	"testing"

	"github.com/verq/verq/registry/node/events"
	"github.com/verq/verq/registry/node/nodetest"
)

func TestEvents_NodeCases(t *testing.T) {
	nodetest.RunCases(t, "testdata/cases.txt", events.Module{})
}

func BenchmarkLoad_Events(b *testing.B) {
	nodetest.BenchmarkLoad(b, events.Module{})
}
