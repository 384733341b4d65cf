/*
 * parse.c - one rule's text to a rule_t: header, option splitting, dialect,
 * keyword dispatch, final checks; and rule_free.
 *
 *   action proto src sport dir dst dport ( name[:value]; ... )
 *   action service ( ... )                       Snort 3 service header
 *
 * Option values end at a ';' outside double quotes; a backslash protects
 * the next character everywhere, so \; \" and \\ inside strings survive to
 * the keyword handlers, which resolve them.  Before any option is handled
 * the whole list is scanned once to find the sid (so every error can name
 * it) and to decide the dialect: a rule is read as Snort 3 when it has a
 * service header, a service: option, Snort 3-only keywords, inline content
 * modifiers (content:"x",nocase), or an HTTP buffer keyword before its
 * first content (a sticky buffer).  Otherwise it is Snort 2.
 */
#include "rules/kw.h"

#include <ctype.h>
#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>
#include <stdlib.h>
#include <string.h>

#include "rules/sets.h"

#define RULE_MAX_OPTS 512

typedef struct opt_tok {
    char *name;
    char *value;  /* NULL: written without ':' */
} opt_tok_t;

/* ---- header ---------------------------------------------------------- */

static const char *const action_names[] = { "alert", "log", "pass",
                                            "drop", "reject", "sdrop" };

/* Snort 3 services allowed in the header, with their fixed transport. */
static const struct {
    const char *name;
    rule_proto_t proto;
} header_services[] = {
    { "http", RULE_PROTO_TCP },    { "http2", RULE_PROTO_TCP },
    { "ssl", RULE_PROTO_TCP },     { "smtp", RULE_PROTO_TCP },
    { "ftp", RULE_PROTO_TCP },     { "ftp-data", RULE_PROTO_TCP },
    { "imap", RULE_PROTO_TCP },    { "pop3", RULE_PROTO_TCP },
    { "telnet", RULE_PROTO_TCP },  { "ssh", RULE_PROTO_TCP },
    { "netbios-ssn", RULE_PROTO_TCP }, { "dcerpc", RULE_PROTO_IP },
    { "dns", RULE_PROTO_IP },      { "sip", RULE_PROTO_IP },
    { "file", RULE_PROTO_IP },     { "modbus", RULE_PROTO_TCP },
    { "dnp3", RULE_PROTO_IP },     { "smb", RULE_PROTO_TCP },
};

/* Next header token: whitespace-separated, but a [...] list may contain
 * spaces.  Returns its length (0 at '(' or end). */
static size_t hdr_token(const char **pp, const char **start)
{
    const char *p = *pp;
    while (isspace((unsigned char)*p))
        p++;
    *start = p;
    int depth = 0;
    while (*p && *p != '(' && (depth > 0 || !isspace((unsigned char)*p))) {
        if (*p == '[')
            depth++;
        else if (*p == ']')
            depth--;
        p++;
    }
    *pp = p;
    return (size_t)(p - *start);
}

static int parse_set(const char *tok, size_t len, bool port,
                     const rule_parse_ctx_t *ctx, void *out, ws_err_t *err)
{
    char buf[256];
    char *s = len < sizeof(buf) ? buf : malloc(len + 1);
    if (s == NULL)
        return ws_err_set(err, "out of memory");
    memcpy(s, tok, len);
    s[len] = '\0';
    int rc = port ? rule_portset_parse(out, s, ctx->vars, err)
                  : rule_addrset_parse(out, s, ctx->vars, err);
    if (s != buf)
        free(s);
    return rc;
}

static int set_any(rule_t *r, ws_err_t *err)
{
    if (rule_addrset_parse(&r->src, "any", NULL, err) < 0 ||
        rule_addrset_parse(&r->dst, "any", NULL, err) < 0 ||
        rule_portset_parse(&r->sport, "any", NULL, err) < 0 ||
        rule_portset_parse(&r->dport, "any", NULL, err) < 0)
        return -1;
    return 0;
}

/* Parse the header; *body points at '(' on success. */
static int parse_header(const char *text, const rule_parse_ctx_t *ctx,
                        rule_t *r, const char **body, ws_err_t *err)
{
    const char *p = text, *t;
    size_t n = hdr_token(&p, &t);
    size_t i, na = sizeof(action_names) / sizeof(action_names[0]);
    for (i = 0; i < na; i++)
        if (strlen(action_names[i]) == n && strncmp(t, action_names[i], n) == 0)
            break;
    if (i == na)
        return ws_err_set(err, "unknown action '%.*s'", (int)n, t);
    r->action = (rule_action_t)i;

    n = hdr_token(&p, &t);
    if (n == 0)
        return ws_err_set(err, "missing protocol");
    static const char *const protos[] = { "ip", "tcp", "udp", "icmp" };
    bool service = true;
    for (i = 0; i < 4; i++) {
        if (strlen(protos[i]) == n && strncasecmp(t, protos[i], n) == 0) {
            r->proto = (rule_proto_t)i;
            service = false;
            break;
        }
    }
    if (service) {
        size_t ns = sizeof(header_services) / sizeof(header_services[0]);
        for (i = 0; i < ns; i++)
            if (strlen(header_services[i].name) == n &&
                strncasecmp(t, header_services[i].name, n) == 0)
                break;
        if (i == ns)
            return ws_err_set(err, "unknown protocol '%.*s'", (int)n, t);
        r->proto = header_services[i].proto;
        if ((r->header_service = rule_strndup(t, n)) == NULL)
            return ws_err_set(err, "out of memory");
    }

    const char *q = p;
    while (isspace((unsigned char)*q))
        q++;
    if (*q == '(') { /* alert http ( ... ) */
        *body = q;
        return set_any(r, err);
    }

    const char *tok[5];
    size_t len[5];
    for (i = 0; i < 5; i++) {
        len[i] = hdr_token(&p, &tok[i]);
        int depth = 0;
        for (size_t j = 0; j < len[i]; j++)
            depth += tok[i][j] == '[' ? 1 : tok[i][j] == ']' ? -1 : 0;
        if (depth != 0)
            return ws_err_set(err, "unbalanced brackets in '%.*s'",
                              (int)(len[i] > 60 ? 60 : len[i]), tok[i]);
        if (len[i] == 0)
            return ws_err_set(err, "incomplete rule header");
    }
    if (len[2] == 2 && strncmp(tok[2], "->", 2) == 0)
        r->dir = RULE_DIR_TO;
    else if (len[2] == 2 && strncmp(tok[2], "<>", 2) == 0)
        r->dir = RULE_DIR_BOTH;
    else
        return ws_err_set(err, "bad direction '%.*s' (-> or <>)",
                          (int)len[2], tok[2]);
    if (parse_set(tok[0], len[0], false, ctx, &r->src, err) < 0 ||
        parse_set(tok[1], len[1], true, ctx, &r->sport, err) < 0 ||
        parse_set(tok[3], len[3], false, ctx, &r->dst, err) < 0 ||
        parse_set(tok[4], len[4], true, ctx, &r->dport, err) < 0)
        return -1;
    while (isspace((unsigned char)*p))
        p++;
    if (*p != '(')
        return ws_err_set(err, "expected '(' after the rule header");
    *body = p;
    return 0;
}

/* ---- options --------------------------------------------------------- */

static bool opt_name_char(int c)
{
    return isalnum(c) || c == '_' || c == '.' || c == '-';
}

/* Split body (modified in place) into name/value pairs. */
static int split_options(char *body, opt_tok_t *toks, uint32_t *ntoks,
                         ws_err_t *err)
{
    char *p = body;
    uint32_t n = 0;
    for (;;) {
        while (isspace((unsigned char)*p) || *p == ';')
            p++;
        if (*p == '\0')
            break;
        char *name = p;
        while (opt_name_char((unsigned char)*p))
            p++;
        char *name_end = p;
        if (name_end == name)
            return ws_err_set(err, "bad option syntax near '%.20s'", name);
        while (isspace((unsigned char)*p))
            p++;
        char c = *p;
        if (c != ':' && c != ';' && c != '\0')
            return ws_err_set(err, "expected ':' or ';' after '%.*s'",
                              (int)(name_end - name), name);
        *name_end = '\0';
        char *value = NULL;
        if (c == ':') {
            value = ++p;
            bool quoted = false;
            for (; *p; p++) {
                if (*p == '\\' && p[1] != '\0')
                    p++;
                else if (*p == '"')
                    quoted = !quoted;
                else if (*p == ';' && !quoted)
                    break;
            }
            if (quoted) {
                /* An odd quote inside the value (pcre:"/a"b/" is legal
                 * Snort 2): fall back to Snort 2's rule, the first ';'
                 * not preceded by a backslash. */
                for (p = value; *p && *p != ';'; p++)
                    if (*p == '\\' && p[1] != '\0')
                        p++;
            }
            if (*p == ';')
                *p++ = '\0';
            value = rule_trim(value);
        } else if (c == ';') {
            p++;
        }
        if (n == RULE_MAX_OPTS)
            return ws_err_set(err, "more than %d options", RULE_MAX_OPTS);
        toks[n].name = name;
        toks[n].value = value;
        n++;
    }
    *ntoks = n;
    return 0;
}

/* True when a content value has text after its quoted pattern (",nocase"). */
static bool content_has_inline(const char *v)
{
    const char *q = strchr(v, '"');
    if (q == NULL)
        return false;
    for (q++; *q && *q != '"'; q++)
        if (*q == '\\' && q[1] != '\0')
            q++;
    if (*q == '"')
        q++;
    while (isspace((unsigned char)*q))
        q++;
    return *q == ',';
}

static int decide_dialect(const rule_parse_ctx_t *ctx, const rule_t *r,
                          const opt_tok_t *toks, uint32_t n, const int *kws)
{
    if (ctx->dialect == RULE_DIALECT_SNORT2 ||
        ctx->dialect == RULE_DIALECT_SNORT3)
        return (int)ctx->dialect;
    if (r->header_service != NULL)
        return 3;
    bool seen_content = false;
    for (uint32_t i = 0; i < n; i++) {
        switch (kws[i]) {
        case RULE_KW_SERVICE:
        case RULE_KW_BUFFERLEN:
        case RULE_KW_REM:
        case RULE_KW_HTTP_RAW_REQUEST:
        case RULE_KW_HTTP_RAW_STATUS:
        case RULE_KW_HTTP_VERSION:
        case RULE_KW_HTTP_TRUE_IP:
        case RULE_KW_HTTP_RAW_BODY:
            return 3;
        case RULE_KW_CONTENT:
            if (toks[i].value != NULL && content_has_inline(toks[i].value))
                return 3;
            seen_content = true;
            break;
        case RULE_KW_URICONTENT:
            seen_content = true;
            break;
        default:
            if (kws[i] >= RULE_KW_HTTP_URI && kws[i] <= RULE_KW_HTTP_STAT_MSG &&
                !seen_content)
                return 3;
            break;
        }
    }
    return 2;
}

/* sid (and gid) for error messages, read before anything can fail. */
static void prescan_sid(const opt_tok_t *toks, uint32_t n, uint32_t *sid)
{
    for (uint32_t i = 0; i < n; i++) {
        uint32_t v;
        if (strcmp(toks[i].name, "sid") == 0 && toks[i].value != NULL &&
            rule_parse_u32(toks[i].value, &v) == 0)
            *sid = v;
    }
}

static int check_rule(kw_state_t *st)
{
    rule_t *r = st->rule;
    if (r->sid == 0)
        return ws_err_set(st->err, "missing sid");
    if (r->msg == NULL && (r->msg = rule_strdup("")) == NULL)
        return ws_err_set(st->err, "out of memory");
    for (uint32_t i = 0; i < r->nopts; i++) {
        const rule_content_t *c = &r->opts[i].u.content;
        if (r->opts[i].kw != RULE_KW_CONTENT &&
            r->opts[i].kw != RULE_KW_URICONTENT)
            continue;
        if (c->fp_only && c->negated)
            return ws_err_set(st->err, "fast_pattern: 'only' on a negated "
                              "content");
    }
    return 0;
}

int rule_parse(const char *text, const rule_parse_ctx_t *ctx, rule_t **out,
               uint32_t *sid, ws_err_t *err)
{
    static const rule_parse_ctx_t default_ctx = { 0 };
    if (ctx == NULL)
        ctx = &default_ctx;
    uint32_t dummy_sid;
    if (sid == NULL)
        sid = &dummy_sid;
    *sid = 0;
    *out = NULL;

    rule_t *r = calloc(1, sizeof(*r));
    opt_tok_t *toks = malloc(RULE_MAX_OPTS * sizeof(*toks));
    int *kws = malloc(RULE_MAX_OPTS * sizeof(*kws));
    char *body = NULL;
    if (r == NULL || toks == NULL || kws == NULL) {
        ws_err_set(err, "out of memory");
        goto fail;
    }
    r->gid = 1;
    r->rev = 1;

    /* Split the options first so that header errors can name the sid. */
    const char *open = strchr(text, '(');
    const char *close = strrchr(text, ')');
    if (open == NULL || close == NULL || close < open) {
        ws_err_set(err, "missing '(' ... ')' option list");
        goto fail;
    }
    for (const char *q = close + 1; *q; q++) {
        if (!isspace((unsigned char)*q)) {
            ws_err_set(err, "text after the closing ')'");
            goto fail;
        }
    }
    body = rule_strndup(open + 1, (size_t)(close - open - 1));
    if (body == NULL) {
        ws_err_set(err, "out of memory");
        goto fail;
    }
    uint32_t ntoks = 0;
    if (split_options(body, toks, &ntoks, err) < 0)
        goto fail;
    prescan_sid(toks, ntoks, sid);

    const char *hbody = NULL;
    if (parse_header(text, ctx, r, &hbody, err) < 0)
        goto fail;
    if (hbody != open) {
        ws_err_set(err, "bad rule header");
        goto fail;
    }

    for (uint32_t i = 0; i < ntoks; i++) {
        kws[i] = kw_lookup(toks[i].name, strlen(toks[i].name));
        if (kws[i] < 0) {
            ws_err_set(err, "unknown keyword '%s'", toks[i].name);
            goto fail;
        }
    }
    if (r->header_service != NULL) {
        kw_state_t tmp = { .rule = r, .err = err };
        if (kw_add_service(&tmp, r->header_service,
                           strlen(r->header_service)) < 0)
            goto fail;
    }

    kw_state_t st = {
        .rule = r,
        .ctx = ctx,
        .dialect = decide_dialect(ctx, r, toks, ntoks, kws),
        .sticky = RULE_BUF_PKT,
        .last_content = -1,
        .last_pm = -1,
        .err = err,
    };
    r->dialect = (uint8_t)st.dialect;
    for (uint32_t i = 0; i < ntoks; i++) {
        const kw_entry_t *e = kw_entry(kws[i]);
        if (e->handler(&st, (rule_kw_t)kws[i], toks[i].value) < 0)
            goto fail;
    }
    if (check_rule(&st) < 0)
        goto fail;
    *sid = r->sid;
    free(body);
    free(toks);
    free(kws);
    *out = r;
    return 0;
fail:
    free(body);
    free(toks);
    free(kws);
    rule_free(r);
    return -1;
}

/* ---- freeing --------------------------------------------------------- */

static void opt_free(rule_opt_t *o)
{
    switch (o->kw) {
    case RULE_KW_CONTENT:
    case RULE_KW_URICONTENT:
        free(o->u.content.pat);
        break;
    case RULE_KW_PCRE:
        free(o->u.pcre.pattern);
        pcre2_code_free((pcre2_code *)o->u.pcre.code);
        break;
    case RULE_KW_FLOWBITS:
        for (uint32_t i = 0; i < o->u.flowbits.n; i++)
            free(o->u.flowbits.names[i]);
        free(o->u.flowbits.names);
        free(o->u.flowbits.ids);
        free(o->u.flowbits.group);
        break;
    default:
        break;
    }
}

void rule_free(rule_t *r)
{
    if (r == NULL)
        return;
    for (uint32_t i = 0; i < r->nopts; i++)
        opt_free(&r->opts[i]);
    free(r->opts);
    rule_addrset_clear(&r->src);
    rule_addrset_clear(&r->dst);
    rule_portset_clear(&r->sport);
    rule_portset_clear(&r->dport);
    free(r->header_service);
    free(r->msg);
    free(r->classtype);
    free(r->category);
    for (uint32_t i = 0; i < r->nrefs; i++) {
        free(r->refs[i].system);
        free(r->refs[i].id);
    }
    free(r->refs);
    for (uint32_t i = 0; i < r->nmeta; i++) {
        free(r->meta[i].key);
        free(r->meta[i].value);
    }
    free(r->meta);
    for (uint32_t i = 0; i < r->nservices; i++)
        free(r->services[i]);
    free(r->services);
    for (uint32_t i = 0; i < r->nbyte_vars; i++)
        free(r->byte_vars[i]);
    free(r);
}
