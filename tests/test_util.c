/* util, strmap, arena: the small shared pieces. */
#include "testhelp.h"
#include "tests.h"
#include "../common/arena.h"
#include "../common/strmap.h"
#include "../common/util.h"
#include "../common/strlist.h"
#include "../common/utf8.h"

#include <stdlib.h>

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

void test_util(void)
{
	test_utf8();
	test_split();
	test_strmap_many();
}
