/* image_many.c — the model inputs of a list of files, one file per thread
 * (a codec decodes on one thread, so a chunk of files keeps every thread
 * busy: what makes compressed DICOM affordable next to scoring). */
#include "base/parallel.h"
#include "image/image.h"

typedef struct many_jobs {
    float *pixels; /* (n, 3, S, S) */
    const char *const *paths;
    int S;
    image_loader load;
    const void *ctx;
} many_jobs;

static int many_one(void *ctx, int j, ppad_err *err) {
    const many_jobs *L = ctx;
    gray8 g;
    int rc = L->load ? L->load(&g, L->ctx, L->paths[j], err)
                     : image_load_resized(&g, L->paths[j], L->S, (const image_opts *)L->ctx, err);
    if (rc != 0) return -1;
    if (g.w != L->S || g.h != L->S) {
        gray8_free(&g);
        return ppad_fail(err, "%s: loaded at %dx%d, the model needs %dx%d", L->paths[j], g.w, g.h, L->S, L->S);
    }
    image_normalize(L->pixels + (size_t)j * 3 * L->S * L->S, &g);
    gray8_free(&g);
    return 0;
}

int image_load_many(float *pixels, int *rc, ppad_err *why, const char *const *paths, int n, int S, image_loader load,
                    const void *ctx) {
    many_jobs L = {pixels, paths, S, load, ctx};
    return par_run(rc, why, n, many_one, &L);
}
