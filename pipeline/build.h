/*
 * build — the pipeline: the stages of medkg (load -> extract -> link ->
 * embed -> export) run in order from one configuration (config.h), by
 * calling the same library functions as the stage commands.
 *
 * Build ('medkg build'). Every stage has a key: a hash of its settings,
 * of the fingerprints of its input files (files up to 64 MiB hashed whole,
 * larger ones by size and their first and last MiB, as the loaders do) and
 * of the key of the stage before it. A stage that completes records its key
 * in stage_runs; a later build skips every stage whose last recorded key is
 * the one it would run with, so a build interrupted at any moment (kill -9
 * included) resumes from the first stage that did not complete, and an
 * unchanged configuration runs nothing. Each stage is idempotent on its own
 * (loads of the same knowledge change nothing, extraction skips reports it
 * holds, linking links only what has no link, a model trained for a key is
 * found again by that key, the export is rewritten whole), so a stage that
 * completed but was killed before recording it runs again to the same
 * result.
 *
 * Ingest ('medkg ingest'): new report inputs go through extract (reports
 * already held are skipped by their content hash), link, incremental
 * embedding (only the entities that have no vector yet: those that crossed
 * the selection threshold) and an update of the export. It needs a store
 * built with the same configuration.
 *
 * Limits: a build adds and updates, it never removes what left the
 * configuration (reports of an input taken out stay in the store). Stages
 * that medkg was built without are listed as unavailable and skipped.
 *
 * Does not: parse arguments or print (the caller gets each stage's result
 * through a callback and prints it).
 */
#ifndef MEDKG_PIPELINE_BUILD_H
#define MEDKG_PIPELINE_BUILD_H

#include <stdint.h>
#include "config.h"
#include "../common/buf.h"
#include "../store/store.h"

enum { STAGE_LOAD, STAGE_EXTRACT, STAGE_LINK, STAGE_EMBED, STAGE_EXPORT, N_STAGES };

/* What happened to one stage (or would happen, for a plan). */
struct stage_result {
	const char *name;        /* load, extract, link, embed, export */
	int available;           /* 0: this medkg was built without the stage */
	int run;                 /* plan: 1 runs, 0 skipped */
	int done;                /* it ran and completed */
	char key[17];            /* hex */
	struct buf inputs;       /* what the key hashes, one line each */
	struct buf reason;       /* why it runs or is skipped */
	struct buf said;         /* what it did, in one or a few lines */
	struct buf summary;      /* the same as JSON (stage_runs.summary) */
	double seconds;
};

/* What a build or an ingest did, in total. */
struct pipeline_result {
	struct stage_result stage[N_STAGES];
	int64_t reports_read, reports_added, reports_changed, reports_unchanged;
	int64_t mentions;        /* mentions of the reports added or changed */
	int64_t links;           /* mention-region links added */
	int64_t model, parent;   /* the model trained (ingest: 0 when nothing new) */
	int64_t new_entities;    /* ingest: entities trained for the first time */
	char *export_dir;
	size_t files_written, files_kept; /* export: files new or changed, and unchanged */
	double seconds;
};

/* Called after each stage runs or is skipped (for printing). */
typedef void (*pipeline_stage_fn)(void *ctx, const struct stage_result *s);

/* The export directory of a configuration and store: [export] dir, else
 * the store's path without ".db" and with "-export". Caller frees. */
char *pipeline_export_dir(const struct pipeline_config *c, const char *store_path);

/* Work out the plan of a build: keys, and for each stage whether it runs and
 * why. st may be NULL (no store yet: everything runs). @return 0 or -1
 * after error() (an input unreadable). */
int pipeline_plan(struct store *st, const struct pipeline_config *c, struct pipeline_result *r);

/* Build: the plan, then every stage that must run, in order, each recorded
 * in stage_runs when it completes. fn (may be NULL) sees every stage. The
 * store is held first (store_hold): a second build or ingest of the store
 * waits for this one, then plans with what it stored.
 * @return 0, or -1 after error() at the first stage that failed (the stages
 * before it stay recorded; a new build resumes there). */
int pipeline_build(struct store *st, const struct pipeline_config *c, pipeline_stage_fn fn,
		   void *ctx, struct pipeline_result *r);

/* Ingest inputs[0..n) into a store built with c (held as a build holds it).
 * @return 0, or -1 after
 * error(): the store was not built with this configuration (or not at
 * all), an input is missing, or a stage failed. Running it again after a
 * failure or a kill completes it. */
int pipeline_ingest(struct store *st, const struct pipeline_config *c, char *const *inputs,
		    size_t n, pipeline_stage_fn fn, void *ctx, struct pipeline_result *r);

void pipeline_result_release(struct pipeline_result *r);

#endif
