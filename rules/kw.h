/*
 * kw.h - what keyword handlers share: the parse state, the handler type,
 * the table lookup and common argument parsers.  Internal to rules/.
 *
 * The parser (parse.c) splits a rule's option list into name/value pairs and
 * calls the handler of each name from the keyword table (kw_table.c, rows
 * from kw_list.h).  A handler reads its value, appends a typed option to the
 * rule or modifies the last content (modifiers), and returns 0, or fills
 * st->err and returns -1, which rejects the rule.
 */
#ifndef RULE_KW_H
#define RULE_KW_H

#include "rules/rule.h"
#include "rules/ruleset.h"
#include "rules/util.h"
#include "sensor/err.h"

typedef struct kw_state {
    rule_t *rule;
    const rule_parse_ctx_t *ctx;
    int dialect;             /* 2 or 3, decided before options are read */
    rule_buffer_t sticky;    /* buffer selected by the last sticky keyword */
    int last_content;        /* index in rule->opts, -1 when none */
    int last_pm;             /* last content or pcre (for relative checks) */
    bool seen_fast_pattern;
    bool explicit_priority;  /* priority: given; classtype must not override */
    ws_err_t *err;
} kw_state_t;

/* value is the text after ':' (trimmed, modifiable), NULL when the keyword
 * was written without one. */
typedef int (*kw_handler_t)(kw_state_t *st, rule_kw_t kw, char *value);

typedef struct kw_entry {
    const char *name;
    kw_handler_t handler;
} kw_entry_t;

/* Table row for the keyword named by the len bytes at name, or -1. */
int kw_lookup(const char *name, size_t len);
const kw_entry_t *kw_entry(int idx);

/* Handler prototypes, one per table row. */
#define KW_PROTO_(id, name, fn) int fn(kw_state_t *st, rule_kw_t kw, char *value);
RULE_KEYWORDS(KW_PROTO_)
#undef KW_PROTO_

/* ---- helpers (kw_util.c) ---- */

/* Append a zeroed option of type kw; NULL (err set) on allocation failure.
 * The pointer is valid until the next kw_new_opt. */
rule_opt_t *kw_new_opt(kw_state_t *st, rule_kw_t kw);

/* The content the modifier kw applies to, or NULL with err set. */
rule_content_t *kw_last_content(kw_state_t *st, rule_kw_t kw);

/* Fail unless value is NULL / non-NULL. */
int kw_no_value(kw_state_t *st, rule_kw_t kw, const char *value);
int kw_need_value(kw_state_t *st, rule_kw_t kw, const char *value);

/* A literal integer in [min, max] or the name of a byte_extract variable. */
int kw_num_or_var(kw_state_t *st, rule_kw_t kw, const char *s, int64_t min,
                  int64_t max, rule_num_t *out);

/* Comparison syntax: N, =N, !N, !=N, <N, <=N, >N, >=N, A<>B, A<=>B and, when
 * dash is set, the Snort 2 ttl forms A-B, -B, A-. */
int kw_parse_cmp(kw_state_t *st, rule_kw_t kw, const char *s, uint32_t max,
                 bool dash, rule_cmp_t *out);

/* Strip surrounding quotes and resolve \" \\ \; \: escapes: malloc'd. */
int kw_unquote(kw_state_t *st, rule_kw_t kw, const char *s, char **out);

/* Shorthand: fill st->err with "<keyword>: <message>" and return -1. */
int kw_fail(kw_state_t *st, rule_kw_t kw, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* flags / fragbits: letters from chars (bit values in vals), with mode
 * characters + * ! anywhere and an optional ",mask" of ignored letters. */
int kw_parse_bits(kw_state_t *st, rule_kw_t kw, char *s, const char *chars,
                  const uint8_t *vals, rule_bits_t *out);

/* Buffer a byte_test/jump/extract or isdataat option reads: in Snort 2 a relative one follows
 * the buffer of the content or pcre before it; otherwise the sticky one. */
rule_buffer_t kw_cur_buffer(const kw_state_t *st, bool relative);

/* file_data, pkt_data, raw_data: sticky in both dialects (kw_http.c). */
bool kw_is_sticky_always(rule_kw_t kw);

/* Append s to a malloc'd string array (services). */
int kw_add_service(kw_state_t *st, const char *s, size_t len);

#endif
