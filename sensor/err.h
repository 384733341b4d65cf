/*
 * err.h - the error struct every fallible function fills.
 *
 * Functions return 0 on success and -1 on failure; on failure they write one
 * human-readable line into the caller's ws_err_t saying what failed and, where
 * we know it, how to fix it.  Only a process's top-level loop decides to exit.
 */
#ifndef WS_ERR_H
#define WS_ERR_H

#include <stdarg.h>
#include <stdio.h>

typedef struct ws_err {
    char msg[512];
} ws_err_t;

/* Write a formatted message into err (NULL-safe) and return -1. */
static inline int ws_err_set(ws_err_t *err, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static inline int ws_err_set(ws_err_t *err, const char *fmt, ...)
{
    if (err != NULL) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(err->msg, sizeof(err->msg), fmt, ap);
        va_end(ap);
    }
    return -1;
}

#endif
