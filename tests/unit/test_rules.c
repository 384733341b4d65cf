/*
 * test_rules.c - the rule front end outside the keywords: rule headers,
 * address and port sets (parsing, nesting, negation, variables, membership
 * queries), the variable table, the classification and reference loaders,
 * and the file loader with its reject report (`file:line: sid N: reason`,
 * then `rules: N loaded, M rejected`).  Keyword families are tested in
 * test_rules_kw.c.
 *
 * Fixture files live in tests/unit/data/rules/ (found relative to this
 * source file, or through $WS_RULES_TESTDATA).
 */
#include <arpa/inet.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "rules/classify.h"
#include "rules/ruleset.h"
#include "rules/sets.h"
#include "rules/vars.h"

static const char *data_path(const char *name)
{
    static char buf[1024];
    const char *env = getenv("WS_RULES_TESTDATA");
    if (env != NULL) {
        snprintf(buf, sizeof(buf), "%s/%s", env, name);
        return buf;
    }
    const char *file = __FILE__;
    const char *slash = strrchr(file, '/');
    int dirlen = slash ? (int)(slash - file + 1) : 0;
    snprintf(buf, sizeof(buf), "%.*sdata/rules/%s", dirlen, file, name);
    return buf;
}

/* ---- headers --------------------------------------------------------- */

typedef struct hdr_case {
    const char *text;
    const char *error;      /* NULL: loads */
    rule_action_t action;
    rule_proto_t proto;
    rule_dir_t dir;
    const char *service;    /* header service or NULL */
} hdr_case_t;

static const hdr_case_t hdr_cases[] = {
    { "alert tcp any any -> any any (sid:1;)", NULL, RULE_ACTION_ALERT,
      RULE_PROTO_TCP, RULE_DIR_TO, NULL },
    { "log udp any any <> any 53 (sid:1;)", NULL, RULE_ACTION_LOG,
      RULE_PROTO_UDP, RULE_DIR_BOTH, NULL },
    { "pass icmp any any -> any any (sid:1;)", NULL, RULE_ACTION_PASS,
      RULE_PROTO_ICMP, RULE_DIR_TO, NULL },
    { "drop ip any any -> any any (sid:1;)", NULL, RULE_ACTION_DROP,
      RULE_PROTO_IP, RULE_DIR_TO, NULL },
    { "reject tcp any any -> any any (sid:1;)", NULL, RULE_ACTION_REJECT,
      RULE_PROTO_TCP, RULE_DIR_TO, NULL },
    { "sdrop tcp any any -> any any (sid:1;)", NULL, RULE_ACTION_SDROP,
      RULE_PROTO_TCP, RULE_DIR_TO, NULL },
    { "alert http (msg:\"svc\"; sid:1;)", NULL, RULE_ACTION_ALERT,
      RULE_PROTO_TCP, RULE_DIR_TO, "http" },
    { "alert file (sid:1;)", NULL, RULE_ACTION_ALERT, RULE_PROTO_IP,
      RULE_DIR_TO, "file" },
    { "alert dns (sid:1;)", NULL, RULE_ACTION_ALERT, RULE_PROTO_IP,
      RULE_DIR_TO, "dns" },
    { "  alert   tcp  [10.0.0.1, 10.0.0.2]  [80, 443]  ->  any  any  ( sid:1 ; ) ",
      NULL, RULE_ACTION_ALERT, RULE_PROTO_TCP, RULE_DIR_TO, NULL },
    { "alert tcp $HOME_NET any -> $EXTERNAL_NET $HTTP_PORTS (sid:1;)", NULL,
      RULE_ACTION_ALERT, RULE_PROTO_TCP, RULE_DIR_TO, NULL },
    { "warn tcp any any -> any any (sid:1;)", "unknown action 'warn'", 0, 0, 0,
      NULL },
    { "alert tdp any any -> any any (sid:1;)", "unknown protocol 'tdp'", 0, 0,
      0, NULL },
    { "alert tcp any any => any any (sid:1;)", "bad direction '=>'", 0, 0, 0,
      NULL },
    { "alert tcp any any -> any (sid:1;)", "incomplete rule header", 0, 0, 0,
      NULL },
    { "alert tcp any any -> any any sid:1;", "option list", 0, 0, 0, NULL },
    { "alert tcp any any -> any any (sid:1;) junk", "after the closing", 0, 0,
      0, NULL },
    { "alert tcp any any -> any any extra (sid:1;)", "expected '('", 0, 0, 0,
      NULL },
    { "alert tcp 10.0.0.256 any -> any any (sid:1;)", "bad address", 0, 0, 0,
      NULL },
    { "alert tcp any 70000 -> any any (sid:1;)", "bad port '70000'", 0, 0, 0,
      NULL },
    { "alert tcp any 90:80 -> any any (sid:1;)", "low > high", 0, 0, 0, NULL },
    { "alert tcp !any any -> any any (sid:1;)", "matches nothing", 0, 0, 0,
      NULL },
    { "alert tcp any ![0:65535] -> any any (sid:1;)", "matches nothing", 0, 0,
      0, NULL },
    { "alert tcp [10.0.0.1 any -> any any (sid:1;)", "unbalanced", 0, 0, 0,
      NULL },
    { "alert tcp $NOPE any -> any any (sid:1;)", "undefined variable $NOPE",
      0, 0, 0, NULL },
};

static void test_headers(void **state)
{
    (void)state;
    rule_vars_t vars;
    ws_err_t err;
    assert_int_equal(rule_vars_init(&vars, &err), 0);
    rule_parse_ctx_t ctx = { .vars = &vars };
    for (size_t i = 0; i < sizeof(hdr_cases) / sizeof(hdr_cases[0]); i++) {
        const hdr_case_t *c = &hdr_cases[i];
        rule_t *r = NULL;
        uint32_t sid = 99;
        err.msg[0] = '\0';
        int rc = rule_parse(c->text, &ctx, &r, &sid, &err);
        if (c->error != NULL) {
            if (rc == 0)
                fail_msg("row %zu '%s' loaded", i, c->text);
            if (strstr(err.msg, c->error) == NULL)
                fail_msg("row %zu: '%s' lacks '%s'", i, err.msg, c->error);
            /* the sid is known even when the header is what failed */
            if (strstr(c->error, "option list") == NULL &&
                strstr(c->error, "after the closing") == NULL)
                assert_int_equal(sid, 1);
            continue;
        }
        if (rc != 0)
            fail_msg("row %zu '%s' rejected: %s", i, c->text, err.msg);
        assert_int_equal(r->action, c->action);
        assert_int_equal(r->proto, c->proto);
        assert_int_equal(r->dir, c->dir);
        if (c->service == NULL) {
            assert_null(r->header_service);
        } else {
            assert_string_equal(r->header_service, c->service);
            assert_int_equal(r->nservices, 1);
            assert_string_equal(r->services[0], c->service);
            assert_true(r->src.any && r->dst.any && r->sport.any &&
                        r->dport.any);
        }
        assert_int_equal(sid, 1);
        rule_free(r);
    }
    rule_vars_free(&vars);
}

/* ---- address and port sets ------------------------------------------- */

typedef struct addr_case {
    const char *set;
    const char *addr;
    bool in;
} addr_case_t;

static const addr_case_t addr_cases[] = {
    { "any", "1.2.3.4", true },
    { "any", "2001:db8::1", true },
    { "10.0.0.0/8", "10.255.255.255", true },
    { "10.0.0.0/8", "11.0.0.0", false },
    { "10.0.0.0/8", "::ffff:10.0.0.1", false },
    { "10.1.2.3/8", "10.9.9.9", true },          /* host bits masked */
    { "192.168.1.1", "192.168.1.1", true },
    { "192.168.1.1", "192.168.1.2", false },
    { "192.168.0.0/255.255.0.0", "192.168.77.1", true },
    { "!10.0.0.0/8", "10.0.0.1", false },
    { "!10.0.0.0/8", "9.255.255.255", true },
    { "!10.0.0.0/8", "2001:db8::1", true },
    { "[10.0.0.0/8,![10.1.0.0/16,10.2.0.0/16]]", "10.3.0.1", true },
    { "[10.0.0.0/8,![10.1.0.0/16,10.2.0.0/16]]", "10.1.0.1", false },
    { "[10.0.0.0/8,![10.1.0.0/16,10.2.0.0/16]]", "10.2.255.255", false },
    { "[10.0.0.0/8,![10.1.0.0/16,10.2.0.0/16]]", "11.0.0.1", false },
    { "[![10.0.0.0/8,!10.1.0.0/16]]", "10.1.0.5", true },
    { "[![10.0.0.0/8,!10.1.0.0/16]]", "10.2.0.5", false },
    { "[![10.0.0.0/8,!10.1.0.0/16]]", "8.8.8.8", true },
    { "[1.1.1.1,2.2.2.2,3.3.3.0/24]", "3.3.3.200", true },
    { "[1.1.1.1 2.2.2.2]", "2.2.2.2", true },
    { "2001:db8::/32", "2001:db8:ffff::1", true },
    { "2001:db8::/32", "2001:db9::1", false },
    { "[::/0,!2001:db8::/32]", "2001:db8::5", false },
    { "[::/0,!2001:db8::/32]", "1.2.3.4", false },
    { "$HOME_NET", "10.5.5.5", true },
    { "$HOME_NET", "172.16.0.1", false },
    { "$HOME_NET", "2001:db8::9", true },
    { "!$HOME_NET", "10.5.5.5", false },
    { "!$HOME_NET", "172.16.0.1", true },
    { "$EXTERNAL_NET", "10.5.5.5", false },
    { "$EXTERNAL_NET", "8.8.8.8", true },
    { "[$HOME_NET,!192.168.1.128/25]", "192.168.1.200", false },
    { "[$HOME_NET,!192.168.1.128/25]", "192.168.1.100", true },
    { "$HTTP_SERVERS", "192.168.1.1", true },
    { "$SPACED", "203.0.113.9", true },          /* Snort 3 style value */
    { "!$SPACED", "203.0.113.9", false },
    { "!$SPACED", "198.51.100.1", false },
    { "!$SPACED", "198.51.100.0", true },
};

static int addr_has(const rule_addrset_t *s, const char *a)
{
    uint8_t b[16];
    if (strchr(a, ':') != NULL) {
        assert_int_equal(inet_pton(AF_INET6, a, b), 1);
        return rule_addrset_has6(s, b);
    }
    assert_int_equal(inet_pton(AF_INET, a, b), 1);
    return rule_addrset_has4(s, (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 |
                                    (uint32_t)b[2] << 8 | b[3]);
}

static void test_vars_for_sets(rule_vars_t *vars)
{
    ws_err_t err;
    assert_int_equal(rule_vars_init(vars, &err), 0);
    assert_int_equal(rule_vars_set(vars, "HOME_NET",
                                   "[10.0.0.0/8,192.168.1.0/24,2001:db8::/32]",
                                   &err), 0);
    assert_int_equal(rule_vars_assign(vars, "EXTERNAL_NET=!$HOME_NET", &err),
                     0);
    assert_int_equal(rule_vars_set(vars, "SPACED",
                                   "203.0.113.0/24 198.51.100.1", &err), 0);
    assert_int_equal(rule_vars_set(vars, "SPACED_PORTS", "'80 8080 9000:9010'",
                                   &err), 0);
}

static void test_addr_sets(void **state)
{
    (void)state;
    rule_vars_t vars;
    test_vars_for_sets(&vars);
    for (size_t i = 0; i < sizeof(addr_cases) / sizeof(addr_cases[0]); i++) {
        rule_addrset_t s;
        ws_err_t err;
        if (rule_addrset_parse(&s, addr_cases[i].set, &vars, &err) < 0)
            fail_msg("row %zu '%s': %s", i, addr_cases[i].set, err.msg);
        if (addr_has(&s, addr_cases[i].addr) != addr_cases[i].in)
            fail_msg("row %zu: %s in %s should be %d", i, addr_cases[i].addr,
                     addr_cases[i].set, addr_cases[i].in);
        rule_addrset_clear(&s);
    }
    rule_vars_free(&vars);
}

static void test_addr_normalized(void **state)
{
    (void)state;
    rule_addrset_t s;
    ws_err_t err;
    /* overlapping and adjacent ranges merge; output is sorted */
    assert_int_equal(rule_addrset_parse(&s, "[10.0.1.0/24,10.0.0.0/24,"
                                        "10.0.0.128/25,1.0.0.0/8]", NULL, &err),
                     0);
    assert_int_equal(s.n4, 2);
    assert_int_equal(s.n6, 0);
    assert_int_equal(s.v4[0].lo, 0x01000000u);
    assert_int_equal(s.v4[0].hi, 0x01ffffffu);
    assert_int_equal(s.v4[1].lo, 0x0a000000u);
    assert_int_equal(s.v4[1].hi, 0x0a0001ffu);
    assert_false(s.any);
    assert_false(s.negated);
    rule_addrset_clear(&s);

    /* the nested example of the design: 10/8 minus two /16 = 3 ranges */
    assert_int_equal(rule_addrset_parse(&s, "[10.0.0.0/8,![10.1.0.0/16,"
                                        "10.2.0.0/16]]", NULL, &err), 0);
    assert_int_equal(s.n4, 2); /* 10.0/16 and 10.3-10.255: 10.1,10.2 adjacent */
    assert_int_equal(s.v4[0].hi, 0x0a00ffffu);
    assert_int_equal(s.v4[1].lo, 0x0a030000u);
    rule_addrset_clear(&s);

    assert_int_equal(rule_addrset_parse(&s, "!192.0.2.0/24", NULL, &err), 0);
    assert_true(s.negated);
    assert_int_equal(s.n4, 2);
    assert_int_equal(s.n6, 1);
    rule_addrset_clear(&s);

    assert_int_equal(rule_addrset_parse(&s, "[any]", NULL, &err), 0);
    assert_true(s.any);
    rule_addrset_clear(&s);

    assert_int_equal(rule_addrset_parse(&s, "$HOME_NET", NULL, &err), -1);
    assert_int_equal(rule_addrset_parse(&s, "[]", NULL, &err), -1);
    assert_non_null(strstr(err.msg, "empty"));
    assert_int_equal(rule_addrset_parse(&s, "10.0.0.0/8]", NULL, &err), -1);
    assert_int_equal(rule_addrset_parse(&s, "fe80::1/129", NULL, &err), -1);
    assert_int_equal(rule_addrset_parse(&s, "1.2.3.4/255.0.255.0", NULL, &err),
                     -1);
    assert_non_null(strstr(err.msg, "netmask"));

    /* nesting is bounded (no unbounded recursion on hostile input) */
    char deep[200] = "";
    for (int i = 0; i < 40; i++)
        strcat(deep, "[");
    strcat(deep, "1.2.3.4");
    for (int i = 0; i < 40; i++)
        strcat(deep, "]");
    assert_int_equal(rule_addrset_parse(&s, deep, NULL, &err), -1);
    assert_non_null(strstr(err.msg, "nests too deeply"));
    assert_int_equal(rule_addrset_parse(&s, deep + 35, NULL, &err), -1);
    deep[strlen(deep) - 35] = '\0';
    assert_int_equal(rule_addrset_parse(&s, deep + 35, NULL, &err), 0);
    assert_true(rule_addrset_has4(&s, 0x01020304u));
    rule_addrset_clear(&s);
}

typedef struct port_case {
    const char *set;
    uint16_t port;
    bool in;
} port_case_t;

static const port_case_t port_cases[] = {
    { "any", 0, true },         { "any", 65535, true },
    { "80", 80, true },         { "80", 81, false },
    { "1024:", 1024, true },    { "1024:", 1023, false },
    { ":1023", 0, true },       { ":1023", 1024, false },
    { "100:200", 150, true },   { "100:200", 201, false },
    { "!80", 80, false },       { "!80", 8080, true },
    { "[80,443,8000:8100]", 8050, true },
    { "[80,443,8000:8100]", 444, false },
    { "![80,443]", 443, false }, { "![80,443]", 22, true },
    { "[1:100,!50]", 50, false }, { "[1:100,!50]", 51, true },
    { "[1:100,![40:60,!50]]", 50, true },
    { "[1:100,![40:60,!50]]", 45, false },
    { "$HTTP_PORTS", 80, true }, { "$HTTP_PORTS", 8080, true },
    { "$HTTP_PORTS", 22, false },
    { "!$HTTP_PORTS", 22, true }, { "!$HTTP_PORTS", 80, false },
    { "$SHELLCODE_PORTS", 80, false }, { "$SHELLCODE_PORTS", 81, true },
    { "$ORACLE_PORTS", 1521, true }, { "$ORACLE_PORTS", 80, false },
    { "$FILE_DATA_PORTS", 143, true }, { "$FILE_DATA_PORTS", 8080, true },
    { "$FILE_DATA_PORTS", 25, false },
    { "[$SSH_PORTS,$FTP_PORTS]", 2100, true },
    { "$SPACED_PORTS", 9005, true }, { "$SPACED_PORTS", 81, false },
    { "!$SPACED_PORTS", 8080, false }, { "!$SPACED_PORTS", 81, true },
    { "[$SPACED_PORTS,22]", 22, true },
};

static void test_port_sets(void **state)
{
    (void)state;
    rule_vars_t vars;
    test_vars_for_sets(&vars);
    for (size_t i = 0; i < sizeof(port_cases) / sizeof(port_cases[0]); i++) {
        rule_portset_t s;
        ws_err_t err;
        if (rule_portset_parse(&s, port_cases[i].set, &vars, &err) < 0)
            fail_msg("row %zu '%s': %s", i, port_cases[i].set, err.msg);
        if (rule_portset_has(&s, port_cases[i].port) != port_cases[i].in)
            fail_msg("row %zu: %u in %s should be %d", i, port_cases[i].port,
                     port_cases[i].set, port_cases[i].in);
        rule_portset_clear(&s);
    }
    static const char *const bad[] = { "80:", "", "[80", "a", "1:2:3", "-1",
                                       "65536", "!0:65535", ":" };
    for (size_t i = 1; i < sizeof(bad) / sizeof(bad[0]); i++) {
        rule_portset_t s;
        ws_err_t err;
        if (rule_portset_parse(&s, bad[i], &vars, &err) == 0)
            fail_msg("bad port set '%s' accepted", bad[i]);
    }
    rule_vars_free(&vars);
}

/* ---- variables ------------------------------------------------------- */

static void test_vars(void **state)
{
    (void)state;
    rule_vars_t v;
    ws_err_t err;
    char *out = NULL;
    assert_int_equal(rule_vars_init(&v, &err), 0);

    /* Snort defaults */
    static const char *const names[] = {
        "HOME_NET", "EXTERNAL_NET", "DNS_SERVERS", "SMTP_SERVERS",
        "HTTP_SERVERS", "SQL_SERVERS", "TELNET_SERVERS", "SSH_SERVERS",
        "FTP_SERVERS", "SIP_SERVERS", "HTTP_PORTS", "SHELLCODE_PORTS",
        "ORACLE_PORTS", "SSH_PORTS", "FTP_PORTS", "SIP_PORTS",
        "FILE_DATA_PORTS", "GTP_PORTS", "AIM_SERVERS",
    };
    for (size_t i = 0; i < sizeof(names) / sizeof(names[0]); i++)
        assert_non_null(rule_vars_get(&v, names[i], strlen(names[i])));
    assert_string_equal(rule_vars_get(&v, "HOME_NET", 8), "any");
    assert_string_equal(rule_vars_get(&v, "SHELLCODE_PORTS", 15), "!80");
    assert_string_equal(rule_vars_get(&v, "ORACLE_PORTS", 12), "1024:");

    /* recursive expansion */
    assert_int_equal(rule_vars_set(&v, "HOME_NET", "10.0.0.0/8", &err), 0);
    assert_int_equal(rule_vars_expand(&v, "[$SQL_SERVERS,1.2.3.4]", &out, &err),
                     0);
    assert_string_equal(out, "[10.0.0.0/8,1.2.3.4]");
    free(out);
    assert_int_equal(rule_vars_expand(&v, "$(SSH_PORTS)", &out, &err), 0);
    assert_string_equal(out, "22");
    free(out);

    /* override with --var form; a leading $ on the name is accepted */
    assert_int_equal(rule_vars_assign(&v, "$SSH_PORTS=2222", &err), 0);
    assert_string_equal(rule_vars_get(&v, "SSH_PORTS", 9), "2222");
    assert_int_equal(rule_vars_assign(&v, "NOEQUALS", &err), -1);
    assert_int_equal(rule_vars_set(&v, "9BAD", "1", &err), -1);
    assert_int_equal(rule_vars_set(&v, "EMPTY", "  ", &err), -1);

    /* Snort 3 space lists are bracketed when substituted */
    assert_int_equal(rule_vars_set(&v, "P3", "80 81", &err), 0);
    assert_int_equal(rule_vars_expand(&v, "!$P3", &out, &err), 0);
    assert_string_equal(out, "![80 81]");
    free(out);

    /* loops and undefined names */
    assert_int_equal(rule_vars_set(&v, "A", "[$B,1]", &err), 0);
    assert_int_equal(rule_vars_set(&v, "B", "$C", &err), 0);
    assert_int_equal(rule_vars_set(&v, "C", "$A", &err), 0);
    assert_int_equal(rule_vars_expand(&v, "$A", &out, &err), -1);
    assert_non_null(strstr(err.msg, "loop"));
    assert_int_equal(rule_vars_set(&v, "SELF", "$SELF", &err), 0);
    assert_int_equal(rule_vars_expand(&v, "$SELF", &out, &err), -1);
    assert_non_null(strstr(err.msg, "loop"));
    assert_int_equal(rule_vars_expand(&v, "$MISSING", &out, &err), -1);
    assert_string_equal(err.msg, "undefined variable $MISSING");
    assert_int_equal(rule_vars_expand(&v, "$", &out, &err), -1);

    /* diamond: two references to one name are not a loop */
    assert_int_equal(rule_vars_set(&v, "D", "[$HOME_NET,$HOME_NET]", &err), 0);
    assert_int_equal(rule_vars_expand(&v, "$D", &out, &err), 0);
    free(out);
    rule_vars_free(&v);
}

/* ---- classification / reference -------------------------------------- */

static void test_classification(void **state)
{
    (void)state;
    rule_classes_t c;
    ws_err_t err;
    rule_classes_init(&c);
    assert_int_equal(rule_classes_load(&c, data_path("classification.config"),
                                       &err), 0);
    assert_int_equal(c.n, 3);
    const rule_class_t *k = rule_classes_find(&c, "custom-class");
    assert_non_null(k);
    assert_string_equal(k->desc, "Something Custom");
    assert_int_equal(k->priority, 4);
    assert_null(rule_classes_find(&c, "attempted-admin"));
    /* the built-in list has it */
    assert_non_null(rule_classes_find(NULL, "attempted-admin"));

    /* a rule resolves through the loaded table */
    rule_parse_ctx_t ctx = { .classes = &c };
    rule_t *r = NULL;
    assert_int_equal(rule_parse("alert tcp any any -> any any (classtype:"
                                "custom-class; sid:1;)", &ctx, &r, NULL, &err),
                     0);
    assert_string_equal(r->category, "Something Custom");
    assert_int_equal(r->priority, 4);
    rule_free(r);
    assert_int_equal(rule_parse("alert tcp any any -> any any (classtype:"
                                "attempted-admin; sid:1;)", &ctx, &r, NULL,
                                &err), -1);
    assert_string_equal(err.msg, "classtype: unknown classtype "
                        "'attempted-admin'");
    rule_classes_free(&c);

    rule_classes_init(&c);
    assert_int_equal(rule_classes_load(&c, data_path("bad-classification.config"),
                                       &err), -1);
    assert_non_null(strstr(err.msg, "bad-classification.config:3: "));
    rule_classes_free(&c);
    assert_int_equal(rule_classes_load(&c, data_path("nope.config"), &err), -1);
    assert_non_null(strstr(err.msg, "cannot open"));

    assert_int_equal(rule_classes_init_default(&c, &err), 0);
    assert_true(c.n >= 34);
    rule_classes_free(&c);

    rule_refsystems_t rs;
    rule_refsys_init(&rs);
    assert_int_equal(rule_refsys_load(&rs, data_path("reference.config"), &err),
                     0);
    assert_int_equal(rs.n, 2);
    assert_string_equal(rule_refsys_find(&rs, "CVE")->url,
                        "http://cve.mitre.org/cgi-bin/cvename.cgi?name=");
    assert_string_equal(rule_refsys_find(&rs, "url")->url, "http://");
    assert_null(rule_refsys_find(&rs, "bugtraq"));
    rule_refsys_free(&rs);
}

/* ---- loader and report ----------------------------------------------- */

typedef struct reject_log {
    char lines[16][1024];
    int n;
} reject_log_t;

static void on_reject(const rule_reject_t *rej, void *arg)
{
    reject_log_t *log = arg;
    if (log->n < 16)
        rule_reject_format(rej, log->lines[log->n++], sizeof(log->lines[0]));
}

static void test_load_file(void **state)
{
    (void)state;
    char path[200];
    snprintf(path, sizeof(path), "%.199s", data_path("mixed.rules"));
    rule_set_t set;
    ws_err_t err;
    reject_log_t log = { .n = 0 };
    assert_int_equal(rule_set_init(&set, NULL, NULL, &err), 0);
    rule_set_on_reject(&set, on_reject, &log);
    assert_int_equal(rule_set_load_file(&set, path, &err), 0);

    assert_int_equal(set.nrules, 5);
    static const uint32_t sids[] = { 1001, 1002, 1003, 1004, 1009 };
    static const uint32_t lines[] = { 4, 5, 9, 10, 22 };
    for (int i = 0; i < 5; i++) {
        assert_int_equal(set.rules[i]->sid, sids[i]);
        assert_int_equal(set.rules[i]->line, lines[i]);
        assert_string_equal(set.rules[i]->file, path);
    }
    /* continued lines joined; ipvar line defined TEST_NET */
    assert_string_equal(set.rules[1]->msg, "continued");
    assert_int_equal(set.rules[1]->opts[0].u.content.pat[0], 'b');
    assert_true(rule_addrset_has4(&set.rules[2]->src, 0xc0000205u));
    assert_false(rule_addrset_has4(&set.rules[2]->src, 0x0a000001u));
    assert_int_equal(set.rules[3]->opts[0].u.content.buffer,
                     RULE_BUF_HTTP_URI);
    assert_int_equal(set.rules[4]->dir, RULE_DIR_BOTH);

    char want[6][1024];
    snprintf(want[0], 1024, "%s:15: sid 1005: unknown keyword 'dce_iface'",
             path);
    snprintf(want[1], 1024, "%s:16: sid ?: missing sid", path);
    snprintf(want[2], 1024, "%s:17: sid 1001: duplicate sid 1:1001 "
             "(first at %s:4)", path, path);
    snprintf(want[3], 1024, "%s:18: sid 1006: bad prefix length in "
             "'10.0.0.0/33'", path);
    snprintf(want[4], 1024, "%s:19: sid 1007: undefined variable $NOT_DEFINED",
             path);
    snprintf(want[5], 1024, "%s:20: sid ?: not a rule: unknown action or "
             "directive 'bogus'", path);
    assert_int_equal(set.nrejects, 6);
    assert_int_equal(log.n, 6);
    for (int i = 0; i < 6; i++)
        assert_string_equal(log.lines[i], want[i]);

    /* the -T report: reject lines then the summary */
    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_non_null(f);
    assert_int_equal(rule_set_report(&set, f), 1);
    fclose(f);
    char expect[8192] = "";
    for (int i = 0; i < 6; i++) {
        strcat(expect, want[i]);
        strcat(expect, "\n");
    }
    strcat(expect, "rules: 5 loaded, 6 rejected\n");
    assert_string_equal(buf, expect);
    free(buf);

    assert_int_equal(rule_set_load_file(&set, data_path("missing.rules"),
                                        &err), -1);
    assert_non_null(strstr(err.msg, "cannot open"));
    rule_set_free(&set);
}

static void test_load_text(void **state)
{
    (void)state;
    rule_set_t set;
    ws_err_t err;
    rule_vars_t vars;
    assert_int_equal(rule_vars_init(&vars, &err), 0);
    assert_int_equal(rule_vars_set(&vars, "HOME_NET", "192.168.0.0/16", &err),
                     0);
    assert_int_equal(rule_set_init(&set, &vars, NULL, &err), 0);
    rule_vars_free(&vars); /* the set keeps its own copy */
    const char *text =
        "alert tcp $HOME_NET any -> any any (msg:\"a\"; flowbits:set,x; "
        "sid:1;)\r\n"
        "alert tcp any any -> any any (msg:\"b\"; flowbits:isset,x&y; "
        "gid:3; sid:1;)\n"
        "\n"
        "   # indented comment\n"
        "alert tcp any any -> any any (msg:\"c\"; \\\n"
        "  flowbits:isnotset,y; sid:2;)\n"
        "alert tcp any any -> any any (msg:\"d\";\n"
        "alert tcp any any -> any any (msg:\"e\"; sid:3;)\n"
        "alert tcp any any -> any any (msg:\"f\"; \\";
    assert_int_equal(rule_set_load_text(&set, "mem", text, &err), 0);
    assert_int_equal(set.nrules, 4);
    assert_int_equal(set.nrejects, 2);
    char line[512];
    rule_reject_format(&set.rejects[0], line, sizeof(line));
    assert_string_equal(line, "mem:7: sid ?: missing ')' at the end of the rule");
    rule_reject_format(&set.rejects[1], line, sizeof(line));
    assert_string_equal(line, "mem:9: sid ?: file ends after a '\\'");
    /* gid 3 sid 1 is not a duplicate of gid 1 sid 1 */
    assert_int_equal(set.rules[1]->gid, 3);
    assert_true(rule_addrset_has4(&set.rules[0]->src, 0xc0a80101u));
    /* flowbit names are interned set-wide */
    assert_int_equal(set.nflowbits, 2);
    assert_int_equal(set.rules[0]->opts[0].u.flowbits.ids[0], 0);
    assert_int_equal(set.rules[1]->opts[0].u.flowbits.ids[0], 0);
    assert_int_equal(set.rules[1]->opts[0].u.flowbits.ids[1], 1);
    assert_int_equal(set.rules[2]->opts[0].u.flowbits.ids[0], 1);

    char *buf = NULL;
    size_t len = 0;
    FILE *f = open_memstream(&buf, &len);
    assert_int_equal(rule_set_report(&set, f), 1);
    fclose(f);
    assert_non_null(strstr(buf, "rules: 4 loaded, 2 rejected\n"));
    free(buf);
    rule_set_free(&set);

    /* a clean set reports 0 */
    assert_int_equal(rule_set_init(&set, NULL, NULL, &err), 0);
    assert_int_equal(rule_set_load_text(&set, "ok", "alert ip any any -> any "
                                        "any (sid:7;)\n", &err), 0);
    f = open_memstream(&buf, &len);
    assert_int_equal(rule_set_report(&set, f), 0);
    fclose(f);
    assert_string_equal(buf, "rules: 1 loaded, 0 rejected\n");
    free(buf);
    rule_set_free(&set);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_headers),
        cmocka_unit_test(test_addr_sets),
        cmocka_unit_test(test_addr_normalized),
        cmocka_unit_test(test_port_sets),
        cmocka_unit_test(test_vars),
        cmocka_unit_test(test_classification),
        cmocka_unit_test(test_load_file),
        cmocka_unit_test(test_load_text),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
