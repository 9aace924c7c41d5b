/*
 * query — read-only views of the store for people: the summary printed by
 * 'medkg stats' and the concept card printed by 'medkg show'. Output goes to
 * the FILE given; nothing is written to the store.
 */
#ifndef MEDKG_QUERY_H
#define MEDKG_QUERY_H

#include <stdio.h>
#include "store.h"

/* Counts per table, knowledge loaded, sources, semantic types, relations.
 * top bounds the per-type and per-relation lists. @return 0 or -1. */
int query_stats(struct store *st, FILE *out, int top);

/* Find a concept by CUI (exact) or by a name (normalized match).
 * @return 1 and *id, 0 if none (candidates listed to out when a name is
 * ambiguous: then 0 and *n_candidates > 1), -1 on error. */
int query_find_concept(struct store *st, const char *what, int64_t *id, FILE *out,
		       int *n_candidates);

/* Names, semantic types and relations of a concept; max_rel bounds each
 * relation direction (0: all). @return 0 or -1. */
int query_show(struct store *st, int64_t id, FILE *out, int max_rel);

#endif
