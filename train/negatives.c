#include "negatives.h"
#include "../common/rng.h"
#include "../common/util.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>

double jaccard(const int32_t *a, size_t na, const int32_t *b, size_t nb)
{
	if (na == 0 && nb == 0)
		return 1.0;
	size_t i = 0, j = 0, inter = 0;
	while (i < na && j < nb) {
		if (a[i] < b[j])
			i++;
		else if (a[i] > b[j])
			j++;
		else
			inter++, i++, j++;
	}
	return (double)inter / (double)(na + nb - inter);
}

/* A candidate: its similarity, then a per-pair hash to break ties. */
struct cand {
	double j;
	uint64_t tie;
	int32_t idx;
};

static int worse(const struct cand *x, const struct cand *y)
{
	if (x->j != y->j)
		return x->j > y->j;
	if (x->tie != y->tie)
		return x->tie > y->tie;
	return x->idx > y->idx;
}

/* A max-heap of the k best candidates seen: heap[0] is the worst kept. */
static void heap_offer(struct cand *heap, int *n, int k, struct cand c)
{
	int i;
	if (*n < k) {
		i = (*n)++;
		while (i > 0 && worse(&c, &heap[(i - 1) / 2])) {
			heap[i] = heap[(i - 1) / 2];
			i = (i - 1) / 2;
		}
		heap[i] = c;
		return;
	}
	if (!worse(&heap[0], &c))
		return;
	i = 0;
	for (;;) {
		int l = 2 * i + 1, r = l + 1, m = i;
		const struct cand *big = &c;
		if (l < *n && worse(&heap[l], big))
			m = l, big = &heap[l];
		if (r < *n && worse(&heap[r], big))
			m = r;
		if (m == i)
			break;
		heap[i] = heap[m];
		i = m;
	}
	heap[i] = c;
}

static int cmp_cand(const void *x, const void *y)
{
	return worse(x, y) ? 1 : worse(y, x) ? -1 : 0;
}

/* Scratch of one thread. */
struct neg_scratch {
	uint32_t *stamp;    /* (n_ent) i + 1 when the entity is in sample i */
	int32_t *d;         /* (n) dense path: rare hits minus complement hits */
	uint32_t *seen;     /* (n) i + 1 when sample j was touched for sample i */
	int32_t *touched;   /* (n) the samples touched */
	struct cand *heap;  /* (k) */
};

/* The inverted index (entity -> samples), and the order and group sizes
 * the search needs; read-only once built, shared by the threads. */
struct neg_index {
	size_t n_ent;
	size_t *count;      /* (n_ent + 1) samples holding each entity */
	uint8_t *frequent;  /* (n_ent) held by more than half of the samples */
	size_t *lstart;     /* (n_ent + 1) entity e's list is list[lstart[e] .. lstart[e+1]) */
	int32_t *list;      /* a rare entity's samples, a frequent one's samples without it */
	int32_t *by_size;   /* (n) the samples by entity count, largest first (ties by key) */
	uint32_t *gsize;    /* (max group + 1) samples per group, or NULL without groups */
};

static inline int same_group(const struct neg_input *in, size_t i, size_t j)
{
	return i == j || (in->group && in->group[i] == in->group[j]);
}

/* Samples by entity count, largest first (ties by key): the order in which
 * untouched samples are offered on the dense path. */
static const size_t *sort_off;
static const uint64_t *sort_keys;
static int cmp_by_size(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	size_t nx = sort_off[x + 1] - sort_off[x], ny = sort_off[y + 1] - sort_off[y];
	if (nx != ny)
		return nx > ny ? -1 : 1;
	if (sort_keys[x] != sort_keys[y])
		return sort_keys[x] < sort_keys[y] ? -1 : 1;
	return (x > y) - (x < y);
}

/* Group sizes, for how many candidates each sample has. */
static uint32_t *group_sizes(const struct neg_input *in)
{
	if (!in->group)
		return NULL;
	uint32_t max_g = 0;
	for (size_t i = 0; i < in->n; i++)
		max_g = in->group[i] > max_g ? in->group[i] : max_g;
	uint32_t *gsize = xcalloc((size_t)max_g + 1, sizeof(uint32_t));
	for (size_t i = 0; i < in->n; i++)
		gsize[in->group[i]]++;
	return gsize;
}

/* The lists: every entity's samples, in sample order; the rare entities'
 * lists are these, the frequent ones' their complements, so that no list
 * is longer than n / 2. */
static void build_lists(const struct neg_input *in, struct neg_index *ix)
{
	const size_t n = in->n, n_ent = ix->n_ent;
	ix->frequent = xcalloc(n_ent ? n_ent : 1, 1);
	ix->lstart = xcalloc(n_ent + 1, sizeof(size_t));
	for (size_t e = 0; e < n_ent; e++) {
		ix->frequent[e] = ix->count[e] > n / 2;
		ix->lstart[e + 1] = ix->lstart[e] + (ix->frequent[e] ? n - ix->count[e] : ix->count[e]);
	}
	ix->list = xmalloc((ix->lstart[n_ent] ? ix->lstart[n_ent] : 1) * sizeof(int32_t));
	size_t *pstart = xcalloc(n_ent + 1, sizeof(size_t));
	for (size_t e = 0; e < n_ent; e++)
		pstart[e + 1] = pstart[e] + ix->count[e];
	int32_t *post = xmalloc((in->off[n] ? in->off[n] : 1) * sizeof(int32_t));
	size_t *fill = xmalloc((n_ent + 1) * sizeof(size_t));
	memcpy(fill, pstart, (n_ent + 1) * sizeof(size_t));
	for (size_t i = 0; i < n; i++)
		for (size_t x = in->off[i]; x < in->off[i + 1]; x++)
			post[fill[in->ents[x]]++] = (int32_t)i;
	for (size_t e = 0; e < n_ent; e++) {
		size_t w = ix->lstart[e];
		if (!ix->frequent[e]) {
			memcpy(ix->list + w, post + pstart[e], ix->count[e] * sizeof(int32_t));
			continue;
		}
		size_t p = pstart[e];
		for (size_t i = 0; i < n; i++) {
			if (p < pstart[e + 1] && (size_t)post[p] == i)
				p++;
			else
				ix->list[w++] = (int32_t)i;
		}
	}
	free(fill);
	free(post);
	free(pstart);
}

static void index_build(const struct neg_input *in, struct neg_index *ix)
{
	const size_t n = in->n;
	ix->n_ent = (size_t)in->n_ent;
	ix->gsize = group_sizes(in);
	ix->count = xcalloc(ix->n_ent + 1, sizeof(size_t));
	for (size_t i = 0; i < in->off[n]; i++)
		ix->count[in->ents[i]]++;
	build_lists(in, ix);
	ix->by_size = xmalloc((n ? n : 1) * sizeof(int32_t));
	for (size_t i = 0; i < n; i++)
		ix->by_size[i] = (int32_t)i;
	sort_off = in->off;
	sort_keys = in->keys;
	qsort(ix->by_size, n, sizeof(int32_t), cmp_by_size);
	sort_off = NULL;
	sort_keys = NULL;
}

static void index_release(struct neg_index *ix)
{
	free(ix->count);
	free(ix->frequent);
	free(ix->lstart);
	free(ix->list);
	free(ix->by_size);
	free(ix->gsize);
}

/* Sampling for sample i (its entities stamped in s): disjoint samples have
 * the lowest possible J. Draw first among all samples; then, when the
 * sample has a frequent entity, among the samples without the most
 * frequent of them, where the disjoint ones all lie (with a frequent
 * entity, drawing among all samples is a waste: straight to the second
 * draw). @return how many of want were found, into row. */
static int draw_disjoint(const struct neg_input *in, const struct neg_index *ix, size_t i,
			 int want, size_t tries, struct rng *r, const struct neg_scratch *s,
			 int32_t *row)
{
	const int32_t *a = in->ents + in->off[i];
	const size_t na = in->off[i + 1] - in->off[i], n = in->n;
	const uint32_t me = (uint32_t)i + 1;
	int found = 0;
	size_t from = 0, span = n;
	int32_t best = -1;
	for (size_t x = 0; x < na; x++)
		if (ix->frequent[a[x]] && (best < 0 || ix->count[a[x]] > ix->count[best]))
			best = a[x];
	for (int pass = best < 0 ? 0 : 1; pass < 2 && found < want; pass++) {
		if (pass == 1) {
			if (best < 0 || ix->lstart[best + 1] == ix->lstart[best])
				break;
			from = ix->lstart[best];
			span = ix->lstart[best + 1] - ix->lstart[best];
		}
		for (size_t t = 0; t < tries && found < want; t++) {
			size_t j = pass ? (size_t)ix->list[from + rng_below(r, span)]
					: (size_t)rng_below(r, n);
			if (same_group(in, i, j))
				continue;
			const size_t nb = in->off[j + 1] - in->off[j];
			if (na == 0 && nb == 0)
				continue; /* J = 1 */
			int disjoint = 1;
			for (size_t x = in->off[j]; x < in->off[j + 1] && disjoint; x++)
				disjoint = s->stamp[in->ents[x]] != me;
			for (int q = 0; q < found && disjoint; q++)
				disjoint = row[q] != (int32_t)j;
			if (disjoint)
				row[found++] = (int32_t)j;
		}
	}
	return found;
}

/* Dense, step one: the lists of sample i's entities. Sample j shares
 * inter_j = f + d_j entities with it, where f counts i's frequent entities
 * and d_j the lists that hold j (+1 for a rare entity's list, -1 for a
 * frequent entity's complement). @return the samples touched (in
 * s->touched, with s->d), and f in *f. */
static size_t touch_lists(const struct neg_input *in, const struct neg_index *ix, size_t i,
			  struct neg_scratch *s, size_t *f)
{
	const int32_t *a = in->ents + in->off[i];
	const size_t na = in->off[i + 1] - in->off[i];
	const uint32_t me = (uint32_t)i + 1;
	size_t n_touched = 0;
	*f = 0;
	for (size_t x = 0; x < na; x++) {
		const int32_t e = a[x];
		const int step = ix->frequent[e] ? -1 : 1;
		*f += ix->frequent[e];
		for (size_t p = ix->lstart[e]; p < ix->lstart[e + 1]; p++) {
			int32_t j = ix->list[p];
			if (s->seen[j] != me) {
				s->seen[j] = me;
				s->d[j] = 0;
				s->touched[n_touched++] = j;
			}
			s->d[j] += step;
		}
	}
	return n_touched;
}

/* Dense: exact ranking of every sample outside i's group. Samples on no
 * list share exactly f entities, so their J = f / (na + nb - f) only falls
 * as nb grows: they are offered largest first until none can enter the
 * heap; then the touched ones, a division each, the tie hash only for
 * those that can enter. @return how many (want, or fewer), into row. */
static int rank_dense(const struct neg_input *in, const struct neg_index *ix, size_t i,
		      int want, uint64_t seed, struct rng *r, struct neg_scratch *s, int32_t *row)
{
	const size_t n = in->n, na = in->off[i + 1] - in->off[i];
	const uint32_t me = (uint32_t)i + 1;
	size_t f;
	const size_t n_touched = touch_lists(in, ix, i, s, &f);
	int h = 0;
	/* untouched samples: by size; with f = 0 they all have J = 0 (ties),
	 * so start at a random place */
	size_t start = f == 0 && n ? (size_t)rng_below(r, n) : 0;
	for (size_t q = 0; q < n; q++) {
		int32_t j = ix->by_size[(start + q) % n];
		if (s->seen[j] == me || same_group(in, i, (size_t)j))
			continue;
		const size_t nb = in->off[j + 1] - in->off[j];
		struct cand c = { na == 0 && nb == 0 ? 1.0 : (double)f / (double)(na + nb - f),
				  rng_mix(seed ^ in->keys[i] ^ rng_mix(in->keys[j])), j };
		/* nothing further can lower the k-th J */
		if (h == want && (f > 0 ? c.j >= s->heap[0].j : s->heap[0].j == 0))
			break;
		heap_offer(s->heap, &h, want, c);
	}
	for (size_t x = 0; x < n_touched; x++) {
		int32_t j = s->touched[x];
		if (same_group(in, i, (size_t)j))
			continue;
		const size_t nb = in->off[j + 1] - in->off[j];
		const size_t inter = (size_t)((int64_t)f + s->d[j]);
		const double jv = na == 0 && nb == 0 ? 1.0 : (double)inter / (double)(na + nb - inter);
		if (h == want && jv > s->heap[0].j)
			continue;
		struct cand c = { jv, rng_mix(seed ^ in->keys[i] ^ rng_mix(in->keys[j])), j };
		heap_offer(s->heap, &h, want, c);
	}
	qsort(s->heap, (size_t)h, sizeof(struct cand), cmp_cand);
	for (int q = 0; q < h; q++)
		row[q] = s->heap[q].idx;
	return h;
}

/* Counts of the mining, per thread then summed. */
struct neg_counts {
	size_t sampled, dense, short_rows;
};

/* The k negatives of sample i into row (padded with -1). */
static void mine_one(const struct neg_input *in, const struct neg_index *ix, size_t i, int k,
		     uint64_t seed, size_t tries, struct neg_scratch *s, int32_t *row,
		     struct neg_counts *nc)
{
	const int32_t *a = in->ents + in->off[i];
	const size_t na = in->off[i + 1] - in->off[i];
	struct rng r;
	rng_seed(&r, seed ^ 0x6e6567ull /* "neg" */, in->keys[i]);
	for (size_t x = 0; x < na; x++)
		s->stamp[a[x]] = (uint32_t)i + 1;
	const size_t others = in->n - (ix->gsize ? ix->gsize[in->group[i]] : 1);
	const int want = (size_t)k < others ? k : (int)others;
	if (want < k)
		nc->short_rows++;
	int found = draw_disjoint(in, ix, i, want, tries, &r, s, row);
	if (found == want) {
		nc->sampled++;
	} else {
		nc->dense++;
		found = rank_dense(in, ix, i, want, seed, &r, s, row);
	}
	for (int q = found; q < k; q++)
		row[q] = -1;
}

static int check_input(const struct neg_input *in, int k)
{
	if (k <= 0 || k > 1024)
		return error("negatives: k = %d is out of range (1 to 1024)", k);
	if (in->n >= INT32_MAX)
		return error("negatives: too many samples (%zu)", in->n);
	for (size_t i = 0; i < in->off[in->n]; i++)
		if (in->ents[i] < 0 || in->ents[i] >= in->n_ent)
			return error("negatives: entity id %d out of range", in->ents[i]);
	return 0;
}

int negatives_mine(const struct neg_input *in, int k, uint64_t seed, size_t tries, int threads,
		   int32_t *out, struct neg_stats *stats)
{
	const size_t n = in->n;
	double t0 = now_seconds();
	memset(stats, 0, sizeof(*stats));
	if (check_input(in, k) < 0)
		return -1;
	if (tries == 0)
		tries = 32 * (size_t)k + 64;
	struct neg_index ix = { 0 };
	index_build(in, &ix);
	if (threads <= 0)
		threads = omp_get_max_threads();
	size_t n_sampled = 0, n_dense = 0, n_short = 0;
#pragma omp parallel num_threads(threads) reduction(+ : n_sampled, n_dense, n_short)
	{
		struct neg_scratch s;
		struct neg_counts nc = { 0, 0, 0 };
		s.stamp = xcalloc(ix.n_ent + 1, sizeof(uint32_t));
		s.d = xcalloc(n ? n : 1, sizeof(int32_t));
		s.seen = xcalloc(n ? n : 1, sizeof(uint32_t));
		s.touched = xmalloc((n ? n : 1) * sizeof(int32_t));
		s.heap = xmalloc((size_t)k * sizeof(struct cand));
#pragma omp for schedule(dynamic, 64)
		for (size_t i = 0; i < n; i++)
			mine_one(in, &ix, i, k, seed, tries, &s, out + i * (size_t)k, &nc);
		n_sampled += nc.sampled;
		n_dense += nc.dense;
		n_short += nc.short_rows;
		free(s.stamp);
		free(s.d);
		free(s.seen);
		free(s.touched);
		free(s.heap);
	}
	index_release(&ix);
	stats->sampled = n_sampled;
	stats->dense = n_dense;
	stats->short_rows = n_short;
	stats->seconds = now_seconds() - t0;
	return 0;
}
