/*
 * openke — the OpenKE benchmark layout, read strictly and written exactly.
 *
 * A benchmark directory holds entity2id.txt and relation2id.txt (first line
 * the count, then "name<TAB>id" lines) and train2id.txt, valid2id.txt,
 * test2id.txt (first line the count, then "head tail relation" lines of
 * integer ids). Reading checks every line: the count header must equal the
 * number of lines, every id must be in range, every entity and relation id
 * must appear exactly once. Files may be zstd-compressed (zio.h).
 *
 * Writing produces the layout ARL's trainer reads: entity2id.txt as
 * "key<TAB>id<TAB>name", relation2id.txt as "name<TAB>id", train2id.txt as
 * "h<TAB>t<TAB>r", each with its count header. Each file is written to a
 * temporary name and renamed, so a failed write leaves no partial file.
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

#endif
