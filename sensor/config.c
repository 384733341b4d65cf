/*
 * config.c - load conf/wiresift.conf and the --set overrides into ws_config_t.
 *
 * Every setting is one row of a table: its dotted path, its type, its bounds
 * and the offset of the struct field it fills (top_rows for ws_config_t,
 * sensor_rows for one ws_sensor_conf_t inside the `sensors` list).  Loading
 * is three steps, and only the last one writes the struct:
 *   1. libconfig parses the file into a tree (no file: an empty tree);
 *   2. each --set KEY=VALUE is parsed by the type of KEY's row and written
 *      INTO that tree, replacing or creating settings; written settings carry
 *      a hook mark so that errors about them name the override, not the file;
 *   3. one walk over the tree checks every setting against the tables and
 *      copies it into a fresh struct that starts from ws_config_defaults():
 *      an unknown name, a wrong type or a value out of bounds stops the load
 *      with "FILE:LINE: setting 'PATH': reason" or "--set PATH: reason".
 * So file and overrides share one set of checks, and an override can repair
 * a bad file value.  The caller's struct is only replaced when all is well.
 *
 * Adding a setting: a field in config.h, a row here, its default in
 * ws_config_defaults(), a commented line in conf/wiresift.conf (the unit test
 * checks that the shipped file names every row).
 *
 * Known limit: libconfig 1.5 wraps integers that do not fit 32 bits unless
 * they carry an L suffix (3000000000 reads as -1294967296), so such a value
 * is reported with its wrapped number, or passes if it wraps into bounds.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <libconfig.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define CFG_WHY_LEN   320   /* one reason; ws_err_t adds the location */
#define CFG_KEY_LEN   512   /* a dotted path, as typed or as built */
#define CFG_MAX_CPU   1023  /* highest CPU number a cpus list may name (CPU_SETSIZE - 1) */

#define UNKNOWN_HINT "unknown setting (check the spelling; see conf/wiresift.conf for all settings)"

typedef enum cfg_type {
    CT_INT,     /* int field, bounds min..max */
    CT_DOUBLE,  /* double field, bounds min..max; an integer is accepted */
    CT_BOOL,    /* bool field */
    CT_STR,     /* char[size] field; min = least length; choices / check */
    CT_STRS,    /* char[max_count][size] + int count; a single string = one element */
    CT_INTS,    /* ws_cpu_list_t; min..max bound each element */
    CT_VARS,    /* ws_var_t[max_count] + int count: a group of NAME = "value" */
} cfg_type_t;

typedef struct cfg_row {
    const char         *path;       /* dotted, relative to the table's struct */
    cfg_type_t          type;
    double              min, max;   /* see cfg_type_t */
    size_t              off;        /* field offset in the table's struct */
    size_t              size;       /* CT_STR: buffer size; CT_STRS: element size */
    size_t              count_off;  /* CT_STRS, CT_VARS: offset of the int count */
    int                 max_count;  /* CT_STRS, CT_INTS, CT_VARS */
    const char *const  *choices;    /* CT_STR: allowed values, NULL-terminated */
    int               (*check)(const char *v, char *why, size_t n); /* CT_STR */
} cfg_row_t;

/* Where errors go, and the file name for settings that carry no file. */
typedef struct cfg_ctx {
    const char     *file;
    const config_t *cf;
    ws_err_t       *err;
} cfg_ctx_t;

/* Hook value of every setting an override wrote or created. */
static char set_mark;

static int check_ident(const char *v, char *why, size_t n);
static int check_target(const char *v, char *why, size_t n);

static const char *const syslog_formats[] = { "rfc5424", "rfc3164", NULL };
static const char *const syslog_messages[] = { "snort", "eve", NULL };
static const char *const fail_modes[] = { "open", "closed", NULL };
static const char *const syslog_facilities[] = {
    "kern", "user", "mail", "daemon", "auth", "syslog", "lpr", "news", "uucp",
    "cron", "authpriv", "ftp", "local0", "local1", "local2", "local3",
    "local4", "local5", "local6", "local7", NULL
};

#define WS_STR_(x) #x
#define WS_STR(x) WS_STR_(x)
#define FSIZE(st, f) sizeof(((st *)0)->f)
/* The field's size, and a compile error when the field is not a T. */
#define FSIZE_OF(st, f, T) \
    (FSIZE(st, f) + 0 * sizeof(char[__builtin_types_compatible_p(__typeof__(((st *)0)->f), T) ? 1 : -1]))
#define R_INT(st, p, f, lo, hi) \
    { .path = p, .type = CT_INT, .min = lo, .max = hi, .off = offsetof(st, f), \
      .size = FSIZE_OF(st, f, int) }
#define R_DBL(st, p, f, lo, hi) \
    { .path = p, .type = CT_DOUBLE, .min = lo, .max = hi, .off = offsetof(st, f), \
      .size = FSIZE_OF(st, f, double) }
#define R_BOOL(st, p, f) \
    { .path = p, .type = CT_BOOL, .off = offsetof(st, f), .size = FSIZE_OF(st, f, bool) }
#define R_STR(st, p, f, minlen, ch, fn) \
    { .path = p, .type = CT_STR, .min = minlen, .off = offsetof(st, f), .size = FSIZE(st, f), \
      .choices = ch, .check = fn }

static const cfg_row_t top_rows[] = {
    R_STR(ws_config_t, "log_dir", log_dir, 1, NULL, NULL),
    R_STR(ws_config_t, "classification_config", classification, 0, NULL, NULL),
    R_STR(ws_config_t, "reference_config", reference, 0, NULL, NULL),
    R_STR(ws_config_t, "threshold_config", threshold, 0, NULL, NULL),
    R_INT(ws_config_t, "pool.chunks", pool.chunks, 2, 65536),
    R_INT(ws_config_t, "pool.cells", pool.cells, 1, 4096),
    R_INT(ws_config_t, "pool.flush_us", pool.flush_us, 1, 1000000),
    R_BOOL(ws_config_t, "offload.enabled", offload.enabled),
    R_DBL(ws_config_t, "offload.threshold", offload.threshold, 0, 1),
    R_BOOL(ws_config_t, "outputs.eve.enabled", outputs.eve_enabled),
    R_BOOL(ws_config_t, "outputs.fast.enabled", outputs.fast_enabled),
    R_INT(ws_config_t, "outputs.eve.rotate_mb", outputs.eve_rotate_mb, 0, 1048576),
    R_INT(ws_config_t, "outputs.fast.rotate_mb", outputs.fast_rotate_mb, 0, 1048576),
    R_BOOL(ws_config_t, "outputs.pcap.enabled", outputs.pcap_enabled),
    R_BOOL(ws_config_t, "outputs.syslog.enabled", outputs.syslog.enabled),
    R_STR(ws_config_t, "outputs.syslog.target", outputs.syslog.target, 1, NULL, check_target),
    R_STR(ws_config_t, "outputs.syslog.format", outputs.syslog.format, 1, syslog_formats, NULL),
    R_STR(ws_config_t, "outputs.syslog.facility", outputs.syslog.facility, 1, syslog_facilities, NULL),
    R_STR(ws_config_t, "outputs.syslog.message", outputs.syslog.message, 1, syslog_messages, NULL),
    R_STR(ws_config_t, "outputs.syslog.app_name", outputs.syslog.app_name, 1, NULL, NULL),
    R_STR(ws_config_t, "outputs.syslog.hostname", outputs.syslog.hostname, 0, NULL, NULL),
    R_INT(ws_config_t, "outputs.syslog.queue", outputs.syslog.queue, 1, 10000000),
    R_INT(ws_config_t, "outputs.syslog.reconnect_max_ms", outputs.syslog.reconnect_max_ms, 1, 3600000),
    R_INT(ws_config_t, "outputs.stats.interval", outputs.stats_interval, 0, 86400),
    R_STR(ws_config_t, "outputs.metrics.listen", outputs.metrics_listen, 0, NULL, NULL),
    R_STR(ws_config_t, "outputs.metrics.file", outputs.metrics_file, 0, NULL, NULL),
    R_BOOL(ws_config_t, "stream.midstream", stream.midstream),
    R_INT(ws_config_t, "stream.depth", stream.depth, 0, INT_MAX),
    R_INT(ws_config_t, "stream.memcap_mb", stream.memcap_mb, 1, 1048576),
    R_INT(ws_config_t, "flow.timeout", flow.timeout_s, 1, 86400),
    R_INT(ws_config_t, "flow.max", flow.max, 1024, 100000000),
    R_STR(ws_config_t, "eal.file_prefix", eal.file_prefix, 0, NULL, check_ident),
    R_INT(ws_config_t, "eal.supervisor_cpu", eal.supervisor_cpu, -1, CFG_MAX_CPU),
    R_INT(ws_config_t, "eal.hugepages_min", eal.hugepages_min, 0, 1048576),
    R_STR(ws_config_t, "eal.extra", eal.extra, 0, NULL, NULL),
    R_BOOL(ws_config_t, "debug.flow_log", debug.flow_log),
    R_INT(ws_config_t, "debug.chunk_delay_us", debug.chunk_delay_us, 0, 1000000),
    R_INT(ws_config_t, "debug.crash_packet", debug.crash_packet, 0, INT_MAX),
    { .path = NULL },
};

/* `sensors` itself is not a row: it is the list these rows apply inside. */
static const cfg_row_t sensor_rows[] = {
    R_STR(ws_sensor_conf_t, "name", name, 1, NULL, check_ident),
    R_STR(ws_sensor_conf_t, "input", input, 0, NULL, NULL),
    R_INT(ws_sensor_conf_t, "queues", queues, 1, WS_MAX_QUEUES),
    R_INT(ws_sensor_conf_t, "workers", workers, 1, WS_MAX_DETECTORS),
    { .path = "rule_files", .type = CT_STRS, .min = 1,
      .off = offsetof(ws_sensor_conf_t, rule_files), .size = WS_PATH_LEN,
      .count_off = offsetof(ws_sensor_conf_t, rule_file_count), .max_count = WS_MAX_RULE_FILES },
    { .path = "vars", .type = CT_VARS,
      .off = offsetof(ws_sensor_conf_t, vars), .size = sizeof(ws_var_t),
      .count_off = offsetof(ws_sensor_conf_t, var_count), .max_count = WS_MAX_VARS },
    { .path = "cpus.capture", .type = CT_INTS, .min = 0, .max = CFG_MAX_CPU,
      .off = offsetof(ws_sensor_conf_t, capture_cpus), .max_count = WS_MAX_CPUS },
    { .path = "cpus.detect", .type = CT_INTS, .min = 0, .max = CFG_MAX_CPU,
      .off = offsetof(ws_sensor_conf_t, detect_cpus), .max_count = WS_MAX_CPUS },
    R_STR(ws_sensor_conf_t, "output", output, 0, NULL, NULL),
    R_STR(ws_sensor_conf_t, "fail", fail, 1, fail_modes, NULL),
    { .path = "bypass", .type = CT_STRS, .min = 1,
      .off = offsetof(ws_sensor_conf_t, bypass), .size = 128,
      .count_off = offsetof(ws_sensor_conf_t, bypass_count), .max_count = 16 },
    R_INT(ws_sensor_conf_t, "replay.rate", replay.rate, 0, 100000000),
    R_INT(ws_sensor_conf_t, "replay.loops", replay.loops, 0, 1000000),
    R_DBL(ws_sensor_conf_t, "replay.skew", replay.skew, 0, 1),
    R_INT(ws_sensor_conf_t, "replay.hot_flows", replay.hot_flows, 0, 1000000),
    { .path = NULL },
};

/* ---- defaults ---------------------------------------------------------- */

static void sensor_defaults(ws_sensor_conf_t *s, int index)
{
    memset(s, 0, sizeof(*s));
    snprintf(s->name, sizeof(s->name), "sensor%d", index);
    s->queues = 1;
    s->workers = 1;
    s->replay.loops = 1;
    snprintf(s->fail, sizeof(s->fail), "%s", "open");
}

void ws_config_defaults(ws_config_t *c)
{
    memset(c, 0, sizeof(*c));
    snprintf(c->log_dir, sizeof(c->log_dir), "%s", "/var/log/wiresift");
    c->classification[0] = '\0';   /* the built-in Snort/ET class list */
    c->reference[0] = '\0';
    c->sensor_count = 1;
    sensor_defaults(&c->sensors[0], 0);
    snprintf(c->sensors[0].name, sizeof(c->sensors[0].name), "%s", "default");
    c->pool.chunks = 64;
    c->pool.cells = 256;
    c->pool.flush_us = 100;
    c->offload.enabled = true;
    c->offload.threshold = 0.75;
    c->outputs.eve_enabled = true;
    c->outputs.fast_enabled = true;
    c->outputs.syslog.enabled = false;
    snprintf(c->outputs.syslog.target, sizeof(c->outputs.syslog.target), "%s", "local");
    snprintf(c->outputs.syslog.format, sizeof(c->outputs.syslog.format), "%s", "rfc5424");
    snprintf(c->outputs.syslog.facility, sizeof(c->outputs.syslog.facility), "%s", "local5");
    snprintf(c->outputs.syslog.message, sizeof(c->outputs.syslog.message), "%s", "snort");
    snprintf(c->outputs.syslog.app_name, sizeof(c->outputs.syslog.app_name), "%s", "wiresift");
    c->outputs.syslog.queue = 65536;
    c->outputs.syslog.reconnect_max_ms = 30000;
    c->outputs.stats_interval = 10;
    c->stream.midstream = false;
    c->stream.depth = 1048576;
    c->stream.memcap_mb = 256;
    c->flow.max = 1000000;
    c->flow.timeout_s = 60;
    c->eal.supervisor_cpu = -1;
    c->eal.hugepages_min = 128;
    c->debug.flow_log = false;
    c->debug.chunk_delay_us = 0;
}

const char *ws_config_var(const ws_sensor_conf_t *s, const char *name)
{
    for (int i = 0; i < s->var_count; i++)
        if (strcmp(s->vars[i].name, name) == 0)
            return s->vars[i].value;
    return NULL;
}

const char *ws_config_setting_path(int i)
{
    static char buf[64];
    int ntop = (int)(sizeof(top_rows) / sizeof(top_rows[0])) - 1;
    int nsen = (int)(sizeof(sensor_rows) / sizeof(sensor_rows[0])) - 1;

    if (i < 0 || i >= ntop + nsen)
        return NULL;
    if (i < ntop)
        return top_rows[i].path;
    snprintf(buf, sizeof(buf), "sensors.[N].%s", sensor_rows[i - ntop].path);
    return buf;
}

/* ---- value checks ------------------------------------------------------ */

/* Names that end up in file and shared-memory names: sensor names, EAL prefix. */
static int check_ident(const char *v, char *why, size_t n)
{
    for (const char *p = v; *p != '\0'; p++) {
        if (!isalnum((unsigned char)*p) && *p != '_' && *p != '-' && *p != '.') {
            snprintf(why, n, "'%s' contains '%c'; use only letters, digits, '_', '-' and '.' "
                     "(it becomes part of file and shared-memory names)", v, *p);
            return -1;
        }
    }
    return 0;
}

/* "local", "udp://HOST:PORT" or "tcp://HOST:PORT"; an IPv6 HOST in brackets. */
static int check_target(const char *v, char *why, size_t n)
{
    const char *host, *end, *port;

    if (strcmp(v, "local") == 0)
        return 0;
    if (strncmp(v, "udp://", 6) != 0 && strncmp(v, "tcp://", 6) != 0) {
        snprintf(why, n, "'%s' is not \"local\", \"udp://HOST:PORT\" or \"tcp://HOST:PORT\"", v);
        return -1;
    }
    host = v + 6;
    if (*host == '[') {
        end = strchr(host, ']');
        if (end == NULL || end == host + 1 || end[1] != ':') {
            snprintf(why, n, "'%s': write an IPv6 host as [ADDRESS]:PORT, e.g. udp://[::1]:514", v);
            return -1;
        }
        for (const char *p = host + 1; p < end; p++) {
            if (!isxdigit((unsigned char)*p) && *p != ':' && *p != '.' && *p != '%') {
                snprintf(why, n, "'%s': '%.*s' is not an IPv6 address", v,
                         (int)(end - host - 1), host + 1);
                return -1;
            }
        }
        port = end + 2;
    } else {
        end = strrchr(host, ':');
        if (end == NULL) {
            snprintf(why, n, "'%s' has no port; write %.6sHOST:PORT, e.g. %.6s127.0.0.1:514", v, v, v);
            return -1;
        }
        if (end == host) {
            snprintf(why, n, "'%s' has no host; write %.6sHOST:PORT", v, v);
            return -1;
        }
        for (const char *p = host; p < end; p++) {
            if (*p == ':') {
                snprintf(why, n, "'%s': write an IPv6 host in brackets, e.g. %.6s[::1]:514", v, v);
                return -1;
            }
            if (!isalnum((unsigned char)*p) && *p != '.' && *p != '-' && *p != '_') {
                snprintf(why, n, "'%s': the host contains '%c'", v, *p);
                return -1;
            }
        }
        port = end + 1;
    }
    long p = 0;
    size_t len = strlen(port);
    bool digits = len > 0 && len <= 5 && strspn(port, "0123456789") == len;
    if (digits)
        p = strtol(port, NULL, 10);
    if (!digits || p < 1 || p > 65535) {
        snprintf(why, n, "'%s': the port '%s' is not a number from 1 to 65535", v, port);
        return -1;
    }
    return 0;
}

/* Snort variable names: a letter or '_', then letters, digits, '_'. */
static int check_var_name(const char *v, char *why, size_t n)
{
    size_t len = strlen(v);
    bool ok = len > 0 && (isalpha((unsigned char)v[0]) || v[0] == '_');

    for (size_t i = 1; ok && i < len; i++)
        ok = isalnum((unsigned char)v[i]) || v[i] == '_';
    if (!ok) {
        snprintf(why, n, "'%s' is not a variable name (use letters, digits and '_', "
                 "starting with a letter)", v);
        return -1;
    }
    if (len >= FSIZE(ws_var_t, name)) {
        snprintf(why, n, "the variable name is %zu characters long; at most %zu are allowed",
                 len, FSIZE(ws_var_t, name) - 1);
        return -1;
    }
    return 0;
}

/* Length, choices and the row's own check, for one string of a CT_STR/CT_STRS row. */
static int check_str(const cfg_row_t *r, const char *v, char *why, size_t n)
{
    size_t len = strlen(v);

    if (len >= r->size) {
        snprintf(why, n, "the value is %zu characters long; at most %zu are allowed",
                 len, r->size - 1);
        return -1;
    }
    if ((double)len < r->min) {
        snprintf(why, n, "the value must not be empty");
        return -1;
    }
    if (r->choices != NULL) {
        size_t k = 0;
        for (const char *const *c = r->choices; *c != NULL; c++)
            if (strcmp(*c, v) == 0)
                return 0;
        k = (size_t)snprintf(why, n, "'%s' is not one of:", v);
        for (const char *const *c = r->choices; *c != NULL && k < n; c++)
            k += (size_t)snprintf(why + k, n - k, "%s %s", c == r->choices ? "" : ",", *c);
        return -1;
    }
    return r->check != NULL ? r->check(v, why, n) : 0;
}

/* ---- reporting --------------------------------------------------------- */

static const char *type_name(const config_setting_t *s)
{
    switch (config_setting_type(s)) {
    case CONFIG_TYPE_INT:
    case CONFIG_TYPE_INT64:  return "an integer";
    case CONFIG_TYPE_FLOAT:  return "a number";
    case CONFIG_TYPE_STRING: return "a string";
    case CONFIG_TYPE_BOOL:   return "true/false";
    case CONFIG_TYPE_ARRAY:  return "an array [...]";
    case CONFIG_TYPE_LIST:   return "a list (...)";
    case CONFIG_TYPE_GROUP:  return "a group { ... }";
    default:                 return "nothing";
    }
}

/* Settings an override wrote, or that have no line (created for one), are --set's. */
static bool from_override(const cfg_ctx_t *x, const config_setting_t *s)
{
    return x->file == NULL || config_setting_get_hook(s) == &set_mark ||
           config_setting_source_line(s) == 0;
}

/* The file a setting or error came from: @include names are relative to main's directory. */
static const char *shown_file(const config_t *cf, const char *f, const char *main, char *buf, size_t n)
{
    const char *dir = config_get_include_dir(cf);

    if (f == NULL)
        return main;
    if (f[0] == '/' || strcmp(f, main) == 0 || dir == NULL)
        return f;
    snprintf(buf, n, "%s/%s", dir, f);
    return buf;
}

__attribute__((format(printf, 4, 5)))
static int cfg_fail(const cfg_ctx_t *x, const config_setting_t *s, const char *path,
                    const char *fmt, ...)
{
    char why[CFG_WHY_LEN];
    va_list ap;

    va_start(ap, fmt);
    vsnprintf(why, sizeof(why), fmt, ap);
    va_end(ap);
    if (from_override(x, s))
        return ws_err_set(x->err, "--set %s: %s", path, why);
    char buf[WS_PATH_LEN * 2];
    const char *file = shown_file(x->cf, config_setting_source_file(s), x->file, buf, sizeof(buf));
    return ws_err_set(x->err, "%s:%u: setting '%s': %s", file,
                      (unsigned)config_setting_source_line(s), path, why);
}

/* ---- the walk: tree -> struct ------------------------------------------ */

static const cfg_row_t *row_find(const cfg_row_t *t, const char *path)
{
    for (; t->path != NULL; t++)
        if (strcmp(t->path, path) == 0)
            return t;
    return NULL;
}

/* Is path a group that some row lives under ("outputs", "outputs.syslog")? */
static const cfg_row_t *row_under(const cfg_row_t *t, const char *path)
{
    size_t len = strlen(path);

    for (; t->path != NULL; t++)
        if (strncmp(t->path, path, len) == 0 && t->path[len] == '.')
            return t;
    return NULL;
}

static bool is_int(const config_setting_t *s)
{
    return config_setting_type(s) == CONFIG_TYPE_INT || config_setting_type(s) == CONFIG_TYPE_INT64;
}

static int int_in_bounds(const cfg_row_t *r, long long v, char *why, size_t n)
{
    if ((double)v < r->min)
        snprintf(why, n, "value %lld is below the minimum %.0f", v, r->min);
    else if ((double)v > r->max)
        snprintf(why, n, "value %lld is above the maximum %.0f", v, r->max);
    else
        return 0;
    return -1;
}

/* One element of a CT_STRS / CT_INTS setting: s itself when it is a scalar. */
static config_setting_t *elem_of(config_setting_t *s, int i)
{
    return config_setting_is_aggregate(s) ? config_setting_get_elem(s, (unsigned)i) : s;
}

static int apply_list(const cfg_ctx_t *x, const cfg_row_t *r, config_setting_t *s,
                      const char *path, char *base)
{
    bool strs = r->type == CT_STRS;
    int type = config_setting_type(s);
    char why[CFG_WHY_LEN];
    int n;

    if (type == CONFIG_TYPE_ARRAY || type == CONFIG_TYPE_LIST)
        n = config_setting_length(s);
    else if (strs ? type == CONFIG_TYPE_STRING : is_int(s))
        n = 1;
    else
        return cfg_fail(x, s, path, "expected a list of %s, got %s",
                        strs ? "strings like [\"a.rules\", \"b.rules\"]" : "CPU numbers like [0, 1]",
                        type_name(s));
    if (n > r->max_count)
        return cfg_fail(x, s, path, "%d entries; at most %d are allowed", n, r->max_count);
    for (int i = 0; i < n; i++) {
        config_setting_t *e = elem_of(s, i);
        if (strs && config_setting_type(e) != CONFIG_TYPE_STRING)
            return cfg_fail(x, e, path, "element [%d]: expected a string, got %s", i, type_name(e));
        if (!strs && !is_int(e))
            return cfg_fail(x, e, path, "element [%d]: expected an integer, got %s", i, type_name(e));
        if (strs) {
            const char *v = config_setting_get_string(e);
            if (check_str(r, v, why, sizeof(why)) < 0)
                return cfg_fail(x, e, path, "element [%d]: %s", i, why);
            memcpy(base + r->off + (size_t)i * r->size, v, strlen(v) + 1);
        } else {
            long long v = config_setting_get_int64(e);
            if (int_in_bounds(r, v, why, sizeof(why)) < 0)
                return cfg_fail(x, e, path, "element [%d]: %s", i, why);
            ((ws_cpu_list_t *)(void *)(base + r->off))->cpu[i] = (uint16_t)v;
        }
    }
    if (strs)
        *(int *)(void *)(base + r->count_off) = n;
    else
        ((ws_cpu_list_t *)(void *)(base + r->off))->count = n;
    return 0;
}

static int apply_vars(const cfg_ctx_t *x, const cfg_row_t *r, config_setting_t *s,
                      const char *path, char *base)
{
    ws_var_t *vars = (ws_var_t *)(void *)(base + r->off);
    char why[CFG_WHY_LEN];
    int n;

    if (!config_setting_is_group(s))
        return cfg_fail(x, s, path, "expected a group of variables like { HOME_NET = \"any\"; }, got %s",
                        type_name(s));
    n = config_setting_length(s);
    if (n > r->max_count)
        return cfg_fail(x, s, path, "%d variables; at most %d are allowed", n, r->max_count);
    for (int i = 0; i < n; i++) {
        config_setting_t *e = config_setting_get_elem(s, (unsigned)i);
        const char *name = config_setting_name(e), *v;
        char epath[CFG_KEY_LEN];

        if (snprintf(epath, sizeof(epath), "%s.%s", path, name) >= (int)sizeof(epath))
            epath[sizeof(epath) - 1] = '\0';   /* only a name too long to be valid gets cut */
        if (check_var_name(name, why, sizeof(why)) < 0)
            return cfg_fail(x, e, epath, "%s", why);
        if (config_setting_type(e) != CONFIG_TYPE_STRING)
            return cfg_fail(x, e, epath, "expected a string like \"%s\", got %s",
                            "[10.0.0.0/8,192.168.0.0/16]", type_name(e));
        v = config_setting_get_string(e);
        if (strlen(v) >= sizeof(vars[i].value))
            return cfg_fail(x, e, epath, "the value is %zu characters long; at most %zu are allowed",
                            strlen(v), sizeof(vars[i].value) - 1);
        snprintf(vars[i].name, sizeof(vars[i].name), "%s", name);
        memcpy(vars[i].value, v, strlen(v) + 1);
    }
    *(int *)(void *)(base + r->count_off) = n;
    return 0;
}

/* Check setting s against row r and store it into the struct at base. */
static int apply_row(const cfg_ctx_t *x, const cfg_row_t *r, config_setting_t *s,
                     const char *path, char *base)
{
    char why[CFG_WHY_LEN];
    void *field = base + r->off;

    switch (r->type) {
    case CT_INT: {
        if (!is_int(s))
            return cfg_fail(x, s, path, "expected an integer, got %s", type_name(s));
        long long v = config_setting_get_int64(s);
        if (int_in_bounds(r, v, why, sizeof(why)) < 0)
            return cfg_fail(x, s, path, "%s", why);
        *(int *)field = (int)v;
        return 0;
    }
    case CT_DOUBLE: {
        double v;
        if (is_int(s))
            v = (double)config_setting_get_int64(s);
        else if (config_setting_type(s) == CONFIG_TYPE_FLOAT)
            v = config_setting_get_float(s);
        else
            return cfg_fail(x, s, path, "expected a number, got %s", type_name(s));
        if (!isfinite(v))
            return cfg_fail(x, s, path, "the value is not a finite number");
        if (v < r->min)
            return cfg_fail(x, s, path, "value %g is below the minimum %g", v, r->min);
        if (v > r->max)
            return cfg_fail(x, s, path, "value %g is above the maximum %g", v, r->max);
        *(double *)field = v;
        return 0;
    }
    case CT_BOOL:
        if (config_setting_type(s) != CONFIG_TYPE_BOOL)
            return cfg_fail(x, s, path, "expected true or false, got %s", type_name(s));
        *(bool *)field = config_setting_get_bool(s) != 0;
        return 0;
    case CT_STR: {
        if (config_setting_type(s) != CONFIG_TYPE_STRING)
            return cfg_fail(x, s, path, "expected a string in double quotes, got %s", type_name(s));
        const char *v = config_setting_get_string(s);
        if (check_str(r, v, why, sizeof(why)) < 0)
            return cfg_fail(x, s, path, "%s", why);
        memcpy(field, v, strlen(v) + 1);
        return 0;
    }
    case CT_STRS:
    case CT_INTS:
        return apply_list(x, r, s, path, base);
    case CT_VARS:
        return apply_vars(x, r, s, path, base);
    }
    return cfg_fail(x, s, path, "internal error: bad row type");
}

static int walk_sensors(const cfg_ctx_t *x, config_setting_t *list, ws_config_t *c);

/*
 * Walk group g whose path relative to table t is rel ("" at the table's
 * root); disp is what error messages put before rel ("sensors.[1]." or "").
 */
static int walk_group(const cfg_ctx_t *x, config_setting_t *g, const cfg_row_t *t,
                      const char *rel, const char *disp, char *base, ws_config_t *c)
{
    int n = config_setting_length(g);

    for (int i = 0; i < n; i++) {
        config_setting_t *s = config_setting_get_elem(g, (unsigned)i);
        char rpath[CFG_KEY_LEN], dpath[CFG_KEY_LEN];
        const cfg_row_t *r;

        snprintf(rpath, sizeof(rpath), "%s%s%s", rel, rel[0] != '\0' ? "." : "",
                 config_setting_name(s));
        snprintf(dpath, sizeof(dpath), "%s%s", disp, rpath);
        if ((r = row_find(t, rpath)) != NULL) {
            if (apply_row(x, r, s, dpath, base) < 0)
                return -1;
        } else if (t == top_rows && strcmp(rpath, "sensors") == 0) {
            if (walk_sensors(x, s, c) < 0)
                return -1;
        } else if (row_under(t, rpath) != NULL) {
            if (!config_setting_is_group(s))
                return cfg_fail(x, s, dpath, "expected a group { ... }, got %s", type_name(s));
            if (walk_group(x, s, t, rpath, disp, base, c) < 0)
                return -1;
        } else {
            return cfg_fail(x, s, dpath, UNKNOWN_HINT);
        }
    }
    return 0;
}

/* Names (and inputs) must differ between sensors; report at the later one. */
static int check_unique(const cfg_ctx_t *x, config_setting_t *list, const ws_config_t *c,
                        const char *what, size_t off)
{
    for (int i = 1; i < c->sensor_count; i++) {
        const char *a = (const char *)&c->sensors[i] + off;
        for (int j = 0; j < i && a[0] != '\0'; j++) {
            if (strcmp(a, (const char *)&c->sensors[j] + off) != 0)
                continue;
            config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
            config_setting_t *s = config_setting_get_member(g, what);
            char path[64];
            snprintf(path, sizeof(path), "sensors.[%d].%s", i, what);
            return cfg_fail(x, s != NULL ? s : g, path,
                            "'%s' is already the %s of sensors.[%d]; each sensor needs its own",
                            a, what, j);
        }
    }
    return 0;
}

static int walk_sensors(const cfg_ctx_t *x, config_setting_t *list, ws_config_t *c)
{
    int type = config_setting_type(list);
    int n = config_setting_length(list);

    if (type != CONFIG_TYPE_LIST && !(type == CONFIG_TYPE_ARRAY && n == 0))
        return cfg_fail(x, list, "sensors",
                        "expected a list of sensor groups like ( { name = \"default\"; ... } ), got %s",
                        type_name(list));
    if (n == 0)
        return cfg_fail(x, list, "sensors", "the list is empty; configure at least one sensor");
    if (n > WS_MAX_SENSORS)
        return cfg_fail(x, config_setting_get_elem(list, WS_MAX_SENSORS),
                        "sensors.[" WS_STR(WS_MAX_SENSORS) "]",
                        "%d sensors configured; at most %d are supported", n, WS_MAX_SENSORS);
    c->sensor_count = n;
    for (int i = 0; i < n; i++) {
        config_setting_t *g = config_setting_get_elem(list, (unsigned)i);
        char disp[32];

        snprintf(disp, sizeof(disp), "sensors.[%d].", i);
        sensor_defaults(&c->sensors[i], i);
        if (!config_setting_is_group(g)) {
            disp[strlen(disp) - 1] = '\0';
            return cfg_fail(x, g, disp, "expected a sensor group { name = \"...\"; ... }, got %s",
                            type_name(g));
        }
        if (walk_group(x, g, sensor_rows, "", disp, (char *)&c->sensors[i], c) < 0)
            return -1;
    }
    if (check_unique(x, list, c, "name", offsetof(ws_sensor_conf_t, name)) < 0)
        return -1;
    return check_unique(x, list, c, "input", offsetof(ws_sensor_conf_t, input));
}

/* ---- overrides: --set KEY=VALUE -> tree -------------------------------- */

static void mark(config_setting_t *s)
{
    config_setting_set_hook(s, &set_mark);
}

/* Member name of g as a group, replacing whatever else is there. */
static config_setting_t *child_group(config_setting_t *g, const char *name)
{
    config_setting_t *m = config_setting_get_member(g, name);

    if (m != NULL && config_setting_is_group(m))
        return m;
    if (m != NULL)
        config_setting_remove(g, name);
    m = config_setting_add(g, name, CONFIG_TYPE_GROUP);
    if (m != NULL)
        mark(m);
    return m;
}

/* A fresh setting name of type in g (an old one of that name is removed). */
static config_setting_t *new_leaf(config_setting_t *g, const char *name, int type)
{
    if (config_setting_get_member(g, name) != NULL)
        config_setting_remove(g, name);
    config_setting_t *s = config_setting_add(g, name, type);
    if (s != NULL)
        mark(s);
    return s;
}

/* The group for sensors.[idx], creating the list (with the default sensor) or the group. */
static config_setting_t *sensor_group(config_t *cf, const char *file, int idx, char *why, size_t n)
{
    config_setting_t *root = config_root_setting(cf);
    config_setting_t *list = config_setting_get_member(root, "sensors");
    int len;

    if (list == NULL || (config_setting_type(list) == CONFIG_TYPE_ARRAY &&
                         config_setting_length(list) == 0)) {
        bool dflt = list == NULL;   /* no list means the built-in "default" sensor */
        list = new_leaf(root, "sensors", CONFIG_TYPE_LIST);
        if (list != NULL && dflt) {
            config_setting_t *g = config_setting_add(list, NULL, CONFIG_TYPE_GROUP);
            config_setting_t *s = g != NULL ? config_setting_add(g, "name", CONFIG_TYPE_STRING) : NULL;
            if (s == NULL || config_setting_set_string(s, "default") != CONFIG_TRUE)
                list = NULL;
        }
        if (list == NULL) {
            snprintf(why, n, "out of memory");
            return NULL;
        }
    }
    if (config_setting_type(list) != CONFIG_TYPE_LIST) {
        snprintf(why, n, "'sensors' in %s line %u is not a list of sensor groups",
                 file != NULL ? file : "the configuration", (unsigned)config_setting_source_line(list));
        return NULL;
    }
    len = config_setting_length(list);
    if (idx < len) {
        config_setting_t *g = config_setting_get_elem(list, (unsigned)idx);
        if (!config_setting_is_group(g)) {
            snprintf(why, n, "sensors.[%d] in %s line %u is not a group", idx,
                     file != NULL ? file : "the configuration", (unsigned)config_setting_source_line(g));
            return NULL;
        }
        return g;
    }
    if (idx > len) {
        snprintf(why, n, "there %s %d sensor%s, so a new one must be sensors.[%d]",
                 len == 1 ? "is" : "are", len, len == 1 ? "" : "s", len);
        return NULL;
    }
    if (idx >= WS_MAX_SENSORS) {
        snprintf(why, n, "at most %d sensors are supported", WS_MAX_SENSORS);
        return NULL;
    }
    config_setting_t *g = config_setting_add(list, NULL, CONFIG_TYPE_GROUP);
    if (g == NULL)
        snprintf(why, n, "out of memory");
    else
        mark(g);
    return g;
}

static char *trim(char *s)
{
    size_t len;

    while (isspace((unsigned char)*s))
        s++;
    len = strlen(s);
    while (len > 0 && isspace((unsigned char)s[len - 1]))
        s[--len] = '\0';
    return s;
}

/* Strip one pair of surrounding double quotes, if present. */
static char *unquote(char *s)
{
    size_t len = strlen(s);

    if (len >= 2 && s[0] == '"' && s[len - 1] == '"') {
        s[len - 1] = '\0';
        return s + 1;
    }
    return s;
}

static int parse_int(const char *v, long long *out, char *why, size_t n)
{
    char *end;
    bool hex = (v[0] == '0' && (v[1] == 'x' || v[1] == 'X'));

    errno = 0;
    *out = strtoll(v, &end, hex ? 16 : 10);
    if (end == v || *end != '\0') {
        snprintf(why, n, "expected an integer, got '%s'", v);
        return -1;
    }
    if (errno == ERANGE) {
        snprintf(why, n, "value %s is out of range", v);
        return -1;
    }
    return 0;
}

static int set_int(config_setting_t *g, const char *name, const char *v, char *why, size_t n)
{
    long long i;

    if (parse_int(v, &i, why, n) < 0)
        return -1;
    bool small = i >= INT_MIN && i <= INT_MAX;
    config_setting_t *s = new_leaf(g, name, small ? CONFIG_TYPE_INT : CONFIG_TYPE_INT64);
    if (s == NULL)
        return -1;
    return (small ? config_setting_set_int(s, (int)i) : config_setting_set_int64(s, i))
           == CONFIG_TRUE ? 0 : -1;
}

static int set_string(config_setting_t *g, const char *name, const char *v)
{
    config_setting_t *s = new_leaf(g, name, CONFIG_TYPE_STRING);
    return s != NULL && config_setting_set_string(s, v) == CONFIG_TRUE ? 0 : -1;
}

/* "[...]" or "(...)": let libconfig parse it, then copy the scalars into g.name. */
static int set_list(config_setting_t *g, const char *name, const char *v, bool strs,
                    char *why, size_t n)
{
    const char *example = strs ? "[\"a.rules\", \"b.rules\"]" : "[0, 1]";
    char *text = NULL;
    config_t tmp;
    config_setting_t *src, *dst;
    int rc = -1;

    config_init(&tmp);
    if (asprintf(&text, "v = %s;", v) < 0) {
        text = NULL;
        snprintf(why, n, "out of memory");
        goto out;
    }
    if (config_read_string(&tmp, text) != CONFIG_TRUE ||
        config_setting_length(config_root_setting(&tmp)) != 1 ||
        (src = config_lookup(&tmp, "v")) == NULL ||
        !(config_setting_is_array(src) || config_setting_is_list(src))) {
        snprintf(why, n, "expected a list like %s, got '%s'", example, v);
        goto out;
    }
    dst = new_leaf(g, name, config_setting_type(src));
    for (int i = 0; dst != NULL && i < config_setting_length(src); i++) {
        config_setting_t *e = config_setting_get_elem(src, (unsigned)i), *d;
        int t = config_setting_type(e);
        if (t != CONFIG_TYPE_STRING && t != CONFIG_TYPE_INT && t != CONFIG_TYPE_INT64) {
            snprintf(why, n, "element [%d]: expected %s, got %s", i,
                     strs ? "a string" : "an integer", type_name(e));
            goto out;
        }
        if ((d = config_setting_add(dst, NULL, t)) == NULL)
            break;
        mark(d);
        if (t == CONFIG_TYPE_STRING)
            config_setting_set_string(d, config_setting_get_string(e));
        else
            config_setting_set_int64(d, config_setting_get_int64(e));
    }
    if (dst == NULL || config_setting_length(dst) != config_setting_length(src))
        snprintf(why, n, "out of memory");
    else
        rc = 0;
out:
    free(text);
    config_destroy(&tmp);
    return rc;
}

/* Parse value by row r's type and store it as g.name. */
static int set_value(const cfg_row_t *r, config_setting_t *g, const char *name, char *value,
                     char *why, size_t n)
{
    switch (r->type) {
    case CT_INT:
        return set_int(g, name, value, why, n);
    case CT_DOUBLE: {
        char *end;
        double d = strtod(value, &end);
        config_setting_t *s;
        if (end == value || *end != '\0') {
            snprintf(why, n, "expected a number, got '%s'", value);
            return -1;
        }
        s = new_leaf(g, name, CONFIG_TYPE_FLOAT);
        return s != NULL && config_setting_set_float(s, d) == CONFIG_TRUE ? 0 : -1;
    }
    case CT_BOOL: {
        static const char *const yes[] = { "true", "yes", "on", "1", NULL };
        static const char *const no[] = { "false", "no", "off", "0", NULL };
        int b = -1;
        config_setting_t *s;
        for (int i = 0; yes[i] != NULL; i++) {
            if (strcasecmp(value, yes[i]) == 0)
                b = 1;
            if (strcasecmp(value, no[i]) == 0)
                b = 0;
        }
        if (b < 0) {
            snprintf(why, n, "expected true or false, got '%s'", value);
            return -1;
        }
        s = new_leaf(g, name, CONFIG_TYPE_BOOL);
        return s != NULL && config_setting_set_bool(s, b) == CONFIG_TRUE ? 0 : -1;
    }
    case CT_STR:
    case CT_VARS:
        return set_string(g, name, unquote(value));
    case CT_STRS:
    case CT_INTS:
        if (value[0] == '[' || value[0] == '(')
            return set_list(g, name, value, r->type == CT_STRS, why, n);
        return r->type == CT_STRS ? set_string(g, name, unquote(value))
                                  : set_int(g, name, value, why, n);
    }
    return -1;
}

/* Split "sensors.[N].rest" (or a top-level "rest"); returns the table, -1 idx for top. */
static const cfg_row_t *split_key(const char *key, int *idx, const char **rest, char *why, size_t n)
{
    *idx = -1;
    *rest = key;
    if (strncmp(key, "sensors", 7) != 0 || (key[7] != '.' && key[7] != '\0'))
        return top_rows;

    const char *p = key + 7;
    char *end;
    if (strncmp(p, ".[", 2) != 0 || !isdigit((unsigned char)p[2])) {
        snprintf(why, n, "name one sensor setting, e.g. sensors.[0].workers=2");
        return NULL;
    }
    long v = strtol(p + 2, &end, 10);
    if (end[0] != ']' || (end[1] != '.' && end[1] != '\0') || v > INT_MAX / 2) {
        snprintf(why, n, "expected sensors.[N].SETTING, e.g. sensors.[0].workers=2");
        return NULL;
    }
    if (end[1] == '\0' || end[2] == '\0') {
        snprintf(why, n, "name one sensor setting, e.g. sensors.[%ld].workers=2", v);
        return NULL;
    }
    *idx = (int)v;
    *rest = end + 2;
    return sensor_rows;
}

static int apply_override(config_t *cf, const char *file, const char *set, ws_err_t *err)
{
    char why[CFG_WHY_LEN] = "out of memory";
    char *buf = strdup(set), *eq, *key = NULL, *value;
    const char *rest, *var = NULL;
    const cfg_row_t *t, *r;
    config_setting_t *g;
    int idx, rc = -1;

    if (buf == NULL)
        return ws_err_set(err, "--set %s: out of memory", set);
    eq = strchr(buf, '=');
    if (eq == NULL) {
        ws_err_set(err, "--set %s: expected KEY=VALUE, e.g. --set pool.chunks=512", trim(buf));
        goto out;
    }
    *eq = '\0';
    key = trim(buf);
    value = trim(eq + 1);
    if ((t = split_key(key, &idx, &rest, why, sizeof(why))) == NULL)
        goto fail;
    r = row_find(t, rest);
    if (r == NULL && t == sensor_rows && strncmp(rest, "vars.", 5) == 0) {
        r = row_find(t, "vars");
        var = rest + 5;
        if (check_var_name(var, why, sizeof(why)) < 0)
            goto fail;
    }
    if (r == NULL || (r->type == CT_VARS && var == NULL)) {
        const cfg_row_t *u = row_under(t, rest);
        if (r != NULL)
            snprintf(why, sizeof(why), "set one variable at a time: %s.NAME=VALUE", key);
        else if (u != NULL)
            snprintf(why, sizeof(why), "this is a group; set one of its settings, e.g. %.*s%s=...",
                     (int)(rest - key), key, u->path);
        else
            snprintf(why, sizeof(why), UNKNOWN_HINT);
        goto fail;
    }

    g = idx >= 0 ? sensor_group(cf, file, idx, why, sizeof(why)) : config_root_setting(cf);
    if (g == NULL)
        goto fail;
    /* Walk (creating) the groups of the row's path; the last part is the leaf. */
    char path[CFG_KEY_LEN], *part = path, *dot;
    const char *leaf;
    snprintf(path, sizeof(path), "%s", r->path);
    while (g != NULL && (dot = strchr(part, '.')) != NULL) {
        *dot = '\0';
        g = child_group(g, part);
        part = dot + 1;
    }
    leaf = part;
    if (g != NULL && var != NULL) {
        g = child_group(g, part);
        leaf = var;
    }
    if (g == NULL)
        goto fail;
    snprintf(why, sizeof(why), "out of memory");
    if (set_value(r, g, leaf, value, why, sizeof(why)) < 0)
        goto fail;
    rc = 0;
    goto out;
fail:
    ws_err_set(err, "--set %s: %s", key, why);
out:
    free(buf);
    return rc;
}

/* ---- load -------------------------------------------------------------- */

static int read_file(config_t *cf, const char *path, ws_err_t *err)
{
    char *dir = strdup(path), *slash;

    if (dir == NULL)
        return ws_err_set(err, "%s: out of memory", path);
    slash = strrchr(dir, '/');   /* @include is relative to the file's directory */
    if (slash != NULL) {
        *slash = '\0';
        config_set_include_dir(cf, dir[0] != '\0' ? dir : "/");
    }
    free(dir);
    errno = 0;
    if (config_read_file(cf, path) == CONFIG_TRUE)
        return 0;
    if (config_error_type(cf) == CONFIG_ERR_FILE_IO) {
        struct stat st;
        int e = errno;
        if (e == 0 && stat(path, &st) == 0 && S_ISDIR(st.st_mode))
            e = EISDIR;
        return ws_err_set(err, "%s: cannot read the configuration file: %s "
                          "(pass -c with a readable file)", path, e != 0 ? strerror(e) : "I/O error");
    }
    char buf[WS_PATH_LEN * 2];
    return ws_err_set(err, "%s:%d: syntax error: %s",
                      shown_file(cf, config_error_file(cf), path, buf, sizeof(buf)),
                      config_error_line(cf), config_error_text(cf));
}

int ws_config_load(ws_config_t *c, const char *path,
                   const char *const *sets, int nsets, ws_err_t *err)
{
    ws_config_t *n = malloc(sizeof(*n));
    config_t cf;
    cfg_ctx_t x = { .file = path, .cf = &cf, .err = err };
    int rc = -1;

    if (n == NULL)
        return ws_err_set(err, "out of memory loading the configuration");
    ws_config_defaults(n);
    config_init(&cf);
    if (path != NULL) {
        if (strlen(path) >= sizeof(n->source)) {
            ws_err_set(err, "%s: the path is longer than %zu characters", path, sizeof(n->source) - 1);
            goto out;
        }
        if (read_file(&cf, path, err) < 0)
            goto out;
        memcpy(n->source, path, strlen(path) + 1);
    }
    for (int i = 0; i < nsets; i++)
        if (sets[i] != NULL && apply_override(&cf, path, sets[i], err) < 0)
            goto out;
    if (walk_group(&x, config_root_setting(&cf), top_rows, "", "", (char *)n, n) < 0)
        goto out;
    memcpy(c, n, sizeof(*c));
    rc = 0;
out:
    config_destroy(&cf);
    free(n);
    return rc;
}
