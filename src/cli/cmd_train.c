/* cmd_train.c — ppad train: learn PPAD's prompts from a dataset's normal
 * images plus synthetic lesions, evaluate, write the prompt file. */
#include <errno.h>
#include <json-c/json.h>
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/dist.h"
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
    "  --lr X               SGD learning rate > 0 (default 0.001), cosine-annealed as the authors do:\n"
    "                       CosineAnnealingLR(T_max = epochs) stepped once per iteration, so with more\n"
    "                       than one batch per epoch (shots > batch) it reaches 0 after `epochs` steps\n"
    "                       and rises again\n"
    "  --t-max N            cosine period in iterations instead (epochs x ceil(shots / batch): one\n"
    "                       cosine over all steps)\n"
    "  --momentum X         in [0, 1) (default 0.9)\n"
    "  --seed S             seed for shots, order, positions and synthesis (default 0)\n"
    "  --synthesis M        sas | fpi | none (default sas; none trains on normals only)\n"
    "  --p-synth X          probability of a synthetic lesion per sample, in [0, 1] (default 0.5;\n"
    "                       refused with --synthesis none)\n"
    "  --eval-every K       also evaluate (and save) every K epochs (default: only at the end)\n"
    "  --test DIR           evaluate on this dataset's test split instead of DIR's\n"
    "  --test-layout L      its layout (default: detected)\n"
    "  --no-eval            do not evaluate at all (refused with --scores, --json, --eval-every, --test,\n"
    "                       --report)\n"
    "  --runs R             train R times with seeds S, S+1, ...; prints each run and mean +- sd.\n"
    "                       With R > 1 every file is per run: OUT-runK.pt, LOG-runK.csv, SCORES-runK.csv\n"
    "                       (K = 1..R), and --json holds every run's metrics as well as mean and sd\n"
    "  --parallel P         under MPI (mpirun/srun): steps (default) splits every training step over the\n"
    "                       ranks; runs puts whole runs of --runs R on ranks (run K on rank (K-1) mod N,\n"
    "                       which writes that run's files; the same files as one process)\n"
    "  --log FILE           per-step CSV log (step,epoch,lr,loss,n_abnormal,seconds), one complete\n"
    "                       line per step\n"
    "  --scores FILE        per-image scores of the final evaluation (see ppad test)\n"
    "  --json               final metrics as JSON on stdout\n"
    "  --report DIR         also write DIR/report.html and DIR/report.json (see ppad report --help): the\n"
    "                       final evaluation (last run) with CIs, curves, gallery, the loss and lr curves,\n"
    "                       per-run metrics (--runs), the settings and a sample of SAS/FPI lesions drawn\n"
    "                       with the run's synthesis settings\n"
    "  --init P.pt          start from these prompts instead of a fresh initialisation\n"
    "  --strict             refuse --init prompts whose provenance names another backbone (default: a warning)\n"
    "  --no-position        ablation: whole-image prompts only, no image prompt (CoOp-style)\n"
    "  --no-image-prompt    ablation: positions, but no image prompt\n"
    "  --micro-batch M      images per image-tower pass (memory vs speed; default 16)\n"
    "  --precision P        fp32 (default) or bf16: the image tower's matrix products, forward and\n"
    "                       backward, in bfloat16 with fp32 accumulation (AVX512-BF16; fp32 elsewhere,\n"
    "                       and fp32 with a note on CPUs without it). ~1.7x faster steps; the original\n"
    "                       trained with an fp16 backbone. Also used for the evaluations.\n"
    "  --classes A,B / --positions ... / --vocab V   prompt names (see ppad step --help)\n";

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
    if (dist_root_verdict(dist_root() ? params_save(p, c->out, err) : 0, err) != 0) return -1; /* rank 0 writes */
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

/* OUT.pt -> OUT-runK.pt (or OUT as is for a single run) */
static void run_path(char *buf, size_t n, const char *out, int run, int runs) {
    if (runs <= 1) {
        snprintf(buf, n, "%s", out);
        return;
    }
    const char *dot = strrchr(out, '.'), *slash = strrchr(out, '/');
    if (!dot || (slash && dot < slash)) snprintf(buf, n, "%s-run%d", out, run);
    else snprintf(buf, n, "%.*s-run%d%s", (int)(dot - out), out, run, dot);
}

/* Checks the per-run files of --runs R > 1 (OUT-runK.pt, LOG-runK.csv, SCORES-runK.csv). */
static int check_run_outputs(const cli_ctx *cx, const char *const outs[3], const char *const names[3], int runs,
                             ppad_err *err) {
    if (runs <= 1) return 0;
    for (int r = 1; r <= runs; r++)
        for (int k = 0; k < 3; k++) {
            if (!outs[k]) continue;
            char path[4096];
            run_path(path, sizeof path, outs[k], r, runs);
            int rc = cli_check_output(cx, names[k], path, 0, err);
            if (rc) return rc;
        }
    return 0;
}

static int print_runs_json(const ppad_metrics *results, const ppad_metrics_stats *st, unsigned long long seed,
                           const char *out, const char *scores, int runs, ppad_err *err) {
    json_object *root = metrics_stats_to_json(st), *list = json_object_new_array();
    if (!root || !list) goto oom;
    for (int r = 0; r < runs; r++) {
        char path[4096];
        json_object *o = json_object_new_object(), *m = metrics_to_json(&results[r]);
        if (!o || !m) {
            json_object_put(o), json_object_put(m);
            goto oom;
        }
        json_object_object_add(o, "run", json_object_new_int(r + 1));
        json_object_object_add(o, "seed", json_object_new_uint64(seed + (unsigned long long)r));
        run_path(path, sizeof path, out, r + 1, runs);
        json_object_object_add(o, "prompts", json_object_new_string(path));
        if (scores) {
            run_path(path, sizeof path, scores, r + 1, runs);
            json_object_object_add(o, "scores", json_object_new_string(path));
        }
        json_object_object_add(o, "metrics", m);
        json_object_array_add(list, o);
    }
    json_object_object_add(root, "per_run", list);
    puts(json_object_to_json_string_ext(root, JSON_C_TO_STRING_PLAIN | JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(root);
    return 0;
oom:
    json_object_put(root), json_object_put(list);
    return ppad_fail(err, "out of memory writing the JSON");
}

int cmd_train(int argc, char **argv) {
    cli_session_opts so = {0};
    ppad_train_opts to;
    train_opts_default(&to);
    const char *data = NULL, *layout = NULL, *out = NULL, *test_dir = NULL, *test_layout = NULL, *log_path = NULL;
    const char *scores = NULL, *init = NULL, *report_dir = NULL;
    int runs = 1, json = 0, no_eval = 0, p_synth_given = 0, eval_every_given = 0, parallel = 0;
    long long seed = 0;
    ppad_err err = {{0}};
    cli_image_args ia = {0};
    image_opts io;
    const cli_opt opts[] = {
        CLI_IMAGE_OPTS(ia),
        CLI_SESSION_OPTS(so),
        OPT("--data", OPT_IN, &data, .required = 1),
        OPT("--layout", OPT_STR, &layout),
        OPT("--out", OPT_OUT, &out, .required = 1),
        OPT("--test", OPT_IN, &test_dir),
        OPT("--test-layout", OPT_STR, &test_layout),
        OPT("--log", OPT_OUT, &log_path),
        OPT("--scores", OPT_OUT, &scores),
        OPT("--report", OPT_OUTDIR, &report_dir),
        OPT("--init", OPT_IN, &init),
        OPT("--synthesis", OPT_CHOICE, &to.synthesis, .choices = "sas|fpi|none"),
        OPT("--json", OPT_FLAG, &json),
        OPT("--no-eval", OPT_FLAG, &no_eval),
        OPT("--no-position", OPT_FLAG, &to.no_position),
        OPT("--shots", OPT_INT, &to.shots, .imin = 1, .imax = 1000000),
        OPT("--epochs", OPT_INT, &to.epochs, .imin = 1, .imax = 1000000),
        OPT("--batch", OPT_INT, &to.batch, .imin = 1, .imax = 100000),
        OPT("--eval-every", OPT_INT, &to.eval_every, .imin = 1, .imax = 1000000, .given = &eval_every_given),
        OPT("--runs", OPT_INT, &runs, .imin = 1, .imax = 1000),
        OPT("--parallel", OPT_CHOICE, &parallel, .choices = "steps|runs"),
        OPT("--t-max", OPT_INT, &to.t_max, .imin = 1, .imax = 100000000),
        OPT("--micro-batch", OPT_INT, &so.micro, .imin = 1, .imax = 4096),
        OPT("--seed", OPT_LONG, &seed, .imin = 0, .imax = LLONG_MAX),
        OPT("--lr", OPT_DBL, &to.lr, .dmin = 0, .dmax = INFINITY, .open = OPEN_LO),
        OPT("--momentum", OPT_DBL, &to.momentum, .dmin = 0, .dmax = 1, .open = OPEN_HI),
        OPT("--p-synth", OPT_DBL, &to.p_synth, .dmin = 0, .dmax = 1, .given = &p_synth_given),
        OPT_END};
    const cli_verb verb = {.name = "train", .help = HELP, .opts = opts};
    cli_ctx cx;
    int status;
    char cmdline[1024];
    cli_command_line(cmdline, sizeof cmdline, argc, argv, "train");
    if (cli_parse(&cx, &verb, argc, argv, &status)) return status;
    if ((status = cli_image_opts(&io, &ia, &cx)) != 0) return status;
    to.quiet = cx.quiet;
    if (no_eval) {
        const char *clash = scores ? "--scores" : json ? "--json" : eval_every_given ? "--eval-every"
                          : test_dir ? "--test" : report_dir ? "--report" : NULL;
        if (clash) return cli_usage("train", "--no-eval and %s do not go together (%s needs an evaluation)", clash, clash);
    }
    if (test_layout && !test_dir) return cli_usage("train", "--test-layout applies to --test DIR only");
    if (parallel == 1 && report_dir) return cli_usage("train", "--parallel runs and --report do not go together");
    const int par_runs = parallel == 1 && dist_size() > 1 && runs > 1; /* MPI: whole runs on ranks */
    if (to.synthesis == TRAIN_NONE && p_synth_given)
        return cli_usage("train", "--p-synth does nothing with --synthesis none");
    if (to.no_position) so.no_image_prompt = 1;
    {
        const char *const outs[3] = {out, log_path, scores}, *const names[3] = {"--out", "--log", "--scores"};
        status = dist_root() ? check_run_outputs(&cx, outs, names, runs, &err) : 0;
        if ((status = dist_root_verdict(status, &err)) != 0) /* rank 0 checks, every rank gets the verdict */
            return status == 2 ? cli_usage("train", "%s", err.msg) : cli_error(&err);
    }
    cli_report rep;
    if ((status = cli_report_prepare(&rep, &cx, report_dir, &err)) != 0)
        return status == 2 ? cli_usage("train", "%s", err.msg) : cli_error(&err);

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
    int solo = 0; /* --parallel runs: this rank trains one of its runs alone (base/dist.h dist_solo) */
    if (dataset_open(&d, data, layout, &err) != 0) goto setup_done;
    d.img = io;
    if (cli_check_dataset_outputs(&cx, &d, &err) != 0) {
        cli_usage("train", "%s", err.msg);
        rc = 2;
        goto quiet_done;
    }
    if (!no_eval) {
        if (test_dir) {
            if (dataset_open(&td, test_dir, test_layout, &err) != 0) goto setup_done;
            td.img = io;
            if (cli_check_dataset_outputs(&cx, &td, &err) != 0) {
                cli_usage("train", "%s", err.msg);
                rc = 2;
                goto quiet_done;
            }
            test = &td;
        } else if (d.n_test > 0) {
            test = &d;
        }
        if (test && test->n_test == 0) {
            ppad_fail(&err, "%s: the test dataset has no test images", test_dir);
            goto setup_done;
        }
    }
    if (rep.on && !test) {
        ppad_fail(&err, "%s: no test split to evaluate, so nothing to --report (give --test DIR)", data);
        goto setup_done;
    }
    so.prompts = init;
    so.seed = (unsigned long long)seed;
    if (session_open(&s, &so, &err) != 0) goto setup_done;
    results = ppad_calloc((size_t)runs, sizeof(ppad_metrics), &err);
    seeds = ppad_calloc((size_t)runs, sizeof(unsigned long long), &err);
    logs = ppad_calloc((size_t)runs, sizeof(ppad_train_log), &err);
    if (!results || !seeds || !logs) goto setup_done;
    rc = 0;
setup_done:
    /* every rank opens the inputs; under MPI they agree before any work (base/dist.h) */
    if (dist_agree(rc, &err) != 0) {
        rc = 1;
        goto done;
    }
    rc = 1;
    for (int r = 0; r < runs; r++) {
        char path[4096], lpath[4096], label[32];
        if (par_runs) { /* run r on rank r mod size, which writes its files */
            if (r % dist_size() != dist_rank()) continue;
            dist_solo(1);
            solo = 1;
        }
        run_path(path, sizeof path, out, r + 1, (int)runs);
        to.seed = (unsigned long long)seed + (unsigned long long)r;
        seeds[r] = to.seed;
        if (r == 0) extra.seed = to.seed; /* the lesions are drawn with the first run's seed */
        /* fresh prompts per run (or the --init file again) */
        if (init) {
            ppad_params fresh;
            int lrc = params_load(&fresh, init, &err);
            if (dist_agree(lrc, &err) != 0) {
                if (lrc == 0) params_free(&fresh);
                goto done;
            }
            memcpy(s.p.block, fresh.block, sizeof(float) * s.p.n);
            params_free(&fresh);
        } else {
            params_init_random(&s.p, to.seed);
        }
        s.p.momentum_init = 0;
        int lrc = 0; /* the log and the report's copy of it: rank 0's (MPI) */
        if (log_path && dist_root()) {
            run_path(lpath, sizeof lpath, log_path, r + 1, (int)runs);
            log = fopen(lpath, "w");
            if (!log) lrc = ppad_fail(&err, "%s: cannot create the log file: %s", lpath, strerror(errno));
            else setvbuf(log, NULL, _IOLBF, 0); /* complete lines, even if the run is interrupted */
        } else if (rep.on && dist_root()) { /* the report's loss curve: the same log, in memory */
            log = open_memstream(&mem_log, &mem_size);
            if (!log) lrc = ppad_fail(&err, "out of memory");
        }
        if (dist_root_verdict(lrc, &err) != 0) goto done;
        snprintf(label, sizeof label, runs > 1 ? "train %d/%d" : "train", r + 1, runs);
        to.label = label;
        to.log = log;
        char spath[4096];
        if (scores) run_path(spath, sizeof spath, scores, r + 1, runs);
        eval_ctx ec = {.s = &s, .test = test, .out = path, .no_position = to.no_position, .quiet = to.quiet,
                       .scores = scores ? spath : NULL, .last_epoch = to.epochs};
        if (rep.on && r == runs - 1) ec.keep_fused = &fused, ec.keep_probs = &probs;
        to.on_eval = on_eval;
        to.eval_ctx = &ec;
        if (dist_agree(ppad_train(&s.eng, &s.p, &d, &to, &err), &err) != 0) goto done;
        if (log) fclose(log);
        log = NULL;
        if (rep.on && dist_root()) {
            int lrc = log_path ? trainlog_read(&logs[r], lpath, &err)
                               : trainlog_parse(&logs[r], mem_log, mem_size, "training log", &err);
            free(mem_log);
            mem_log = NULL;
            if (lrc != 0) goto done;
            n_logs = r + 1;
        }
        if (test) {
            results[r] = ec.final;
            if (!json && !par_runs) {
                printf("run %d (seed %llu): ", r + 1, (unsigned long long)to.seed);
                metrics_print_text(stdout, &results[r]);
                fflush(stdout);
            }
        }
        fprintf(stderr, "prompts written to %s\n", path);
        if (solo) dist_solo(0), solo = 0;
    }
    if (par_runs) { /* every rank's runs done: agree, then every run's metrics from its rank */
        if (dist_agree(0, &err) != 0) goto done;
        for (int r = 0; r < runs; r++) dist_bcast(&results[r], sizeof results[r], r % dist_size());
        for (int r = 0; test && !json && r < runs; r++) {
            printf("run %d (seed %llu): ", r + 1, (unsigned long long)seed + (unsigned long long)r);
            metrics_print_text(stdout, &results[r]);
        }
        fflush(stdout);
    }
    if (test) {
        if (runs > 1) {
            ppad_metrics_stats st;
            if (metrics_mean_sd(&st, results, (int)runs, &err) != 0) goto done;
            if (json) {
                if (print_runs_json(results, &st, (unsigned long long)seed, out, scores, runs, &err) != 0) goto done;
            } else {
                metrics_stats_print_text(stdout, &st);
            }
        } else if (json) {
            metrics_print_json(stdout, &results[0]);
        }
    }
    if (rep.on) { /* rank 0 writes it; every rank gets the verdict */
        /* heat maps of the gallery's images (relevance) with the last run's prompts, over the ranks */
        cli_visuals cv = {.s = &s, .p = &s.p, .d = test, .method = EXPLAIN_RELEVANCE, .threshold = 0.5};
        const report_input gal = {.threshold = 0.5};
        int wrc = to.no_position ? 0 : cli_visuals_prepare(&cv, &gal, fused, probs, &err);
        if (wrc == 0 && dist_root()) {
            report_input in = {.title = "ppad train", .threshold = 0.5, .logs = logs, .n_logs = n_logs, .runs = results,
                               .run_seeds = seeds, .n_runs = runs};
            report_set(&in, "weights", "%s", so.weights);
            report_set(&in, "prompts written", "%s", out);
            if (init) report_set(&in, "initial prompts", "%s", init);
            report_set(&in, "precision", "%s", so.precision ? "bf16" : "fp32");
            report_set(&in, "command", "%s", cmdline);
            wrc = report_add_training(&in, &extra, &to, &d, runs, &err);
            if (!to.no_position) in.visuals = cli_report_visuals, in.visuals_ctx = &cv;
            if (wrc == 0) wrc = cli_report_write(&rep, &in, test, fused, probs, &err);
        }
        wrc = dist_root_verdict(wrc, &err);
        cli_visuals_free(&cv);
        if (wrc != 0) goto done;
    }
    rc = 0;
done:
    if (solo) { /* this rank's run failed: the others learn it when their runs are done */
        dist_solo(0);
        dist_agree(1, &err);
    }
    if (rc) cli_error(&err);
quiet_done:
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
