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

/* Mentions by polarity and the most mentioned concepts (top); prints
 * nothing when the store has no mentions. @return 0 or -1. */
int query_mention_stats(struct store *st, FILE *out, int top);

/* Print every report with this external id (of one source, when source is
 * not NULL): its text with each mention marked "[surface](n)", then the
 * mentions (offsets, section, sentence, polarity, concept). *n_found counts
 * the reports printed. @return 0 or -1. */
int query_mentions(struct store *st, const char *external_id, const char *source, FILE *out,
		   int *n_found);

#endif
