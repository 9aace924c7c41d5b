/*
 * number — the one way medkg reads a number from text: the whole string
 * (no blanks, no trailing characters) as a decimal integer or a finite
 * real within bounds. Options, configuration values, CSV fields and count
 * headers all go through it, so "12x", "", "1e400" and "nan" are refused
 * alike everywhere.
 *
 * Does not: report errors (callers name the file, line or option).
 */
#ifndef MEDKG_NUMBER_H
#define MEDKG_NUMBER_H

#include <stdint.h>

/* s as an integer in [lo, hi]. @return 0 with *out set, or -1. */
int parse_i64(const char *s, int64_t lo, int64_t hi, int64_t *out);
/* s as a non-negative integer up to hi (no sign). @return 0 or -1. */
int parse_u64(const char *s, uint64_t hi, uint64_t *out);
/* s as a finite real in [lo, hi]. @return 0 or -1. */
int parse_f64(const char *s, double lo, double hi, double *out);

#endif
