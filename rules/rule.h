/*
 * rule.h - the parsed form of one Snort 2.9 / Snort 3 signature rule.
 *
 * The parser (rules/parse.c and the kw_*.c keyword families) turns rule text
 * into these structs; the matcher (detect/) evaluates them.  Everything a
 * matcher needs is resolved at parse time: variables are expanded, address
 * and port lists are flattened into sorted disjoint ranges (so a membership
 * test is a binary search), content strings are decoded to bytes, pcre
 * patterns are compiled once with PCRE2, and classtype is looked up to a
 * category and priority.  One struct per concept; a rule owns all memory it
 * points to (rule_free releases it) except `file`, which belongs to the
 * rule set that loaded it.
 *
 * Option order is kept: rule_t.opts lists the detection options in the order
 * they were written, because relative options (distance, within, R, relative)
 * depend on the option before them.  Meta options (msg, sid, classtype, ...)
 * fill rule_t fields instead of becoming options.
 */
#ifndef RULE_RULE_H
#define RULE_RULE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rules/kw_list.h"

struct pcre2_real_code_8; /* pcre2_code from <pcre2.h>, 8-bit */

/* ---- header ---------------------------------------------------------- */

typedef enum rule_action {
    RULE_ACTION_ALERT,
    RULE_ACTION_LOG,
    RULE_ACTION_PASS,
    RULE_ACTION_DROP,   /* inline: drop + alert; IDS mode: alert */
    RULE_ACTION_REJECT, /* inline: drop + reset/unreachable + alert */
    RULE_ACTION_SDROP,  /* inline: drop silently */
} rule_action_t;

/* Protocol from the header.  A Snort 3 service header (`alert http (...)`)
 * sets proto to the transport the service runs on when that is fixed (TCP
 * for http, smtp, ...), RULE_PROTO_IP otherwise, and names the service in
 * rule_t.header_service. */
typedef enum rule_proto {
    RULE_PROTO_IP,   /* any IP packet */
    RULE_PROTO_TCP,
    RULE_PROTO_UDP,
    RULE_PROTO_ICMP, /* ICMP and ICMPv6 */
} rule_proto_t;

typedef enum rule_dir {
    RULE_DIR_TO,   /* src -> dst */
    RULE_DIR_BOTH, /* src <> dst: either direction */
} rule_dir_t;

typedef unsigned __int128 rule_u128_t;

/* Inclusive IPv4 range, host byte order. */
typedef struct rule_ip4_range {
    uint32_t lo, hi;
} rule_ip4_range_t;

/* Inclusive IPv6 range; the 16 address bytes read as one big-endian number. */
typedef struct rule_ip6_range {
    rule_u128_t lo, hi;
} rule_ip6_range_t;

/*
 * An address set after variables, nesting and negation are resolved: the
 * sorted, disjoint, non-adjacent ranges of addresses that match, per family.
 * [10.0.0.0/8,![10.1.0.0/16,10.2.0.0/16]] becomes the three v4 ranges of
 * 10/8 minus the two /16s and no v6 range.  A matcher tests membership with
 * a binary search (rule_addrset_has4/6) or builds its own LPM structure
 * from the ranges.
 */
typedef struct rule_addrset {
    rule_ip4_range_t *v4;  /* sorted by lo; NULL when n4 == 0 */
    rule_ip6_range_t *v6;  /* sorted by lo; NULL when n6 == 0 */
    uint32_t n4, n6;
    bool any;              /* every v4 and v6 address matches */
    bool negated;          /* written form started with '!' (informational;
                            * the ranges already include the negation) */
} rule_addrset_t;

/* Inclusive port range. */
typedef struct rule_port_range {
    uint16_t lo, hi;
} rule_port_range_t;

/* A port set, flattened like rule_addrset_t: sorted disjoint ranges. */
typedef struct rule_portset {
    rule_port_range_t *r;  /* sorted by lo; NULL when n == 0 */
    uint32_t n;
    bool any;              /* all of 0..65535 */
    bool negated;          /* written form started with '!' */
} rule_portset_t;

/* ---- option building blocks ------------------------------------------ */

/* Which inspection buffer a content, pcre, byte_* or length check reads.
 * Snort 2 selects it with a modifier after the content (content:"x";
 * http_uri;), Snort 3 with a sticky keyword before it (http_uri;
 * content:"x";); both end up here. */
typedef enum rule_buffer {
    RULE_BUF_PKT,            /* normalized packet / reassembled stream data */
    RULE_BUF_RAW,            /* raw_data, rawbytes: undecoded payload */
    RULE_BUF_FILE_DATA,      /* file_data: HTTP response body, SMTP/POP/IMAP file */
    RULE_BUF_HTTP_URI,
    RULE_BUF_HTTP_RAW_URI,
    RULE_BUF_HTTP_HEADER,
    RULE_BUF_HTTP_RAW_HEADER,
    RULE_BUF_HTTP_METHOD,
    RULE_BUF_HTTP_COOKIE,
    RULE_BUF_HTTP_RAW_COOKIE,
    RULE_BUF_HTTP_CLIENT_BODY,
    RULE_BUF_HTTP_RAW_BODY,
    RULE_BUF_HTTP_STAT_CODE,
    RULE_BUF_HTTP_STAT_MSG,
    RULE_BUF_HTTP_RAW_REQUEST,
    RULE_BUF_HTTP_RAW_STATUS,
    RULE_BUF_HTTP_VERSION,
    RULE_BUF_HTTP_TRUE_IP,
    RULE_BUF_COUNT
} rule_buffer_t;

/* Maximum byte_extract variables per rule (Snort 3 allows 8). */
#define RULE_MAX_BYTE_VARS 8

/* A number that is either a literal or a byte_extract variable of the
 * same rule (content:"x"; within:len;).  var is -1 for a literal, else the
 * index into rule_t.byte_vars; value is then unused. */
typedef struct rule_num {
    int64_t value;
    int8_t var;
} rule_num_t;

typedef enum rule_cmp_op {
    RULE_CMP_EQ,       /* x == lo */
    RULE_CMP_NE,       /* x != lo */
    RULE_CMP_LT,       /* x <  lo */
    RULE_CMP_LE,       /* x <= lo */
    RULE_CMP_GT,       /* x >  lo */
    RULE_CMP_GE,       /* x >= lo */
    RULE_CMP_RANGE_EX, /* lo <  x <  hi   (Snort 3 a<>b) */
    RULE_CMP_RANGE_IN, /* lo <= x <= hi   (a<=>b, Snort 2 a<>b, ttl:a-b) */
} rule_cmp_op_t;

/* A numeric comparison: dsize, ttl, tos, id, itype, icode, icmp_id,
 * icmp_seq, seq, ack, window, fragoffset, ip_proto, urilen, bufferlen. */
typedef struct rule_cmp {
    rule_cmp_op_t op;
    uint32_t lo, hi;
} rule_cmp_t;

/* ---- typed options --------------------------------------------------- */

/* content / uricontent with every modifier that applies to it. */
typedef struct rule_content {
    uint8_t *pat;           /* decoded bytes (|hex| and escapes resolved) */
    uint32_t len;
    rule_buffer_t buffer;
    bool negated;           /* content:!"x" */
    bool nocase;
    bool rawbytes;
    bool has_offset, has_depth, has_distance, has_within;
    rule_num_t offset, depth, distance, within;
    bool fast_pattern;      /* declared fast_pattern */
    bool fp_only;           /* fast_pattern:only */
    bool fp_part;           /* fast_pattern:offset,length */
    uint16_t fp_offset, fp_length;
} rule_content_t;

/* pcre flags that are not PCRE2 compile options. */
#define RULE_PCRE_RELATIVE  0x01u /* R: start after the previous match */
#define RULE_PCRE_RAWBYTES  0x02u /* B */
#define RULE_PCRE_OVERRIDE  0x04u /* O: ignore the match limits */

typedef struct rule_pcre {
    char *pattern;          /* text between the slashes, as written */
    uint32_t compile_opts;  /* PCRE2_CASELESS (i), DOTALL (s), MULTILINE (m),
                             * EXTENDED (x), ANCHORED (A), DOLLAR_ENDONLY (E),
                             * UNGREEDY (G) */
    uint32_t flags;         /* RULE_PCRE_* */
    rule_buffer_t buffer;   /* sticky buffer or U I P H D M C K S Y flag */
    bool negated;
    struct pcre2_real_code_8 *code; /* compiled (no JIT yet); owned */
} rule_pcre_t;

/* flow: bit set of the words given. */
#define RULE_FLOW_TO_SERVER       0x001u /* also from_client */
#define RULE_FLOW_TO_CLIENT       0x002u /* also from_server */
#define RULE_FLOW_ESTABLISHED     0x004u
#define RULE_FLOW_NOT_ESTABLISHED 0x008u
#define RULE_FLOW_STATELESS       0x010u
#define RULE_FLOW_ONLY_STREAM     0x020u /* only reassembled data */
#define RULE_FLOW_NO_STREAM       0x040u /* only packets, not rebuilt data */
#define RULE_FLOW_ONLY_FRAG       0x080u
#define RULE_FLOW_NO_FRAG         0x100u

typedef struct rule_flow {
    uint32_t flags;
} rule_flow_t;

typedef enum rule_fb_op {
    RULE_FB_SET, RULE_FB_SETX, RULE_FB_UNSET, RULE_FB_TOGGLE,
    RULE_FB_ISSET, RULE_FB_ISNOTSET, RULE_FB_NOALERT, RULE_FB_RESET,
} rule_fb_op_t;

typedef enum rule_fb_join {
    RULE_FB_ONE, /* a single bit */
    RULE_FB_ALL, /* a&b&c: every bit (isset: all set; set: set all) */
    RULE_FB_ANY, /* a|b|c: any bit (only for isset / isnotset) */
} rule_fb_join_t;

/* flowbits.  Names are kept as written; the rule set also interns them
 * into small integers (ids) that a matcher uses as bit numbers. */
typedef struct rule_flowbits {
    rule_fb_op_t op;
    rule_fb_join_t join;
    uint32_t n;             /* number of names (0 for noalert / reset) */
    char **names;
    uint32_t *ids;          /* filled by the rule set loader; NULL before */
    char *group;            /* setx/reset group name, NULL when none */
} rule_flowbits_t;

/* flags (TCP) and fragbits (IP) share one shape. */
typedef enum rule_bits_mode {
    RULE_BITS_EXACT, /* exactly these (outside the ignore mask) */
    RULE_BITS_ALL,   /* '+': these and maybe others */
    RULE_BITS_ANY,   /* '*': any of these */
    RULE_BITS_NOT,   /* '!': none of these */
} rule_bits_mode_t;

/* TCP flag bits as in the header byte: FIN 0x01 ... CWR 0x80. */
typedef struct rule_bits {
    rule_bits_mode_t mode;
    uint8_t bits;           /* the bits tested */
    uint8_t ignore;         /* flags:S,12 -> bits ignored in the compare */
} rule_bits_t;

/* fragbits bits (as in the IPv4 flags field >> 13). */
#define RULE_FRAG_RESERVED 0x4u
#define RULE_FRAG_DF       0x2u
#define RULE_FRAG_MF       0x1u

typedef enum rule_ipopt {
    RULE_IPOPT_RR = 7, RULE_IPOPT_EOL = 0, RULE_IPOPT_NOP = 1,
    RULE_IPOPT_TS = 68, RULE_IPOPT_SEC = 130, RULE_IPOPT_ESEC = 133,
    RULE_IPOPT_LSRR = 131, RULE_IPOPT_SSRR = 137, RULE_IPOPT_SATID = 136,
    RULE_IPOPT_LSRRE = 1131,  /* lsrr or ssrr as exposed by Snort */
    RULE_IPOPT_ANY = 1000,    /* any option present */
} rule_ipopt_t;

typedef struct rule_ipopts {
    rule_ipopt_t opt;
} rule_ipopts_t;

/* Number encodings shared by byte_test / byte_jump / byte_extract. */
typedef enum rule_byte_base {
    RULE_BYTE_BINARY = 0, /* raw bytes */
    RULE_BYTE_DEC = 10,   /* string, dec */
    RULE_BYTE_HEX = 16,   /* string, hex */
    RULE_BYTE_OCT = 8,    /* string, oct */
} rule_byte_base_t;

typedef enum rule_endian {
    RULE_ENDIAN_BIG,      /* default */
    RULE_ENDIAN_LITTLE,
    RULE_ENDIAN_DCE,      /* from the DCE/RPC header */
} rule_endian_t;

/* Fields common to byte_test, byte_jump and byte_extract. */
typedef struct rule_byte_common {
    uint8_t nbytes;          /* 1..10 (string) or 1,2,3,4,8 (binary) */
    rule_num_t offset;
    bool relative;
    rule_endian_t endian;
    rule_byte_base_t base;
    uint32_t bitmask;        /* 0 = none */
    rule_buffer_t buffer;    /* current sticky buffer */
} rule_byte_common_t;

typedef enum rule_byte_op {
    RULE_BYTE_LT, RULE_BYTE_GT, RULE_BYTE_EQ, RULE_BYTE_LE, RULE_BYTE_GE,
    RULE_BYTE_AND,  /* '&': value & operand != 0 */
    RULE_BYTE_XOR,  /* '^': value ^ operand != 0 */
} rule_byte_op_t;

typedef struct rule_byte_test {
    rule_byte_common_t c;
    rule_byte_op_t op;
    bool negated;            /* '!' before the operator ('!' alone = !=) */
    rule_num_t value;
} rule_byte_test_t;

typedef struct rule_byte_jump {
    rule_byte_common_t c;
    uint32_t multiplier;     /* 1 when absent */
    bool align;              /* round up to 4 */
    bool from_beginning;
    bool from_end;
    int32_t post_offset;
} rule_byte_jump_t;

typedef struct rule_byte_extract {
    rule_byte_common_t c;
    uint32_t multiplier;
    uint8_t align;           /* 0, 2 or 4 */
    int8_t var;              /* index into rule_t.byte_vars it defines */
} rule_byte_extract_t;

typedef struct rule_isdataat {
    rule_num_t size;
    bool negated;
    bool relative;
    bool rawbytes;
    rule_buffer_t buffer;
} rule_isdataat_t;

/* urilen / bufferlen: a length check on a buffer. */
typedef struct rule_len {
    rule_cmp_t cmp;
    rule_buffer_t buffer;
    bool raw;                /* urilen:...,raw: the unnormalized URI */
    bool relative;           /* bufferlen:...,relative (Snort 3) */
} rule_len_t;

/*
 * One detection option, in rule order.  kw says which member of u is
 * valid:
 *   CONTENT, URICONTENT           -> content
 *   PCRE                          -> pcre
 *   FLOW                          -> flow
 *   FLOWBITS                      -> flowbits
 *   FLAGS, FRAGBITS               -> bits
 *   IPOPTS                        -> ipopts
 *   BYTE_TEST / BYTE_JUMP / BYTE_EXTRACT / ISDATAAT -> the same name
 *   URILEN, BUFFERLEN             -> len
 *   SAMEIP                        -> (no data)
 *   TTL TOS ID FRAGOFFSET IP_PROTO DSIZE SEQ ACK WINDOW ITYPE ICODE
 *   ICMP_ID ICMP_SEQ              -> cmp
 * Modifiers (nocase, depth, http_uri, fast_pattern, ...) and sticky buffer
 * keywords never appear here: they are folded into the content, pcre,
 * byte_* or length option they apply to (its `buffer` field).
 */
typedef struct rule_opt {
    rule_kw_t kw;
    union {
        rule_content_t content;
        rule_pcre_t pcre;
        rule_flow_t flow;
        rule_flowbits_t flowbits;
        rule_bits_t bits;
        rule_ipopts_t ipopts;
        rule_byte_test_t byte_test;
        rule_byte_jump_t byte_jump;
        rule_byte_extract_t byte_extract;
        rule_isdataat_t isdataat;
        rule_len_t len;
        rule_cmp_t cmp;
    } u;
} rule_opt_t;

/* ---- rule-level metadata --------------------------------------------- */

/* reference:system,id -- the URL prefix comes from reference.config. */
typedef struct rule_reference {
    char *system;
    char *id;
} rule_reference_t;

/* metadata:key value, key value -- kept as pairs (value may be ""). */
typedef struct rule_meta {
    char *key;
    char *value;
} rule_meta_t;

typedef enum rule_track {
    RULE_TRACK_NONE, RULE_TRACK_SRC, RULE_TRACK_DST, RULE_TRACK_RULE,
} rule_track_t;

typedef enum rule_thresh_type {
    RULE_THRESH_NONE,      /* no threshold option */
    RULE_THRESH_LIMIT,
    RULE_THRESH_THRESHOLD,
    RULE_THRESH_BOTH,
    RULE_THRESH_DETECTION, /* detection_filter */
} rule_thresh_type_t;

/* threshold and detection_filter. */
typedef struct rule_threshold {
    rule_thresh_type_t type;
    rule_track_t track;
    uint32_t count;
    uint32_t seconds;
} rule_threshold_t;

typedef enum rule_tag_type { RULE_TAG_NONE, RULE_TAG_SESSION, RULE_TAG_HOST } rule_tag_type_t;
typedef enum rule_tag_unit { RULE_TAG_PACKETS, RULE_TAG_SECONDS, RULE_TAG_BYTES } rule_tag_unit_t;

typedef struct rule_tag {
    rule_tag_type_t type;
    uint32_t count;          /* 0 = Snort's default */
    rule_tag_unit_t unit;
    rule_track_t track;      /* host tags: src or dst */
} rule_tag_t;

/* ---- the rule -------------------------------------------------------- */

typedef struct rule {
    rule_action_t action;
    rule_proto_t proto;
    char *header_service;        /* Snort 3 `alert http (...)`: "http"; else NULL */
    rule_addrset_t src, dst;
    rule_portset_t sport, dport;
    rule_dir_t dir;

    uint32_t gid;                /* 1 when absent */
    uint32_t sid;                /* 0 when absent (the loader rejects that) */
    uint32_t rev;                /* 1 when absent */
    char *msg;                   /* unescaped; "" when absent */
    char *classtype;             /* short name, NULL when absent */
    char *category;              /* classtype's description, NULL when absent */
    uint32_t priority;           /* priority option, else classtype's, else 0 */

    rule_reference_t *refs;
    uint32_t nrefs;
    rule_meta_t *meta;
    uint32_t nmeta;
    char **services;             /* service option, metadata service, header */
    uint32_t nservices;

    rule_opt_t *opts;            /* detection options in written order */
    uint32_t nopts;

    char *byte_vars[RULE_MAX_BYTE_VARS]; /* byte_extract names, by index */
    uint32_t nbyte_vars;

    rule_threshold_t threshold;  /* type NONE when absent */
    rule_threshold_t detection_filter;
    rule_tag_t tag;
    bool noalert;                /* flowbits:noalert */
    uint8_t dialect;             /* 2 or 3: syntax the rule was read as */

    const char *file;            /* owned by the rule set; NULL otherwise */
    uint32_t line;               /* first line of the rule in file */
} rule_t;

/* Free a rule and everything it owns (NULL-safe). */
void rule_free(rule_t *r);

/* Membership tests: addresses in host order (v4) / network byte array (v6). */
bool rule_addrset_has4(const rule_addrset_t *s, uint32_t addr);
bool rule_addrset_has6(const rule_addrset_t *s, const uint8_t addr[16]);
bool rule_portset_has(const rule_portset_t *s, uint16_t port);

/* Release the ranges of a set (the struct itself is not freed). */
void rule_addrset_clear(rule_addrset_t *s);
void rule_portset_clear(rule_portset_t *s);

/* Human-readable names (static strings). */
const char *rule_kw_name(rule_kw_t kw);
const char *rule_buffer_name(rule_buffer_t b);
const char *rule_action_name(rule_action_t a);
const char *rule_proto_name(rule_proto_t p);

#endif
