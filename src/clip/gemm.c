/* gemm.c — oneDNN matmul with a per-shape primitive cache; OpenBLAS fallback. */
#include <math.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <cblas.h>
#include <oneapi/dnnl/dnnl.h>

#include "clip/gemm.h"

enum { KIND_NT = 0, KIND_NN = 1 };
enum { DT_F32 = 0, DT_BF16 = 1 };

typedef struct gemm_key {
    int kind, dt, M, N, K, bias, acc, gelu;
} gemm_key;

typedef struct gemm_entry {
    gemm_key key;
    dnnl_primitive_t prim; /* NULL: creation failed, use the fallback */
    dnnl_memory_desc_t src, wei, bias, dst;
} gemm_entry;

#define CACHE_MAX 256

static pthread_mutex_t g_lock = PTHREAD_MUTEX_INITIALIZER;
static dnnl_engine_t g_engine;
static int g_state; /* 0 unknown, 1 oneDNN usable, -1 use OpenBLAS */
static gemm_entry g_cache[CACHE_MAX];
static int g_n;

static int onednn_ready(void) {
    if (g_state) return g_state > 0;
    const char *env = getenv("PPAD_GEMM");
    if (env && strcmp(env, "openblas") == 0) g_state = -1;
    else g_state = dnnl_engine_create(&g_engine, dnnl_cpu, 0) == dnnl_success ? 1 : -1;
    return g_state > 0;
}

const char *gemm_backend(void) {
    pthread_mutex_lock(&g_lock);
    int ok = onednn_ready();
    pthread_mutex_unlock(&g_lock);
    return ok ? "onednn" : "openblas";
}

static void make_entry(gemm_entry *e) {
    const gemm_key *k = &e->key;
    dnnl_data_type_t in = k->dt == DT_BF16 ? dnnl_bf16 : dnnl_f32;
    dnnl_dims_t sd = {k->M, k->K}, wd = {k->K, k->N}, bd = {1, k->N}, dd = {k->M, k->N};
    /* NT: B is stored (N, K) -> as a (K, N) matrix its strides are (1, K) */
    dnnl_dims_t ws_nt = {1, k->K}, ws_nn = {k->N, 1};
    e->prim = NULL;
    if (dnnl_memory_desc_init_by_tag(&e->src, 2, sd, in, dnnl_ab) != dnnl_success) return;
    if (dnnl_memory_desc_init_by_strides(&e->wei, 2, wd, in, k->kind == KIND_NT ? ws_nt : ws_nn) != dnnl_success) return;
    if (dnnl_memory_desc_init_by_tag(&e->bias, 2, bd, dnnl_f32, dnnl_ab) != dnnl_success) return;
    if (dnnl_memory_desc_init_by_tag(&e->dst, 2, dd, dnnl_f32, dnnl_ab) != dnnl_success) return;
    dnnl_matmul_desc_t md;
    if (dnnl_matmul_desc_init(&md, &e->src, &e->wei, k->bias ? &e->bias : NULL, &e->dst) != dnnl_success) return;
    dnnl_primitive_attr_t attr = NULL;
    dnnl_post_ops_t po = NULL;
    if (k->acc || k->gelu) {
        if (dnnl_primitive_attr_create(&attr) != dnnl_success) return;
        if (dnnl_post_ops_create(&po) != dnnl_success ||
            (k->acc && dnnl_post_ops_append_sum(po, 1.0f) != dnnl_success) ||
            (k->gelu && dnnl_post_ops_append_eltwise(po, 1.0f, dnnl_eltwise_swish, 1.702f, 0.0f) != dnnl_success) ||
            dnnl_primitive_attr_set_post_ops(attr, po) != dnnl_success) {
            if (po) dnnl_post_ops_destroy(po);
            dnnl_primitive_attr_destroy(attr);
            return;
        }
    }
    dnnl_primitive_desc_t pd = NULL;
    if (dnnl_primitive_desc_create(&pd, &md, attr, g_engine, NULL) == dnnl_success) {
        if (dnnl_primitive_create(&e->prim, pd) != dnnl_success) e->prim = NULL;
        dnnl_primitive_desc_destroy(pd);
    }
    if (po) dnnl_post_ops_destroy(po);
    if (attr) dnnl_primitive_attr_destroy(attr);
}

/* Finds or creates the primitive for key; NULL if oneDNN is not to be used. */
static const gemm_entry *lookup(const gemm_key *key) {
    const gemm_entry *found = NULL;
    pthread_mutex_lock(&g_lock);
    if (onednn_ready()) {
        for (int i = 0; i < g_n && !found; i++)
            if (memcmp(&g_cache[i].key, key, sizeof *key) == 0) found = &g_cache[i];
        if (!found) {
            /* a full cache recycles its oldest half (primitives are cheap to recreate) */
            if (g_n == CACHE_MAX) {
                for (int i = 0; i < CACHE_MAX / 2; i++)
                    if (g_cache[i].prim) dnnl_primitive_destroy(g_cache[i].prim);
                memmove(g_cache, g_cache + CACHE_MAX / 2, sizeof(gemm_entry) * (CACHE_MAX / 2));
                g_n = CACHE_MAX / 2;
            }
            gemm_entry *e = &g_cache[g_n++];
            memset(e, 0, sizeof *e);
            e->key = *key;
            make_entry(e);
            found = e;
        }
    }
    pthread_mutex_unlock(&g_lock);
    return found && found->prim ? found : NULL;
}

/* Runs e on the given buffers. Returns 0 on success. */
static int run(const gemm_entry *e, const void *A, const void *B, const float *bias, float *C) {
    dnnl_memory_t ms = NULL, mw = NULL, mb = NULL, md = NULL;
    dnnl_stream_t st = NULL;
    int ok = dnnl_memory_create(&ms, &e->src, g_engine, (void *)A) == dnnl_success &&
             dnnl_memory_create(&mw, &e->wei, g_engine, (void *)B) == dnnl_success &&
             dnnl_memory_create(&md, &e->dst, g_engine, C) == dnnl_success &&
             (!bias || dnnl_memory_create(&mb, &e->bias, g_engine, (void *)bias) == dnnl_success) &&
             dnnl_stream_create(&st, g_engine, dnnl_stream_default_flags) == dnnl_success;
    if (ok) {
        dnnl_exec_arg_t args[4] = {{DNNL_ARG_SRC, ms}, {DNNL_ARG_WEIGHTS, mw}, {DNNL_ARG_DST, md}, {DNNL_ARG_BIAS, mb}};
        ok = dnnl_primitive_execute(e->prim, st, bias ? 4 : 3, args) == dnnl_success && dnnl_stream_wait(st) == dnnl_success;
    }
    if (st) dnnl_stream_destroy(st);
    if (ms) dnnl_memory_destroy(ms);
    if (mw) dnnl_memory_destroy(mw);
    if (mb) dnnl_memory_destroy(mb);
    if (md) dnnl_memory_destroy(md);
    return ok ? 0 : -1;
}

void gemm_nt_gelu(float *C, const float *A, const float *B, const float *bias, int M, int N, int K) {
    if (M <= 0 || N <= 0) return;
    gemm_key key = {KIND_NT, DT_F32, M, N, K, bias != NULL, 0, 1};
    const gemm_entry *e = lookup(&key);
    if (e && run(e, A, B, bias, C) == 0) return;
    gemm_nt(C, A, B, bias, M, N, K, 0);
    size_t n = (size_t)M * N;
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < n; i++) C[i] = C[i] / (1.0f + expf(-1.702f * C[i]));
}

void gemm_nt(float *C, const float *A, const float *B, const float *bias, int M, int N, int K, int accumulate) {
    if (M <= 0 || N <= 0) return;
    gemm_key key = {KIND_NT, DT_F32, M, N, K, bias != NULL, accumulate != 0, 0};
    const gemm_entry *e = lookup(&key);
    if (e && run(e, A, B, bias, C) == 0) return;
    float beta = accumulate ? 1.0f : 0.0f;
    if (bias) {
        if (!accumulate)
            for (int m = 0; m < M; m++) memcpy(C + (size_t)m * N, bias, sizeof(float) * (size_t)N);
        else
            for (int m = 0; m < M; m++)
                for (int n = 0; n < N; n++) C[(size_t)m * N + n] += bias[n];
        beta = 1.0f;
    }
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasTrans, M, N, K, 1.0f, A, K, B, K, beta, C, N);
}

void gemm_nn(float *C, const float *A, const float *B, int M, int N, int K, int accumulate) {
    if (M <= 0 || N <= 0) return;
    gemm_key key = {KIND_NN, DT_F32, M, N, K, 0, accumulate != 0, 0};
    const gemm_entry *e = lookup(&key);
    if (e && run(e, A, B, NULL, C) == 0) return;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, M, N, K, 1.0f, A, K, B, N, accumulate ? 1.0f : 0.0f, C, N);
}

uint16_t gemm_f32_to_bf16(float f) {
    uint32_t x;
    memcpy(&x, &f, 4);
    if ((x & 0x7fffffffu) > 0x7f800000u) return (uint16_t)((x >> 16) | 0x40u); /* quiet NaN */
    x += 0x7fffu + ((x >> 16) & 1u);
    return (uint16_t)(x >> 16);
}

int gemm_bf16_supported(void) {
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512bf16") ? 1 : 0;
}

void gemm_to_bf16(uint16_t *dst, const float *src, size_t n) {
#pragma omp parallel for schedule(static)
    for (size_t i = 0; i < n; i++) dst[i] = gemm_f32_to_bf16(src[i]);
}

int gemm_nt_bf16(float *C, const uint16_t *A, const uint16_t *B, const float *bias, int M, int N, int K, int gelu) {
    if (M <= 0 || N <= 0) return 0;
    gemm_key key = {KIND_NT, DT_BF16, M, N, K, bias != NULL, 0, gelu != 0};
    const gemm_entry *e = lookup(&key);
    return e ? run(e, A, B, bias, C) : -1;
}

int gemm_nn_bf16(float *C, const uint16_t *A, const uint16_t *B, int M, int N, int K) {
    if (M <= 0 || N <= 0) return 0;
    gemm_key key = {KIND_NN, DT_BF16, M, N, K, 0, 0, 0};
    const gemm_entry *e = lookup(&key);
    return e ? run(e, A, B, NULL, C) : -1;
}
