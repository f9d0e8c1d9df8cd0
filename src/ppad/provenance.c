/* provenance.c — where prompts come from: the 'ppad_provenance' dict of the
 * prompt files ppad writes (see prompts.h) and the check of prompts against
 * the backbone they meet. */
#include <stdio.h>
#include <string.h>
#include <unistr.h>

#include "base/error.h"
#include "ppad/prompts.h"

/* Copies s, replacing every byte of a non-UTF-8 string's upper half by '?'
 * (pickle strings must be UTF-8; a path need not be). */
static void copy_utf8(char *dst, size_t n, const char *s) {
    snprintf(dst, n, "%s", s);
    if (u8_check((const uint8_t *)dst, strlen(dst)) == NULL) return;
    for (char *p = dst; *p; p++)
        if ((unsigned char)*p >= 0x80) *p = '?';
}

void prov_fingerprint_text(char *buf, size_t n, uint64_t fp) {
    snprintf(buf, n, "fnv1a64:%016llx", (unsigned long long)fp);
}

void prov_set(ppad_provenance *pv, const char *backbone_path, uint64_t fingerprint, const char *origin,
              const char *config, unsigned long long seed) {
    memset(pv, 0, sizeof *pv);
    snprintf(pv->version, sizeof pv->version, "%s", PPAD_VERSION);
    snprintf(pv->origin, sizeof pv->origin, "%s", origin);
    copy_utf8(pv->backbone, sizeof pv->backbone, backbone_path);
    prov_fingerprint_text(pv->fingerprint, sizeof pv->fingerprint, fingerprint);
    if (config) snprintf(pv->config, sizeof pv->config, "%s", config);
    snprintf(pv->seed, sizeof pv->seed, "%llu", seed);
}

int prov_check_backbone(const ppad_provenance *pv, const clip_model *m, const char *prompts_path, ppad_err *err) {
    if (!pv->fingerprint[0]) return 0; /* released files, or files from before provenance */
    char here[40];
    prov_fingerprint_text(here, sizeof here, m->fingerprint);
    if (!strcmp(here, pv->fingerprint)) return 0;
    ppad_fail(err, "%s: these prompts were made on backbone %s (%s), not on %s (%s); their scores may mean nothing",
              prompts_path, pv->backbone[0] ? pv->backbone : "?", pv->fingerprint, m->path, here);
    return 1;
}

/* The dict's keys, in the order written. */
#define PROV_N 6
static const char *const PROV_KEYS[PROV_N] = {"version", "origin", "backbone", "backbone_fingerprint", "config",
                                              "seed"};

static char *prov_field(ppad_provenance *pv, int i) {
    char *const f[PROV_N] = {pv->version, pv->origin, pv->backbone, pv->fingerprint, pv->config, pv->seed};
    return f[i];
}
static const char *prov_cfield(const ppad_provenance *pv, int i) {
    const char *const f[PROV_N] = {pv->version, pv->origin, pv->backbone, pv->fingerprint, pv->config, pv->seed};
    return f[i];
}
static size_t prov_size(int i) {
    static const ppad_provenance z;
    const size_t s[PROV_N] = {sizeof z.version, sizeof z.origin, sizeof z.backbone, sizeof z.fingerprint,
                              sizeof z.config, sizeof z.seed};
    return s[i];
}

void prov_read(ppad_provenance *pv, const pt_file *f) {
    memset(pv, 0, sizeof *pv);
    for (int i = 0; i < PROV_N; i++) {
        char name[64];
        snprintf(name, sizeof name, PPAD_PROV_DICT ".%s", PROV_KEYS[i]);
        const char *v = pt_string(f, name);
        if (v) snprintf(prov_field(pv, i), prov_size(i), "%s", v);
    }
}

int prov_write_list(const ppad_provenance *pv, const char **keys, const char **values) {
    if (!pv->fingerprint[0]) return 0;
    for (int i = 0; i < PROV_N; i++) {
        keys[i] = PROV_KEYS[i];
        values[i] = prov_cfield(pv, i);
    }
    return PROV_N;
}
