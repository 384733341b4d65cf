"""pktlib.py - building packets and pcap files for the end-to-end tests:
Ethernet, IPv4/IPv6, TCP/UDP/ICMP with correct checksums, and a TCP
connection helper that keeps sequence numbers right."""
import struct


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def ip4(src, dst, proto, payload, ttl=64, tos=0, ident=1, flags=0, frag=0, opts=b""):
    ihl = 5 + len(opts) // 4
    hdr = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, tos, 20 + len(opts) + len(payload),
                      ident, (flags << 13) | frag, ttl, proto, 0,
                      bytes(map(int, src.split("."))), bytes(map(int, dst.split("."))))
    hdr += opts
    c = csum(hdr)
    return hdr[:10] + struct.pack("!H", c) + hdr[12:] + payload


def ip6(src, dst, nh, payload, hlim=64):
    import ipaddress
    return (struct.pack("!IHBB", 6 << 28, len(payload), nh, hlim)
            + ipaddress.IPv6Address(src).packed + ipaddress.IPv6Address(dst).packed + payload)


def pseudo(src, dst, proto, length, v6=False):
    import ipaddress
    if v6:
        return (ipaddress.IPv6Address(src).packed + ipaddress.IPv6Address(dst).packed
                + struct.pack("!IxxxB", length, proto))
    return (bytes(map(int, src.split("."))) + bytes(map(int, dst.split(".")))
            + struct.pack("!xBH", proto, length))


def tcp(src, dst, sport, dport, flags, seq, ack, data=b"", win=8192, v6=False):
    hdr = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, 5 << 4, flags, win, 0, 0)
    c = csum(pseudo(src, dst, 6, len(hdr) + len(data), v6) + hdr + data)
    return hdr[:16] + struct.pack("!H", c) + hdr[18:] + data


def udp(src, dst, sport, dport, data, v6=False):
    hdr = struct.pack("!HHHH", sport, dport, 8 + len(data), 0)
    c = csum(pseudo(src, dst, 17, 8 + len(data), v6) + hdr + data) or 0xFFFF
    return hdr[:6] + struct.pack("!H", c) + data


def icmp(itype, code, ident, seq, data=b""):
    hdr = struct.pack("!BBHHH", itype, code, 0, ident, seq)
    c = csum(hdr + data)
    return hdr[:2] + struct.pack("!H", c) + hdr[4:] + data


def eth(payload, v6=False, vlan=None):
    et = 0x86DD if v6 else 0x0800
    h = b"\x02\0\0\0\0\x02" + b"\x02\0\0\0\0\x01"
    if vlan is not None:
        h += struct.pack("!HH", 0x8100, vlan)
    return h + struct.pack("!H", et) + payload


F = {"S": 0x02, "A": 0x10, "P": 0x08, "F": 0x01, "R": 0x04, "U": 0x20}


def fl(s):
    return sum(F[c] for c in s)


class TcpFlow:
    """A TCP connection: handshake, data both ways, close."""

    def __init__(self, cli, srv, sport, dport, v6=False):
        self.c, self.s, self.sp, self.dp, self.v6 = cli, srv, sport, dport, v6
        self.cseq, self.sseq = 1000, 5000

    def pkt(self, from_client, flags, data=b"", **kw):
        if from_client:
            seg = tcp(self.c, self.s, self.sp, self.dp, fl(flags), self.cseq, self.sseq, data,
                      v6=self.v6, **kw)
            ipp = ip6(self.c, self.s, 6, seg) if self.v6 else ip4(self.c, self.s, 6, seg)
            self.cseq += len(data) + (1 if ("S" in flags or "F" in flags) else 0)
        else:
            seg = tcp(self.s, self.c, self.dp, self.sp, fl(flags), self.sseq, self.cseq, data,
                      v6=self.v6, **kw)
            ipp = ip6(self.s, self.c, 6, seg) if self.v6 else ip4(self.s, self.c, 6, seg)
            self.sseq += len(data) + (1 if ("S" in flags or "F" in flags) else 0)
        return eth(ipp, self.v6)

    def handshake(self):
        return [self.pkt(True, "S"), self.pkt(False, "SA"), self.pkt(True, "A")]


def write_pcap(path, frames, t0=1700000000 * 1000000, step=100):
    """frames: list of bytes; timestamps step microseconds apart."""
    with open(path, "wb") as f:
        f.write(struct.pack("<IHHiIII", 0xA1B2C3D4, 2, 4, 0, 0, 65535, 1))
        t = t0
        for fr in frames:
            t += step
            f.write(struct.pack("<IIII", t // 1000000, t % 1000000, len(fr), len(fr)) + fr)


def interleave(flows):
    """Frames of all flows, one frame of each in turn."""
    out, idx = [], [0] * len(flows)
    remaining = sum(len(f) for f in flows)
    while remaining:
        for k, fr in enumerate(flows):
            if idx[k] < len(fr):
                out.append(fr[idx[k]])
                idx[k] += 1
                remaining -= 1
    return out
