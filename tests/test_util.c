/* util, strmap, arena: the small shared pieces. */
#include "testhelp.h"
#include "tests.h"
#include "../common/arena.h"
#include "../common/buf.h"
#include "../common/fingerprint.h"
#include "../common/strmap.h"
#include "../common/util.h"
#include "../common/strlist.h"
#include "../common/utf8.h"

#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void test_utf8(void)
{
	static const struct {
		const char *id, *s;
		size_t len;
		int valid;
		size_t bad;
	} cases[] = {
		{ "util-utf8-1.1", "plain ascii text, long enough for the fast path", 47, 1, 0 },
		{ "util-utf8-1.2", "caf\xc3\xa9", 5, 1, 0 },
		{ "util-utf8-1.3", "\xe2\x80\x99 quote", 9, 1, 0 },
		{ "util-utf8-1.4", "\xf0\x9f\x98\x80", 4, 1, 0 },
		{ "util-utf8-1.5", "abc\xff", 4, 0, 3 },
		{ "util-utf8-1.6", "abcdefgh\xc3", 9, 0, 8 },          /* truncated sequence */
		{ "util-utf8-1.7", "ab\xc0\xaf", 4, 0, 2 },            /* overlong */
		{ "util-utf8-1.8", "abcdefghij\0k", 12, 0, 10 },       /* NUL byte */
		{ "util-utf8-1.9", "\xed\xa0\x80", 3, 0, 0 },          /* surrogate */
		{ "util-utf8-1.10", "Latin-1 caf\xe9 is not UTF-8", 24, 0, 11 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		size_t bad = 999;
		int v = utf8_valid(cases[i].s, cases[i].len, &bad);
		CHECK_INT(cases[i].id, v, cases[i].valid);
		if (!cases[i].valid)
			CHECK_INT(test_id("%s.at", cases[i].id), bad, cases[i].bad);
	}
}

static void test_split(void)
{
	char line[] = "C0000005|ENG|P||x|";
	char *f[8];
	int n = split_fields(line, strlen(line), '|', f, 8);
	CHECK_INT("util-split-1.1", n, 6);
	CHECK_STR("util-split-1.2", f[0], "C0000005");
	CHECK_STR("util-split-1.3", f[3], "");
	CHECK_STR("util-split-1.4", f[5], "");
	char line2[] = "a|b|c|d";
	n = split_fields(line2, strlen(line2), '|', f, 2);
	CHECK_INT("util-split-1.5", n, 4); /* counts beyond max */

	char **l = strlist_parse(" MSH, SNOMEDCT_US ,,NCI");
	CHECK_INT("util-strlist-1.1", strlist_len(l), 3);
	CHECK_STR("util-strlist-1.2", l[1], "SNOMEDCT_US");
	CHECK("util-strlist-1.3", strlist_has(l, "NCI") && !strlist_has(l, "ncI"));
	strlist_free(l);
}

static void test_strmap_many(void)
{
	struct strmap m;
	strmap_init(&m);
	char key[32];
	for (uint32_t i = 0; i < 100000; i++) {
		snprintf(key, sizeof key, "C%07u", i * 7);
		uint32_t v = i;
		strmap_put(&m, key, strlen(key), &v);
	}
	CHECK_INT("util-strmap-1.1", m.n, 100000);
	int ok = 1;
	for (uint32_t i = 0; i < 100000; i += 97) {
		snprintf(key, sizeof key, "C%07u", i * 7);
		uint32_t v = 0;
		ok &= strmap_get(&m, key, strlen(key), &v) && v == i;
	}
	CHECK("util-strmap-1.2", ok);
	uint32_t v = 5;
	CHECK_INT("util-strmap-1.3", strmap_put(&m, "C0000007", 8, &v), 0);
	CHECK_INT("util-strmap-1.4", v, 1); /* existing value returned */
	CHECK("util-strmap-1.5", !strmap_get(&m, "C0000008", 8, NULL));
	/* keys with NUL bytes and long keys */
	char big[3000];
	memset(big, 'x', sizeof big);
	v = 42;
	strmap_put(&m, big, sizeof big, &v);
	strmap_put(&m, "a\0b", 3, &v);
	v = 0;
	CHECK("util-strmap-1.6", strmap_get(&m, big, sizeof big, &v));
	CHECK_INT("util-strmap-1.6.value", v, 42);
	CHECK("util-strmap-1.7", !strmap_get(&m, "a\0c", 3, NULL) && strmap_get(&m, "a\0b", 3, NULL));
	*strmap_ref(&m, "new", 3, 1) = 9;
	CHECK("util-strmap-1.8", strmap_get(&m, "new", 3, &v));
	CHECK_INT("util-strmap-1.8.value", v, 9);
	strmap_release(&m);

	struct arena a;
	arena_init(&a);
	char *s1 = arena_strdup(&a, "hello", 5);
	for (int i = 0; i < 200000; i++)
		arena_strdup(&a, "some longer string to fill blocks", 33);
	CHECK_STR("util-arena-1.1", s1, "hello");
	CHECK("util-arena-1.2", a.n_blocks > 1);
	arena_release(&a);
}

/* A hash resumed from the state saved after a file's first bytes equals
 * the hash of the whole file, reads only the bytes added (a changed prefix
 * is not seen), and a state it cannot take means the whole file is read. */
static void test_hash_resume(void)
{
	char path[512], h0[33], h1[33], h2[33], h3[33];
	uint64_t b0, b1, b2, b3;
	snprintf(path, sizeof path, "%s/resume.bin", test_tmpdir());
	/* a first part longer than xxhash's internal buffer, not a multiple of it */
	char *text = xmalloc(5000);
	for (int i = 0; i < 5000; i++)
		text[i] = (char)('a' + (i * 7) % 26);
	write_file(path, text, 3001);
	struct buf st = BUF_INIT, st2 = BUF_INIT;
	CHECK_INT("util-hash-1.1", file_hash_resume(path, UINT64_MAX, NULL, 0, h0, &b0, &st), 0);
	CHECK_INT("util-hash-1.2", (int64_t)b0, 3001);
	CHECK_STR("util-hash-1.3", h0, (file_hash(path, h1, &b1), h1));
	write_file(path, text, 5000);
	CHECK_INT("util-hash-2.1", file_hash_resume(path, UINT64_MAX, st.p, 3001, h2, &b2, &st2), 0);
	CHECK_INT("util-hash-2.2", file_hash(path, h3, &b3), 0);
	CHECK_STR("util-hash-2.3", h2, h3);
	CHECK_INT("util-hash-2.4", (int64_t)b2, 5000);
	/* the state saved by a resumed hash resumes again (a second append) */
	char *more = xmalloc(6000);
	memcpy(more, text, 5000);
	memset(more + 5000, 'z', 1000);
	write_file(path, more, 6000);
	struct buf st3 = BUF_INIT;
	CHECK_INT("util-hash-2.5", file_hash_resume(path, UINT64_MAX, st2.p, 5000, h3, &b3, &st3), 0);
	CHECK_STR("util-hash-2.6", h3, (file_hash(path, h1, &b1), h1));
	free(more);
	write_file(path, text, 5000);
	/* the prefix is not read again: changing it does not change the hash */
	text[10] = '#';
	write_file(path, text, 5000);
	CHECK_INT("util-hash-3.1", file_hash_resume(path, UINT64_MAX, st.p, 3001, h3, &b3, NULL), 0);
	CHECK_STR("util-hash-3.2", h3, h2);
	/* states it cannot take: the whole file is read */
	file_hash(path, h1, &b1);
	char *other = xstrdup(st.p);
	other[0] = other[0] == '9' ? '8' : '9'; /* another xxhash version */
	CHECK_INT("util-hash-4.1", file_hash_resume(path, UINT64_MAX, other, 3001, h3, &b3, NULL), 0);
	CHECK_STR("util-hash-4.2", h3, h1);
	/* a state of another length than the bytes it is said to cover */
	CHECK_INT("util-hash-4.3", file_hash_resume(path, UINT64_MAX, st.p, 3000, h3, &b3, NULL), 0);
	CHECK_STR("util-hash-4.4", h3, h1);
	CHECK_INT("util-hash-4.5", file_hash_resume(path, UINT64_MAX, "1:abc", 3001, h3, &b3, NULL), 0);
	CHECK_STR("util-hash-4.6", h3, h1);
	free(other);
	free(text);
	buf_release(&st);
	buf_release(&st2);
	buf_release(&st3);
}

/* buf_add_json_str against a JSON parser: each string, written as a
 * literal, reads back as itself. */
static void test_json_str(void)
{
	static const char *const cases[] = {
		"", "plain", "\"quoted\"", "back\\slash\\", "a\nb\r\tc", "\x01\x1f\x7f",
		"no \"pneumothorax\".\n", "caf\xc3\xa9 \xe2\x80\x94 ok", "\\\"\n",
	};
	for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
		struct buf b = BUF_INIT;
		buf_add_lit(&b, "[");
		buf_add_json_str(&b, cases[i], strlen(cases[i]));
		buf_add_lit(&b, "]");
		json_error_t e;
		json_t *v = json_loads(b.p, 0, &e);
		const char *got = v && json_is_array(v) ? json_string_value(json_array_get(v, 0)) : NULL;
		char id[32];
		snprintf(id, sizeof id, "util-json-1.%zu", i + 1);
		CHECK_STR(id, got ? got : "(unreadable)", cases[i]);
		json_decref(v);
		buf_release(&b);
	}
	struct buf b = BUF_INIT;
	buf_add_json_str(&b, "a\"b\\c\nd\x02" "e", 9);
	CHECK_STR("util-json-2.1", b.p, "\"a\\\"b\\\\c\\nd\\u0002e\"");
	buf_release(&b);
}

void test_util(void)
{
	test_json_str();
	test_hash_resume();
	test_utf8();
	test_split();
	test_strmap_many();
}
