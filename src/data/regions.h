/* regions.h — PPAD's five positions (spec section 3): a name used in the text
 * prompt, a rectangular pixel region on the 224x224 input, and the 7x7 patch
 * keep-mask derived from it.
 *
 *   #  key    name          region (inclusive)
 *   0  left   "left lung"   rows 0-223, columns 0-111
 *   1  right  "right lung"  rows 0-223, columns 112-223
 *   2  upper  "upper lung"  rows 0-119, columns 0-223
 *   3  lower  "lower lung"  rows 120-223, columns 0-223
 *   4  whole  ""            the whole image
 *
 * Regions are always defined on the 224-pixel grid, whatever the size of the
 * image they are applied to (the VinDr quirk: synthesis on a 256-pixel image
 * still draws lesion centres from these 224-pixel boxes). */
#ifndef PPAD_DATA_REGIONS_H
#define PPAD_DATA_REGIONS_H

#include <stdint.h>

#define REGION_COUNT 5
#define REGION_SIZE 224 /* side of the input the regions are defined on */
#define REGION_GRID 7   /* patch grid side (224 / 32) */
#define REGION_CELL 32  /* patch size in pixels */

enum { REGION_LEFT = 0, REGION_RIGHT = 1, REGION_UPPER = 2, REGION_LOWER = 3, REGION_WHOLE = 4 };

/* Inclusive bounding box of a region, in pixels of the 224 grid. */
typedef struct region_box { int top, left, bottom, right; } region_box;

/* Prompt name ("left lung", ..., "" for the whole image); NULL if position is out of range. */
const char *regions_name(int position);
/* Short key used on the command line ("left", "right", "upper", "lower", "whole"); NULL if out of range. */
const char *regions_key(int position);
/* Position for a key (as above) or a prompt name ("left lung", ...); -1 if unknown. */
int regions_parse(const char *s);

/* Fills *box; returns 0, or -1 if position is out of range. */
int regions_box(int position, region_box *box);
/* 1 if pixel (row, col) of the 224 grid lies in the region, else 0 (also 0 for a bad position). */
int regions_contains(int position, int row, int col);
/* 224*224 row-major 0/1 region mask; returns 0, or -1 if position is out of range. */
int regions_mask(int position, uint8_t mask[REGION_SIZE * REGION_SIZE]);

/* 7x7 keep-mask, row-major (patch p = row*7 + col): average pooling of the
 * region mask over 32x32 cells followed by ceil, i.e. keep[p] = 1 iff any
 * pixel of patch p lies in the region. Position 4 keeps all 49. Returns 0, or
 * -1 if position is out of range. */
int regions_keep_mask(int position, uint8_t keep[REGION_GRID * REGION_GRID]);

#endif
