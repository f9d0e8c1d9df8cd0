/* pt_pickle.h — the restricted pickle interpreter for PyTorch's data.pkl.
 *
 * Understands only what torch.save writes for (nested) dicts of tensors:
 * protocol 2 opcodes (and the few protocol 3-5 ones that encode the same
 * objects), the globals collections.OrderedDict, torch._utils._rebuild_tensor_v2,
 * torch._utils._rebuild_parameter and torch.<T>Storage inside persistent ids
 * ('storage', torch.<T>Storage, key, location, numel). Any other global or
 * opcode is refused; nothing from the file is ever executed.
 *
 * The result is flat: every tensor reachable through dicts (and lists) gets a
 * dotted name ({'a': {'b': T}} -> "a.b", list items by index); other values
 * (ints, None, OrderedDict _metadata) are skipped; strings are kept by the
 * same dotted names (at most PKL_MAX_STRINGS of at most 4096 bytes; others
 * are skipped, never an error). Each tensor's view is checked to lie inside
 * its storage's numel. */
#ifndef PPAD_FORMATS_PT_PICKLE_H
#define PPAD_FORMATS_PT_PICKLE_H

#include <stddef.h>

#include "formats/torch_pt.h"

typedef struct pt_pkl_storage {
    char *key;      /* archive entry name below <top>/data/ */
    pt_dtype dtype;
    int64_t numel;
} pt_pkl_storage;

typedef struct pt_pkl_string { char *name, *value; } pt_pkl_string;
#define PKL_MAX_STRINGS 256

typedef struct pt_pkl {
    pt_tensor *tensors; /* names malloc'd; .storage indexes storages[] */
    int ntensors;
    pt_pkl_string *strings; /* string values (names and values malloc'd) */
    int nstrings;
    pt_pkl_storage *storages;
    int nstorages;
} pt_pkl;

/* Interprets data.pkl (n bytes). On failure err holds one line starting with
 * "data.pkl: " (the caller prefixes the file path) and *out is empty. */
int  pt_pickle_load(pt_pkl *out, const unsigned char *data, size_t n, ppad_err *err);
void pt_pickle_free(pt_pkl *p);

#endif
