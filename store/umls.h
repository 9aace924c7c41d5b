/*
 * umls — load a UMLS release (the RRF files of its META directory) into the
 * store: MRCONSO -> concepts and terms, MRSTY -> semantic types, MRREL ->
 * concept-level triples, MRSAB -> source metadata. Each file may be plain or
 * zstd-compressed (.RRF.zst) and is streamed, never held whole in memory.
 *
 * The whole load is one transaction: on any error nothing is written. Loading
 * the same release with the same filters again changes nothing; a different
 * release (or different filters) is refused unless replace is set, which
 * swaps the UMLS knowledge for the new one while concepts that persist keep
 * their ids (mentions and embeddings of them stay valid).
 *
 * Does not: load MRHIER, MRDEF, MRSAT or MRMAP; read the Metathesaurus'
 * own normalized indexes (medkg normalizes terms itself, see normalize.h).
 */
#ifndef MEDKG_UMLS_H
#define MEDKG_UMLS_H

#include <stdint.h>
#include "store.h"

struct umls_options {
	char **sab;          /* sources to keep; NULL: all */
	char **lang;         /* languages to keep (LAT); NULL: all */
	char **types;        /* semantic types to keep, by TUI or STY name, each with
				its descendants in the type tree; NULL: all */
	int keep_suppressed; /* keep SUPPRESS = O/E/Y rows (default: skip them) */
	int keep_self;       /* keep relations of a concept to itself */
	int lenient;         /* skip malformed rows, count them */
	int replace;         /* replace a different release already loaded */
};

struct umls_stats {
	int64_t conso_rows, conso_kept, concepts, new_concepts;
	int64_t sty_rows, concept_types;
	int64_t rel_rows, rel_kept, triples;
	int64_t sources, malformed;
	int already_loaded;  /* 1 when the same release was loaded before: nothing done */
	double seconds;      /* wall time of the whole load */
	double sec_conso, sec_sty, sec_rel, sec_commit; /* phases; commit includes index builds */
};

/* Load the release in dir (its META directory, or a directory holding META).
 * @return 0, or -1 after error() naming the file and line at fault. */
int umls_load(struct store *st, const char *dir, const struct umls_options *opt,
	      struct umls_stats *stats);

#endif
