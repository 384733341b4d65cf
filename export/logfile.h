/*
 * logfile.h - an append-only output file of the export process: lines (or
 * pcap records) gathered in a buffer and written with one write(2), reopened
 * on SIGHUP for logrotate, and rotated by size when configured (the old file
 * renamed NAME.<unix time>.<n>).
 */
#ifndef WS_EXP_LOGFILE_H
#define WS_EXP_LOGFILE_H

#include <stddef.h>
#include <stdint.h>

#include "sensor/err.h"

typedef struct exp_file {
    char     path[512];
    int      fd;             /* -1 when closed / disabled */
    uint64_t size;           /* bytes in the file now */
    uint64_t rotate_bytes;   /* 0 = never */
    int      pcap_linktype;  /* >= 0: a pcap file; its header is written when empty */
    size_t   len;
    char     buf[65536];
    uint64_t write_errors, rotations;
} exp_file_t;

int  exp_file_open(exp_file_t *f, const char *dir, const char *name, int rotate_mb,
                   int pcap_linktype, ws_err_t *err);
/* Append n bytes (flushing first when they would not fit). */
void exp_file_add(exp_file_t *f, const void *data, size_t n);
void exp_file_flush(exp_file_t *f);
/* Close and open the same path again (after logrotate moved it). */
int  exp_file_reopen(exp_file_t *f, ws_err_t *err);
void exp_file_close(exp_file_t *f);

#endif
