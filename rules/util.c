/*
 * util.c - the helpers declared in util.h: buffer, strings, numbers.
 *
 * Number parsing is strict (the whole token must be a number in range)
 * because a rule like `depth:5x` must be rejected, not read as 5.
 */
#include "rules/util.h"

#include <ctype.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

int rule_buf_append(rule_buf_t *b, const void *p, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        size_t cap = b->cap ? b->cap * 2 : 64;
        while (cap < b->len + n + 1)
            cap *= 2;
        char *d = realloc(b->data, cap);
        if (d == NULL)
            return -1;
        b->data = d;
        b->cap = cap;
    }
    if (n)
        memcpy(b->data + b->len, p, n);
    b->len += n;
    b->data[b->len] = '\0';
    return 0;
}

int rule_buf_putc(rule_buf_t *b, char c)
{
    return rule_buf_append(b, &c, 1);
}

void rule_buf_free(rule_buf_t *b)
{
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

char *rule_strndup(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (d == NULL)
        return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *rule_strdup(const char *s)
{
    return rule_strndup(s, strlen(s));
}

char *rule_trim(char *s)
{
    while (isspace((unsigned char)*s))
        s++;
    size_t n = strlen(s);
    while (n > 0 && isspace((unsigned char)s[n - 1]))
        s[--n] = '\0';
    return s;
}

int rule_parse_u64(const char *s, uint64_t max, uint64_t *out)
{
    while (isspace((unsigned char)*s))
        s++;
    if (!isdigit((unsigned char)*s))
        return -1;
    errno = 0;
    char *end;
    unsigned long long v = strtoull(s, &end, 0);
    if (errno != 0 || end == s)
        return -1;
    while (isspace((unsigned char)*end))
        end++;
    if (*end != '\0' || v > max)
        return -1;
    *out = v;
    return 0;
}

int rule_parse_u32(const char *s, uint32_t *out)
{
    uint64_t v;
    if (rule_parse_u64(s, UINT32_MAX, &v) < 0)
        return -1;
    *out = (uint32_t)v;
    return 0;
}

int rule_parse_i32(const char *s, int32_t *out)
{
    while (isspace((unsigned char)*s))
        s++;
    bool neg = false;
    if (*s == '-' || *s == '+') {
        neg = *s == '-';
        s++;
    }
    uint64_t v;
    if (rule_parse_u64(s, neg ? (uint64_t)INT32_MAX + 1 : INT32_MAX, &v) < 0)
        return -1;
    *out = neg ? (int32_t)(-(int64_t)v) : (int32_t)v;
    return 0;
}

bool rule_word_eq(const char *s, const char *word)
{
    return strcasecmp(s, word) == 0;
}

int rule_split(char *s, char sep, char **items, int max)
{
    int n = 0;
    bool quoted = false;
    char *start = s;
    for (char *p = s;; p++) {
        if (*p == '\\' && p[1] != '\0') {
            p++;
            continue;
        }
        if (*p == '"')
            quoted = !quoted;
        if (*p == '\0' || (*p == sep && !quoted)) {
            bool end = *p == '\0';
            *p = '\0';
            if (n == max)
                return -1;
            items[n++] = rule_trim(start);
            if (end)
                break;
            start = p + 1;
        }
    }
    return n;
}
