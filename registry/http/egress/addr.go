package egress

import "net/netip"

// addrClass names why an address is not an ordinary public unicast address.
type addrClass uint8

const (
	classPublic      addrClass = iota
	classLoopback              // 127.0.0.0/8, ::1
	classUnspecified           // 0.0.0.0/8, :: — reaches the local host on most systems
	classLinkLocal             // 169.254.0.0/16 (cloud metadata), fe80::/10
	classPrivate               // RFC 1918, fc00::/7 (ULA)
	classShared                // 100.64.0.0/10 (carrier-grade NAT)
	classMulticast             // 224.0.0.0/4, ff00::/8, 255.255.255.255
	classReserved              // 240.0.0.0/4 and other never-routable ranges
)

// private reports whether AllowPrivate opts the class in.
func (c addrClass) private() bool {
	switch c {
	case classLoopback, classUnspecified, classLinkLocal, classPrivate, classShared:
		return true
	}
	return false
}

// describe is the phrase used in denial messages: "is a loopback address".
func (c addrClass) describe() string {
	switch c {
	case classLoopback:
		return "a loopback address"
	case classUnspecified:
		return "an unspecified address (it reaches this host)"
	case classLinkLocal:
		return "a link-local address"
	case classPrivate:
		return "a private-network address"
	case classShared:
		return "a carrier-grade NAT (shared) address"
	case classMulticast:
		return "a multicast or broadcast address"
	case classReserved:
		return "a reserved address"
	}
	return "a public address"
}

var (
	prefixThisNet   = netip.MustParsePrefix("0.0.0.0/8")
	prefixShared    = netip.MustParsePrefix("100.64.0.0/10")
	prefixReserved4 = netip.MustParsePrefix("240.0.0.0/4")
	prefixNAT64     = netip.MustParsePrefix("64:ff9b::/96")
	prefixIPv4Comp  = netip.MustParsePrefix("::/96") // deprecated IPv4-compatible IPv6
)

// classify returns the class of ip. IPv4-mapped, IPv4-compatible and NAT64 IPv6 forms are judged by
// the IPv4 address they carry, so "::ffff:127.0.0.1" is loopback.
func classify(ip netip.Addr) addrClass {
	ip = ip.WithZone("")
	if ip.Is4In6() {
		ip = ip.Unmap()
	}
	if ip.Is6() && (prefixNAT64.Contains(ip) || (prefixIPv4Comp.Contains(ip) && !ip.IsUnspecified() && !ip.IsLoopback())) {
		b := ip.As16()
		ip = netip.AddrFrom4([4]byte{b[12], b[13], b[14], b[15]})
	}
	switch {
	case ip.IsLoopback():
		return classLoopback
	case ip.IsUnspecified(), prefixThisNet.Contains(ip):
		return classUnspecified
	case ip.IsLinkLocalUnicast():
		return classLinkLocal
	case ip.IsPrivate():
		return classPrivate
	case prefixShared.Contains(ip):
		return classShared
	case ip.IsMulticast(), ip.IsLinkLocalMulticast(), ip.IsInterfaceLocalMulticast(), ip == netip.AddrFrom4([4]byte{255, 255, 255, 255}):
		return classMulticast
	case prefixReserved4.Contains(ip):
		return classReserved
	}
	return classPublic
}
