/*
 * logfile.c - see logfile.h.
 */
#include "export/logfile.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

/* Classic pcap file header, microsecond timestamps. */
static void pcap_header(exp_file_t *f)
{
    struct {
        uint32_t magic;
        uint16_t major, minor;
        int32_t  zone;
        uint32_t sigfigs, snaplen, linktype;
    } h = { 0xa1b2c3d4, 2, 4, 0, 0, 65535, (uint32_t)f->pcap_linktype };

    exp_file_add(f, &h, sizeof(h));
}

static int open_path(exp_file_t *f, ws_err_t *err)
{
    struct stat st;

    f->fd = open(f->path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0644);
    if (f->fd < 0)
        return ws_err_set(err, "cannot open %s: %s", f->path, strerror(errno));
    f->size = fstat(f->fd, &st) == 0 ? (uint64_t)st.st_size : 0;
    if (f->pcap_linktype >= 0 && f->size == 0)
        pcap_header(f);
    return 0;
}

int exp_file_open(exp_file_t *f, const char *dir, const char *name, int rotate_mb,
                  int pcap_linktype, ws_err_t *err)
{
    memset(f, 0, sizeof(*f));
    snprintf(f->path, sizeof(f->path), "%s/%s", dir, name);
    f->rotate_bytes = (uint64_t)rotate_mb << 20;
    f->pcap_linktype = pcap_linktype;
    return open_path(f, err);
}

static void rotate(exp_file_t *f)
{
    char old[600];

    /* NAME.<unix time>.<n>: several rotations in one second keep their files */
    snprintf(old, sizeof(old), "%s.%lld.%llu", f->path, (long long)time(NULL),
             (unsigned long long)f->rotations);
    close(f->fd);
    f->fd = -1;
    if (rename(f->path, old) != 0)
        f->write_errors++;
    f->rotations++;
    if (open_path(f, NULL) < 0)
        f->write_errors++;
}

void exp_file_flush(exp_file_t *f)
{
    if (f->len == 0 || f->fd < 0)
        return;
    ssize_t n = write(f->fd, f->buf, f->len);
    if (n != (ssize_t)f->len)
        f->write_errors++;
    if (n > 0)
        f->size += (uint64_t)n;
    f->len = 0;
    if (f->rotate_bytes > 0 && f->size >= f->rotate_bytes)
        rotate(f);
}

void exp_file_add(exp_file_t *f, const void *data, size_t n)
{
    if (f->fd < 0)
        return;
    if (f->len + n > sizeof(f->buf))
        exp_file_flush(f);
    if (n > sizeof(f->buf)) {         /* larger than the buffer: write through */
        if (write(f->fd, data, n) != (ssize_t)n)
            f->write_errors++;
        f->size += n;
        return;
    }
    memcpy(f->buf + f->len, data, n);
    f->len += n;
}

int exp_file_reopen(exp_file_t *f, ws_err_t *err)
{
    if (f->fd < 0)
        return 0;
    exp_file_flush(f);
    close(f->fd);
    f->fd = -1;
    return open_path(f, err);
}

void exp_file_close(exp_file_t *f)
{
    if (f->fd < 0)
        return;
    exp_file_flush(f);
    close(f->fd);
    f->fd = -1;
}
