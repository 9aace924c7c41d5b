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
 * Does not: match text (dict.h), or load knowledge (store/).
 */
#ifndef MEDKG_DICT_STORE_H
#define MEDKG_DICT_STORE_H

#include <stdint.h>
#include "dict.h"
#include "../store/store.h"

struct dict_options {
	char **types;            /* semantic types by TUI or name, with descendants; NULL all */
	char **sab;              /* sources, in rank order; NULL: all, ranked by id */
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
};

/* The extraction dictionary of the store, from its cache or built and
 * cached (one transaction). @return 0, or -1 after error(): no knowledge
 * base loaded, an unknown source or semantic type, nothing left after
 * filtering. */
int dict_open(struct store *st, const struct dict_options *o, struct dict *d,
	      struct dict_info *info);

#endif
