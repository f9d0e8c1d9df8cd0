/* transformer.c — a stack of CLIP residual blocks, forward and input-gradient
 * backward, shared by the image tower (no mask) and the text tower (causal):
 *   x = x + out_proj(attn(ln_1(x)))
 *   x = x + c_proj(quickgelu(c_fc(ln_2(x)))) */
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "clip/gemm.h"
#include "clip/kernels.h"
#include "clip/model.h"

int tfm_acts_alloc(tfm_acts *a, int B, int T, int W, int NH, int L, int save, ppad_err *err) {
    memset(a, 0, sizeof *a);
    a->B = B;
    a->T = T;
    a->W = W;
    a->NH = NH;
    a->L = L;
    a->save = save;
    a->cap_BT = B * T;
    size_t BT = (size_t)B * T, nl = save ? (size_t)L : 1;
#define ALLOC(p, n)                                                   \
    do {                                                              \
        a->p = ppad_aligned_alloc(sizeof(float) * (n), err);         \
        if (!a->p) goto fail;                                         \
    } while (0)
    ALLOC(x_in, nl * BT * W);
    ALLOC(ln1_mean, nl * BT);
    ALLOC(ln1_rstd, nl * BT);
    ALLOC(qkv, nl * BT * 3 * W);
    ALLOC(att, nl * (size_t)B * NH * T * T);
    ALLOC(x_mid, nl * BT * W);
    ALLOC(ln2_mean, nl * BT);
    ALLOC(ln2_rstd, nl * BT);
    if (save) ALLOC(fc_pre, nl * BT * 4 * W); /* inference fuses QuickGELU: no pre-activation */
    ALLOC(ln_out, BT * W);
    ALLOC(attn_y, BT * W);
    ALLOC(fc_act, BT * 4 * W);
    ALLOC(x_out, BT * W);
#undef ALLOC
    /* bf16 rounding scratch (BT, 4W) + inference's bf16 MLP input (BT, W); a
     * large allocation's pages cost nothing until used */
    a->scr16 = ppad_aligned_alloc(sizeof(uint16_t) * BT * 5 * W, err);
    if (!a->scr16) goto fail;
    return 0;
fail:
    tfm_acts_free(a);
    return -1;
}

void tfm_acts_free(tfm_acts *a) {
    free(a->x_in);
    free(a->ln1_mean);
    free(a->ln1_rstd);
    free(a->qkv);
    free(a->att);
    free(a->x_mid);
    free(a->ln2_mean);
    free(a->ln2_rstd);
    free(a->fc_pre);
    free(a->ln_out);
    free(a->attn_y);
    free(a->fc_act);
    free(a->x_out);
    free(a->scr16);
    free(a->work);
    memset(a, 0, sizeof *a);
}

/* Pointers to layer l's saved activations for a run of B sequences of T tokens
 * (packed densely for that B, T so that the same allocation serves any B*T <= cap). */
typedef struct layer_view {
    float *x_in, *ln1_mean, *ln1_rstd, *qkv, *att, *x_mid, *ln2_mean, *ln2_rstd, *fc_pre;
} layer_view;

static layer_view view(const tfm_acts *a, int l, int B, int T) {
    size_t BT = (size_t)B * T, W = (size_t)a->W;
    size_t i = a->save ? (size_t)l : 0;
    layer_view v = {
        .x_in = a->x_in + i * BT * W,
        .ln1_mean = a->ln1_mean + i * BT,
        .ln1_rstd = a->ln1_rstd + i * BT,
        .qkv = a->qkv + i * BT * 3 * W,
        .att = a->att + i * (size_t)B * a->NH * T * T,
        .x_mid = a->x_mid + i * BT * W,
        .ln2_mean = a->ln2_mean + i * BT,
        .ln2_rstd = a->ln2_rstd + i * BT,
        .fc_pre = a->fc_pre ? a->fc_pre + i * BT * 4 * W : NULL,
    };
    return v;
}

/* One full residual block on all N = B*T rows, keeping what the backward pass
 * needs (save = 1; inference uses block_forward_inplace). out: (N, W). */
static void block_forward(tfm_acts *a, const clip_layer *ly, layer_view v, float *out, int B, int T, int causal) {
    const int W = a->W, NH = a->NH, N = B * T;
    const size_t NW = (size_t)N * W;
    const int h = a->bf16;
    uint16_t *s16 = a->scr16;
    layernorm_forward(a->ln_out, v.ln1_mean, v.ln1_rstd, v.x_in, ly->ln1_w, ly->ln1_b, N, W);
    linear_forward_mixed(v.qkv, a->ln_out, ly->qkv_w, h ? ly->qkv_w16 : NULL, ly->qkv_b, s16, N, W, 3 * W, 0);
    attention_forward(a->attn_y, v.att, v.qkv, B, T, W, NH, causal);
    linear_forward_mixed(a->ln_out, a->attn_y, ly->out_w, h ? ly->out_w16 : NULL, ly->out_b, s16, N, W, W, 0);
    residual_forward(v.x_mid, v.x_in, a->ln_out, NW);
    layernorm_forward(a->ln_out, v.ln2_mean, v.ln2_rstd, v.x_mid, ly->ln2_w, ly->ln2_b, N, W);
    /* the pre-activation is kept for the backward pass */
    linear_forward_mixed(v.fc_pre, a->ln_out, ly->fc_w, h ? ly->fc_w16 : NULL, ly->fc_b, s16, N, W, 4 * W, 0);
    quickgelu_forward(a->fc_act, v.fc_pre, (size_t)N * 4 * W);
    linear_forward_mixed(a->ln_out, a->fc_act, ly->proj_w, h ? ly->proj_w16 : NULL, ly->proj_b, s16, N, 4 * W, W, 0);
    residual_forward(out, v.x_mid, a->ln_out, NW);
}

/* Inference (save = 0): one block updating the residual stream x (N, W) in
 * place. Both branch outputs are accumulated into x by their last product, so
 * the block makes no residual passes and no copies; in bf16 the MLP's hidden
 * layer stays bf16 (mlp_residual_forward_bf16). */
static void block_forward_inplace(tfm_acts *a, const clip_layer *ly, float *x, int B, int T, int causal) {
    const int W = a->W, NH = a->NH, N = B * T;
    const int h = a->bf16;
    uint16_t *s16 = a->scr16;                        /* (N, 4W) rounding scratch */
    uint16_t *in16 = a->scr16 + (size_t)N * 4 * W;   /* (N, W) bf16 LayerNorm output */
    layernorm_forward(a->ln_out, a->ln1_mean, a->ln1_rstd, x, ly->ln1_w, ly->ln1_b, N, W);
    linear_forward_mixed(a->qkv, a->ln_out, ly->qkv_w, h ? ly->qkv_w16 : NULL, ly->qkv_b, s16, N, W, 3 * W, 0);
    attention_forward(a->attn_y, a->att, a->qkv, B, T, W, NH, causal);
    linear_forward_mixed(x, a->attn_y, ly->out_w, h ? ly->out_w16 : NULL, ly->out_b, s16, N, W, W, LINEAR_ACC);
    layernorm_forward(a->ln_out, a->ln2_mean, a->ln2_rstd, x, ly->ln2_w, ly->ln2_b, N, W);
    if (h) {
        gemm_to_bf16(in16, a->ln_out, (size_t)N * W);
        if (mlp_residual_forward_bf16(x, in16, ly->fc_w16, ly->fc_b, ly->proj_w16, ly->proj_b, s16, N, W) == 0) return;
    }
    linear_forward_mixed(a->fc_act, a->ln_out, ly->fc_w, h ? ly->fc_w16 : NULL, ly->fc_b, s16, N, W, 4 * W,
                         LINEAR_GELU);
    linear_forward_mixed(x, a->fc_act, ly->proj_w, h ? ly->proj_w16 : NULL, ly->proj_b, s16, N, 4 * W, W, LINEAR_ACC);
}

/* The last block when only row sel[b] of each sequence is wanted: keys and
 * values need every row, everything after the attention only the B selected
 * rows. Saved activations after the attention are compact (B rows first):
 * att (B, NH, T), x_mid / ln2 stats / fc_pre (B rows). out: (B, W). */
static void block_forward_rows(tfm_acts *a, const clip_layer *ly, layer_view v, float *out, int B, int T,
                               int causal) {
    const int W = a->W, NH = a->NH, N = B * T;
    const int h = a->bf16;
    uint16_t *s16 = a->scr16;
    layernorm_forward(a->ln_out, v.ln1_mean, v.ln1_rstd, v.x_in, ly->ln1_w, ly->ln1_b, N, W);
    linear_forward_mixed(v.qkv, a->ln_out, ly->qkv_w, h ? ly->qkv_w16 : NULL, ly->qkv_b, s16, N, W, 3 * W, 0);
    attention_forward_rows(a->attn_y, v.att, v.qkv, a->sel, B, T, W, NH, causal);
    linear_forward_mixed(a->ln_out, a->attn_y, ly->out_w, h ? ly->out_w16 : NULL, ly->out_b, s16, B, W, W, 0);
    for (int b = 0; b < B; b++) {
        const float *xi = v.x_in + ((size_t)b * T + a->sel[b]) * W;
        for (int i = 0; i < W; i++) v.x_mid[(size_t)b * W + i] = xi[i] + a->ln_out[(size_t)b * W + i];
    }
    layernorm_forward(a->ln_out, v.ln2_mean, v.ln2_rstd, v.x_mid, ly->ln2_w, ly->ln2_b, B, W);
    if (a->save) {
        linear_forward_mixed(v.fc_pre, a->ln_out, ly->fc_w, h ? ly->fc_w16 : NULL, ly->fc_b, s16, B, W, 4 * W, 0);
        quickgelu_forward(a->fc_act, v.fc_pre, (size_t)B * 4 * W);
    } else {
        linear_forward_mixed(a->fc_act, a->ln_out, ly->fc_w, h ? ly->fc_w16 : NULL, ly->fc_b, s16, B, W, 4 * W,
                             LINEAR_GELU);
    }
    linear_forward_mixed(a->ln_out, a->fc_act, ly->proj_w, h ? ly->proj_w16 : NULL, ly->proj_b, s16, B, 4 * W, W, 0);
    residual_forward(out, v.x_mid, a->ln_out, (size_t)B * W);
}

void tfm_forward(tfm_acts *a, const clip_layer *layers, const float *x, int B, int T, int causal) {
    const int W = a->W, N = B * T;
    const size_t NW = (size_t)N * W;
    a->B = B;
    a->T = T;
    if (!a->save) { /* inference: the residual stream lives in x_in, updated in place */
        if (a->x_in != x) memcpy(a->x_in, x, NW * sizeof(float));
        for (int l = 0; l < a->L; l++) {
            if (l + 1 == a->L && a->sel) block_forward_rows(a, &layers[l], view(a, l, B, T), a->x_out, B, T, causal);
            else block_forward_inplace(a, &layers[l], a->x_in, B, T, causal);
        }
        if (!a->sel) memcpy(a->x_out, a->x_in, NW * sizeof(float));
        return;
    }
    const float *cur = x;
    const int s0 = a->save_from > 0 && a->save_from < a->L ? a->save_from : 0;
    if (s0 > 0) { /* the blocks below save_from as in inference, in place in block s0's input */
        float *xs = view(a, s0, B, T).x_in;
        memcpy(xs, x, NW * sizeof(float));
        for (int l = 0; l < s0; l++) block_forward_inplace(a, &layers[l], xs, B, T, causal);
        cur = xs;
    }
    for (int l = s0; l < a->L; l++) {
        layer_view v = view(a, l, B, T);
        if (v.x_in != cur) memcpy(v.x_in, cur, NW * sizeof(float));
        int last = l + 1 == a->L;
        /* the next layer's input (saved) or the final output */
        float *next = (a->save && !last) ? view(a, l + 1, B, T).x_in : a->x_out;
        if (last && a->sel) block_forward_rows(a, &layers[l], v, next, B, T, causal);
        else block_forward(a, &layers[l], v, next, B, T, causal);
        cur = next;
    }
}

float *tfm_workspace(tfm_acts *a, size_t n, ppad_err *err) {
    if (a->work_n < n) {
        free(a->work);
        a->work_n = 0;
        a->work = ppad_aligned_alloc(sizeof(float) * n, err);
        if (!a->work) return NULL;
        a->work_n = n;
    }
    return a->work;
}

size_t tfm_backward_scratch_floats(const tfm_acts *a) {
    /* d_ln (BT, W) + d_act (BT, 4W) + d_pre (BT, 4W) (d_qkv (BT, 3W) reuses d_pre) + dres (BT, W) */
    return (size_t)a->B * a->T * (size_t)a->W * 10;
}

/* The taps of block l (see tfm_taps): its probabilities, and where its
 * gradient goes (NULL when not tapped). */
static float *tap_att(const tfm_acts *a, int l, int which_grad) {
    const tfm_taps *tp = a->taps;
    if (!tp || l < a->L - tp->L_att) return NULL;
    float *base = which_grad ? tp->datt : tp->att;
    if (!base) return NULL;
    return base + (size_t)(l - (a->L - tp->L_att)) * a->B * a->NH * a->T * a->T;
}

/* The last block's ln_1 taps: X recomputed from the saved statistics' inputs
 * (the same kernel on the same input as the forward: the same bits) and its
 * gradient d_ln (N, W). */
static void tap_ln1(const tfm_acts *a, const clip_layer *ly, const float *x_in, const float *d_ln, int N) {
    const tfm_taps *tp = a->taps;
    if (!tp) return;
    if (tp->ln1) layernorm_forward(tp->ln1, NULL, NULL, x_in, ly->ln1_w, ly->ln1_b, N, a->W);
    if (tp->dln1) memcpy(tp->dln1, d_ln, sizeof(float) * (size_t)N * a->W);
}

/* Scatters compact per-row values (B, NH, T) of rows sel[b] into full
 * (B, NH, T, T) matrices, zeros elsewhere. */
static void scatter_rows(float *full, const float *rows, const int *sel, int B, int NH, int T) {
    for (int b = 0; b < B; b++)
        for (int h = 0; h < NH; h++) {
            float *m = full + ((size_t)b * NH + h) * T * T;
            memset(m, 0, sizeof(float) * (size_t)T * T);
            memcpy(m + (size_t)sel[b] * T, rows + ((size_t)b * NH + h) * T, sizeof(float) * (size_t)T);
        }
}

void tfm_backward(float *dx, float *dout, tfm_acts *a, const clip_layer *layers, int causal, float *scratch) {
    const int B = a->B, T = a->T, W = a->W, NH = a->NH, N = B * T;
    const size_t NW = (size_t)N * W;
    float *d_ln = scratch;          /* (N, W) gradient at a LayerNorm output */
    float *d_act = d_ln + NW;       /* (N, 4W) gradient at the QuickGELU output */
    float *d_pre = d_act + NW * 4;  /* (N, 4W) gradient at the QuickGELU input */
    float *d_qkv = d_pre;           /* (N, 3W) reuses d_pre once the MLP is done */
    float *dres = dout;             /* (N, W) gradient of the residual stream, updated in place */
    const int h = a->bf16;          /* input-gradient products in bf16 too */
    int lowest = dx ? 0 : (a->taps ? a->taps->lowest : 0); /* no block below it needs its gradient */
    if (lowest < a->save_from) lowest = a->save_from;       /* nor has its activations (callers keep dx NULL) */
    int l = a->L - 1;
    if (a->sel) {
        /* the last block ran on the selected rows only: dout is (B, W) for them */
        const clip_layer *ly = &layers[l];
        layer_view v = view(a, l, B, T);
        float *ds = dout;                 /* (B, W) */
        float *full = d_pre + NW * 4;     /* (N, W) residual gradient below this block */
        const size_t BW = (size_t)B * W;
        linear_backward_set_mixed(d_act, ds, ly->proj_w, h ? ly->proj_w16 : NULL, a->scr16, B, 4 * W, W);
        quickgelu_backward_inplace(d_act, v.fc_pre, BW * 4);
        linear_backward_set_mixed(d_ln, d_act, ly->fc_w, h ? ly->fc_w16 : NULL, a->scr16, B, W, 4 * W);
        layernorm_backward(ds, d_ln, v.x_mid, ly->ln2_w, v.ln2_mean, v.ln2_rstd, B, W);
        /* d attention output, selected rows */
        linear_backward_set_mixed(d_act, ds, ly->out_w, h ? ly->out_w16 : NULL, a->scr16, B, W, W);
        memset(d_qkv, 0, NW * 3 * sizeof(float));
        float *ta = tap_att(a, l, 0), *tg = tap_att(a, l, 1);
        /* the selected rows' dA go to d_ln first ((B, NH, T) fits in (N, W)), then to the tap */
        attention_backward_rows_probs(d_qkv, tg ? d_ln : NULL, d_act, v.qkv, v.att, a->sel, B, T, W, NH, causal);
        if (tg) scatter_rows(tg, d_ln, a->sel, B, NH, T);
        if (ta) scatter_rows(ta, v.att, a->sel, B, NH, T);
        linear_backward_set_mixed(d_ln, d_qkv, ly->qkv_w, h ? ly->qkv_w16 : NULL, a->scr16, N, W, 3 * W);
        tap_ln1(a, ly, v.x_in, d_ln, N);
        if (l == lowest && !dx) return;
        memset(full, 0, NW * sizeof(float));
        for (int b = 0; b < B; b++) {
            float *f = full + ((size_t)b * T + a->sel[b]) * W;
            for (int i = 0; i < W; i++) f[i] = ds[(size_t)b * W + i];
        }
        layernorm_backward(full, d_ln, v.x_in, ly->ln1_w, v.ln1_mean, v.ln1_rstd, N, W);
        dres = full;
        l--;
    }
    for (; l >= 0; l--) {
        const clip_layer *ly = &layers[l];
        layer_view v = view(a, l, B, T);
        /* MLP branch: x_out = x_mid + c_proj(quickgelu(c_fc(ln_2(x_mid)))) */
        linear_backward_set_mixed(d_act, dres, ly->proj_w, h ? ly->proj_w16 : NULL, a->scr16, N, 4 * W, W);
        quickgelu_backward_inplace(d_act, v.fc_pre, NW * 4);
        linear_backward_set_mixed(d_ln, d_act, ly->fc_w, h ? ly->fc_w16 : NULL, a->scr16, N, W, 4 * W);
        layernorm_backward(dres, d_ln, v.x_mid, ly->ln2_w, v.ln2_mean, v.ln2_rstd, N, W);
        /* attention branch: x_mid = x_in + out_proj(attn(ln_1(x_in))) */
        /* d attention output */
        linear_backward_set_mixed(d_ln, dres, ly->out_w, h ? ly->out_w16 : NULL, a->scr16, N, W, W);
        float *ta = tap_att(a, l, 0), *tg = tap_att(a, l, 1);
        const int stop = l == lowest && !dx; /* then only the taps are wanted of this block */
        const int need_ln1 = l == a->L - 1 && a->taps && (a->taps->ln1 || a->taps->dln1);
        if (ta) memcpy(ta, v.att, sizeof(float) * (size_t)B * NH * T * T);
        attention_backward_probs(stop && !need_ln1 ? NULL : d_qkv, tg, d_ln, v.qkv, v.att, B, T, W, NH, causal);
        if (stop && !need_ln1) return;
        /* d ln_1 output */
        linear_backward_set_mixed(d_ln, d_qkv, ly->qkv_w, h ? ly->qkv_w16 : NULL, a->scr16, N, W, 3 * W);
        if (l == a->L - 1) tap_ln1(a, ly, v.x_in, d_ln, N);
        if (stop) return;
        layernorm_backward(dres, d_ln, v.x_in, ly->ln1_w, v.ln1_mean, v.ln1_rstd, N, W);
    }
    for (size_t i = 0; i < NW; i++) dx[i] += dres[i];
}
