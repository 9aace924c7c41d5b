/*
 * select — ARL's entity selection and numbering, as a pure function.
 *
 * ARL keeps the concepts mentioned at least min_count times in the corpus
 * (20), keeps the knowledge-graph triples whose head and tail are both kept,
 * and numbers the entities of those triples by how often they occur in them,
 * most frequent first. medkg breaks ties by CUI (byte order), so the
 * numbering depends only on the knowledge and the counts, never on the
 * store's row ids. Relations are numbered the same way (frequency in the
 * kept triples, ties by name).
 *
 * Updates: given the numbering of a previous export, its entities and
 * relations keep their ids (a trainer's checkpoints index them) and count as
 * kept even when they no longer reach min_count ("retained"); new ones are
 * numbered after them by the same rule.
 *
 * Does not: read the store or write files (export.c does both).
 */
#ifndef MEDKG_TRAIN_SELECT_H
#define MEDKG_TRAIN_SELECT_H

#include <stddef.h>
#include <stdint.h>
#include "../embed/kg.h"

/* A distinct store triple, in store ids. */
struct sel_triple {
	int64_t h, r, t;
};

/* A concept as the selection sees it: store id, CUI, and how often it is
 * mentioned (0 for a concept only named by a previous export). */
struct sel_concept {
	int64_t id;
	const char *cui;
	int64_t mentions;
};

/* A relation: store id and name. */
struct sel_relation {
	int64_t id;
	const char *name;
};

struct selection {
	size_t n_ent;
	int64_t *ent;          /* (n_ent) store concept id of entity i */
	int64_t *ent_freq;     /* (n_ent) occurrences of entity i in the kept triples */
	size_t n_rel;
	int64_t *rel;          /* (n_rel) store relation id of relation i */
	size_t n_edges;
	struct triple *edges;  /* (n_edges) kept triples in the selection's ids, sorted
	                          by (h, t, r) */
	size_t n_candidates;   /* concepts mentioned >= min_count */
	size_t n_previous;     /* entities carried over from the previous numbering */
	size_t n_retained;     /* previous entities that no longer reach min_count */
};

/*
 * Select and number. concepts[0..n_concepts) are every concept that is
 * mentioned or named by prev_ent (ids unique, any order); triples[0..n) the
 * distinct store triples; relations[0..n_relations) name the relations that
 * occur in them. prev_ent[0..n_prev_ent) are the store ids of a previous
 * export's entities in its id order (entity i kept id i), prev_rel likewise;
 * both may be NULL with a count of 0.
 *
 * @return 0 and fills sel (release with selection_release), or -1 after
 * error(): no concept reaches min_count, no triple joins two kept concepts,
 * or a previous entity or relation unknown to concepts / relations.
 */
int select_entities(const struct sel_concept *concepts, size_t n_concepts,
		    const struct sel_triple *triples, size_t n_triples,
		    const struct sel_relation *relations, size_t n_relations, int64_t min_count,
		    const int64_t *prev_ent, size_t n_prev_ent, const int64_t *prev_rel,
		    size_t n_prev_rel, struct selection *sel);

/* Free what sel holds; accepts a zeroed struct. */
void selection_release(struct selection *sel);

#endif
