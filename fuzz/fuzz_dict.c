/* The extraction dictionary cached in a store (extract/dict_store.h): a
 * damaged cache must be refused and rebuilt, never trusted. The input
 * becomes the cache of a store that holds a small knowledge base, as the
 * first byte (modulo 3) chooses:
 *   0: the rest is the dictionary's block, cached as a valid zstd frame
 *      (what dict_from_block checks);
 *   1: eight bytes give the size recorded, and the rest is the frames
 *      themselves (in two rows when the first byte says so, split where it
 *      says);
 *   2: the rest is edits of the real block (4 bytes of offset, 1 to xor),
 *      cached again as a valid frame.
 * A dictionary that opens is then used: token lookups and longest
 * matches. */
#include "fuzz.h"
#include "../common/util.h"
#include "../extract/dict_store.h"
#include "../store/store.h"
#include "../store/umls.h"

#include <stdlib.h>
#include <string.h>
#include <zstd.h>

static int setup(struct store *st)
{
	char dir[4096];
	snprintf(dir, sizeof dir, "%s",
		 fuzz_release("kb", fuzz_conso, strlen(fuzz_conso), fuzz_sty, strlen(fuzz_sty),
			      fuzz_rel, strlen(fuzz_rel), fuzz_sab, strlen(fuzz_sab)));
	struct umls_options o = { 0 };
	struct umls_stats s;
	struct dict_options dopt = { 0 };
	struct dict d;
	struct dict_info info;
	if (umls_load(st, dir, &o, &s) < 0 || dict_open(st, &dopt, &d, &info) < 0)
		return -1;
	dict_release(&d);
	free(info.filters);
	return 0;
}

/* Replace the cached dictionary's chunks and size. */
static int put_cache(struct store *st, int64_t bytes, const void *a, size_t na, const void *b,
		     size_t nb)
{
	sqlite3_stmt *u = store_prepare(st, "UPDATE dictionaries SET bytes = ?");
	sqlite3_stmt *ins = store_prepare(st, "INSERT INTO dictionary_chunks(dictionary, seq, data) "
					      "SELECT id, ?, ? FROM dictionaries");
	int rc = -1;
	if (!u || !ins || store_exec(st, "DELETE FROM dictionary_chunks") < 0)
		goto out;
	sqlite3_bind_int64(u, 1, bytes);
	if (store_step_done(st, u) < 0)
		goto out;
	const void *part[2] = { a, b };
	size_t len[2] = { na, nb };
	for (int i = 0; i < 2; i++) {
		if (!part[i])
			continue;
		sqlite3_bind_int(ins, 1, i);
		sqlite3_bind_blob(ins, 2, len[i] ? part[i] : "", (int)len[i], SQLITE_STATIC);
		if (store_step_done(st, ins) < 0)
			goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(u);
	sqlite3_finalize(ins);
	return rc;
}

/* A copy of the block cached by setup (caller frees), its size in *n. */
static uint8_t *real_block(struct store *st, size_t *n)
{
	static uint8_t *block;
	static size_t size;
	if (!block) {
		sqlite3_stmt *q = store_prepare(st, "SELECT c.data, d.bytes FROM dictionary_chunks c "
						    "JOIN dictionaries d ON d.id = c.dictionary");
		if (!q || sqlite3_step(q) != SQLITE_ROW)
			abort();
		size = (size_t)sqlite3_column_int64(q, 1);
		block = xmalloc(size ? size : 1);
		size_t r = ZSTD_decompress(block, size, sqlite3_column_blob(q, 0),
					   (size_t)sqlite3_column_bytes(q, 0));
		sqlite3_finalize(q);
		if (ZSTD_isError(r) || r != size)
			abort();
	}
	uint8_t *copy = xmalloc(size ? size : 1);
	memcpy(copy, block, size);
	*n = size;
	return copy;
}

static void use(const struct dict *d)
{
	static const char *const words[] = { "pleural", "effusion", "lung", "ptx", "x", "" };
	uint32_t ids[8];
	uint8_t join[8] = { 0 };
	for (size_t i = 0; i < ARRAY_SIZE(words); i++)
		ids[i] = dict_token(d, words[i], strlen(words[i]));
	for (size_t i = 0; i < ARRAY_SIZE(words); i++) {
		uint32_t payload;
		dict_longest(d, ids + i, join + i, ARRAY_SIZE(words) - i, &payload);
	}
}

FUZZ_TARGET(dict)
{
	if (!size)
		return 0;
	struct store st;
	if (fuzz_store(&st, setup) < 0)
		return 0;
	const uint8_t *in = data + 1;
	size_t n = size - 1;
	int ok;
	if (data[0] % 3 != 1) {
		/* a block, the input's or the real one edited, as a valid frame */
		uint8_t *block = NULL;
		size_t bn = n;
		if (data[0] % 3 == 2) {
			block = real_block(&st, &bn);
			for (size_t i = 0; bn && i + 5 <= n; i += 5) {
				uint32_t off;
				memcpy(&off, in + i, 4);
				block[off % bn] ^= in[i + 4];
			}
		}
		size_t cap = ZSTD_compressBound(bn);
		void *z = xmalloc(cap);
		size_t zn = ZSTD_compress(z, cap, block ? block : in, bn, 1);
		ok = !ZSTD_isError(zn) && put_cache(&st, (int64_t)bn, z, zn, NULL, 0) == 0;
		free(z);
		free(block);
	} else {
		int64_t bytes = 0;
		size_t k = n < 8 ? n : 8;
		memcpy(&bytes, in, k);
		in += k, n -= k;
		size_t cut = n ? (size_t)data[0] * n / 256 : 0;
		ok = put_cache(&st, bytes, in, cut, data[0] & 2 ? in + cut : NULL, n - cut) == 0;
	}
	struct dict_options o = { 0 };
	struct dict d;
	struct dict_info info;
	if (ok && dict_open(&st, &o, &d, &info) == 0) {
		use(&d);
		dict_release(&d);
	}
	if (ok)
		free(info.filters);
	store_close(&st);
	return 0;
}
