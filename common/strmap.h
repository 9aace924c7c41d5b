/*
 * strmap — a hash map from byte strings to 32-bit values, open addressing with
 * linear probing, keys copied into the map's own arena. Built for the loaders'
 * interning (source names, relation names, identifiers): millions of keys,
 * no deletion.
 *
 * Keys may contain any byte; length is explicit. The caller owns the struct
 * (strmap_init) and frees what it holds with strmap_release.
 */
#ifndef MEDKG_STRMAP_H
#define MEDKG_STRMAP_H

#include <stddef.h>
#include <stdint.h>

struct strmap_slot {
	uint64_t hash;       /* 0 = empty */
	const char *key;     /* points into the arena */
	uint32_t len;
	uint32_t value;
};

struct strmap {
	struct strmap_slot *slots;
	size_t cap;          /* power of two */
	size_t n;
	char **blocks;       /* arena blocks for key copies */
	size_t n_blocks, block_used, block_cap;
};

void strmap_init(struct strmap *m);
void strmap_release(struct strmap *m);
/* @return 1 and *value if key is present, else 0. value may be NULL. */
int strmap_get(const struct strmap *m, const char *key, size_t len, uint32_t *value);
/* Insert key with value if absent. @return 1 if inserted, 0 if it was already
 * present (then *value, if not NULL, is set to the existing value). */
int strmap_put(struct strmap *m, const char *key, size_t len, uint32_t *value);
/* A pointer to the value of key, inserting it with value 0 if absent and
 * create is set. @return NULL if absent and !create. Valid until the next
 * insertion. */
uint32_t *strmap_ref(struct strmap *m, const char *key, size_t len, int create);
/* The stored copy of a key (NUL terminated), for the slot found by get/put. */
const char *strmap_key(const struct strmap *m, const char *key, size_t len);

uint64_t hash_bytes(const void *p, size_t n);

#endif
