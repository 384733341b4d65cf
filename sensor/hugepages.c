/*
 * hugepages.c - see hugepages.h.
 */
#include "sensor/hugepages.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <mntent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define SYS_HUGEPAGES "/sys/kernel/mm/hugepages"
#define DPDK_RUN_DIR  "/var/run/dpdk"

static long read_long(const char *path)
{
    FILE *f = fopen(path, "r");
    long v = -1;

    if (f != NULL) {
        if (fscanf(f, "%ld", &v) != 1)
            v = -1;
        fclose(f);
    }
    return v;
}

/* Free hugepage bytes over all page sizes. */
static size_t huge_free_bytes(void)
{
    DIR *d = opendir(SYS_HUGEPAGES);
    struct dirent *e;
    size_t total = 0;

    if (d == NULL)
        return 0;
    while ((e = readdir(d)) != NULL) {
        char path[512];
        long kb, n;
        if (sscanf(e->d_name, "hugepages-%ldkB", &kb) != 1)
            continue;
        snprintf(path, sizeof(path), SYS_HUGEPAGES "/%s/free_hugepages", e->d_name);
        n = read_long(path);
        if (n > 0)
            total += (size_t)n * (size_t)kb * 1024;
    }
    closedir(d);
    return total;
}

/* Call fn(dir) for every mounted hugetlbfs; returns how many. */
static int for_each_hugetlbfs(void (*fn)(const char *dir, const char *prefix),
                              const char *prefix)
{
    FILE *m = setmntent("/proc/mounts", "r");
    struct mntent *e;
    int n = 0;

    if (m == NULL)
        return 0;
    while ((e = getmntent(m)) != NULL) {
        if (strcmp(e->mnt_type, "hugetlbfs") != 0)
            continue;
        n++;
        if (fn != NULL)
            fn(e->mnt_dir, prefix);
    }
    endmntent(m);
    return n;
}

int sv_huge_check(size_t need_bytes, ws_err_t *err)
{
    size_t free_bytes;
    size_t need_pages = (need_bytes + (2u << 20) - 1) >> 21;

    if (for_each_hugetlbfs(NULL, NULL) == 0)
        return ws_err_set(err, "no hugetlbfs is mounted, and DPDK multi-process needs "
                          "hugepages. Fix: run `make setup` as root, or "
                          "`mkdir -p /dev/hugepages && mount -t hugetlbfs nodev "
                          "/dev/hugepages && echo %zu > /proc/sys/vm/nr_hugepages`",
                          need_pages + 64);
    free_bytes = huge_free_bytes();
    if (free_bytes < need_bytes)
        return ws_err_set(err, "only %zu MiB of hugepages are free, this instance needs "
                          "about %zu MiB (pool.chunks x pool.cells x queues packet "
                          "buffers). Fix: `echo %zu > /proc/sys/vm/nr_hugepages` "
                          "(2 MiB pages) or `make setup` as root, or lower "
                          "pool.chunks / pool.cells", free_bytes >> 20,
                          need_bytes >> 20, need_pages + 64);
    return 0;
}

static void remove_prefix_files(const char *dir, const char *prefix)
{
    char want[128], path[1024];
    DIR *d = opendir(dir);
    struct dirent *e;

    if (d == NULL)
        return;
    snprintf(want, sizeof(want), "%smap_", prefix);
    while ((e = readdir(d)) != NULL) {
        if (strncmp(e->d_name, want, strlen(want)) != 0)
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(d);
}

static void remove_run_dir(const char *prefix)
{
    char dir[512], path[1024];
    DIR *d;
    struct dirent *e;

    snprintf(dir, sizeof(dir), DPDK_RUN_DIR "/%s", prefix);
    d = opendir(dir);
    if (d == NULL)
        return;
    while ((e = readdir(d)) != NULL) {
        if (e->d_name[0] == '.')
            continue;
        snprintf(path, sizeof(path), "%s/%s", dir, e->d_name);
        unlink(path);
    }
    closedir(d);
    rmdir(dir);
}

int sv_huge_claim_prefix(const char *prefix, ws_err_t *err)
{
    char path[512];
    struct flock lk = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
    int fd;

    snprintf(path, sizeof(path), DPDK_RUN_DIR "/%s/config", prefix);
    fd = open(path, O_RDONLY);
    if (fd >= 0) {
        /* A running primary holds a write lock on its config file. */
        if (fcntl(fd, F_GETLK, &lk) == 0 && lk.l_type != F_UNLCK) {
            close(fd);
            return ws_err_set(err, "another DPDK primary (pid %d) is running with file "
                              "prefix '%s'. Fix: stop it, or give this instance its "
                              "own prefix with --set eal.file_prefix=NAME",
                              (int)lk.l_pid, prefix);
        }
        close(fd);
    }
    sv_huge_cleanup(prefix);
    return 0;
}

void sv_huge_cleanup(const char *prefix)
{
    for_each_hugetlbfs(remove_prefix_files, prefix);
    remove_run_dir(prefix);
}
