package querystring_test

import (
	"testing"

	"github.com/verq/verq/registry/node/nodetest"
	"github.com/verq/verq/registry/node/querystring"
)

func TestQuerystring_NodeCases(t *testing.T) {
	nodetest.RunCases(t, "testdata/cases.txt", querystring.Module{})
}

func BenchmarkLoad_Querystring(b *testing.B) {
	nodetest.BenchmarkLoad(b, querystring.Module{})
}

func FuzzSplit(f *testing.F) {
	for _, s := range []string{"a=1&b=2", "=&=", "a+b=%zz", "&&&", "x==y"} {
		f.Add(s, "&", "=", 0)
	}
	f.Add("a1b2c", "1", "2", 2)
	f.Fuzz(func(t *testing.T, s, sep, eq string, maxKeys int) {
		pairs := querystring.Split(s, sep, eq, maxKeys)
		if maxKeys > 0 && len(pairs) > maxKeys {
			t.Fatalf("%d pairs, maxKeys %d", len(pairs), maxKeys)
		}
		for _, p := range pairs {
			querystring.Unescape(p.Key, true)
			querystring.Unescape(p.Value, true)
		}
	})
}

func TestDecodeURIComponent(t *testing.T) {
	for _, tc := range []struct {
		in, want string
		ok       bool
	}{
		{"abc", "abc", true},
		{"%41%c3%a9", "Aé", true},
		{"%F0%9F%98%80", "😀", true},
		{"%", "", false},
		{"%4", "", false},
		{"%zz", "", false},
		{"%C3", "", false},
		{"%C3%28", "", false},
		{"%ED%A0%80", "", false}, // an encoded surrogate
		{"%C0%80", "", false},    // overlong
	} {
		t.Run(tc.in, func(t *testing.T) {
			got, ok := querystring.DecodeURIComponent(tc.in)
			if got != tc.want || ok != tc.ok {
				t.Errorf("DecodeURIComponent(%q) = %q, %v; want %q, %v", tc.in, got, ok, tc.want, tc.ok)
			}
		})
	}
}
