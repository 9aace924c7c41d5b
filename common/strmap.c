#include "strmap.h"
#include "util.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#define BLOCK_SIZE (1u << 20)

uint64_t hash_bytes(const void *p, size_t n)
{
	uint64_t h = XXH3_64bits(p, n);
	return h ? h : 1; /* 0 marks an empty slot */
}

void strmap_init(struct strmap *m)
{
	memset(m, 0, sizeof(*m));
}

void strmap_release(struct strmap *m)
{
	free(m->slots);
	for (size_t i = 0; i < m->n_blocks; i++)
		free(m->blocks[i]);
	free(m->blocks);
	memset(m, 0, sizeof(*m));
}

static struct strmap_slot *find(const struct strmap *m, const char *key, size_t len, uint64_t h)
{
	if (!m->cap)
		return NULL;
	size_t mask = m->cap - 1;
	for (size_t i = (size_t)h & mask;; i = (i + 1) & mask) {
		struct strmap_slot *s = &m->slots[i];
		if (!s->hash || (s->hash == h && s->len == len && !memcmp(s->key, key, len)))
			return s;
	}
}

static void rehash(struct strmap *m)
{
	size_t old_cap = m->cap;
	struct strmap_slot *old = m->slots;
	m->cap = old_cap ? old_cap * 2 : 64;
	m->slots = xcalloc(m->cap, sizeof(*m->slots));
	size_t mask = m->cap - 1;
	for (size_t i = 0; i < old_cap; i++) {
		if (!old[i].hash)
			continue;
		size_t j = (size_t)old[i].hash & mask;
		while (m->slots[j].hash)
			j = (j + 1) & mask;
		m->slots[j] = old[i];
	}
	free(old);
}

static const char *arena_copy(struct strmap *m, const char *key, size_t len)
{
	if (len + 1 > BLOCK_SIZE) {
		char *big = xstrndup(key, len);
		m->blocks = xrealloc(m->blocks, (m->n_blocks + 1) * sizeof(*m->blocks));
		/* keep the current block last so it stays the one being filled */
		if (m->n_blocks) {
			m->blocks[m->n_blocks] = m->blocks[m->n_blocks - 1];
			m->blocks[m->n_blocks - 1] = big;
		} else {
			m->blocks[0] = big;
			m->block_used = m->block_cap = 0;
		}
		m->n_blocks++;
		return big;
	}
	if (!m->n_blocks || m->block_used + len + 1 > m->block_cap) {
		m->blocks = xrealloc(m->blocks, (m->n_blocks + 1) * sizeof(*m->blocks));
		m->blocks[m->n_blocks++] = xmalloc(BLOCK_SIZE);
		m->block_used = 0;
		m->block_cap = BLOCK_SIZE;
	}
	char *p = m->blocks[m->n_blocks - 1] + m->block_used;
	memcpy(p, key, len);
	p[len] = '\0';
	m->block_used += len + 1;
	return p;
}

int strmap_get(const struct strmap *m, const char *key, size_t len, uint32_t *value)
{
	struct strmap_slot *s = find(m, key, len, hash_bytes(key, len));
	if (!s || !s->hash)
		return 0;
	if (value)
		*value = s->value;
	return 1;
}

const char *strmap_key(const struct strmap *m, const char *key, size_t len)
{
	struct strmap_slot *s = find(m, key, len, hash_bytes(key, len));
	return s && s->hash ? s->key : NULL;
}

int strmap_put(struct strmap *m, const char *key, size_t len, uint32_t *value)
{
	if ((m->n + 1) * 10 > m->cap * 7)
		rehash(m);
	uint64_t h = hash_bytes(key, len);
	struct strmap_slot *s = find(m, key, len, h);
	if (s->hash) {
		if (value)
			*value = s->value;
		return 0;
	}
	s->hash = h;
	s->key = arena_copy(m, key, len);
	s->len = (uint32_t)len;
	s->value = value ? *value : 0;
	m->n++;
	return 1;
}

uint32_t *strmap_ref(struct strmap *m, const char *key, size_t len, int create)
{
	if (create) {
		strmap_put(m, key, len, NULL);
	}
	struct strmap_slot *s = find(m, key, len, hash_bytes(key, len));
	return s && s->hash ? &s->value : NULL;
}
