/*
 * kw_meta.c - options that describe a rule rather than test a packet: msg,
 * sid, gid, rev, classtype, priority, reference, metadata, service, and the
 * alert-rate options threshold, detection_filter and tag, plus Snort 3's
 * rem (a comment).
 *
 * These fill rule_t fields directly.  classtype is resolved through the
 * classification table (or the built-in list) so an unknown class rejects
 * the rule and an alert can print its category.  metadata "service X" pairs
 * also add X to the rule's services, as Snort 2.9 does.
 */
#include "rules/kw.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#include "rules/classify.h"

int kw_msg(kw_state_t *st, rule_kw_t kw, char *value)
{
    if (kw_need_value(st, kw, value) < 0)
        return -1;
    if (st->rule->msg != NULL)
        return kw_fail(st, kw, "given twice");
    return kw_unquote(st, kw, value, &st->rule->msg);
}

static int meta_u32(kw_state_t *st, rule_kw_t kw, char *value, uint32_t min,
                    uint32_t *out)
{
    if (kw_need_value(st, kw, value) < 0)
        return -1;
    uint32_t v;
    if (rule_parse_u32(value, &v) < 0 || v < min)
        return kw_fail(st, kw, "bad number '%s'", value);
    *out = v;
    return 0;
}

int kw_sid(kw_state_t *st, rule_kw_t kw, char *value)
{
    return meta_u32(st, kw, value, 1, &st->rule->sid);
}

int kw_gid(kw_state_t *st, rule_kw_t kw, char *value)
{
    return meta_u32(st, kw, value, 1, &st->rule->gid);
}

int kw_rev(kw_state_t *st, rule_kw_t kw, char *value)
{
    return meta_u32(st, kw, value, 1, &st->rule->rev);
}

int kw_priority(kw_state_t *st, rule_kw_t kw, char *value)
{
    if (meta_u32(st, kw, value, 1, &st->rule->priority) < 0)
        return -1;
    st->explicit_priority = true;
    return 0;
}

int kw_classtype(kw_state_t *st, rule_kw_t kw, char *value)
{
    if (kw_need_value(st, kw, value) < 0)
        return -1;
    rule_t *r = st->rule;
    if (r->classtype != NULL)
        return kw_fail(st, kw, "given twice");
    const rule_class_t *c = rule_classes_find(st->ctx->classes, value);
    if (c == NULL)
        return kw_fail(st, kw, "unknown classtype '%s'", value);
    if ((r->classtype = rule_strdup(c->name)) == NULL ||
        (r->category = rule_strdup(c->desc)) == NULL)
        return ws_err_set(st->err, "out of memory");
    if (!st->explicit_priority)
        r->priority = c->priority;
    return 0;
}

int kw_reference(kw_state_t *st, rule_kw_t kw, char *value)
{
    if (kw_need_value(st, kw, value) < 0)
        return -1;
    char *comma = strchr(value, ',');
    if (comma == NULL)
        return kw_fail(st, kw, "expected system,id");
    *comma = '\0';
    char *sys = rule_trim(value), *id = rule_trim(comma + 1);
    if (*sys == '\0' || *id == '\0')
        return kw_fail(st, kw, "expected system,id");
    rule_t *r = st->rule;
    rule_reference_t *v = realloc(r->refs, (r->nrefs + 1) * sizeof(*v));
    if (v == NULL)
        return ws_err_set(st->err, "out of memory");
    r->refs = v;
    rule_reference_t *ref = &r->refs[r->nrefs];
    ref->system = rule_strdup(sys);
    ref->id = rule_strdup(id);
    r->nrefs++;
    if (ref->system == NULL || ref->id == NULL)
        return ws_err_set(st->err, "out of memory");
    return 0;
}

int kw_metadata(kw_state_t *st, rule_kw_t kw, char *value)
{
    if (kw_need_value(st, kw, value) < 0)
        return -1;
    rule_t *r = st->rule;
    uint32_t cnt = 1;
    for (char *p = value; *p; p++)
        cnt += *p == ',';
    rule_meta_t *v = realloc(r->meta, (r->nmeta + cnt) * sizeof(*v));
    if (v == NULL)
        return ws_err_set(st->err, "out of memory");
    r->meta = v;
    char *save = NULL;
    for (char *t = strtok_r(value, ",", &save); t;
         t = strtok_r(NULL, ",", &save)) {
        t = rule_trim(t);
        if (*t == '\0')
            continue;
        char *val = t;
        while (*val && !isspace((unsigned char)*val))
            val++;
        if (*val)
            *val++ = '\0';
        val = rule_trim(val);
        rule_meta_t *m = &r->meta[r->nmeta];
        m->key = rule_strdup(t);
        m->value = rule_strdup(val);
        r->nmeta++;
        if (m->key == NULL || m->value == NULL)
            return ws_err_set(st->err, "out of memory");
        if (strcmp(m->key, "service") == 0 && *val != '\0' &&
            kw_add_service(st, val, strlen(val)) < 0)
            return -1;
    }
    return 0;
}

int kw_service(kw_state_t *st, rule_kw_t kw, char *value)
{
    if (kw_need_value(st, kw, value) < 0)
        return -1;
    char *save = NULL;
    for (char *t = strtok_r(value, ",", &save); t;
         t = strtok_r(NULL, ",", &save)) {
        t = rule_trim(t);
        for (char *p = t; *p; p++)
            if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-' &&
                *p != '.')
                return kw_fail(st, kw, "bad service name '%s'", t);
        if (kw_add_service(st, t, strlen(t)) < 0)
            return -1;
    }
    return 0;
}

int kw_rem(kw_state_t *st, rule_kw_t kw, char *value)
{
    return kw_need_value(st, kw, value);
}

/* "track by_src, count 5, seconds 60[, type limit]" */
static int thresh_parse(kw_state_t *st, rule_kw_t kw, char *value,
                        rule_threshold_t *t, bool want_type)
{
    if (kw_need_value(st, kw, value) < 0)
        return -1;
    if (t->type != RULE_THRESH_NONE)
        return kw_fail(st, kw, "given twice");
    char *items[8];
    int n = rule_split(value, ',', items, 8);
    if (n < 0)
        return kw_fail(st, kw, "too many arguments");
    bool has_count = false, has_seconds = false;
    t->type = want_type ? RULE_THRESH_NONE : RULE_THRESH_DETECTION;
    for (int i = 0; i < n; i++) {
        char *k = items[i], *v = k;
        while (*v && !isspace((unsigned char)*v))
            v++;
        if (*v)
            *v++ = '\0';
        v = rule_trim(v);
        if (strcmp(k, "type") == 0 && want_type) {
            if (strcmp(v, "limit") == 0)
                t->type = RULE_THRESH_LIMIT;
            else if (strcmp(v, "threshold") == 0)
                t->type = RULE_THRESH_THRESHOLD;
            else if (strcmp(v, "both") == 0)
                t->type = RULE_THRESH_BOTH;
            else
                return kw_fail(st, kw, "unknown type '%s'", v);
        } else if (strcmp(k, "track") == 0) {
            if (strcmp(v, "by_src") == 0)
                t->track = RULE_TRACK_SRC;
            else if (strcmp(v, "by_dst") == 0)
                t->track = RULE_TRACK_DST;
            else if (strcmp(v, "by_rule") == 0)
                t->track = RULE_TRACK_RULE;
            else
                return kw_fail(st, kw, "unknown track '%s'", v);
        } else if (strcmp(k, "count") == 0) {
            if (rule_parse_u32(v, &t->count) < 0)
                return kw_fail(st, kw, "bad count '%s'", v);
            has_count = true;
        } else if (strcmp(k, "seconds") == 0) {
            if (rule_parse_u32(v, &t->seconds) < 0)
                return kw_fail(st, kw, "bad seconds '%s'", v);
            has_seconds = true;
        } else {
            return kw_fail(st, kw, "unknown option '%s'", k);
        }
    }
    if (t->type == RULE_THRESH_NONE)
        return kw_fail(st, kw, "missing type");
    if (t->track == RULE_TRACK_NONE || !has_count || !has_seconds)
        return kw_fail(st, kw, "needs track, count and seconds");
    return 0;
}

int kw_threshold(kw_state_t *st, rule_kw_t kw, char *value)
{
    return thresh_parse(st, kw, value, &st->rule->threshold, true);
}

int kw_detection_filter(kw_state_t *st, rule_kw_t kw, char *value)
{
    return thresh_parse(st, kw, value, &st->rule->detection_filter, false);
}

/* tag:session[, N, unit] | tag:host, N, unit, src|dst
 * (Snort 3 writes tag:session,packets 10 -- "unit N" -- also accepted) */
int kw_tag(kw_state_t *st, rule_kw_t kw, char *value)
{
    if (kw_need_value(st, kw, value) < 0)
        return -1;
    rule_tag_t *t = &st->rule->tag;
    if (t->type != RULE_TAG_NONE)
        return kw_fail(st, kw, "given twice");
    char *items[6];
    int n = rule_split(value, ',', items, 6);
    if (n < 0)
        return kw_fail(st, kw, "too many arguments");
    if (strcmp(items[0], "session") == 0)
        t->type = RULE_TAG_SESSION;
    else if (strcmp(items[0], "host") == 0)
        t->type = RULE_TAG_HOST;
    else
        return kw_fail(st, kw, "unknown type '%s'", items[0]);
    for (int i = 1; i < n; i++) {
        char *w = items[i];
        if (strcmp(w, "src") == 0)
            t->track = RULE_TRACK_SRC;
        else if (strcmp(w, "dst") == 0)
            t->track = RULE_TRACK_DST;
        else if (strcmp(w, "exclusive") == 0)
            continue;
        else if (isdigit((unsigned char)*w)) {
            if (rule_parse_u32(w, &t->count) < 0)
                return kw_fail(st, kw, "bad count '%s'", w);
        } else {
            char *num = w;
            while (*num && !isspace((unsigned char)*num))
                num++;
            if (*num)
                *num++ = '\0';
            num = rule_trim(num);
            if (strcmp(w, "packets") == 0)
                t->unit = RULE_TAG_PACKETS;
            else if (strcmp(w, "seconds") == 0)
                t->unit = RULE_TAG_SECONDS;
            else if (strcmp(w, "bytes") == 0)
                t->unit = RULE_TAG_BYTES;
            else
                return kw_fail(st, kw, "unknown option '%s'", w);
            if (*num && rule_parse_u32(num, &t->count) < 0)
                return kw_fail(st, kw, "bad count '%s'", num);
        }
    }
    if (t->type == RULE_TAG_HOST && t->track == RULE_TRACK_NONE)
        return kw_fail(st, kw, "host tags need src or dst");
    return 0;
}
