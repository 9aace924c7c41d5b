/*
 * manifest — the manifest.json of an export: what was exported, from which
 * store and with which parameters, and the size and XXH3-128 hash of every
 * file written. 'train export --update' reads it to keep entity ids and
 * parameters; 'train run' reads it to check the export is complete and
 * unmodified before launching a trainer.
 *
 * The manifest is a JSON object (jansson reads and writes it):
 *   format "medkg-train-export", version 1, schema_version, store {path,
 *   state}, model {...}, parameters {...}, counts {...}, sources [...],
 *   files {"relative/path": {"bytes": N, "xxh3_128": "32 hex digits"}}.
 *
 * The export writes it (manifest_write) from its options and counts, and
 * an update takes back the options not given again (manifest_inherit).
 *
 * Does not: decide what is exported (export.c), or execute anything.
 */
#ifndef MEDKG_TRAIN_MANIFEST_H
#define MEDKG_TRAIN_MANIFEST_H

#include <jansson.h>
#include <stddef.h>
#include <stdint.h>
#include "export.h"
#include "../common/fingerprint.h" /* file_hash */

#define MANIFEST_FORMAT "medkg-train-export"
#define MANIFEST_VERSION 2 /* 2: parameters as the export's parameter table writes them */
#define MANIFEST_NAME "manifest.json"

/* Every file an export of o's layout may hold, relative to it (the ARL
 * layout's data files are named after its dataset); the manifest lists
 * those present. @return a NULL-terminated list (strlist_free). */
char **export_file_list(const struct export_options *o);

struct manifest_file {
	const char *path;      /* relative to the export directory (points into root) */
	uint64_t bytes;
	const char *hash;      /* 32 lower-case hex digits (points into root) */
	const char *state;     /* "xxh3_state": the hash's state after the file (a file an
	                          append extends), or NULL */
};

struct manifest {
	json_t *root;
	struct manifest_file *files;
	size_t n_files;
	const char *store_path;   /* store.path (points into root) */
	const char *store_state;  /* store.state */
	json_t *parameters;       /* borrowed from root */
	int has_base;             /* "append" was read into base */
	struct export_base base;
	int64_t schema_version;
};


/* Read dir/manifest.json and check its form (format, version, every field
 * used, every file entry well formed and inside dir). @return 1 and fills m
 * (release with manifest_release), 0 when there is no manifest, or -1 after
 * error() saying what is wrong with it. */
int manifest_read(const char *dir, struct manifest *m);
void manifest_release(struct manifest *m);

/* The entry for a relative path, or NULL. */
const struct manifest_file *manifest_find(const struct manifest *m, const char *path);

/* Check that every file the manifest lists is in dir with its size and
 * hash. @return 0, or -1 after error() naming the first missing or changed
 * file. */
int manifest_verify(const char *dir, const struct manifest *m);

/* The input collections of st, for "sources": per source, its reports and
 * the sum (mod 2^64) of a hash of each report's id and content hash
 * (XXH3-64 of external_id NUL hash NUL), as "xxh3_64_sum". The sum
 * does not depend on the order of the reports, so an append adds the
 * reports after id after to the sources of an earlier manifest (from; NULL
 * or after 0: every report). @return a new JSON array (caller decrefs), or
 * NULL after error(). */
json_t *manifest_sources(struct store *st, const json_t *from, int64_t after);

/* Write dir/manifest.json for an export of st, now in state state (the
 * export's options o, counts s, the model's creation time and the sources
 * array, borrowed), hashing every file of export_file_list present in dir.
 * The files named in growable (NULL-terminated: those an append extends)
 * get the state of their hash saved; with resume (the previous export's
 * manifest, when this export appended to its files in place) their hash
 * goes on from the state it saved, reading only the bytes added.
 * @return 0, or -1 after error(). */
int manifest_write(const char *dir, struct store *st, const char *state,
		   const struct export_options *o, const struct export_stats *s,
		   const char *model_created, json_t *sources, char *const *growable,
		   const struct manifest *resume);

/* The sample counts of a manifest (reports, images, samples per split,
 * mentions, ...) back into s, for an append to add to. @return 0, or -1
 * after error() when one is missing. */
int manifest_counts(const struct manifest *m, struct export_stats *s);
/* Whether the manifest's parameters equal those o and grid would write. */
int manifest_same_parameters(const struct manifest *m, const struct export_options *o, int grid);

/* Take from a previous manifest's parameters (p, of the manifest at path)
 * every option o has not been given again (o->given), through the export's
 * parameter table: o must own its strings and lists (params_copy).
 * @return 0, or -1 after error() (a parameter of the wrong form). */
int manifest_inherit(const char *path, json_t *p, struct export_options *o);

#endif
