/*
 * ports.c - configuring and watching a live sensor's DPDK port.
 *
 * The supervisor (primary) configures one port per live sensor with one rx
 * queue per capture process, each rx queue refilled from that queue's own
 * pool, and symmetric RSS where the device has it (so both directions of a
 * flow reach one queue; capture re-hashes anyway, so the owner table never
 * depends on it).  It reads the port's drop counters for stats.json, since
 * they are per port, not per capture process.
 */
#include <string.h>

#include <rte_ethdev.h>

#include "capture/pool.h"
#include "sensor/log.h"
#include "sensor/supervisor.h"

#define RX_DESC 1024
#define TX_DESC 512

/* A 40-byte Toeplitz key of repeated 0x6d5a makes RSS symmetric. */
static uint8_t sym_rss_key[40];

static int port_by_input(const char *input, uint16_t *port)
{
    char name[RTE_ETH_NAME_MAX_LEN];
    size_t n = strcspn(input, ",");

    if (n >= sizeof(name))
        n = sizeof(name) - 1;
    memcpy(name, input, n);
    name[n] = '\0';
    return rte_eth_dev_get_port_by_name(name, port);
}

static int port_setup(sv_t *sv, ws_sensor_shm_t *s, const char *input, ws_err_t *err)
{
    struct rte_eth_conf conf;
    struct rte_eth_dev_info info;
    uint16_t port, q, nrxd = RX_DESC, ntxd = TX_DESC;
    int rc, i;

    if (port_by_input(input, &port) != 0)
        return ws_err_set(err, "sensor '%s': no DPDK port for input '%s' (for a vdev "
                          "write e.g. net_tap0,iface=ws0; for a NIC its PCI address)",
                          s->name, input);
    rc = rte_eth_dev_info_get(port, &info);
    if (rc != 0)
        return ws_err_set(err, "rte_eth_dev_info_get(port %u) failed: %s", port,
                          rte_strerror(-rc));
    if (s->nq > info.max_rx_queues)
        return ws_err_set(err, "sensor '%s': port %s has %u rx queues, %u configured "
                          "(lower sensors.queues)", s->name, input,
                          info.max_rx_queues, s->nq);
    memset(&conf, 0, sizeof(conf));
    if (s->nq > 1 && info.flow_type_rss_offloads != 0) {
        for (i = 0; i < 40; i += 2) {
            sym_rss_key[i] = 0x6d;
            sym_rss_key[i + 1] = 0x5a;
        }
        conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
        conf.rx_adv_conf.rss_conf.rss_hf = (RTE_ETH_RSS_IP | RTE_ETH_RSS_TCP |
                                            RTE_ETH_RSS_UDP) & info.flow_type_rss_offloads;
        if (info.hash_key_size == 40) {
            conf.rx_adv_conf.rss_conf.rss_key = sym_rss_key;
            conf.rx_adv_conf.rss_conf.rss_key_len = 40;
        }
    }
    rc = rte_eth_dev_configure(port, s->nq, s->nq, &conf);
    if (rc != 0)
        return ws_err_set(err, "rte_eth_dev_configure(port %u, %u queues) failed: %s",
                          port, s->nq, rte_strerror(-rc));
    rte_eth_dev_adjust_nb_rx_tx_desc(port, &nrxd, &ntxd);
    for (q = 0; q < s->nq; q++) {
        cap_pool_t pool;
        if (cap_pool_attach(&pool, sv->shm, (uint16_t)(s->q_base + q), err) < 0)
            return -1;
        rc = rte_eth_rx_queue_setup(port, q, nrxd, rte_eth_dev_socket_id(port),
                                    NULL, pool.mp);
        if (rc != 0)
            return ws_err_set(err, "rte_eth_rx_queue_setup(port %u, queue %u) failed: %s",
                              port, q, rte_strerror(-rc));
        rc = rte_eth_tx_queue_setup(port, q, ntxd, rte_eth_dev_socket_id(port), NULL);
        if (rc != 0)
            return ws_err_set(err, "rte_eth_tx_queue_setup(port %u, queue %u) failed: %s",
                              port, q, rte_strerror(-rc));
    }
    rc = rte_eth_dev_start(port);
    if (rc != 0)
        return ws_err_set(err, "rte_eth_dev_start(port %u) failed: %s", port,
                          rte_strerror(-rc));
    rte_eth_promiscuous_enable(port);
    s->port = port;
    for (q = 0; q < s->nq; q++)
        sv->shm->queues[s->q_base + q].port = port;
    ws_info("sensor '%s': port %u (%s, driver %s) started with %u rx queues%s",
            s->name, port, input, info.driver_name, s->nq,
            conf.rxmode.mq_mode == RTE_ETH_MQ_RX_RSS ? ", symmetric RSS" : "");
    return 0;
}

/* Inline mode: the paired output port, one tx queue per capture queue
 * (each capture process transmits on its own), one rx queue it never polls. */
static int out_port_setup(sv_t *sv, ws_sensor_shm_t *s, const char *output, ws_err_t *err)
{
    struct rte_eth_conf conf;
    uint16_t port, q, nrxd = RX_DESC, ntxd = TX_DESC;
    cap_pool_t pool;
    int rc;

    if (port_by_input(output, &port) != 0)
        return ws_err_set(err, "sensor '%s': no DPDK port for output '%s'", s->name, output);
    memset(&conf, 0, sizeof(conf));
    rc = rte_eth_dev_configure(port, 1, s->nq, &conf);
    if (rc != 0)
        return ws_err_set(err, "rte_eth_dev_configure(output port %u) failed: %s", port,
                          rte_strerror(-rc));
    rte_eth_dev_adjust_nb_rx_tx_desc(port, &nrxd, &ntxd);
    if (cap_pool_attach(&pool, sv->shm, s->q_base, err) < 0)
        return -1;
    rc = rte_eth_rx_queue_setup(port, 0, nrxd, rte_eth_dev_socket_id(port), NULL, pool.mp);
    for (q = 0; rc == 0 && q < s->nq; q++)
        rc = rte_eth_tx_queue_setup(port, q, ntxd, rte_eth_dev_socket_id(port), NULL);
    if (rc == 0)
        rc = rte_eth_dev_start(port);
    if (rc != 0)
        return ws_err_set(err, "setting up output port %u (%s) failed: %s", port, output,
                          rte_strerror(-rc));
    s->out_port = port;
    ws_info("sensor '%s': inline, output port %u (%s), fail %s, %u bypass filters",
            s->name, port, output, s->fail_open ? "open" : "closed", s->nbypass);
    return 0;
}

int sv_ports_setup(sv_t *sv, ws_err_t *err)
{
    uint16_t i;

    for (i = 0; i < sv->shm->nsensors; i++) {
        const ws_sensor_conf_t *sc = &sv->cfg->sensors[i];
        const char *input = sc->input;
        sv->shm->sensors[i].out_port = UINT16_MAX;
        if (sv->opt.input_file != NULL || input[0] == '\0' || ws_is_replay(input))
            continue;
        if (port_setup(sv, &sv->shm->sensors[i], input, err) < 0)
            return -1;
        if (sc->output[0] != '\0' && out_port_setup(sv, &sv->shm->sensors[i], sc->output, err) < 0)
            return -1;
    }
    return 0;
}

void sv_ports_poll(sv_t *sv)
{
    struct rte_eth_stats st;
    uint16_t i, q;

    for (i = 0; i < sv->shm->nsensors; i++) {
        ws_sensor_shm_t *s = &sv->shm->sensors[i];
        if (s->port == UINT16_MAX || rte_eth_stats_get(s->port, &st) != 0)
            continue;
        s->port_imissed = st.imissed;
        s->port_nombuf = st.rx_nombuf;
        s->port_ierrors = st.ierrors;
        for (q = 0; q < s->nq && q < RTE_ETHDEV_QUEUE_STAT_CNTRS; q++)
            sv->shm->queues[s->q_base + q].capture_drops = st.q_errors[q];
    }
}

void sv_ports_stop(sv_t *sv)
{
    uint16_t i;

    for (i = 0; i < sv->shm->nsensors; i++) {
        ws_sensor_shm_t *s = &sv->shm->sensors[i];
        if (s->port == UINT16_MAX)
            continue;
        sv_ports_poll(sv);
        rte_eth_dev_stop(s->port);
        rte_eth_dev_close(s->port);
        if (s->out_port != UINT16_MAX) {
            rte_eth_dev_stop(s->out_port);
            rte_eth_dev_close(s->out_port);
        }
    }
}
