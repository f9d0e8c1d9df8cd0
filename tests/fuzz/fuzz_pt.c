/* fuzz_pt.c — the .pt reader (zip archive + safe pickle + storages): pt_open on
 * the input as a file, then every tensor read as fp32 / int64 and mapped where
 * possible; then the same file as a PPAD prompt file (params_load). */
#include "fuzz_common.h"

#include "formats/torch_pt.h"
#include "ppad/prompts.h"

#define MAX_NUMEL ((int64_t)1 << 20) /* larger tensors are skipped (memory), not a reader limit */

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static char path[600];
    if (!path[0]) fuzz_path(path, sizeof path, "in.pt");
    fuzz_write(path, data, size);
    ppad_err err = {{0}};
    pt_file *f = NULL;
    if (pt_open(&f, path, &err) == 0) {
        for (int i = 0; i < pt_count(f); i++) {
            const pt_tensor *t = pt_get(f, i);
            (void)pt_find(f, t->name);
            if (t->numel < 0 || t->numel > MAX_NUMEL) continue;
            size_t n = t->numel ? (size_t)t->numel : 1;
            const float *mapped = NULL;
            if (pt_map_f32(f, t, &mapped, &err) == 1 && t->numel > 0) {
                volatile float sink = mapped[t->numel - 1];
                (void)sink;
            }
            float *x = malloc(n * sizeof *x);
            int64_t *k = malloc(n * sizeof *k);
            if (x && k) {
                (void)pt_read_f32(f, t, x, &err);
                (void)pt_read_i64(f, t, k, &err);
            }
            free(x);
            free(k);
        }
        int total = 0;
        (void)pt_storages_mapped(f, &total);
        pt_close(f);
    }
    ppad_params p;
    if (params_load(&p, path, &err) == 0) params_free(&p);
    return 0;
}
