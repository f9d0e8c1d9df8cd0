/* pt_zipdir.c — central directory walk and local header resolution for a
 * memory-mapped zip archive (classic and zip64 records). */
#include "formats/pt_zipdir.h"

#include <stdlib.h>
#include <string.h>

#include "base/error.h"

#define SIG_LOCAL 0x04034b50u
#define SIG_CENTRAL 0x02014b50u
#define SIG_EOCD 0x06054b50u
#define SIG_EOCD64 0x06064b50u
#define SIG_LOC64 0x07064b50u

static uint16_t u16(const unsigned char *p) { return (uint16_t)(p[0] | p[1] << 8); }
static uint32_t u32(const unsigned char *p) { return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24; }
static uint64_t u64(const unsigned char *p) { return (uint64_t)u32(p) | (uint64_t)u32(p + 4) << 32; }

/* Finds the end-of-central-directory record: the last signature whose comment
 * length reaches exactly to the end of the file. */
static int find_eocd(const unsigned char *map, size_t size, size_t *at) {
    if (size < 22) return -1;
    size_t lo = size > 22 + 65535 ? size - 22 - 65535 : 0;
    for (size_t p = size - 22 + 1; p-- > lo;) {
        if (u32(map + p) == SIG_EOCD && p + 22 + u16(map + p + 20) == size) {
            *at = p;
            return 0;
        }
    }
    return -1;
}

/* Applies the zip64 extra field (id 1) of a central header to the fields that are saturated. */
static int zip64_extra(const unsigned char *ex, size_t exlen, pt_zip_entry *e, int need_u, int need_c, int need_o) {
    size_t p = 0;
    while (p + 4 <= exlen) {
        unsigned id = u16(ex + p), len = u16(ex + p + 2);
        if (p + 4 + len > exlen) return -1;
        if (id == 1) {
            const unsigned char *f = ex + p + 4;
            size_t q = 0;
            if (need_u) { if (q + 8 > len) return -1; e->usize = u64(f + q); q += 8; }
            if (need_c) { if (q + 8 > len) return -1; e->csize = u64(f + q); q += 8; }
            if (need_o) { if (q + 8 > len) return -1; e->local_off = u64(f + q); q += 8; }
            return 0;
        }
        p += 4 + len;
    }
    return (need_u || need_c || need_o) ? -1 : 0;
}

int pt_zipdir_read(const unsigned char *map, size_t size, pt_zip_entry **entries, size_t *n, ppad_err *err) {
    *entries = NULL;
    *n = 0;
    size_t eocd;
    if (find_eocd(map, size, &eocd) != 0) return ppad_fail(err, "damaged zip: no end of central directory");
    uint64_t count = u16(map + eocd + 10), cd_size = u32(map + eocd + 12), cd_off = u32(map + eocd + 16);
    if (count == 0xffff || cd_size == 0xffffffffu || cd_off == 0xffffffffu) {
        if (eocd < 20 || u32(map + eocd - 20) != SIG_LOC64) return ppad_fail(err, "damaged zip: zip64 locator missing");
        uint64_t r = u64(map + eocd - 20 + 8);
        if (r > size || size - r < 56 || u32(map + r) != SIG_EOCD64) return ppad_fail(err, "damaged zip: bad zip64 record");
        count = u64(map + r + 32);
        cd_size = u64(map + r + 40);
        cd_off = u64(map + r + 48);
    }
    if (cd_off > size || cd_size > size - cd_off) return ppad_fail(err, "damaged zip: central directory outside the file");
    if (count > cd_size / 46) return ppad_fail(err, "damaged zip: entry count exceeds the central directory");
    pt_zip_entry *es = ppad_calloc(count ? (size_t)count : 1, sizeof *es, err);
    if (!es) return -1;
    size_t p = (size_t)cd_off, end = (size_t)(cd_off + cd_size);
    for (uint64_t i = 0; i < count; i++) {
        if (end - p < 46 || u32(map + p) != SIG_CENTRAL) {
            free(es);
            return ppad_fail(err, "damaged zip: bad central directory header %llu", (unsigned long long)i);
        }
        const unsigned char *h = map + p;
        size_t nlen = u16(h + 28), elen = u16(h + 30), clen = u16(h + 32);
        if (end - p - 46 < nlen + elen + clen) {
            free(es);
            return ppad_fail(err, "damaged zip: central directory header %llu runs past its end", (unsigned long long)i);
        }
        pt_zip_entry *e = &es[i];
        e->method = u16(h + 10);
        e->crc = u32(h + 16);
        e->csize = u32(h + 20);
        e->usize = u32(h + 24);
        e->local_off = u32(h + 42);
        e->name = (const char *)h + 46;
        e->name_len = nlen;
        if (zip64_extra(h + 46 + nlen, elen, e, e->usize == 0xffffffffu, e->csize == 0xffffffffu,
                        e->local_off == 0xffffffffu) != 0) {
            free(es);
            return ppad_fail(err, "damaged zip: bad zip64 field in entry %llu", (unsigned long long)i);
        }
        p += 46 + nlen + elen + clen;
    }
    *entries = es;
    *n = (size_t)count;
    return 0;
}

int pt_zipdir_data_offset(const unsigned char *map, size_t size, const pt_zip_entry *e, uint64_t *off, ppad_err *err) {
    uint64_t lo = e->local_off;
    if (lo > size || size - lo < 30 || u32(map + lo) != SIG_LOCAL)
        return ppad_fail(err, "damaged zip: no local header for '%.*s'", (int)(e->name_len > 200 ? 200 : e->name_len), e->name);
    size_t nlen = u16(map + lo + 26), elen = u16(map + lo + 28);
    uint64_t data = lo + 30 + nlen + elen;
    if (data > size || size - data < e->csize || nlen != e->name_len || memcmp(map + lo + 30, e->name, nlen) != 0)
        return ppad_fail(err, "damaged zip: local header of '%.*s' does not match the directory",
                         (int)(e->name_len > 200 ? 200 : e->name_len), e->name);
    *off = data;
    return 0;
}
