/*
 * fingerprint — a cheap, stable hash of a file's content (XXH3-64), for
 * telling whether an input changed since it was loaded: the knowledge
 * loaders record one per release file in the store (store/kbload.h), and
 * the pipeline keys its stages by those of their inputs (pipeline/build.h).
 *
 * A file up to whole_max bytes is hashed whole; a larger one by its first
 * and last FINGERPRINT_SAMPLE bytes, so that a 30 GB MRREL costs two reads.
 * The callers differ only in where "large" begins and in whether the size
 * takes part in a sampled hash, and each must keep its choice: the values
 * are recorded in stores and stage keys.
 *
 * Does not: walk directories (pipeline/build.c does), or guard against a
 * change in the middle of a large file that keeps its size and both ends.
 */
#ifndef MEDKG_FINGERPRINT_H
#define MEDKG_FINGERPRINT_H

#include <stdint.h>

#define FINGERPRINT_SAMPLE ((int64_t)1 << 20)

enum {
	FINGERPRINT_SIZE = 1,  /* a sampled hash covers the file's size first */
};

/* Hash the file at path (whole_max >= FINGERPRINT_SAMPLE; flags
 * FINGERPRINT_*). @return 0 with *hash and *size (may be NULL) set, or -1
 * after error() naming the file (cannot open, stat or read it). */
int file_fingerprint(const char *path, int64_t whole_max, unsigned flags, uint64_t *hash,
		     int64_t *size);

/* The XXH3-128 of the first n bytes of a file (all of it when it is
 * shorter) as 32 hex digits, and how many bytes that was. @return 0, or -1
 * after error() naming the file. */
int file_hash_prefix(const char *path, uint64_t n, char hex[33], uint64_t *bytes);
/* The same of the whole file (the export's manifest lists them). */
int file_hash(const char *path, char hex[33], uint64_t *bytes);

/* A 128-bit hash (high and low halves) as 32 lower-case hex digits, the
 * form the manifest lists. */
void hash128_hex(uint64_t high, uint64_t low, char hex[33]);

struct buf;
/* The XXH3-128 of the first n bytes of a file, resumed from resume, the
 * state saved after its first resume_bytes (the file grew since, and those
 * bytes are trusted to be the same): only the bytes after them are read.
 * resume NULL, or a state this build cannot take (saved by another xxhash
 * version, malformed): the whole file is read. The state after the bytes
 * hashed is added to state (when not NULL) as text: the xxhash version,
 * ':', the state in hex. @return 0, or -1 after error() naming the file. */
int file_hash_resume(const char *path, uint64_t n, const char *resume, uint64_t resume_bytes,
		     char hex[33], uint64_t *bytes, struct buf *state);

#endif
