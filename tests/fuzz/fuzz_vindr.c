/* fuzz_vindr.c — the VinDr (Med-AD) reader: the input is DIR/data.json, and
 * DIR/images/ holds a.png, b.png, 0.png and 1.png so that valid lists get past
 * the existence check. */
#include "fuzz_common.h"

#include <sys/stat.h>

#include "data/data.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    static char dir[600], json[700];
    if (!dir[0]) {
        char p[700];
        fuzz_path(dir, sizeof dir, "VinCXR");
        snprintf(p, sizeof p, "%s/images", dir);
        if (mkdir(dir, 0700) != 0 || mkdir(p, 0700) != 0) abort();
        static const char *const names[] = {"a.png", "b.png", "0.png", "1.png"};
        for (int i = 0; i < 4; i++) {
            snprintf(p, sizeof p, "%s/images/%s", dir, names[i]);
            fuzz_write(p, "x", 1);
        }
        snprintf(json, sizeof json, "%s/data.json", dir);
    }
    fuzz_write(json, data, size);
    dataset d;
    ppad_err err = {{0}};
    if (dataset_open(&d, dir, "vindr", &err) == 0) dataset_free(&d);
    return 0;
}
