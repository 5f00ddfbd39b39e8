package buffer_test

import (
	"testing"

	"github.com/verq/verq/registry/node/buffer"
	"github.com/verq/verq/registry/node/nodetest"
)

func TestBuffer_NodeCases(t *testing.T) {
	nodetest.RunCases(t, "testdata/cases.txt", buffer.Module{})
}

func BenchmarkLoad_Buffer(b *testing.B) {
	nodetest.BenchmarkLoad(b, buffer.Module{})
}
