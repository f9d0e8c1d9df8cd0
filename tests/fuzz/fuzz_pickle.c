/* fuzz_pickle.c — the restricted pickle interpreter (data.pkl) on raw bytes. */
#include "fuzz_common.h"

#include "formats/pt_pickle.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
    pt_pkl p;
    ppad_err err = {{0}};
    if (pt_pickle_load(&p, data, size, &err) == 0) pt_pickle_free(&p);
    return 0;
}
