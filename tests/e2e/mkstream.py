#!/usr/bin/env python3
"""mkstream.py - a capture, rules and expected alerts for the end-to-end test
of TCP reassembly and HTTP inspection.

usage: mkstream.py OUTDIR  ->  stream.pcap, stream.rules, expected.tsv

Each case is one rule on its own server port with traffic that must and must
not make it alert: signatures split across segments in order, out of order
and retransmitted; no_stream and only_stream; and one rule per HTTP buffer
(Snort 2.9 modifier form and Snort 3 sticky form), with requests and
responses built so that only the intended buffer holds the pattern.
"""
import gzip
import os
import sys
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pktlib import TcpFlow, interleave, write_pcap  # noqa: E402

out = sys.argv[1]
os.makedirs(out, exist_ok=True)
cases = []          # (sid, rule, flows, expected)
nflow = [0]


def conn(port, v6=False):
    nflow[0] += 1
    n = nflow[0]
    return TcpFlow("10.5.%d.%d" % (n // 250, n % 250 + 1), "10.6.%d.%d" % (n // 250, n % 250 + 1),
                   30000 + n, port, v6)


def rule(sid, port, body, svc_port=None):
    p = svc_port if svc_port is not None else port
    return 'alert tcp any any -> any %s (msg:"case %d"; %s sid:%d; rev:1;)' % (p, sid, body, sid)


def case(sid, port, body, flows, expected, svc_port=None):
    cases.append((sid, rule(sid, port, body, svc_port), flows, expected))


# --- reassembly ---------------------------------------------------------------
def split_flow(port, parts, order=None, retransmit=None):
    """client sends parts as separate segments; order permutes them on the
    wire; retransmit repeats segment i once more after all."""
    f = conn(port)
    frames = f.handshake()
    segs = [f.pkt(True, "PA", p) for p in parts]
    if order:
        segs = [segs[i] for i in order]
    if retransmit is not None:
        f.cseq -= sum(len(p) for p in parts[retransmit:])
        again = f.pkt(True, "PA", parts[retransmit])
        f.cseq += sum(len(p) for p in parts[retransmit + 1:])
        segs.append(again)
    frames += segs
    frames.append(f.pkt(False, "A"))
    return frames


case(3001, 11001, 'flow:established,to_server; content:"SPLITSIGNATURE";',
     [split_flow(11001, [b"xxSPLITSIG", b"NATURExx"]) for _ in range(3)], 3)
case(3002, 11002, 'flow:established,to_server; content:"OUTOFORDER";',
     [split_flow(11002, [b"--OUT", b"OFOR", b"DER--"], order=[1, 2, 0]) for _ in range(3)], 3)
case(3003, 11003, 'flow:established,to_server; content:"RETRANSMITTED";',
     [split_flow(11003, [b"aa", b"RETRANSMITTED", b"bb"], retransmit=1) for _ in range(3)], 3)
# no_stream: only whole packets; the split pattern never alerts, the whole one does
case(3004, 11004, 'flow:established,to_server,no_stream; content:"PACKETONLY";',
     [split_flow(11004, [b"PACKET", b"ONLY"]) for _ in range(2)]
     + [split_flow(11004, [b"xPACKETONLYx"]) for _ in range(2)], 2)
case(3005, 11005, 'flow:established,to_server,only_stream; content:"STREAMONLY";',
     [split_flow(11005, [b"STREAM", b"ONLY"]) for _ in range(3)], 3)
# two occurrences in two segments: two alerts, not one and not three
case(3006, 11006, 'flow:established,to_server; content:"TWICE";',
     [split_flow(11006, [b"aTWICEa", b"bTWICEb"]) for _ in range(2)], 4)


# --- HTTP ---------------------------------------------------------------------
def http_flow(port, request, response=None, req_split=None):
    f = conn(port)
    frames = f.handshake()
    if req_split:
        frames.append(f.pkt(True, "PA", request[:req_split]))
        frames.append(f.pkt(True, "PA", request[req_split:]))
    else:
        frames.append(f.pkt(True, "PA", request))
    frames.append(f.pkt(False, "A"))
    if response is not None:
        for i in range(0, len(response), 1000):
            frames.append(f.pkt(False, "PA", response[i:i + 1000]))
        frames.append(f.pkt(True, "A"))
    frames.append(f.pkt(True, "FA"))
    frames.append(f.pkt(False, "FA"))
    frames.append(f.pkt(True, "A"))
    return frames


def get(uri, headers=b"", method=b"GET", body=b""):
    h = method + b" " + uri + b" HTTP/1.1\r\nHost: example.test\r\n" + headers
    if body:
        h += b"Content-Length: %d\r\n" % len(body)
    return h + b"\r\n" + body


def resp(code=b"200 OK", body=b"hello", headers=b""):
    return (b"HTTP/1.1 " + code + b"\r\n" + headers
            + b"Content-Length: %d\r\n\r\n" % len(body) + body)


def chunked_gzip(body):
    z = gzip.compress(body)
    chunks = b""
    for i in range(0, len(z), 300):
        part = z[i:i + 300]
        chunks += b"%x\r\n" % len(part) + part + b"\r\n"
    chunks += b"0\r\n\r\n"
    return (b"HTTP/1.1 200 OK\r\nContent-Type: application/octet-stream\r\n"
            b"Content-Encoding: gzip\r\nTransfer-Encoding: chunked\r\n\r\n" + chunks)


P = 12000
case(3101, P + 1, 'flow:established,to_server; content:"/admin/login.php"; http_uri;',
     [http_flow(P + 1, get(b"/admin/%6cogin.php?x=1"), resp()),
      http_flow(P + 1, get(b"/static/x.js", b"Referer: /admin/login.php\r\n"), resp())], 1)
case(3102, P + 2, 'flow:established,to_server; content:"%6cogin"; http_raw_uri;',
     [http_flow(P + 2, get(b"/admin/%6cogin.php"), resp()),
      http_flow(P + 2, get(b"/admin/login.php"), resp())], 1)
case(3103, P + 3, 'flow:established,to_server; content:"POST"; http_method;',
     [http_flow(P + 3, get(b"/a", method=b"POST", body=b"a=1"), resp()),
      http_flow(P + 3, get(b"/POST"), resp())], 1)
case(3104, P + 4, 'flow:established,to_server; content:"X-Evil|3a| yes"; http_header;',
     [http_flow(P + 4, get(b"/", b"X-Evil: yes\r\n"), resp()),
      http_flow(P + 4, get(b"/X-Evil: yes"), resp())], 1)
case(3105, P + 5, 'flow:established,to_server; content:"secretcookie"; http_header;',
     [http_flow(P + 5, get(b"/", b"Cookie: id=secretcookie\r\n"), resp())], 0)
case(3106, P + 6, 'flow:established,to_server; content:"secretcookie"; http_cookie;',
     [http_flow(P + 6, get(b"/", b"Cookie: id=secretcookie\r\n"), resp()),
      http_flow(P + 6, get(b"/secretcookie"), resp())], 1)
case(3107, P + 7, 'flow:established,to_server; content:"passwd="; http_client_body;',
     [http_flow(P + 7, get(b"/login", method=b"POST", body=b"user=a&passwd=b"), resp()),
      http_flow(P + 7, get(b"/x?passwd=b"), resp())], 1)
case(3108, P + 8, 'flow:established,to_client; content:"404"; http_stat_code;',
     [http_flow(P + 8, get(b"/missing"), resp(b"404 Not Found", b"nope")),
      http_flow(P + 8, get(b"/ok"), resp(b"200 OK", b"404"))], 2, svc_port="any")
# (2: this rule is on any port, so case 3109's 404 response counts too)
case(3109, P + 9, 'flow:established,to_client; content:"Not Found"; http_stat_msg;',
     [http_flow(P + 9, get(b"/missing"), resp(b"404 Not Found", b"x")),
      http_flow(P + 9, get(b"/ok"), resp(b"200 OK", b"Not Found"))], 2, svc_port="any")
# (2: with case 3108's "404 Not Found")
case(3110, P + 10, 'flow:established,to_client; file_data; content:"MALWARE-PAYLOAD";',
     [http_flow(P + 10, get(b"/f.bin"), chunked_gzip(b"x" * 3000 + b"MALWARE-PAYLOAD" + b"y" * 3000)),
      http_flow(P + 10, get(b"/MALWARE-PAYLOAD"), resp())], 1, svc_port="any")
case(3111, P + 11, 'flow:established,to_server; urilen:>60;',
     [http_flow(P + 11, get(b"/" + b"a" * 80), resp()), http_flow(P + 11, get(b"/short"), resp())], 1)
case(3112, P + 12, 'flow:established,to_server; http_uri; content:"/sticky";',
     [http_flow(P + 12, get(b"/sticky/x"), resp()),
      http_flow(P + 12, get(b"/", b"X-A: /sticky\r\n"), resp())], 1)
# HTTP recognised by its first bytes on an unusual port, the rule on any port
case(3113, P + 13, 'flow:established,to_server; content:"/odd-port"; http_uri;',
     [http_flow(P + 13, get(b"/odd-port"), resp())], 1, svc_port="any")
# pipelining: the second request of a segment
case(3114, P + 14, 'flow:established,to_server; content:"/pipe2"; http_uri;',
     [http_flow(P + 14, get(b"/pipe1") + get(b"/pipe2") + get(b"/pipe3"), resp())], 1)
# a header split across two segments
case(3115, P + 15, 'flow:established,to_server; content:"X-Split|3a| together"; http_header;',
     [http_flow(P + 15, get(b"/", b"X-Split: together\r\n"), resp(), req_split=40)], 1)
# deflate-encoded response body
case(3116, P + 16, 'flow:established,to_client; file_data; content:"DEFLATED-SECRET";',
     [http_flow(P + 16, get(b"/d"),
                resp(body=zlib.compress(b"zz" + b"DEFLATED-SECRET" + b"zz"),
                     headers=b"Content-Encoding: deflate\r\n"))], 1, svc_port="any")

flows = [fr for (_, _, fl, _) in cases for fr in fl]
write_pcap(os.path.join(out, "stream.pcap"), interleave(flows))
with open(os.path.join(out, "stream.rules"), "w") as f:
    for _, r, _, _ in cases:
        f.write(r + "\n")
with open(os.path.join(out, "expected.tsv"), "w") as f:
    for sid, _, _, n in sorted(cases):
        f.write("%d %d\n" % (sid, n))
print("mkstream: %d rules, %d flows" % (len(cases), len(flows)))
