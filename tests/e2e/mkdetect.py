#!/usr/bin/env python3
"""mkdetect.py - a capture, a rule file and the expected alerts for the
end-to-end detection test.

usage: mkdetect.py OUTDIR

Writes OUTDIR/detect.pcap, OUTDIR/detect.rules and OUTDIR/expected.tsv
("sid count" per line).  Every case is one rule on its own destination port
(or ICMP type), with packets that must and must not make it alert, so the
expected count of each sid is known by construction.  Each case's traffic is
spread over several flows so that several detectors share the work; flows of
all cases are interleaved packet by packet.
"""
import os
import struct
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from pktlib import *  # noqa: E402,F401,F403

out = sys.argv[1]
os.makedirs(out, exist_ok=True)


cases = []   # (sid, rule text, [flows: [frames]], expected alerts)
flowno = [0]


def addr(i):
    flowno[0] += 1
    n = flowno[0]
    return "10.1.%d.%d" % (n // 250, n % 250 + 1), "10.2.%d.%d" % (n // 250, n % 250 + 1), 20000 + n


def case(sid, rule, flows, expected):
    cases.append((sid, rule, flows, expected))


def tcp_case(sid, opts, port, payloads_hit, payloads_miss, established=True, copies=3,
             to_server=True):
    """Rule on tcp port; each payload in its own established flow; copies flows each."""
    rule = "alert tcp any any -> any %d (msg:\"case %d\"; %s sid:%d; rev:1;)" % (port, sid, opts, sid)
    flows = []
    for _ in range(copies):
        for p in payloads_hit + payloads_miss:
            c, s, sp = addr(sid)
            f = TcpFlow(c, s, sp, port)
            frames = f.handshake() if established else []
            frames.append(f.pkt(to_server, "PA", p))
            frames.append(f.pkt(not to_server, "A"))
            flows.append(frames)
    case(sid, rule, flows, copies * len(payloads_hit))


def udp_case(sid, opts, port, hit, miss, copies=3):
    rule = "alert udp any any -> any %d (msg:\"case %d\"; %s sid:%d; rev:1;)" % (port, sid, opts, sid)
    flows = []
    for _ in range(copies):
        for p in hit + miss:
            c, s, sp = addr(sid)
            flows.append([eth(ip4(c, s, 17, udp(c, s, sp, port, p)))])
    case(sid, rule, flows, copies * len(hit))


# --- content and positions -------------------------------------------------
tcp_case(2001, 'content:"EVILSTRING";', 10001, [b"xxEVILSTRINGyy"], [b"EVILSTRIN", b"evilstring"])
tcp_case(2002, 'content:"evilstring"; nocase;', 10002, [b"--EvIlStRiNg--", b"evilstring"], [b"evil string"])
tcp_case(2003, 'content:"ABC"; offset:2; depth:5;', 10003, [b"xxABCyy", b"xxxxABC"], [b"ABCxxxx", b"xxxxxABC"])
tcp_case(2004, 'content:"GET"; depth:3; content:"HOST"; distance:2; within:10;', 10004,
         [b"GET xxHOST", b"GET /aaHOSTzz"], [b"GET HOST", b"GET /aaaaaaaaaaHOST", b"xGET xxHOST"])
tcp_case(2005, 'content:"USER"; content:!"admin"; distance:0;', 10005, [b"USER bob", b"admin USER guest"],
         [b"USER admin", b"nothing"])
tcp_case(2006, 'content:"|DE AD BE EF|"; content:"|00|X"; within:4;', 10006,
         [b"\xde\xad\xbe\xef\x00X", b"\xde\xad\xbe\xef..\x00X"], [b"\xde\xad\xbe\xef....\x00X"])
# backtracking: the first "A=" fails the relative check, a later one passes
tcp_case(2007, 'content:"A="; content:"OK"; distance:0; within:3;', 10007, [b"A=zzzzzzA=OK", b"A=OK"],
         [b"A=zzzzOK"])
tcp_case(2008, 'content:"pay"; fast_pattern; content:"load"; distance:0;', 10008, [b"payload", b"pay---load"],
         [b"loadpay"])
# --- pcre -------------------------------------------------------------------
tcp_case(2010, 'pcre:"/^cmd=[a-z]+;/";', 10010, [b"cmd=abc;x"], [b"xcmd=abc;", b"cmd=ABC;"])
tcp_case(2011, 'pcre:"/CMD=\\d+/i";', 10011, [b"cmd=123", b"CmD=9"], [b"cmd=x"])
tcp_case(2012, 'content:"key"; pcre:"/^=\\w{3}/R";', 10012, [b"key=abc", b"xxkey=zzz1"], [b"key =abc", b"key=a"])
tcp_case(2013, 'pcre:"/a.b/s";', 10013, [b"a\nb"], [b"a\n\nb"])
tcp_case(2014, 'pcre:"/^line2$/m";', 10014, [b"line1\nline2\nline3"], [b"line1 line2"])
tcp_case(2015, 'content:"X"; pcre:!"/X\\d/";', 10015, [b"X-ray", b"aXb"], [b"X1", b"aX9"])
# --- byte_* and isdataat -----------------------------------------------------
tcp_case(2020, 'byte_test:2,>,1000,0;', 10020, [b"\x04\x00rest", b"\xff\xffzz"], [b"\x03\xe8zz", b"\x00\x01zz"])
tcp_case(2021, 'byte_test:4,=,1234,2,string,dec;', 10021, [b"xx1234yy"], [b"xx1235yy", b"xx12"])
tcp_case(2022, 'byte_jump:1,0; content:"Z"; within:1;', 10022, [b"\x03abcZ", b"\x00Z"], [b"\x03abZc"])
tcp_case(2023, 'byte_extract:1,0,len; content:"END"; distance:len; within:3;', 10023,
         [b"\x02xxEND"], [b"\x02xEND", b"\x05xxEND"])
# isdataat:N,relative: a byte exists N bytes past the cursor (Snort semantics)
tcp_case(2024, 'content:"HDR"; isdataat:4,relative;', 10024, [b"HDRabcde", b"HDRabcdefg"], [b"HDRabcd"])
tcp_case(2025, 'content:"HDR"; isdataat:!4,relative;', 10025, [b"HDRabc", b"HDRabcd"], [b"HDRabcde"])
tcp_case(2026, 'byte_test:1,&,0x80,0;', 10026, [b"\x81", b"\xf0a"], [b"\x7f"])
# --- header options ---------------------------------------------------------
tcp_case(2030, 'dsize:>10;', 10030, [b"A" * 11, b"B" * 100], [b"A" * 10, b"x"])
# Snort 2.9's a<>b is inclusive (Snort 3 writes it a<=>b)
tcp_case(2031, 'dsize:3<>6;', 10031, [b"abc", b"abcd", b"abcdef"], [b"abcdefg", b"ab"])
tcp_case(2032, 'flags:PA; content:"F";', 10032, [b"F"], [])
tcp_case(2033, 'window:8192; content:"W";', 10033, [b"W"], [])
# --- flow ---------------------------------------------------------------------
tcp_case(2040, 'flow:established,to_server; content:"EST";', 10040, [b"EST"], [])
tcp_case(2041, 'flow:not_established; content:"NOEST";', 10041, [], [], established=False)
tcp_case(2042, 'flow:to_client; content:"RESP";', 10042, [], [b"RESP"])   # sent to server: no alert
tcp_case(2043, 'flow:established; content:"MID";', 10043, [], [b"MID"], established=False)

# flow:not_established hit: a bare data packet without handshake
flows = []
for _ in range(3):
    c, s, sp = addr(2041)
    f = TcpFlow(c, s, sp, 10041)
    flows.append([f.pkt(True, "PA", b"NOEST")])
cases[[x[0] for x in cases].index(2041)] = (
    2041, cases[[x[0] for x in cases].index(2041)][1], flows, 3)

# to_client hit: server answers with RESP
flows = []
for _ in range(3):
    c, s, sp = addr(2044)
    f = TcpFlow(c, s, sp, 10044)
    flows.append(f.handshake() + [f.pkt(True, "PA", b"req"), f.pkt(False, "PA", b"RESP here")])
case(2044, 'alert tcp any 10044 -> any any (msg:"case 2044"; flow:to_client,established; '
     'content:"RESP"; sid:2044; rev:1;)', flows, 3)

# flowbits: login sets, a later packet with "cmd" alerts only after login
flows = []
for i in range(4):
    c, s, sp = addr(2050)
    f = TcpFlow(c, s, sp, 10050)
    frames = f.handshake()
    if i % 2 == 0:
        frames.append(f.pkt(True, "PA", b"LOGIN ok"))
    frames.append(f.pkt(True, "PA", b"cmd run"))
    flows.append(frames)
case(2050, 'alert tcp any any -> any 10050 (msg:"login seen"; content:"LOGIN"; '
     'flowbits:set,ws.login; flowbits:noalert; sid:2050; rev:1;)', [], 0)
case(2051, 'alert tcp any any -> any 10050 (msg:"cmd after login"; content:"cmd"; '
     'flowbits:isset,ws.login; sid:2051; rev:1;)', flows, 2)
case(2052, 'alert tcp any any -> any 10050 (msg:"cmd without login"; content:"cmd"; '
     'flowbits:isnotset,ws.login; sid:2052; rev:1;)', [], 2)

# --- UDP ----------------------------------------------------------------------
udp_case(2060, 'content:"|00 01 00 00|"; offset:4; depth:4;', 10060,
         [b"\x12\x34\x01\x00\x00\x01\x00\x00rest"], [b"\x12\x34\x01\x00\x00\x02\x00\x00"])
udp_case(2061, 'dsize:0;', 10061, [b""], [b"x"])

# --- ICMP ---------------------------------------------------------------------
flows = []
for i in range(3):
    c, s, _ = addr(2070)
    flows.append([eth(ip4(c, s, 1, icmp(8, 0, 0x4242, i + 1, b"ping!")))])
    flows.append([eth(ip4(c, s, 1, icmp(8, 0, 0x1111, i + 1, b"ping!")))])
case(2070, 'alert icmp any any -> any any (msg:"echo id 4242"; itype:8; icode:0; icmp_id:16962; '
     'sid:2070; rev:1;)', flows, 3)
flows = []
for i in range(3):
    c, s, _ = addr(2071)
    flows.append([eth(ip4(c, s, 1, icmp(0, 0, 7, 99)))])
    flows.append([eth(ip4(c, s, 1, icmp(0, 0, 7, 98)))])
# icmp_id / icmp_seq apply to echo request and reply, as in Snort
case(2071, 'alert icmp any any -> any any (msg:"echo reply seq 99"; itype:0; icmp_seq:99; '
     'sid:2071; rev:1;)', flows, 3)

# --- IP header options ----------------------------------------------------------
flows = []
for i in range(3):
    c, s, sp = addr(2080)
    flows.append([eth(ip4(c, s, 17, udp(c, s, sp, 10080, b"ttl"), ttl=3))])
    flows.append([eth(ip4(c, s, 17, udp(c, s, sp + 5000, 10080, b"ttl"), ttl=64))])
case(2080, 'alert udp any any -> any 10080 (msg:"low ttl"; ttl:<5; sid:2080; rev:1;)', flows, 3)
flows = []
for i in range(3):
    c, s, sp = addr(2081)
    flows.append([eth(ip4(c, s, 17, udp(c, s, sp, 10081, b"tos"), tos=0x10, ident=4321))])
    flows.append([eth(ip4(c, s, 17, udp(c, s, sp + 5000, 10081, b"tos"), tos=0))])
case(2081, 'alert udp any any -> any 10081 (msg:"tos and id"; tos:16; id:4321; sid:2081; rev:1;)',
     flows, 3)
flows = []
for i in range(3):
    c, s, sp = addr(2082)
    flows.append([eth(ip4(c, s, 17, udp(c, s, sp, 10082, b"df"), flags=2))])
    flows.append([eth(ip4(c, s, 17, udp(c, s, sp + 5000, 10082, b"df"), flags=0))])
case(2082, 'alert udp any any -> any 10082 (msg:"DF set"; fragbits:D; sid:2082; rev:1;)', flows, 3)
flows = []
for i in range(2):
    c, _, sp = addr(2083)
    flows.append([eth(ip4(c, c, 17, udp(c, c, sp, 10083, b"same")))])
    c2, s2, sp2 = addr(2083)
    flows.append([eth(ip4(c2, s2, 17, udp(c2, s2, sp2, 10083, b"same")))])
case(2083, 'alert udp any any -> any 10083 (msg:"land"; sameip; sid:2083; rev:1;)', flows, 2)
flows = []
for i in range(3):
    c, s, _ = addr(2084)
    flows.append([eth(ip4(c, s, 47, b"\0\0\x12\x34" + b"x" * 20))])   # GRE, unknown payload type
case(2084, 'alert ip any any -> any any (msg:"GRE seen"; ip_proto:47; sid:2084; rev:1;)', flows, 3)

# --- addresses, ports, direction ------------------------------------------------
flows = []
for i in range(3):
    c, s, sp = addr(2090)
    f = TcpFlow("192.0.2.%d" % (i + 10), s, sp, 10090)
    flows.append(f.handshake() + [f.pkt(True, "PA", b"NET")])
    f = TcpFlow("198.51.100.%d" % (i + 10), s, sp, 10090)
    flows.append(f.handshake() + [f.pkt(True, "PA", b"NET")])
case(2090, 'alert tcp 192.0.2.0/24 any -> any 10090 (msg:"from test-net-1"; content:"NET"; '
     'sid:2090; rev:1;)', flows, 3)
flows = []
for i in range(3):
    c, s, sp = addr(2091)
    f = TcpFlow(c, s, sp, 10091)
    flows.append(f.handshake() + [f.pkt(True, "PA", b"BIDI"), f.pkt(False, "PA", b"BIDI")])
case(2091, 'alert tcp any 10091 <> any any (msg:"either way"; content:"BIDI"; sid:2091; rev:1;)',
     flows, 6)
flows = []
for i in range(3):
    c, s, sp = addr(2092)
    f = TcpFlow(c, s, sp, 10092)
    flows.append(f.handshake() + [f.pkt(True, "PA", b"PORTNEG")])
    f = TcpFlow(c, s, sp, 10093)
    flows.append(f.handshake() + [f.pkt(True, "PA", b"PORTNEG")])
case(2092, 'alert tcp any any -> any [10090:10099,!10093] (msg:"port list"; content:"PORTNEG"; '
     'sid:2092; rev:1;)', flows, 3)
# IPv6 and VLAN
flows = []
for i in range(3):
    f = TcpFlow("2001:db8::%x" % (i + 1), "2001:db8:1::%x" % (i + 1), 30000 + i, 10094, v6=True)
    flows.append(f.handshake() + [f.pkt(True, "PA", b"SIXTY")])
case(2094, 'alert tcp any any -> any 10094 (msg:"v6"; flow:established; content:"SIXTY"; '
     'sid:2094; rev:1;)', flows, 3)
flows = []
for i in range(3):
    c, s, sp = addr(2095)
    flows.append([eth(ip4(c, s, 17, udp(c, s, sp, 10095, b"VLANPAY")), vlan=100 + i)])
case(2095, 'alert udp any any -> any 10095 (msg:"vlan"; content:"VLANPAY"; sid:2095; rev:1;)',
     flows, 3)
# IP-only rule (address list, no options)
flows = []
for i in range(3):
    f = TcpFlow("203.0.113.%d" % (i + 1), "10.9.9.9", 40000 + i, 80)
    flows.append(f.handshake())
case(2096, 'alert ip [203.0.113.1,203.0.113.2,203.0.113.77] any -> $HOME_NET any '
     '(msg:"listed host"; sid:2096; rev:1;)', flows, 3 + 2)   # 3 client packets of .1/.2 flows
# thresholds: limit 1 per src per 60 s, and detection_filter after 3
flows = []
c, s, sp = addr(2097)
f = TcpFlow(c, s, sp, 10097)
frames = f.handshake()
for i in range(5):
    frames.append(f.pkt(True, "PA", b"NOISY"))
flows.append(frames)
case(2097, 'alert tcp any any -> any 10097 (msg:"limited"; content:"NOISY"; '
     'threshold:type limit, track by_src, count 1, seconds 60; sid:2097; rev:1;)', flows, 1)
case(2098, 'alert tcp any any -> any 10097 (msg:"after 3"; content:"NOISY"; '
     'detection_filter:track by_src, count 3, seconds 60; sid:2098; rev:1;)', [], 2)

# The IP-only case: its flows are 3 handshakes; .1 and .2 are listed, 3 frames
# each from them (SYN, ACK from client -> listed as source) plus the SYN-ACK
# goes the other way (listed host as destination: no, rule is src -> dst).
exp_2096 = 0
for i in range(3):
    if i + 1 in (1, 2):
        exp_2096 += 2      # SYN and ACK leave the listed host
cases[[x[0] for x in cases].index(2096)] = (2096, cases[[x[0] for x in cases].index(2096)][1],
                                             cases[[x[0] for x in cases].index(2096)][2], exp_2096)

# --- write -----------------------------------------------------------------------
all_flows = [fr for (_, _, flows, _) in cases for fr in flows]
frames = interleave(all_flows)
write_pcap(os.path.join(out, "detect.pcap"), frames)

with open(os.path.join(out, "detect.rules"), "w") as f:
    f.write("# generated by tests/e2e/mkdetect.py\n")
    for sid, rule, _, _ in cases:
        f.write(rule + "\n")
with open(os.path.join(out, "expected.tsv"), "w") as f:
    for sid, _, _, n in sorted(cases):
        f.write("%d %d\n" % (sid, n))
print("mkdetect: %d rules, %d packets" % (len(cases), len(frames)))
