#!/usr/bin/env python3
"""mkseeds.py - writes the binary seed corpora of the fuzz harnesses.

usage: tests/fuzz/mkseeds.py [CORPUSDIR]   (default tests/fuzz/corpus)

The rule seeds (corpus/rule/*.rules) are plain text written by hand; the
decoder, matcher, stream and HTTP inputs are binary, in the layouts the
harness comments describe, so this script writes them.  The files are
committed; rerun it only when a layout changes.
"""
import os
import struct
import sys
import zlib

out = sys.argv[1] if len(sys.argv) > 1 else os.path.join(os.path.dirname(__file__), "corpus")

# fuzz_decode.c link-type index (byte 0 of an input)
L_ETH, L_RAW, L_NULL, L_LOOP, L_SLL, L_SLL2, L_IPV4, L_IPV6, L_RAWALT = range(9)


def csum(data):
    if len(data) % 2:
        data += b"\0"
    s = sum(struct.unpack("!%dH" % (len(data) // 2), data))
    while s >> 16:
        s = (s & 0xFFFF) + (s >> 16)
    return (~s) & 0xFFFF


def a4(s):
    return bytes(map(int, s.split(".")))


def ip4(proto, payload, src="10.0.0.1", dst="10.0.0.2", opts=b"", flags=0, frag=0, ident=1):
    ihl = 5 + len(opts) // 4
    h = struct.pack("!BBHHHBBH4s4s", 0x40 | ihl, 0, 20 + len(opts) + len(payload), ident,
                    (flags << 13) | frag, 64, proto, 0, a4(src), a4(dst)) + opts
    return h[:10] + struct.pack("!H", csum(h)) + h[12:] + payload


A6S = bytes.fromhex("20010db8000000000000000000000001")
A6D = bytes.fromhex("20010db8000000000000000000000002")


def ip6(nh, payload, src=A6S, dst=A6D):
    return struct.pack("!IHBB", 6 << 28, len(payload), nh, 64) + src + dst + payload


def pseudo4(proto, n, src="10.0.0.1", dst="10.0.0.2"):
    return a4(src) + a4(dst) + struct.pack("!xBH", proto, n)


def pseudo6(proto, n):
    return A6S + A6D + struct.pack("!IxxxB", n, proto)


def tcp(sport, dport, flags, data=b"", seq=1000, ack=0, opts=b"", ps=pseudo4):
    doff = 5 + len(opts) // 4
    h = struct.pack("!HHIIBBHHH", sport, dport, seq, ack, doff << 4, flags, 8192, 0, 0) + opts
    c = csum(ps(6, len(h) + len(data)) + h + data)
    return h[:16] + struct.pack("!H", c) + h[18:] + data


def udp(sport, dport, data, ps=pseudo4):
    h = struct.pack("!HHHH", sport, dport, 8 + len(data), 0)
    c = csum(ps(17, 8 + len(data)) + h + data) or 0xFFFF
    return h[:6] + struct.pack("!H", c) + data


def icmp(t, code, data=b"", ident=7, seq=1):
    h = struct.pack("!BBHHH", t, code, 0, ident, seq)
    return h[:2] + struct.pack("!H", csum(h + data)) + h[4:] + data


def icmp6(t, code, data=b""):
    h = struct.pack("!BBHHH", t, code, 0, 1, 1)
    return h[:2] + struct.pack("!H", csum(pseudo6(58, len(h) + len(data)) + h + data)) + h[4:] + data


def eth(payload, et=0x0800, vlans=()):
    h = b"\x02\0\0\0\0\x02\x02\0\0\0\0\x01"
    for tpid, vid in vlans:
        h += struct.pack("!HH", tpid, vid)
    return h + struct.pack("!H", et) + payload


def write(target, name, data):
    d = os.path.join(out, target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


TCPOPTS = bytes([2, 4, 5, 0xb4, 1, 3, 3, 7, 4, 2, 8, 10, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0])
TCPOPTS += b"\0" * (-len(TCPOPTS) % 4)

frames = {
    "eth-ip4-tcp-syn-opts": (L_ETH, eth(ip4(6, tcp(40000, 80, 0x02, opts=TCPOPTS)))),
    "eth-ip4-tcp-http": (L_ETH, eth(ip4(6, tcp(40000, 80, 0x18, b"GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n")))),
    "eth-qinq-ip4-udp-dns": (L_ETH, eth(ip4(17, udp(5353, 53, b"\x12\x34\x01\x00\x00\x01\x00\x00\x00\x00\x00\x00\x03www\x00\x00\x01\x00\x01")),
                                        vlans=((0x88a8, 100), (0x8100, 200)))),
    "eth-vlan-ip6-udp": (L_ETH, eth(ip6(17, udp(1234, 5678, b"v6 data", ps=pseudo6)), et=0x86dd, vlans=((0x8100, 5),))),
    "eth-ip6-ext-frag-icmp6": (L_ETH, eth(ip6(0, bytes([60, 0, 1, 4, 0, 0, 0, 0])        # hop-by-hop -> dst
                                              + bytes([43, 0, 1, 4, 0, 0, 0, 0])         # dst opts -> routing
                                              + bytes([44, 0, 0, 1]) + A6D[:4]           # routing type 0 seg 1
                                              + bytes([58, 0, 0, 1, 0, 0, 0, 9])         # frag (M set) -> icmp6
                                              + icmp6(128, 0, b"ping6")), et=0x86dd)),
    "eth-ip4-opts-frag": (L_ETH, eth(ip4(17, udp(1, 2, b"fragment one"), opts=bytes([1, 7, 7, 4, 0, 0, 0, 0]),
                                         flags=1, ident=77))),
    "eth-ip4-frag-later": (L_ETH, eth(ip4(17, b"tail of the datagram", flags=0, frag=3, ident=77))),
    "eth-ip4-gre-teb": (L_ETH, eth(ip4(47, struct.pack("!HH", 0x2000, 0x6558) + struct.pack("!I", 42)
                                       + eth(ip4(6, tcp(1, 2, 0x10, b"inner")))))),
    "eth-ip4-gre-pptp": (L_ETH, eth(ip4(47, struct.pack("!HHHHII", 0x3081, 0x880b, 4, 7, 1, 2) + b"\xff\x03\x00\x21"))),
    "eth-ip4-ipip-ip6": (L_ETH, eth(ip4(4, ip4(41, ip6(6, tcp(1, 2, 0x02, ps=pseudo6))), src="192.0.2.1"))),
    "eth-arp": (L_ETH, eth(bytes.fromhex("0001080006040001020000000002c0000201000000000000c0000202"), et=0x0806)),
    "eth-8023": (L_ETH, b"\x01\x80\xc2\0\0\0\x02\0\0\0\0\x01\x00\x26" + b"\x42\x42\x03" + b"\0" * 35),
    "raw-ip4-icmp": (L_RAW, ip4(1, icmp(8, 0, b"abcdefgh"))),
    "raw-ip6-tcp": (L_RAW, ip6(6, tcp(443, 50000, 0x12, ps=pseudo6))),
    "rawalt-ip4-icmp-unreach": (L_RAWALT, ip4(1, icmp(3, 3, ip4(17, udp(1, 2, b"x"))[:28]))),
    "null-ip4-udp": (L_NULL, struct.pack("<I", 2) + ip4(17, udp(1, 2, b"loop"))),
    "loop-ip6": (L_LOOP, struct.pack("!I", 24) + ip6(59, b"")),
    "sll-ip4-tcp": (L_SLL, struct.pack("!HHH8sH", 0, 1, 6, b"\x02\0\0\0\0\x01\0\0", 0x0800)
                    + ip4(6, tcp(1, 2, 0x11, b"bye"))),
    "sll2-ip6-udp": (L_SLL2, struct.pack("!HHIHBB8s", 0x86dd, 0, 2, 1, 0, 6, b"\x02\0\0\0\0\x01\0\0")
                     + ip6(17, udp(1, 2, b"sll2", ps=pseudo6))),
    "ipv4-badsum": (L_IPV4, ip4(6, tcp(1, 2, 0x18, b"data"))[:10] + b"\xde\xad" + ip4(6, tcp(1, 2, 0x18, b"data"))[12:]),
    "ipv6-jumbo-hop": (L_IPV6, ip6(0, bytes([17, 0, 0xc2, 4, 0, 0, 0, 0]) + udp(1, 2, b"j", ps=pseudo6))),
}
for name, (lt, frame) in frames.items():
    write("decode", name, bytes([lt]) + frame)

# fuzz_match.c: same layout as the decoder's (byte 0 = link type index).
match_frames = {
    "tcp-evil": (L_ETH, eth(ip4(6, tcp(40000, 10001, 0x18, b"xxEVILSTRINGyy GET xxHOST", ack=1)))),
    "tcp-byte": (L_ETH, eth(ip4(6, tcp(40000, 10023, 0x18, b"\x02xxEND key=abc cmd=abc; \x04\x00", ack=1)))),
    "udp-dns": (L_RAW, ip4(17, udp(5353, 53, b"\x12\x34\x01\x00\x00\x01\x00\x00rest"))),
    "icmp-echo": (L_RAW, ip4(1, icmp(8, 0, b"ping", ident=16962, seq=99))),
    "ip6-tcp": (L_RAW, ip6(6, tcp(1, 10094, 0x18, b"SIXTY PAYLOAD", ps=pseudo6))),
    "ip-only": (L_RAW, ip4(6, tcp(1, 2, 0x02), src="203.0.113.1")),
}
for name, (lt, frame) in match_frames.items():
    write("match", name, bytes([lt]) + frame)

# fuzz_stream.c
SYN, FIN, RST, PSH, ACK = 0x02, 0x01, 0x04, 0x08, 0x10


def seg(flow, client, flags, rel, data=b"", action=0, absseq=None):
    b0 = flow | (4 if client else 0) | (action << 4)
    if absseq is not None:
        return struct.pack("<BBHH", b0 | 8, flags, 0, len(data)) + struct.pack("<I", absseq) + data
    return struct.pack("<BBHH", b0, flags, rel, len(data)) + data


def shdr(b0=0, window=255, depth=0, take=255, memcap=0, isn=1000):
    return struct.pack("<BBBBBxxxI", b0, window, depth, take, memcap, isn)


hs = seg(0, True, SYN, 0) + seg(0, False, SYN | ACK, 0) + seg(0, True, ACK, 0)
write("stream", "in-order", shdr() + hs + seg(0, True, PSH | ACK, 0, b"GET / HTTP/1.1\r\n")
      + seg(0, True, PSH | ACK, 16, b"Host: a\r\n\r\n") + seg(0, False, PSH | ACK, 0, b"HTTP/1.1 200 OK\r\n\r\n")
      + seg(0, True, FIN | ACK, 27) + seg(0, False, FIN | ACK, 19))
write("stream", "out-of-order-overlap", shdr(b0=2) + hs + seg(0, True, ACK, 10, b"KLMNOPQRST")
      + seg(0, True, ACK, 5, b"fghijklm") + seg(0, True, ACK, 0, b"abcde") + seg(0, True, ACK, 3, b"DEFGH"))
write("stream", "gap-window", shdr(window=1) + hs + seg(0, True, ACK, 0, b"first")
      + seg(0, True, ACK, 900, b"far ahead") + seg(0, True, ACK, 5000, b"farther"))
write("stream", "midstream-rst", shdr(b0=1) + seg(1, True, ACK, 100, b"no syn here")
      + seg(1, False, ACK, 7, b"reply") + seg(1, True, RST, 111) + seg(1, True, ACK, 111, b"after"))
write("stream", "take-consume", shdr(b0=8, take=2) + hs + seg(0, True, ACK, 0, b"A" * 40, action=1)
      + seg(0, True, ACK, 40, b"B" * 40, action=2) + seg(0, True, ACK, 80, b"C" * 40, action=0)
      + seg(0, False, ACK, 0, b"ignored", action=3))
write("stream", "depth-memcap-3flows", shdr(depth=2, memcap=0) + b"".join(
    seg(f, True, SYN, 0) + seg(f, True, ACK, 0, bytes([65 + f]) * 300) + seg(f, True, ACK, 400, b"z" * 200)
    for f in range(3)))
write("stream", "wrap-abs-seq", shdr(isn=0xfffffff0) + seg(2, True, SYN, 0)
      + seg(2, True, ACK, 0, b"0123456789abcdefWRAPPED") + seg(2, True, ACK, 0, b"retransmit", absseq=0xfffffff1)
      + seg(2, False, ACK, 0, b"x", absseq=0x40000000))


# fuzz_http.c
def http_in(req, resp, limits=0, seed=12345, maxpiece=63):
    return struct.pack("<BHIB", limits, len(req), seed, maxpiece) + req + resp


gz = zlib.compressobj(wbits=31)
gzbody = gz.compress(b"<html>hello gzip world</html>" * 4) + gz.flush()
df = zlib.compressobj(wbits=15)
dfbody = df.compress(b"deflated body") + df.flush()

write("http", "get-200", http_in(
    b"GET /a/./b/../c//d%2e%41?q=1%20%u0041 HTTP/1.1\r\nHost: example.com\r\nCookie: a=1; b=2\r\n"
    b"User-Agent: x\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: 5\r\nSet-Cookie: s=1\r\n\r\nhello"))
write("http", "post-chunked", http_in(
    b"POST /upload HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n5;ext=1\r\nhello\r\n0\r\nTrailer: t\r\n\r\n",
    b"HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 201 Created\r\nTransfer-Encoding: chunked\r\n\r\na\r\n0123456789\r\n0\r\n\r\n"))
write("http", "gzip-response", http_in(
    b"GET /z HTTP/1.1\r\nAccept-Encoding: gzip\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Encoding: gzip\r\nContent-Length: %d\r\n\r\n" % len(gzbody) + gzbody))
write("http", "deflate-close-delimited", http_in(
    b"GET /d HTTP/1.0\r\n\r\n",
    b"HTTP/1.0 200 OK\r\nContent-Encoding: deflate\r\n\r\n" + dfbody))
write("http", "pipelined-head-304", http_in(
    b"HEAD / HTTP/1.1\r\nHost: a\r\n\r\nGET /2 HTTP/1.1\r\nX-Forwarded-For: 1.2.3.4\r\n\r\nGET /3 HTTP/1.1\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nHTTP/1.1 304 Not Modified\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n",
    seed=7, maxpiece=5))
write("http", "folded-limits", http_in(
    b"GET http://h/abs\\path HTTP/1.1\r\nX-Long: a\r\n continued\r\n\tagain\r\nCookie: c=3\r\nCookie: d=4\r\n\r\n",
    b"HTTP/1.1 200 OK\r\nContent-Length: 300\r\n\r\n" + b"B" * 300, limits=3, maxpiece=255))
write("http", "connect-upgrade", http_in(
    b"CONNECT h:443 HTTP/1.1\r\n\r\n\x16\x03\x01binary",
    b"HTTP/1.1 200 Connection established\r\n\r\n\x16\x03\x03more"))
write("http", "malformed", http_in(
    b"\r\nGET  /x  HTTP/1.1\r\nBad Header\r\nContent-Length: -1\r\nContent-Length: 5\r\n\r\nab",
    b"HTTP/1.1 2x0 ??\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", seed=99, maxpiece=0))
