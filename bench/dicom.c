/* dicom.c — DICOM decoding time: one file (read into memory once) decoded to
 * 8-bit gray by spec section 11 and brought to 224x224 with the Pillow-exact
 * resize, as every verb loads an image: on one thread, and as the verbs
 * load a chunk of files (evaluate_load_chunk: one file per thread, --threads
 * threads, 4 x threads copies of the file), per image.
 *
 *   build/bench/dicom --file F.dcm [--reps 5] [--threads 2]
 *
 * bench/run.sh makes the files (bench/make_dicom.py: a 2500 x 3000 12-bit
 * MONOCHROME1 CR with a window; DCMTK's dcmcjpeg / dcmcjpls copies). One
 * warm-up, then the median of --reps (wall clock; cpu_ms: this thread's CPU
 * time for decode + resize, which a busy machine does not inflate; chunk_ms:
 * wall time of the chunk over its images). Prints key=value lines. */
#include "bench.h"

#include <time.h>

#include "base/fileio.h"
#include "image/image.h"
#include "ppad/evaluate.h"

/* CPU seconds of this thread: what the decode costs on a busy machine too. */
static double cpu_now(void) {
    struct timespec ts;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char **argv) {
    const char *file = NULL;
    int reps = 5, threads = 2;
    for (int i = 1; i < argc; i++) {
        if (bench_str_opt(argc, argv, &i, "--file", &file) || bench_int_opt(argc, argv, &i, "--reps", &reps) ||
            bench_int_opt(argc, argv, &i, "--threads", &threads))
            continue;
        fprintf(stderr, "dicom: unexpected argument '%s'\n", argv[i]);
        return 2;
    }
    if (!file) return bench_die("dicom", "--file is required");
    if (reps < 1 || reps > 100) return bench_die("dicom", "--reps must be in 1..100");
    if (threads < 1 || threads > 256) return bench_die("dicom", "--threads must be in 1..256");
    bench_threads(1);
    ppad_err err = {{0}};
    unsigned char *data;
    size_t size;
    if (file_read_all(&data, &size, file, &err)) return bench_die("dicom", err.msg);
    double *dec = bench_alloc(sizeof(double) * (size_t)reps), *rs = bench_alloc(sizeof(double) * (size_t)reps);
    double *cpu = bench_alloc(sizeof(double) * (size_t)reps);
    image_info info;
    for (int r = -1; r < reps; r++) {
        gray8 g, s;
        double c0 = cpu_now(), t0 = bench_now();
        if (image_decode_gray(&g, &info, data, size, file, NULL, &err)) return bench_die("dicom", err.msg);
        double t1 = bench_now();
        if (image_resize_bicubic(&s, &g, 224, 224, &err)) return bench_die("dicom", err.msg);
        double t2 = bench_now(), c2 = cpu_now();
        gray8_free(&g);
        gray8_free(&s);
        if (r >= 0) dec[r] = t1 - t0, rs[r] = t2 - t1, cpu[r] = c2 - c0;
    }
    /* a chunk, as the verbs load one: the same file 4 x threads times (from the page cache) */
    const int nc = 4 * threads;
    const char **paths = bench_alloc(sizeof(char *) * (size_t)nc);
    float *px = bench_alloc(sizeof(float) * 3 * 224 * 224 * (size_t)nc);
    double *ck = bench_alloc(sizeof(double) * (size_t)reps);
    for (int j = 0; j < nc; j++) paths[j] = file;
    bench_threads(threads);
    for (int r = -1; r < reps; r++) {
        double t0 = bench_now();
        if (evaluate_load_chunk(px, paths, nc, eval_load_default, NULL, 224, &err)) return bench_die("dicom", err.msg);
        if (r >= 0) ck[r] = (bench_now() - t0) / nc;
    }
    double d = bench_median(dec, reps), z = bench_median(rs, reps);
    printf("file_mb=%.2f\nwidth=%d\nheight=%d\nbits=%d\n", (double)size / 1e6, info.width, info.height, info.bits);
    printf("decode_ms=%.2f\nresize_ms=%.2f\ntotal_ms=%.2f\n", 1e3 * d, 1e3 * z, 1e3 * (d + z));
    printf("cpu_ms=%.2f\n", 1e3 * bench_median(cpu, reps));
    printf("chunk_threads=%d\nchunk_images=%d\nchunk_ms=%.2f\n", threads, nc, 1e3 * bench_median(ck, reps));
    printf("peak_rss_mb=%.1f\n", bench_peak_rss_mb());
    free(data);
    free(dec);
    free(rs);
    free(cpu);
    free(paths);
    free(px);
    free(ck);
    return 0;
}
