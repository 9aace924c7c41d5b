/*
 * tmpfile — writing a file whole or not at all: the content goes to
 * PATH.tmp, which tmpfile_commit renames over PATH once everything is
 * written and closed. A reader never sees a half-written PATH, and a failed
 * write leaves the previous PATH in place.
 *
 * Usage: struct tmpfile t; FILE *f = tmpfile_open(&t, path); write to f;
 * return tmpfile_commit(&t);
 *
 * Does not: fsync (a crash may lose the new file, never mix the two), or
 * write directories (train/publish.h swaps whole directories).
 */
#ifndef MEDKG_TMPFILE_H
#define MEDKG_TMPFILE_H

#include <stdio.h>
#include "buf.h"

struct tmpfile {
	FILE *f;
	struct buf tmp;         /* PATH.tmp */
	const char *path;       /* borrowed: must outlive the commit */
};

/* Open path.tmp for writing. @return the FILE (also t->f), or NULL after
 * error() (t then holds nothing). */
FILE *tmpfile_open(struct tmpfile *t, const char *path);
/* Close the file and rename it over the path, or remove it on a write
 * error; t holds nothing afterwards. @return 0, or -1 after error(). */
int tmpfile_commit(struct tmpfile *t);

#endif
