package egress

import (
	"context"
	"encoding/binary"
	"net"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
)

// fakeDNS is a UDP DNS server on loopback that answers A queries from a table and AAAA queries
// with no records. It lets the real Go resolver be tested against names that resolve to loopback.
type fakeDNS struct {
	conn    net.PacketConn
	answers map[string]netip.Addr // lower-case name without trailing dot → IPv4
	queries atomic.Int64
}

func startFakeDNS(t *testing.T, answers map[string]netip.Addr) *fakeDNS {
	t.Helper()
	conn, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	d := &fakeDNS{conn: conn, answers: answers}
	t.Cleanup(func() { conn.Close() })
	go d.serve()
	return d
}

// resolver returns a *net.Resolver that sends every query to the fake server.
func (d *fakeDNS) resolver() *net.Resolver {
	addr := d.conn.LocalAddr().String()
	return &net.Resolver{PreferGo: true, Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
		var nd net.Dialer
		return nd.DialContext(ctx, "udp", addr)
	}}
}

func (d *fakeDNS) serve() {
	buf := make([]byte, 1500)
	for {
		n, from, err := d.conn.ReadFrom(buf)
		if err != nil {
			return
		}
		if resp := d.answer(buf[:n]); resp != nil {
			d.conn.WriteTo(resp, from)
		}
	}
}

// answer builds the response to one query packet (RFC 1035 §4).
func (d *fakeDNS) answer(q []byte) []byte {
	if len(q) < 12 {
		return nil
	}
	d.queries.Add(1)
	// Question: labels, then QTYPE and QCLASS.
	i := 12
	var labels []string
	for i < len(q) && q[i] != 0 {
		l := int(q[i])
		if i+1+l > len(q) {
			return nil
		}
		labels = append(labels, string(q[i+1:i+1+l]))
		i += 1 + l
	}
	if i+5 > len(q) {
		return nil
	}
	qtype := binary.BigEndian.Uint16(q[i+1:])
	question := q[12 : i+5]
	name := strings.ToLower(strings.Join(labels, "."))
	ip, found := d.answers[name]

	resp := make([]byte, 12, 64)
	copy(resp, q[:2])                            // ID
	binary.BigEndian.PutUint16(resp[2:], 0x8180) // response, recursion desired+available, NOERROR
	binary.BigEndian.PutUint16(resp[4:], 1)      // QDCOUNT
	if !found {
		binary.BigEndian.PutUint16(resp[2:], 0x8183) // NXDOMAIN
	}
	resp = append(resp, question...)
	if found && qtype == 1 { // A
		binary.BigEndian.PutUint16(resp[6:], 1) // ANCOUNT
		a4 := ip.As4()
		resp = append(resp, 0xc0, 0x0c, 0, 1, 0, 1, 0, 0, 0, 60, 0, 4)
		resp = append(resp, a4[:]...)
	}
	return resp
}

// tableResolver is a Resolver backed by a map; it counts lookups.
type tableResolver struct {
	table   map[string][]netip.Addr
	lookups atomic.Int64
}

func (r *tableResolver) LookupNetIP(_ context.Context, _, host string) ([]netip.Addr, error) {
	r.lookups.Add(1)
	ips, ok := r.table[strings.ToLower(host)]
	if !ok {
		return nil, &net.DNSError{Err: "no such host", Name: host, IsNotFound: true}
	}
	return ips, nil
}
