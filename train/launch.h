/*
 * launch — the checks 'medkg train run' makes before it hands an export to a
 * trainer: the export is complete (every file its manifest lists is there,
 * with the listed size and hash, so nothing was truncated or edited) and
 * current (the store it came from is in the state the manifest recorded, so
 * no report, mention, link or model was added since).
 *
 * Does not: execute the trainer (the front end does, with execvp, so that
 * stage code never replaces the process).
 */
#ifndef MEDKG_TRAIN_LAUNCH_H
#define MEDKG_TRAIN_LAUNCH_H

#include "../common/buf.h"

struct launch_check {
	size_t n_files;          /* files verified */
	int store_checked;       /* 0: the store was not found, so not compared */
	const char *store_path;  /* as recorded (valid until the next call) */
};

/* Check the export in dir. allow_stale: a store that changed since is a
 * warning, not an error. @return 0, or -1 after error(): no export, a
 * corrupted manifest, a missing or changed file, a stale export. */
int launch_check(const char *dir, int allow_stale, struct launch_check *c);

#endif
