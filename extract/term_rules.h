/*
 * term_rules — the word lists of concept recognition: strings that are never
 * a concept on their own (function words, units, numerals, generic head
 * words) and modifiers that stay out of a concept's span but are recorded on
 * its mention ("sporadic", "familial", "bilateral").
 *
 * The lists are the project's own file, data/lexicon/term_rules.tsv,
 * compiled into medkg, or a file of the same form given with
 * --term-rules: one phrase and its class per line, normalized like terms
 * (so "Diseases" is "disease"). A knowledge-base term whose whole
 * normalized form is a listed phrase of a removing class is left out of the
 * dictionary, unless the term is written in capitals and the phrase is not
 * ("CM", an acronym, stays though "cm" is a unit; "II", listed in capitals,
 * goes). A phrase is listed once.
 *
 * Does not: decide case rules or variants (dict_store.h does, with these
 * lists), or find mentions.
 */
#ifndef MEDKG_TERM_RULES_H
#define MEDKG_TERM_RULES_H

#include <stddef.h>
#include <stdint.h>
#include "dict.h"

enum term_class {
	TERM_FUNCTION = 1,       /* function words: "the", "was", "all" */
	TERM_UNIT,               /* units: "cm", "mg", "ml" */
	TERM_NUMERAL,            /* numerals written as words or roman: "one", "ii" */
	TERM_GENERIC,            /* generic head words: "disease", "syndrome", "finding" */
	TERM_MODIFIER,           /* kept out of a concept, recorded on it: "sporadic" */
	TERM_N_CLASSES
};

/* "function", "unit", "numeral", "generic", "modifier". */
const char *term_class_name(int cls);

struct term_rules {
	struct dict trie;        /* payload: (enum term_class) | TERM_UPPER when the
				  * phrase is written in capitals */
	uint8_t *ends_modifier;  /* by token id of the trie: 1 when a modifier phrase
				  * ends with it (most words before a mention do not) */
	uint8_t *starts_modifier; /* the same for the first word of a modifier phrase */
	size_t max_tokens;       /* the longest phrase, in tokens */
	uint64_t hash;           /* of the file's text: part of the dictionary key */
	size_t n_phrases;
};
#define TERM_UPPER 0x100u

/* Load the lists from path, or the built-in ones when path is NULL.
 * @return 0, or -1 after error() naming file and line (unknown class, a
 * phrase without a word or given twice). */
int term_rules_load(struct term_rules *tr, const char *path);
void term_rules_release(struct term_rules *tr);

/* The class of a whole normalized string norm[0..n) (tokens joined by single
 * spaces): enum term_class, or 0 when it is not listed. upper says the
 * term is written in capitals; such a term matches only phrases written in
 * capitals. */
int term_rules_class(const struct term_rules *tr, const char *norm, size_t n, int upper);

/* Is s[0..n) written in capitals: two capitals at least, no small letter? */
int term_rules_capitals(const char *s, size_t n);

/* Bytes of the leading modifier phrases of norm[0..n) (tokens joined by
 * single spaces), with the space after them: 0 when it starts with none or
 * is nothing but modifiers. */
size_t term_rules_modifier_prefix(const struct term_rules *tr, const char *norm, size_t n);

#endif
