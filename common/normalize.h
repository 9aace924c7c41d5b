/*
 * normalize — the one tokenizer and term normalizer of medkg.
 *
 * Knowledge-base terms are normalized with it when they are loaded, and report
 * text is tokenized and normalized with it when concepts are extracted, so a
 * term matches the text exactly when their normalized token sequences agree.
 * Any change here changes what matches: stores record NORMALIZER_VERSION and
 * dictionaries built with another version are rebuilt.
 *
 * Tokens are runs of letters and digits (any byte >= 0x80 of a UTF-8 letter
 * counts as a letter). Kept inside a token: an apostrophe between letters
 * ("crohn's", later reduced to "crohn"), and '.' or ',' between digits
 * ("3.5", "1,000"). Everything else separates tokens: spaces, punctuation,
 * hyphens and slashes ("air-space" is two tokens), and the UTF-8 punctuation
 * blocks (dashes, curly quotes, no-break space, degree and times signs).
 *
 * A token normalizes to: lower case (ASCII and Latin-1 letters), possessive
 * removed, and reduced to its singular by simple rules (opacities -> opacity,
 * effusions -> effusion, masses -> mass) and a table of Latin and Greek
 * plurals (hila -> hilum, apices -> apex, bronchi -> bronchus). Word order and
 * stop words are kept: spans in text must stay contiguous.
 *
 * Does not: stem verbs or derive words (enlarged vs enlargement), expand
 * abbreviations, or spell-correct.
 */
#ifndef MEDKG_NORMALIZE_H
#define MEDKG_NORMALIZE_H

#include <stddef.h>
#include <stdint.h>
#include "buf.h"

#define NORMALIZER_VERSION 1

struct token {
	uint32_t start, end; /* byte offsets into the text: [start, end) */
};

/* Find the next token at or after *pos in s[0..n). @return 1 and fill *t
 * (advancing *pos past it), or 0 when there is none. */
int token_next(const char *s, size_t n, size_t *pos, struct token *t);

/* Normalize one token s[0..n) into out, which must hold n + 8 bytes.
 * @return the normalized length (out is NUL terminated); may be 0 for a token
 * made only of an apostrophe-s. */
size_t token_normalize(const char *s, size_t n, char *out);

/* Normalize a whole string: its tokens, normalized, joined by single spaces,
 * appended to out. @return the number of tokens. */
size_t text_normalize(const char *s, size_t n, struct buf *out);

#endif
