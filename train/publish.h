/*
 * publish — a directory written whole or not at all: the new content is
 * written into a temporary directory beside the target and swapped into
 * place at the end (an atomic exchange where the kernel has one, else two
 * renames), so a failure or a kill before the swap leaves the target as it
 * was. An update keeps the files that did not change: the new copy gives
 * way to a hard link to the old file, so a consumer that has it open or
 * mapped keeps reading the same bytes. (An export's append is the one
 * exception, by design: it extends the split files in place through such a
 * link, and cuts them back if it fails; export.h.)
 *
 * Usage: publish_dir_state; tmp = publish_tmpdir(dir); write under tmp;
 * publish_keep_unchanged (update); publish_swap; publish_remove(tmp),
 * which then holds the previous content (or the failed attempt).
 *
 * Does not: decide what goes in the directory (export.c), hash files
 * (manifest.h), or fsync.
 */
#ifndef MEDKG_TRAIN_PUBLISH_H
#define MEDKG_TRAIN_PUBLISH_H

#include <stddef.h>
#include "manifest.h"

enum publish_state {
	PUBLISH_MISSING = 0,     /* no such path */
	PUBLISH_EMPTY = 1,       /* an empty directory */
	PUBLISH_FULL = 2,        /* a directory with entries */
};

/* What is at dir. @return an enum publish_state, or -1 after error() (not
 * a directory, unreadable). */
int publish_dir_state(const char *dir);
/* Create directory path (an existing one is fine). @return 0 or -1. */
int publish_mkdir(const char *path);
/* Create an empty temporary directory beside dir (".NAME.tmp-XXXXXX"), with
 * the mode a new directory gets. @return its path (caller frees), or NULL
 * after error(). */
char *publish_tmpdir(const char *dir);
/* Update: for each of files[0..n) (paths relative to both directories)
 * present in tmp whose size and hash equal old's entry and the file in dir,
 * replace the copy in tmp by a hard link to the one in dir. *kept and
 * *written (added to) count the files kept and those written anew. Any
 * failure just leaves the new copy. */
void publish_keep_unchanged(const char *dir, const char *tmp, const char *const *files, size_t n,
			    const struct manifest *old, size_t *kept, size_t *written);
/* Put tmp in place of dir (exists: whether dir is there to be replaced;
 * tmp then holds the old content). @return 0, or -1 after error() (dir as
 * it was). */
int publish_swap(const char *tmp, const char *dir, int exists);
/* Remove a directory tree, quietly (a temporary or replaced directory). */
void publish_remove(const char *dir);

#endif
