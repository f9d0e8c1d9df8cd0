/* dist_cli.c — what the CLI adds to base/dist.h under MPI: rank 0's list of
 * inputs on every rank (standard input reaches rank 0 only), and a
 * round-robin split of a score array by chunks. */
#include <stdlib.h>
#include <string.h>

#include "base/dist.h"
#include "base/error.h"
#include "cli/cli.h"

int cli_inputs_gather_shared(cli_inputs *in, const cli_list *args, const char *list, ppad_err *err) {
    memset(in, 0, sizeof *in);
    int rc = dist_root() ? cli_inputs_gather(in, args, list, err) : 0;
    if ((rc = dist_root_verdict(rc, err)) != 0 || dist_size() == 1) return rc;
    /* rank 0's paths, '\0'-separated, to every rank */
    unsigned long long len = 0;
    for (size_t i = 0; dist_root() && i < in->n; i++) len += strlen(in->paths[i]) + 1;
    dist_bcast(&len, sizeof len, 0);
    char *blob = dist_root() ? malloc(len ? len : 1) : calloc(1, len ? len : 1);
    int ok = blob != NULL;
    if (ok && dist_root())
        for (size_t i = 0, off = 0; i < in->n; off += strlen(in->paths[i]) + 1, i++)
            memcpy(blob + off, in->paths[i], strlen(in->paths[i]) + 1);
    if (dist_agree(ok ? 0 : ppad_fail(err, "out of memory sharing the list of inputs"), err) != 0) {
        free(blob);
        if (dist_root()) cli_inputs_free(in);
        return -1;
    }
    dist_bcast(blob, (size_t)len, 0);
    rc = 0;
    if (!dist_root()) {
        size_t n = 0;
        for (size_t off = 0; off < len; off += strlen(blob + off) + 1) n++;
        in->paths = calloc(n ? n : 1, sizeof(char *));
        in->cap = n;
        for (size_t off = 0; in->paths && off < len; off += strlen(blob + off) + 1) {
            if (!(in->paths[in->n] = strdup(blob + off))) break;
            in->n++;
        }
        if (in->n != n) rc = ppad_fail(err, "out of memory sharing the list of inputs");
    }
    free(blob);
    if ((rc = dist_agree(rc, err)) != 0) cli_inputs_free(in);
    return rc;
}

int cli_share_chunks(double *v, size_t n, int chunk, size_t per, ppad_err *err) {
    const int ranks = dist_size(), rank = dist_rank();
    if (ranks == 1) return 0;
    const size_t n_chunks = (n + (size_t)chunk - 1) / (size_t)chunk;
    size_t mine = 0;
    for (size_t c = (size_t)rank; c < n_chunks; c += (size_t)ranks)
        mine += (c + 1) * chunk > n ? n - c * chunk : (size_t)chunk;
    double *buf = malloc(sizeof(double) * per * (mine ? mine : 1));
    if (dist_agree(buf ? 0 : ppad_fail(err, "out of memory sharing the scores"), err) != 0) {
        free(buf);
        return -1;
    }
    size_t k = 0;
    for (size_t c = (size_t)rank; c < n_chunks; c += (size_t)ranks) {
        size_t i0 = c * chunk, nb = n - i0 < (size_t)chunk ? n - i0 : (size_t)chunk;
        memcpy(buf + k * per, v + i0 * per, sizeof(double) * per * nb);
        k += nb;
    }
    void *all;
    size_t *counts = malloc(sizeof(size_t) * (size_t)ranks), *at = calloc((size_t)ranks, sizeof(size_t));
    if (!counts || !at) dist_abort(1);
    dist_allgather(buf, sizeof(double) * per * mine, &all, counts);
    size_t base = 0;
    for (int r = 0; r < ranks; r++) at[r] = base, base += counts[r];
    for (size_t c = 0; c < n_chunks; c++) {
        int r = (int)(c % (size_t)ranks);
        size_t i0 = c * chunk, nb = n - i0 < (size_t)chunk ? n - i0 : (size_t)chunk;
        memcpy(v + i0 * per, (char *)all + at[r], sizeof(double) * per * nb);
        at[r] += sizeof(double) * per * nb;
    }
    free(all), free(buf), free(counts), free(at);
    return 0;
}
