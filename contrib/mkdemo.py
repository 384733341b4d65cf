#!/usr/bin/env python3
"""mkdemo.py - the bundled example capture that `make run` inspects.

usage: mkdemo.py OUT.pcap

A few minutes of a small office network, compressed: ordinary web browsing
and DNS, and among it the things conf/rules/local.rules looks for: a
directory traversal attempt against a web server, a request from a
scripted client, a DNS lookup of a known-bad domain, a SYN scan, a ping
sweep and a login in clear text.  Everything is generated here; no capture
is shipped.
"""
import os
import random
import struct
import sys

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tests", "e2e"))
from pktlib import TcpFlow, eth, icmp, interleave, ip4, tcp, udp, write_pcap  # noqa: E402

rnd = random.Random(2026)
flows = []


def web(client, server, port, request, response):
    f = TcpFlow(client, server, rnd.randrange(32768, 61000), port)
    fr = f.handshake() + [f.pkt(True, "PA", request), f.pkt(False, "A")]
    for i in range(0, len(response), 1400):
        fr.append(f.pkt(False, "PA", response[i:i + 1400]))
    fr += [f.pkt(True, "A"), f.pkt(True, "FA"), f.pkt(False, "FA"), f.pkt(True, "A")]
    flows.append(fr)


def page(n):
    body = (b"<html><body>" + b"lorem ipsum " * n + b"</body></html>")
    return b"HTTP/1.1 200 OK\r\nContent-Type: text/html\r\nContent-Length: %d\r\n\r\n" % len(body) + body


def dns(client, name, qid):
    q = struct.pack("!HHHHHH", qid, 0x0100, 1, 0, 0, 0)
    for label in name.split("."):
        q += bytes([len(label)]) + label.encode()
    q += b"\0" + struct.pack("!HH", 1, 1)
    flows.append([eth(ip4(client, "192.168.1.53", 17, udp(client, "192.168.1.53", rnd.randrange(1024, 65535), 53, q)))])


for i in range(40):
    c = "192.168.1.%d" % rnd.randrange(20, 60)
    web(c, "93.184.216.%d" % rnd.randrange(1, 30), 80,
        b"GET /news/%d.html HTTP/1.1\r\nHost: news.example\r\nUser-Agent: Mozilla/5.0\r\n\r\n" % i,
        page(rnd.randrange(10, 400)))
    dns(c, "news.example", 1000 + i)
web("192.168.1.66", "192.168.1.10", 80,
    b"GET /cgi-bin/view.cgi?file=../../../../etc/passwd HTTP/1.1\r\nHost: intranet\r\n\r\n",
    b"HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n")
web("192.168.1.67", "203.0.113.80", 80,
    b"GET /install.sh HTTP/1.1\r\nHost: get.example\r\nUser-Agent: curl/7.88.1\r\n\r\n",
    page(20))
dns("192.168.1.68", "update.malware-c2.test", 4242)
for port in (21, 22, 23, 25, 80, 110, 139, 143, 443, 445, 3306, 3389, 5900, 8080):
    s, d = "198.51.100.7", "192.168.1.10"
    flows.append([eth(ip4(s, d, 6, tcp(s, d, 54321, port, 0x02, 777, 0)))])
for host in range(1, 30):
    flows.append([eth(ip4("192.168.1.99", "192.168.1.%d" % host, 1, icmp(8, 0, 99, host, b"ping")))])
f = TcpFlow("192.168.1.70", "192.168.1.21", 40021, 21)
flows.append(f.handshake() + [f.pkt(False, "PA", b"220 ftp ready\r\n"), f.pkt(True, "PA", b"USER admin\r\n"),
                              f.pkt(False, "PA", b"331 password?\r\n"), f.pkt(True, "PA", b"PASS hunter2\r\n")])
rnd.shuffle(flows)
write_pcap(sys.argv[1], interleave(flows), step=2000)
