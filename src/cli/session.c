/* session.c — what every PPAD verb sets up: model, vocabulary, prompt names,
 * prompts (from a file or freshly initialised) and the engine. */
#include <stdio.h>
#include <string.h>

#include "base/error.h"
#include "cli/cli.h"

int cli_apply_precision(ppad_model *m, int precision, ppad_err *err) {
    int rc = ppad_set_precision(m, precision ? "bf16" : "fp32", err);
    if (rc < 0) return -1;
    if (rc == 0 && precision)
        fprintf(stderr, "ppad: note: this CPU has no AVX512-BF16 instructions; computing in fp32 instead\n");
    return 0;
}

int cli_check_backbone(const ppad_params *p, const ppad_model *m, const char *path, int strict, ppad_err *err) {
    ppad_err why;
    if (!prov_check_backbone(&p->prov, m, path, &why)) return 0;
    if (strict) return ppad_fail(err, "%s (refused: --strict)", why.msg);
    fprintf(stderr, "ppad: warning: %s (--strict refuses)\n", why.msg);
    return 0;
}

int session_open(cli_session *s, const cli_session_opts *o, ppad_err *err) {
    memset(s, 0, sizeof *s);
    if (cli_names(&s->names, o->classes, o->positions, err) != 0) return -1;
    if (ppad_model_load(&s->m, o->weights, err) != 0) return -1;
    if (cli_apply_precision(s->m, o->precision, err) != 0) goto fail;
    if (o->prompts) {
        if (params_load(&s->p, o->prompts, err) != 0) goto fail;
        if (params_check_model(&s->p, s->m, o->prompts, err) != 0) goto fail;
        if (cli_check_backbone(&s->p, s->m, o->prompts, o->strict, err) != 0) goto fail;
    } else {
        if (params_alloc(&s->p, PPAD_NCTX, s->m->cfg.text_width, s->m->cfg.n_patches, s->m->cfg.vision_width, err) != 0)
            goto fail;
        params_init_random(&s->p, o->seed);
    }
    {
        ppad_err verr;
        if (ppad_vocab_load(&s->vocab, o->vocab, o->weights, &verr) != 0 && o->vocab) {
            *err = verr;
            goto fail;
        }
    }
    if (seqs_build(&s->seqs, &s->names, s->p.n_ctx, s->vocab, err) != 0) goto fail;
    if (engine_init(&s->eng, s->m, &s->seqs, o->micro > 0 ? o->micro : 16, !o->no_image_prompt, err) != 0) goto fail;
    return 0;
fail:
    session_close(s);
    return -1;
}

void session_close(cli_session *s) {
    engine_free(&s->eng);
    params_free(&s->p);
    ppad_vocab_free(s->vocab);
    ppad_model_free(s->m);
    memset(s, 0, sizeof *s);
}
