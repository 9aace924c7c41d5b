/*
 * recognize — the concepts of one document: its sentences are tokenized and
 * normalized (common/normalize.h), matched against the extraction
 * dictionary (dict_store.h), and their mentions decided, then the context of
 * each (context.h). Steps, in order:
 *
 * 1. Longest match. At each token the longest dictionary term whose case
 *    pattern fits the text wins (dict_store.h: acronyms and symbols match as
 *    written, short terms in lower case or capitalized), and matching goes on
 *    after it; a shorter term is tried when no concept of the longer one fits
 *    the text's case. A string that is a knowledge-base term of some concept
 *    names only those concepts: variants (variants.h) count only where no
 *    term has the string.
 * 2. Abbreviations. The document's definitions (abbrev.h, Schwartz-Hearst)
 *    give each short form the concept of its long form: the dictionary match
 *    that ends where the long form ends and covers it ("X-linked
 *    adrenoleukodystrophy" for "adrenoleukodystrophy (ALD)"), or starts
 *    inside it after modifiers only. Every occurrence of the short form, as written (a
 *    plural or possessive ending allowed), is a mention of that concept, in
 *    place of what the dictionary would match there unless that is longer;
 *    a short form whose long form names no concept is no mention at all, so
 *    a document's own "AS" is never the knowledge base's "AS".
 * 3. Ambiguity. A match whose string names several concepts (after the case
 *    rules) is decided, in order: by the document (the concepts mentioned
 *    elsewhere in it unambiguously, long forms included: the only one of
 *    them, or the candidates narrowed to them), by the requested semantic
 *    types (--prefer-tui: the candidates narrowed to them), and by the
 *    dictionary's rule (dict_store.h: the term before a variant, exact
 *    synonyms, preferred names, source order, lowest id). Each mention keeps
 *    its number of candidates and what decided it.
 * 4. Modifiers. Words of the term rules' modifier class (term_rules.h)
 *    right before a mention, joined to it by blanks or hyphens and not part
 *    of another mention, are recorded on it; its span stays the concept's.
 * 5. Context (context.h), sentence by sentence.
 *
 * Offsets are bytes of the text; the caller converts them.
 *
 * Does not: read reports, split sections or sentences, or write anything.
 */
#ifndef MEDKG_RECOGNIZE_H
#define MEDKG_RECOGNIZE_H

#include <stddef.h>
#include <stdint.h>
#include "abbrev.h"
#include "context.h"
#include "dict.h"
#include "term_rules.h"
#include "../common/normalize.h"

/* How an ambiguous mention was decided (mentions.decided). */
enum decided {
	DECIDED_NONE = 0,        /* not ambiguous */
	DECIDED_ABBREVIATION,    /* by the document's definition of the short form */
	DECIDED_DOCUMENT,        /* by another mention in the document */
	DECIDED_SEMTYPE,         /* by the requested semantic types */
	DECIDED_RULE,            /* by the dictionary's order */
};

/* "", "abbreviation", "document", "semtype", "rule". */
const char *decided_name(int d);

/* How a mention was matched (mentions.match): "term", its variant classes
 * ("spelling", "inversion+spelling", variants.h), or "abbreviation" (a
 * short form the document defines), appended to out. */
void match_describe(uint32_t flags, int abbreviation, struct buf *out);

struct recognizer {
	const struct dict *dict;       /* the extraction dictionary */
	const struct term_rules *rules;
	const struct lexicon *lex;     /* context triggers */
};

/* A sentence to search: bytes of the text, its number in the report and
 * its section (the caller's index). */
struct rec_sentence {
	uint32_t start, end;
	uint32_t sentence;
	uint16_t section;
};

struct rec_mention {
	uint32_t bstart, bend;         /* bytes of the concept's span */
	uint32_t mod_bstart, mod_bend; /* the modifiers before it; both bstart when none */
	uint32_t concept, term;        /* term: terms.id it came from */
	uint32_t flags;                /* its dictionary candidate's (DICT_C_*) */
	uint32_t sentence;
	uint16_t section;
	uint16_t candidates;           /* concepts the string could name (1: unambiguous) */
	uint8_t decided;               /* enum decided */
	uint8_t abbreviation;          /* 1: a short form defined in the document */
	uint8_t polarity, historical;  /* context.h */
	uint8_t hedge, hypothetical;   /* context.h */
	uint8_t predicate;             /* a predicative finding (context_sentence): no term */
};

/* Scratch reused between documents (zero it first; release with
 * recognize_scratch_release). One per thread. */
struct rec_scratch {
	struct token *tok;
	uint32_t *did, *lid, *rid, *noff;
	uint8_t *gap, *join, *used;
	size_t cap_tok;
	char *norm;
	size_t cap_norm;
	struct rec_sent { uint32_t t0, n; } *sent;
	size_t cap_sent;
	struct abbrev_pair *pairs;
	size_t n_pairs, cap_pairs;
	struct rec_defn *defn;
	size_t cap_defn;
	struct rec_match *m;
	size_t n_m, cap_m;
	uint32_t *seen;                /* open-addressing set of concept ids + 1 */
	size_t cap_seen;
	struct ctx_mention *cm;
	uint32_t *cm_concept;          /* (cap_cm) the concepts of cm */
	size_t cap_cm;
	struct ctx_scratch cs;
};
void recognize_scratch_release(struct rec_scratch *w);

/* The mentions of the sentences s[0..n_s) of text (in text order), appended
 * to (*out)[*n_out..] (grown as needed), in text order. */
void recognize_document(const struct recognizer *r, const char *text, const struct rec_sentence *s,
			size_t n_s, struct rec_scratch *w, struct rec_mention **out, size_t *n_out,
			size_t *cap_out);

#endif
