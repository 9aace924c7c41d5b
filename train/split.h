/*
 * split — which split (train, val, test) a sample belongs to.
 *
 * The input's own split wins: R2Gen and ARL annotation files carry one per
 * report, and extraction stores it in reports.split. A report without one
 * is placed by a hash of (seed, its key) against the --split fractions, so
 * the choice is deterministic, independent of the other reports, and stable
 * when new reports are added (an incremental export never moves a sample).
 * All images of a report share its split, so no report leaks across splits.
 *
 * Does not: read the store or balance the splits exactly (a hash draws each
 * report independently; counts are within sampling noise of the fractions).
 */
#ifndef MEDKG_TRAIN_SPLIT_H
#define MEDKG_TRAIN_SPLIT_H

#include "../common/buf.h"

#include <stddef.h>
#include <stdint.h>

enum { SPLIT_TRAIN, SPLIT_VAL, SPLIT_TEST, N_SPLITS };

/* "train", "val", "test" */
extern const char *const split_names[N_SPLITS];

/* Parse "0.9,0.05,0.05": three fractions summing to 1 (within 1e-6).
 * @return 0, or -1 with why the text is refused appended to why. */
int split_parse(const char *s, double frac[N_SPLITS], struct buf *why);

/* The split an input names: train; val, valid, validation, validate (MIMIC-CXR),
 * dev; test
 * (any case). @return the split, or -1 for anything else (NULL included). */
int split_from_name(const char *name);

/* The split of a report without one: key[0..len) identifies the report
 * (source and external id). @return SPLIT_TRAIN, SPLIT_VAL or SPLIT_TEST. */
int split_draw(const double frac[N_SPLITS], uint64_t seed, const char *key, size_t len);

#endif
