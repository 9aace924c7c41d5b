#include "corrupt.h"
#include "../common/util.h"

#include <stdlib.h>
#include <string.h>

static int cmp_pair(const void *a, const void *b)
{
	const struct corrupt_pair *x = a, *y = b;
	if (x->r != y->r)
		return x->r < y->r ? -1 : 1;
	return (x->e > y->e) - (x->e < y->e);
}

/* Group the triples by their key entity (the head when by_head, else the
 * tail) with a counting sort, sort each group and drop duplicates.
 * at (n_ent + 1) receives the group bounds. @return the pairs (caller
 * frees). */
static struct corrupt_pair *group(const struct triple *tr, size_t n, int32_t n_ent, int by_head,
				  size_t *at)
{
	memset(at, 0, ((size_t)n_ent + 1) * sizeof(size_t));
	for (size_t i = 0; i < n; i++)
		at[(by_head ? tr[i].h : tr[i].t) + 1]++;
	for (int32_t e = 0; e < n_ent; e++)
		at[e + 1] += at[e];
	struct corrupt_pair *v = xmalloc((n ? n : 1) * sizeof(*v));
	size_t *fill = xmalloc(((size_t)n_ent + 1) * sizeof(size_t));
	memcpy(fill, at, ((size_t)n_ent + 1) * sizeof(size_t));
	for (size_t i = 0; i < n; i++) {
		const struct triple *x = &tr[i];
		v[fill[by_head ? x->h : x->t]++] = (struct corrupt_pair){ x->r, by_head ? x->t : x->h };
	}
	free(fill);
	/* sort each group, then compact it to its distinct pairs */
	size_t w = 0;
	for (int32_t e = 0; e < n_ent; e++) {
		size_t lo = at[e], hi = at[e + 1];
		qsort(v + lo, hi - lo, sizeof(*v), cmp_pair);
		at[e] = w;
		for (size_t i = lo; i < hi; i++)
			if (i == lo || cmp_pair(&v[i], &v[i - 1]) != 0)
				v[w++] = v[i];
	}
	at[n_ent] = w;
	return v;
}

/* The distinct key entities of each relation (its heads, or its tails),
 * added into keys (n_rel); with count, also its distinct triples. */
static void count_keys(const size_t *at, const struct corrupt_pair *v, int32_t n_ent,
		       double *keys, double *count)
{
	for (int32_t e = 0; e < n_ent; e++)
		for (size_t i = at[e]; i < at[e + 1]; i++) {
			if (i == at[e] || v[i].r != v[i - 1].r)
				keys[v[i].r]++;
			if (count)
				count[v[i].r]++;
		}
}

/* The run of pairs with relation r in key's group: the entities excluded
 * at the other end, ascending. */
static struct corrupt_run run_of(const size_t *at, const struct corrupt_pair *v, int32_t key,
				 int32_t r)
{
	size_t lo = at[key], hi = at[key + 1];
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid].r < r)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t start = lo;
	hi = at[key + 1];
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (v[mid].r <= r)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (struct corrupt_run){ (uint32_t)start, (uint32_t)(lo - start) };
}

void corrupt_build(struct corrupt *c, const struct triple *tr, size_t n, int32_t n_ent,
		   int32_t n_rel, int bern)
{
	memset(c, 0, sizeof(*c));
	c->n_ent = n_ent;
	c->n_rel = n_rel;
	c->head_at = xmalloc(((size_t)n_ent + 1) * sizeof(size_t));
	c->tail_at = xmalloc(((size_t)n_ent + 1) * sizeof(size_t));
	c->by_head = group(tr, n, n_ent, 1, c->head_at);
	c->by_tail = group(tr, n, n_ent, 0, c->tail_at);
	c->runs = xmalloc((n ? n : 1) * sizeof(*c->runs));
	for (size_t i = 0; i < n; i++) {
		c->runs[i][0] = run_of(c->head_at, c->by_head, tr[i].h, tr[i].r);
		c->runs[i][1] = run_of(c->tail_at, c->by_tail, tr[i].t, tr[i].r);
	}
	c->p_head = xmalloc((size_t)n_rel * sizeof(float));
	for (int32_t r = 0; r < n_rel; r++)
		c->p_head[r] = 0.5f;
	if (!bern)
		return;
	/* OpenKE's left_mean (tph) and right_mean (hpt), Reader.h */
	double *heads = xcalloc((size_t)n_rel, sizeof(double));
	double *tails = xcalloc((size_t)n_rel, sizeof(double));
	double *count = xcalloc((size_t)n_rel, sizeof(double));
	count_keys(c->head_at, c->by_head, n_ent, heads, count);
	count_keys(c->tail_at, c->by_tail, n_ent, tails, NULL);
	for (int32_t r = 0; r < n_rel; r++)
		if (count[r] > 0) {
			double tph = count[r] / heads[r], hpt = count[r] / tails[r];
			c->p_head[r] = (float)(tph / (tph + hpt));
		}
	free(heads);
	free(tails);
	free(count);
}

void corrupt_release(struct corrupt *c)
{
	if (!c)
		return;
	free(c->head_at);
	free(c->by_head);
	free(c->tail_at);
	free(c->by_tail);
	free(c->p_head);
	free(c->runs);
	memset(c, 0, sizeof(*c));
}

/* A uniform entity outside the m excluded ones ex (ascending): the u-th
 * allowed entity is u + j, j the number of i with ex[i] - i <= u (ex[i] - i
 * never decreases). */
static int32_t draw_allowed(struct rng *g, int32_t n_ent, const struct corrupt_pair *ex, size_t m)
{
	if (m >= (size_t)n_ent)
		return (int32_t)rng_below(g, (uint64_t)n_ent);
	int64_t u = (int64_t)rng_below(g, (uint64_t)n_ent - m);
	size_t lo = 0, hi = m;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (ex[mid].e - (int64_t)mid <= u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return (int32_t)(u + (int64_t)lo);
}

void corrupt_prefetch(const struct corrupt *c, size_t i)
{
	__builtin_prefetch(c->by_head + c->runs[i][0].at);
	__builtin_prefetch(c->by_tail + c->runs[i][1].at);
}

void corrupt_draw(const struct corrupt *c, struct rng *g, size_t i, const struct triple *x, int K,
		  int32_t *neg, uint8_t *head)
{
	const struct corrupt_run t = c->runs[i][0], h = c->runs[i][1];
	const double ph = c->p_head[x->r];
	for (int k = 0; k < K; k++) {
		head[k] = rng_unit(g) < ph;
		neg[k] = head[k] ? draw_allowed(g, c->n_ent, c->by_tail + h.at, h.n)
				 : draw_allowed(g, c->n_ent, c->by_head + t.at, t.n);
	}
}
