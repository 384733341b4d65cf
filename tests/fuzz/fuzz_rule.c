/*
 * fuzz_rule.c - libFuzzer harness for the rule front end (rules/).
 *
 * The input is rule-file text.  It is loaded with rule_set_load_text into a
 * fresh rule_set_t (variables with Snort's defaults, built-in classes), the
 * -T report is formatted, and the set is freed.  Each line of the input is
 * also given to rule_parse on its own, with each dialect, so the single-rule
 * entry point sees inputs the file loader would have joined or skipped.
 * Everything the parser allocates must be freed (LeakSanitizer checks), and
 * a reject is a normal outcome, not a finding.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "rules/ruleset.h"

static rule_vars_t fz_vars;

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
    ws_err_t err;
    (void)argc; (void)argv;
    if (rule_vars_init(&fz_vars, &err) < 0) {
        fprintf(stderr, "fuzz_rule: rule_vars_init() failed: %s\n", err.msg);
        abort();
    }
    return 0;
}

static void fz_parse_lines(const char *text)
{
    static const rule_dialect_t dialects[] = {
        RULE_DIALECT_AUTO, RULE_DIALECT_SNORT2, RULE_DIALECT_SNORT3,
    };
    const char *p = text;
    char line[4096];

    while (*p) {
        const char *eol = strchr(p, '\n');
        size_t len = eol ? (size_t)(eol - p) : strlen(p);
        if (len >= sizeof(line))
            len = sizeof(line) - 1;
        memcpy(line, p, len);
        line[len] = '\0';
        p = eol ? eol + 1 : p + strlen(p);

        for (size_t d = 0; d < sizeof(dialects) / sizeof(dialects[0]); d++) {
            rule_parse_ctx_t ctx = { .vars = &fz_vars, .classes = NULL,
                                     .dialect = dialects[d] };
            rule_t *r = NULL;
            uint32_t sid = 0;
            ws_err_t err;
            if (rule_parse(line, &ctx, &r, &sid, &err) == 0)
                rule_free(r);
        }
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (text == NULL)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';

    rule_set_t set;
    ws_err_t err;
    if (rule_set_init(&set, &fz_vars, NULL, &err) == 0) {
        (void)rule_set_load_text(&set, "fuzz.rules", text, &err);
        char buf[1024];
        for (uint32_t i = 0; i < set.nrejects; i++)
            rule_reject_format(&set.rejects[i], buf, sizeof(buf));
        rule_set_free(&set);
    }
    fz_parse_lines(text);
    free(text);
    return 0;
}
