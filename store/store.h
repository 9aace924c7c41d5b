/*
 * store — the medkg store: one SQLite file in WAL mode whose schema is
 * umls_schema.sql (compiled in). Opening creates or migrates it; this module
 * also holds the small helpers every stage uses to talk to it (statements,
 * transactions, meta keys, the ingest log).
 *
 * Several processes may use one store: SQLite's WAL mode lets readers read
 * while one process writes, and a second writer waits for the first (each
 * transaction is BEGIN IMMEDIATE; the wait is bounded by
 * store_busy_timeout_s and said once on stderr). Creating or migrating the
 * schema is one such transaction that reads the version again inside it.
 *
 * Does not: know about any particular knowledge source or report format.
 * Errors are reported with error() naming the store path and returned as -1.
 */
#ifndef MEDKG_STORE_H
#define MEDKG_STORE_H

#include <sqlite3.h>
#include <stdint.h>
#include "../common/buf.h"

#define SCHEMA_VERSION 3

struct store {
	sqlite3 *db;
	char *path;
	int in_tx;
	int said_waiting;        /* the busy handler said it waits (once) */
	double busy_since;
	int hold_fd;             /* store_hold's descriptor, or 0 */
};

/* How long a writer waits for another process's write lock before its
 * statement fails with "database is locked", in seconds (0: not at all).
 * The front end may set it (MEDKG_WAIT). */
#define STORE_BUSY_TIMEOUT_S 3600
extern int store_busy_timeout_s;

enum {
	STORE_CREATE = 1,    /* create the file if missing */
	STORE_READONLY = 2,  /* open read-only; never migrates */
};

/* Open (and create/migrate as flags allow) the store at path.
 * @return 0, or -1 after error(): missing file without STORE_CREATE, not a
 * SQLite file, not a medkg store, or a schema newer than this build. */
int store_open(struct store *st, const char *path, int flags);
/* Hold the store for a run of several stages (the pipeline's build and
 * ingest): a second holder waits for the first (saying so once) up to
 * store_busy_timeout_s, then plans with what the first stored. An advisory
 * lock (flock) on the store file, held until store_close; SQLite's own
 * locks are untouched, so other commands read and write as before.
 * @return 0 or -1 after error(). */
int store_hold(struct store *st);
/* Close; accepts a zeroed or already closed store. Rolls back an open
 * transaction, and releases a hold. */
void store_close(struct store *st);

/* A second connection to st's file, for copying its WAL into the database
 * (store_checkpoint) on another thread while st writes: SQLite lets a
 * checkpoint run beside a writer. NULL when it cannot be opened. The
 * caller closes it (sqlite3_close) before st. */
sqlite3 *store_checkpointer(struct store *st);
/* Copy the frames committed to the WAL into the database file, waiting
 * for no one (SQLITE_CHECKPOINT_PASSIVE); once all are copied, the writer's
 * next transaction starts the WAL again from its beginning. */
void store_checkpoint(sqlite3 *ck);

/* BEGIN IMMEDIATE / COMMIT / ROLLBACK. @return 0 or -1. Rollback never fails
 * loudly and accepts no open transaction. */
int store_begin(struct store *st);
int store_commit(struct store *st);
void store_rollback(struct store *st);

/* Run SQL with no results (may hold several statements). @return 0 or -1. */
int store_exec(struct store *st, const char *sql);
/* Prepare one statement. @return it (caller finalizes) or NULL after error(). */
sqlite3_stmt *store_prepare(struct store *st, const char *sql);
/* Step a statement that returns no rows, then reset it. @return 0 or -1. */
int store_step_done(struct store *st, sqlite3_stmt *s);
/* Report the store's last SQLite error with context. @return -1. */
int store_error(struct store *st, const char *what);

/* A single integer from a query with no parameters; def if it has no row. */
int64_t store_int(struct store *st, const char *sql, int64_t def);

/*
 * The meta table's keys, each named once here (as SQLite names the slots of
 * its database header, BTREE_USER_VERSION ...): a key typed in two modules
 * drifts apart. Every read and write of meta goes through these names.
 */
#define META_KB_GENERATION "kb.generation"   /* bumped by every change of knowledge */
#define META_KB_FINGERPRINT "kb.fingerprint" /* hash chaining every knowledge load */
#define META_LINK_GRID "link.grid"           /* patches per side of the stored patch sets */
/* link's high-water marks (store/mentions.h): every mention up to this id
 * has been looked at for regions / has its patch sets on its report's
 * images (but those link itself queued again: link_int.h) */
#define META_LINK_REGIONS_THROUGH "link.regions_through"
#define META_LINK_PATCHES_THROUGH "link.patches_through"
/* every image up to this id has been through a link run (listed views,
 * sizes, boxes as its inputs gave them): a later change to one of those is
 * a rewrite (META_STORE_REWRITES), one to a newer image is not */
#define META_LINK_IMAGES_THROUGH "link.images_through"
/* the image list link last read whole up to its end: "BYTES HASH
 * REPORTS_THROUGH REWRITES PATH" (link/images.c), and the hashes of the
 * report ids its rows named that the store did not hold */
#define META_LINK_IMAGE_LIST "link.image_list"
#define META_LINK_IMAGE_LIST_UNKNOWN "link.image_list_unknown"
/* the mentions per concept up to a mention id: "THROUGH REWRITES KB_GENERATION
 * id:n id:n ..." (store/mentions.h) */
#define META_MENTION_COUNTS "mentions.counts"
/* the first mention id no mention has had (store/mentions.h) */
#define META_MENTION_NEXT "mentions.next"
/* bumped by every change to what reports already held: a re-extracted
 * report, an image of an existing report redone, resized or newly listed,
 * links dropped (store_note_rewrite); while it and the knowledge generation
 * stay, the store has only grown, and an export may append (train/export.h) */
#define META_STORE_REWRITES "store.rewrites"
/* A store of 'extract --shard I/N': "I/N TOTAL STATE", TOTAL the bytes of
 * the inputs end to end, STATE started (with its first batch) or done (in
 * the run's last transaction); and what a merge output holds of such runs,
 * one line "N TOTAL K" per run: its parts 1 to K (extract/merge.h) */
#define META_SHARD_PART "shard.part"
#define META_SHARDS_MERGED "shard.merged"
/* A knowledge load records its identity under a prefix, META_UMLS,
 * META_MESH or META_OBO "." SAB, as PREFIX "." META_LOAD_* (kbload.h). */
#define META_UMLS "umls"
#define META_MESH "mesh"
#define META_OBO "obo"
#define META_LOAD_FINGERPRINT "fingerprint"  /* the inputs' and options' hash */
#define META_LOAD_RELEASE "release"          /* the release (or file) name */
#define META_LOAD_PARAMS "params"            /* the options, JSON */
#define META_UMLS_RELEASE META_UMLS "." META_LOAD_RELEASE
#define META_MESH_RELEASE META_MESH "." META_LOAD_RELEASE

/* meta table. get: @return 1 and the value appended to out, 0 if absent. */
int store_meta_get(struct store *st, const char *key, struct buf *out);
int store_meta_set(struct store *st, const char *key, const char *value);
/* Remove key (absent: nothing to do). @return 0 or -1. */
int store_meta_delete(struct store *st, const char *key);
/* The integer under key into *v (absent: 0). @return 0 or -1. */
int store_meta_get_int(struct store *st, const char *key, int64_t *v);
/* Add one to the integer under key (absent: 0), in the caller's
 * transaction. @return 0 or -1. */
int store_meta_bump(struct store *st, const char *key);
/* Record that rows reports already had changed (META_STORE_REWRITES).
 * @return 0 or -1. */
int store_note_rewrite(struct store *st);

/* One row of the ingest log, written inside the caller's transaction. */
struct ingest_entry {
	const char *command;    /* "load umls" */
	const char *target;     /* input path(s) */
	const char *params;     /* JSON object, or NULL */
	char started[32];       /* filled by ingest_start */
	double t0;
	int64_t rows_read, rows_written, rows_skipped;
	const char *note;
};
void ingest_start(struct ingest_entry *e, const char *command);
int ingest_finish(struct store *st, struct ingest_entry *e);

/* Bump the knowledge-base generation after any change to concepts, terms or
 * triples (dictionaries and shard merges compare it). @return 0 or -1. */
int store_kb_changed(struct store *st, const char *fingerprint);

#endif
