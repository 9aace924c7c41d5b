#include "negatives.h"
#include "rng.h"
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
	int32_t *inter;     /* (n) intersection sizes, dense path */
	int32_t *touched;   /* (n) samples with inter > 0 */
	struct cand *heap;  /* (k) */
};

int negatives_mine(const struct neg_input *in, int k, uint64_t seed, size_t tries, int threads,
		   int32_t *out, struct neg_stats *stats)
{
	const size_t n = in->n;
	double t0 = now_seconds();
	memset(stats, 0, sizeof(*stats));
	if (k <= 0 || k > 1024)
		return error("negatives: k = %d is out of range (1 to 1024)", k);
	if (n >= UINT32_MAX)
		return error("negatives: too many samples (%zu)", n);
	for (size_t i = 0; i < in->off[n]; i++)
		if (in->ents[i] < 0 || in->ents[i] >= in->n_ent)
			return error("negatives: entity id %d out of range", in->ents[i]);
	if (tries == 0)
		tries = 32 * (size_t)k + 64;
	/* group sizes, for how many candidates each sample has */
	uint32_t *gsize = NULL;
	if (in->group) {
		uint32_t max_g = 0;
		for (size_t i = 0; i < n; i++)
			max_g = in->group[i] > max_g ? in->group[i] : max_g;
		gsize = xcalloc((size_t)max_g + 1, sizeof(uint32_t));
		for (size_t i = 0; i < n; i++)
			gsize[in->group[i]]++;
	}
#define SAME_GROUP(i, j) ((i) == (j) || (in->group && in->group[i] == in->group[j]))

	/* inverted index: post[pstart[e] .. pstart[e+1]) are the samples of e */
	size_t *pstart = xcalloc((size_t)in->n_ent + 1, sizeof(size_t));
	int32_t *post = xmalloc((in->off[n] ? in->off[n] : 1) * sizeof(int32_t));
	for (size_t i = 0; i < in->off[n]; i++)
		pstart[in->ents[i] + 1]++;
	for (int32_t e = 0; e < in->n_ent; e++)
		pstart[e + 1] += pstart[e];
	{
		size_t *fill = xmalloc(((size_t)in->n_ent + 1) * sizeof(size_t));
		memcpy(fill, pstart, ((size_t)in->n_ent + 1) * sizeof(size_t));
		for (size_t i = 0; i < n; i++)
			for (size_t x = in->off[i]; x < in->off[i + 1]; x++)
				post[fill[in->ents[x]]++] = (int32_t)i;
		free(fill);
	}

	if (threads <= 0)
		threads = omp_get_max_threads();
	size_t n_sampled = 0, n_dense = 0, n_short = 0;
#pragma omp parallel num_threads(threads) reduction(+ : n_sampled, n_dense, n_short)
	{
		struct neg_scratch s;
		s.stamp = xcalloc((size_t)in->n_ent + 1, sizeof(uint32_t));
		s.inter = xcalloc(n ? n : 1, sizeof(int32_t));
		s.touched = xmalloc((n ? n : 1) * sizeof(int32_t));
		s.heap = xmalloc((size_t)k * sizeof(struct cand));
#pragma omp for schedule(dynamic, 64)
		for (size_t i = 0; i < n; i++) {
			int32_t *row = out + i * (size_t)k;
			const int32_t *a = in->ents + in->off[i];
			const size_t na = in->off[i + 1] - in->off[i];
			struct rng r;
			rng_seed(&r, seed ^ 0x6e6567ull /* "neg" */, in->keys[i]);
			for (size_t x = 0; x < na; x++)
				s.stamp[a[x]] = (uint32_t)i + 1;
			int found = 0;
			const size_t others = n - (gsize ? gsize[in->group[i]] : 1);
			const int want = (size_t)k < others ? k : (int)others;
			if (want < k)
				n_short++;
			/* sampling: disjoint samples have the lowest possible J */
			for (size_t t = 0; t < tries && found < want; t++) {
				size_t j = (size_t)rng_below(&r, n);
				if (SAME_GROUP(i, j))
					continue;
				const size_t nb = in->off[j + 1] - in->off[j];
				if (na == 0 && nb == 0)
					continue;          /* J = 1 */
				int disjoint = 1;
				for (size_t x = in->off[j]; x < in->off[j + 1] && disjoint; x++)
					disjoint = s.stamp[in->ents[x]] != (uint32_t)i + 1;
				for (int q = 0; q < found && disjoint; q++)
					disjoint = row[q] != (int32_t)j;
				if (disjoint)
					row[found++] = (int32_t)j;
			}
			if (found == want) {
				n_sampled++;
			} else {
				/* dense: exact ranking through the inverted index */
				n_dense++;
				size_t n_touched = 0;
				for (size_t x = 0; x < na; x++)
					for (size_t p = pstart[a[x]]; p < pstart[a[x] + 1]; p++) {
						int32_t j = post[p];
						if (s.inter[j]++ == 0)
							s.touched[n_touched++] = j;
					}
				int h = 0;
				for (size_t j = 0; j < n; j++) {
					if (SAME_GROUP(i, j))
						continue;
					const size_t nb = in->off[j + 1] - in->off[j];
					struct cand c;
					c.idx = (int32_t)j;
					c.tie = rng_mix(seed ^ in->keys[i] ^ rng_mix(in->keys[j]));
					if (na == 0 && nb == 0)
						c.j = 1.0;
					else
						c.j = (double)s.inter[j] /
						      (double)(na + nb - (size_t)s.inter[j]);
					heap_offer(s.heap, &h, want, c);
				}
				for (size_t x = 0; x < n_touched; x++)
					s.inter[s.touched[x]] = 0;
				qsort(s.heap, (size_t)h, sizeof(struct cand), cmp_cand);
				for (int q = 0; q < h; q++)
					row[q] = s.heap[q].idx;
				found = h;
			}
			for (int q = found; q < k; q++)
				row[q] = -1;
		}
		free(s.stamp);
		free(s.inter);
		free(s.touched);
		free(s.heap);
	}
#undef SAME_GROUP
	free(gsize);
	free(pstart);
	free(post);
	stats->sampled = n_sampled;
	stats->dense = n_dense;
	stats->short_rows = n_short;
	stats->seconds = now_seconds() - t0;
	return 0;
}
