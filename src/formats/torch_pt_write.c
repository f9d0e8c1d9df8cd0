/* torch_pt_write.c — pt_write_f32: a dict (of OrderedDicts) of fp32 tensors in
 * the zip layout torch.save uses, so that torch.load reads it:
 *
 *   archive/data.pkl   protocol-2 pickle: a dict whose sub-dicts are
 *                      collections.OrderedDict; each tensor is
 *                      torch._utils._rebuild_tensor_v2(persistent id
 *                      ('storage', torch.FloatStorage, '<n>', 'cpu', numel),
 *                      0, shape, contiguous stride, False, OrderedDict())
 *   archive/data/<n>   the raw little-endian floats of tensor n
 *   archive/version    "3\n"
 *
 * Entries are stored uncompressed with their data 64-byte aligned (padding in
 * an "FB" local extra field, as torch does). The zip container is written
 * directly (it is a few fixed-size records); the file appears atomically. */
#include "formats/pt_convert.h"
#include "formats/torch_pt.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistr.h>
#include <zlib.h>

#include "base/error.h"
#include "base/fileio.h"

#define TOP "archive"

/* ---- growable byte buffer ---- */

typedef struct wbuf {
    unsigned char *p;
    size_t n, cap;
    int oom;
} wbuf;

static void put(wbuf *b, const void *src, size_t k) {
    if (b->oom) return;
    if (b->n + k > b->cap) {
        size_t nc = b->cap ? b->cap : 4096;
        while (nc < b->n + k) nc *= 2;
        unsigned char *np = realloc(b->p, nc);
        if (!np) {
            b->oom = 1;
            return;
        }
        b->p = np;
        b->cap = nc;
    }
    memcpy(b->p + b->n, src, k);
    b->n += k;
}

static void put1(wbuf *b, unsigned v) {
    unsigned char c = (unsigned char)v;
    put(b, &c, 1);
}

static void put_le(wbuf *b, uint64_t v, int k) {
    unsigned char t[8];
    for (int i = 0; i < k; i++) t[i] = (unsigned char)(v >> (8 * i));
    put(b, t, (size_t)k);
}

/* ---- pickle opcodes ---- */

static void pk_str(wbuf *b, const char *s) {
    size_t n = strlen(s);
    put1(b, 'X'); /* BINUNICODE */
    put_le(b, n, 4);
    put(b, s, n);
}

static void pk_global(wbuf *b, const char *mod, const char *name) {
    put1(b, 'c');
    put(b, mod, strlen(mod));
    put1(b, '\n');
    put(b, name, strlen(name));
    put1(b, '\n');
}

static void pk_int(wbuf *b, int64_t v) {
    if (v >= 0 && v < 256) {
        put1(b, 'K');
        put1(b, (unsigned)v);
    } else if (v >= 0 && v < 65536) {
        put1(b, 'M');
        put_le(b, (uint64_t)v, 2);
    } else if (v >= INT32_MIN && v <= INT32_MAX) {
        put1(b, 'J');
        put_le(b, (uint64_t)(uint32_t)(int32_t)v, 4);
    } else {
        put1(b, 0x8a); /* LONG1, 8 bytes two's complement */
        put1(b, 8);
        put_le(b, (uint64_t)v, 8);
    }
}

static void pk_tuple(wbuf *b, const int64_t *v, int n) {
    if (n == 0) {
        put1(b, ')');
        return;
    }
    if (n > 3) put1(b, '(');
    for (int i = 0; i < n; i++) pk_int(b, v[i]);
    put1(b, n == 1 ? 0x85 : n == 2 ? 0x86 : n == 3 ? 0x87 : 't');
}

static void pk_ordered_dict(wbuf *b) {
    pk_global(b, "collections", "OrderedDict");
    put1(b, ')'); /* EMPTY_TUPLE */
    put1(b, 'R'); /* REDUCE */
}

static void pk_tensor(wbuf *b, const pt_out_tensor *t, int storage, int64_t numel) {
    char key[24];
    snprintf(key, sizeof key, "%d", storage);
    int64_t stride[PT_MAX_DIMS];
    int64_t s = 1;
    for (int i = t->ndim - 1; i >= 0; i--) {
        stride[i] = s;
        s *= t->shape[i];
    }
    pk_global(b, "torch._utils", "_rebuild_tensor_v2");
    put1(b, '(');
    put1(b, '(');
    pk_str(b, "storage");
    pk_global(b, "torch", t->half ? "HalfStorage" : "FloatStorage");
    pk_str(b, key);
    pk_str(b, "cpu");
    pk_int(b, numel);
    put1(b, 't');
    put1(b, 'Q'); /* BINPERSID */
    pk_int(b, 0);  /* storage offset */
    pk_tuple(b, t->shape, t->ndim);
    pk_tuple(b, stride, t->ndim);
    put1(b, 0x89); /* requires_grad = False */
    pk_ordered_dict(b); /* backward hooks */
    put1(b, 't');
    put1(b, 'R');
}

/* The top dict: entries in order of first appearance; a sub-dict gathers all
 * tensors naming it, in their order. */
typedef struct meta { const char *name; const char *const *keys, *const *values; int n; } meta;

static void pk_state(wbuf *b, const pt_out_tensor *ts, int n, const int64_t *numel, const meta *mt) {
    put1(b, 0x80);
    put1(b, 2);
    put1(b, '}');
    if (n > 0 || mt->n > 0) put1(b, '(');
    for (int i = 0; i < n; i++) {
        if (!ts[i].dict) {
            pk_str(b, ts[i].key);
            pk_tensor(b, &ts[i], i, numel[i]);
            continue;
        }
        int first = 1;
        for (int j = 0; j < i && first; j++) first = !(ts[j].dict && strcmp(ts[j].dict, ts[i].dict) == 0);
        if (!first) continue;
        pk_str(b, ts[i].dict);
        pk_ordered_dict(b);
        put1(b, '(');
        for (int j = i; j < n; j++) {
            if (ts[j].dict && strcmp(ts[j].dict, ts[i].dict) == 0) {
                pk_str(b, ts[j].key);
                pk_tensor(b, &ts[j], j, numel[j]);
            }
        }
        put1(b, 'u'); /* SETITEMS */
    }
    if (mt->n > 0) { /* a plain dict of strings */
        pk_str(b, mt->name);
        put1(b, '}');
        put1(b, '(');
        for (int i = 0; i < mt->n; i++) {
            pk_str(b, mt->keys[i]);
            pk_str(b, mt->values[i]);
        }
        put1(b, 'u');
    }
    if (n > 0 || mt->n > 0) put1(b, 'u');
    put1(b, '.');
}

/* ---- validation ---- */

static int valid_name(const char *s) {
    return s && *s && u8_check((const uint8_t *)s, strlen(s)) == NULL;
}

static int check_inputs(const char *path, const pt_out_tensor *ts, int n, int64_t *numel, ppad_err *err) {
    if (n < 0 || n > 60000) return ppad_fail(err, "%s: cannot write %d tensors", path, n);
    for (int i = 0; i < n; i++) {
        const pt_out_tensor *t = &ts[i];
        const char *what = t->key ? t->key : "(null)";
        if (!valid_name(t->key) || (t->dict && !valid_name(t->dict)))
            return ppad_fail(err, "%s: tensor %d has an empty or non-UTF-8 name", path, i);
        if (t->ndim < 0 || t->ndim > PT_MAX_DIMS)
            return ppad_fail(err, "%s: tensor '%s' has %d dimensions", path, what, t->ndim);
        int64_t k = 1;
        for (int d = 0; d < t->ndim; d++)
            if (t->shape[d] < 0 || __builtin_mul_overflow(k, t->shape[d], &k) || k > (INT64_MAX >> 3))
                return ppad_fail(err, "%s: tensor '%s' has an invalid shape", path, what);
        if (k > 0 && !t->data) return ppad_fail(err, "%s: tensor '%s' has no data", path, what);
        numel[i] = k;
        for (int j = 0; j < n; j++) {
            if (j < i && strcmp(ts[j].key, t->key) == 0 && (ts[j].dict ? t->dict && !strcmp(ts[j].dict, t->dict) : !t->dict))
                return ppad_fail(err, "%s: tensor '%s' appears twice", path, what);
            if (!t->dict && ts[j].dict && strcmp(ts[j].dict, t->key) == 0)
                return ppad_fail(err, "%s: '%s' is both a tensor and a dict", path, what);
        }
    }
    return 0;
}

/* ---- zip records ---- */

typedef struct zent {
    char name[48];
    uint32_t crc;
    uint64_t size, off;
} zent;

#define DOS_DATE 0x21 /* 1980-01-01 */

/* Writes one stored entry (local header with 64-byte alignment padding, data). */
static int write_entry(FILE *fp, zent *e, uint64_t *pos, const void *data, const char *path, ppad_err *err) {
    size_t nlen = strlen(e->name);
    uint64_t start = *pos + 30 + nlen + 4;
    size_t pad = (size_t)((64 - start % 64) % 64);
    if (*pos + 30 + nlen + 4 + pad + e->size > 0xfffffffeull)
        return ppad_fail(err, "%s: checkpoint too large for this writer (over 4 GiB)", path);
    e->off = *pos;
    wbuf h = {0};
    put_le(&h, 0x04034b50u, 4);
    put_le(&h, 20, 2);       /* version needed */
    put_le(&h, 0, 2);        /* flags */
    put_le(&h, 0, 2);        /* stored */
    put_le(&h, 0, 2);        /* time */
    put_le(&h, DOS_DATE, 2); /* date */
    put_le(&h, e->crc, 4);
    put_le(&h, e->size, 4);
    put_le(&h, e->size, 4);
    put_le(&h, nlen, 2);
    put_le(&h, 4 + pad, 2);
    put(&h, e->name, nlen);
    put_le(&h, 0x4246, 2); /* "FB" padding field */
    put_le(&h, pad, 2);
    for (size_t i = 0; i < pad; i++) put1(&h, 'Z');
    int ok = !h.oom && fwrite(h.p, 1, h.n, fp) == h.n && (e->size == 0 || fwrite(data, 1, (size_t)e->size, fp) == e->size);
    *pos += h.n + e->size;
    free(h.p);
    return ok ? 0 : ppad_fail(err, "%s: write error", path);
}

static int write_directory(FILE *fp, const zent *es, int ne, uint64_t pos, const char *path, ppad_err *err) {
    wbuf b = {0};
    for (int i = 0; i < ne; i++) {
        size_t nlen = strlen(es[i].name);
        put_le(&b, 0x02014b50u, 4);
        put_le(&b, 0x0300 | 20, 2); /* made by: unix, 2.0 */
        put_le(&b, 20, 2);
        put_le(&b, 0, 2);
        put_le(&b, 0, 2);
        put_le(&b, 0, 2);
        put_le(&b, DOS_DATE, 2);
        put_le(&b, es[i].crc, 4);
        put_le(&b, es[i].size, 4);
        put_le(&b, es[i].size, 4);
        put_le(&b, nlen, 2);
        put_le(&b, 0, 2); /* extra */
        put_le(&b, 0, 2); /* comment */
        put_le(&b, 0, 2); /* disk */
        put_le(&b, 0, 2); /* internal attributes */
        put_le(&b, (uint64_t)0100644 << 16, 4);
        put_le(&b, es[i].off, 4);
        put(&b, es[i].name, nlen);
    }
    size_t cd_size = b.n;
    if (pos + cd_size + 22 > 0xfffffffeull) {
        free(b.p);
        return ppad_fail(err, "%s: checkpoint too large for this writer (over 4 GiB)", path);
    }
    put_le(&b, 0x06054b50u, 4);
    put_le(&b, 0, 2);
    put_le(&b, 0, 2);
    put_le(&b, (uint64_t)ne, 2);
    put_le(&b, (uint64_t)ne, 2);
    put_le(&b, cd_size, 4);
    put_le(&b, pos, 4);
    put_le(&b, 0, 2);
    int ok = !b.oom && fwrite(b.p, 1, b.n, fp) == b.n;
    free(b.p);
    return ok ? 0 : ppad_fail(err, "%s: write error", path);
}

static int check_meta(const char *path, const pt_out_tensor *ts, int n, const meta *mt, ppad_err *err) {
    if (mt->n == 0) return 0;
    if (mt->n < 0 || mt->n > 1000 || !valid_name(mt->name))
        return ppad_fail(err, "%s: invalid metadata dict", path);
    for (int i = 0; i < n; i++)
        if (!strcmp(ts[i].dict ? ts[i].dict : ts[i].key, mt->name))
            return ppad_fail(err, "%s: '%s' is both a tensor entry and the metadata dict", path, mt->name);
    for (int i = 0; i < mt->n; i++)
        if (!valid_name(mt->keys[i]) || !mt->values[i] ||
            u8_check((const uint8_t *)mt->values[i], strlen(mt->values[i])) != NULL)
            return ppad_fail(err, "%s: metadata entry %d is empty or not UTF-8", path, i);
    return 0;
}

int pt_write_f32(const char *path, const pt_out_tensor *ts, int n, ppad_err *err) {
    return pt_write_f32_meta(path, ts, n, NULL, NULL, NULL, 0, err);
}

int pt_write_f32_meta(const char *path, const pt_out_tensor *ts, int n, const char *meta_name,
                      const char *const *keys, const char *const *values, int nmeta, ppad_err *err) {
    const meta mt = {meta_name, keys, values, nmeta};
    if (n > 0 && !ts) return ppad_fail(err, "%s: no tensors given", path);
    int64_t *numel = ppad_calloc((size_t)(n > 0 ? n : 1), sizeof *numel, err);
    zent *es = ppad_calloc((size_t)(n > 0 ? n : 0) + 2, sizeof *es, err);
    wbuf pk = {0};
    atomic_file af = {0};
    int rc = -1, opened = 0;
    if (!numel || !es) {
        ppad_fail_prefix(err, path);
        goto done;
    }
    if (check_inputs(path, ts, n, numel, err) != 0 || check_meta(path, ts, n, &mt, err) != 0) goto done;
    pk_state(&pk, ts, n, numel, &mt);
    if (pk.oom) {
        ppad_fail(err, "%s: out of memory", path);
        goto done;
    }
    if (atomic_open(&af, path, err) != 0) goto done;
    opened = 1;
    uint64_t pos = 0;
    snprintf(es[0].name, sizeof es[0].name, TOP "/data.pkl");
    es[0].size = pk.n;
    es[0].crc = (uint32_t)crc32_z(crc32_z(0L, Z_NULL, 0), pk.p, pk.n);
    if (write_entry(af.fp, &es[0], &pos, pk.p, path, err) != 0) goto done;
    for (int i = 0; i < n; i++) {
        zent *e = &es[1 + i];
        snprintf(e->name, sizeof e->name, TOP "/data/%d", i);
        const void *bytes = ts[i].data;
        uint16_t *h = NULL;
        e->size = (uint64_t)numel[i] * (ts[i].half ? 2 : 4);
        if (ts[i].half && numel[i] > 0) {
            h = ppad_malloc(sizeof(uint16_t) * (size_t)numel[i], err);
            if (!h) goto done;
            for (int64_t k = 0; k < numel[i]; k++) h[k] = pt_f32_to_half(ts[i].data[k]);
            bytes = h;
        }
        e->crc = (uint32_t)crc32_z(crc32_z(0L, Z_NULL, 0), (const unsigned char *)bytes, (z_size_t)e->size);
        int wrc = write_entry(af.fp, e, &pos, bytes, path, err);
        free(h);
        if (wrc != 0) goto done;
    }
    zent *v = &es[n + 1];
    snprintf(v->name, sizeof v->name, TOP "/version");
    v->size = 2;
    v->crc = (uint32_t)crc32_z(crc32_z(0L, Z_NULL, 0), (const unsigned char *)"3\n", 2);
    if (write_entry(af.fp, v, &pos, "3\n", path, err) != 0) goto done;
    if (write_directory(af.fp, es, n + 2, pos, path, err) != 0) goto done;
    opened = 0;
    rc = atomic_commit(&af, err);
done:
    if (opened) atomic_abort(&af);
    free(pk.p);
    free(es);
    free(numel);
    return rc;
}
