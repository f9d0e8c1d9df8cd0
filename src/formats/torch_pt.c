/* torch_pt.c — opening PyTorch zip checkpoints and reading their tensors.
 *
 * The file is memory-mapped once; libzip validates the archive (ZIP_CHECKCONS)
 * and data.pkl is read through it. Stored (uncompressed) storages — what
 * torch.save writes — are converted straight from the mapping after their CRC
 * has been checked once; other entries are read through libzip, which checks
 * the CRC itself. See torch_pt.h. */
#include "formats/torch_pt.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zip.h>
#include <zlib.h>

#include "base/error.h"
#include "formats/pt_convert.h"
#include "formats/pt_pickle.h"
#include "formats/pt_zipdir.h"

#define PT_MAX_PICKLE (32u << 20) /* data.pkl larger than this is refused */

typedef struct pt_storage {
    char *entry;       /* "<top>/data/<key>" */
    pt_dtype dtype;
    int64_t numel;
    zip_int64_t index; /* libzip index, -1 if the entry is missing */
    uint64_t size;     /* uncompressed bytes */
    uint32_t crc;
    int direct;        /* stored and mapped: read from map + data_off */
    uint64_t data_off;
    int verified;      /* CRC of the mapped bytes checked */
} pt_storage;

struct pt_file {
    char *path;
    zip_t *zip;
    unsigned char *map;
    size_t map_size;
    char *top;
    pt_tensor *tensors;
    int ntensors;
    int *by_name; /* tensor indices sorted by name */
    pt_storage *storages;
    int nstorages;
    pt_pkl_string *strings; /* string values of data.pkl (pt_pickle.h) */
    int nstrings;
};

static const char *const DTYPE_NAMES[] = {"float32", "float16", "bfloat16", "float64", "int64",
                                          "int32",   "int16",   "int8",     "uint8",   "bool"};

const char *pt_dtype_name(pt_dtype t) {
    return (int)t >= 0 && (int)t < 10 ? DTYPE_NAMES[t] : "unknown";
}

int pt_count(const pt_file *f) { return f ? f->ntensors : 0; }

const char *pt_string(const pt_file *f, const char *name) {
    for (int i = 0; f && i < f->nstrings; i++)
        if (!strcmp(f->strings[i].name, name)) return f->strings[i].value;
    return NULL;
}

/* FNV-1a 64 over the tensors in name order: name, dtype, shape, stride,
 * offset, and the CRC-32 and size of the archive entry holding each storage. */
static uint64_t fnv(uint64_t h, const void *p, size_t n) {
    const unsigned char *b = p;
    for (size_t i = 0; i < n; i++) h = (h ^ b[i]) * 0x100000001b3ull;
    return h;
}

uint64_t pt_fingerprint(const pt_file *f) {
    uint64_t h = 0xcbf29ce484222325ull;
    for (int k = 0; f && k < f->ntensors; k++) {
        const pt_tensor *t = &f->tensors[f->by_name[k]];
        h = fnv(h, t->name, strlen(t->name) + 1);
        int64_t v[3 + 2 * PT_MAX_DIMS] = {(int64_t)t->dtype, t->ndim, t->offset};
        for (int i = 0; i < t->ndim && i < PT_MAX_DIMS; i++) v[3 + i] = t->shape[i], v[3 + PT_MAX_DIMS + i] = t->stride[i];
        h = fnv(h, v, sizeof v);
        if (t->storage >= 0 && t->storage < f->nstorages) {
            const pt_storage *s = &f->storages[t->storage];
            uint64_t cs[2] = {s->crc, s->size};
            h = fnv(h, cs, sizeof cs);
        }
    }
    return h;
}
const char *pt_path(const pt_file *f) { return f ? f->path : ""; }

int pt_storages_mapped(const pt_file *f, int *total) {
    int n = 0;
    for (int i = 0; f && i < f->nstorages; i++) n += f->storages[i].direct;
    if (total) *total = f ? f->nstorages : 0;
    return n;
}

const pt_tensor *pt_get(const pt_file *f, int i) {
    return f && i >= 0 && i < f->ntensors ? &f->tensors[i] : NULL;
}

const pt_tensor *pt_find(const pt_file *f, const char *name) {
    if (!f || !name) return NULL;
    int lo = 0, hi = f->ntensors - 1;
    while (lo <= hi) {
        int mid = lo + (hi - lo) / 2;
        const pt_tensor *t = &f->tensors[f->by_name[mid]];
        int c = strcmp(t->name, name);
        if (c == 0) return t;
        if (c < 0) lo = mid + 1;
        else hi = mid - 1;
    }
    return NULL;
}

void pt_close(pt_file *f) {
    if (!f) return;
    if (f->zip) zip_discard(f->zip); /* read-only: nothing to write back */
    if (f->map) munmap(f->map, f->map_size);
    for (int i = 0; i < f->ntensors; i++) free(f->tensors[i].name);
    free(f->tensors);
    free(f->by_name);
    for (int i = 0; i < f->nstorages; i++) free(f->storages[i].entry);
    free(f->storages);
    for (int i = 0; i < f->nstrings; i++) free(f->strings[i].name), free(f->strings[i].value);
    free(f->strings);
    free(f->top);
    free(f->path);
    free(f);
}

/* ---- recognising the file ---- */

/* The legacy (pre-1.6) format is a bare pickle stream that starts (after
 * PROTO, and FRAME for protocol >= 4) with LONG1 of the magic number
 * 0x1950a86a20f9469cfc6c; the even older one is a tar archive. */
static int is_legacy(const unsigned char *p, size_t n) {
    static const unsigned char magic[] = {0x8a, 0x0a, 0x6c, 0xfc, 0x9c, 0x46, 0xf9, 0x20, 0x6a, 0xa8, 0x50, 0x19};
    if (n >= 2 && p[0] == 0x80)
        for (size_t at = 2; at <= 11 && at + sizeof magic <= n; at++)
            if (memcmp(p + at, magic, sizeof magic) == 0) return 1;
    return n >= 262 && memcmp(p + 257, "ustar", 5) == 0;
}

static int classify(const unsigned char *head, size_t n, const char *path, ppad_err *err) {
    if (n == 0) return ppad_fail(err, "%s: empty file (not a PyTorch checkpoint)", path);
    if (n >= 4 && head[0] == 'P' && head[1] == 'K' &&
        ((head[2] == 3 && head[3] == 4) || (head[2] == 5 && head[3] == 6)))
        return 0;
    if (is_legacy(head, n))
        return ppad_fail(err, "%s: legacy (non-zip) PyTorch format is not supported; re-save it with torch >= 1.6 "
                         "(torch.save)", path);
    return ppad_fail(err, "%s: not a PyTorch checkpoint (not a zip archive)", path);
}

/* ---- reading entries through libzip ---- */

static int zip_read_entry(pt_file *f, zip_int64_t idx, const char *name, unsigned char *dst, uint64_t size,
                          ppad_err *err) {
    zip_file_t *zf = zip_fopen_index(f->zip, (zip_uint64_t)idx, 0);
    if (!zf) return ppad_fail(err, "%s: cannot read archive entry '%s': %s", f->path, name, zip_strerror(f->zip));
    uint64_t got = 0;
    while (got < size) {
        zip_int64_t r = zip_fread(zf, dst + got, size - got);
        if (r < 0) {
            zip_error_t *ze = zip_file_get_error(zf);
            int crc = zip_error_code_zip(ze) == ZIP_ER_CRC;
            int rc = crc ? ppad_fail(err, "%s: CRC mismatch in archive entry '%s' (the file is damaged)", f->path, name)
                         : ppad_fail(err, "%s: cannot read archive entry '%s': %s", f->path, name, zip_error_strerror(ze));
            zip_fclose(zf);
            return rc;
        }
        if (r == 0) break;
        got += (uint64_t)r;
    }
    /* read one byte more so libzip reaches the end of the entry and checks its CRC */
    unsigned char extra;
    zip_int64_t r = got == size ? zip_fread(zf, &extra, 1) : 0;
    int rc = 0;
    if (r < 0) {
        zip_error_t *ze = zip_file_get_error(zf);
        rc = zip_error_code_zip(ze) == ZIP_ER_CRC
                 ? ppad_fail(err, "%s: CRC mismatch in archive entry '%s' (the file is damaged)", f->path, name)
                 : ppad_fail(err, "%s: cannot read archive entry '%s': %s", f->path, name, zip_error_strerror(ze));
    } else if (got != size || r != 0) {
        rc = ppad_fail(err, "%s: archive entry '%s' has the wrong size", f->path, name);
    }
    zip_fclose(zf);
    return rc;
}

/* Index of "<top>/<rel>", or -1. */
static zip_int64_t locate(pt_file *f, const char *rel, char **full, ppad_err *err) {
    size_t n = strlen(f->top) + strlen(rel) + 2;
    char *name = ppad_malloc(n, err);
    if (!name) return -2;
    snprintf(name, n, "%s/%s", f->top, rel);
    zip_int64_t idx = zip_name_locate(f->zip, name, ZIP_FL_ENC_RAW);
    if (full) *full = name;
    else free(name);
    return idx;
}

static int read_small(pt_file *f, const char *rel, unsigned char **data, uint64_t *size, uint64_t limit,
                      ppad_err *err) {
    char *name = NULL;
    *data = NULL;
    zip_int64_t idx = locate(f, rel, &name, err);
    if (idx == -2) return ppad_fail_prefix(err, f->path);
    if (idx < 0) {
        free(name);
        return 1;
    }
    zip_stat_t st;
    int rc = -1;
    if (zip_stat_index(f->zip, (zip_uint64_t)idx, 0, &st) != 0 || !(st.valid & ZIP_STAT_SIZE)) {
        ppad_fail(err, "%s: cannot stat archive entry '%s'", f->path, name);
    } else if (st.size > limit) {
        ppad_fail(err, "%s: archive entry '%s' is too large (%llu bytes)", f->path, name, (unsigned long long)st.size);
    } else if (!(*data = ppad_malloc((size_t)st.size + 1, err))) {
        ppad_fail_prefix(err, f->path);
    } else if (zip_read_entry(f, idx, name, *data, st.size, err) == 0) {
        (*data)[st.size] = 0;
        *size = st.size;
        rc = 0;
    }
    if (rc != 0) {
        free(*data);
        *data = NULL;
    }
    free(name);
    return rc;
}

/* ---- opening ---- */

/* Does our directory walk describe exactly what libzip indexed? */
static int same_directory(zip_t *zip, const pt_zip_entry *es, size_t ne) {
    if (zip_get_num_entries(zip, 0) != (zip_int64_t)ne) return 0;
    for (size_t i = 0; i < ne; i++) {
        zip_stat_t st;
        const pt_zip_entry *e = &es[i];
        const char *nm = zip_get_name(zip, i, ZIP_FL_ENC_RAW);
        if (!nm || zip_stat_index(zip, i, ZIP_FL_ENC_RAW, &st) != 0 || strlen(nm) != e->name_len ||
            memcmp(nm, e->name, e->name_len) != 0 || st.size != e->usize || st.comp_size != e->csize ||
            st.crc != e->crc || st.comp_method != e->method)
            return 0;
    }
    return 1;
}

/* Checks that all entries share one top folder, and records it. */
static int check_entries(pt_file *f, ppad_err *err) {
    zip_int64_t n = zip_get_num_entries(f->zip, 0);
    if (n <= 0) return ppad_fail(err, "%s: empty zip archive (not a PyTorch checkpoint)", f->path);
    const char *first = zip_get_name(f->zip, 0, ZIP_FL_ENC_RAW);
    const char *slash = first ? strchr(first, '/') : NULL;
    if (!slash || slash == first)
        return ppad_fail(err, "%s: not a PyTorch checkpoint (archive entries are not inside one top folder)", f->path);
    size_t tl = (size_t)(slash - first);
    f->top = ppad_malloc(tl + 1, err);
    if (!f->top) return ppad_fail_prefix(err, f->path);
    memcpy(f->top, first, tl);
    f->top[tl] = 0;
    for (zip_int64_t i = 0; i < n; i++) {
        const char *nm = zip_get_name(f->zip, (zip_uint64_t)i, ZIP_FL_ENC_RAW);
        if (!nm || strncmp(nm, f->top, tl) != 0 || nm[tl] != '/')
            return ppad_fail(err, "%s: not a PyTorch checkpoint (archive entries are not inside one top folder)",
                             f->path);
    }
    return 0;
}

/* Resolves every storage to its archive entry. */
static int bind_storages(pt_file *f, const pt_pkl *p, const pt_zip_entry *es, ppad_err *err) {
    f->storages = ppad_calloc((size_t)(p->nstorages ? p->nstorages : 1), sizeof *f->storages, err);
    if (!f->storages) return ppad_fail_prefix(err, f->path);
    for (int i = 0; i < p->nstorages; i++) {
        pt_storage *s = &f->storages[i];
        f->nstorages = i + 1;
        s->dtype = p->storages[i].dtype;
        s->numel = p->storages[i].numel;
        size_t n = strlen(p->storages[i].key) + 6;
        char *rel = ppad_malloc(n, err);
        if (!rel) return ppad_fail_prefix(err, f->path);
        snprintf(rel, n, "data/%s", p->storages[i].key);
        s->index = locate(f, rel, &s->entry, err);
        free(rel);
        if (s->index == -2) return ppad_fail_prefix(err, f->path);
        if (s->index < 0) continue; /* reported for the first tensor that uses it */
        zip_stat_t st;
        if (zip_stat_index(f->zip, (zip_uint64_t)s->index, 0, &st) != 0)
            return ppad_fail(err, "%s: cannot stat archive entry '%s'", f->path, s->entry);
        s->size = st.size;
        s->crc = st.crc;
        /* stored entries are used in place (else, or if the local header looks odd, read through libzip) */
        if (es && st.comp_method == ZIP_CM_STORE && st.comp_size == st.size)
            s->direct = pt_zipdir_data_offset(f->map, f->map_size, &es[s->index], &s->data_off, NULL) == 0;
    }
    return 0;
}

static int check_tensor(const pt_file *f, const pt_tensor *t, ppad_err *err) {
    if (t->storage < 0 || t->storage >= f->nstorages)
        return ppad_fail(err, "%s: tensor '%s' has no storage", f->path, t->name);
    const pt_storage *s = &f->storages[t->storage];
    if (s->index < 0)
        return ppad_fail(err, "%s: tensor '%s': its data entry '%s' is missing from the archive", f->path, t->name,
                         s->entry);
    uint64_t want = (uint64_t)s->numel * pt_dtype_size(s->dtype);
    if (s->size != want)
        return ppad_fail(err, "%s: tensor '%s': data entry '%s' holds %llu bytes, but its storage declares %lld %s "
                         "elements (%llu bytes)", f->path, t->name, s->entry, (unsigned long long)s->size,
                         (long long)s->numel, pt_dtype_name(s->dtype), (unsigned long long)want);
    return 0;
}

typedef struct name_ix { const char *name; int i; } name_ix;
static int cmp_name_ix(const void *a, const void *b) {
    return strcmp(((const name_ix *)a)->name, ((const name_ix *)b)->name);
}

static int build_index(pt_file *f, ppad_err *err) {
    int n = f->ntensors;
    f->by_name = ppad_malloc((size_t)(n ? n : 1) * sizeof *f->by_name, err);
    name_ix *tmp = ppad_malloc((size_t)(n ? n : 1) * sizeof *tmp, err);
    if (!f->by_name || !tmp) {
        free(tmp);
        return ppad_fail_prefix(err, f->path);
    }
    for (int i = 0; i < n; i++) tmp[i] = (name_ix){f->tensors[i].name, i};
    qsort(tmp, (size_t)n, sizeof *tmp, cmp_name_ix);
    for (int i = 0; i < n; i++) f->by_name[i] = tmp[i].i;
    free(tmp);
    return 0;
}

static int open_archive(pt_file *f, ppad_err *err) {
    int fd = open(f->path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ppad_fail(err, "%s: cannot open: %s", f->path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        int dir = S_ISDIR(st.st_mode);
        close(fd);
        return ppad_fail(err, "%s: %s", f->path, dir ? "is a folder, not a file" : "not a regular file");
    }
    unsigned char head[512];
    ssize_t hn = pread(fd, head, sizeof head, 0);
    if (hn < 0) {
        int e = errno;
        close(fd);
        return ppad_fail(err, "%s: cannot read: %s", f->path, strerror(e));
    }
    if (classify(head, (size_t)hn, f->path, err) != 0) {
        close(fd);
        return -1;
    }
    f->map_size = (size_t)st.st_size;
    void *map = mmap(NULL, f->map_size, PROT_READ, MAP_PRIVATE, fd, 0);
    f->map = map == MAP_FAILED ? NULL : map; /* without a mapping every entry goes through libzip */
    int ze = 0;
    f->zip = zip_fdopen(fd, ZIP_CHECKCONS, &ze);
    if (!f->zip) {
        close(fd);
        zip_error_t e;
        zip_error_init_with_code(&e, ze);
        ppad_fail(err, "%s: damaged or truncated zip archive (%s)", f->path, zip_error_strerror(&e));
        zip_error_fini(&e);
        return -1;
    }
    return 0;
}

int pt_open(pt_file **out, const char *path, ppad_err *err) {
    *out = NULL;
    pt_file *f = ppad_calloc(1, sizeof *f, err);
    if (!f) return ppad_fail_prefix(err, path);
    pt_pkl pk = {0};
    pt_zip_entry *es = NULL;
    size_t ne = 0;
    unsigned char *buf = NULL;
    uint64_t n = 0;
    f->path = ppad_strdup(path, err);
    if (!f->path) goto fail_prefix;
    if (open_archive(f, err) != 0) goto fail;
    if (check_entries(f, err) != 0) goto fail;
    /* Where stored entries lie in the mapping. If our own walk of the directory
     * fails or disagrees with libzip's, everything is read through libzip. */
    if (f->map && pt_zipdir_read(f->map, f->map_size, &es, &ne, err) == 0 && !same_directory(f->zip, es, ne)) {
        free(es);
        es = NULL;
    }
    if (err) err->msg[0] = 0;

    int r = read_small(f, "byteorder", &buf, &n, 64, err);
    if (r < 0) goto fail;
    if (r == 0 && strncmp((const char *)buf, "little", 6) != 0) {
        ppad_fail(err, "%s: big-endian checkpoints are not supported", path);
        goto fail;
    }
    free(buf);
    r = read_small(f, "data.pkl", &buf, &n, PT_MAX_PICKLE, err);
    if (r < 0) goto fail;
    if (r > 0) {
        ppad_fail(err, "%s: not a PyTorch checkpoint (no %s/data.pkl in the archive)", path, f->top);
        goto fail;
    }
    if (pt_pickle_load(&pk, buf, (size_t)n, err) != 0) goto fail_prefix;
    free(buf);
    buf = NULL;

    if (bind_storages(f, &pk, es, err) != 0) goto fail;
    f->tensors = pk.tensors;
    f->ntensors = pk.ntensors;
    pk.tensors = NULL;
    pk.ntensors = 0;
    f->strings = pk.strings;
    f->nstrings = pk.nstrings;
    pk.strings = NULL;
    pk.nstrings = 0;
    for (int i = 0; i < f->ntensors; i++)
        if (check_tensor(f, &f->tensors[i], err) != 0) goto fail;
    if (build_index(f, err) != 0) goto fail;
    pt_pickle_free(&pk);
    free(es);
    *out = f;
    return 0;
fail_prefix:
    ppad_fail_prefix(err, path);
fail:
    free(buf);
    free(es);
    pt_pickle_free(&pk);
    pt_close(f);
    return -1;
}

/* ---- reading tensors ---- */

#define CHUNK_BYTES ((size_t)1 << 18) /* CRC and convert this much at a time, while it is in cache */

/* Converts n contiguous elements of type t at src into dst (fp32 or int64);
 * with crc non-NULL also computes the CRC-32 of the source bytes, chunk by
 * chunk so that each chunk is read from memory once. (Serial on purpose: the
 * cost is dominated by first-touch page faults of the caller's fresh
 * destination, and OpenMP regions per tensor lose badly on a busy machine.) */
static void convert_span(void *dst, const unsigned char *src, pt_dtype t, size_t n, int to_float, uint32_t *crc) {
    size_t es = pt_dtype_size(t), per = CHUNK_BYTES / es;
    uLong v = crc32_z(0L, Z_NULL, 0);
    for (size_t lo = 0; lo < n; lo += per) {
        size_t k = n - lo < per ? n - lo : per;
        const unsigned char *p = src + lo * es;
        if (crc) v = crc32_z(v, p, (z_size_t)(k * es));
        if (to_float) pt_convert_f32((float *)dst + lo, p, t, k);
        else pt_convert_i64((int64_t *)dst + lo, p, t, k);
    }
    if (crc) *crc = (uint32_t)v;
}

static uint32_t crc_span(const unsigned char *p, size_t n) {
    return (uint32_t)crc32_z(crc32_z(0L, Z_NULL, 0), p, (z_size_t)n);
}

static int crc_fail(const pt_file *f, const pt_storage *s, ppad_err *err) {
    return ppad_fail(err, "%s: CRC mismatch in archive entry '%s' (the file is damaged)", f->path, s->entry);
}

/* Copies the view t into dst from the storage's bytes at base (CRC verified or not yet). */
static int convert_view(pt_file *f, pt_storage *s, const pt_tensor *t, const unsigned char *base, void *dst,
                        int to_float, int need_crc, ppad_err *err) {
    size_t es = pt_dtype_size(t->dtype);
    int contiguous = t->ndim == 0 || pt_view_contiguous(t);
    if (contiguous && need_crc && t->offset == 0 && t->numel == s->numel) {
        uint32_t crc; /* the view is the whole storage: CRC and convert in one pass */
        convert_span(dst, base, t->dtype, (size_t)t->numel, to_float, &crc);
        if (crc != s->crc) return crc_fail(f, s, err);
        s->verified = 1;
        return 0;
    }
    if (need_crc) {
        if (crc_span(base, (size_t)s->size) != s->crc) return crc_fail(f, s, err);
        s->verified = 1;
    }
    if (t->numel <= 0) return 0;
    if (contiguous) convert_span(dst, base + (size_t)t->offset * es, t->dtype, (size_t)t->numel, to_float, NULL);
    else if (to_float) pt_gather_f32(dst, base, t->dtype, t);
    else pt_gather_i64(dst, base, t->dtype, t);
    return 0;
}

/* Storage entries that are not stored-and-mapped are read through libzip,
 * which checks their CRC; the view is then taken from that copy. */
static int read_view(pt_file *f, pt_storage *s, const pt_tensor *t, void *dst, int to_float, ppad_err *err) {
    if (s->direct) {
        int rc = convert_view(f, s, t, f->map + s->data_off, dst, to_float, !s->verified, err);
        /* drop the file pages just read from this process's resident set, so that
         * loading a checkpoint peaks at the converted weights, not weights + file
         * (a later read of the same storage faults them back from the page cache) */
        uintptr_t lo = (uintptr_t)(f->map + s->data_off) & ~(uintptr_t)4095;
        uintptr_t hi = (uintptr_t)(f->map + s->data_off + s->size);
        if (hi > lo) madvise((void *)lo, hi - lo, MADV_DONTNEED);
        return rc;
    }
    unsigned char *buf = ppad_malloc((size_t)(s->size ? s->size : 1), err);
    if (!buf) return ppad_fail_prefix(err, f->path);
    int rc = zip_read_entry(f, s->index, s->entry, buf, s->size, err);
    if (rc == 0) rc = convert_view(f, s, t, buf, dst, to_float, 0, err);
    free(buf);
    return rc;
}

/* Checks that t can be read as asked: a real tensor of the file, matching its
 * storage's type, and inside the storage. */
static int validate_view(pt_file *f, const pt_tensor *t, int want_float, ppad_err *err) {
    if (!f || !t) return ppad_fail(err, "pt_read: no file or tensor");
    if (check_tensor(f, t, err) != 0) return -1;
    pt_storage *s = &f->storages[t->storage];
    if (s->dtype != t->dtype) return ppad_fail(err, "%s: tensor '%s' does not match its storage", f->path, t->name);
    if (pt_dtype_is_float(t->dtype) != want_float)
        return ppad_fail(err, "%s: tensor '%s' is %s, expected %s", f->path, t->name, pt_dtype_name(t->dtype),
                         want_float ? "a floating-point tensor" : "an integer tensor");
    /* the view must stay inside the storage (also checked when opening); an
     * empty view's offset too, as its address is still formed */
    if (t->offset < 0 || t->offset > s->numel)
        return ppad_fail(err, "%s: tensor '%s' starts past the end of its storage", f->path, t->name);
    if (t->numel > 0) {
        int64_t last = t->offset, step;
        int bad = t->ndim < 0 || t->ndim > PT_MAX_DIMS || t->offset < 0;
        int64_t numel = 1;
        for (int i = 0; !bad && i < t->ndim; i++) {
            bad |= t->shape[i] < 0 || t->stride[i] < 0;
            bad |= __builtin_mul_overflow(numel, t->shape[i], &numel);
            bad |= __builtin_mul_overflow(t->shape[i] - 1, t->stride[i], &step);
            bad |= __builtin_add_overflow(last, step, &last);
        }
        if (bad || numel != t->numel || last >= s->numel)
            return ppad_fail(err, "%s: tensor '%s' runs past the end of its storage", f->path, t->name);
    }
    return 0;
}

static int read_common(pt_file *f, const pt_tensor *t, void *dst, int want_float, ppad_err *err) {
    if (validate_view(f, t, want_float, err) != 0) return -1;
    return read_view(f, &f->storages[t->storage], t, dst, want_float, err);
}

int pt_map_f32(pt_file *f, const pt_tensor *t, const float **out, ppad_err *err) {
    *out = NULL;
    if (validate_view(f, t, 1, err) != 0) return -1;
    pt_storage *s = &f->storages[t->storage];
#if __BYTE_ORDER__ != __ORDER_LITTLE_ENDIAN__
    return 0;
#endif
    if (!s->direct || t->dtype != PT_F32 || !(t->ndim == 0 || pt_view_contiguous(t))) return 0;
    const unsigned char *p = f->map + s->data_off + (size_t)t->offset * sizeof(float);
    if ((uintptr_t)p % sizeof(float)) return 0;
    if (!s->verified) {
        if (crc_span(f->map + s->data_off, (size_t)s->size) != s->crc) return crc_fail(f, s, err);
        s->verified = 1;
        /* checking read every page: give them back until the rows are used */
        uintptr_t lo = (uintptr_t)(f->map + s->data_off) & ~(uintptr_t)4095;
        uintptr_t hi = (uintptr_t)(f->map + s->data_off + s->size);
        if (hi > lo) madvise((void *)lo, hi - lo, MADV_DONTNEED);
    }
    *out = (const float *)p;
    return 1;
}

int pt_read_f32(pt_file *f, const pt_tensor *t, float *dst, ppad_err *err) {
    return read_common(f, t, dst, 1, err);
}

int pt_read_i64(pt_file *f, const pt_tensor *t, int64_t *dst, ppad_err *err) {
    return read_common(f, t, dst, 0, err);
}
