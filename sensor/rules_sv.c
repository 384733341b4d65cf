/*
 * rules_sv.c - see rules_sv.h.
 */
#include "sensor/rules_sv.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_errno.h>
#include <rte_memzone.h>

#include "sensor/log.h"

typedef struct reject_sink {
    FILE *out;
    int   log;
} reject_sink_t;

static void on_reject(const rule_reject_t *rej, void *arg)
{
    reject_sink_t *sink = arg;
    char line[1024];

    rule_reject_format(rej, line, sizeof(line));
    if (sink->log)
        ws_warn("rule rejected: %s", line);
    else if (sink->out != NULL)
        fprintf(sink->out, "%s\n", line);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int sv_rules_prepare(const ws_config_t *cfg, int s, sv_rules_t *r, int log,
                     FILE *report, ws_err_t *err)
{
    const ws_sensor_conf_t *sc = &cfg->sensors[s];
    const char *files[WS_MAX_RULE_FILES], *names[WS_MAX_VARS], *values[WS_MAX_VARS];
    reject_sink_t sink = { report, log };
    double t0;
    int i;

    memset(r, 0, sizeof(*r));
    for (i = 0; i < sc->rule_file_count; i++)
        files[i] = sc->rule_files[i];
    for (i = 0; i < sc->var_count; i++) {
        names[i] = sc->vars[i].name;
        values[i] = sc->vars[i].value;
    }
    if (rule_bundle_build(&r->bundle, files, (size_t)sc->rule_file_count, names, values,
                          (size_t)sc->var_count, cfg->classification, err) < 0)
        return -1;
    t0 = now_s();
    if (rule_bundle_load(&r->loaded, r->bundle.data, r->bundle.len, on_reject, &sink,
                         err) < 0)
        return -1;
    r->parse_secs = now_s() - t0;
    if (r->loaded.set.nrules > 0
        && det_prefilter_build(&r->loaded.set, 0, &r->pf_blob, &r->pf_len, &r->st,
                               err) < 0)
        return -1;
    return 0;
}

void sv_rules_free(sv_rules_t *r)
{
    rule_loaded_free(&r->loaded);
    rule_bundle_free(&r->bundle);
    free(r->pf_blob);
    memset(r, 0, sizeof(*r));
}

static int publish_blob(const char *name, const void *data, size_t len, ws_err_t *err)
{
    const struct rte_memzone *mz = rte_memzone_reserve(name, len ? len : 1,
                                                       SOCKET_ID_ANY, 0);
    if (mz == NULL)
        return ws_err_set(err, "rte_memzone_reserve(%s, %zu bytes) failed: %s", name,
                          len, rte_strerror(rte_errno));
    memcpy(mz->addr, data, len);
    return 0;
}

int sv_rules_publish(ws_shm_t *shm, int s, const sv_rules_t *r, uint32_t gen,
                     ws_err_t *err)
{
    ws_sensor_shm_t *sn = &shm->sensors[s];

    sn->rules_loaded = r->loaded.set.nrules;
    sn->rules_rejected = r->loaded.set.nrejects;
    sn->rules_http_waiting = r->st.path[DET_PF_HTTP];
    if (r->loaded.set.nrules == 0) {
        sn->rules_gen = 0;
        return 0;
    }
    snprintf(sn->rules_bundle_mz, sizeof(sn->rules_bundle_mz), "ws_rb_%d_%u", s, gen);
    snprintf(sn->rules_pf_mz, sizeof(sn->rules_pf_mz), "ws_pf_%d_%u", s, gen);
    if (publish_blob(sn->rules_bundle_mz, r->bundle.data, r->bundle.len, err) < 0
        || publish_blob(sn->rules_pf_mz, r->pf_blob, r->pf_len, err) < 0)
        return -1;
    sn->rules_bundle_len = r->bundle.len;
    sn->rules_pf_len = r->pf_len;
    rte_smp_wmb();
    sn->rules_gen = gen;
    return 0;
}

int sv_rules_check(const ws_config_t *cfg, int nsensors, FILE *out)
{
    uint32_t loaded = 0, rejected = 0;
    ws_err_t err;
    int s;

    for (s = 0; s < nsensors; s++) {
        sv_rules_t r;
        if (sv_rules_prepare(cfg, s, &r, 0, out, &err) < 0) {
            fprintf(out, "%s\n", err.msg);
            sv_rules_free(&r);
            return -1;
        }
        loaded += r.loaded.set.nrules;
        rejected += r.loaded.set.nrejects;
        sv_rules_free(&r);
    }
    fprintf(out, "rules: %u loaded, %u rejected\n", loaded, rejected);
    return (int)rejected;
}
