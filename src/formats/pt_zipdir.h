/* pt_zipdir.h — where each zip entry's data starts in a memory-mapped archive.
 *
 * libzip validates and indexes the archive but does not tell where an entry's
 * bytes lie; for stored (uncompressed) entries that is all a reader needs to
 * use the mapped file directly. This walks the central directory (zip64
 * aware) in the same order as libzip's indices and resolves each local header. */
#ifndef PPAD_FORMATS_PT_ZIPDIR_H
#define PPAD_FORMATS_PT_ZIPDIR_H

#include <stddef.h>
#include <stdint.h>

#include "ppad.h"

typedef struct pt_zip_entry {
    const char *name; /* points into the mapping; not NUL-terminated */
    size_t name_len;
    int method;       /* 0 stored, 8 deflate, ... */
    uint32_t crc;
    uint64_t csize, usize;
    uint64_t local_off;
} pt_zip_entry;

/* Reads the central directory of the mapped archive (map, size). On success
 * *entries (malloc'd) holds *n entries in directory order. Errors have no
 * file prefix ("damaged zip: ..."). */
int pt_zipdir_read(const unsigned char *map, size_t size, pt_zip_entry **entries, size_t *n, ppad_err *err);

/* Offset of the entry's data (after its local header), checked to lie with
 * its csize bytes inside the file and the local name to match. */
int pt_zipdir_data_offset(const unsigned char *map, size_t size, const pt_zip_entry *e, uint64_t *off, ppad_err *err);

#endif
