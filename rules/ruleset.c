/*
 * ruleset.c - loading rule files into a rule_set_t, reporting rejects.
 *
 * A file is read whole and cut into rules: a line ending in '\' continues
 * on the next line; a rule whose '(' is still open at the end of a line
 * continues too (Snort 3 lets rules span lines), until its ')' or until a
 * line that starts a new rule.  '#' lines are comments.  Each rule is parsed
 * with rule_parse; a failure becomes a reject {file, first line, sid,
 * reason} and loading goes on.  Loaded rules are indexed by gid:sid (a
 * duplicate is rejected, naming the first) and their flowbit names are
 * interned into ids shared by the whole set.
 */
#include "rules/ruleset.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "rules/util.h"

static uint64_t hash64(uint64_t x)
{
    x ^= x >> 33;
    x *= 0xff51afd7ed558ccdULL;
    x ^= x >> 33;
    return x;
}

static uint32_t hash_str(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

int rule_set_init(rule_set_t *set, const rule_vars_t *vars,
                  const rule_classes_t *classes, ws_err_t *err)
{
    memset(set, 0, sizeof(*set));
    if (vars == NULL) {
        if (rule_vars_init(&set->vars, err) < 0)
            return -1;
    } else {
        rule_vars_init_empty(&set->vars);
        for (uint32_t i = 0; i < vars->n; i++) {
            if (rule_vars_set(&set->vars, vars->v[i].name, vars->v[i].value,
                              err) < 0) {
                rule_vars_free(&set->vars);
                return -1;
            }
        }
    }
    set->ctx.vars = &set->vars;
    set->ctx.classes = classes;
    set->ctx.dialect = RULE_DIALECT_AUTO;
    return 0;
}

void rule_set_on_reject(rule_set_t *set, rule_reject_fn fn, void *arg)
{
    set->on_reject = fn;
    set->on_reject_arg = arg;
}

void rule_set_free(rule_set_t *set)
{
    for (uint32_t i = 0; i < set->nrules; i++)
        rule_free(set->rules[i]);
    free(set->rules);
    for (uint32_t i = 0; i < set->nrejects; i++)
        free(set->rejects[i].reason);
    free(set->rejects);
    for (uint32_t i = 0; i < set->nfiles; i++)
        free(set->files[i]);
    free(set->files);
    for (uint32_t i = 0; i < set->nflowbits; i++)
        free(set->flowbits[i]);
    free(set->flowbits);
    free(set->sid_keys);
    free(set->sid_rule);
    free(set->fb_slots);
    rule_vars_free(&set->vars);
    memset(set, 0, sizeof(*set));
}

static int add_reject(rule_set_t *set, const char *file, uint32_t line,
                      uint32_t sid, const char *reason)
{
    if (set->nrejects == set->rcap) {
        uint32_t cap = set->rcap ? set->rcap * 2 : 64;
        rule_reject_t *v = realloc(set->rejects, cap * sizeof(*v));
        if (v == NULL)
            return -1;
        set->rejects = v;
        set->rcap = cap;
    }
    rule_reject_t *rj = &set->rejects[set->nrejects];
    rj->file = (char *)file;
    rj->line = line;
    rj->gid = 1;
    rj->sid = sid;
    if ((rj->reason = rule_strdup(reason)) == NULL)
        return -1;
    set->nrejects++;
    if (set->on_reject != NULL)
        set->on_reject(rj, set->on_reject_arg);
    return 0;
}

/* Index of gid:sid in set->rules, or -1; with insert, add idx if absent. */
static int sid_index(rule_set_t *set, uint32_t gid, uint32_t sid,
                     int64_t insert_idx)
{
    if (set->sid_cap == 0 || (insert_idx >= 0 &&
                              (set->nrules + 1) * 2 > set->sid_cap)) {
        uint32_t cap = set->sid_cap ? set->sid_cap * 2 : 1024;
        uint64_t *keys = calloc(cap, sizeof(*keys));
        uint32_t *vals = calloc(cap, sizeof(*vals));
        if (keys == NULL || vals == NULL) {
            free(keys);
            free(vals);
            return -2;
        }
        for (uint32_t i = 0; i < set->sid_cap; i++) {
            if (set->sid_keys[i] == 0)
                continue;
            uint32_t h = (uint32_t)hash64(set->sid_keys[i]) & (cap - 1);
            while (keys[h] != 0)
                h = (h + 1) & (cap - 1);
            keys[h] = set->sid_keys[i];
            vals[h] = set->sid_rule[i];
        }
        free(set->sid_keys);
        free(set->sid_rule);
        set->sid_keys = keys;
        set->sid_rule = vals;
        set->sid_cap = cap;
    }
    uint64_t key = (uint64_t)gid << 32 | sid;
    uint32_t h = (uint32_t)hash64(key) & (set->sid_cap - 1);
    while (set->sid_keys[h] != 0) {
        if (set->sid_keys[h] == key)
            return (int)set->sid_rule[h];
        h = (h + 1) & (set->sid_cap - 1);
    }
    if (insert_idx >= 0) {
        set->sid_keys[h] = key;
        set->sid_rule[h] = (uint32_t)insert_idx;
    }
    return -1;
}

/* Intern a flowbit name; returns its id or -1 on allocation failure. */
static int64_t flowbit_id(rule_set_t *set, const char *name)
{
    if ((set->nflowbits + 1) * 2 > set->fb_cap) {
        uint32_t cap = set->fb_cap ? set->fb_cap * 2 : 256;
        uint32_t *slots = calloc(cap, sizeof(*slots));
        if (slots == NULL)
            return -1;
        for (uint32_t id = 0; id < set->nflowbits; id++) {
            uint32_t h = hash_str(set->flowbits[id]) & (cap - 1);
            while (slots[h] != 0)
                h = (h + 1) & (cap - 1);
            slots[h] = id + 1;
        }
        free(set->fb_slots);
        set->fb_slots = slots;
        set->fb_cap = cap;
    }
    uint32_t h = hash_str(name) & (set->fb_cap - 1);
    while (set->fb_slots[h] != 0) {
        uint32_t id = set->fb_slots[h] - 1;
        if (strcmp(set->flowbits[id], name) == 0)
            return id;
        h = (h + 1) & (set->fb_cap - 1);
    }
    if (set->nflowbits == set->fbcap) {
        uint32_t cap = set->fbcap ? set->fbcap * 2 : 64;
        char **v = realloc(set->flowbits, cap * sizeof(*v));
        if (v == NULL)
            return -1;
        set->flowbits = v;
        set->fbcap = cap;
    }
    char *c = rule_strdup(name);
    if (c == NULL)
        return -1;
    set->flowbits[set->nflowbits] = c;
    set->fb_slots[h] = set->nflowbits + 1;
    return set->nflowbits++;
}

static int intern_flowbits(rule_set_t *set, rule_t *r)
{
    for (uint32_t i = 0; i < r->nopts; i++) {
        if (r->opts[i].kw != RULE_KW_FLOWBITS)
            continue;
        rule_flowbits_t *fb = &r->opts[i].u.flowbits;
        if (fb->n == 0)
            continue;
        fb->ids = malloc(fb->n * sizeof(*fb->ids));
        if (fb->ids == NULL)
            return -1;
        for (uint32_t j = 0; j < fb->n; j++) {
            int64_t id = flowbit_id(set, fb->names[j]);
            if (id < 0)
                return -1;
            fb->ids[j] = (uint32_t)id;
        }
    }
    return 0;
}

/* Parse one complete rule text and add it or a reject. */
static int load_rule(rule_set_t *set, const char *file, uint32_t line,
                     const char *text)
{
    ws_err_t err = { { 0 } };
    rule_t *r;
    uint32_t sid;
    if (rule_parse(text, &set->ctx, &r, &sid, &err) < 0)
        return add_reject(set, file, line, sid, err.msg);
    r->file = file;
    r->line = line;
    int prev = sid_index(set, r->gid, r->sid, -1);
    if (prev == -2)
        goto oom;
    if (prev >= 0) {
        char msg[512];
        const rule_t *p = set->rules[prev];
        snprintf(msg, sizeof(msg), "duplicate sid %u:%u (first at %s:%u)",
                 r->gid, r->sid, p->file ? p->file : "?", p->line);
        rule_free(r);
        return add_reject(set, file, line, sid, msg);
    }
    if (intern_flowbits(set, r) < 0)
        goto oom;
    if (set->nrules == set->cap) {
        uint32_t cap = set->cap ? set->cap * 2 : 1024;
        rule_t **v = realloc(set->rules, cap * sizeof(*v));
        if (v == NULL)
            goto oom;
        set->rules = v;
        set->cap = cap;
    }
    if (sid_index(set, r->gid, r->sid, set->nrules) == -2)
        goto oom;
    set->rules[set->nrules++] = r;
    return 0;
oom:
    rule_free(r);
    return -1;
}

static bool starts_rule(const char *s)
{
    static const char *const actions[] = { "alert", "log", "pass", "drop",
                                           "reject", "sdrop" };
    for (size_t i = 0; i < sizeof(actions) / sizeof(actions[0]); i++) {
        size_t n = strlen(actions[i]);
        if (strncmp(s, actions[i], n) == 0 && isspace((unsigned char)s[n]))
            return true;
    }
    return false;
}

/* Paren depth change of a line, ignoring quoted text. */
static int paren_balance(const char *s, int depth)
{
    bool quoted = false;
    for (; *s; s++) {
        if (*s == '\\' && s[1] != '\0')
            s++;
        else if (*s == '"' && depth > 0)
            quoted = !quoted;
        else if (!quoted && *s == '(')
            depth++;
        else if (!quoted && *s == ')')
            depth--;
    }
    return depth;
}

/* var/ipvar/portvar NAME VALUE inside a rule file. */
static int load_var_line(rule_set_t *set, const char *file, uint32_t line,
                         char *s)
{
    while (*s && !isspace((unsigned char)*s))
        s++;
    s = rule_trim(s);
    char *val = s;
    while (*val && !isspace((unsigned char)*val))
        val++;
    if (*val)
        *val++ = '\0';
    ws_err_t err;
    if (rule_vars_set(&set->vars, s, rule_trim(val), &err) < 0)
        return add_reject(set, file, line, 0, err.msg);
    return 0;
}

static const char *intern_file(rule_set_t *set, const char *name)
{
    char **v = realloc(set->files, (set->nfiles + 1) * sizeof(*v));
    if (v == NULL)
        return NULL;
    set->files = v;
    char *c = rule_strdup(name);
    if (c == NULL)
        return NULL;
    set->files[set->nfiles++] = c;
    return c;
}

int rule_set_load_text(rule_set_t *set, const char *name, const char *text,
                       ws_err_t *err)
{
    const char *file = intern_file(set, name);
    if (file == NULL)
        return ws_err_set(err, "out of memory");
    rule_buf_t cur = { 0 };
    uint32_t lineno = 0, start = 0;
    int depth = 0;
    bool cont = false;
    const char *p = text;
    int rc = 0;
    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        const char *line = p;
        p = eol ? eol + 1 : p + len;
        lineno++;
        while (len && (line[len - 1] == '\r' || isspace((unsigned char)line[len - 1])))
            len--;
        while (len && isspace((unsigned char)*line))
            line++, len--;

        if (cur.len > 0 && !cont) {
            /* inside a Snort 3 multi-line rule */
            if (len == 0 || *line == '#')
                continue;
            if (starts_rule(line)) {
                if (add_reject(set, file, start, 0,
                               "missing ')' at the end of the rule") < 0)
                    goto oom;
                cur.len = 0;
                depth = 0;
            }
        } else if (cur.len == 0) {
            if (len == 0 || *line == '#')
                continue;
            start = lineno;
        }
        bool backslash = len > 0 && line[len - 1] == '\\';
        if (backslash)
            len--;
        if (cur.len > 0 && rule_buf_putc(&cur, ' ') < 0)
            goto oom;
        size_t before = cur.len;
        if (rule_buf_append(&cur, line, len) < 0)
            goto oom;
        depth = paren_balance(cur.data + before, depth);
        cont = backslash;
        /* A line ending in ')' ends the rule even when quotes inside it
         * unbalance the count (pcre:"/a"b/" is valid Snort 2). */
        if (backslash || (depth > 0 && cur.data[cur.len - 1] != ')'))
            continue;

        char *s = cur.data;
        if (!starts_rule(s)) {
            size_t wl = strcspn(s, " \t");
            if ((wl == 3 && strncmp(s, "var", 3) == 0) ||
                (wl == 5 && strncmp(s, "ipvar", 5) == 0) ||
                (wl == 7 && strncmp(s, "portvar", 7) == 0)) {
                if (load_var_line(set, file, start, s) < 0)
                    goto oom;
            } else {
                char msg[128];
                snprintf(msg, sizeof(msg), "not a rule: unknown action or "
                         "directive '%.*s'", (int)(wl > 40 ? 40 : wl), s);
                if (add_reject(set, file, start, 0, msg) < 0)
                    goto oom;
            }
        } else if (load_rule(set, file, start, s) < 0) {
            goto oom;
        }
        cur.len = 0;
        depth = 0;
    }
    if (cur.len > 0 && add_reject(set, file, start, 0,
                                  cont ? "file ends after a '\\'"
                                       : "missing ')' at the end of the rule") < 0)
        goto oom;
    goto done;
oom:
    rc = ws_err_set(err, "out of memory loading %s", name);
done:
    rule_buf_free(&cur);
    return rc;
}

int rule_set_load_file(rule_set_t *set, const char *path, ws_err_t *err)
{
    FILE *f = fopen(path, "rb");
    if (f == NULL)
        return ws_err_set(err, "%s: cannot open: %s", path, strerror(errno));
    rule_buf_t b = { 0 };
    char chunk[65536];
    size_t n;
    int rc = 0;
    while ((n = fread(chunk, 1, sizeof(chunk), f)) > 0) {
        if (rule_buf_append(&b, chunk, n) < 0) {
            rc = ws_err_set(err, "out of memory reading %s", path);
            break;
        }
    }
    if (rc == 0 && ferror(f))
        rc = ws_err_set(err, "%s: read error: %s", path, strerror(errno));
    fclose(f);
    if (rc == 0) {
        if (b.data != NULL && memchr(b.data, '\0', b.len) != NULL)
            rc = ws_err_set(err, "%s: contains NUL bytes", path);
        else
            rc = rule_set_load_text(set, path, b.data ? b.data : "", err);
    }
    rule_buf_free(&b);
    return rc;
}

int rule_set_load_files(rule_set_t *set, const char *const *paths, size_t n,
                        ws_err_t *err)
{
    for (size_t i = 0; i < n; i++)
        if (rule_set_load_file(set, paths[i], err) < 0)
            return -1;
    return 0;
}

void rule_reject_format(const rule_reject_t *rej, char *buf, size_t len)
{
    if (rej->sid != 0)
        snprintf(buf, len, "%s:%u: sid %u: %s", rej->file, rej->line,
                 rej->sid, rej->reason);
    else
        snprintf(buf, len, "%s:%u: sid ?: %s", rej->file, rej->line,
                 rej->reason);
}

int rule_set_report(const rule_set_t *set, FILE *out)
{
    char line[1024];
    for (uint32_t i = 0; i < set->nrejects; i++) {
        rule_reject_format(&set->rejects[i], line, sizeof(line));
        fprintf(out, "%s\n", line);
    }
    fprintf(out, "rules: %u loaded, %u rejected\n", set->nrules,
            set->nrejects);
    return set->nrejects > 0;
}
