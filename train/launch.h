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

/*
 * ARL (--arl ARL_DIR): ARL reads data/knowledge and, with its pre-training
 * command line, data/pretrain_arrows_umls, relative to its checkout.
 * launch_arl_link makes ARL_DIR/data/knowledge and
 * ARL_DIR/data/pretrain_arrows_umls symbolic links to those of the export
 * (dir, in the ARL layout), replacing earlier links but never a real
 * directory or file. @return 0, or -1 after error() (nothing changed).
 */
int launch_arl_link(const char *dir, const char *arl_dir);
/* Whether dir's checkpoint and arrows (train/python/arl_prepare.py) are
 * missing or were made from other files than the export's now.
 * @return 1 to prepare, 0 when current, -1 after error(). */
int launch_arl_stale(const char *dir);

#endif
