/* pt_pickle.c — restricted pickle interpreter for torch.save's data.pkl (see
 * pt_pickle.h). Values live in one allocation list owned by the interpreter
 * and are freed together; the memo and the stacks hold plain pointers. Every
 * read is bounds-checked against the data, every pop against the current mark. */
#include "formats/pt_pickle.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base/error.h"

#define PKL_MAX_DEPTH 32          /* dict/list nesting when flattening */
#define PKL_MAX_VISITS (1L << 20) /* tensors and containers visited when flattening (shared sub-dicts) */
#define PKL_MAX_TENSORS (1 << 18)
#define PKL_MAX_NAME 4096         /* bytes in a dotted tensor name */

enum { V_NONE, V_BOOL, V_INT, V_BIGINT, V_FLOAT, V_STR, V_BYTES, V_TUPLE, V_LIST, V_DICT, V_GLOBAL, V_STORAGE, V_TENSOR };
static const char *const KIND_NAME[] = {"None", "bool", "int", "int", "float", "str", "bytes", "tuple",
                                        "list", "dict", "global", "storage", "tensor"};

enum { G_ORDERED_DICT, G_REBUILD_TENSOR_V2, G_REBUILD_PARAMETER, G_STORAGE_TYPE };

typedef struct pv {
    struct pv *next; /* allocation list */
    int kind;
    int64_t i;       /* int / bool value, global id, storage index */
    int dtype;       /* storage type of a G_STORAGE_TYPE global */
    char *s;         /* str / bytes (NUL-terminated copy), n bytes */
    size_t n;
    struct pv **items; /* tuple / list items; dict: key, value, key, value ... */
    size_t count, cap;
    pt_tensor *t;    /* tensor view (name unset) */
} pv;

typedef struct vm {
    const unsigned char *d;
    size_t n, pos, op_at;
    pv **stack;
    size_t sp, scap;
    size_t *marks;
    size_t nmarks, mcap;
    pv **memo;   /* indices 0..n (a memo index never exceeds the number of PUT opcodes) */
    size_t memo_cap, memo_used;
    pv *all;
    /* storages, with an open-addressing hash of their keys */
    pt_pkl_storage *st;
    int nst, stcap;
    int *hash;
    size_t hcap;
    ppad_err *err;
} vm;

static int fail_at(vm *m, const char *what) {
    return ppad_fail(m->err, "data.pkl: %s at offset %zu", what, m->op_at);
}

/* ---- values ---- */

static pv *new_value(vm *m, int kind) {
    pv *v = ppad_calloc(1, sizeof *v, m->err);
    if (!v) return NULL;
    v->kind = kind;
    v->next = m->all;
    m->all = v;
    return v;
}

static void free_values(vm *m) {
    for (pv *v = m->all, *nx; v; v = nx) {
        nx = v->next;
        free(v->s);
        free(v->items);
        if (v->t) free(v->t);
        free(v);
    }
    m->all = NULL;
}

static int add_item(vm *m, pv *c, pv *x) {
    if (c->count == c->cap) {
        size_t nc = c->cap ? 2 * c->cap : 8;
        pv **ni = realloc(c->items, nc * sizeof *ni);
        if (!ni) return ppad_fail(m->err, "data.pkl: out of memory");
        c->items = ni;
        c->cap = nc;
    }
    c->items[c->count++] = x;
    return 0;
}

/* ---- stacks ---- */

static int push(vm *m, pv *v) {
    if (!v) return -1;
    if (m->sp == m->scap) {
        size_t nc = m->scap ? 2 * m->scap : 64;
        pv **ns = realloc(m->stack, nc * sizeof *ns);
        if (!ns) return ppad_fail(m->err, "data.pkl: out of memory");
        m->stack = ns;
        m->scap = nc;
    }
    m->stack[m->sp++] = v;
    return 0;
}

static size_t floor_sp(const vm *m) { return m->nmarks ? m->marks[m->nmarks - 1] : 0; }

static pv *pop(vm *m) {
    if (m->sp <= floor_sp(m)) {
        fail_at(m, "stack underflow");
        return NULL;
    }
    return m->stack[--m->sp];
}

static pv *top(vm *m) {
    if (m->sp <= floor_sp(m)) {
        fail_at(m, "stack underflow");
        return NULL;
    }
    return m->stack[m->sp - 1];
}

static int push_mark(vm *m) {
    if (m->nmarks == m->mcap) {
        size_t nc = m->mcap ? 2 * m->mcap : 16;
        size_t *nm = realloc(m->marks, nc * sizeof *nm);
        if (!nm) return ppad_fail(m->err, "data.pkl: out of memory");
        m->marks = nm;
        m->mcap = nc;
    }
    m->marks[m->nmarks++] = m->sp;
    return 0;
}

/* Pops back to the last mark: the items are stack[*from .. sp) until the next push. */
static int pop_mark(vm *m, size_t *from) {
    if (!m->nmarks) return fail_at(m, "no MARK on the stack");
    *from = m->marks[--m->nmarks];
    return 0;
}

/* ---- reading the data ---- */

static int need(vm *m, size_t k) {
    if (k > m->n - m->pos) return fail_at(m, "opcode argument runs past the end of data.pkl");
    return 0;
}

static uint64_t rd_le(vm *m, size_t k) {
    uint64_t v = 0;
    for (size_t i = 0; i < k; i++) v |= (uint64_t)m->d[m->pos + i] << (8 * i);
    m->pos += k;
    return v;
}

static pv *new_string(vm *m, int kind, size_t len) {
    if (len > m->n - m->pos) {
        fail_at(m, "string length runs past the end of data.pkl");
        return NULL;
    }
    pv *v = new_value(m, kind);
    if (!v) return NULL;
    v->s = ppad_malloc(len + 1, m->err);
    if (!v->s) return NULL;
    memcpy(v->s, m->d + m->pos, len);
    v->s[len] = 0;
    v->n = len;
    m->pos += len;
    return v;
}

/* ---- memo ---- */

static int memo_put(vm *m, uint64_t idx) {
    pv *v = top(m);
    if (!v) return -1;
    if (idx >= m->memo_cap) return fail_at(m, "memo index out of range");
    if (!m->memo[idx]) m->memo_used++;
    m->memo[idx] = v;
    return 0;
}

static int memo_get(vm *m, uint64_t idx) {
    if (idx >= m->memo_cap || !m->memo[idx]) return fail_at(m, "memo index not defined");
    return push(m, m->memo[idx]);
}

/* ---- globals ---- */

static const struct {
    const char *module, *name;
    int id, dtype;
} ALLOWED[] = {
    {"collections", "OrderedDict", G_ORDERED_DICT, 0},
    {"torch._utils", "_rebuild_tensor_v2", G_REBUILD_TENSOR_V2, 0},
    {"torch._utils", "_rebuild_parameter", G_REBUILD_PARAMETER, 0},
    {"torch", "FloatStorage", G_STORAGE_TYPE, PT_F32},
    {"torch", "HalfStorage", G_STORAGE_TYPE, PT_F16},
    {"torch", "BFloat16Storage", G_STORAGE_TYPE, PT_BF16},
    {"torch", "DoubleStorage", G_STORAGE_TYPE, PT_F64},
    {"torch", "LongStorage", G_STORAGE_TYPE, PT_I64},
    {"torch", "IntStorage", G_STORAGE_TYPE, PT_I32},
    {"torch", "ShortStorage", G_STORAGE_TYPE, PT_I16},
    {"torch", "CharStorage", G_STORAGE_TYPE, PT_I8},
    {"torch", "ByteStorage", G_STORAGE_TYPE, PT_U8},
    {"torch", "BoolStorage", G_STORAGE_TYPE, PT_BOOL},
};

/* Copies s (length n) for a message: printable ASCII only, at most 80 bytes. */
static void printable(char *out, size_t outsz, const char *s, size_t n) {
    size_t o = 0;
    for (size_t i = 0; i < n && o + 4 < outsz; i++) {
        if (o >= 80) { memcpy(out + o, "...", 3); o += 3; break; }
        unsigned char c = (unsigned char)s[i];
        out[o++] = (c >= 32 && c < 127) ? (char)c : '?';
    }
    out[o] = 0;
}

static int push_global(vm *m, const char *mod, size_t modn, const char *name, size_t namen) {
    for (size_t k = 0; k < sizeof ALLOWED / sizeof ALLOWED[0]; k++) {
        if (strlen(ALLOWED[k].module) == modn && memcmp(ALLOWED[k].module, mod, modn) == 0 &&
            strlen(ALLOWED[k].name) == namen && memcmp(ALLOWED[k].name, name, namen) == 0) {
            pv *v = new_value(m, V_GLOBAL);
            if (!v) return -1;
            v->i = ALLOWED[k].id;
            v->dtype = ALLOWED[k].dtype;
            return push(m, v);
        }
    }
    char a[96], b[96];
    printable(a, sizeof a, mod, modn);
    printable(b, sizeof b, name, namen);
    return ppad_fail(m->err,
                     "data.pkl: refusing global '%s.%s' at offset %zu: only OrderedDict, tensors and storages "
                     "are allowed (the file may contain code)", a, b, m->op_at);
}

/* GLOBAL: "module\nname\n" */
static int op_global(vm *m) {
    const char *s = (const char *)m->d + m->pos;
    size_t left = m->n - m->pos;
    const char *nl1 = memchr(s, '\n', left);
    if (!nl1) return fail_at(m, "GLOBAL without a newline-terminated module");
    const char *s2 = nl1 + 1;
    const char *nl2 = memchr(s2, '\n', left - (size_t)(s2 - s));
    if (!nl2) return fail_at(m, "GLOBAL without a newline-terminated name");
    m->pos += (size_t)(nl2 + 1 - s);
    return push_global(m, s, (size_t)(nl1 - s), s2, (size_t)(nl2 - s2));
}

static int op_stack_global(vm *m) {
    pv *name = pop(m);
    if (!name) return -1;
    pv *mod = pop(m);
    if (!mod) return -1;
    if (name->kind != V_STR || mod->kind != V_STR) return fail_at(m, "STACK_GLOBAL needs two strings");
    return push_global(m, mod->s, mod->n, name->s, name->n);
}

/* ---- storages ---- */

static size_t hash_key(const char *s) {
    size_t h = 1469598103934665603ull;
    for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static int storage_grow(vm *m) {
    size_t nc = m->hcap ? 2 * m->hcap : 64;
    int *nh = malloc(nc * sizeof *nh);
    if (!nh) return ppad_fail(m->err, "data.pkl: out of memory");
    for (size_t i = 0; i < nc; i++) nh[i] = -1;
    for (int k = 0; k < m->nst; k++) {
        size_t h = hash_key(m->st[k].key) & (nc - 1);
        while (nh[h] >= 0) h = (h + 1) & (nc - 1);
        nh[h] = k;
    }
    free(m->hash);
    m->hash = nh;
    m->hcap = nc;
    return 0;
}

/* BINPERSID: ('storage', torch.<T>Storage, key, location, numel) -> storage value */
static int op_persid(vm *m) {
    pv *p = pop(m);
    if (!p) return -1;
    if (p->kind != V_TUPLE || p->count != 5 || p->items[0]->kind != V_STR || strcmp(p->items[0]->s, "storage") != 0)
        return fail_at(m, "persistent id is not ('storage', type, key, location, numel)");
    pv *type = p->items[1], *key = p->items[2], *numel = p->items[4];
    if (type->kind != V_GLOBAL || type->i != G_STORAGE_TYPE)
        return fail_at(m, "persistent id names no torch storage type");
    int key_ok = key->kind == V_STR && key->n > 0 && key->n <= 256;
    for (size_t i = 0; key_ok && i < key->n; i++) key_ok = key->s[i] > 32 && key->s[i] < 127;
    if (!key_ok) return fail_at(m, "persistent id has a malformed storage key");
    if (numel->kind != V_INT || numel->i < 0 || numel->i > INT64_MAX / 8)
        return fail_at(m, "persistent id has an invalid element count");
    if ((size_t)(m->nst + 1) * 2 > m->hcap && storage_grow(m) != 0) return -1;
    size_t h = hash_key(key->s) & (m->hcap - 1);
    int idx = -1;
    for (; m->hash[h] >= 0; h = (h + 1) & (m->hcap - 1)) {
        if (strcmp(m->st[m->hash[h]].key, key->s) == 0) {
            idx = m->hash[h];
            break;
        }
    }
    if (idx >= 0) {
        if ((int)m->st[idx].dtype != type->dtype || m->st[idx].numel != numel->i) {
            char k[96];
            printable(k, sizeof k, key->s, key->n);
            return ppad_fail(m->err, "data.pkl: storage '%s' is declared twice with different types or sizes "
                             "(offset %zu)", k, m->op_at);
        }
    } else {
        if (m->nst == m->stcap) {
            int nc = m->stcap ? 2 * m->stcap : 64;
            pt_pkl_storage *ns = realloc(m->st, (size_t)nc * sizeof *ns);
            if (!ns) return ppad_fail(m->err, "data.pkl: out of memory");
            m->st = ns;
            m->stcap = nc;
        }
        char *kc = ppad_strdup(key->s, m->err);
        if (!kc) return -1;
        idx = m->nst++;
        m->st[idx] = (pt_pkl_storage){.key = kc, .dtype = (pt_dtype)type->dtype, .numel = numel->i};
        m->hash[h] = idx;
    }
    pv *v = new_value(m, V_STORAGE);
    if (!v) return -1;
    v->i = idx;
    return push(m, v);
}

/* ---- REDUCE ---- */

static int int_tuple(vm *m, pv *t, int64_t *out, int *n, const char *what) {
    char msg[96];
    if (t->kind != V_TUPLE) {
        snprintf(msg, sizeof msg, "tensor %s is not a tuple", what);
        return fail_at(m, msg);
    }
    if (t->count > PT_MAX_DIMS) {
        snprintf(msg, sizeof msg, "tensor has %zu dimensions (at most %d supported)", t->count, PT_MAX_DIMS);
        return fail_at(m, msg);
    }
    for (size_t i = 0; i < t->count; i++) {
        if (t->items[i]->kind != V_INT || t->items[i]->i < 0) {
            snprintf(msg, sizeof msg, "tensor %s holds a non-integer or negative entry", what);
            return fail_at(m, msg);
        }
        out[i] = t->items[i]->i;
    }
    *n = (int)t->count;
    return 0;
}

/* _rebuild_tensor_v2(storage, storage_offset, size, stride, requires_grad, backward_hooks[, metadata]) */
static int rebuild_tensor(vm *m, pv *args) {
    if (args->count != 6 && args->count != 7) return fail_at(m, "_rebuild_tensor_v2 called with wrong arguments");
    pv *s = args->items[0], *off = args->items[1];
    if (s->kind != V_STORAGE) return fail_at(m, "_rebuild_tensor_v2 called without a storage");
    if (off->kind != V_INT || off->i < 0) return fail_at(m, "tensor has an invalid storage offset");
    pt_tensor t = {.dtype = m->st[s->i].dtype, .offset = off->i, .storage = (int)s->i};
    int nd_stride = 0;
    if (int_tuple(m, args->items[2], t.shape, &t.ndim, "shape") != 0) return -1;
    if (int_tuple(m, args->items[3], t.stride, &nd_stride, "stride") != 0) return -1;
    if (nd_stride != t.ndim) return fail_at(m, "tensor shape and stride differ in length");
    int64_t numel = 1;
    for (int i = 0; i < t.ndim; i++)
        if (__builtin_mul_overflow(numel, t.shape[i], &numel) || numel > INT64_MAX / 8)
            return fail_at(m, "tensor shape is too large");
    t.numel = numel;
    pv *v = new_value(m, V_TENSOR);
    if (!v) return -1;
    v->t = ppad_malloc(sizeof *v->t, m->err);
    if (!v->t) return -1;
    *v->t = t;
    return push(m, v);
}

static int op_reduce(vm *m) {
    pv *args = pop(m);
    if (!args) return -1;
    pv *fn = pop(m);
    if (!fn) return -1;
    if (fn->kind != V_GLOBAL) return fail_at(m, "REDUCE on something that is not an allowed global");
    if (args->kind != V_TUPLE) return fail_at(m, "REDUCE arguments are not a tuple");
    switch (fn->i) {
    case G_ORDERED_DICT:
        if (args->count != 0) return fail_at(m, "OrderedDict called with arguments");
        return push(m, new_value(m, V_DICT));
    case G_REBUILD_TENSOR_V2:
        return rebuild_tensor(m, args);
    case G_REBUILD_PARAMETER: /* _rebuild_parameter(data, requires_grad, backward_hooks) */
        if (args->count != 3 || args->items[0]->kind != V_TENSOR)
            return fail_at(m, "_rebuild_parameter called with wrong arguments");
        return push(m, args->items[0]);
    default:
        return fail_at(m, "a storage type is called (not supported)");
    }
}

/* ---- containers ---- */

static int make_tuple(vm *m, size_t from) {
    pv *t = new_value(m, V_TUPLE);
    if (!t) return -1;
    for (size_t i = from; i < m->sp; i++)
        if (add_item(m, t, m->stack[i]) != 0) return -1;
    m->sp = from;
    return push(m, t);
}

static int tuple_n(vm *m, size_t k) {
    if (m->sp < floor_sp(m) + k) return fail_at(m, "stack underflow");
    return make_tuple(m, m->sp - k);
}

/* SETITEMS / APPENDS: stack[from..sp) go into the container below the mark. */
static int fill(vm *m, size_t from, int dict) {
    if (from <= floor_sp(m) || from == 0) return fail_at(m, "stack underflow");
    pv *c = m->stack[from - 1];
    if (dict && c->kind != V_DICT) return fail_at(m, "SETITEMS on something that is not a dict");
    if (!dict && c->kind != V_LIST) return fail_at(m, "APPENDS on something that is not a list");
    if (dict && (m->sp - from) % 2) return fail_at(m, "SETITEMS with an odd number of items");
    for (size_t i = from; i < m->sp; i++)
        if (add_item(m, c, m->stack[i]) != 0) return -1;
    m->sp = from;
    return 0;
}

static int op_setitem(vm *m) {
    pv *val = pop(m);
    if (!val) return -1;
    pv *key = pop(m);
    if (!key) return -1;
    pv *d = top(m);
    if (!d) return -1;
    if (d->kind != V_DICT) return fail_at(m, "SETITEM on something that is not a dict");
    return add_item(m, d, key) || add_item(m, d, val) ? -1 : 0;
}

static int op_append(vm *m) {
    pv *val = pop(m);
    if (!val) return -1;
    pv *l = top(m);
    if (!l) return -1;
    if (l->kind != V_LIST) return fail_at(m, "APPEND on something that is not a list");
    return add_item(m, l, val);
}

/* ---- the interpreter loop ---- */

static int run(vm *m, pv **result) {
    while (m->pos < m->n) {
        m->op_at = m->pos;
        unsigned char op = m->d[m->pos++];
        size_t from = 0;
        int rc = 0;
        pv *v;
        switch (op) {
        case 0x80: /* PROTO */
            if (need(m, 1)) return -1;
            if (m->d[m->pos] > 5) return fail_at(m, "unsupported pickle protocol");
            m->pos++;
            break;
        case 0x95: /* FRAME: an 8-byte length; frames are only a read-ahead hint */
            if (need(m, 8)) return -1;
            m->pos += 8;
            break;
        case '}': rc = push(m, new_value(m, V_DICT)); break;
        case ']': rc = push(m, new_value(m, V_LIST)); break;
        case ')': rc = push(m, new_value(m, V_TUPLE)); break;
        case '(': rc = push_mark(m); break;
        case 'X': /* BINUNICODE */
            if (need(m, 4)) return -1;
            rc = push(m, new_string(m, V_STR, (size_t)rd_le(m, 4)));
            break;
        case 0x8c: /* SHORT_BINUNICODE */
            if (need(m, 1)) return -1;
            rc = push(m, new_string(m, V_STR, (size_t)rd_le(m, 1)));
            break;
        case 0x8d: /* BINUNICODE8 */
            if (need(m, 8)) return -1;
            {
                uint64_t len = rd_le(m, 8);
                if (len > m->n) return fail_at(m, "string length runs past the end of data.pkl");
                rc = push(m, new_string(m, V_STR, (size_t)len));
            }
            break;
        case 'B': /* BINBYTES */
            if (need(m, 4)) return -1;
            rc = push(m, new_string(m, V_BYTES, (size_t)rd_le(m, 4)));
            break;
        case 'C': /* SHORT_BINBYTES */
            if (need(m, 1)) return -1;
            rc = push(m, new_string(m, V_BYTES, (size_t)rd_le(m, 1)));
            break;
        case 'q': /* BINPUT */
            if (need(m, 1)) return -1;
            rc = memo_put(m, rd_le(m, 1));
            break;
        case 'r': /* LONG_BINPUT */
            if (need(m, 4)) return -1;
            rc = memo_put(m, rd_le(m, 4));
            break;
        case 0x94: /* MEMOIZE */
            rc = memo_put(m, m->memo_used);
            break;
        case 'h': /* BINGET */
            if (need(m, 1)) return -1;
            rc = memo_get(m, rd_le(m, 1));
            break;
        case 'j': /* LONG_BINGET */
            if (need(m, 4)) return -1;
            rc = memo_get(m, rd_le(m, 4));
            break;
        case 'J': /* BININT: signed 32-bit */
            if (need(m, 4)) return -1;
            if (!(v = new_value(m, V_INT))) return -1;
            v->i = (int32_t)(uint32_t)rd_le(m, 4);
            rc = push(m, v);
            break;
        case 'K': /* BININT1 */
            if (need(m, 1)) return -1;
            if (!(v = new_value(m, V_INT))) return -1;
            v->i = (int64_t)rd_le(m, 1);
            rc = push(m, v);
            break;
        case 'M': /* BININT2 */
            if (need(m, 2)) return -1;
            if (!(v = new_value(m, V_INT))) return -1;
            v->i = (int64_t)rd_le(m, 2);
            rc = push(m, v);
            break;
        case 0x8a: /* LONG1: n-byte little-endian two's complement */
            if (need(m, 1)) return -1;
            {
                size_t k = (size_t)rd_le(m, 1);
                if (need(m, k)) return -1;
                if (!(v = new_value(m, V_INT))) return -1;
                if (k > 8) {
                    v->kind = V_BIGINT; /* kept as an opaque value; never valid tensor metadata */
                    m->pos += k;
                } else if (k > 0) {
                    uint64_t u = rd_le(m, k);
                    if (k < 8 && (u >> (8 * k - 1)) & 1) u |= ~(uint64_t)0 << (8 * k); /* sign-extend */
                    memcpy(&v->i, &u, 8);
                }
            }
            rc = push(m, v);
            break;
        case 'G': /* BINFLOAT: big-endian double */
            if (need(m, 8)) return -1;
            if (!(v = new_value(m, V_FLOAT))) return -1;
            m->pos += 8;
            rc = push(m, v);
            break;
        case 'N': rc = push(m, new_value(m, V_NONE)); break;
        case 0x88: /* NEWTRUE */
        case 0x89: /* NEWFALSE */
            if (!(v = new_value(m, V_BOOL))) return -1;
            v->i = op == 0x88;
            rc = push(m, v);
            break;
        case 'c': rc = op_global(m); break;
        case 0x93: rc = op_stack_global(m); break;
        case 't': /* TUPLE */
            rc = pop_mark(m, &from) || make_tuple(m, from);
            break;
        case 0x85: rc = tuple_n(m, 1); break;
        case 0x86: rc = tuple_n(m, 2); break;
        case 0x87: rc = tuple_n(m, 3); break;
        case 'l': /* LIST from mark */
        case 'd': /* DICT from mark */
            if (pop_mark(m, &from)) return -1;
            if (op == 'd' && (m->sp - from) % 2) return fail_at(m, "DICT with an odd number of items");
            if (!(v = new_value(m, op == 'd' ? V_DICT : V_LIST))) return -1;
            for (size_t i = from; i < m->sp; i++)
                if (add_item(m, v, m->stack[i])) return -1;
            m->sp = from;
            rc = push(m, v);
            break;
        case 'a': rc = op_append(m); break;
        case 'e': rc = pop_mark(m, &from) || fill(m, from, 0); break;
        case 's': rc = op_setitem(m); break;
        case 'u': rc = pop_mark(m, &from) || fill(m, from, 1); break;
        case 'R': rc = op_reduce(m); break;
        case 'Q': rc = op_persid(m); break;
        case 'b': /* BUILD: only state on a dict (OrderedDict _metadata), which is dropped */
            if (!(v = pop(m))) return -1;
            {
                pv *obj = top(m);
                if (!obj) return -1;
                if (obj->kind != V_DICT) return fail_at(m, "BUILD on something that is not a dict");
            }
            break;
        case '0': /* POP */
            rc = pop(m) ? 0 : -1;
            break;
        case '1': /* POP_MARK */
            if (pop_mark(m, &from)) return -1;
            m->sp = from;
            break;
        case '2': /* DUP */
            if (!(v = top(m))) return -1;
            rc = push(m, v);
            break;
        case '.': /* STOP */
            if (!(*result = pop(m))) return -1;
            return 0;
        default: {
            char msg[64];
            snprintf(msg, sizeof msg, "unsupported pickle opcode 0x%02x", op);
            return fail_at(m, msg);
        }
        }
        if (rc) return -1;
    }
    return ppad_fail(m->err, "data.pkl: truncated (ends at offset %zu without STOP)", m->n);
}

/* ---- flattening to dotted names ---- */

typedef struct flat {
    vm *m;
    pt_pkl *out;
    int cap;
    long visits;
    char name[PKL_MAX_NAME + 1];
} flat;

static const char *shape_text(char *buf, size_t n, int nd, const int64_t *v) {
    size_t o = (size_t)snprintf(buf, n, "(");
    for (int i = 0; i < nd && o < n; i++) o += (size_t)snprintf(buf + o, n - o, "%s%lld", i ? ", " : "", (long long)v[i]);
    if (o < n) snprintf(buf + o, n - o, "%s)", nd == 1 ? "," : "");
    return buf;
}

static int emit_tensor(flat *fl, const pt_tensor *t) {
    ppad_err *err = fl->m->err;
    const pt_pkl_storage *s = &fl->m->st[t->storage];
    if (t->offset > s->numel) {
        char a[160];
        return ppad_fail(err, "tensor '%s' (shape %s, offset %lld) starts past the end of its storage '%s' of %lld "
                         "elements", fl->name, shape_text(a, sizeof a, t->ndim, t->shape), (long long)t->offset,
                         s->key, (long long)s->numel);
    }
    if (t->numel > 0) { /* the last element the view touches must lie inside the storage */
        int64_t last = t->offset, step;
        int bad = 0;
        for (int i = 0; i < t->ndim; i++) {
            bad |= __builtin_mul_overflow(t->shape[i] - 1, t->stride[i], &step);
            bad |= __builtin_add_overflow(last, step, &last);
        }
        if (bad || last >= s->numel) {
            char a[160], b[160];
            return ppad_fail(err, "tensor '%s' (shape %s, stride %s, offset %lld) runs past the end of its "
                             "storage '%s' of %lld elements", fl->name, shape_text(a, sizeof a, t->ndim, t->shape),
                             shape_text(b, sizeof b, t->ndim, t->stride), (long long)t->offset, s->key,
                             (long long)s->numel);
        }
    }
    if (fl->out->ntensors == fl->cap) {
        if (fl->cap >= PKL_MAX_TENSORS) return ppad_fail(err, "data.pkl: more than %d tensors", PKL_MAX_TENSORS);
        int nc = fl->cap ? 2 * fl->cap : 64;
        pt_tensor *nt = realloc(fl->out->tensors, (size_t)nc * sizeof *nt);
        if (!nt) return ppad_fail(err, "data.pkl: out of memory");
        fl->out->tensors = nt;
        fl->cap = nc;
    }
    pt_tensor *d = &fl->out->tensors[fl->out->ntensors];
    *d = *t;
    d->name = ppad_strdup(fl->name, err);
    if (!d->name) return -1;
    fl->out->ntensors++;
    return 0;
}

static int walk(flat *fl, pv *v, size_t len, int depth);

/* Keeps a string value under its dotted name; whatever does not fit the
 * limits is skipped (strings are metadata: they never make a file unreadable). */
static int emit_string(flat *fl, pv *v, size_t len, const char *key, size_t keyn) {
    pt_pkl *o = fl->out;
    size_t nl = len + (len ? 1 : 0) + keyn;
    if (o->nstrings >= PKL_MAX_STRINGS || v->n > 4096 || nl > PKL_MAX_NAME || memchr(v->s, 0, v->n) ||
        memchr(key, 0, keyn))
        return 0;
    if (o->nstrings % 16 == 0) {
        pt_pkl_string *ns = realloc(o->strings, sizeof *ns * (size_t)(o->nstrings + 16));
        if (!ns) return ppad_fail(fl->m->err, "data.pkl: out of memory");
        o->strings = ns;
    }
    char *name = malloc(nl + 1), *value = malloc(v->n + 1);
    if (!name || !value) {
        free(name), free(value);
        return ppad_fail(fl->m->err, "data.pkl: out of memory");
    }
    memcpy(name, fl->name, len);
    if (len) name[len] = '.';
    memcpy(name + nl - keyn, key, keyn);
    name[nl] = 0;
    memcpy(value, v->s, v->n);
    value[v->n] = 0;
    o->strings[o->nstrings++] = (pt_pkl_string){name, value};
    return 0;
}

/* Appends ".key" (or "key" at the top) to the name; returns the new length or 0 to skip the entry. */
static int child(flat *fl, pv *v, size_t len, int depth, const char *key, size_t keyn) {
    if (v->kind == V_STR) return emit_string(fl, v, len, key, keyn);
    if (v->kind != V_TENSOR && v->kind != V_DICT && v->kind != V_LIST && v->kind != V_TUPLE) return 0;
    if (++fl->visits > PKL_MAX_VISITS) return ppad_fail(fl->m->err, "data.pkl: too many nested values");
    for (size_t i = 0; i < keyn; i++)
        if ((unsigned char)key[i] < 32 || key[i] == 127)
            return ppad_fail(fl->m->err, "data.pkl: a dict key holding a tensor contains a control character");
    size_t nl = len + (len ? 1 : 0) + keyn;
    if (nl > PKL_MAX_NAME) return ppad_fail(fl->m->err, "data.pkl: a key path is longer than %d bytes", PKL_MAX_NAME);
    if (len) fl->name[len] = '.';
    memcpy(fl->name + nl - keyn, key, keyn);
    fl->name[nl] = 0;
    int rc = v->kind == V_TENSOR ? emit_tensor(fl, v->t) : walk(fl, v, nl, depth + 1);
    fl->name[len] = 0;
    return rc;
}

static int walk(flat *fl, pv *v, size_t len, int depth) {
    if (depth > PKL_MAX_DEPTH) return ppad_fail(fl->m->err, "data.pkl: dicts nested deeper than %d levels", PKL_MAX_DEPTH);
    char num[32];
    if (v->kind == V_DICT) {
        for (size_t i = 0; i + 1 < v->count; i += 2) {
            pv *k = v->items[i], *x = v->items[i + 1];
            int rc = 0;
            if (k->kind == V_STR) {
                rc = child(fl, x, len, depth, k->s, k->n);
            } else if (k->kind == V_INT) {
                int nn = snprintf(num, sizeof num, "%lld", (long long)k->i);
                rc = child(fl, x, len, depth, num, (size_t)nn);
            } /* other key types: skipped */
            if (rc) return -1;
        }
    } else { /* list or tuple: items named by index */
        for (size_t i = 0; i < v->count; i++) {
            int nn = snprintf(num, sizeof num, "%zu", i);
            if (child(fl, v->items[i], len, depth, num, (size_t)nn)) return -1;
        }
    }
    return 0;
}

static int cmp_names(const void *a, const void *b) {
    return strcmp((*(const pt_tensor *const *)a)->name, (*(const pt_tensor *const *)b)->name);
}

static int check_unique(pt_pkl *p, ppad_err *err) {
    if (p->ntensors < 2) return 0;
    const pt_tensor **s = ppad_malloc((size_t)p->ntensors * sizeof *s, err);
    if (!s) return -1;
    for (int i = 0; i < p->ntensors; i++) s[i] = &p->tensors[i];
    qsort(s, (size_t)p->ntensors, sizeof *s, cmp_names);
    int rc = 0;
    for (int i = 1; i < p->ntensors && !rc; i++)
        if (strcmp(s[i - 1]->name, s[i]->name) == 0)
            rc = ppad_fail(err, "data.pkl: two tensors have the name '%s'", s[i]->name);
    free(s);
    return rc;
}

void pt_pickle_free(pt_pkl *p) {
    if (!p) return;
    for (int i = 0; i < p->ntensors; i++) free(p->tensors[i].name);
    free(p->tensors);
    for (int i = 0; i < p->nstorages; i++) free(p->storages[i].key);
    free(p->storages);
    for (int i = 0; i < p->nstrings; i++) free(p->strings[i].name), free(p->strings[i].value);
    free(p->strings);
    memset(p, 0, sizeof *p);
}

int pt_pickle_load(pt_pkl *out, const unsigned char *data, size_t n, ppad_err *err) {
    memset(out, 0, sizeof *out);
    vm m = {.d = data, .n = n, .err = err};
    int rc = -1;
    pv *root = NULL;
    m.memo_cap = n + 1;
    m.memo = calloc(m.memo_cap, sizeof *m.memo);
    if (!m.memo) {
        ppad_fail(err, "data.pkl: out of memory");
        goto done;
    }
    if (run(&m, &root) != 0) goto done;
    if (root->kind != V_DICT) {
        ppad_fail(err, "data.pkl: the saved object is a %s, not a dict of tensors", KIND_NAME[root->kind]);
        goto done;
    }
    /* hand the storage table over before flattening (tensors index it) */
    out->storages = m.st;
    out->nstorages = m.nst;
    m.st = NULL;
    m.nst = 0;
    flat *fl = ppad_calloc(1, sizeof *fl, err);
    if (!fl) goto done;
    fl->m = &m;
    fl->out = out;
    m.st = out->storages; /* read-only view for emit_tensor */
    rc = walk(fl, root, 0, 0);
    m.st = NULL;
    free(fl);
    if (rc == 0) rc = check_unique(out, err);
done:
    if (m.st) {
        for (int i = 0; i < m.nst; i++) free(m.st[i].key);
        free(m.st);
    }
    free(m.hash);
    free(m.memo);
    free(m.stack);
    free(m.marks);
    free_values(&m);
    if (rc != 0) pt_pickle_free(out);
    return rc;
}
