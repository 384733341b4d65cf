/*
 * test_config.c - unit tests for the configuration loader (sensor/config.c).
 *
 * The loader is the first thing an operator meets: a bad value must stop the
 * sensor with a message that names the file, the line, the setting and the
 * fix.  These tests pin that contract down.  Most of them are rows of two
 * tables: good_cases (a file and/or --set overrides, and one field's expected
 * value afterwards) and bad_cases (the exact error message).  Each row runs as
 * its own cmocka test, named after the row.  A few tests build their input at
 * run time (strings at and past their length limit, too many sensors, rule
 * files or variables) and one checks that conf/wiresift.conf loads and names
 * every known setting.  Files are written with mkstemp and removed; tests run
 * with the repository root as the working directory.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>
#include <libconfig.h>

#include "sensor/config.h"

#define SHIPPED_CONF "conf/wiresift.conf"

/* ws_config_t is about 800 KiB: keep them out of the stack. */
static ws_config_t cfg, cfg2;
static char tmp_path[64];

/* Write text to a fresh temporary file; its name is left in tmp_path. */
static void write_tmp(const char *text)
{
    snprintf(tmp_path, sizeof(tmp_path), "/tmp/wiresift-test-XXXXXX");
    int fd = mkstemp(tmp_path);
    assert_true(fd >= 0);
    size_t len = strlen(text);
    assert_int_equal(write(fd, text, len), (ssize_t)len);
    close(fd);
}

static int count_sets(const char *const *sets, int max)
{
    int n = 0;
    while (n < max && sets[n] != NULL)
        n++;
    return n;
}

/* Load text (NULL: no file) plus overrides into c; tmp_path names the file. */
static int load_text(ws_config_t *c, const char *text, const char *const *sets, int nsets,
                     ws_err_t *err)
{
    int rc;

    tmp_path[0] = '\0';
    memset(err, 0, sizeof(*err));
    if (text == NULL)
        return ws_config_load(c, NULL, sets, nsets, err);
    write_tmp(text);
    rc = ws_config_load(c, tmp_path, sets, nsets, err);
    unlink(tmp_path);
    return rc;
}

/* ---- table: loads that succeed ------------------------------------------ */

typedef struct good_case {
    const char *name;
    const char *text;      /* file contents; NULL = no file */
    const char *sets[3];   /* --set overrides, NULL-terminated */
    size_t      off;       /* the ws_config_t field to check ... */
    char        kind;      /* ... 'i' int, 'd' double, 'b' bool, 's' string, 'u' uint16 */
    const char *want;      /* ... printed like this */
} good_case_t;

#define F(kind, field) offsetof(ws_config_t, field), kind
#define SYSLOG(body) "outputs = { syslog = { " body " }; };"
#define SENSOR(body) "sensors = ( { " body " } );"

static const good_case_t good_cases[] = {
    { "int at minimum", "pool = { chunks = 2; };", {NULL}, F('i', pool.chunks), "2" },
    { "int at maximum", "pool = { chunks = 65536; };", {NULL}, F('i', pool.chunks), "65536" },
    { "hex int", "pool = { cells = 0x100; };", {NULL}, F('i', pool.cells), "256" },
    { "negative int", "eal = { supervisor_cpu = -1; };", {NULL}, F('i', eal.supervisor_cpu), "-1" },
    { "unset keeps default", "pool = { chunks = 8; };", {NULL}, F('i', pool.cells), "256" },
    { "double at 0", "offload = { threshold = 0.0; };", {NULL}, F('d', offload.threshold), "0" },
    { "double given as int", "offload = { threshold = 1; };", {NULL}, F('d', offload.threshold), "1" },
    { "bool false", "offload = { enabled = false; };", {NULL}, F('b', offload.enabled), "false" },
    { "bool true", "debug = { flow_log = true; };", {NULL}, F('b', debug.flow_log), "true" },
    { "string", "log_dir = \"/tmp/ws\";", {NULL}, F('s', log_dir), "/tmp/ws" },
    { "empty string allowed", "reference_config = \"\";", {NULL}, F('s', reference), "" },
    { "eal prefix", "eal = { file_prefix = \"ws-1\"; };", {NULL}, F('s', eal.file_prefix), "ws-1" },
    { "enum format", SYSLOG("format = \"rfc3164\";"), {NULL}, F('s', outputs.syslog.format), "rfc3164" },
    { "enum message", SYSLOG("message = \"eve\";"), {NULL}, F('s', outputs.syslog.message), "eve" },
    { "enum facility local7", SYSLOG("facility = \"local7\";"), {NULL},
      F('s', outputs.syslog.facility), "local7" },
    { "enum facility authpriv", SYSLOG("facility = \"authpriv\";"), {NULL},
      F('s', outputs.syslog.facility), "authpriv" },
    { "target local", SYSLOG("target = \"local\";"), {NULL}, F('s', outputs.syslog.target), "local" },
    { "target udp ipv4", SYSLOG("target = \"udp://127.0.0.1:514\";"), {NULL},
      F('s', outputs.syslog.target), "udp://127.0.0.1:514" },
    { "target tcp ipv6", SYSLOG("target = \"tcp://[::1]:6514\";"), {NULL},
      F('s', outputs.syslog.target), "tcp://[::1]:6514" },
    { "target host name, top port", SYSLOG("target = \"udp://logs.example.com:65535\";"), {NULL},
      F('s', outputs.syslog.target), "udp://logs.example.com:65535" },
    { "sensor default name", "sensors = ( { workers = 3; }, { name = \"b\"; } );", {NULL},
      F('s', sensors[0].name), "sensor0" },
    { "sensor count", "sensors = ( { workers = 3; }, { name = \"b\"; } );", {NULL},
      F('i', sensor_count), "2" },
    { "sensor default workers", "sensors = ( { workers = 3; }, { name = \"b\"; } );", {NULL},
      F('i', sensors[1].workers), "1" },
    { "sensor default queues", "sensors = ( { workers = 3; }, { name = \"b\"; } );", {NULL},
      F('i', sensors[1].queues), "1" },
    { "sensor input", SENSOR("input = \"net_tap0,iface=ws0\";"), {NULL},
      F('s', sensors[0].input), "net_tap0,iface=ws0" },
    { "rule_files list", SENSOR("rule_files = [\"a.rules\", \"b.rules\"];"), {NULL},
      F('s', sensors[0].rule_files[1]), "b.rules" },
    { "rule_files as list ( )", SENSOR("rule_files = (\"a.rules\", \"b.rules\");"), {NULL},
      F('i', sensors[0].rule_file_count), "2" },
    { "rule_files single string", SENSOR("rule_files = \"x.rules\";"), {NULL},
      F('i', sensors[0].rule_file_count), "1" },
    { "cpus list", SENSOR("cpus = { capture = [0, 3]; };"), {NULL},
      F('u', sensors[0].capture_cpus.cpu[1]), "3" },
    { "cpus empty", SENSOR("cpus = { detect = []; };"), {NULL},
      F('i', sensors[0].detect_cpus.count), "0" },
    { "vars", SENSOR("vars = { HOME_NET = \"[10.0.0.0/8]\"; };"), {NULL},
      F('s', sensors[0].vars[0].value), "[10.0.0.0/8]" },
    /* --set overrides */
    { "set int, no file", NULL, {"pool.chunks=512"}, F('i', pool.chunks), "512" },
    { "set int over file", "pool = { chunks = 100; };", {"pool.chunks=200"}, F('i', pool.chunks), "200" },
    { "set repairs bad file value", "pool = { chunks = 0; };", {"pool.chunks = 4"},
      F('i', pool.chunks), "4" },
    { "set later wins", NULL, {"pool.cells=8", "pool.cells=16"}, F('i', pool.cells), "16" },
    { "set bool false", NULL, {"offload.enabled=false"}, F('b', offload.enabled), "false" },
    { "set bool yes", NULL, {"stream.midstream=yes"}, F('b', stream.midstream), "true" },
    { "set bool over file type", "stream = { midstream = 7; };", {"stream.midstream=on"},
      F('b', stream.midstream), "true" },
    { "set double", NULL, {"offload.threshold=0.5"}, F('d', offload.threshold), "0.5" },
    { "set string", NULL, {"log_dir=/tmp/x"}, F('s', log_dir), "/tmp/x" },
    { "set quoted string", NULL, {"log_dir=\"/tmp/y z\""}, F('s', log_dir), "/tmp/y z" },
    { "set string that looks like a number", NULL, {"eal.extra=512"}, F('s', eal.extra), "512" },
    { "set creates groups", "log_dir = \"/tmp\";", {"outputs.syslog.target=tcp://10.0.0.1:601"},
      F('s', outputs.syslog.target), "tcp://10.0.0.1:601" },
    { "set string array", NULL, {"sensors.[0].rule_files=[\"a.rules\",\"b.rules\"]"},
      F('s', sensors[0].rule_files[1]), "b.rules" },
    { "set string array count", NULL, {"sensors.[0].rule_files=[\"a.rules\",\"b.rules\"]"},
      F('i', sensors[0].rule_file_count), "2" },
    { "set single rule file", NULL, {"sensors.[0].rule_files=one.rules"},
      F('s', sensors[0].rule_files[0]), "one.rules" },
    { "set empty rule list", SENSOR("rule_files = [\"a\", \"b\"];"), {"sensors.[0].rule_files=[]"},
      F('i', sensors[0].rule_file_count), "0" },
    { "set var", NULL, {"sensors.[0].vars.HOME_NET=10.0.0.0/8"},
      F('s', sensors[0].vars[0].value), "10.0.0.0/8" },
    { "set var keeps default sensor", NULL, {"sensors.[0].vars.HOME_NET=10.0.0.0/8"},
      F('s', sensors[0].name), "default" },
    { "set var replaces file var", SENSOR("vars = { HOME_NET = \"any\"; };"),
      {"sensors.[0].vars.HOME_NET=[192.168.0.0/16]"}, F('i', sensors[0].var_count), "1" },
    { "set workers of default sensor", NULL, {"sensors.[0].workers=2"}, F('i', sensors[0].workers), "2" },
    { "set int list", NULL, {"sensors.[0].cpus.capture=[1,2]"}, F('u', sensors[0].capture_cpus.cpu[1]), "2" },
    { "set single int list", NULL, {"sensors.[0].cpus.detect=5"}, F('i', sensors[0].detect_cpus.count), "1" },
    { "set creates sensor 1", NULL, {"sensors.[1].name=dmz"}, F('i', sensor_count), "2" },
    { "set new sensor name", NULL, {"sensors.[1].name=dmz"}, F('s', sensors[1].name), "dmz" },
    { "set new sensor defaults", NULL, {"sensors.[1].queues=4"}, F('s', sensors[1].name), "sensor1" },
    { "set new sensor workers", NULL, {"sensors.[1].queues=4"}, F('i', sensors[1].workers), "1" },
    { "set new sensor after file's", SENSOR("name = \"a\";"), {"sensors.[1].queues=2"},
      F('i', sensors[1].queues), "2" },
    { "set chain of new sensors", NULL, {"sensors.[1].workers=2", "sensors.[2].workers=3"},
      F('i', sensors[2].workers), "3" },
};

static void field_text(const ws_config_t *c, const good_case_t *g, char *buf, size_t n)
{
    const char *p = (const char *)c + g->off;

    switch (g->kind) {
    case 'i': snprintf(buf, n, "%d", *(const int *)(const void *)p); break;
    case 'u': snprintf(buf, n, "%u", (unsigned)*(const uint16_t *)(const void *)p); break;
    case 'd': snprintf(buf, n, "%g", *(const double *)(const void *)p); break;
    case 'b': snprintf(buf, n, "%s", *(const bool *)(const void *)p ? "true" : "false"); break;
    default:  snprintf(buf, n, "%s", p); break;
    }
}

static void test_good_row(void **state)
{
    const good_case_t *g = *state;
    ws_err_t err;
    char got[WS_PATH_LEN];

    int rc = load_text(&cfg, g->text, g->sets, count_sets(g->sets, 3), &err);
    if (rc != 0)
        fail_msg("%s: unexpected error: %s", g->name, err.msg);
    field_text(&cfg, g, got, sizeof(got));
    assert_string_equal(got, g->want);
}

/* ---- table: loads that fail, with their exact messages -------------------- */

typedef struct bad_case {
    const char *name;
    const char *text;      /* file contents; NULL = no file */
    const char *sets[3];
    const char *want;      /* the message; a leading ':' means "after the file name" */
} bad_case_t;

#define UNKNOWN "unknown setting (check the spelling; see conf/wiresift.conf for all settings)"
#define FACILITIES "kern, user, mail, daemon, auth, syslog, lpr, news, uucp, cron, authpriv, ftp, " \
                   "local0, local1, local2, local3, local4, local5, local6, local7"
#define DUP_NAME "'a' is already the name of sensors.[0]; each sensor needs its own"

static const bad_case_t bad_cases[] = {
    /* ints */
    { "int below", "pool = {\n  chunks = 0;\n};\n", {NULL},
      ":2: setting 'pool.chunks': value 0 is below the minimum 2" },
    { "int above", "pool = {\n  cells = 4097;\n};\n", {NULL},
      ":2: setting 'pool.cells': value 4097 is above the maximum 4096" },
    { "int as string", "\npool = { chunks = \"64\"; };", {NULL},
      ":2: setting 'pool.chunks': expected an integer, got a string" },
    { "int as float", "pool = { chunks = 64.0; };", {NULL},
      ":1: setting 'pool.chunks': expected an integer, got a number" },
    { "int 64-bit", "stream = { depth = 99999999999L; };", {NULL},
      ":1: setting 'stream.depth': value 99999999999 is above the maximum 2147483647" },
    { "negative cpu", "eal = { supervisor_cpu = -2; };", {NULL},
      ":1: setting 'eal.supervisor_cpu': value -2 is below the minimum -1" },
    /* doubles */
    { "double above", "offload = { threshold = 1.5; };", {NULL},
      ":1: setting 'offload.threshold': value 1.5 is above the maximum 1" },
    { "double below", "offload = { threshold = -0.1; };", {NULL},
      ":1: setting 'offload.threshold': value -0.1 is below the minimum 0" },
    { "double as string", "offload = { threshold = \"high\"; };", {NULL},
      ":1: setting 'offload.threshold': expected a number, got a string" },
    /* bools */
    { "bool as int", "offload = { enabled = 1; };", {NULL},
      ":1: setting 'offload.enabled': expected true or false, got an integer" },
    { "bool as string", "debug = { flow_log = \"yes\"; };", {NULL},
      ":1: setting 'debug.flow_log': expected true or false, got a string" },
    /* strings and enums */
    { "string as int", "log_dir = 5;", {NULL},
      ":1: setting 'log_dir': expected a string in double quotes, got an integer" },
    { "string empty", "log_dir = \"\";", {NULL}, ":1: setting 'log_dir': the value must not be empty" },
    { "bad format", SYSLOG("format = \"json\";"), {NULL},
      ":1: setting 'outputs.syslog.format': 'json' is not one of: rfc5424, rfc3164" },
    { "bad message", SYSLOG("message = \"text\";"), {NULL},
      ":1: setting 'outputs.syslog.message': 'text' is not one of: snort, eve" },
    { "bad facility", SYSLOG("facility = \"local8\";"), {NULL},
      ":1: setting 'outputs.syslog.facility': 'local8' is not one of: " FACILITIES },
    { "bad eal prefix", "eal = { file_prefix = \"a/b\"; };", {NULL},
      ":1: setting 'eal.file_prefix': 'a/b' contains '/'; use only letters, digits, '_', '-' and '.' "
      "(it becomes part of file and shared-memory names)" },
    /* syslog targets */
    { "target scheme", SYSLOG("target = \"http://h:1\";"), {NULL},
      ":1: setting 'outputs.syslog.target': 'http://h:1' is not \"local\", \"udp://HOST:PORT\" or "
      "\"tcp://HOST:PORT\"" },
    { "target no port", SYSLOG("target = \"udp://host\";"), {NULL},
      ":1: setting 'outputs.syslog.target': 'udp://host' has no port; write udp://HOST:PORT, "
      "e.g. udp://127.0.0.1:514" },
    { "target port 0", SYSLOG("target = \"udp://host:0\";"), {NULL},
      ":1: setting 'outputs.syslog.target': 'udp://host:0': the port '0' is not a number from 1 to 65535" },
    { "target port 65536", SYSLOG("target = \"tcp://host:65536\";"), {NULL},
      ":1: setting 'outputs.syslog.target': 'tcp://host:65536': the port '65536' is not a number "
      "from 1 to 65535" },
    { "target port text", SYSLOG("target = \"tcp://host:syslog\";"), {NULL},
      ":1: setting 'outputs.syslog.target': 'tcp://host:syslog': the port 'syslog' is not a number "
      "from 1 to 65535" },
    { "target no host", SYSLOG("target = \"udp://:514\";"), {NULL},
      ":1: setting 'outputs.syslog.target': 'udp://:514' has no host; write udp://HOST:PORT" },
    { "target bare ipv6", SYSLOG("target = \"udp://::1:514\";"), {NULL},
      ":1: setting 'outputs.syslog.target': 'udp://::1:514': write an IPv6 host in brackets, "
      "e.g. udp://[::1]:514" },
    { "target ipv6 no port", SYSLOG("target = \"udp://[::1]\";"), {NULL},
      ":1: setting 'outputs.syslog.target': 'udp://[::1]': write an IPv6 host as [ADDRESS]:PORT, "
      "e.g. udp://[::1]:514" },
    /* structure and names */
    { "group expected", "pool = 5;", {NULL}, ":1: setting 'pool': expected a group { ... }, got an integer" },
    { "unknown top level", "log_dir = \"/x\";\nnosuch = 1;", {NULL}, ":2: setting 'nosuch': " UNKNOWN },
    { "unknown in group", "pool = {\n  chunk = 3;\n};", {NULL}, ":2: setting 'pool.chunk': " UNKNOWN },
    { "unknown in sensor", "sensors = ( { name = \"a\";\n  colour = \"red\"; } );", {NULL},
      ":2: setting 'sensors.[0].colour': " UNKNOWN },
    { "unknown in sensor group", SENSOR("cpus = { other = [1]; };"), {NULL},
      ":1: setting 'sensors.[0].cpus.other': " UNKNOWN },
    { "syntax error", "pool = {\n  chunks = ;\n};\n", {NULL}, ":2: syntax error: syntax error" },
    /* sensors */
    { "sensors not a list", "sensors = { name = \"a\"; };", {NULL},
      ":1: setting 'sensors': expected a list of sensor groups like ( { name = \"default\"; ... } ), "
      "got a group { ... }" },
    { "sensors empty", "sensors = ();", {NULL},
      ":1: setting 'sensors': the list is empty; configure at least one sensor" },
    { "sensor not a group", "sensors = ( 1 );", {NULL},
      ":1: setting 'sensors.[0]': expected a sensor group { name = \"...\"; ... }, got an integer" },
    { "workers below", SENSOR("workers = 0;"), {NULL},
      ":1: setting 'sensors.[0].workers': value 0 is below the minimum 1" },
    { "queues above", SENSOR("queues = 33;"), {NULL},
      ":1: setting 'sensors.[0].queues': value 33 is above the maximum 32" },
    { "empty name", SENSOR("name = \"\";"), {NULL},
      ":1: setting 'sensors.[0].name': the value must not be empty" },
    { "bad name", SENSOR("name = \"a b\";"), {NULL},
      ":1: setting 'sensors.[0].name': 'a b' contains ' '; use only letters, digits, '_', '-' and '.' "
      "(it becomes part of file and shared-memory names)" },
    { "duplicate names", "sensors = (\n  { name = \"a\"; },\n  { name = \"a\"; }\n);", {NULL},
      ":3: setting 'sensors.[1].name': " DUP_NAME },
    { "name clashes with a default name", "sensors = (\n  { name = \"sensor1\"; },\n  { }\n);", {NULL},
      ":3: setting 'sensors.[1].name': 'sensor1' is already the name of sensors.[0]; "
      "each sensor needs its own" },
    { "duplicate inputs", "sensors = (\n { name = \"a\"; input = \"net_tap0\"; },\n"
      " { name = \"b\"; input = \"net_tap0\"; });", {NULL},
      ":3: setting 'sensors.[1].input': 'net_tap0' is already the input of sensors.[0]; "
      "each sensor needs its own" },
    { "rule_files as int", SENSOR("rule_files = 5;"), {NULL},
      ":1: setting 'sensors.[0].rule_files': expected a list of strings like [\"a.rules\", \"b.rules\"], "
      "got an integer" },
    { "rule_files element type", "sensors = ( { rule_files = (\n  \"a.rules\",\n  3 ); } );", {NULL},
      ":3: setting 'sensors.[0].rule_files': element [1]: expected a string, got an integer" },
    { "rule_files empty element", SENSOR("rule_files = [\"\"];"), {NULL},
      ":1: setting 'sensors.[0].rule_files': element [0]: the value must not be empty" },
    { "cpu above", SENSOR("cpus = { capture = [0, 2000]; };"), {NULL},
      ":1: setting 'sensors.[0].cpus.capture': element [1]: value 2000 is above the maximum 1023" },
    { "cpus not a group", SENSOR("cpus = 3;"), {NULL},
      ":1: setting 'sensors.[0].cpus': expected a group { ... }, got an integer" },
    { "var not a string", SENSOR("vars = {\n HOME_NET = 1; };"), {NULL},
      ":2: setting 'sensors.[0].vars.HOME_NET': expected a string like \"[10.0.0.0/8,192.168.0.0/16]\", "
      "got an integer" },
    { "var bad name", SENSOR("vars = { HOME-NET = \"any\"; };"), {NULL},
      ":1: setting 'sensors.[0].vars.HOME-NET': 'HOME-NET' is not a variable name (use letters, digits "
      "and '_', starting with a letter)" },
    { "vars not a group", SENSOR("vars = \"any\";"), {NULL},
      ":1: setting 'sensors.[0].vars': expected a group of variables like { HOME_NET = \"any\"; }, "
      "got a string" },
    /* --set */
    { "set no '='", NULL, {"pool.chunks"},
      "--set pool.chunks: expected KEY=VALUE, e.g. --set pool.chunks=512" },
    { "set int below", NULL, {"pool.chunks=0"}, "--set pool.chunks: value 0 is below the minimum 2" },
    { "set int below over file", "pool = { chunks = 100; };", {"pool.chunks=1"},
      "--set pool.chunks: value 1 is below the minimum 2" },
    { "set int above (64-bit)", NULL, {"pool.chunks=3000000000"},
      "--set pool.chunks: value 3000000000 is above the maximum 65536" },
    { "set int out of range", NULL, {"pool.chunks=99999999999999999999"},
      "--set pool.chunks: value 99999999999999999999 is out of range" },
    { "set int not a number", NULL, {"pool.chunks=abc"},
      "--set pool.chunks: expected an integer, got 'abc'" },
    { "set double above", NULL, {"offload.threshold=2"},
      "--set offload.threshold: value 2 is above the maximum 1" },
    { "set double text", NULL, {"offload.threshold=x"},
      "--set offload.threshold: expected a number, got 'x'" },
    { "set double nan", NULL, {"offload.threshold=nan"},
      "--set offload.threshold: the value is not a finite number" },
    { "set bool", NULL, {"offload.enabled=maybe"},
      "--set offload.enabled: expected true or false, got 'maybe'" },
    { "set enum", NULL, {"outputs.syslog.format=json"},
      "--set outputs.syslog.format: 'json' is not one of: rfc5424, rfc3164" },
    { "set target", NULL, {"outputs.syslog.target=udp://h:0"},
      "--set outputs.syslog.target: 'udp://h:0': the port '0' is not a number from 1 to 65535" },
    { "set unknown", NULL, {"nosuch.x=1"}, "--set nosuch.x: " UNKNOWN },
    { "set unknown over file", "pool = { chunks = 8; };", {"pool.chunk=1"}, "--set pool.chunk: " UNKNOWN },
    { "set unknown sensor setting", NULL, {"sensors.[0].colour=red"}, "--set sensors.[0].colour: " UNKNOWN },
    { "set a group", NULL, {"pool=5"},
      "--set pool: this is a group; set one of its settings, e.g. pool.chunks=..." },
    { "set a sensor group", NULL, {"sensors.[0].cpus=1"},
      "--set sensors.[0].cpus: this is a group; set one of its settings, e.g. sensors.[0].cpus.capture=..." },
    { "set all vars", NULL, {"sensors.[0].vars=x"},
      "--set sensors.[0].vars: set one variable at a time: sensors.[0].vars.NAME=VALUE" },
    { "set bad var name", NULL, {"sensors.[0].vars.HOME-NET=x"},
      "--set sensors.[0].vars.HOME-NET: 'HOME-NET' is not a variable name (use letters, digits and '_', "
      "starting with a letter)" },
    { "set sensor gap", NULL, {"sensors.[2].workers=1"},
      "--set sensors.[2].workers: there is 1 sensor, so a new one must be sensors.[1]" },
    { "set sensors without index", NULL, {"sensors.workers=1"},
      "--set sensors.workers: name one sensor setting, e.g. sensors.[0].workers=2" },
    { "set a whole sensor", NULL, {"sensors.[0]=x"},
      "--set sensors.[0]: name one sensor setting, e.g. sensors.[0].workers=2" },
    { "set bad index", NULL, {"sensors.[x].workers=1"},
      "--set sensors.[x].workers: name one sensor setting, e.g. sensors.[0].workers=2" },
    { "set string list of ints", NULL, {"sensors.[0].rule_files=[1,2]"},
      "--set sensors.[0].rule_files: element [0]: expected a string, got an integer" },
    { "set broken list", NULL, {"sensors.[0].rule_files=[\"a\""},
      "--set sensors.[0].rule_files: expected a list like [\"a.rules\", \"b.rules\"], got '[\"a\"'" },
    { "set int list bound", NULL, {"sensors.[0].cpus.capture=[0, 5000]"},
      "--set sensors.[0].cpus.capture: element [1]: value 5000 is above the maximum 1023" },
    { "set empty name", NULL, {"sensors.[0].name="}, "--set sensors.[0].name: the value must not be empty" },
    { "set duplicate name", NULL, {"sensors.[1].name=default"},
      "--set sensors.[1].name: 'default' is already the name of sensors.[0]; each sensor needs its own" },
    { "set duplicate of file name", "sensors = ( { name = \"a\"; } );", {"sensors.[1].name=a"},
      "--set sensors.[1].name: " DUP_NAME },
    { "set bad value after good one", NULL, {"pool.chunks=8", "pool.cells=0"},
      "--set pool.cells: value 0 is below the minimum 1" },
};

static void test_bad_row(void **state)
{
    const bad_case_t *b = *state;
    ws_err_t err;
    char want[sizeof(err.msg) + 64];

    int rc = load_text(&cfg, b->text, b->sets, count_sets(b->sets, 3), &err);
    if (rc == 0)
        fail_msg("%s: loaded, but should fail with: %s", b->name, b->want);
    assert_int_equal(rc, -1);
    snprintf(want, sizeof(want), "%s%s", b->want[0] == ':' ? tmp_path : "", b->want);
    assert_string_equal(err.msg, want);
}

/* ---- tests that build their input -------------------------------------- */

static void test_defaults(void **state)
{
    (void)state;
    ws_config_defaults(&cfg);
    assert_int_equal(cfg.sensor_count, 1);
    assert_string_equal(cfg.sensors[0].name, "default");
    assert_string_equal(cfg.sensors[0].input, "");
    assert_int_equal(cfg.sensors[0].queues, 1);
    assert_int_equal(cfg.sensors[0].workers, 1);
    assert_int_equal(cfg.sensors[0].rule_file_count, 0);
    assert_int_equal(cfg.sensors[0].var_count, 0);
    assert_null(ws_config_var(&cfg.sensors[0], "HOME_NET"));
    assert_int_equal(cfg.pool.chunks, 64);
    assert_int_equal(cfg.pool.cells, 256);
    assert_int_equal(cfg.pool.flush_us, 100);
    assert_true(cfg.offload.enabled);
    assert_true(cfg.offload.threshold == 0.75);
    assert_true(cfg.outputs.eve_enabled);
    assert_true(cfg.outputs.fast_enabled);
    assert_false(cfg.outputs.syslog.enabled);
    assert_string_equal(cfg.outputs.syslog.target, "local");
    assert_string_equal(cfg.outputs.syslog.format, "rfc5424");
    assert_string_equal(cfg.outputs.syslog.facility, "local5");
    assert_string_equal(cfg.outputs.syslog.message, "snort");
    assert_string_equal(cfg.log_dir, "/var/log/wiresift");
    assert_string_equal(cfg.source, "");
    assert_int_equal(cfg.eal.supervisor_cpu, -1);
}

/* No file and no overrides gives exactly the defaults. */
static void test_load_nothing(void **state)
{
    ws_err_t err;

    (void)state;
    ws_config_defaults(&cfg2);
    memset(&cfg, 0xa5, sizeof(cfg));
    assert_int_equal(ws_config_load(&cfg, NULL, NULL, 0, &err), 0);
    assert_memory_equal(&cfg, &cfg2, sizeof(cfg));
}

static void test_shipped_conf(void **state)
{
    ws_err_t err;
    const ws_sensor_conf_t *s = &cfg.sensors[0];

    (void)state;
    if (ws_config_load(&cfg, SHIPPED_CONF, NULL, 0, &err) != 0)
        fail_msg("%s", err.msg);
    assert_string_equal(cfg.source, SHIPPED_CONF);
    assert_int_equal(cfg.sensor_count, 1);
    assert_string_equal(s->name, "default");
    assert_string_equal(s->input, "");
    assert_int_equal(s->queues, 1);
    assert_int_equal(s->workers, 2);
    assert_int_equal(s->rule_file_count, 1);
    assert_string_equal(s->rule_files[0], "conf/rules/local.rules");
    assert_string_equal(ws_config_var(s, "HOME_NET"), "any");
    assert_string_equal(ws_config_var(s, "EXTERNAL_NET"), "any");
    assert_null(ws_config_var(s, "HTTP_PORTS"));
    assert_string_equal(cfg.log_dir, "/var/log/wiresift");
    assert_string_equal(cfg.classification, "");
    assert_string_equal(cfg.reference, "");

    /* Apart from the sensor, the shipped file states the built-in defaults. */
    ws_config_defaults(&cfg2);
    memcpy(cfg2.source, cfg.source, sizeof(cfg.source));
    memcpy(&cfg2.sensors[0], &cfg.sensors[0], sizeof(cfg.sensors[0]));
    assert_memory_equal(&cfg, &cfg2, sizeof(cfg));

    /* Overrides apply on top of the shipped file. */
    static const char *const sets[] = { "sensors.[0].workers=4", "pool.chunks=512" };
    assert_int_equal(ws_config_load(&cfg, SHIPPED_CONF, sets, 2, &err), 0);
    assert_int_equal(cfg.sensors[0].workers, 4);
    assert_int_equal(cfg.pool.chunks, 512);
}

/* The shipped file names every setting the loader knows. */
static void test_shipped_conf_complete(void **state)
{
    config_t lc;
    const char *path;
    int i;

    (void)state;
    config_init(&lc);
    assert_int_equal(config_read_file(&lc, SHIPPED_CONF), CONFIG_TRUE);
    for (i = 0; (path = ws_config_setting_path(i)) != NULL; i++) {
        char p[128], *n;
        snprintf(p, sizeof(p), "%s", path);
        if ((n = strstr(p, "[N]")) != NULL)
            n[1] = '0';
        if (config_lookup(&lc, p) == NULL)
            fail_msg("%s does not set %s", SHIPPED_CONF, p);
    }
    assert_true(i >= 30);
    config_destroy(&lc);
}

static void test_missing_file(void **state)
{
    ws_err_t err;

    (void)state;
    assert_int_equal(ws_config_load(&cfg, "/nonexistent/wiresift.conf", NULL, 0, &err), -1);
    assert_string_equal(err.msg, "/nonexistent/wiresift.conf: cannot read the configuration file: "
                        "No such file or directory (pass -c with a readable file)");
}

/* Errors in an @include'd file name that file, found next to the main one. */
static void test_include(void **state)
{
    char dir[] = "/tmp/wiresift-test-XXXXXX", main_conf[64], inc[64], want[200];
    ws_err_t err;
    FILE *f;

    (void)state;
    assert_non_null(mkdtemp(dir));
    snprintf(main_conf, sizeof(main_conf), "%s/main.conf", dir);
    snprintf(inc, sizeof(inc), "%s/pool.conf", dir);
    assert_non_null(f = fopen(main_conf, "w"));
    fputs("log_dir = \"/tmp\";\n@include \"pool.conf\"\n", f);
    fclose(f);
    assert_non_null(f = fopen(inc, "w"));
    fputs("pool = {\n  chunks = 1;\n};\n", f);
    fclose(f);
    int rc = ws_config_load(&cfg, main_conf, NULL, 0, &err);
    unlink(inc);
    unlink(main_conf);
    rmdir(dir);
    snprintf(want, sizeof(want), "%s:2: setting 'pool.chunks': value 1 is below the minimum 2", inc);
    assert_int_equal(rc, -1);
    assert_string_equal(err.msg, want);
}

/* A failed load leaves the caller's configuration as it was (reload safety). */
static void test_failed_load_keeps_config(void **state)
{
    static const char *const sets[] = { "pool.chunks=512", "pool.cells=0" };
    ws_err_t err;

    (void)state;
    ws_config_defaults(&cfg);
    cfg.pool.chunks = 77;
    memcpy(&cfg2, &cfg, sizeof(cfg));
    assert_int_equal(ws_config_load(&cfg, NULL, sets, 2, &err), -1);
    assert_memory_equal(&cfg, &cfg2, sizeof(cfg));
}

/* Strings at their limit load; one character more is refused, in file and --set. */
static void test_string_lengths(void **state)
{
    static const struct {
        const char *fmt;     /* the file text around the string */
        const char *set;     /* the same setting as an override */
        const char *path;
        size_t      limit;   /* longest accepted */
    } rows[] = {
        { "log_dir = \"%s\";", "log_dir", "log_dir", WS_PATH_LEN - 1 },
        { "eal = { file_prefix = \"%s\"; };", "eal.file_prefix", "eal.file_prefix", 63 },
        { "sensors = ( { name = \"%s\"; } );", "sensors.[0].name", "sensors.[0].name", WS_NAME_LEN - 1 },
        { "sensors = ( { vars = { X = \"%s\"; }; } );", "sensors.[0].vars.X", "sensors.[0].vars.X",
          WS_VAR_VALUE_LEN - 1 },
        { "sensors = ( { rule_files = [\"%s\"]; } );", "sensors.[0].rule_files", "sensors.[0].rule_files",
          WS_PATH_LEN - 1 },
    };
    char *val = malloc(WS_VAR_VALUE_LEN + 1), *text = malloc(2 * WS_VAR_VALUE_LEN);
    char *set = malloc(2 * WS_VAR_VALUE_LEN), want[600], pre[64];
    ws_err_t err;

    (void)state;
    assert_non_null(val);
    assert_non_null(text);
    assert_non_null(set);
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        for (size_t len = rows[i].limit; len <= rows[i].limit + 1; len++) {
            bool ok = len == rows[i].limit;
            memset(val, 'a', len);
            val[len] = '\0';
            snprintf(text, 2 * WS_VAR_VALUE_LEN, rows[i].fmt, val);
            snprintf(set, 2 * WS_VAR_VALUE_LEN, "%s=%s", rows[i].set, val);
            const char *sets[] = { set };
            for (int viaset = 0; viaset < 2; viaset++) {
                int rc = load_text(&cfg, viaset ? NULL : text, sets, viaset, &err);
                if (ok) {
                    if (rc != 0)
                        fail_msg("%s length %zu: %s", rows[i].path, len, err.msg);
                    continue;
                }
                if (viaset)
                    snprintf(pre, sizeof(pre), "--set %s", rows[i].path);
                else
                    snprintf(pre, sizeof(pre), ":1: setting '%s'", rows[i].path);
                snprintf(want, sizeof(want),
                         "%s%s: %sthe value is %zu characters long; at most %zu are allowed",
                         viaset ? "" : tmp_path, pre,
                         strstr(rows[i].path, "rule_files") != NULL ? "element [0]: " : "",
                         len, rows[i].limit);
                assert_int_equal(rc, -1);
                assert_string_equal(err.msg, want);
            }
        }
    }
    free(val);
    free(text);
    free(set);
}

/* Lists at their limit load; one entry more is refused. */
static void test_list_limits(void **state)
{
    static const struct {
        const char *head, *item, *sep, *tail;
        int         limit;
        const char *want;   /* with %d for limit + 1 and its line */
    } rows[] = {
        { "sensors = (\n", "{ name = \"s%d\"; }", ",\n", ");", WS_MAX_SENSORS,
          ":%d: setting 'sensors.[8]': %d sensors configured; at most 8 are supported" },
        { "sensors = ( { rule_files = [\n", "\"r%d\"", ",\n", "]; } );", WS_MAX_RULE_FILES,
          ":1: setting 'sensors.[0].rule_files': %d entries; at most 128 are allowed" },
        { "sensors = ( { vars = {\n", "V%d = \"x\";", "\n", "}; } );", WS_MAX_VARS,
          ":1: setting 'sensors.[0].vars': %d variables; at most 64 are allowed" },
        { "sensors = ( { cpus = { capture = [\n", "%d", ",\n", "]; }; } );", WS_MAX_CPUS,
          ":1: setting 'sensors.[0].cpus.capture': %d entries; at most 64 are allowed" },
    };
    size_t cap = 16384;
    char *text = malloc(cap), want[400], tail[300];
    ws_err_t err;

    (void)state;
    assert_non_null(text);
    for (size_t i = 0; i < sizeof(rows) / sizeof(rows[0]); i++) {
        for (int n = rows[i].limit; n <= rows[i].limit + 1; n++) {
            size_t k = (size_t)snprintf(text, cap, "%s", rows[i].head);
            for (int j = 0; j < n; j++) {
                k += (size_t)snprintf(text + k, cap - k, "%s", j > 0 ? rows[i].sep : "");
                k += (size_t)snprintf(text + k, cap - k, rows[i].item, j);
            }
            snprintf(text + k, cap - k, "%s", rows[i].tail);
            assert_true(k < cap - 100);
            int rc = load_text(&cfg, text, NULL, 0, &err);
            if (n == rows[i].limit) {
                if (rc != 0)
                    fail_msg("%d entries: %s", n, err.msg);
                continue;
            }
            if (i == 0)   /* sensors: the error points at the 9th group, line 10 */
                snprintf(tail, sizeof(tail), rows[i].want, n + 1, n);
            else
                snprintf(tail, sizeof(tail), rows[i].want, n);
            snprintf(want, sizeof(want), "%s%s", tmp_path, tail);
            assert_int_equal(rc, -1);
            assert_string_equal(err.msg, want);
        }
    }
    free(text);
}

/* --set may add sensors one by one up to WS_MAX_SENSORS, and no further. */
static void test_set_sensor_limit(void **state)
{
    char keys[WS_MAX_SENSORS + 1][40];
    const char *sets[WS_MAX_SENSORS + 1];
    ws_err_t err;

    (void)state;
    for (int i = 0; i <= WS_MAX_SENSORS; i++) {
        snprintf(keys[i], sizeof(keys[i]), "sensors.[%d].name=s%d", i, i);
        sets[i] = keys[i];
    }
    assert_int_equal(ws_config_load(&cfg, NULL, sets, WS_MAX_SENSORS, &err), 0);
    assert_int_equal(cfg.sensor_count, WS_MAX_SENSORS);
    assert_string_equal(cfg.sensors[WS_MAX_SENSORS - 1].name, "s7");
    assert_int_equal(ws_config_load(&cfg, NULL, sets, WS_MAX_SENSORS + 1, &err), -1);
    assert_string_equal(err.msg, "--set sensors.[8].name: at most 8 sensors are supported");
}

static void test_var_lookup(void **state)
{
    static const char *const sets[] = {
        "sensors.[0].vars.HOME_NET=[10.0.0.0/8]", "sensors.[0].vars.HTTP_PORTS=80",
        "sensors.[0].vars.HOME_NET=[192.168.0.0/16]",
    };
    ws_err_t err;

    (void)state;
    assert_int_equal(ws_config_load(&cfg, NULL, sets, 3, &err), 0);
    assert_int_equal(cfg.sensors[0].var_count, 2);
    assert_string_equal(ws_config_var(&cfg.sensors[0], "HOME_NET"), "[192.168.0.0/16]");
    assert_string_equal(ws_config_var(&cfg.sensors[0], "HTTP_PORTS"), "80");
    assert_null(ws_config_var(&cfg.sensors[0], "home_net"));
    assert_null(ws_config_var(&cfg.sensors[0], "EXTERNAL_NET"));
}

/* ---- main: fixed tests, then one test per table row ---------------------- */

#define NGOOD (sizeof(good_cases) / sizeof(good_cases[0]))
#define NBAD  (sizeof(bad_cases) / sizeof(bad_cases[0]))

int main(void)
{
    static const struct CMUnitTest fixed[] = {
        cmocka_unit_test(test_defaults),
        cmocka_unit_test(test_load_nothing),
        cmocka_unit_test(test_shipped_conf),
        cmocka_unit_test(test_shipped_conf_complete),
        cmocka_unit_test(test_missing_file),
        cmocka_unit_test(test_include),
        cmocka_unit_test(test_failed_load_keeps_config),
        cmocka_unit_test(test_string_lengths),
        cmocka_unit_test(test_list_limits),
        cmocka_unit_test(test_set_sensor_limit),
        cmocka_unit_test(test_var_lookup),
    };
    static struct CMUnitTest good[NGOOD], bad[NBAD];
    int failed = 0;

    for (size_t i = 0; i < NGOOD; i++)
        good[i] = (struct CMUnitTest){ .name = good_cases[i].name, .test_func = test_good_row,
                                       .initial_state = (void *)&good_cases[i] };
    for (size_t i = 0; i < NBAD; i++)
        bad[i] = (struct CMUnitTest){ .name = bad_cases[i].name, .test_func = test_bad_row,
                                      .initial_state = (void *)&bad_cases[i] };
    failed += cmocka_run_group_tests_name("config", fixed, NULL, NULL);
    failed += _cmocka_run_group_tests("config good values", good, NGOOD, NULL, NULL);
    failed += _cmocka_run_group_tests("config errors", bad, NBAD, NULL, NULL);
    return failed != 0;
}
