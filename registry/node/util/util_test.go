package util_test

import (
	"testing"

	"github.com/dop251/goja"

	"github.com/verq/verq/registry"

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

// BenchmarkUtil_LoadAndFirstInspect is the cost a rule pays for its first util call: Load, then
// building the module's JavaScript in the runtime, then one inspect.
func BenchmarkUtil_LoadAndFirstInspect(b *testing.B) {
	h, err := nodetest.New(util.Module{})
	if err != nil {
		b.Fatal(err)
	}
	src := h.Runtime.ToValue(map[string]interface{}{"a": 1})
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		v, err := util.Module{}.Load(&registry.LoadRequest{Runtime: h.Runtime, Host: h, Name: util.Name})
		if err != nil {
			b.Fatal(err)
		}
		inspect, _ := goja.AssertFunction(v.ToObject(h.Runtime).Get("inspect"))
		if _, err := inspect(goja.Undefined(), src); err != nil {
			b.Fatal(err)
		}
	}
}
