package crypto_test

import (
	"testing"

	"github.com/dop251/goja"

	"github.com/verq/verq/registry/node/crypto"
	"github.com/verq/verq/registry/node/nodetest"
)

func TestCrypto_NodeCases(t *testing.T) {
	nodetest.RunCases(t, "testdata/cases.txt", crypto.Module{})
}

func BenchmarkLoad_Crypto(b *testing.B) {
	nodetest.BenchmarkLoad(b, crypto.Module{})
}

// BenchmarkCrypto_SHA256Hex is the common rule idiom createHash('sha256').update(s).digest('hex').
func BenchmarkCrypto_SHA256Hex(b *testing.B) {
	h, err := nodetest.New(crypto.Module{})
	if err != nil {
		b.Fatal(err)
	}
	fn, err := h.Run(`(function () { const c = require('crypto'); return function (s) { return c.createHash('sha256').update(s).digest('hex') } })()`)
	if err != nil {
		b.Fatal(err)
	}
	call, ok := goja.AssertFunction(fn)
	if !ok {
		b.Fatal("not a function")
	}
	arg := h.Runtime.ToValue("user@example.com")
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := call(goja.Undefined(), arg); err != nil {
			b.Fatal(err)
		}
	}
}
