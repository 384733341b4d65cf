/*
 * kw_list.h - the one list of rule keywords (an X-macro).
 *
 * Every keyword the parser knows is one row here: its enum suffix, its name as
 * written in a rule, its handler, and the family file that implements the
 * handler.  rule.h expands the list into enum rule_kw (so a rule option's type
 * is the keyword that produced it) and kw_table.c expands it into the lookup
 * table of {name, handler}.  Adding a keyword is one row here plus a handler in
 * its family file; nothing else has to be kept in step.
 *
 * A keyword that is not in this list rejects the rule with
 * "unknown keyword 'X'".
 */
#ifndef RULE_KW_LIST_H
#define RULE_KW_LIST_H

/* X(ID, "name", handler) -- grouped by family file */
#define RULE_KEYWORDS(X)                                                    \
    /* kw_meta.c: rule identity and bookkeeping */                          \
    X(MSG,              "msg",               kw_msg)                        \
    X(SID,              "sid",               kw_sid)                        \
    X(GID,              "gid",               kw_gid)                        \
    X(REV,              "rev",               kw_rev)                        \
    X(CLASSTYPE,        "classtype",         kw_classtype)                  \
    X(PRIORITY,         "priority",          kw_priority)                   \
    X(REFERENCE,        "reference",         kw_reference)                  \
    X(METADATA,         "metadata",          kw_metadata)                   \
    X(SERVICE,          "service",           kw_service)                    \
    X(THRESHOLD,        "threshold",         kw_threshold)                  \
    X(DETECTION_FILTER, "detection_filter",  kw_detection_filter)           \
    X(TAG,              "tag",               kw_tag)                        \
    X(REM,              "rem",               kw_rem)                        \
    /* kw_content.c: content and its modifiers */                           \
    X(CONTENT,          "content",           kw_content)                    \
    X(URICONTENT,       "uricontent",        kw_uricontent)                 \
    X(NOCASE,           "nocase",            kw_nocase)                     \
    X(RAWBYTES,         "rawbytes",          kw_rawbytes)                   \
    X(OFFSET,           "offset",            kw_offset)                     \
    X(DEPTH,            "depth",             kw_depth)                      \
    X(DISTANCE,         "distance",          kw_distance)                   \
    X(WITHIN,           "within",            kw_within)                     \
    X(FAST_PATTERN,     "fast_pattern",      kw_fast_pattern)               \
    /* kw_pcre.c */                                                         \
    X(PCRE,             "pcre",              kw_pcre)                       \
    /* kw_flow.c */                                                         \
    X(FLOW,             "flow",              kw_flow)                       \
    X(FLOWBITS,         "flowbits",          kw_flowbits)                   \
    /* kw_ip.c */                                                           \
    X(TTL,              "ttl",               kw_ttl)                        \
    X(TOS,              "tos",               kw_tos)                        \
    X(ID,               "id",                kw_id)                         \
    X(IPOPTS,           "ipopts",            kw_ipopts)                     \
    X(FRAGBITS,         "fragbits",          kw_fragbits)                   \
    X(FRAGOFFSET,       "fragoffset",        kw_fragoffset)                 \
    X(IP_PROTO,         "ip_proto",          kw_ip_proto)                   \
    X(SAMEIP,           "sameip",            kw_sameip)                     \
    X(DSIZE,            "dsize",             kw_dsize)                      \
    /* kw_tcp.c */                                                          \
    X(FLAGS,            "flags",             kw_flags)                      \
    X(SEQ,              "seq",               kw_seq)                        \
    X(ACK,              "ack",               kw_ack)                        \
    X(WINDOW,           "window",            kw_window)                     \
    /* kw_icmp.c */                                                         \
    X(ITYPE,            "itype",             kw_itype)                      \
    X(ICODE,            "icode",             kw_icode)                      \
    X(ICMP_ID,          "icmp_id",           kw_icmp_id)                    \
    X(ICMP_SEQ,         "icmp_seq",          kw_icmp_seq)                   \
    /* kw_byte.c */                                                         \
    X(BYTE_TEST,        "byte_test",         kw_byte_test)                  \
    X(BYTE_JUMP,        "byte_jump",         kw_byte_jump)                  \
    X(BYTE_EXTRACT,     "byte_extract",      kw_byte_extract)               \
    X(ISDATAAT,         "isdataat",          kw_isdataat)                   \
    /* kw_http.c: buffer selection (Snort 2 modifier / Snort 3 sticky) */   \
    X(HTTP_URI,         "http_uri",          kw_buffer)                     \
    X(HTTP_RAW_URI,     "http_raw_uri",      kw_buffer)                     \
    X(HTTP_HEADER,      "http_header",       kw_buffer)                     \
    X(HTTP_RAW_HEADER,  "http_raw_header",   kw_buffer)                     \
    X(HTTP_METHOD,      "http_method",       kw_buffer)                     \
    X(HTTP_COOKIE,      "http_cookie",       kw_buffer)                     \
    X(HTTP_RAW_COOKIE,  "http_raw_cookie",   kw_buffer)                     \
    X(HTTP_CLIENT_BODY, "http_client_body",  kw_buffer)                     \
    X(HTTP_RAW_BODY,    "http_raw_body",     kw_buffer)                     \
    X(HTTP_STAT_CODE,   "http_stat_code",    kw_buffer)                     \
    X(HTTP_STAT_MSG,    "http_stat_msg",     kw_buffer)                     \
    X(HTTP_RAW_REQUEST, "http_raw_request",  kw_buffer)                     \
    X(HTTP_RAW_STATUS,  "http_raw_status",   kw_buffer)                     \
    X(HTTP_VERSION,     "http_version",      kw_buffer)                     \
    X(HTTP_TRUE_IP,     "http_true_ip",      kw_buffer)                     \
    X(FILE_DATA,        "file_data",         kw_buffer)                     \
    X(PKT_DATA,         "pkt_data",          kw_buffer)                     \
    X(RAW_DATA,         "raw_data",          kw_buffer)                     \
    X(URILEN,           "urilen",            kw_urilen)                     \
    X(BUFFERLEN,        "bufferlen",         kw_bufferlen)

/* One enum value per keyword: RULE_KW_CONTENT, RULE_KW_PCRE, ... */
typedef enum rule_kw {
#define RULE_KW_ENUM_(id, name, fn) RULE_KW_##id,
    RULE_KEYWORDS(RULE_KW_ENUM_)
#undef RULE_KW_ENUM_
    RULE_KW_COUNT
} rule_kw_t;

#endif
