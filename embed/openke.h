/*
 * openke — the OpenKE benchmark layout, read strictly and written exactly.
 *
 * A benchmark directory holds entity2id.txt and relation2id.txt (first line
 * the count, then "name<TAB>id" lines) and train2id.txt, valid2id.txt,
 * test2id.txt (first line the count, then "head tail relation" lines of
 * integer ids). Reading checks every line: the count header must equal the
 * number of lines, every id must be in range, every entity and relation id
 * must appear exactly once. Files may be zstd-compressed (zio.h). Memory
 * grows with the lines read, never with what a count header claims.
 *
 * Writing produces the layout ARL's trainer reads: entity2id.txt as
 * "key<TAB>id<TAB>name", relation2id.txt as "name<TAB>id", train2id.txt as
 * "h<TAB>t<TAB>r", each with its count header. Each file is written to a
 * temporary name and renamed, so a failed write leaves no partial file.
 *
 * openke_write_model writes those three files and the vectors beside them
 * as ARL keeps them: ent_embeddings.npy and rel_embeddings.npy (npy.h).
 *
 * Does not: train, evaluate, or read the .npy vectors (npy.h).
 */
#ifndef MEDKG_OPENKE_H
#define MEDKG_OPENKE_H

#include "kg.h"

/* Read the benchmark in dir into kg (zeroed by the caller). train2id.txt is
 * required; valid2id.txt and test2id.txt may be absent (their split is
 * then empty). @return 0, or -1 after error("FILE:LINE: problem"); kg holds
 * nothing on failure. */
int openke_read(struct kg *kg, const char *dir);

/* Write "count\n" then "keys[i]\ti[\tnames[i]]\n" for i in [0, n). names may
 * be NULL (two columns then). @return 0 or -1 after error(). */
int openke_write_ids(const char *path, int32_t n, char *const *keys, char *const *names);

/* Write "count\n" then "h\tt\tr\n" per triple. @return 0 or -1. */
int openke_write_triples(const char *path, const struct triple *tr, size_t n);

/* A model in ARL's layout: ids, the training triples, the vectors. */
struct openke_model {
	int32_t n_ent, n_rel;
	char *const *ent_keys, *const *ent_names;  /* (n_ent) CUIs and names */
	char *const *rel_keys;                     /* (n_rel) relation names */
	const struct triple *tr;                   /* (n_tr) in these ids */
	size_t n_tr;
	const float *ent, *rel;                    /* (n_ent, dim), (n_rel, dim) */
	int dim;
};

/* Write entity2id.txt, relation2id.txt, train2id.txt, ent_embeddings.npy
 * and rel_embeddings.npy of m into the existing directory dir.
 * @return 0, or -1 after error() (a file that could not be written). */
int openke_write_model(const char *dir, const struct openke_model *m);

#endif
