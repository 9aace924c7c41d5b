/*
 * walk — a directory tree, file by file: each directory's entries in name
 * order (strcmp), directories descended into, symbolic links followed.
 * Report readers (extract/readers.c) and the pipeline's input fingerprints
 * (pipeline/build.c) walk their trees through it.
 *
 * A tree with symbolic links is a graph, and may loop: "s1 -> ." or
 * "up -> .." would make a plain recursive walk run forever, or read the same
 * files again at every level. So the walk records the (device, inode) of
 * every directory it enters and of every file it hands out:
 *   - a link to a directory on the way down (or above the root) is a loop:
 *     not followed, one warning naming it;
 *   - a link to a directory walked already is not walked again (one
 *     warning);
 *   - a file reached a second time (another link, a hard link) is not handed
 *     out again.
 * Depth is bounded by WALK_MAX_DEPTH: a deeper tree is an error.
 *
 * Does not: read files, or sort across directories ("a/b" comes before
 * "a-c", which strcmp on whole paths would put first).
 */
#ifndef MEDKG_WALK_H
#define MEDKG_WALK_H

#include <sys/stat.h>

#define WALK_MAX_DEPTH 64

enum {
	WALK_HIDDEN = 1,  /* also names starting with '.' (else skipped) */
	WALK_QUIET = 2,   /* loops and repeats skipped without a warning */
};

/* Called for each entry of the tree that is not a directory: path is
 * root/.../name, rel the same under rel_root instead of root, sb its
 * stat() (NULL when it failed: a dangling link). @return 0 to go on, or -1
 * to stop the walk (the callback reported why). */
typedef int (*walk_fn)(void *arg, const char *path, const char *rel, const struct stat *sb);

/* Walk root (a directory, or a single file handed to fn as it is) with
 * flags WALK_*. rel_root is the name rel starts with (NULL: root).
 * @return 0, or -1 after error() (a directory that cannot be read, a tree
 * deeper than WALK_MAX_DEPTH) or fn's -1. */
int walk_tree(const char *root, const char *rel_root, unsigned flags, walk_fn fn, void *arg);

#endif
