/*
 * log.c - see log.h.  One write(2) per line so lines of different processes
 * sharing stderr never interleave.
 */
#include "sensor/log.h"

#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

static char log_role[32] = "wiresift";
static enum ws_log_level log_max = WS_LOG_INFO;

static const char *const level_names[] = {
    [WS_LOG_ERR] = "error", [WS_LOG_WARN] = "warning",
    [WS_LOG_INFO] = "info", [WS_LOG_DEBUG] = "debug",
};

void ws_log_role(const char *role)
{
    snprintf(log_role, sizeof(log_role), "%s", role);
}

void ws_log_level(enum ws_log_level level)
{
    log_max = level;
}

void ws_log(enum ws_log_level level, const char *fmt, ...)
{
    char line[1024];
    struct timeval tv;
    struct tm tm;
    va_list ap;
    int n;

    if (level > log_max)
        return;
    gettimeofday(&tv, NULL);
    gmtime_r(&tv.tv_sec, &tm);
    n = snprintf(line, sizeof(line), "%04d-%02d-%02dT%02d:%02d:%02d.%03ldZ %s wiresift[%d] %s: ",
                 tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour,
                 tm.tm_min, tm.tm_sec, (long)tv.tv_usec / 1000,
                 level_names[level], (int)getpid(), log_role);
    va_start(ap, fmt);
    n += vsnprintf(line + n, sizeof(line) - (size_t)n - 1, fmt, ap);
    va_end(ap);
    if (n > (int)sizeof(line) - 2)
        n = (int)sizeof(line) - 2;
    line[n++] = '\n';
    if (write(STDERR_FILENO, line, (size_t)n) < 0)
        return;
}
