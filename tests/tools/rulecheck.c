/*
 * rulecheck.c - rule coverage check: load rule sets with the rules/ front
 * end and print how many rules loaded, how many were rejected, and the most
 * common reject reasons (numbers folded to N so similar reasons group).
 *
 *   rulecheck [-d RULESETS] [-v] [-c classification.config]
 *             [-2|-3] [FILE...]
 *
 * Without FILEs it checks the three shared sets under RULESETS (default
 * ../shared/rulesets): et-open-snort29/ (every .rules file),
 * snort2-community/community.enabled.rules and
 * snort3-community/snort3-community.rules.  With FILEs they form one set.
 * -v prints every reject line (the -T format).  Exit status is 0 when every
 * set met its target (95% for Snort 2 sets, 90% for Snort 3), else 1.
 *
 * Build, linked against the front end:
 *   make build/tools/rulecheck     (tools link every module's objects)
 */
#include <ctype.h>
#include <glob.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "rules/classify.h"
#include "rules/ruleset.h"


typedef struct reason_count {
    char *reason;
    unsigned count;
    char example[200];
} reason_count_t;

typedef struct reasons {
    reason_count_t *v;
    size_t n, cap;
} reasons_t;

/* Fold numbers to N so "offset 12" and "offset 7" group together (digits
 * inside words, as in asn1, stay). */
static void fold(const char *in, char *out, size_t len)
{
    size_t w = 0;
    for (const char *p = in; *p && w + 1 < len; p++) {
        if (isdigit((unsigned char)*p) &&
            (p == in || !isalnum((unsigned char)p[-1]))) {
            out[w++] = 'N';
            while (isdigit((unsigned char)p[1]))
                p++;
        } else {
            out[w++] = *p;
        }
    }
    out[w] = '\0';
}

static void count_reason(reasons_t *rs, const rule_reject_t *rej)
{
    char key[512];
    fold(rej->reason, key, sizeof(key));
    for (size_t i = 0; i < rs->n; i++) {
        if (strcmp(rs->v[i].reason, key) == 0) {
            rs->v[i].count++;
            return;
        }
    }
    if (rs->n == rs->cap) {
        rs->cap = rs->cap ? rs->cap * 2 : 64;
        rs->v = realloc(rs->v, rs->cap * sizeof(*rs->v));
        if (rs->v == NULL) {
            perror("realloc");
            exit(1);
        }
    }
    rs->v[rs->n].reason = strdup(key);
    rs->v[rs->n].count = 1;
    rule_reject_format(rej, rs->v[rs->n].example, sizeof(rs->v[rs->n].example));
    rs->n++;
}

static int by_count(const void *a, const void *b)
{
    const reason_count_t *x = a, *y = b;
    return (int)y->count - (int)x->count;
}

typedef struct opts {
    bool verbose;
    const rule_classes_t *classes;
    rule_dialect_t dialect;
} opts_t;

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Load one set; returns 1 when it met target (percent loaded). */
static int check_set(const char *title, char **files, size_t nfiles,
                     double target, const opts_t *o)
{
    rule_set_t set;
    ws_err_t err;
    if (rule_set_init(&set, NULL, o->classes, &err) < 0) {
        fprintf(stderr, "%s\n", err.msg);
        return 0;
    }
    set.ctx.dialect = o->dialect;
    double t0 = now();
    for (size_t i = 0; i < nfiles; i++) {
        if (rule_set_load_file(&set, files[i], &err) < 0)
            fprintf(stderr, "rulecheck: %s\n", err.msg);
    }
    double dt = now() - t0;
    unsigned total = set.nrules + set.nrejects;
    double pct = total ? 100.0 * set.nrules / total : 100.0;
    printf("== %s: %zu file(s), %u rules: %u loaded, %u rejected "
           "(%.2f%% loaded, target %.0f%%) in %.3f s\n",
           title, nfiles, total, set.nrules, set.nrejects, pct, target, dt);
    if (o->verbose)
        rule_set_report(&set, stdout);
    reasons_t rs = { 0 };
    for (uint32_t i = 0; i < set.nrejects; i++)
        count_reason(&rs, &set.rejects[i]);
    qsort(rs.v, rs.n, sizeof(*rs.v), by_count);
    for (size_t i = 0; i < rs.n && i < 25; i++)
        printf("  %6u  %s\n          e.g. %s\n", rs.v[i].count, rs.v[i].reason,
               rs.v[i].example);
    for (size_t i = 0; i < rs.n; i++)
        free(rs.v[i].reason);
    free(rs.v);
    rule_set_free(&set);
    return pct >= target;
}

int main(int argc, char **argv)
{
    const char *dir = "../shared/rulesets";
    const char *classfile = NULL;
    opts_t o = { .dialect = RULE_DIALECT_AUTO };
    int i;
    for (i = 1; i < argc && argv[i][0] == '-'; i++) {
        if (strcmp(argv[i], "-d") == 0 && i + 1 < argc)
            dir = argv[++i];
        else if (strcmp(argv[i], "-c") == 0 && i + 1 < argc)
            classfile = argv[++i];
        else if (strcmp(argv[i], "-v") == 0)
            o.verbose = true;
        else if (strcmp(argv[i], "-2") == 0)
            o.dialect = RULE_DIALECT_SNORT2;
        else if (strcmp(argv[i], "-3") == 0)
            o.dialect = RULE_DIALECT_SNORT3;
        else {
            fprintf(stderr, "usage: rulecheck [-d DIR] [-v] [-c FILE] [-2|-3] "
                            "[FILE...]\n");
            return 2;
        }
    }
    rule_classes_t classes;
    if (classfile != NULL) {
        ws_err_t err;
        rule_classes_init(&classes);
        if (rule_classes_load(&classes, classfile, &err) < 0) {
            fprintf(stderr, "rulecheck: %s\n", err.msg);
            return 2;
        }
        o.classes = &classes;
    }
    int ok = 1;
    if (i < argc) {
        ok = check_set("files", argv + i, (size_t)(argc - i), 0.0, &o);
    } else {
        char pat[4096];
        glob_t g;
        snprintf(pat, sizeof(pat), "%s/et-open-snort29/*.rules", dir);
        if (glob(pat, 0, NULL, &g) != 0) {
            fprintf(stderr, "rulecheck: no rule files under %s\n", dir);
            return 2;
        }
        ok &= check_set("ET Open (Snort 2.9)", g.gl_pathv, g.gl_pathc, 95.0, &o);
        globfree(&g);
        char p2[4096], p3[4096];
        snprintf(p2, sizeof(p2), "%s/snort2-community/community.enabled.rules",
                 dir);
        snprintf(p3, sizeof(p3), "%s/snort3-community/snort3-community.rules",
                 dir);
        char *f2[] = { p2 }, *f3[] = { p3 };
        ok &= check_set("Snort 2.9 community", f2, 1, 95.0, &o);
        ok &= check_set("Snort 3 community", f3, 1, 90.0, &o);
    }
    if (classfile != NULL)
        rule_classes_free(&classes);
    return ok ? 0 : 1;
}
