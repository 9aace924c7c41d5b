#include "arena.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>

#define ARENA_BLOCK ((size_t)4 << 20)

void arena_init(struct arena *a)
{
	memset(a, 0, sizeof(*a));
}

void arena_release(struct arena *a)
{
	for (size_t i = 0; i < a->n_blocks; i++)
		free(a->blocks[i]);
	free(a->blocks);
	memset(a, 0, sizeof(*a));
}

void *arena_alloc(struct arena *a, size_t n)
{
	n = (n + 7) & ~(size_t)7;
	if (!a->n_blocks || a->used + n > a->cap) {
		size_t size = n > ARENA_BLOCK ? n : ARENA_BLOCK;
		a->blocks = xrealloc(a->blocks, (a->n_blocks + 1) * sizeof(*a->blocks));
		a->blocks[a->n_blocks++] = xmalloc(size);
		a->used = 0;
		a->cap = size;
	}
	void *p = a->blocks[a->n_blocks - 1] + a->used;
	a->used += n;
	a->total += n;
	return p;
}

char *arena_strdup(struct arena *a, const char *s, size_t n)
{
	char *p = arena_alloc(a, n + 1);
	memcpy(p, s, n);
	p[n] = '\0';
	return p;
}
