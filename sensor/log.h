/*
 * log.h - the sensor's own log lines (not alerts).
 *
 * Every process writes "TIME LEVEL wiresift[PID] ROLE: message" to stderr,
 * which the supervisor inherits to its children, so one terminal or one
 * journal holds the whole instance's story.
 */
#ifndef WS_LOG_H
#define WS_LOG_H

enum ws_log_level { WS_LOG_ERR, WS_LOG_WARN, WS_LOG_INFO, WS_LOG_DEBUG };

/* Name this process's role in its log lines ("supervisor", "capture 0", ...). */
void ws_log_role(const char *role);
/* Lines above this level are not written (default: info). */
void ws_log_level(enum ws_log_level level);

void ws_log(enum ws_log_level level, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

#define ws_err(...)   ws_log(WS_LOG_ERR, __VA_ARGS__)
#define ws_warn(...)  ws_log(WS_LOG_WARN, __VA_ARGS__)
#define ws_info(...)  ws_log(WS_LOG_INFO, __VA_ARGS__)
#define ws_debug(...) ws_log(WS_LOG_DEBUG, __VA_ARGS__)

#endif
