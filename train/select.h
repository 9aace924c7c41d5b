/*
 * select — the export's entity selection and numbering, as a pure function,
 * under one of two rules.
 *
 * ARL's rule (prepro_pretraining_data.py, create_entity_vocab): keep the
 * concepts mentioned MORE than a threshold (20), keep the knowledge-base
 * triples whose head and tail are both kept, in knowledge-base order, and
 * number the entities of those triples by how often they occur in them,
 * most frequent first, ties by descending CUI (Python's sorted(..., reverse
 * = True) on (count, CUI)); relations by (count, name) the same way. The
 * counts are the caller's (ARL counts a mention once per text per frontal
 * image: arl.h).
 *
 * medkg's rule (the medkg layout): keep the concepts mentioned at least
 * min_count times (every mention of the store once), the distinct kept
 * triples sorted by their new ids, ties broken by ascending CUI and
 * relation name, so the numbering depends only on the knowledge and the
 * counts, never on the store's row ids.
 *
 * Updates: given the numbering of a previous export, its entities and
 * relations keep their ids (a trainer's checkpoints index them) and count as
 * kept even when they no longer reach the count ("retained"); new ones are
 * numbered after them by the same rule.
 *
 * select_entities is a pure function. knowledge_select gathers its input
 * from a store (mention counts, the triples among candidates, relation
 * names) and names the result; previous_read reads the numbering of a
 * previous export, from files its manifest vouches for.
 *
 * Does not: write files (export.c), or read embeddings (embed_store.h).
 */
#ifndef MEDKG_TRAIN_SELECT_H
#define MEDKG_TRAIN_SELECT_H

#include <stddef.h>
#include <stdint.h>
#include "manifest.h"
#include "../common/arena.h"
#include "../embed/kg.h"
#include "../store/store.h"

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

/* Which rule, and with what count. */
struct select_rule {
	int64_t min_count;     /* a candidate is mentioned at least this often (ARL:
	                          its threshold + 1) */
	int arl;               /* ARL's order: ties descending, triples in knowledge-base
	                          order */
	/* knowledge_select: the mention count of concept id i is counts[i]
	 * (i < n_counts), instead of the store's mentions; NULL: the store's */
	const int64_t *counts;
	int64_t n_counts;
};

struct selection {
	size_t n_ent;
	int64_t *ent;          /* (n_ent) store concept id of entity i */
	int64_t *ent_freq;     /* (n_ent) occurrences of entity i in the kept triples */
	size_t n_rel;
	int64_t *rel;          /* (n_rel) store relation id of relation i */
	size_t n_edges;
	struct triple *edges;  /* (n_edges) kept triples in the selection's ids: sorted
	                          by (h, t, r) (medkg), in knowledge-base order (ARL) */
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
		    const struct sel_relation *relations, size_t n_relations,
		    const struct select_rule *rule, const int64_t *prev_ent, size_t n_prev_ent,
		    const int64_t *prev_rel, size_t n_prev_rel, struct selection *sel);

/* Free what sel holds; accepts a zeroed struct. */
void selection_release(struct selection *sel);

/* ------------------------------------------------------------ from the store */

/* The numbering of a previous export, which an update keeps. */
struct previous {
	char **ent_keys, **rel_keys;  /* (n_ent), (n_rel) CUIs and relation names, by id */
	size_t n_ent, n_rel;
	int64_t *ent, *rel;           /* (n_ent), (n_rel) their store ids */
};

/* Read the numbering of the export in dir (manifest m): its entity2id.txt
 * and relation2id.txt, which must be as m lists them, resolved to store
 * ids. @return 0 and fills p (release with previous_release), or -1 after
 * error(): a file changed or unlisted, malformed, or naming a concept or
 * relation no longer in the store. */
int previous_read(struct store *st, const char *dir, const struct manifest *m,
		  struct previous *p);
/* Free what p holds; accepts a zeroed struct. */
void previous_release(struct previous *p);

/* A selection read from a store, with the names the export writes. */
struct knowledge {
	struct selection sel;
	struct arena names;           /* CUIs, names and relation names */
	char **ent_cui, **ent_name;   /* (n_ent) tabs and line breaks made spaces */
	char **rel_name;              /* (n_rel) the same */
	int32_t *ent_of;              /* (max_concept + 1) concept id -> entity id, or -1 */
	int64_t max_concept;
};

/* Select from st by rule (and keep the entities of prev, which may be
 * NULL) and name them. @return 0 and fills k (release with
 * knowledge_release, also after an error), or -1 after error(): no
 * mentions, or as select_entities. */
int knowledge_select(struct store *st, const struct select_rule *rule,
		     const struct previous *prev, struct knowledge *k);
void knowledge_release(struct knowledge *k);

#endif
