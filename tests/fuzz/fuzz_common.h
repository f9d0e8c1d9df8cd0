/* fuzz_common.h — helpers shared by the libFuzzer targets of tests/fuzz/.
 *
 * Readers that take a path get the input through a file in a private folder
 * made once per process (under PPAD_FUZZ_TMP, else /dev/shm, else $TMPDIR or
 * /tmp), removed at exit. Nothing here is part of the library. */
#ifndef PPAD_FUZZ_COMMON_H
#define PPAD_FUZZ_COMMON_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/* The private folder (made on first use; "" if it cannot be made: the target then aborts). */
const char *fuzz_dir(void);
/* fuzz_dir()/name, in a static buffer per call site's choice (buf, n). */
const char *fuzz_path(char *buf, size_t n, const char *name);
/* Writes (data, size) to path, replacing it. Aborts on an I/O error (the harness is broken then). */
void fuzz_write(const char *path, const void *data, size_t size);
/* A NUL-terminated copy of (data, size); free() it. */
char *fuzz_cstr(const uint8_t *data, size_t size);

#endif
