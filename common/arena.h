/*
 * arena — bump allocation in large blocks, freed all at once. For the many
 * small strings a loader keeps for the length of one load (identifiers,
 * names). Pointers stay valid until arena_release.
 */
#ifndef MEDKG_ARENA_H
#define MEDKG_ARENA_H

#include <stddef.h>

struct arena {
	char **blocks;
	size_t n_blocks;
	size_t used, cap;   /* of the last block */
	size_t total;       /* bytes handed out, for reporting */
};

void arena_init(struct arena *a);
void arena_release(struct arena *a);
/* n bytes aligned to 8. Never NULL. */
void *arena_alloc(struct arena *a, size_t n);
/* A NUL-terminated copy of s[0..n). */
char *arena_strdup(struct arena *a, const char *s, size_t n);

#endif
