package catalog

import (
	"errors"
	"strings"
	"testing"
	"time"
)

func TestCodec_RoundTrip(t *testing.T) {
	added := time.Date(2026, 3, 1, 12, 0, 0, 123, time.UTC)
	cases := []Module{
		{Name: "auth0", Default: "2.44.1", Homepage: "https://github.com/auth0/node-auth0", Notes: strings.Repeat("n", 300),
			Versions: []Version{
				{Version: "2.44.1", Status: StatusAllowed, Added: added},
				{Version: "2.9.1", Status: StatusDeprecated, Reason: "old", Note: "imported from range ~2.9.0", Added: added},
				{Version: "2.0.0-alpha.5", Status: StatusBlocked, Reason: "CVE", Added: time.Time{}},
			}},
		{Name: "url", Core: true, Versions: []Version{{Version: "native", Status: StatusAllowed, Added: added}}},
		{Name: "querystring", Core: true, Default: "0.2.0", Versions: []Version{
			{Version: "native", Status: StatusBlocked, Reason: "use the package", Added: added},
			{Version: "0.2.0", Status: StatusAllowed, Added: added},
		}},
		{Name: "empty"},
	}
	for _, m := range cases {
		got, err := decodeModule(m.Name, encodeModule(&m))
		mustNoErr(t, err)
		if !modulesEqual(got, m) {
			t.Errorf("round trip:\n%+v\n%+v", m, got)
		}
		if n, err := recordVersionCount(encodeModule(&m)); err != nil || n != len(m.Versions) {
			t.Errorf("recordVersionCount = %d, %v", n, err)
		}
	}
}

func TestCodec_CorruptRecords(t *testing.T) {
	rec := encodeModule(&Module{Name: "x", Default: "1.0.0", Versions: []Version{{Version: "1.0.0", Status: StatusAllowed}}})
	for i := 0; i < len(rec); i++ {
		if _, err := decodeModule("x", rec[:i]); !errors.Is(err, errCorruptRecord) && !strings.Contains(fmtErr(err), "codec version") {
			t.Errorf("truncated at %d: %v", i, err)
		}
	}
	bad := append([]byte(nil), rec...)
	bad[0] = 9
	if _, err := decodeModule("x", bad); err == nil || !strings.Contains(err.Error(), "codec version 9") {
		t.Errorf("unknown codec version: %v", err)
	}
	bad = append([]byte(nil), rec...)
	bad[len(bad)-4] = 7 // the status byte
	if _, err := decodeModule("x", bad); !errors.Is(err, errCorruptRecord) {
		t.Errorf("bad status: %v", err)
	}
}

func fmtErr(err error) string {
	if err == nil {
		return "<nil>"
	}
	return err.Error()
}
