/*
 * util.h - small helpers shared by the rule front end: a growable byte
 * buffer, string duplication, strict number parsing and whitespace
 * trimming.  Nothing here knows about rules; it exists so that each keyword
 * file does not grow its own copy.
 */
#ifndef RULE_UTIL_H
#define RULE_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/* Growable buffer; data is always NUL-terminated after a successful append. */
typedef struct rule_buf {
    char *data;
    size_t len, cap;
} rule_buf_t;

int rule_buf_append(rule_buf_t *b, const void *p, size_t n);
int rule_buf_putc(rule_buf_t *b, char c);
void rule_buf_free(rule_buf_t *b);

/* malloc'd copy of n bytes plus NUL; NULL on allocation failure. */
char *rule_strndup(const char *s, size_t n);
char *rule_strdup(const char *s);

/* Trim ASCII whitespace in place; returns the new start. */
char *rule_trim(char *s);

/* Parse all of s (surrounding whitespace allowed) as an unsigned or signed
 * integer, decimal or 0x hex.  0 / -1. */
int rule_parse_u64(const char *s, uint64_t max, uint64_t *out);
int rule_parse_u32(const char *s, uint32_t *out);
int rule_parse_i32(const char *s, int32_t *out);

/* Case-insensitive equality of s with the NUL-terminated word. */
bool rule_word_eq(const char *s, const char *word);

/* Split s in place at unquoted separator sep; trims each item.  Fills up to
 * max items, returns how many (or -1 when there are more than max). */
int rule_split(char *s, char sep, char **items, int max);

#endif
