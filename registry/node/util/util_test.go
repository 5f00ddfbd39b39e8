package util_test

import (
	"testing"

	"github.com/verq/verq/registry/node/events"
	"github.com/verq/verq/registry/node/nodetest"
	"github.com/verq/verq/registry/node/util"
)

func TestUtil_NodeCases(t *testing.T) {
	nodetest.RunCases(t, "testdata/cases.txt", util.Module{}, events.Module{})
}

func BenchmarkLoad_Util(b *testing.B) {
	nodetest.BenchmarkLoad(b, util.Module{})
}
