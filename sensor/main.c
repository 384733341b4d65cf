/*
 * main.c - the wiresift command line (DESIGN.md: Command line).
 *
 * Every option that changes a setting becomes a --set override, so the
 * config loader (one table) is the only place that checks values:
 *   -q N      sensors.[0].queues=N        -w N  sensors.[0].workers=N
 *   -l DIR    log_dir=DIR                 -S F  sensors.[0].rule_files=[...]
 *   --var N=V sensors.[0].vars.N=V
 * A process started with --role=... is a child of a supervisor (child.c).
 */
#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sensor/child.h"
#include "sensor/config.h"
#include "sensor/csum_probe.h"
#include "sensor/rules_sv.h"
#include "sensor/log.h"
#include "sensor/supervisor.h"
#include "sensor/top.h"

#define WS_VERSION   "0.1.0"
#define MAX_SETS     256

enum { OPT_VAR = 256, OPT_SET, OPT_VERSION, OPT_HELP, OPT_RELOAD, OPT_TOP };

static const char usage_text[] =
    "usage: wiresift [-c FILE] [-r PCAP] [-S RULES]... [-l LOGDIR] [-w N] [-q N]\n"
    "                [--var NAME=VALUE]... [--set KEY=VALUE]... [-k all|none|auto] [-T]\n"
    "                [--version] [--help]\n"
    "\n"
    "  -c FILE          configuration (libconfig; see conf/wiresift.conf)\n"
    "  -r PCAP          read a pcap or pcapng file losslessly, print a summary, exit\n"
    "  -S RULES         rule file (repeatable; replaces the config's rule list)\n"
    "  -l LOGDIR        log directory: eve.json, fast.log, stats.json\n"
    "  -w N             detect processes in the buddy group\n"
    "  -q N             receive queues (offline: software RSS queues)\n"
    "  --var NAME=VALUE rule variable (HOME_NET, EXTERNAL_NET, HTTP_PORTS, ...)\n"
    "  --set KEY=VALUE  override any setting by its dotted path (pool.chunks=512)\n"
    "  -k MODE          checksum mode: all, none or auto (default)\n"
    "  -T               check configuration and rules, then exit\n"
    "  --reload         make the running instance (same -c / eal.file_prefix) reload its rules\n"
    "  --top            live view of the running instance (same -c / eal.file_prefix)\n"
    "\n"
    "Exit status: 0 success, 1 runtime failure, 2 usage or configuration error.\n";

typedef struct cli {
    const char *config;
    const char *input;
    const char *checksum;
    int         test_only;
    int         reload;
    int         top;
    const char *rule_files[WS_MAX_RULE_FILES];
    int         nrules;
    char       *sets[MAX_SETS];
    int         nsets;
} cli_t;

static int add_set(cli_t *cli, const char *fmt, const char *a, const char *b)
{
    char buf[4096];

    if (cli->nsets >= MAX_SETS) {
        fprintf(stderr, "wiresift: too many overrides (at most %d)\n", MAX_SETS);
        return -1;
    }
    snprintf(buf, sizeof(buf), fmt, a, b);
    cli->sets[cli->nsets++] = strdup(buf);
    return 0;
}

static int rules_set(cli_t *cli)
{
    char buf[WS_MAX_RULE_FILES * (WS_PATH_LEN + 4)];
    size_t off = 0;

    off += (size_t)snprintf(buf, sizeof(buf), "sensors.[0].rule_files=[");
    for (int i = 0; i < cli->nrules; i++)
        off += (size_t)snprintf(buf + off, sizeof(buf) - off, "%s\"%s\"",
                                i ? "," : "", cli->rule_files[i]);
    snprintf(buf + off, sizeof(buf) - off, "]");
    return add_set(cli, "%s%s", buf, "");
}

static int parse_cli(cli_t *cli, int argc, char **argv)
{
    static const struct option longopts[] = {
        { "var",     required_argument, NULL, OPT_VAR },
        { "set",     required_argument, NULL, OPT_SET },
        { "version", no_argument,       NULL, OPT_VERSION },
        { "help",    no_argument,       NULL, OPT_HELP },
        { "reload",  no_argument,       NULL, OPT_RELOAD },
        { "top",     no_argument,       NULL, OPT_TOP },
        { NULL, 0, NULL, 0 },
    };
    int ch, rc = 0;

    while ((ch = getopt_long(argc, argv, "c:r:S:l:w:q:k:T", longopts, NULL)) != -1) {
        switch (ch) {
        case 'c': cli->config = optarg; break;
        case 'r': cli->input = optarg; break;
        case 'S':
            if (cli->nrules >= WS_MAX_RULE_FILES) {
                fprintf(stderr, "wiresift: too many -S files (at most %d)\n",
                        WS_MAX_RULE_FILES);
                return 2;
            }
            cli->rule_files[cli->nrules++] = optarg;
            break;
        case 'l': rc = add_set(cli, "log_dir=%s%s", optarg, ""); break;
        case 'w': rc = add_set(cli, "sensors.[0].workers=%s%s", optarg, ""); break;
        case 'q': rc = add_set(cli, "sensors.[0].queues=%s%s", optarg, ""); break;
        case 'k':
            if (strcmp(optarg, "all") && strcmp(optarg, "none") && strcmp(optarg, "auto")) {
                fprintf(stderr, "wiresift: -k %s: expected all, none or auto\n", optarg);
                return 2;
            }
            cli->checksum = optarg;
            break;
        case 'T': cli->test_only = 1; break;
        case OPT_RELOAD: cli->reload = 1; break;
        case OPT_TOP: cli->top = 1; break;
        case OPT_VAR: {
            char *eq = strchr(optarg, '=');
            if (eq == NULL || eq == optarg) {
                fprintf(stderr, "wiresift: --var %s: expected NAME=VALUE\n", optarg);
                return 2;
            }
            *eq = '\0';
            rc = add_set(cli, "sensors.[0].vars.%s=%s", optarg, eq + 1);
            *eq = '=';
            break;
        }
        case OPT_SET:
            if (strchr(optarg, '=') == NULL) {
                fprintf(stderr, "wiresift: --set %s: expected KEY=VALUE\n", optarg);
                return 2;
            }
            rc = add_set(cli, "%s%s", optarg, "");
            break;
        case OPT_VERSION:
            printf("wiresift %s\n", WS_VERSION);
            exit(0);
        case OPT_HELP:
            fputs(usage_text, stdout);
            exit(0);
        default:
            fputs(usage_text, stderr);
            return 2;
        }
        if (rc < 0)
            return 2;
    }
    if (optind < argc) {
        fprintf(stderr, "wiresift: unexpected argument '%s'\n%s", argv[optind], usage_text);
        return 2;
    }
    if (cli->nrules > 0 && rules_set(cli) < 0)
        return 2;
    return 0;
}

/* --reload: SIGHUP to the supervisor of the instance with this config's
 * file prefix, found through the pid file it keeps in its runtime dir. */
static int send_reload(const ws_config_t *cfg)
{
    const char *prefix = cfg->eal.file_prefix[0] ? cfg->eal.file_prefix : "wiresift";
    char path[512];
    FILE *f;
    int pid = 0;

    snprintf(path, sizeof(path), "/var/run/dpdk/%s/wiresift.pid", prefix);
    f = fopen(path, "r");
    if (f == NULL || fscanf(f, "%d", &pid) != 1 || pid <= 1) {
        fprintf(stderr, "wiresift: no running instance with file prefix '%s' (%s not "
                "readable)\n", prefix, path);
        if (f != NULL)
            fclose(f);
        return 1;
    }
    fclose(f);
    if (kill(pid, SIGHUP) != 0) {
        fprintf(stderr, "wiresift: kill(%d, SIGHUP) failed: %s\n", pid, strerror(errno));
        return 1;
    }
    printf("wiresift: asked pid %d to reload its rules\n", pid);
    return 0;
}

int main(int argc, char **argv)
{
    static ws_config_t cfg;
    static cli_t cli;
    sv_options_t opt = { 0 };
    ws_err_t err;
    int rc;

    if (argc > 1 && strncmp(argv[1], "--role=", 7) == 0)
        return ws_child_main(argc, argv);

    rc = parse_cli(&cli, argc, argv);
    if (rc != 0)
        return rc;
    if (ws_config_load(&cfg, cli.config, (const char *const *)cli.sets, cli.nsets,
                       &err) < 0) {
        fprintf(stderr, "wiresift: %s\n", err.msg);
        return 2;
    }
    if (cli.reload)
        return send_reload(&cfg);
    if (cli.top)
        return ws_top_main(&cfg);
    if (cli.test_only) {
        printf("configuration %s: OK (%d sensor%s)\n",
               cli.config ? cli.config : "(built-in defaults)", cfg.sensor_count,
               cfg.sensor_count == 1 ? "" : "s");
        rc = sv_rules_check(&cfg, cfg.sensor_count, stdout);
        return rc < 0 ? 2 : rc > 0 ? 1 : 0;
    }
    opt.input_file = cli.input;
    opt.checksum = cli.checksum == NULL || !strcmp(cli.checksum, "auto") ? WS_CSUM_AUTO
                   : !strcmp(cli.checksum, "all") ? WS_CSUM_ALL : WS_CSUM_NONE;
    return sv_run(&cfg, &opt);
}
