/* prompts.h — PPAD's learnable prompts and the text prompt sequences.
 *
 * Learnable parameters (one block, with their gradients and SGD momentum in
 * the same allocation, separate from the frozen CLIP weights):
 *   ctx       (16, Wt)   text context, replaces the 16 "X" slots of every prompt
 *   mask_emb  (49, Wv)   image prompt, replaces patch tokens outside a region
 *
 * Text prompts, for position p (0..4) and class c (0 normal, 1 anomaly):
 *   "{P} X X X X X X X X X X X X X X X X {C}."  ->  seq index p*2 + c */
#ifndef PPAD_PPAD_PROMPTS_H
#define PPAD_PPAD_PROMPTS_H

#include <stdint.h>

#include "clip/model.h"
#include "formats/torch_pt.h"
#include "ppad.h"
#include "tokenizer/bpe.h"

#define PPAD_NPOS 5
#define PPAD_NCLS 2
#define PPAD_NSEQ (PPAD_NPOS * PPAD_NCLS)
#define PPAD_NCTX 16
#define PPAD_MAXNAME 128

/* Where prompts come from (issue 11): written into the prompt files ppad
 * saves as a top-level dict 'ppad_provenance' of strings, which torch.load
 * reads and the released PPAD layout ignores; read back by params_load.
 * Every field "" when unknown (released files carry none). */
typedef struct ppad_provenance {
    char version[32];     /* ppad's version that wrote the file */
    char origin[32];      /* "ppad train", "init-prompts", "step", "api init" */
    char backbone[512];   /* the backbone checkpoint's path as given */
    char fingerprint[40]; /* "fnv1a64:<16 hex digits>" of the backbone (pt_fingerprint) */
    char config[512];     /* training configuration, "key=value ..." ("" if untrained) */
    char seed[32];
} ppad_provenance;

/* Records that prompts are being made on the backbone at backbone_path
 * (fingerprint: pt_fingerprint of it) by origin; config may be NULL. */
void prov_set(ppad_provenance *pv, const char *backbone_path, uint64_t fingerprint, const char *origin,
              const char *config, unsigned long long seed);
/* The fingerprint text of backbone m ("fnv1a64:..."), into buf (>= 40 bytes). */
void prov_fingerprint_text(char *buf, size_t n, uint64_t fp);
/* Prompts from prompts_path meeting backbone m: 0 when they match or the
 * prompts carry no provenance; 1 when the fingerprints differ (err holds one
 * line naming both files). */
int  prov_check_backbone(const ppad_provenance *pv, const clip_model *m, const char *prompts_path, ppad_err *err);
#define PPAD_PROV_DICT "ppad_provenance"
/* Fills pv from an opened prompt file (fields absent there stay ""). */
void prov_read(ppad_provenance *pv, const pt_file *f);
/* The key/value pairs to write (keys and values: arrays of at least 8); 0 when
 * pv holds no fingerprint (nothing is written then). */
int  prov_write_list(const ppad_provenance *pv, const char **keys, const char **values);

typedef struct ppad_params {
    int n_ctx, text_width, n_patches, vision_width;
    size_t n;          /* floats per set: n_ctx*Wt + n_patches*Wv */
    float *block;      /* (3, n): values | gradients | momentum */
    float *ctx;        /* (n_ctx, Wt) */
    float *mask_emb;   /* (n_patches, Wv) */
    float *d_ctx;      /* (n_ctx, Wt) */
    float *d_mask_emb; /* (n_patches, Wv) */
    float *m_ctx;      /* (n_ctx, Wt) momentum buffer */
    float *m_mask_emb; /* (n_patches, Wv) */
    int momentum_init; /* 0 until the first SGD step has filled the momentum buffers */
    ppad_provenance prov; /* written on save when prov.fingerprint is set */
} ppad_params;

/* 1 if all n floats of x are finite (no NaN, no infinity). */
int  params_finite(const float *x, size_t n);
int  params_alloc(ppad_params *p, int n_ctx, int text_width, int n_patches, int vision_width, ppad_err *err);
void params_free(ppad_params *p);
/* Spec initialisation: ctx ~ N(0, 0.02^2); mask_emb ~ N(0, 0.02^2) * 10. */
void params_init_random(ppad_params *p, uint64_t seed);
/* Checks that the prompts fit the model (widths, 7x7 grid). */
int  params_check_model(const ppad_params *p, const clip_model *m, const char *what, ppad_err *err);

/* Prompt file I/O (torch.save zip format):
 * {'prompt_learner_ctx': {'ctx': (16, Wt)}, 'image_mask_learner': {'mask_embedding': (1, 49, Wv)}}.
 * Reading accepts fp16/bf16/fp32 and skips every other key (the released files'
 * clip_model.* etc.). Writing is fp32 and atomic, and refused (nothing written)
 * when a value is NaN or infinite. */
int params_load(ppad_params *p, const char *path, ppad_err *err);
int params_save(const ppad_params *p, const char *path, ppad_err *err);

/* The names that make up the prompts. Defaults: spec section 2/3. */
typedef struct ppad_names {
    char position[PPAD_NPOS][PPAD_MAXNAME]; /* "left lung", "right lung", "upper lung", "lower lung", "" */
    char cls[PPAD_NCLS][PPAD_MAXNAME];      /* "normal", "pneumonia" */
} ppad_names;
void names_default(ppad_names *n);

/* Tokenised prompt sequences. */
typedef struct ppad_seqs {
    int32_t ids[PPAD_NSEQ][BPE_CONTEXT];
    int eot[PPAD_NSEQ];       /* index of EOT */
    int ctx_start[PPAD_NSEQ]; /* first of the n_ctx context slots */
    int n_ctx;
} ppad_seqs;
/* vocab may be NULL when the names are the default words. */
int seqs_build(ppad_seqs *s, const ppad_names *names, int n_ctx, const bpe *vocab, ppad_err *err);
/* Token embeddings of all sequences with ctx in its slots: emb (NSEQ, context, Wt). */
int seqs_embed(const ppad_seqs *s, const clip_model *m, const float *ctx, float *emb, ppad_err *err);

#endif
