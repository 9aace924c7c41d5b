/*
 * sentences — split a section of a radiology report into sentences, and a
 * sentence into tokens with what separates each token from the one before.
 *
 * A sentence ends at '.', '?' or '!' followed by a blank or the end ("No
 * acute cardiopulmonary process."), at '.' followed directly by a capital
 * after a word ("apex.There"), at a blank line, and before a list item
 * ("1. ... 2. ...", "- ..."). It does not end after an abbreviation
 * ("approx.", "e.g.", "i.e.", "vs."), a single letter, a decimal point
 * ("3.5 cm"), or a list number that opens the sentence. De-identification
 * blanks ("XXXX", "___") are ordinary words or punctuation.
 *
 * Tokens are those of common/normalize.h (token_next): the same as at load
 * time. The gap before a token says whether a dictionary term may continue
 * across it (blanks, hyphen, slash) and whether a negation scope may
 * (commas may, ';' may not).
 *
 * Does not: normalize tokens, or look anything up.
 */
#ifndef MEDKG_SENTENCES_H
#define MEDKG_SENTENCES_H

#include <stddef.h>
#include <stdint.h>

struct span {
	uint32_t start, end;   /* byte offsets [start, end) */
};

/* What lies between a token and the token before it (in the sentence). */
enum gap {
	GAP_SPACE = 0,  /* nothing, or blanks */
	GAP_SLASH,      /* a slash (with blanks): terms continue across it too */
	GAP_JOIN,       /* hyphen, apostrophe, dashes (with blanks) */
	GAP_COMMA,      /* a comma */
	GAP_PUNCT,      /* other punctuation: parentheses, quotes, colon, '.' */
	GAP_STOP,       /* ';' : ends a context scope */
};

/* Split text[start..end) into sentences, appended to *out (grown as needed;
 * *n counts them). Sentences are trimmed and never empty. */
void sentences_split(const char *text, size_t start, size_t end, struct span **out, size_t *n,
		     size_t *cap);

/* Classify the bytes text[a..b) between two tokens. */
enum gap gap_classify(const char *text, size_t a, size_t b);

#endif
