/* fuzz_csv.c — ppad's CSV readers. The first byte picks the reader, the rest is
 * the file: 0 the record parser (base/csv: csv_header + csv_next), 1 scores CSV
 * (scores_csv_read), 2 the step manifest (manifest_load), 3 a dataset CSV
 * (dataset_open(..., "csv"); a.png, b.png, c.jpg exist beside it), 4 the
 * training-log CSV (trainlog_parse). */
#include "fuzz_common.h"

#include "base/csv.h"
#include "data/data.h"
#include "ppad/manifest.h"
#include "ppad/scores_csv.h"
#include "ppad/trainlog_csv.h"

static void records(const uint8_t *data, size_t size) {
    char *s = fuzz_cstr(data, size), *pos = s, *end = s + size;
    long line = 1;
    csv_record rec = {0};
    ppad_err err = {{0}};
    static const char *const names[] = {"path", "label", "score", "split"};
    int cols[4];
    if (csv_header(&pos, end, &line, &rec, names, 4, cols, &err) == 1) {
        int rc, guard = 0;
        while ((rc = csv_next(&pos, end, &line, &rec, &err)) == 1 && guard++ < 1000000) {
            (void)csv_blank(&rec);
            for (int i = 0; i < 4; i++)
                if (cols[i] >= 0 && cols[i] < rec.n) (void)strlen(rec.f[cols[i]]);
        }
    }
    csv_record_free(&rec);
    free(s);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static char path[600];
    if (!path[0]) {
        char p[600];
        fuzz_path(path, sizeof path, "in.csv");
        fuzz_write(fuzz_path(p, sizeof p, "a.png"), "x", 1);
        fuzz_write(fuzz_path(p, sizeof p, "b.png"), "x", 1);
        fuzz_write(fuzz_path(p, sizeof p, "c.jpg"), "x", 1);
    }
    if (size == 0) return 0;
    int which = data[0] % 5;
    data++, size--;
    ppad_err err = {{0}};
    switch (which) {
    case 0: records(data, size); break;
    case 1: {
        fuzz_write(path, data, size);
        ppad_scores s;
        if (scores_csv_read(&s, path, &err) == 0) scores_free(&s);
        break;
    }
    case 2: {
        fuzz_write(path, data, size);
        ppad_manifest m;
        if (manifest_load(&m, path, &err) == 0) manifest_free(&m);
        break;
    }
    case 3: {
        fuzz_write(path, data, size);
        dataset d;
        if (dataset_open(&d, path, "csv", &err) == 0) dataset_free(&d);
        break;
    }
    default: {
        ppad_train_log t;
        if (trainlog_parse(&t, (const char *)data, size, "fuzz-log", &err) == 0) trainlog_free(&t);
        break;
    }
    }
    return 0;
}
