/*
 * kw_table.c - the keyword table: one row per keyword in kw_list.h, mapping
 * the name written in a rule to its handler.
 *
 * The table is const and generated from the same X-macro as enum rule_kw,
 * so the enum value of a keyword is its row index.  Lookup is a linear scan
 * that compares the length and first byte before the name; with about 70
 * rows this costs less than splitting the option did, and needs no mutable
 * index.
 */
#include "rules/kw.h"

#include <string.h>

static const kw_entry_t kw_table[RULE_KW_COUNT] = {
#define KW_ROW_(id, name, fn) [RULE_KW_##id] = { name, fn },
    RULE_KEYWORDS(KW_ROW_)
#undef KW_ROW_
};

static const unsigned char kw_len[RULE_KW_COUNT] = {
#define KW_LEN_(id, name, fn) [RULE_KW_##id] = sizeof(name) - 1,
    RULE_KEYWORDS(KW_LEN_)
#undef KW_LEN_
};

int kw_lookup(const char *name, size_t len)
{
    for (int i = 0; i < RULE_KW_COUNT; i++) {
        if (kw_len[i] == len && kw_table[i].name[0] == name[0] &&
            memcmp(kw_table[i].name, name, len) == 0)
            return i;
    }
    return -1;
}

const kw_entry_t *kw_entry(int idx)
{
    return &kw_table[idx];
}

const char *rule_kw_name(rule_kw_t kw)
{
    return (unsigned)kw < RULE_KW_COUNT ? kw_table[kw].name : "?";
}

const char *rule_buffer_name(rule_buffer_t b)
{
    static const char *const names[RULE_BUF_COUNT] = {
        [RULE_BUF_PKT] = "pkt_data",
        [RULE_BUF_RAW] = "raw_data",
        [RULE_BUF_FILE_DATA] = "file_data",
        [RULE_BUF_HTTP_URI] = "http_uri",
        [RULE_BUF_HTTP_RAW_URI] = "http_raw_uri",
        [RULE_BUF_HTTP_HEADER] = "http_header",
        [RULE_BUF_HTTP_RAW_HEADER] = "http_raw_header",
        [RULE_BUF_HTTP_METHOD] = "http_method",
        [RULE_BUF_HTTP_COOKIE] = "http_cookie",
        [RULE_BUF_HTTP_RAW_COOKIE] = "http_raw_cookie",
        [RULE_BUF_HTTP_CLIENT_BODY] = "http_client_body",
        [RULE_BUF_HTTP_RAW_BODY] = "http_raw_body",
        [RULE_BUF_HTTP_STAT_CODE] = "http_stat_code",
        [RULE_BUF_HTTP_STAT_MSG] = "http_stat_msg",
        [RULE_BUF_HTTP_RAW_REQUEST] = "http_raw_request",
        [RULE_BUF_HTTP_RAW_STATUS] = "http_raw_status",
        [RULE_BUF_HTTP_VERSION] = "http_version",
        [RULE_BUF_HTTP_TRUE_IP] = "http_true_ip",
    };
    return (unsigned)b < RULE_BUF_COUNT ? names[b] : "?";
}

const char *rule_action_name(rule_action_t a)
{
    static const char *const names[] = { "alert", "log", "pass",
                                         "drop", "reject", "sdrop" };
    return (unsigned)a < sizeof(names) / sizeof(names[0]) ? names[a] : "?";
}

const char *rule_proto_name(rule_proto_t p)
{
    static const char *const names[] = { "ip", "tcp", "udp", "icmp" };
    return (unsigned)p < sizeof(names) / sizeof(names[0]) ? names[p] : "?";
}
