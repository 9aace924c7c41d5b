#include "plans.h"
#include "../common/normalize.h"
#include "../common/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

int32_t *char_offsets(const char *text, size_t len)
{
	int32_t *map = xmalloc((len + 1) * sizeof(int32_t));
	int32_t c = -1;
	for (size_t b = 0; b < len; b++) {
		if (((unsigned char)text[b] & 0xc0) != 0x80)
			c++;
		map[b] = c < 0 ? 0 : c;
	}
	map[len] = c + 1;
	return map;
}

size_t text_words(const char *text, size_t len, struct span **words)
{
	struct span *w = NULL;
	size_t n = 0, cap = 0, pos = 0;
	struct token t;
	int32_t *map = NULL;
	while (token_next(text, len, &pos, &t)) {
		if (!map)
			map = char_offsets(text, len);
		XGROW(w, cap, n + 1);
		w[n++] = (struct span){ map[t.start], map[t.end] };
	}
	free(map);
	*words = w;
	return n;
}

size_t mlm_budget(size_t n_words, double ratio)
{
	if (n_words == 0)
		return 0;
	size_t b = (size_t)floor(ratio * (double)n_words + 0.5);
	if (b < 1)
		b = 1;
	return b > n_words ? n_words : b;
}

size_t mim_budget(size_t n_patches, double ratio)
{
	size_t b = (size_t)floor(ratio * (double)n_patches + 0.5);
	return b > n_patches ? n_patches : b;
}

/* A run of words [a, b) masked together. */
struct unit {
	uint32_t a, b;
};

static int cmp_unit(const void *x, const void *y)
{
	const struct unit *u = x, *v = y;
	if (u->a != v->a)
		return u->a < v->a ? -1 : 1;
	return (u->b > v->b) - (u->b < v->b);
}

static void shuffle_units(struct unit *u, size_t n, struct rng *r)
{
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)rng_below(r, i);
		struct unit t = u[i - 1];
		u[i - 1] = u[j];
		u[j] = t;
	}
}

static int cmp_span(const void *x, const void *y)
{
	const struct span *u = x, *v = y;
	return (u->start > v->start) - (u->start < v->start);
}

size_t mlm_plan(const struct span *words, size_t n_words, const struct span *ents, size_t n_ents,
		int mode, double ratio, struct rng *r, struct span *out, size_t *n_masked)
{
	*n_masked = 0;
	if (n_words == 0)
		return 0;
	/* entity units: the words each mention touches, merged when they share
	 * a word */
	struct unit *eu = xmalloc((n_ents ? n_ents : 1) * sizeof(*eu));
	size_t n_eu = 0;
	for (size_t i = 0; i < n_ents; i++) {
		/* first word ending after the mention starts */
		size_t lo = 0, hi = n_words;
		while (lo < hi) {
			size_t mid = (lo + hi) / 2;
			if (words[mid].end <= ents[i].start)
				lo = mid + 1;
			else
				hi = mid;
		}
		size_t b = lo;
		while (b < n_words && words[b].start < ents[i].end)
			b++;
		if (b > lo)
			eu[n_eu++] = (struct unit){ (uint32_t)lo, (uint32_t)b };
	}
	qsort(eu, n_eu, sizeof(*eu), cmp_unit);
	size_t k = 0;
	for (size_t i = 0; i < n_eu; i++) {
		if (k > 0 && eu[i].a < eu[k - 1].b) {
			if (eu[i].b > eu[k - 1].b)
				eu[k - 1].b = eu[i].b;
		} else {
			eu[k++] = eu[i];
		}
	}
	n_eu = k;
	/* the other words, as single-word units; all units in one array:
	 * entity units first */
	struct unit *u = xmalloc((n_eu + n_words) * sizeof(*u));
	memcpy(u, eu, n_eu * sizeof(*u));
	size_t n_u = n_eu;
	for (size_t w = 0, e = 0; w < n_words; w++) {
		while (e < n_eu && eu[e].b <= w)
			e++;
		if (e < n_eu && eu[e].a <= w)
			continue;
		u[n_u++] = (struct unit){ (uint32_t)w, (uint32_t)w + 1 };
	}
	size_t left = mlm_budget(n_words, ratio), n_out = 0;
	if (mode == MLM_ENTITY_FIRST) {
		shuffle_units(u, n_eu, r);
		shuffle_units(u + n_eu, n_u - n_eu, r);
	} else {
		shuffle_units(u, n_u, r);
	}
	for (size_t i = 0; i < n_u && left > 0; i++) {
		size_t size = u[i].b - u[i].a;
		if (size > left)
			continue;
		out[n_out++] = (struct span){ words[u[i].a].start, words[u[i].b - 1].end };
		left -= size;
		*n_masked += size;
	}
	qsort(out, n_out, sizeof(*out), cmp_span);
	free(eu);
	free(u);
	return n_out;
}

size_t mim_plan(size_t n_patches, const int32_t *prio, size_t n_prio, double ratio, struct rng *r,
		int32_t *out, size_t *n_from_prio)
{
	size_t budget = mim_budget(n_patches, ratio);
	uint8_t *mark = xcalloc(n_patches ? n_patches : 1, 1);
	int32_t *pool = xmalloc((n_patches ? n_patches : 1) * sizeof(int32_t));
	/* distinct priority patches, in the order given */
	size_t n_pool = 0;
	for (size_t i = 0; i < n_prio; i++)
		if (prio[i] >= 0 && (size_t)prio[i] < n_patches && mark[prio[i]] == 0) {
			mark[prio[i]] = 1;
			pool[n_pool++] = prio[i];
		}
	size_t taken = 0;
	if (n_pool > budget) {
		/* a random subset of the priority patches: partial Fisher-Yates */
		for (size_t i = 0; i < n_pool; i++)
			mark[pool[i]] = 0;
		for (size_t i = 0; i < budget; i++) {
			size_t j = i + (size_t)rng_below(r, n_pool - i);
			int32_t t = pool[i];
			pool[i] = pool[j];
			pool[j] = t;
			mark[pool[i]] = 1;
		}
		taken = budget;
	} else {
		taken = n_pool;
	}
	*n_from_prio = taken;
	/* then random other patches */
	if (taken < budget) {
		size_t n_rest = 0;
		for (size_t p = 0; p < n_patches; p++)
			if (!mark[p])
				pool[n_rest++] = (int32_t)p;
		for (size_t i = 0; i < budget - taken; i++) {
			size_t j = i + (size_t)rng_below(r, n_rest - i);
			int32_t t = pool[i];
			pool[i] = pool[j];
			pool[j] = t;
			mark[pool[i]] = 1;
		}
	}
	size_t n = 0;
	for (size_t p = 0; p < n_patches; p++)
		if (mark[p])
			out[n++] = (int32_t)p;
	free(mark);
	free(pool);
	return n;
}
