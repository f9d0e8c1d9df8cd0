/* regions.c — the five positions and their pixel regions / patch keep-masks. */
#include "data/data.h"

#include <string.h>

typedef struct region_def {
    const char *key, *name;
    region_box box;
} region_def;

static const region_def REGIONS[REGION_COUNT] = {
    {"left", "left lung", {0, 0, 223, 111}},
    {"right", "right lung", {0, 112, 223, 223}},
    {"upper", "upper lung", {0, 0, 119, 223}},
    {"lower", "lower lung", {120, 0, 223, 223}},
    {"whole", "", {0, 0, 223, 223}},
};

static int valid(int position) { return position >= 0 && position < REGION_COUNT; }

const char *regions_name(int position) { return valid(position) ? REGIONS[position].name : NULL; }

const char *regions_key(int position) { return valid(position) ? REGIONS[position].key : NULL; }

int regions_parse(const char *s) {
    if (!s) return -1;
    for (int p = 0; p < REGION_COUNT; p++)
        if (strcmp(s, REGIONS[p].key) == 0 || (REGIONS[p].name[0] && strcmp(s, REGIONS[p].name) == 0)) return p;
    return -1;
}

int regions_box(int position, region_box *box) {
    if (!valid(position)) return -1;
    *box = REGIONS[position].box;
    return 0;
}

int regions_contains(int position, int row, int col) {
    if (!valid(position)) return 0;
    const region_box *b = &REGIONS[position].box;
    return row >= b->top && row <= b->bottom && col >= b->left && col <= b->right;
}

int regions_mask(int position, uint8_t mask[REGION_SIZE * REGION_SIZE]) {
    if (!valid(position)) return -1;
    for (int i = 0; i < REGION_SIZE; i++)
        for (int j = 0; j < REGION_SIZE; j++) mask[i * REGION_SIZE + j] = (uint8_t)regions_contains(position, i, j);
    return 0;
}

int regions_keep_mask(int position, uint8_t keep[REGION_GRID * REGION_GRID]) {
    if (!valid(position)) return -1;
    const region_box *b = &REGIONS[position].box;
    for (int r = 0; r < REGION_GRID; r++)
        for (int c = 0; c < REGION_GRID; c++) {
            /* the cell covers rows [32r, 32r+31] and columns [32c, 32c+31]:
             * ceil(mean) > 0 iff it intersects the box */
            int r0 = r * REGION_CELL, r1 = r0 + REGION_CELL - 1;
            int c0 = c * REGION_CELL, c1 = c0 + REGION_CELL - 1;
            keep[r * REGION_GRID + c] = (uint8_t)(r0 <= b->bottom && r1 >= b->top && c0 <= b->right && c1 >= b->left);
        }
    return 0;
}
