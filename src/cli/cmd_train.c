/* cmd_train.c — ppad train: learn PPAD's prompts from a dataset's normal
 * images plus synthetic lesions, evaluate, write the prompt file. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"
#include "base/fileio.h"
#include "cli/cli.h"
#include "ppad/train.h"

static const char *HELP =
    "usage: ppad train --weights W --data DIR --out PROMPTS.pt [options]\n\n"
    "Trains PPAD's prompts (16 x 512 text context + 49 x 768 image prompt) on `shots` normal images of\n"
    "DIR's training split, each drawn with a random position and, with probability 0.5, a synthetic\n"
    "lesion (SAS) in that position's region. Evaluates on the test split (or --test DIR) at the end and\n"
    "every --eval-every epochs, printing ACC, AUC, F1, AP. Defaults are the paper's.\n\n"
    "  --weights W          CheXzero CLIP checkpoint (.pt)\n"
    "  --data DIR           dataset (zhanglab | chexpert | vindr folder, or a CSV manifest)\n"
    "  --layout L           its layout (default: detected)\n"
    "  --out P.pt           trained prompts, written atomically at each evaluation and at the end\n"
    "  --shots N            normal training images drawn (default 64)\n"
    "  --epochs N           (default 100)\n"
    "  --batch N            (default 64; the paper uses 128 on CheXpert, 256 on VinDr)\n"
    "  --lr X               SGD learning rate, cosine-annealed over all steps (default 0.001)\n"
    "  --momentum X         (default 0.9)\n"
    "  --seed S             seed for shots, order, positions and synthesis (default 0)\n"
    "  --synthesis M        sas | fpi | none (default sas; none trains on normals only)\n"
    "  --p-synth X          probability of a synthetic lesion per sample (default 0.5)\n"
    "  --eval-every K       also evaluate (and save) every K epochs (default: only at the end)\n"
    "  --test DIR           evaluate on this dataset's test split instead of DIR's\n"
    "  --test-layout L      its layout (default: detected)\n"
    "  --no-eval            do not evaluate at all\n"
    "  --runs R             train R times with seeds S, S+1, ...; prints each run and mean +- sd\n"
    "                       (R > 1: prompts go to OUT-run1.pt, OUT-run2.pt, ...)\n"
    "  --log FILE           per-step CSV log (step,epoch,lr,loss,n_abnormal,seconds)\n"
    "  --scores FILE        per-image scores of the final evaluation (see ppad test)\n"
    "  --json               final metrics as JSON\n"
    "  --report DIR         also write DIR/report.html and DIR/report.json (see ppad report --help): the\n"
    "                       final evaluation (last run) with CIs, curves, gallery, the loss and lr curves,\n"
    "                       per-run metrics (--runs), the settings and a sample of SAS/FPI lesions drawn\n"
    "                       with the run's synthesis settings\n"
    "  --init P.pt          start from these prompts instead of a fresh initialisation\n"
    "  --no-position        ablation: whole-image prompts only, no image prompt (CoOp-style)\n"
    "  --no-image-prompt    ablation: positions, but no image prompt\n"
    "  --micro-batch M      images per image-tower pass (memory vs speed; default 16)\n"
    "  --precision P        fp32 (default) or bf16: the image tower's matrix products, forward and\n"
    "                       backward, in bfloat16 with fp32 accumulation (AVX512-BF16; fp32 elsewhere,\n"
    "                       and fp32 with a note on CPUs without it). ~1.7x faster steps; the original\n"
    "                       trained with an fp16 backbone. Also used for the evaluations.\n"
    "  --classes A,B / --positions ... / --vocab V   prompt names (see ppad step --help)\n"
    "  --threads N          worker threads (default: all cores)\n"
    "  --quiet              no progress bars\n";

typedef struct eval_ctx {
    cli_session *s;
    const dataset *test;
    const char *out, *scores; /* scores: written at the final evaluation */
    int no_position, quiet, have_final, last_epoch;
    ppad_metrics final;
    double **keep_fused, **keep_probs; /* non-NULL: keep the final evaluation's scores (--report) */
} eval_ctx;

static int on_eval(void *vctx, int epoch, const ppad_params *p, ppad_err *err) {
    eval_ctx *c = vctx;
    if (params_save(p, c->out, err) != 0) return -1;
    if (!c->test) return 0;
    ppad_metrics m;
    int last = epoch == c->last_epoch;
    const char *sp = last ? c->scores : NULL;
    if (cli_eval_dataset_keep(c->s, p, c->test, c->no_position, 0.5, sp, c->quiet, &m, last ? c->keep_fused : NULL,
                              last ? c->keep_probs : NULL, err) != 0)
        return -1;
    fprintf(stderr, "epoch %d: ACC %.1f AUC %.1f F1 %.1f AP %.1f (%s)\n", epoch, 100 * m.acc, 100 * m.auc, 100 * m.f1,
            100 * m.ap, c->out);
    c->final = m;
    c->have_final = 1;
    return 0;
}

/* OUT.pt -> OUT-runK.pt */
static void run_path(char *buf, size_t n, const char *out, int run, int runs) {
    if (runs <= 1) {
        snprintf(buf, n, "%s", out);
        return;
    }
    const char *dot = strrchr(out, '.'), *slash = strrchr(out, '/');
    if (!dot || (slash && dot < slash)) snprintf(buf, n, "%s-run%d", out, run);
    else snprintf(buf, n, "%.*s-run%d%s", (int)(dot - out), out, run, dot);
}

int cmd_train(int argc, char **argv) {
    cli_session_opts so = {.image_prompt = 1};
    ppad_train_opts to;
    train_opts_default(&to);
    const char *data = NULL, *layout = NULL, *out = NULL, *test_dir = NULL, *test_layout = NULL, *log_path = NULL;
    const char *scores = NULL, *init = NULL, *synth = NULL, *report_dir = NULL;
    long threads = 0, runs = 1;
    long long seed = 0;
    int json = 0, no_eval = 0;
    ppad_err err = {{0}};
    for (int i = 1; i < argc; i++) {
        const char *a = argv[i];
        int has = i + 1 < argc;
        if (cli_is_help(a)) { fputs(HELP, stdout); return 0; }
        CLI_SESSION_OPTS(so)
        else if (!strcmp(a, "--data") && has) data = argv[++i];
        else if (!strcmp(a, "--layout") && has) layout = argv[++i];
        else if (!strcmp(a, "--out") && has) out = argv[++i];
        else if (!strcmp(a, "--test") && has) test_dir = argv[++i];
        else if (!strcmp(a, "--test-layout") && has) test_layout = argv[++i];
        else if (!strcmp(a, "--log") && has) log_path = argv[++i];
        else if (!strcmp(a, "--scores") && has) scores = argv[++i];
        else if (!strcmp(a, "--report") && has) report_dir = argv[++i];
        else if (!strcmp(a, "--init") && has) init = argv[++i];
        else if (!strcmp(a, "--synthesis") && has) synth = argv[++i];
        else if (!strcmp(a, "--json")) json = 1;
        else if (!strcmp(a, "--quiet")) to.quiet = 1;
        else if (!strcmp(a, "--no-eval")) no_eval = 1;
        else if (!strcmp(a, "--no-position")) to.no_position = 1;
        CLI_INT_OPT("--shots", 1, 1000000, to.shots)
        CLI_INT_OPT("--epochs", 1, 1000000, to.epochs)
        CLI_INT_OPT("--batch", 1, 100000, to.batch)
        CLI_INT_OPT("--eval-every", 1, 1000000, to.eval_every)
        CLI_INT_OPT("--runs", 1, 1000, runs)
        CLI_INT_OPT("--micro-batch", 1, 4096, so.micro)
        CLI_INT_OPT("--threads", 1, 1024, threads)
        CLI_INT_OPT("--seed", 0, 0x7fffffffffffffffL, seed)
        CLI_DBL_OPT("--lr", to.lr)
        CLI_DBL_OPT("--momentum", to.momentum)
        CLI_DBL_OPT("--p-synth", to.p_synth)
        else return cli_usage("train", "unexpected argument '%s'", a);
    }
    if (!so.weights || !data || !out) return cli_usage("train", "--weights, --data and --out are required");
    if (synth) {
        if (!strcmp(synth, "sas")) to.synthesis = TRAIN_SAS;
        else if (!strcmp(synth, "fpi")) to.synthesis = TRAIN_FPI;
        else if (!strcmp(synth, "none")) to.synthesis = TRAIN_NONE;
        else return cli_usage("train", "--synthesis must be sas, fpi or none, not '%s'", synth);
    }
    if (to.p_synth < 0 || to.p_synth > 1) return cli_usage("train", "--p-synth must be in [0, 1]");
    if (to.no_position) so.image_prompt = 0;
    if (report_dir && no_eval) return cli_usage("train", "--report shows the final evaluation: drop --no-eval");
    cli_report rep;
    const char *inputs[] = {so.weights, data, test_dir, init, out, log_path, scores};
    if (cli_report_prepare(&rep, report_dir, inputs, 7, &err) != 0) return cli_error(&err);
    cli_set_threads(threads);

    int rc = 1;
    dataset d = {0}, td = {0};
    const dataset *test = NULL;
    FILE *log = NULL;
    cli_session s = {0};
    ppad_metrics *results = NULL;
    unsigned long long *seeds = NULL;
    ppad_train_log *logs = NULL;
    char *mem_log = NULL;
    size_t mem_size = 0;
    double *fused = NULL, *probs = NULL;
    report_train_extra extra = {0};
    int n_logs = 0;
    if (dataset_open(&d, data, layout, &err) != 0) goto done;
    if (!no_eval) {
        if (test_dir) {
            if (dataset_open(&td, test_dir, test_layout, &err) != 0) goto done;
            test = &td;
        } else if (d.n_test > 0) {
            test = &d;
        }
        if (test && test->n_test == 0) {
            ppad_fail(&err, "%s: the test dataset has no test images", test_dir);
            goto done;
        }
    }
    if (rep.on && !test) {
        ppad_fail(&err, "%s: no test split to evaluate, so nothing to --report (give --test DIR)", data);
        goto done;
    }
    so.prompts = init;
    so.seed = (unsigned long long)seed;
    if (session_open(&s, &so, &err) != 0) goto done;
    results = ppad_calloc((size_t)runs, sizeof(ppad_metrics), &err);
    seeds = ppad_calloc((size_t)runs, sizeof(unsigned long long), &err);
    logs = ppad_calloc((size_t)runs, sizeof(ppad_train_log), &err);
    if (!results || !seeds || !logs) goto done;
    for (int r = 0; r < runs; r++) {
        char path[4096], lpath[4096], label[32];
        run_path(path, sizeof path, out, r + 1, (int)runs);
        to.seed = (unsigned long long)seed + (unsigned long long)r;
        if (r == 0) extra.seed = to.seed; /* the lesions are drawn with the first run's seed */
        /* fresh prompts per run (or the --init file again) */
        if (init) {
            ppad_params fresh;
            if (params_load(&fresh, init, &err) != 0) goto done;
            memcpy(s.p.block, fresh.block, sizeof(float) * s.p.n);
            params_free(&fresh);
        } else {
            params_init_random(&s.p, to.seed);
        }
        s.p.momentum_init = 0;
        if (log_path) {
            run_path(lpath, sizeof lpath, log_path, r + 1, (int)runs);
            log = fopen(lpath, "w");
            if (!log) {
                ppad_fail(&err, "%s: cannot create the log file", lpath);
                goto done;
            }
        } else if (rep.on) { /* the report's loss curve: the same log, in memory */
            log = open_memstream(&mem_log, &mem_size);
            if (!log) {
                ppad_fail(&err, "out of memory");
                goto done;
            }
        }
        seeds[r] = to.seed;
        snprintf(label, sizeof label, runs > 1 ? "train %d/%ld" : "train", r + 1, runs);
        to.label = label;
        to.log = log;
        eval_ctx ec = {.s = &s, .test = test, .out = path, .no_position = to.no_position, .quiet = to.quiet,
                       .scores = r == runs - 1 ? scores : NULL, .last_epoch = to.epochs};
        if (rep.on && r == runs - 1) ec.keep_fused = &fused, ec.keep_probs = &probs;
        to.on_eval = on_eval;
        to.eval_ctx = &ec;
        if (ppad_train(&s.eng, &s.p, &d, &to, &err) != 0) goto done;
        if (log) fclose(log);
        log = NULL;
        if (rep.on) {
            int lrc = log_path ? trainlog_read(&logs[r], lpath, &err)
                               : trainlog_parse(&logs[r], mem_log, mem_size, "training log", &err);
            free(mem_log);
            mem_log = NULL;
            if (lrc != 0) goto done;
            n_logs = r + 1;
        }
        if (test) {
            results[r] = ec.final;
            if (!json) {
                printf("run %d (seed %llu): ", r + 1, (unsigned long long)to.seed);
                metrics_print_text(stdout, &results[r]);
                fflush(stdout);
            }
        }
        fprintf(stderr, "prompts written to %s\n", path);
    }
    if (test) {
        if (runs > 1) {
            ppad_metrics_stats st;
            if (metrics_mean_sd(&st, results, (int)runs, &err) != 0) goto done;
            if (json) metrics_stats_print_json(stdout, &st);
            else metrics_stats_print_text(stdout, &st);
        } else if (json) {
            metrics_print_json(stdout, &results[0]);
        }
    }
    if (rep.on) {
        report_input in = {.title = "ppad train", .threshold = 0.5, .logs = logs, .n_logs = n_logs, .runs = results,
                           .run_seeds = seeds, .n_runs = (int)runs};
        report_set(&in, "weights", "%s", so.weights);
        report_set(&in, "prompts written", "%s", out);
        if (init) report_set(&in, "initial prompts", "%s", init);
        report_set(&in, "precision", "%s", so.precision ? so.precision : "fp32");
        if (report_add_training(&in, &extra, &to, &d, (int)runs, &err) != 0) goto done;
        cli_report_command(&in, argc, argv, "train");
        if (cli_report_write(&rep, &in, test, fused, probs, &err) != 0) goto done;
    }
    rc = 0;
done:
    if (rc) cli_error(&err);
    if (log) fclose(log);
    free(mem_log);
    for (int i = 0; i < n_logs; i++) trainlog_free(&logs[i]);
    free(logs), free(seeds), free(fused), free(probs);
    report_lesions_free(extra.lesions, extra.n_lesions);
    free(results);
    session_close(&s);
    dataset_free(&d);
    dataset_free(&td);
    return rc;
}
