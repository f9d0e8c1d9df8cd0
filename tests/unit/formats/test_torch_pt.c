/* test_torch_pt.c — unit tests for the PyTorch checkpoint reader's
 * pieces: fp16/bf16 -> fp32 over all 65536 bit patterns (scalar routine
 * against an ldexp reference, the F16C block path against the scalar one),
 * strided gathers, and the restricted pickle interpreter on a torch.save
 * data.pkl (names, views) plus a mutation fuzz (must never crash; run it
 * under ASan). */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/rng.h"
#include "check.h"
#include "formats/pt_convert.h"
#include "formats/pt_pickle.h"

static uint32_t bits_of(float f) { uint32_t u; memcpy(&u, &f, 4); return u; }

/* binary16 value by its definition; NaNs are quiet with the payload in the high mantissa bits */
static float half_ref(uint16_t h) {
    int s = h >> 15, e = (h >> 10) & 31, m = h & 1023;
    double v;
    if (e == 0) v = ldexp((double)m, -24);
    else if (e < 31) v = ldexp(1024.0 + m, e - 25);
    else if (m == 0) v = INFINITY;
    else {
        uint32_t u = (uint32_t)s << 31 | 0x7fc00000u | (uint32_t)m << 13;
        float f;
        memcpy(&f, &u, 4);
        return f;
    }
    return (float)(s ? -v : v);
}

static void test_half(void) {
    int bad_scalar = 0, bad_block = 0, bad_bf16 = 0;
    unsigned char *src = malloc(65536 * 2);
    float *dst = malloc(65536 * sizeof(float));
    for (int i = 0; i < 65536; i++) {
        src[2 * i] = (unsigned char)(i & 255);
        src[2 * i + 1] = (unsigned char)(i >> 8);
        if (bits_of(pt_half_to_f32((uint16_t)i)) != bits_of(half_ref((uint16_t)i))) {
            if (!bad_scalar) printf("# half 0x%04x: got 0x%08x want 0x%08x\n", i, bits_of(pt_half_to_f32((uint16_t)i)),
                                    bits_of(half_ref((uint16_t)i)));
            bad_scalar++;
        }
        if (bits_of(pt_bf16_to_f32((uint16_t)i)) != (uint32_t)i << 16) bad_bf16++;
    }
    CHECK(bad_scalar == 0, "fp16_scalar_all_65536_patterns");
    CHECK(bad_bf16 == 0, "bf16_all_65536_patterns");
    /* the block path (F16C where available) at odd offsets and lengths */
    pt_convert_f32(dst, src, PT_F16, 65536);
    for (int i = 0; i < 65536; i++) bad_block += bits_of(dst[i]) != bits_of(pt_half_to_f32((uint16_t)i));
    pt_convert_f32(dst, src + 2 * 3, PT_F16, 65533 - 7);
    for (int i = 0; i < 65533 - 7; i++) bad_block += bits_of(dst[i]) != bits_of(pt_half_to_f32((uint16_t)(i + 3)));
    CHECK(bad_block == 0, "fp16_block_matches_scalar");
    pt_convert_f32(dst, src, PT_BF16, 65536);
    bad_bf16 = 0;
    for (int i = 0; i < 65536; i++) bad_bf16 += bits_of(dst[i]) != (uint32_t)i << 16;
    CHECK(bad_bf16 == 0, "bf16_block");
    CHECK(pt_half_to_f32(0x3c00) == 1.0f && pt_half_to_f32(0xc000) == -2.0f && pt_half_to_f32(0x0001) == ldexpf(1, -24) &&
              pt_half_to_f32(0x7bff) == 65504.0f && isinf(pt_half_to_f32(0xfc00)) && signbit(pt_half_to_f32(0x8000)),
          "fp16_known_values");
    free(src);
    free(dst);
}

static void test_gather(void) {
    float base[24];
    for (int i = 0; i < 24; i++) base[i] = (float)i;
    /* (4, 6) storage; view = transpose of rows 1..3, cols 2..4: shape (3, 2), stride (1, 6), offset 8 */
    pt_tensor v = {.ndim = 2, .shape = {3, 2}, .stride = {1, 6}, .offset = 8, .numel = 6, .dtype = PT_F32};
    float out[6];
    pt_gather_f32(out, (const unsigned char *)base, PT_F32, &v);
    const float want[6] = {8, 14, 9, 15, 10, 16};
    check_close("gather_transposed_offset", out, want, 6, 0, 0);
    pt_tensor e = {.ndim = 2, .shape = {3, 4}, .stride = {1, 0}, .offset = 5, .numel = 12, .dtype = PT_F32};
    float out2[12], want2[12];
    for (int i = 0; i < 12; i++) want2[i] = (float)(5 + i / 4);
    pt_gather_f32(out2, (const unsigned char *)base, PT_F32, &e);
    check_close("gather_expanded_stride0", out2, want2, 12, 0, 0);
    int64_t ib[5] = {-3, 1LL << 40, 7, 0, -1}, io[3];
    pt_tensor iv = {.ndim = 1, .shape = {3}, .stride = {2}, .offset = 0, .numel = 3, .dtype = PT_I64};
    pt_gather_i64(io, (const unsigned char *)ib, PT_I64, &iv);
    CHECK(io[0] == -3 && io[1] == 7 && io[2] == -1, "gather_i64_strided");
    signed char cb[3] = {-128, 5, 127};
    int64_t co[3];
    pt_convert_i64(co, (const unsigned char *)cb, PT_I8, 3);
    CHECK(co[0] == -128 && co[1] == 5 && co[2] == 127, "convert_i8");
}

/* data.pkl of torch.save({'model': nn.Sequential(Linear(3,2), LayerNorm(2)).state_dict(),
 * 'step': 5, 'name': 'x', 'lst': [zeros(2, fp16)], 'p': Parameter(ones(2,2)),
 * 'v': ones(3,4)[:, 1:3]}) by torch 1.13 */
static const char PKL[] =
    "\x80\x02\x7d\x71\x00\x28\x58\x05\x00\x00\x00\x6d\x6f\x64\x65\x6c\x71\x01\x63\x63\x6f\x6c\x6c\x65"
    "\x63\x74\x69\x6f\x6e\x73\x0a\x4f\x72\x64\x65\x72\x65\x64\x44\x69\x63\x74\x0a\x71\x02\x29\x52\x71"
    "\x03\x28\x58\x08\x00\x00\x00\x30\x2e\x77\x65\x69\x67\x68\x74\x71\x04\x63\x74\x6f\x72\x63\x68\x2e"
    "\x5f\x75\x74\x69\x6c\x73\x0a\x5f\x72\x65\x62\x75\x69\x6c\x64\x5f\x74\x65\x6e\x73\x6f\x72\x5f\x76"
    "\x32\x0a\x71\x05\x28\x28\x58\x07\x00\x00\x00\x73\x74\x6f\x72\x61\x67\x65\x71\x06\x63\x74\x6f\x72"
    "\x63\x68\x0a\x46\x6c\x6f\x61\x74\x53\x74\x6f\x72\x61\x67\x65\x0a\x71\x07\x58\x01\x00\x00\x00\x30"
    "\x71\x08\x58\x03\x00\x00\x00\x63\x70\x75\x71\x09\x4b\x06\x74\x71\x0a\x51\x4b\x00\x4b\x02\x4b\x03"
    "\x86\x71\x0b\x4b\x03\x4b\x01\x86\x71\x0c\x89\x68\x02\x29\x52\x71\x0d\x74\x71\x0e\x52\x71\x0f\x58"
    "\x06\x00\x00\x00\x30\x2e\x62\x69\x61\x73\x71\x10\x68\x05\x28\x28\x68\x06\x68\x07\x58\x01\x00\x00"
    "\x00\x31\x71\x11\x68\x09\x4b\x02\x74\x71\x12\x51\x4b\x00\x4b\x02\x85\x71\x13\x4b\x01\x85\x71\x14"
    "\x89\x68\x02\x29\x52\x71\x15\x74\x71\x16\x52\x71\x17\x58\x08\x00\x00\x00\x31\x2e\x77\x65\x69\x67"
    "\x68\x74\x71\x18\x68\x05\x28\x28\x68\x06\x68\x07\x58\x01\x00\x00\x00\x32\x71\x19\x68\x09\x4b\x02"
    "\x74\x71\x1a\x51\x4b\x00\x4b\x02\x85\x71\x1b\x4b\x01\x85\x71\x1c\x89\x68\x02\x29\x52\x71\x1d\x74"
    "\x71\x1e\x52\x71\x1f\x58\x06\x00\x00\x00\x31\x2e\x62\x69\x61\x73\x71\x20\x68\x05\x28\x28\x68\x06"
    "\x68\x07\x58\x01\x00\x00\x00\x33\x71\x21\x68\x09\x4b\x02\x74\x71\x22\x51\x4b\x00\x4b\x02\x85\x71"
    "\x23\x4b\x01\x85\x71\x24\x89\x68\x02\x29\x52\x71\x25\x74\x71\x26\x52\x71\x27\x75\x7d\x71\x28\x58"
    "\x09\x00\x00\x00\x5f\x6d\x65\x74\x61\x64\x61\x74\x61\x71\x29\x68\x02\x29\x52\x71\x2a\x28\x58\x00"
    "\x00\x00\x00\x71\x2b\x7d\x71\x2c\x58\x07\x00\x00\x00\x76\x65\x72\x73\x69\x6f\x6e\x71\x2d\x4b\x01"
    "\x73\x58\x01\x00\x00\x00\x30\x71\x2e\x7d\x71\x2f\x68\x2d\x4b\x01\x73\x58\x01\x00\x00\x00\x31\x71"
    "\x30\x7d\x71\x31\x68\x2d\x4b\x01\x73\x75\x73\x62\x58\x04\x00\x00\x00\x73\x74\x65\x70\x71\x32\x4b"
    "\x05\x58\x04\x00\x00\x00\x6e\x61\x6d\x65\x71\x33\x58\x01\x00\x00\x00\x78\x71\x34\x58\x03\x00\x00"
    "\x00\x6c\x73\x74\x71\x35\x5d\x71\x36\x68\x05\x28\x28\x68\x06\x63\x74\x6f\x72\x63\x68\x0a\x48\x61"
    "\x6c\x66\x53\x74\x6f\x72\x61\x67\x65\x0a\x71\x37\x58\x01\x00\x00\x00\x34\x71\x38\x68\x09\x4b\x02"
    "\x74\x71\x39\x51\x4b\x00\x4b\x02\x85\x71\x3a\x4b\x01\x85\x71\x3b\x89\x68\x02\x29\x52\x71\x3c\x74"
    "\x71\x3d\x52\x71\x3e\x61\x58\x01\x00\x00\x00\x70\x71\x3f\x63\x74\x6f\x72\x63\x68\x2e\x5f\x75\x74"
    "\x69\x6c\x73\x0a\x5f\x72\x65\x62\x75\x69\x6c\x64\x5f\x70\x61\x72\x61\x6d\x65\x74\x65\x72\x0a\x71"
    "\x40\x68\x05\x28\x28\x68\x06\x68\x07\x58\x01\x00\x00\x00\x35\x71\x41\x68\x09\x4b\x04\x74\x71\x42"
    "\x51\x4b\x00\x4b\x02\x4b\x02\x86\x71\x43\x4b\x02\x4b\x01\x86\x71\x44\x89\x68\x02\x29\x52\x71\x45"
    "\x74\x71\x46\x52\x71\x47\x88\x68\x02\x29\x52\x71\x48\x87\x71\x49\x52\x71\x4a\x58\x01\x00\x00\x00"
    "\x76\x71\x4b\x68\x05\x28\x28\x68\x06\x68\x07\x58\x01\x00\x00\x00\x36\x71\x4c\x68\x09\x4b\x0c\x74"
    "\x71\x4d\x51\x4b\x01\x4b\x03\x4b\x02\x86\x71\x4e\x4b\x04\x4b\x01\x86\x71\x4f\x89\x68\x02\x29\x52"
    "\x71\x50\x74\x71\x51\x52\x71\x52\x75\x2e";

static void test_pickle(void) {
    ppad_err err = {{0}};
    pt_pkl p;
    size_t n = sizeof PKL - 1;
    int rc = pt_pickle_load(&p, (const unsigned char *)PKL, n, &err);
    CHECK(rc == 0, "pickle_torch_save_parses");
    if (rc != 0) {
        printf("# %s\n", err.msg);
        return;
    }
    const char *names[] = {"model.0.weight", "model.0.bias", "model.1.weight", "model.1.bias", "lst.0", "p", "v"};
    int ok = p.ntensors == 7;
    for (int i = 0; ok && i < 7; i++) ok = strcmp(p.tensors[i].name, names[i]) == 0;
    CHECK(ok, "pickle_names_flattened_in_order");
    const pt_tensor *v = &p.tensors[6];
    CHECK(v->ndim == 2 && v->shape[0] == 3 && v->shape[1] == 2 && v->stride[0] == 4 && v->stride[1] == 1 && v->offset == 1 &&
              p.storages[v->storage].numel == 12 && v->dtype == PT_F32,
          "pickle_view_metadata");
    CHECK(p.tensors[4].dtype == PT_F16 && p.tensors[5].shape[0] == 2, "pickle_dtypes_and_parameter");
    pt_pickle_free(&p);

    /* mutation fuzz: random byte flips, insertions of opcode bytes and truncations */
    static const char OPS[] = "()tRQqhjusbK\x85\x86\x87}]"; /* opcode bytes worth inserting */
    ppad_rng r;
    rng_seed(&r, 12345);
    unsigned char *buf = malloc(n + 64);
    int parsed = 0, refused = 0, bad_msg = 0;
    for (int it = 0; it < 20000; it++) {
        memcpy(buf, PKL, n);
        size_t len = n;
        int k = (int)rng_int(&r, 1, 5);
        for (int j = 0; j < k; j++) {
            size_t at = (size_t)rng_int(&r, 0, (int64_t)len);
            switch (rng_int(&r, 0, 4)) {
            case 0: buf[at] = (unsigned char)rng_int(&r, 0, 256); break;
            case 1: buf[at] ^= (unsigned char)(1u << rng_int(&r, 0, 8)); break;
            case 2: len = at + 1; break;
            default: buf[at] = OPS[rng_int(&r, 0, (int64_t)sizeof OPS - 1)]; break;
            }
        }
        err.msg[0] = 0;
        if (pt_pickle_load(&p, buf, len, &err) == 0) {
            parsed++;
            pt_pickle_free(&p);
        } else {
            refused++;
            if (strncmp(err.msg, "data.pkl: ", 10) != 0 && strncmp(err.msg, "tensor '", 8) != 0) {
                if (!bad_msg) printf("# unexpected message: %s\n", err.msg);
                bad_msg++;
            }
        }
    }
    printf("# fuzz: %d parsed, %d refused\n", parsed, refused);
    CHECK(refused > 0 && bad_msg == 0, "pickle_fuzz_refuses_cleanly");
    free(buf);
}

/* Views whose dimension products overflow int64 (an empty tensor may have any
 * other dimensions; issue 11, item 7): answered without a signed overflow
 * (UBSan in make asan aborts on one). */
static void test_contiguous_overflow(void) {
    const int64_t M = 2147483647;
    pt_tensor e = {.ndim = 4, .shape = {0, 3, M, M}, .stride = {0, M * M, M, 1}, .numel = 0};
    CHECK(pt_view_contiguous(&e) == 1, "an empty view (0, 3, 2^31-1, 2^31-1) is contiguous, no overflow");
    pt_tensor big = {.ndim = 3, .shape = {3, M, M}, .stride = {M * M, M, 1}, .numel = 0};
    CHECK(pt_view_contiguous(&big) == 0, "a view whose size overflows int64 is not contiguous, no overflow");
    pt_tensor ok = {.ndim = 2, .shape = {4, 5}, .stride = {5, 1}, .numel = 20};
    CHECK(pt_view_contiguous(&ok) == 1, "a row-major (4, 5) view is contiguous");
}

int main(void) {
    test_contiguous_overflow();
    test_half();
    test_gather();
    test_pickle();
    return check_done();
}
