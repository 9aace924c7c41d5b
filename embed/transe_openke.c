/*
 * The openke recipe of transe.h: OpenKE-PyTorch's TransE update
 * (openke/module/model/TransE.py with norm_flag, MarginLoss,
 * NegativeSampling, Trainer with SGD) in C.
 *
 * A batch step has two phases, both over OpenMP threads:
 *   1. accumulate: for every positive of the batch and each of its K
 *      negatives, the distances at the rows as they were before the step,
 *      the hinge, and the gradient of the summed hinge with respect to the
 *      unit vectors, added to the gradient table G (one row per entity and
 *      relation; lock-free, see transe.h);
 *   2. apply: every row x with a gradient moves by
 *      -lr / (B K) * (G - x^ (x^ . G)) / |x|, the gradient through x^ = x / |x|
 *      (F.normalize's Jacobian), and G is cleared.
 * Because the normalization Jacobian is linear in G and fixed while the rows
 * do not move, summing G first and applying the Jacobian once per row is the
 * same step as torch's sum over every occurrence.
 */
#define _POSIX_C_SOURCE 200809L /* sched_yield */
#include "transe.h"
#include "transe_int.h"
#include "corrupt.h"
#include "vec.h"
#include "../common/rng.h"
#include "../common/util.h"

#include <math.h>
#include <omp.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>

/* F.normalize's floor under a row's length */
#define NORM_EPS 1e-12f
/* positives per chunk: the unit of work handed to a thread, and of random
 * streams */
#define CHUNK 64

/* What the threads share during a step. Shapes: S = m->stride. */
struct step_state {
	struct transe *m;
	float margin;
	int norm;
	float *g_ent, *g_rel;        /* (n_ent, S), (n_rel, S): d(summed hinge)/d(unit row) */
	float *inv_ent, *inv_rel;    /* (n_ent), (n_rel): 1 / max(|row|, NORM_EPS) */
	uint8_t *hit_ent, *hit_rel;  /* (n_ent), (n_rel): the row has a gradient */
};

/* One thread's buffers. */
struct step_thread {
	float *rows;                 /* (7, S): H, T, R, Qt, Qh, gQt, gQh */
	float *d;                    /* (K) negative distances */
	size_t *idx;                 /* (CHUNK) a drawn chunk: the triples drawn */
	struct triple *pos;          /* (CHUNK) */
	int32_t *neg;                /* (CHUNK, K) */
	uint8_t *head;               /* (CHUNK, K) */
};

VEC_INLINE float inv_length(float ss)
{
	float n = sqrtf(ss);
	return 1 / (n > NORM_EPS ? n : NORM_EPS);
}

static void state_init(struct step_state *s, struct transe *m, const struct transe_params *p)
{
	const size_t S = (size_t)m->stride;
	s->m = m;
	s->margin = p->margin;
	s->norm = p->norm;
	s->g_ent = xaligned_alloc(64, (size_t)m->n_ent * S * sizeof(float));
	s->g_rel = xaligned_alloc(64, (size_t)m->n_rel * S * sizeof(float));
	memset(s->g_ent, 0, (size_t)m->n_ent * S * sizeof(float));
	memset(s->g_rel, 0, (size_t)m->n_rel * S * sizeof(float));
	s->inv_ent = xmalloc((size_t)m->n_ent * sizeof(float));
	s->inv_rel = xmalloc((size_t)m->n_rel * sizeof(float));
	s->hit_ent = xcalloc((size_t)m->n_ent, 1);
	s->hit_rel = xcalloc((size_t)m->n_rel, 1);
#pragma omp parallel for schedule(static)
	for (int32_t i = 0; i < m->n_ent; i++)
		s->inv_ent[i] = inv_length(v_sumsq(m->ent + (size_t)i * S, (int)S));
	for (int32_t i = 0; i < m->n_rel; i++)
		s->inv_rel[i] = inv_length(v_sumsq(m->rel + (size_t)i * S, (int)S));
}

static void state_release(struct step_state *s)
{
	free(s->g_ent);
	free(s->g_rel);
	free(s->inv_ent);
	free(s->inv_rel);
	free(s->hit_ent);
	free(s->hit_rel);
}

static void thread_init(struct step_thread *w, int S, int K)
{
	w->rows = xaligned_alloc(64, 7 * (size_t)S * sizeof(float));
	w->d = xmalloc((size_t)K * sizeof(float));
	w->idx = xmalloc(CHUNK * sizeof(*w->idx));
	w->pos = xmalloc(CHUNK * sizeof(*w->pos));
	w->neg = xmalloc((size_t)CHUNK * K * sizeof(int32_t));
	w->head = xmalloc((size_t)CHUNK * K);
}

static void thread_release(struct step_thread *w)
{
	free(w->rows);
	free(w->d);
	free(w->idx);
	free(w->pos);
	free(w->neg);
	free(w->head);
}

/* H = h * ih, T = t * it, R = r * ir, Qt = H + R, Qh = T - R: the unit
 * vectors of a positive and the two queries its negatives are scored
 * against (tail replaced: d = |Qt - e^|; head replaced: |e^ + R - T| =
 * |Qh - e^|). @return |Qt - T|, the positive's distance (L2: squared). */
VEC_INLINE float v_queries(float *w, const float *h, float ih, const float *t, float it,
			   const float *r, float ir, int S, int norm)
{
	v16f *H = (v16f *)__builtin_assume_aligned(w, 64), *T = H + S / 16, *R = T + S / 16;
	v16f *Qt = R + S / 16, *Qh = Qt + S / 16;
	const v16f *a = (const v16f *)__builtin_assume_aligned(h, 64);
	const v16f *b = (const v16f *)__builtin_assume_aligned(t, 64);
	const v16f *c = (const v16f *)__builtin_assume_aligned(r, 64);
	v16f s = { 0 };
	for (int i = 0; i < S / 16; i++) {
		H[i] = a[i] * ih;
		T[i] = b[i] * it;
		R[i] = c[i] * ir;
		Qt[i] = H[i] + R[i];
		Qh[i] = T[i] - R[i];
		v16f v = Qt[i] - T[i];
		s += norm == 1 ? v_abs(v) : v * v;
	}
	return v_hsum(s);
}

/* |q - e * k| (L1) or its square (L2) */
VEC_INLINE float v_dist_scaled(const float *q, const float *e, float k, int S, int norm)
{
	const v16f *a = (const v16f *)__builtin_assume_aligned(q, 64);
	const v16f *b = (const v16f *)__builtin_assume_aligned(e, 64);
	v16f s0 = { 0 }, s1 = { 0 };
	int n = S / 16, i = 0;
	for (; i + 1 < n; i += 2) {
		v16f x = a[i] - b[i] * k, y = a[i + 1] - b[i + 1] * k;
		s0 += norm == 1 ? v_abs(x) : x * x;
		s1 += norm == 1 ? v_abs(y) : y * y;
	}
	if (i < n) {
		v16f x = a[i] - b[i] * k;
		s0 += norm == 1 ? v_abs(x) : x * x;
	}
	return v_hsum(s0 + s1);
}

/* w = the gradient of the distance at v = q - e * k (L1: sign(v); L2:
 * v * inv_d); G += w, acc -= w. */
VEC_INLINE void v_grad_negative(const float *q, const float *e, float k, float inv_d, float *G,
				float *acc, int S, int norm)
{
	const v16f *a = (const v16f *)__builtin_assume_aligned(q, 64);
	const v16f *b = (const v16f *)__builtin_assume_aligned(e, 64);
	v16f *g = (v16f *)__builtin_assume_aligned(G, 64);
	v16f *x = (v16f *)__builtin_assume_aligned(acc, 64);
	for (int i = 0; i < S / 16; i++) {
		v16f v = a[i] - b[i] * k;
		v16f u = norm == 1 ? v_sign(v) : v * inv_d;
		g[i] += u;
		x[i] -= u;
	}
}

/* The positive's share, n its active pairs, u = the gradient of its
 * distance at Qt - T: Gh += gQt + n u, Gr += gQt - gQh + n u,
 * Gt += gQh - n u (gQt, gQh: what the negatives sent to the two queries;
 * Qt = H + R, Qh = T - R). Gh and Gt may be one row. */
VEC_INLINE void v_grad_positive(const float *w, float n, float inv_d, float *Gh, float *Gt,
				float *Gr, int S, int norm)
{
	const v16f *T = (const v16f *)__builtin_assume_aligned(w, 64) + S / 16;
	const v16f *Qt = T + 2 * (S / 16), *gQt = Qt + 2 * (S / 16), *gQh = gQt + S / 16;
	v16f *h = (v16f *)__builtin_assume_aligned(Gh, 64);
	v16f *t = (v16f *)__builtin_assume_aligned(Gt, 64);
	v16f *r = (v16f *)__builtin_assume_aligned(Gr, 64);
	for (int i = 0; i < S / 16; i++) {
		v16f v = Qt[i] - T[i];
		v16f u = n * (norm == 1 ? v_sign(v) : v * inv_d);
		h[i] += gQt[i] + u;
		r[i] += gQt[i] - gQh[i] + u;
		t[i] += gQh[i] - u;
	}
}

/* Ask for the rows that positive i of b reads and the gradient rows it
 * writes. */
VEC_INLINE void prefetch_positive(const struct step_state *s, const struct transe_batch *b, int i)
{
	const struct transe *m = s->m;
	const int S = m->stride;
	const struct triple *x = &b->pos[i];
	const int32_t *ne = b->neg + (size_t)i * b->K;
	prefetch_row(m->ent + (size_t)x->h * S, S);
	prefetch_row(m->ent + (size_t)x->t * S, S);
	prefetch_row(s->g_ent + (size_t)x->h * S, S);
	prefetch_row(s->g_ent + (size_t)x->t * S, S);
	for (int k = 0; k < b->K; k++) {
		prefetch_row(m->ent + (size_t)ne[k] * S, S);
		prefetch_row(s->g_ent + (size_t)ne[k] * S, S);
	}
}

/*
 * Phase 1 for positives [lo, hi) of batch b. Reads m's rows (which must not
 * move meanwhile), s->inv_*; adds into s->g_* and sets s->hit_*.
 * Per positive (h, r, t) with unit vectors H, R, T and negatives e_k:
 *   d+ = |H + R - T|, d_k = |Qt - e^_k| (tail replaced) or |Qh - e^_k|
 *   (head replaced), hinge_k = max(0, margin + d+ - d_k);
 *   for an active pair, d(hinge)/d(d+) = 1 and d(hinge)/d(d_k) = -1.
 * @return the summed hinge (NaN when a distance is not finite).
 */
VEC_CLONES
static double accumulate(struct step_state *s, struct step_thread *w, const struct transe_batch *b,
			 int lo, int hi)
{
	struct transe *m = s->m;
	const int S = m->stride, K = b->K, norm = s->norm;
	float *Qt = w->rows + 3 * (size_t)S, *Qh = Qt + S, *gQt = Qh + S, *gQh = gQt + S;
	double loss = 0;
	float sentinel = 0;
	if (lo < hi)
		prefetch_positive(s, b, lo);
	for (int i = lo; i < hi; i++) {
		const struct triple *x = &b->pos[i];
		const int32_t *ne = b->neg + (size_t)i * K;
		const uint8_t *nh = b->neg_head + (size_t)i * K;
		/* one positive ahead: its rows are random, so not in cache unless
		 * asked for */
		if (i + 1 < hi)
			prefetch_positive(s, b, i + 1);
		float d0 = v_queries(w->rows, m->ent + (size_t)x->h * S, s->inv_ent[x->h],
				     m->ent + (size_t)x->t * S, s->inv_ent[x->t],
				     m->rel + (size_t)x->r * S, s->inv_rel[x->r], S, norm);
		if (norm == 2)
			d0 = sqrtf(d0);
		sentinel += d0 * 0;
		int active = 0;
		for (int k = 0; k < K; k++) {
			float d = v_dist_scaled(nh[k] ? Qh : Qt, m->ent + (size_t)ne[k] * S,
						s->inv_ent[ne[k]], S, norm);
			d = norm == 2 ? sqrtf(d) : d;
			sentinel += d * 0;
			float v = s->margin + d0 - d;
			w->d[k] = v > 0 ? d : -1;
			if (v > 0) {
				loss += v;
				active++;
			}
		}
		if (!active)
			continue;
		memset(gQt, 0, 2 * (size_t)S * sizeof(float));
		for (int k = 0; k < K; k++) {
			if (w->d[k] < 0)
				continue;
			int32_t e = ne[k];
			float inv_d = norm == 2 && w->d[k] > 0 ? 1 / w->d[k] : 0;
			v_grad_negative(nh[k] ? Qh : Qt, m->ent + (size_t)e * S, s->inv_ent[e], inv_d,
					s->g_ent + (size_t)e * S, nh[k] ? gQh : gQt, S, norm);
			s->hit_ent[e] = 1;
		}
		v_grad_positive(w->rows, (float)active, norm == 2 && d0 > 0 ? 1 / d0 : 0,
				s->g_ent + (size_t)x->h * S, s->g_ent + (size_t)x->t * S,
				s->g_rel + (size_t)x->r * S, S, norm);
		s->hit_ent[x->h] = s->hit_ent[x->t] = 1;
		s->hit_rel[x->r] = 1;
	}
	return loss + sentinel;
}

/*
 * Phase 2 for rows [lo, hi) of one table x (rows, S) with gradients G
 * (d/d(unit row)), inverse lengths inv and marks hit: each marked row that
 * is not frozen becomes x - step * J G, J = (I - x^ x^T) / |x| (I / eps when
 * |x| <= eps, as F.normalize's clamp), i.e. x (1 + step inv^3 (x . G)) -
 * step inv G; its inverse length is renewed; G and the mark are cleared.
 */
VEC_CLONES
static void apply(float *x, float *G, float *inv, uint8_t *hit, const uint8_t *frozen, int32_t lo,
		  int32_t hi, float step, int S)
{
	for (int32_t i = lo; i < hi; i++) {
		if (!hit[i])
			continue;
		hit[i] = 0;
		v16f *a = (v16f *)__builtin_assume_aligned(x + (size_t)i * S, 64);
		v16f *g = (v16f *)__builtin_assume_aligned(G + (size_t)i * S, 64);
		if (frozen && frozen[i]) {
			memset(g, 0, (size_t)S * sizeof(float));
			continue;
		}
		v16f dot = { 0 };
		for (int j = 0; j < S / 16; j++)
			dot += a[j] * g[j];
		const float k = inv[i];
		const float cg = step * k;
		const float cx = k < 1 / NORM_EPS ? step * k * k * k * v_hsum(dot) : 0;
		v16f ss = { 0 };
		for (int j = 0; j < S / 16; j++) {
			v16f v = a[j] + cx * a[j] - cg * g[j];
			a[j] = v;
			g[j] = (v16f){ 0 };
			ss += v * v;
		}
		inv[i] = inv_length(v_hsum(ss));
	}
}

/* Phase 2 goes by blocks of this many rows, handed out as threads come
 * free: on a busy machine a thread may be off its core for a while */
#define APPLY_ROWS 512

/* The blocks of phase 2: the entity table's, then the relation table's. */
static int apply_blocks(const struct transe *m)
{
	return (m->n_ent + APPLY_ROWS - 1) / APPLY_ROWS + (m->n_rel + APPLY_ROWS - 1) / APPLY_ROWS;
}

static void apply_block(struct step_state *s, int blk, float step)
{
	struct transe *m = s->m;
	const int ne = (m->n_ent + APPLY_ROWS - 1) / APPLY_ROWS;
	if (blk < ne) {
		int32_t lo = blk * APPLY_ROWS, hi = lo + APPLY_ROWS < m->n_ent ? lo + APPLY_ROWS : m->n_ent;
		apply(m->ent, s->g_ent, s->inv_ent, s->hit_ent, m->ent_frozen, lo, hi, step, m->stride);
	} else {
		int32_t lo = (blk - ne) * APPLY_ROWS;
		int32_t hi = lo + APPLY_ROWS < m->n_rel ? lo + APPLY_ROWS : m->n_rel;
		apply(m->rel, s->g_rel, s->inv_rel, s->hit_rel, m->rel_frozen, lo, hi, step, m->stride);
	}
}

/* The threads meet twice per batch, 200 times an epoch. OpenMP's barrier
 * spins while it waits, which on a machine with more runnable threads than
 * cores takes the core from the very thread being waited for (measured:
 * 40% slower epochs at a load average of 4 on 2 cores); this one yields
 * instead, which costs nothing when the machine is quiet. */
struct yield_barrier {
	atomic_int count;
	atomic_uint gen;
	int n;
};

static void barrier_wait(struct yield_barrier *b)
{
	unsigned g = atomic_load(&b->gen);
	if (atomic_fetch_add(&b->count, 1) == b->n - 1) {
		atomic_store(&b->count, 0);
		atomic_fetch_add(&b->gen, 1);
	} else {
		while (atomic_load(&b->gen) == g)
			sched_yield();
	}
}

double transe_openke_step(struct transe *m, const struct transe_params *p,
			  const struct transe_batch *b)
{
	struct step_state s;
	struct step_thread w;
	state_init(&s, m, p);
	thread_init(&w, m->stride, b->K);
	double loss = accumulate(&s, &w, b, 0, b->B);
	for (int blk = 0; blk < apply_blocks(m); blk++)
		apply_block(&s, blk, (float)(p->lr / ((double)b->B * b->K)));
	thread_release(&w);
	state_release(&s);
	return loss / ((double)b->B * b->K);
}

/* Draw n positives (uniform over the triples, with replacement), then
 * their negatives, into w. The triples and their runs are random reads:
 * asked for ahead. */
static void draw_chunk(struct step_thread *w, const struct corrupt *c, struct rng *g,
		       const struct triple *tr, size_t n_tr, int n, int K)
{
	for (int i = 0; i < n; i++) {
		w->idx[i] = (size_t)rng_below(g, n_tr);
		__builtin_prefetch(&tr[w->idx[i]]);
		__builtin_prefetch(&c->runs[w->idx[i]]);
	}
	for (int i = 0; i < n; i++) {
		if (i + 4 < n)
			corrupt_prefetch(c, w->idx[i + 4]);
		size_t j = w->idx[i];
		w->pos[i] = tr[j];
		corrupt_draw(c, g, j, &tr[j], K, w->neg + (size_t)i * K, w->head + (size_t)i * K);
	}
}

int transe_train_openke(struct transe *m, const struct transe_params *p, const struct triple *tr,
			size_t n, transe_epoch_fn fn, void *ctx)
{
	const int K = p->neg, nb = p->nbatches;
	/* OpenKE: batch_size = trainTotal // nbatches (at least one here) */
	const size_t B = n / (size_t)nb ? n / (size_t)nb : 1;
	if (B > INT32_MAX / (size_t)K)
		return error("a batch of %zu triples with %d negatives each is too large", B, K);
	const int n_chunks = (int)((B + CHUNK - 1) / CHUNK);
	int T = p->threads > 0 ? p->threads : omp_get_num_procs();
	if (T > n_chunks)
		T = n_chunks;
	struct corrupt c;
	corrupt_build(&c, tr, n, m->n_ent, m->n_rel, p->bern);
	struct step_state s;
	state_init(&s, m, p);
	struct step_thread *w = xcalloc((size_t)T, sizeof(*w));
	for (int t = 0; t < T; t++)
		thread_init(&w[t], m->stride, K);
	const float step = (float)(p->lr / ((double)B * K));
	const int n_blocks = apply_blocks(m);
	int rc = 0;
	double t0 = now_seconds();
	for (int epoch = 1; epoch <= p->epochs; epoch++) {
		double loss = 0;
		struct yield_barrier bar = { 0, 0, T };
#pragma omp parallel num_threads(T) reduction(+ : loss)
		{
			/* the barrier counts the threads there are */
#pragma omp single
			bar.n = omp_get_num_threads();
			struct step_thread *mine = &w[omp_get_thread_num()];
			for (int bi = 0; bi < nb; bi++) {
				double sum = 0;
#pragma omp for schedule(dynamic, 1) nowait
				for (int ci = 0; ci < n_chunks; ci++) {
					size_t lo = (size_t)ci * CHUNK;
					int len = (int)((B - lo) < CHUNK ? B - lo : CHUNK);
					/* the chunk's own stream: the batch does not depend on
					 * the thread count */
					struct rng g;
					rng_seed(&g, p->seed,
						 ((uint64_t)epoch * (uint64_t)nb + (uint64_t)bi) * (uint64_t)n_chunks +
							 (uint64_t)ci);
					draw_chunk(mine, &c, &g, tr, n, len, K);
					struct transe_batch cb = { len, K, mine->pos, mine->neg, mine->head };
					sum += accumulate(&s, mine, &cb, 0, len);
				}
				/* every gradient of the batch is in */
				barrier_wait(&bar);
				loss += sum / ((double)B * K);
#pragma omp for schedule(dynamic, 1) nowait
				for (int blk = 0; blk < n_blocks; blk++)
					apply_block(&s, blk, step);
				/* every row has moved */
				barrier_wait(&bar);
			}
		}
		loss /= nb;
		if ((rc = transe_epoch_end(epoch, loss, t0, fn, ctx)) != 0)
			break;
	}
	/* diverged (or aborted): the vectors are of no use either way */
	if (rc >= 0)
		transe_normalize(m);
	for (int t = 0; t < T; t++)
		thread_release(&w[t]);
	free(w);
	state_release(&s);
	corrupt_release(&c);
	return rc;
}
