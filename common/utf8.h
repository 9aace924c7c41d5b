/*
 * utf8 — validation of UTF-8 input, as the knowledge-base loaders and the
 * report readers require of every line before it reaches the store.
 *
 * Does not: decode, normalize or repair text (normalize.h folds case and
 * punctuation; bad input is reported, not fixed).
 */
#ifndef MEDKG_UTF8_H
#define MEDKG_UTF8_H

#include <stddef.h>

/* Check that s[0..n) is valid UTF-8 (shortest forms, no surrogates, nothing
 * above U+10FFFF) without NUL bytes. @return 1 if valid, else 0 with *bad
 * (may be NULL) set to the offset of the first bad byte. */
int utf8_valid(const char *s, size_t n, size_t *bad);

#endif
