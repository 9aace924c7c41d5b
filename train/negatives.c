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

/* The order in which candidates are met: sample j sits at ring position
 * pos(j), sample i starts its walk at start(i), and j's distance from i is
 * pos(j) - start(i) mod 2^64. Both depend only on the seed and the keys, so
 * the order of two samples does not change as samples are added. */
static inline uint64_t ring_pos(uint64_t seed, uint64_t key)
{
	return rng_mix(seed ^ rng_mix(key));
}

static inline uint64_t ring_start(uint64_t seed, uint64_t key)
{
	return rng_mix(seed ^ 0x6e6567ull /* "neg" */ ^ rng_mix(key ^ 0x72696e67ull /* "ring" */));
}

uint64_t negatives_distance(uint64_t seed, uint64_t key_i, uint64_t key_j)
{
	return ring_pos(seed, key_j) - ring_start(seed, key_i);
}

/* A sample and its ring position, for sorting. */
struct ring_item {
	uint64_t pos;
	int32_t idx;
};

/* idx[0..n) (ascending) into ring order: by position, then index (LSD radix
 * sort, stable). @return the indexes in that order (caller frees). */
static int32_t *ring_order(const uint64_t *pos, const int32_t *idx, size_t n)
{
	struct ring_item *a = xmalloc((n ? n : 1) * sizeof(*a)), *b = xmalloc((n ? n : 1) * sizeof(*b));
	for (size_t i = 0; i < n; i++)
		a[i] = (struct ring_item){ pos[idx[i]], idx[i] };
	for (int shift = 0; shift < 64 && n > 0; shift += 8) {
		size_t count[257] = { 0 };
		for (size_t i = 0; i < n; i++)
			count[((a[i].pos >> shift) & 0xff) + 1]++;
		if (count[((a[0].pos >> shift) & 0xff) + 1] == n)
			continue; /* one byte value: already in order */
		for (int v = 0; v < 256; v++)
			count[v + 1] += count[v];
		for (size_t i = 0; i < n; i++)
			b[count[(a[i].pos >> shift) & 0xff]++] = a[i];
		struct ring_item *t = a;
		a = b;
		b = t;
	}
	int32_t *out = xmalloc((n ? n : 1) * sizeof(int32_t));
	for (size_t i = 0; i < n; i++)
		out[i] = a[i].idx;
	free(a);
	free(b);
	return out;
}

/* The first place in p[0..len) (the ring positions of samples in ring
 * order) at or after ring position x, 0 past the end (the ring wraps). The
 * positions are uniform hashes, so the search starts where x falls in
 * proportion, widens a window until it holds the place, and bisects it:
 * O(log sqrt(len)) near the guess instead of O(log len) across the array. */
static size_t ring_find(const uint64_t *p, size_t len, uint64_t x)
{
	if (len == 0)
		return 0;
	size_t lo = (size_t)(((x >> 32) * (uint64_t)len) >> 32), hi = lo;
	for (size_t step = 8; lo > 0 && p[lo - 1] >= x; step *= 2)
		lo = lo > step ? lo - step : 0;
	for (size_t step = 8; hi < len && p[hi] < x; step *= 2)
		hi = len - hi > step ? hi + step : len;
	/* every place before lo is below x, hi is at or past the first not */
	while (lo < hi) {
		size_t m = lo + (hi - lo) / 2;
		if (p[m] < x)
			lo = m + 1;
		else
			hi = m;
	}
	return lo == len ? 0 : lo;
}

/* Scratch of one thread. */
struct neg_scratch {
	uint32_t *stamp;    /* (n_ent) i + 1 when the entity is in sample i */
	int32_t *d;         /* (n) dense path: rare hits minus complement hits */
	uint32_t *seen;     /* (n) i + 1 when sample j was touched for sample i */
	int32_t *touched;   /* (n) the samples touched */
	struct cand *heap;  /* (k) */
};

static void scratch_init(struct neg_scratch *s, size_t n, size_t n_ent, int k)
{
	s->stamp = xcalloc(n_ent + 1, sizeof(uint32_t));
	s->d = xcalloc(n ? n : 1, sizeof(int32_t));
	s->seen = xcalloc(n ? n : 1, sizeof(uint32_t));
	s->touched = xmalloc((n ? n : 1) * sizeof(int32_t));
	s->heap = xmalloc((size_t)k * sizeof(struct cand));
}

static void scratch_release(struct neg_scratch *s)
{
	free(s->stamp);
	free(s->d);
	free(s->seen);
	free(s->touched);
	free(s->heap);
}

/* The ring and the inverted index (entity -> samples), and the order and
 * group sizes the search needs; read-only once built, shared by the
 * threads. */
struct neg_index {
	size_t n_ent;
	uint64_t seed;
	uint64_t *pos;      /* (n) ring positions */
	int32_t *ring;      /* (n) the samples in ring order */
	uint64_t *rpos;     /* (n) their positions, for the search */
	/* the index (NULL until built: an extension builds it only when a new
	 * sample needs it) */
	size_t *count;      /* (n_ent + 1) samples holding each entity */
	uint8_t *frequent;  /* (n_ent) held by more than half of the samples */
	size_t *lstart;     /* (n_ent + 1) entity e's list is list[lstart[e] .. lstart[e+1]) */
	int32_t *list;      /* a rare entity's samples, a frequent one's samples without
	                       it, in ring order */
	uint64_t *lpos;     /* their positions */
	int32_t *by_size;   /* (n) the samples by entity count, largest first (ties in ring
	                       order) */
	uint32_t *gsize;    /* (n) the size of each sample's group, or NULL without groups */
};

static inline int same_group(const struct neg_input *in, size_t i, size_t j)
{
	return i == j || (in->group && in->group[i] == in->group[j]);
}


static const uint32_t *sort_group;
static int cmp_by_group(const void *a, const void *b)
{
	uint32_t x = sort_group[*(const int32_t *)a], y = sort_group[*(const int32_t *)b];
	return (x > y) - (x < y);
}

/* The size of each sample's group, for how many candidates it has (group
 * ids are any 32-bit values: runs when they do not decrease, as an export
 * numbers them, else sorted). */
static uint32_t *group_sizes(const struct neg_input *in)
{
	const size_t n = in->n;
	if (!in->group)
		return NULL;
	uint32_t *size = xmalloc((n ? n : 1) * sizeof(uint32_t));
	int32_t *order = xmalloc((n ? n : 1) * sizeof(int32_t));
	int sorted = 1;
	for (size_t i = 0; i < n; i++) {
		order[i] = (int32_t)i;
		sorted &= i == 0 || in->group[i - 1] <= in->group[i];
	}
	if (!sorted) {
		sort_group = in->group;
		qsort(order, n, sizeof(int32_t), cmp_by_group);
		sort_group = NULL;
	}
	for (size_t a = 0, b; a < n; a = b) {
		for (b = a + 1; b < n && in->group[order[b]] == in->group[order[a]]; b++)
			;
		for (size_t q = a; q < b; q++)
			size[order[q]] = (uint32_t)(b - a);
	}
	free(order);
	return size;
}

/* The lists: a rare entity's samples (in sample order: only counted
 * through), a frequent one's complement in ring order (walked) with their
 * positions, so that no list is longer than n / 2. */
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
	ix->lpos = xmalloc((ix->lstart[n_ent] ? ix->lstart[n_ent] : 1) * sizeof(uint64_t));
	size_t *fill = xmalloc((n_ent + 1) * sizeof(size_t));
	memcpy(fill, ix->lstart, (n_ent + 1) * sizeof(size_t));
	uint8_t *has = NULL;
	for (size_t i = 0; i < n; i++)
		for (size_t x = in->off[i]; x < in->off[i + 1]; x++)
			if (!ix->frequent[in->ents[x]])
				ix->list[fill[in->ents[x]]++] = (int32_t)i;
	for (size_t e = 0; e < n_ent; e++) {
		if (!ix->frequent[e])
			continue;
		if (!has)
			has = xmalloc(n ? n : 1);
		memset(has, 0, n);
		for (size_t i = 0; i < n; i++)
			for (size_t x = in->off[i]; x < in->off[i + 1]; x++)
				has[i] |= in->ents[x] == (int32_t)e;
		size_t w = ix->lstart[e];
		for (size_t q = 0; q < n; q++)
			if (!has[ix->ring[q]]) {
				ix->lpos[w] = ix->rpos[q];
				ix->list[w++] = ix->ring[q];
			}
	}
	free(has);
	free(fill);
}

/* The positions of the ring's samples, in ring order. */
static void ring_positions(struct neg_index *ix, size_t n)
{
	free(ix->rpos);
	ix->rpos = xmalloc((n ? n : 1) * sizeof(uint64_t));
	for (size_t q = 0; q < n; q++)
		ix->rpos[q] = ix->pos[ix->ring[q]];
}

/* What ring and index start from: the entity count, the seed, the group
 * sizes and every sample's ring position. */
static void ring_init(const struct neg_input *in, uint64_t seed, struct neg_index *ix)
{
	const size_t n = in->n;
	ix->n_ent = (size_t)in->n_ent;
	ix->seed = seed;
	ix->gsize = group_sizes(in);
	ix->pos = xmalloc((n ? n : 1) * sizeof(uint64_t));
	for (size_t i = 0; i < n; i++)
		ix->pos[i] = ring_pos(seed, in->keys[i]);
}

/* Samples 0..n-1 in ring order. @return them (caller frees). */
static int32_t *ring_all(const uint64_t *pos, size_t n)
{
	int32_t *all = xmalloc((n ? n : 1) * sizeof(int32_t));
	for (size_t i = 0; i < n; i++)
		all[i] = (int32_t)i;
	int32_t *ring = ring_order(pos, all, n);
	free(all);
	return ring;
}

/* The ring of all n samples. */
static void ring_build(const struct neg_input *in, uint64_t seed, struct neg_index *ix)
{
	ring_init(in, seed, ix);
	ix->ring = ring_all(ix->pos, in->n);
	ring_positions(ix, in->n);
}

/* The inverted index over the ring. */
static void index_build(const struct neg_input *in, struct neg_index *ix)
{
	const size_t n = in->n;
	ix->count = xcalloc(ix->n_ent + 1, sizeof(size_t));
	for (size_t i = 0; i < in->off[n]; i++)
		ix->count[in->ents[i]]++;
	build_lists(in, ix);
	/* the samples by entity count, largest first: a counting sort of the
	 * ring (the order of ties does not change a row) */
	size_t max_size = 0;
	for (size_t i = 0; i < n; i++)
		max_size = in->off[i + 1] - in->off[i] > max_size ? in->off[i + 1] - in->off[i]
								  : max_size;
	size_t *at = xcalloc(max_size + 2, sizeof(size_t));
	for (size_t i = 0; i < n; i++)
		at[max_size - (in->off[i + 1] - in->off[i]) + 1]++;
	for (size_t v = 0; v <= max_size; v++)
		at[v + 1] += at[v];
	ix->by_size = xmalloc((n ? n : 1) * sizeof(int32_t));
	for (size_t q = 0; q < n; q++) {
		const int32_t i = ix->ring[q];
		ix->by_size[at[max_size - (in->off[i + 1] - in->off[i])]++] = i;
	}
	free(at);
}

static void index_release(struct neg_index *ix)
{
	free(ix->pos);
	free(ix->ring);
	free(ix->count);
	free(ix->frequent);
	free(ix->lstart);
	free(ix->list);
	free(ix->lpos);
	free(ix->rpos);
	free(ix->by_size);
	free(ix->gsize);
}

/* Walk for sample i (its entities stamped in s): from its start, along the
 * ring, the first disjoint samples met are its negatives (J = 0, the
 * lowest, nearest first). The walk goes along seq[0..len), the ring or a
 * part of it that holds every sample disjoint from i (the samples without
 * one of i's entities), for at most tries steps. @return how many of want
 * were found, into row. */
static int walk_disjoint(const struct neg_input *in, const struct neg_index *ix, size_t i,
			 const int32_t *seq, const uint64_t *seqpos, size_t len, int want,
			 size_t tries, const struct neg_scratch *s, int32_t *row)
{
	const size_t na = in->off[i + 1] - in->off[i];
	const uint32_t me = (uint32_t)i + 1;
	const size_t steps = tries < len ? tries : len;
	size_t at = ring_find(seqpos, len, ring_start(ix->seed, in->keys[i]));
	int found = 0;
	for (size_t t = 0; t < steps && found < want; t++, at = at + 1 == len ? 0 : at + 1) {
		const size_t j = (size_t)seq[at];
		if (same_group(in, i, j))
			continue;
		if (na == 0 && in->off[j + 1] == in->off[j])
			continue; /* J = 1 */
		int disjoint = 1;
		for (size_t x = in->off[j]; x < in->off[j + 1] && disjoint; x++)
			disjoint = s->stamp[in->ents[x]] != me;
		if (disjoint)
			row[found++] = (int32_t)j;
	}
	return found;
}

/* The walk of the fresh mining: along the samples without i's most
 * frequent entity when it has a frequent one (every disjoint sample is
 * there, and it is where they are not rare), else along the whole ring. */
static int walk_indexed(const struct neg_input *in, const struct neg_index *ix, size_t i,
			int want, size_t tries, const struct neg_scratch *s, int32_t *row)
{
	const int32_t *a = in->ents + in->off[i];
	const size_t na = in->off[i + 1] - in->off[i];
	int32_t best = -1;
	for (size_t x = 0; x < na; x++)
		if (ix->frequent[a[x]] && (best < 0 || ix->count[a[x]] > ix->count[best]))
			best = a[x];
	if (best < 0)
		return walk_disjoint(in, ix, i, ix->ring, ix->rpos, in->n, want, tries, s, row);
	return walk_disjoint(in, ix, i, ix->list + ix->lstart[best], ix->lpos + ix->lstart[best],
			     ix->lstart[best + 1] - ix->lstart[best], want, tries, s, row);
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

/* Dense: exact ranking of every sample outside i's group by (J, distance).
 * Samples on no list share exactly f entities, so their J = f / (na + nb -
 * f) only falls as nb grows: with f > 0 they are offered largest first
 * until none can enter the heap; with f = 0 they all have J = 0 (or 1, two
 * empty sets) and all are offered. Then the touched ones, a division each.
 * @return how many (want, or fewer), into row. */
static int rank_dense(const struct neg_input *in, const struct neg_index *ix, size_t i,
		      int want, struct neg_scratch *s, int32_t *row, double *last_j)
{
	const size_t n = in->n, na = in->off[i + 1] - in->off[i];
	const uint32_t me = (uint32_t)i + 1;
	const uint64_t start = ring_start(ix->seed, in->keys[i]);
	size_t f;
	const size_t n_touched = touch_lists(in, ix, i, s, &f);
	int h = 0;
	for (size_t q = 0; q < n; q++) {
		int32_t j = ix->by_size[q];
		if (s->seen[j] == me || same_group(in, i, (size_t)j))
			continue;
		const size_t nb = in->off[j + 1] - in->off[j];
		struct cand c = { na == 0 && nb == 0 ? 1.0 : (double)f / (double)(na + nb - f),
				  ix->pos[j] - start, j };
		/* nothing further can enter: J only grows from here */
		if (f > 0 && h == want && c.j > s->heap[0].j)
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
		struct cand c = { jv, ix->pos[j] - start, j };
		heap_offer(s->heap, &h, want, c);
	}
	qsort(s->heap, (size_t)h, sizeof(struct cand), cmp_cand);
	for (int q = 0; q < h; q++)
		row[q] = s->heap[q].idx;
	*last_j = h ? s->heap[h - 1].j : 0;
	return h;
}

/* Counts of the mining, per thread then summed. */
struct neg_counts {
	size_t sampled, dense, short_rows;
};

/* How many negatives sample i can have: k, or fewer when fewer samples lie
 * outside its group. */
static int wanted(const struct neg_input *in, const struct neg_index *ix, size_t i, int k)
{
	const size_t others = in->n - (ix->gsize ? ix->gsize[i] : 1);
	return (size_t)k < others ? k : (int)others;
}

static void stamp_sample(const struct neg_input *in, size_t i, struct neg_scratch *s)
{
	for (size_t x = in->off[i]; x < in->off[i + 1]; x++)
		s->stamp[in->ents[x]] = (uint32_t)i + 1;
}

/* The k negatives of sample i into row (padded with -1), the index built.
 * @return 1 for a deep row (full, its last negative with J > 0). */
static int mine_one(const struct neg_input *in, const struct neg_index *ix, size_t i, int k,
		    size_t tries, struct neg_scratch *s, int32_t *row, struct neg_counts *nc)
{
	stamp_sample(in, i, s);
	const int want = wanted(in, ix, i, k);
	double last_j = 0;
	if (want < k)
		nc->short_rows++;
	int found = walk_indexed(in, ix, i, want, tries, s, row);
	if (found == want) {
		nc->sampled++;
	} else {
		nc->dense++;
		found = rank_dense(in, ix, i, want, s, row, &last_j);
	}
	for (int q = found; q < k; q++)
		row[q] = -1;
	return found == k && last_j > 0;
}

/* The deep rows of flags[0..n) into st (with the ring, taken from ix). */
static void state_take(struct neg_state *st, struct neg_index *ix, size_t n,
		       const uint8_t *flags)
{
	st->ring = ix->ring;
	st->n_ring = n;
	ix->ring = NULL;
	st->n_deep = 0;
	for (size_t i = 0; i < n; i++)
		st->n_deep += flags[i];
	st->deep = xmalloc((st->n_deep ? st->n_deep : 1) * sizeof(int32_t));
	for (size_t i = 0, w = 0; i < n; i++)
		if (flags[i])
			st->deep[w++] = (int32_t)i;
}

void neg_state_release(struct neg_state *st)
{
	free(st->ring);
	free(st->deep);
	memset(st, 0, sizeof(*st));
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
	for (size_t i = 0; i < in->n; i++)
		for (size_t x = in->off[i] + 1; x < in->off[i + 1]; x++)
			if (in->ents[x] <= in->ents[x - 1])
				return error("negatives: the entities of sample %zu are not sorted and "
					     "unique", i);
	return 0;
}

int negatives_mine(const struct neg_input *in, int k, uint64_t seed, size_t tries, int threads,
		   int32_t *out, struct neg_stats *stats, struct neg_state *state)
{
	const size_t n = in->n;
	double t0 = now_seconds();
	memset(stats, 0, sizeof(*stats));
	if (check_input(in, k) < 0)
		return -1;
	if (tries == 0)
		tries = 32 * (size_t)k + 64;
	struct neg_index ix = { 0 };
	ring_build(in, seed, &ix);
	index_build(in, &ix);
	if (threads <= 0)
		threads = omp_get_max_threads();
	size_t n_sampled = 0, n_dense = 0, n_short = 0;
	uint8_t *deep = xcalloc(n ? n : 1, 1);
#pragma omp parallel num_threads(threads) reduction(+ : n_sampled, n_dense, n_short)
	{
		struct neg_scratch s;
		struct neg_counts nc = { 0, 0, 0 };
		scratch_init(&s, n, ix.n_ent, k);
#pragma omp for schedule(dynamic, 64)
		for (size_t i = 0; i < n; i++)
			deep[i] = (uint8_t)mine_one(in, &ix, i, k, tries, &s, out + i * (size_t)k, &nc);
		n_sampled += nc.sampled;
		n_dense += nc.dense;
		n_short += nc.short_rows;
		scratch_release(&s);
	}
	if (state)
		state_take(state, &ix, n, deep);
	free(deep);
	index_release(&ix);
	stats->sampled = n_sampled;
	stats->dense = n_dense;
	stats->short_rows = n_short;
	stats->seconds = now_seconds() - t0;
	return 0;
}

/* ------------------------------------------------------------ extending */

/* A candidate j for sample i, ranked. */
static struct cand cand_of(const struct neg_input *in, const struct neg_index *ix, size_t i,
			   uint64_t start, int32_t j)
{
	return (struct cand){ jaccard(in->ents + in->off[i], in->off[i + 1] - in->off[i],
				      in->ents + in->off[j], in->off[j + 1] - in->off[j]),
			      ix->pos[j] - start, j };
}

/* Old sample i's row after the new samples (nring: the new ones, m, in
 * ring order): unchanged unless a new sample ranks before its last
 * negative. A full row whose last has J = 0 can only take a disjoint new
 * sample nearer on the ring, which lies in nring between i's start and that
 * negative; any other row looks at every new sample. known_shallow: the
 * old state says the row is not deep (its last J is 0 without scoring it).
 * *deep: whether the row is deep now. @return 1 when the row changed. */
static int extend_old(const struct neg_input *in, const struct neg_index *ix, size_t i, int k,
		      const int32_t *old, int known_shallow, const int32_t *nring,
		      const uint64_t *npos, size_t m, struct cand *heap, int32_t *row,
		      uint8_t *deep)
{
	const uint64_t start = ring_start(ix->seed, in->keys[i]);
	int c = 0;
	while (c < k && old[c] >= 0)
		c++;
	memcpy(row, old, (size_t)k * sizeof(int32_t));
	/* the last entry, which a new sample must beat in a full row (its J is
	 * 0 when the state says the row is not deep) */
	const int full = c == k;
	struct cand last = { 0, 0, 0 };
	if (full && known_shallow)
		last = (struct cand){ 0, ix->pos[old[k - 1]] - start, old[k - 1] };
	else if (full)
		last = cand_of(in, ix, i, start, old[k - 1]);
	*deep = full && last.j > 0;
	if (m == 0)
		return 0;
	size_t from = 0, span = m;
	if (full && last.j == 0) {
		/* the new samples at distance below the last's: from i's start on */
		from = ring_find(npos, m, start);
		span = 0;
		while (span < m && npos[(from + span) % m] - start < last.tie)
			span++;
	}
	int h = -1;
	for (size_t q = 0; q < span; q++) {
		const int32_t j = nring[(from + q) % m];
		if (same_group(in, i, (size_t)j))
			continue;
		struct cand x = cand_of(in, ix, i, start, j);
		if (full && !worse(&last, &x))
			continue;
		if (h < 0) /* the first that enters: the old entries ranked */
			for (int p = h = 0; p < c; p++)
				heap_offer(heap, &h, k, cand_of(in, ix, i, start, old[p]));
		heap_offer(heap, &h, k, x);
	}
	if (h < 0)
		return 0;
	qsort(heap, (size_t)h, sizeof(struct cand), cmp_cand);
	for (int q = 0; q < k; q++)
		row[q] = q < h ? heap[q].idx : -1;
	*deep = h == k && heap[k - 1].j > 0;
	return 1;
}

/* The ring of all samples (into ix->ring, unset) from the old samples'
 * (was, when it is one: in ring order, each old sample once) and the new
 * ones' (nring, m), merged; else sorted afresh. */
static void ring_extend(struct neg_index *ix, const struct neg_state *was, size_t n_old,
			const int32_t *nring, size_t m)
{
	const uint64_t *pos = ix->pos;
	int ok = was && was->ring && was->n_ring == n_old;
	for (size_t q = 0; ok && q < n_old; q++) {
		const int32_t a = was->ring[q];
		ok = a >= 0 && (size_t)a < n_old;
		if (ok && q > 0) {
			const int32_t b = was->ring[q - 1];
			/* strictly ascending (position, index): no sample twice */
			ok = pos[b] < pos[a] || (pos[b] == pos[a] && b < a);
		}
	}
	if (!ok) {
		ix->ring = ring_all(pos, n_old + m);
		return;
	}
	int32_t *r = xmalloc((n_old + m ? n_old + m : 1) * sizeof(int32_t));
	size_t a = 0, b = 0, w = 0;
	while (a < n_old || b < m) {
		int take_old = b == m || (a < n_old && (pos[was->ring[a]] < pos[nring[b]] ||
							(pos[was->ring[a]] == pos[nring[b]] &&
							 was->ring[a] < nring[b])));
		r[w++] = take_old ? was->ring[a++] : nring[b++];
	}
	ix->ring = r;
}

/* The rows was says are deep, as flags over the old samples (NULL: not
 * known, or not a list of distinct old rows). */
static uint8_t *deep_flags(const struct neg_state *was, size_t n_old)
{
	if (!was || !was->ring || (was->n_deep && !was->deep) || was->n_deep > n_old)
		return NULL;
	uint8_t *f = xcalloc(n_old ? n_old : 1, 1);
	for (size_t q = 0; q < was->n_deep; q++) {
		const int32_t r = was->deep[q];
		if (r < 0 || (size_t)r >= n_old || (q && r <= was->deep[q - 1])) {
			free(f);
			return NULL;
		}
		f[r] = 1;
	}
	return f;
}

/* A row of old: entries in [0, n_old), the -1 padding only at its end. */
static int old_row_ok(const int32_t *row, int k, size_t n_old)
{
	int pad = 0;
	for (int q = 0; q < k; q++) {
		if (row[q] < -1 || (row[q] >= 0 && (size_t)row[q] >= n_old) || (pad && row[q] >= 0))
			return 0;
		pad |= row[q] < 0;
	}
	return 1;
}

int negatives_extend(const struct neg_input *in, size_t n_old, const int32_t *old,
		     const struct neg_state *was, int k, uint64_t seed, size_t tries, int threads,
		     int32_t *out, struct neg_stats *stats, struct neg_state *state)
{
	const size_t n = in->n, m = n - n_old;
	double t0 = now_seconds();
	memset(stats, 0, sizeof(*stats));
	if (check_input(in, k) < 0)
		return -1;
	if (n_old > n)
		return error("negatives: %zu old samples of %zu", n_old, n);
	for (size_t i = 0; i < n_old; i++)
		if (!old_row_ok(old + i * (size_t)k, k, n_old))
			return error("negatives: old row %zu is malformed", i);
	if (tries == 0)
		tries = 32 * (size_t)k + 64;
	struct neg_index ix = { 0 };
	ring_init(in, seed, &ix);
	int32_t *fresh = xmalloc((m ? m : 1) * sizeof(int32_t));
	for (size_t q = 0; q < m; q++)
		fresh[q] = (int32_t)(n_old + q);
	int32_t *nring = ring_order(ix.pos, fresh, m);
	uint64_t *npos = xmalloc((m ? m : 1) * sizeof(uint64_t));
	for (size_t q = 0; q < m; q++)
		npos[q] = ix.pos[nring[q]];
	ring_extend(&ix, was, n_old, nring, m);
	ring_positions(&ix, n);
	uint8_t *was_deep = deep_flags(was, n_old); /* NULL: not known */
	uint8_t *deep = xcalloc(n ? n : 1, 1);
	/* the new samples' rows need the index only when a walk falls short */
	uint8_t *short_walk = xcalloc(m ? m : 1, 1);
	if (threads <= 0)
		threads = omp_get_max_threads();
	size_t n_updated = 0, n_sampled = 0, n_short = 0;
#pragma omp parallel num_threads(threads) reduction(+ : n_updated, n_sampled, n_short)
	{
		struct neg_scratch s = { 0 };
		s.stamp = xcalloc(ix.n_ent + 1, sizeof(uint32_t));
		s.heap = xmalloc((size_t)k * sizeof(struct cand));
#pragma omp for schedule(dynamic, 256)
		for (size_t i = 0; i < n_old; i++)
			n_updated += (size_t)extend_old(in, &ix, i, k, old + i * (size_t)k,
							was_deep && !was_deep[i], nring, npos, m, s.heap,
							out + i * (size_t)k, &deep[i]);
#pragma omp for schedule(dynamic, 16)
		for (size_t i = n_old; i < n; i++) {
			int32_t *row = out + i * (size_t)k;
			stamp_sample(in, i, &s);
			const int want = wanted(in, &ix, i, k);
			n_short += want < k;
			int found = walk_disjoint(in, &ix, i, ix.ring, ix.rpos, n, want, 8 * tries, &s,
						  row);
			for (int q = found; q < k; q++)
				row[q] = -1;
			if (found == want)
				n_sampled++;
			else
				short_walk[i - n_old] = 1;
		}
		free(s.stamp);
		free(s.heap);
	}
	size_t n_dense = 0;
	for (size_t q = 0; q < m; q++)
		n_dense += short_walk[q];
	if (n_dense) {
		index_build(in, &ix);
		struct neg_scratch s;
		scratch_init(&s, n, ix.n_ent, k);
		for (size_t q = 0; q < m; q++) {
			if (!short_walk[q])
				continue;
			int32_t *row = out + (n_old + q) * (size_t)k;
			stamp_sample(in, n_old + q, &s);
			double last_j;
			int found = rank_dense(in, &ix, n_old + q, wanted(in, &ix, n_old + q, k), &s, row,
					       &last_j);
			for (int p = found; p < k; p++)
				row[p] = -1;
			deep[n_old + q] = found == k && last_j > 0;
		}
		scratch_release(&s);
	}
	if (state)
		state_take(state, &ix, n, deep);
	free(deep);
	free(was_deep);
	free(short_walk);
	free(nring);
	free(npos);
	free(fresh);
	index_release(&ix);
	stats->sampled = n_sampled;
	stats->dense = n_dense;
	stats->short_rows = n_short;
	stats->old_rows = n_old;
	stats->updated = n_updated;
	stats->seconds = now_seconds() - t0;
	return 0;
}
