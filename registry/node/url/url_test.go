package url_test

import (
	"testing"

	"github.com/verq/verq/registry/node/nodetest"
	"github.com/verq/verq/registry/node/url"
)

func TestURL_NodeCases(t *testing.T) {
	nodetest.RunCases(t, "testdata/cases.txt", url.Module{})
}

func BenchmarkLoad_URL(b *testing.B) {
	nodetest.BenchmarkLoad(b, url.Module{})
}
