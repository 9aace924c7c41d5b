/*
 * dict_store — the extraction dictionary of a store: a trie (dict.h) over
 * the store's terms, filtered by semantic type and source, built once and
 * cached in the store (the trie's block as independent zstd frames of 64
 * MiB, decompressed in parallel). The cache is keyed by the knowledge
 * base's fingerprint (meta META_KB_FINGERPRINT), NORMALIZER_VERSION, the
 * trie's format and the filters; a dictionary is rebuilt when any of them
 * changes, and dictionaries of other knowledge are dropped when a new one
 * is cached.
 *
 * The case rules, decided per term when it is added (dict_cand's case
 * pattern): a knowledge-base abbreviation (term type AB, ACR, AA, AM, OA)
 * matches only in the case the knowledge base writes it; in other terms, a
 * token that is an acronym or symbol (2 to 6 letters all capitals, letters
 * and digits mixed, or capitals after small letters in at most 5
 * characters: "APC", "WT1", "C2", "mRNA") matches only as written; a term
 * of 3 characters or fewer matches in lower case or capitalized only ("rib",
 * "Rib", not "RIB"); a term that is one symbol shaped like a gene symbol
 * (two capitals or more, then digits: "WT1", "BRCA1") names a gene more
 * often than the concept and matches only where the report defines it
 * (recognize.h). Terms of one character, of digits alone, or listed in
 * the term rules are left out. Variants (variants.h) are generated for the
 * terms without case rules. A concept reached by several terms of one
 * normalized string keeps the least restrictive case pattern of them.
 *
 * Candidates are ranked (the documented rule of ambiguity, extract.h): the
 * term itself before a variant, EXACT synonyms before RELATED, BROAD or
 * NARROW ones, preferred names before others, then the sources in --sab
 * order (else the store's), then the lowest concept id.
 *
 * Does not: match text (dict.h), or load knowledge (store/).
 */
#ifndef MEDKG_DICT_STORE_H
#define MEDKG_DICT_STORE_H

#include <stdint.h>
#include "dict.h"
#include "term_rules.h"
#include "variants.h"
#include "../store/store.h"

/* Candidate flags (struct dict_cand.flags) of the extraction dictionary. */
#define DICT_C_VARIANT   0xfffu  /* enum variant_class bits: how the entry was made
				  * from its term (0: the term itself) */
#define DICT_C_ABBREV    0x1000u /* a knowledge-base abbreviation (term type AB, ACR, ...,
				  * or a short form a term defines) */
#define DICT_C_WEAK      0x2000u /* a synonym of scope RELATED, BROAD or NARROW */
#define DICT_C_PREFERRED 0x4000u /* the concept's preferred name in its source */
#define DICT_C_TYPE      0x8000u /* the concept has a semantic type of --prefer-tui */
#define DICT_C_GENE      0x10000u /* a term that is one gene-like symbol ("WT1", "BRCA1"):
				  * matches only where the report defines it */

struct dict_options {
	char **types;            /* semantic types by TUI or name, with descendants; NULL all */
	char **sab;              /* sources, in rank order; NULL: all, ranked by id */
	char **prefer;           /* semantic types that win an ambiguity; NULL: none */
	char *term_rules;        /* term rules file; NULL: the built-in one (term_rules.h) */
};

/* What the dictionary's rules did to the terms read (term_rules.h,
 * variants.h, and the case rules of dict_open). */
struct dict_rule_counts {
	int64_t removed[TERM_N_CLASSES]; /* by a listed phrase, by class */
	int64_t removed_char;    /* a single character */
	int64_t removed_digits;  /* digits and punctuation alone */
	int64_t case_abbrev;     /* knowledge-base abbreviations: their case only */
	int64_t case_symbol;     /* acronyms, symbols ("APC", "WT1", "mRNA"): those tokens exactly */
	int64_t case_short;      /* 3 characters or fewer: lower case or capitalized */
	int64_t variants[VAR_N_CLASSES]; /* variants added, by class (one may have two) */
	int64_t n_variants;      /* variants added */
};

struct dict_info {
	int from_cache;          /* 1: read from the store's cache */
	double seconds;          /* to have it ready (build or read), wall */
	double cpu_seconds;      /* the same, CPU time of the process (all threads) */
	int64_t n_terms;         /* terms read from the store (build only) */
	int64_t n_entries;       /* distinct normalized terms in the trie */
	int64_t n_nodes;
	int64_t bytes, compressed;
	char key[17];            /* cache key, hex */
	char *filters;           /* canonical filter text (caller frees) */
	struct dict_rule_counts rules; /* build only */
};

/* The counts as the JSON object stored with a cached dictionary
 * (dictionaries.rules), appended to out. */
void dict_rule_counts_json(const struct dict_rule_counts *c, struct buf *out);

/* The extraction dictionary of the store, from its cache or built and
 * cached (one transaction). @return 0, or -1 after error(): no knowledge
 * base loaded, an unknown source or semantic type, nothing left after
 * filtering. */
int dict_open(struct store *st, const struct dict_options *o, struct dict *d,
	      struct dict_info *info);

#endif
