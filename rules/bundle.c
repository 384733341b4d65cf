/*
 * bundle.c - see bundle.h.  Layout: "WSRB" magic, version, entry count,
 * then entries [type u8][name length u32][name][value length u32][value],
 * lengths without terminators; values are arbitrary bytes.
 */
#include "rules/bundle.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define BUNDLE_MAGIC   0x42525357u   /* "WSRB" */
#define BUNDLE_VERSION 1u

enum { ENT_VAR = 1, ENT_CLASSIFICATION = 2, ENT_FILE = 3 };

static int put(rule_bundle_t *b, const void *p, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = b->cap ? b->cap : 4096;
        while (cap < b->len + n)
            cap *= 2;
        uint8_t *d = realloc(b->data, cap);
        if (d == NULL)
            return -1;
        b->data = d;
        b->cap = cap;
    }
    memcpy(b->data + b->len, p, n);
    b->len += n;
    return 0;
}

static int put_entry(rule_bundle_t *b, uint8_t type, const char *name,
                     const void *val, size_t vlen)
{
    uint32_t nl = (uint32_t)strlen(name), vl = (uint32_t)vlen;

    return put(b, &type, 1) | put(b, &nl, 4) | put(b, name, nl) | put(b, &vl, 4)
           | put(b, val, vlen);
}

static char *read_file(const char *path, size_t *len, ws_err_t *err)
{
    FILE *f = fopen(path, "rb");
    char *buf = NULL;
    long n;

    if (f == NULL) {
        ws_err_set(err, "cannot read rule file %s: %s", path, strerror(errno));
        return NULL;
    }
    if (fseek(f, 0, SEEK_END) != 0 || (n = ftell(f)) < 0 || fseek(f, 0, SEEK_SET) != 0
        || (buf = malloc((size_t)n + 1)) == NULL || fread(buf, 1, (size_t)n, f) != (size_t)n) {
        ws_err_set(err, "cannot read rule file %s: %s", path,
                   errno ? strerror(errno) : "short read");
        free(buf);
        fclose(f);
        return NULL;
    }
    fclose(f);
    buf[n] = '\0';
    *len = (size_t)n;
    return buf;
}

int rule_bundle_build(rule_bundle_t *b, const char *const *files, size_t nfiles,
                      const char *const *names, const char *const *values,
                      size_t nvars, const char *classification, ws_err_t *err)
{
    uint32_t hdr[3] = { BUNDLE_MAGIC, BUNDLE_VERSION, (uint32_t)(nfiles + nvars + 1) };
    size_t i;

    memset(b, 0, sizeof(*b));
    if (put(b, hdr, sizeof(hdr)) < 0)
        goto nomem;
    for (i = 0; i < nvars; i++)
        if (put_entry(b, ENT_VAR, names[i], values[i], strlen(values[i])) < 0)
            goto nomem;
    if (put_entry(b, ENT_CLASSIFICATION, "", classification, strlen(classification)) < 0)
        goto nomem;
    for (i = 0; i < nfiles; i++) {
        size_t len;
        char *text = read_file(files[i], &len, err);
        if (text == NULL) {
            rule_bundle_free(b);
            return -1;
        }
        int rc = put_entry(b, ENT_FILE, files[i], text, len);
        free(text);
        if (rc < 0)
            goto nomem;
    }
    return 0;
nomem:
    rule_bundle_free(b);
    return ws_err_set(err, "out of memory building the rule bundle");
}

void rule_bundle_free(rule_bundle_t *b)
{
    free(b->data);
    memset(b, 0, sizeof(*b));
}

/* Cursor over a bundle; each get checks the bounds. */
typedef struct cursor {
    const uint8_t *p, *end;
} cursor_t;

static int get_str(cursor_t *c, char **out)
{
    uint32_t n;

    if (c->end - c->p < 4)
        return -1;
    memcpy(&n, c->p, 4);
    c->p += 4;
    if ((size_t)(c->end - c->p) < n || (*out = malloc((size_t)n + 1)) == NULL)
        return -1;
    memcpy(*out, c->p, n);
    (*out)[n] = '\0';
    c->p += n;
    return 0;
}

int rule_bundle_load(rule_loaded_t *out, const void *blob, size_t len,
                     rule_reject_fn fn, void *arg, ws_err_t *err)
{
    cursor_t c = { blob, (const uint8_t *)blob + len };
    uint32_t hdr[3], i;
    int files_started = 0;

    memset(out, 0, sizeof(*out));
    if (len < sizeof(hdr))
        return ws_err_set(err, "rule bundle truncated");
    memcpy(hdr, blob, sizeof(hdr));
    if (hdr[0] != BUNDLE_MAGIC || hdr[1] != BUNDLE_VERSION)
        return ws_err_set(err, "rule bundle has a bad magic or version");
    c.p += sizeof(hdr);
    if (rule_vars_init(&out->vars, err) < 0)
        return -1;
    for (i = 0; i < hdr[2]; i++) {
        char *name = NULL, *val = NULL;
        uint8_t type;
        int rc = 0;

        if (c.p >= c.end)
            goto broken;
        type = *c.p++;
        if (get_str(&c, &name) < 0 || get_str(&c, &val) < 0) {
            free(name);
            free(val);
            goto broken;
        }
        if (type == ENT_VAR) {
            rc = rule_vars_set(&out->vars, name, val, err);
        } else if (type == ENT_CLASSIFICATION) {
            if (val[0] != '\0') {
                rule_classes_init(&out->classes);
                out->have_classes = 1;
                rc = rule_classes_load(&out->classes, val, err);
            }
        } else if (type == ENT_FILE) {
            if (!files_started) {
                rc = rule_set_init(&out->set, &out->vars,
                                   out->have_classes ? &out->classes : NULL, err);
                if (rc == 0)
                    rule_set_on_reject(&out->set, fn, arg);
                files_started = 1;
            }
            if (rc == 0)
                rc = rule_set_load_text(&out->set, name, val, err);
        }
        free(name);
        free(val);
        if (rc < 0) {
            rule_loaded_free(out);
            return -1;
        }
    }
    if (!files_started) {
        if (rule_set_init(&out->set, &out->vars,
                          out->have_classes ? &out->classes : NULL, err) < 0) {
            rule_loaded_free(out);
            return -1;
        }
    }
    return 0;
broken:
    rule_loaded_free(out);
    return ws_err_set(err, "rule bundle is corrupt");
}

void rule_loaded_free(rule_loaded_t *l)
{
    rule_set_free(&l->set);
    rule_vars_free(&l->vars);
    if (l->have_classes)
        rule_classes_free(&l->classes);
    memset(l, 0, sizeof(*l));
}
