/*
 * kg — a knowledge graph as the embedding code sees it: entities and
 * relations numbered densely from 0, and triples split into train, valid and
 * test. Both sources of graphs fill it: an OpenKE benchmark directory
 * (openke.h) and the store's triples (embed_store.h).
 *
 * Does not: read or write anything, or know what an entity is; names are
 * optional labels carried along for export and display.
 */
#ifndef MEDKG_KG_H
#define MEDKG_KG_H

#include <stddef.h>
#include <stdint.h>

/* OpenKE's order: head, tail, relation. */
struct triple {
	int32_t h, t, r;
};

enum { KG_TRAIN, KG_VALID, KG_TEST, KG_N_SPLITS };

struct kg {
	int32_t n_ent, n_rel;
	struct triple *split[KG_N_SPLITS];   /* each (n[i]) */
	size_t n[KG_N_SPLITS];
	char **ent_names;                    /* (n_ent) or NULL */
	char **rel_names;                    /* (n_rel) or NULL */
};

/* Free what kg holds (names included); accepts a zeroed struct. */
void kg_release(struct kg *kg);

#endif
