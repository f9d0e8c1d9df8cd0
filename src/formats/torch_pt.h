/* torch_pt.h — safe reader and writer for PyTorch's zip checkpoint format
 * (torch.save since 1.6): a zip archive with one top folder holding data.pkl
 * (pickle protocol 2), data/<key> raw little-endian storages and version.
 *
 * The reader is a restricted pickle interpreter: it understands exactly what
 * torch.save writes for (nested) dicts of tensors — OrderedDict,
 * torch._utils._rebuild_tensor_v2, torch._utils._rebuild_parameter,
 * persistent ids ('storage', torch.<T>Storage, key, location, numel) — and
 * refuses any other global or opcode. It never executes code from the file.
 *
 * Tensors of nested dicts are flattened to dotted names:
 *   {'a': {'b': T}} -> "a.b" (list items by index; non-tensor values such as
 *   ints, None or OrderedDict _metadata are skipped; strings are kept, see
 *   pt_string).
 *
 * Stored (uncompressed) entries are read in place from a memory mapping of the
 * file, each storage's CRC checked on its first read; compressed entries go
 * through libzip. A pt_file must not be read from two threads at once. */
#ifndef PPAD_FORMATS_TORCH_PT_H
#define PPAD_FORMATS_TORCH_PT_H

#include <stdint.h>
#include "ppad.h"

#define PT_MAX_DIMS 8

typedef enum pt_dtype {
    PT_F32, PT_F16, PT_BF16, PT_F64, PT_I64, PT_I32, PT_I16, PT_I8, PT_U8, PT_BOOL
} pt_dtype;

typedef struct pt_tensor {
    char *name;                 /* dotted key path */
    pt_dtype dtype;             /* element type of its storage in the file */
    int ndim;
    int64_t shape[PT_MAX_DIMS];
    int64_t stride[PT_MAX_DIMS]; /* in elements */
    int64_t offset;             /* storage offset, in elements */
    int64_t numel;
    int storage;                /* index into the file's storage table */
} pt_tensor;

typedef struct pt_file pt_file; /* opaque */

/* Opens path, validates the archive and parses data.pkl (no tensor data is read yet). */
int  pt_open(pt_file **out, const char *path, ppad_err *err);
void pt_close(pt_file *f);
int  pt_count(const pt_file *f);
const pt_tensor *pt_get(const pt_file *f, int i);
const pt_tensor *pt_find(const pt_file *f, const char *name); /* NULL if absent */
const char *pt_path(const pt_file *f);
const char *pt_dtype_name(pt_dtype t);
/* A string value of data.pkl by its dotted name ("ppad_provenance.version"),
 * or NULL. Valid until pt_close. */
const char *pt_string(const pt_file *f, const char *name);
/* A cheap fingerprint of the file's tensors: FNV-1a 64 over every tensor's
 * name, dtype, shape, stride, offset and its storage entry's CRC-32 and size
 * (from the zip directory; no tensor data is read). Two files with the same
 * tensors give the same value, whatever the zip layout around them. */
uint64_t pt_fingerprint(const pt_file *f);

/* How many of the file's storages are read in place from the memory-mapped
 * file (stored zip entries, as torch.save writes them); the rest go through
 * libzip. *total gets the number of storages. For tests and diagnostics. */
int pt_storages_mapped(const pt_file *f, int *total);

/* Reads a float tensor (f32/f16/bf16/f64 storage) converted to fp32 into dst
 * (numel floats, contiguous row-major), honouring strides and offset. Checks the
 * storage's bounds and the zip entry's CRC. */
int pt_read_f32(pt_file *f, const pt_tensor *t, float *dst, ppad_err *err);
/* Points *out straight into the memory-mapped file when t is an fp32,
 * contiguous, 4-byte aligned tensor of a stored (uncompressed) entry: no copy,
 * and its pages become resident only when read. Returns 1 (mapped; valid
 * until pt_close), 0 (not possible: read it with pt_read_f32), -1 on error
 * (bounds, CRC). */
int pt_map_f32(pt_file *f, const pt_tensor *t, const float **out, ppad_err *err);
/* Reads an integer tensor (any int/bool storage) into int64. */
int pt_read_i64(pt_file *f, const pt_tensor *t, int64_t *dst, ppad_err *err);

/* Writer: a dict of dicts of fp32 tensors, written atomically. Tensor i goes to
 * key ts[i].key of the sub-dict ts[i].dict (or of the top dict if dict is NULL). */
typedef struct pt_out_tensor {
    const char *dict;
    const char *key;
    const float *data;
    int ndim;
    int64_t shape[PT_MAX_DIMS];
    int half;  /* 1: store as float16 (HalfStorage, round to nearest even), 0: float32 */
} pt_out_tensor;
int pt_write_f32(const char *path, const pt_out_tensor *ts, int n, ppad_err *err);
/* The same with a top-level dict meta_name of strings (key[i] -> value[i],
 * valid UTF-8), written after the tensors; nmeta 0 gives pt_write_f32's bytes. */
int pt_write_f32_meta(const char *path, const pt_out_tensor *ts, int n, const char *meta_name,
                      const char *const *keys, const char *const *values, int nmeta, ppad_err *err);

#endif
