/* fileio.h — whole-file reads and atomic writes (temporary name, then rename),
 * so that no command ever leaves a partial output file behind. */
#ifndef PPAD_BASE_FILEIO_H
#define PPAD_BASE_FILEIO_H

#include <stddef.h>
#include <stdio.h>
#include "ppad.h"

/* Reads a whole file into a malloc'd buffer (NUL-terminated for convenience).
 * A folder is refused as "is a folder", sockets and block devices as "not a
 * regular file"; pipes and character devices are read in chunks. Files larger
 * than FILEIO_MAX_READ are refused. Every error names path and the reason. */
#define FILEIO_MAX_READ (4ull << 30)
int file_read_all(unsigned char **data, size_t *size, const char *path, ppad_err *err);
/* The same checks without reading: 0 when path can be opened as file_read_all
 * would (for readers that open files themselves: gzip, zip, line lists). */
int file_check_input(const char *path, ppad_err *err);
/* Sets err to why path is not a regular file ("PATH: cannot open: No such file
 * or directory", "PATH: is a folder, not a file", "PATH: not a regular file");
 * returns -1. For callers that found !file_exists(path). */
int file_fail_not_regular(const char *path, ppad_err *err);

/* Atomic write: open "<path>.tmp.<pid>" for writing; commit renames it over path,
 * abort removes it. */
typedef struct atomic_file { FILE *fp; char *tmp_path; char *final_path; } atomic_file;
int  atomic_open(atomic_file *af, const char *path, ppad_err *err);
int  atomic_commit(atomic_file *af, ppad_err *err);
void atomic_abort(atomic_file *af);

/* Returns a malloc'd "<path>.tmp.<pid>" name for writers that need a path
 * (libpng), registered as a live temporary (below) until atomic_rename or
 * atomic_discard. */
char *atomic_tmp_name(const char *path, ppad_err *err);
/* rename(tmp, path) with an error naming path; removes tmp on failure. */
int atomic_rename(const char *tmp, const char *path, ppad_err *err);
/* Removes a temporary made by atomic_tmp_name (the name is not freed). */
void atomic_discard(const char *tmp);

/* Live temporaries: every temporary name of an atomic write is recorded while
 * it exists; fileio_cleanup_on_signals() makes SIGINT, SIGTERM, SIGHUP and
 * SIGQUIT remove them all before the process dies of the signal (a program
 * calls it once, at start). Up to FILEIO_MAX_LIVE at a time are tracked. */
#define FILEIO_MAX_LIVE 256
void fileio_cleanup_on_signals(void);

int file_exists(const char *path);
int dir_exists(const char *path);

#endif
