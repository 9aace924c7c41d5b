#include "eval.h"
#include "vec.h"
#include "../common/util.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

static int cmp_rht(const void *a, const void *b)
{
	const struct triple *x = a, *y = b;
	if (x->r != y->r)
		return x->r < y->r ? -1 : 1;
	if (x->h != y->h)
		return x->h < y->h ? -1 : 1;
	return (x->t > y->t) - (x->t < y->t);
}

static int cmp_rth(const void *a, const void *b)
{
	const struct triple *x = a, *y = b;
	if (x->r != y->r)
		return x->r < y->r ? -1 : 1;
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return (x->h > y->h) - (x->h < y->h);
}

/* Drop the repeats from the n sorted triples of a. @return how many remain. */
static size_t dedupe(struct triple *a, size_t n, int (*cmp)(const void *, const void *))
{
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (k == 0 || cmp(&a[k - 1], &a[i]) != 0)
			a[k++] = a[i];
	return k;
}

void lp_filter_build(struct lp_filter *f, const struct kg *kg)
{
	size_t n = 0;
	for (int i = 0; i < KG_N_SPLITS; i++)
		n += kg->n[i];
	f->n = n;
	f->by_head = xmalloc((n ? n : 1) * sizeof(struct triple));
	size_t k = 0;
	for (int i = 0; i < KG_N_SPLITS; i++) {
		if (kg->n[i])
			memcpy(f->by_head + k, kg->split[i], kg->n[i] * sizeof(struct triple));
		k += kg->n[i];
	}
	f->by_tail = xmalloc((n ? n : 1) * sizeof(struct triple));
	if (n)
		memcpy(f->by_tail, f->by_head, n * sizeof(struct triple));
	qsort(f->by_head, n, sizeof(struct triple), cmp_rht);
	qsort(f->by_tail, n, sizeof(struct triple), cmp_rth);
	/* a triple in two splits is one known triple: counted twice, it would
	 * be subtracted twice from the raw rank */
	f->n = dedupe(f->by_head, n, cmp_rht);
	dedupe(f->by_tail, n, cmp_rth);
}

void lp_filter_release(struct lp_filter *f)
{
	if (!f)
		return;
	free(f->by_head);
	free(f->by_tail);
	memset(f, 0, sizeof(*f));
}

/* The first index in a sorted by cmp whose triple is not below key. */
static size_t lower_bound(const struct triple *a, size_t n, const struct triple *key,
			  int (*cmp)(const void *, const void *))
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (cmp(&a[mid], key) < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

VEC_INLINE float dist(const float *q, const float *e, int S, int norm)
{
	return norm == 1 ? v_dist_l1(q, e, S) : v_dist_l2sq(q, e, S); /* L2: squared, same ranks */
}

/* Queries are ranked in tiles of this many, so that each entity row is read
 * from memory once per tile rather than once per query: the whole entity
 * table does not fit in the caches, a tile's queries do. */
#define TILE 16

/*
 * Entities are ranked 16 at a time from a transposed copy of the table:
 * blocks of 16 entities, dimension-major, (n_blk, dim, 16). A query's
 * coordinate j is then compared with the j-th coordinate of 16 entities in
 * one vector operation, and 16 distances come out of one pass with no
 * horizontal sums: about twice as fast as row by row. Costs one more copy of
 * the entity vectors while evaluating.
 */
static float *transpose_entities(const struct transe *m, size_t *n_blk_out)
{
	const size_t n_blk = ((size_t)m->n_ent + 15) / 16;
	const int D = m->dim;
	float *t = xaligned_alloc(64, (n_blk ? n_blk : 1) * (size_t)D * 16 * sizeof(float));
#pragma omp parallel for schedule(static)
	for (size_t b = 0; b < n_blk; b++)
		for (int l = 0; l < 16; l++) {
			size_t i = b * 16 + (size_t)l;
			for (int j = 0; j < D; j++)
				t[(b * D + (size_t)j) * 16 + (size_t)l] =
					i < (size_t)m->n_ent ? m->ent[i * m->stride + (size_t)j] : 0;
		}
	*n_blk_out = n_blk;
	return t;
}

/* d[j * ld + i] = distance (L1, or L2 squared: the same ranks) from query j
 * to entity i, for j < nq and every entity i < 16 * n_blk. t (n_blk, D, 16)
 * from transpose_entities, q (nq, S). Each lane sums its dimensions in one
 * fixed order, so a distance does not depend on which query asked. */
VEC_CLONES
static void tile_distances(const float *t, size_t n_blk, int D, int S, const float *q, int nq,
			   int norm, float *d, size_t ld)
{
	for (size_t b = 0; b < n_blk; b++) {
		const v16f *e = (const v16f *)__builtin_assume_aligned(t + b * (size_t)D * 16, 64);
		for (int j = 0; j < nq; j++) {
			const float *x = q + (size_t)j * S;
			v16f a0 = { 0 }, a1 = { 0 }, a2 = { 0 }, a3 = { 0 };
			int k = 0;
			if (norm == 1) {
				for (; k + 3 < D; k += 4) {
					a0 += v_abs(x[k] - e[k]);
					a1 += v_abs(x[k + 1] - e[k + 1]);
					a2 += v_abs(x[k + 2] - e[k + 2]);
					a3 += v_abs(x[k + 3] - e[k + 3]);
				}
				for (; k < D; k++)
					a0 += v_abs(x[k] - e[k]);
			} else {
				for (; k + 3 < D; k += 4) {
					v16f u0 = x[k] - e[k], u1 = x[k + 1] - e[k + 1];
					v16f u2 = x[k + 2] - e[k + 2], u3 = x[k + 3] - e[k + 3];
					a0 += u0 * u0;
					a1 += u1 * u1;
					a2 += u2 * u2;
					a3 += u3 * u3;
				}
				for (; k < D; k++) {
					v16f u = x[k] - e[k];
					a0 += u * u;
				}
			}
			v16f sum = (a0 + a1) + (a2 + a3);
			__builtin_memcpy(d + (size_t)j * ld + b * 16, &sum, sizeof sum);
		}
	}
}

/*
 * Ranks of one query from its distances d (n_ent): truth the true answer;
 * [known, known + n_known) the triples that share the query (the filter),
 * whose other end is read by side. ranks[0] raw, [1] filtered. Every
 * distance comes from the same pass, so the truth compares equal to itself.
 */
static void rank_query(int32_t n_ent, const float *d, int32_t truth, const struct triple *known,
		       size_t n_known, int side, double ranks[2])
{
	const float dt = d[truth];
	size_t less = 0, equal = 0;
	for (int32_t i = 0; i < n_ent; i++) {
		less += d[i] < dt;
		equal += d[i] == dt;
	}
	equal--; /* the truth itself */
	size_t fl = 0, fe = 0;
	for (size_t k = 0; k < n_known; k++) {
		int32_t other = side == LP_TAIL ? known[k].t : known[k].h;
		if (other == truth)
			continue;
		fl += d[other] < dt;
		fe += d[other] == dt;
	}
	ranks[0] = 1 + (double)less + (double)equal / 2;
	ranks[1] = 1 + (double)(less - fl) + (double)(equal - fe) / 2;
}

/* The query point of query i (test triple i / 2; odd: tail, even: head). */
static void make_query(const struct transe *m, int reciprocal, const struct triple *x, int side,
		       float *q)
{
	const int S = m->stride;
	const int32_t n_base = reciprocal ? m->n_rel / 2 : m->n_rel;
	const float *h = m->ent + (size_t)x->h * S, *t = m->ent + (size_t)x->t * S;
	const float *r = m->rel + (size_t)x->r * S;
	if (side == LP_TAIL) {
		for (int j = 0; j < S; j++)
			q[j] = h[j] + r[j];
	} else if (reciprocal) {
		const float *ri = m->rel + (size_t)(x->r + n_base) * S;
		for (int j = 0; j < S; j++)
			q[j] = t[j] + ri[j];
	} else {
		for (int j = 0; j < S; j++)
			q[j] = t[j] - r[j];
	}
}

/* The known triples that share the query of x on side. */
static const struct triple *known_of(const struct lp_filter *f, const struct triple *x, int side,
				     size_t *n_known)
{
	*n_known = 0;
	if (!f)
		return NULL;
	const struct triple *a = side == LP_TAIL ? f->by_head : f->by_tail;
	int (*cmp)(const void *, const void *) = side == LP_TAIL ? cmp_rht : cmp_rth;
	struct triple lo = *x, hi = *x;
	if (side == LP_TAIL) {
		lo.t = INT32_MIN;
		hi.t = INT32_MAX;
	} else {
		lo.h = INT32_MIN;
		hi.h = INT32_MAX;
	}
	size_t a0 = lower_bound(a, f->n, &lo, cmp), a1 = lower_bound(a, f->n, &hi, cmp);
	while (a1 < f->n && cmp(&a[a1], &hi) == 0)
		a1++;
	*n_known = a1 - a0;
	return a + a0;
}

static void add_rank(struct lp_metrics *s, double r)
{
	s->mr += r;
	s->mrr += 1 / r;
	s->hits1 += r <= 1;
	s->hits3 += r <= 3;
	s->hits10 += r <= 10;
	s->n++;
}

static void finish(struct lp_metrics *s)
{
	if (!s->n)
		return;
	double n = (double)s->n;
	s->mr /= n;
	s->mrr /= n;
	s->hits1 /= n;
	s->hits3 /= n;
	s->hits10 /= n;
}

int lp_evaluate(const struct transe *m, int norm, int reciprocal, const struct triple *test,
		size_t n, const struct lp_filter *f, int threads, struct lp_result *out)
{
	double t0 = now_seconds();
	memset(out, 0, sizeof(*out));
	const int S = m->stride;
	/* a tile's distances take tile * n_ent floats per thread: at most 16 MiB */
	size_t n_blk;
	float *tr = transpose_entities(m, &n_blk);
	const size_t ld = n_blk * 16; /* distances per query, padding included */
	/* a tile's distances take tile * ld floats per thread: at most 16 MiB */
	int tile = TILE;
	while (tile > 1 && (size_t)tile * ld > (size_t)1 << 22)
		tile /= 2;
	const size_t nq = 2 * n, n_tiles = (nq + tile - 1) / tile;
	/* ranks (nq, raw/filtered); query i asks for the head of triple i / 2
	 * when i is even, the tail when odd */
	double *ranks = xmalloc((nq ? nq : 1) * 2 * sizeof(double));
	int T = threads > 0 ? threads : omp_get_num_procs();
	float *qs = xaligned_alloc(64, (size_t)T * tile * S * sizeof(float));
	float *ds = xmalloc((size_t)T * tile * ld * sizeof(float));
#pragma omp parallel for schedule(dynamic, 1) num_threads(T)
	for (size_t k = 0; k < n_tiles; k++) {
		float *q = qs + (size_t)omp_get_thread_num() * tile * S;
		float *d = ds + (size_t)omp_get_thread_num() * tile * ld;
		size_t i0 = k * tile, i1 = i0 + tile < nq ? i0 + tile : nq;
		for (size_t i = i0; i < i1; i++)
			make_query(m, reciprocal, &test[i / 2], i % 2 ? LP_TAIL : LP_HEAD,
				   q + (i - i0) * S);
		tile_distances(tr, n_blk, m->dim, S, q, (int)(i1 - i0), norm, d, ld);
		for (size_t i = i0; i < i1; i++) {
			const struct triple *x = &test[i / 2];
			int side = i % 2 ? LP_TAIL : LP_HEAD;
			size_t n_known;
			const struct triple *known = known_of(f, x, side, &n_known);
			rank_query(m->n_ent, d + (i - i0) * ld, side == LP_TAIL ? x->t : x->h,
				   known, n_known, side, ranks + 2 * i);
		}
	}
	for (size_t i = 0; i < nq; i++) {
		int side = i % 2 ? LP_TAIL : LP_HEAD;
		add_rank(&out->raw[side], ranks[2 * i]);
		add_rank(&out->raw[LP_BOTH], ranks[2 * i]);
		add_rank(&out->filtered[side], ranks[2 * i + 1]);
		add_rank(&out->filtered[LP_BOTH], ranks[2 * i + 1]);
	}
	for (int s = 0; s < 3; s++) {
		finish(&out->raw[s]);
		finish(&out->filtered[s]);
	}
	free(ranks);
	free(qs);
	free(ds);
	free(tr);
	out->seconds = now_seconds() - t0;
	return 0;
}
