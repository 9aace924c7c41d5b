#include "transe.h"
#include "transe_int.h"
#include "vec.h"
#include "../common/rng.h"
#include "../common/util.h"

#include <math.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>

/* ------------------------------------------------------------ model */

static float *alloc_rows(size_t rows, int stride)
{
	return xaligned_alloc(64, rows * (size_t)stride * sizeof(float));
}

static void row_normalize(float *x, int n, int mode)
{
	if (mode == TRANSE_NORM_NONE)
		return;
	double ss = 0;
	for (int j = 0; j < n; j++)
		ss += (double)x[j] * x[j];
	if (ss <= 0 || (mode == TRANSE_NORM_BALL && ss <= 1))
		return;
	float k = (float)(1 / sqrt(ss));
	for (int j = 0; j < n; j++)
		x[j] *= k;
}

/* Row i of a table gets its own generator, so the result does not depend on
 * which thread fills it. */
static void init_rows(float *t, int32_t rows, int dim, int stride, float bound, uint64_t seed,
		      int normalize)
{
#pragma omp parallel for schedule(static)
	for (int32_t i = 0; i < rows; i++) {
		struct rng g = { seed ^ ((uint64_t)i * 0xD1B54A32D192ED03ull) };
		float *x = t + (size_t)i * stride;
		for (int j = 0; j < dim; j++) {
			float u = (float)(rng_next(&g) >> 40) * (1.0f / 16777216.0f);
			x[j] = (2 * u - 1) * bound;
		}
		memset(x + dim, 0, (size_t)(stride - dim) * sizeof(float));
		row_normalize(x, stride, normalize);
	}
}

int transe_init(struct transe *m, int32_t n_ent, int32_t n_rel, const struct transe_params *p)
{
	memset(m, 0, sizeof(*m));
	if (transe_params_check(p) < 0)
		return -1;
	if (n_ent <= 0 || n_rel <= 0)
		return error("cannot train on %d entities and %d relations", n_ent, n_rel);
	m->n_ent = n_ent;
	m->n_rel = p->reciprocal ? 2 * n_rel : n_rel;
	m->dim = p->dim;
	m->stride = (p->dim + 15) / 16 * 16;
	m->ent = alloc_rows((size_t)m->n_ent, m->stride);
	m->rel = alloc_rows((size_t)m->n_rel, m->stride);
	float be = sqrtf(6.0f / (float)(n_ent + p->dim));
	float br = sqrtf(6.0f / (float)(n_rel + p->dim));
	int enorm = p->recipe == TRANSE_OPENKE ? TRANSE_NORM_NONE : p->entity_norm;
	if (p->recipe == TRANSE_FAST && p->entity_norm == TRANSE_NORM_NONE && p->loss == TRANSE_SANS)
		be = br = (p->margin + 2.0f) / (float)p->dim;
	init_rows(m->ent, m->n_ent, m->dim, m->stride, be, p->seed * 2 + 1, enorm);
	init_rows(m->rel, m->n_rel, m->dim, m->stride, br, p->seed * 2 + 2, TRANSE_NORM_NONE);
	if (p->optimizer == TRANSE_ADAGRAD) {
		m->ent_g2 = xcalloc((size_t)m->n_ent, sizeof(float));
		m->rel_g2 = xcalloc((size_t)m->n_rel, sizeof(float));
	}
	return 0;
}

void transe_release(struct transe *m)
{
	if (!m)
		return;
	free(m->ent);
	free(m->rel);
	free(m->ent_g2);
	free(m->rel_g2);
	free(m->ent_frozen);
	free(m->rel_frozen);
	memset(m, 0, sizeof(*m));
}

static void normalize_rows(float *t, int32_t rows, int stride, const uint8_t *frozen)
{
#pragma omp parallel for schedule(static)
	for (int32_t i = 0; i < rows; i++)
		if (!(frozen && frozen[i]))
			row_normalize(t + (size_t)i * stride, stride, TRANSE_NORM_SPHERE);
}

void transe_normalize(struct transe *m)
{
	normalize_rows(m->ent, m->n_ent, m->stride, m->ent_frozen);
	normalize_rows(m->rel, m->n_rel, m->stride, m->rel_frozen);
}

void transe_unit_copy(struct transe *dst, const struct transe *src)
{
	memset(dst, 0, sizeof(*dst));
	dst->n_ent = src->n_ent;
	dst->n_rel = src->n_rel;
	dst->dim = src->dim;
	dst->stride = src->stride;
	size_t ne = (size_t)src->n_ent * src->stride, nr = (size_t)src->n_rel * src->stride;
	dst->ent = alloc_rows((size_t)src->n_ent, src->stride);
	dst->rel = alloc_rows((size_t)src->n_rel, src->stride);
	memcpy(dst->ent, src->ent, ne * sizeof(float));
	memcpy(dst->rel, src->rel, nr * sizeof(float));
	transe_normalize(dst);
}

/* ------------------------------------------------------------ kernels */

float transe_distance(const struct transe *m, int norm, const float *a, const float *b)
{
	return norm == 1 ? v_dist_l1(a, b, m->stride) : sqrtf(v_dist_l2sq(a, b, m->stride));
}

VEC_INLINE void renorm(float *x, int n, float ss, int mode)
{
	if (mode == TRANSE_NORM_NONE || !(ss > 0))
		return;
	if (mode == TRANSE_NORM_BALL && ss <= 1)
		return;
	v_scale(x, n, 1 / sqrtf(ss));
}

#define PREFETCH 6

static inline float log_sigmoid(float x)
{
	return x >= 0 ? -log1pf(expf(-x)) : x - log1pf(expf(x));
}

static inline float sigmoid(float x)
{
	return 1 / (1 + expf(-x));
}

/* SANS: a negative whose gradient weight is below this fraction of the
 * query's largest is skipped; softmax weights fall off exponentially with
 * the distance, so these terms change nothing measurable and cost as much
 * as the others. */
#define SANS_SKIP 1e-3f

/* Loss of one query from its distances d[0] (the true triple) and d[1..K]
 * (negatives); c[i] = dL/dd[i].
 *   margin: L = sum_i max(0, margin + d[0] - d[i]);
 *   SANS:   L = -log s(margin - d[0]) - sum_i w[i] log s(d[i] - margin),
 *           w = softmax(-alpha * d[1..K]) held constant (self-adversarial). */
static inline float query_loss(const struct transe_params *p, const float *d, float *c, int K,
			       int want_loss)
{
	float loss = 0;
	if (p->loss == TRANSE_MARGIN) {
		float c0 = 0;
		for (int i = 1; i <= K; i++) {
			float v = p->margin + d[0] - d[i];
			c[i] = v > 0 ? -1.0f : 0.0f;
			loss += v > 0 ? v : 0;
			c0 += v > 0 ? 1.0f : 0.0f;
		}
		c[0] = c0;
		return loss + d[0] * 0; /* keeps a NaN distance visible */
	}
	float mx = -INFINITY, z = 0, cmax = 0;
	for (int i = 1; i <= K; i++)
		mx = mx > -p->adv_temp * d[i] ? mx : -p->adv_temp * d[i];
	for (int i = 1; i <= K; i++) {
		c[i] = expf(-p->adv_temp * d[i] - mx);
		z += c[i];
	}
	c[0] = sigmoid(d[0] - p->margin);
	if (want_loss) {
		/* the logarithms cost as much as the rest of the step, so the
		 * caller asks for them on a sample of the queries */
		loss = -log_sigmoid(p->margin - d[0]);
		for (int i = 1; i <= K; i++)
			loss -= c[i] / z * log_sigmoid(d[i] - p->margin);
	}
	for (int i = 1; i <= K; i++) {
		c[i] = -c[i] / z * sigmoid(p->margin - d[i]);
		cmax = cmax > -c[i] ? cmax : -c[i];
	}
	for (int i = 1; i <= K; i++)
		if (-c[i] < SANS_SKIP * cmax)
			c[i] = 0;
	return isfinite(mx) && isfinite(d[0]) ? loss : NAN;
}

/* The step size of a row whose gradient has mean square g2 (Adagrad keeps
 * the sum in *acc), or step for SGD. */
static inline float row_step(float step, int adagrad, float *acc, float g2)
{
	if (!adagrad)
		return step;
	*acc += g2;
	return step / (sqrtf(*acc) + 1e-10f);
}

/*
 * The training step of a group of B queries that share K negatives.
 * Shapes: ent (n_ent, S), rel (n_rel, S), S = stride; per query b:
 * q_b = ent[anchor[b]] + sign[b] * rel[rel[b]] (sign +1: the tail is
 * replaced, -1: the head), pos[b] the true entity; neg (K) entity ids.
 * scratch (see transe_scratch_floats): Q (B, S), GQ (B, S), G (S),
 * d (B, K+1), c (B, K+1).
 *
 * Forward: d[b][0] = ||q_b - ent[pos[b]]||, d[b][k+1] = ||q_b - ent[neg[k]]||;
 * each negative row is read once for the B queries (the point of sharing:
 * random rows are what training waits for). c[b][i] = dL_b/dd[b][i].
 * Backward, with g_bi the distance gradient at q_b - e_i:
 *   dL/de_neg[k] = -sum_b c[b][k+1] g_b,k+1 (one update per negative row),
 *   dL/de_pos[b] = -c[b][0] g_b0, dL/dq_b = sum_i c[b][i] g_bi,
 *   dL/danchor[b] = dL/dq_b, dL/drel[b] = sign[b] dL/dq_b.
 * Rows are updated in that order, each as soon as its gradient is known
 * (Hogwild), entity rows renormalized after their update. @return the
 * summed loss of the B queries.
 */
VEC_INLINE float step_group(struct transe *m, const struct transe_params *p, float *scratch,
			    int B, const int32_t *anchor, const int32_t *rel, const float *sign,
			    const int32_t *pos, const int32_t *neg, int K, float step, int want_loss)
{
	const int S = m->stride, K1 = K + 1, norm = p->norm;
	const int adagrad = p->optimizer == TRANSE_ADAGRAD;
	float *Q = scratch, *GQ = Q + (size_t)B * S, *G = GQ + (size_t)B * S;
	float *d = G + S, *c = d + (size_t)B * K1;
	const float g2_unit = norm == 1 ? 1.0f : 1.0f / (float)m->dim;
	const uint8_t *ef = m->ent_frozen, *rf = m->rel_frozen;

	for (int b = 0; b < B; b++) {
		prefetch_row(m->ent + (size_t)pos[b] * S, S);
		const float *a = m->ent + (size_t)anchor[b] * S, *rv = m->rel + (size_t)rel[b] * S;
		v_query(Q + (size_t)b * S, GQ + (size_t)b * S, a, rv, sign[b], S);
	}
	for (int i = 0; i < PREFETCH && i < K; i++)
		prefetch_row(m->ent + (size_t)neg[i] * S, S);
	for (int b = 0; b < B; b++) {
		const float *e = m->ent + (size_t)pos[b] * S, *q = Q + (size_t)b * S;
		d[b * K1] = norm == 1 ? v_dist_l1(q, e, S) : sqrtf(v_dist_l2sq(q, e, S));
	}
	for (int k = 0; k < K; k++) {
		if (k + PREFETCH < K)
			prefetch_row(m->ent + (size_t)neg[k + PREFETCH] * S, S);
		const float *e = m->ent + (size_t)neg[k] * S;
		for (int b = 0; b < B; b++) {
			const float *q = Q + (size_t)b * S;
			d[b * K1 + k + 1] = norm == 1 ? v_dist_l1(q, e, S) : sqrtf(v_dist_l2sq(q, e, S));
		}
	}
	float loss = 0, sentinel = 0;
	for (int b = 0; b < B; b++)
		loss += query_loss(p, d + b * K1, c + b * K1, K, want_loss);
	/* a NaN or infinite distance anywhere makes the loss NaN, so that
	 * divergence is caught at the end of the epoch */
	for (int i = 0; i < B * K1; i++)
		sentinel += d[i] * 0;
	loss += sentinel;

	/* negatives: one update per row, from the sum over the queries */
	for (int k = 0; k < K; k++) {
		int32_t id = neg[k];
		int any = 0;
		for (int b = 0; b < B; b++)
			any |= c[b * K1 + k + 1] != 0;
		if (!any)
			continue;
		float *e = m->ent + (size_t)id * S;
		int frozen = ef && ef[id];
		if (B == 1) {
			/* no sum to form: update in place */
			float ck = c[k + 1], dk = d[k + 1];
			float inv = norm == 2 && dk > 0 ? 1 / dk : 0;
			float kk = frozen ? 0
					  : step * ck / (adagrad ? sqrtf(m->ent_g2[id] += ck * ck * g2_unit) + 1e-10f : 1);
			float ss = v_update_target(Q, e, GQ, S, norm, kk, ck, inv);
			if (!frozen)
				renorm(e, S, ss, p->entity_norm);
			continue;
		}
		for (int j = 0; j < S; j++)
			G[j] = 0;
		for (int b = 0; b < B; b++) {
			float cb = c[b * K1 + k + 1], db = d[b * K1 + k + 1];
			if (cb == 0)
				continue;
			float inv = norm == 2 && db > 0 ? 1 / db : 0;
			v_accumulate_grad(Q + (size_t)b * S, e, GQ + (size_t)b * S, G, S, norm, cb, inv);
		}
		if (frozen)
			continue;
		float kk = row_step(step, adagrad, adagrad ? &m->ent_g2[id] : NULL,
				    adagrad ? v_sumsq(G, S) / (float)m->dim : 0);
		float ss = v_axpy_norm(e, G, S, kk);
		renorm(e, S, ss, p->entity_norm);
	}

	/* true targets, then anchors and relations */
	for (int b = 0; b < B; b++) {
		float cb = c[b * K1], db = d[b * K1];
		float *q = Q + (size_t)b * S, *gq = GQ + (size_t)b * S;
		int32_t id = pos[b];
		if (cb != 0) {
			float *e = m->ent + (size_t)id * S;
			int frozen = ef && ef[id];
			float inv = norm == 2 && db > 0 ? 1 / db : 0;
			float kk = frozen ? 0
					  : step * cb / (adagrad ? sqrtf(m->ent_g2[id] += cb * cb * g2_unit) + 1e-10f : 1);
			float ss = v_update_target(q, e, gq, S, norm, kk, cb, inv);
			if (!frozen)
				renorm(e, S, ss, p->entity_norm);
		}
		float g2 = adagrad ? v_sumsq(gq, S) / (float)m->dim : 0;
		int32_t a = anchor[b], r = rel[b];
		if (!(ef && ef[a])) {
			float *x = m->ent + (size_t)a * S;
			float kk = row_step(step, adagrad, adagrad ? &m->ent_g2[a] : NULL, g2);
			float ss = v_axpy_norm(x, gq, S, -kk);
			renorm(x, S, ss, p->entity_norm);
		}
		if (!(rf && rf[r])) {
			float kk = row_step(step, adagrad, adagrad ? &m->rel_g2[r] : NULL, g2);
			v_axpy_norm(m->rel + (size_t)r * S, gq, S, -kk * sign[b]);
		}
	}
	return loss;
}

size_t transe_scratch_floats(const struct transe *m, int batch, int n_neg)
{
	size_t n = (size_t)(2 * batch + 1) * m->stride + 2 * (size_t)batch * (n_neg + 1);
	return (n + 15) / 16 * 16;
}

float transe_step(struct transe *m, const struct transe_params *p, float *scratch, int B,
		  const int32_t *anchor, const int32_t *rel, const float *sign, const int32_t *pos,
		  const int32_t *neg, int n_neg, float step)
{
	return step_group(m, p, scratch, B, anchor, rel, sign, pos, neg, n_neg, step, 1);
}

/* ------------------------------------------------------------ epochs */

#define LOSS_SAMPLE 16
#define PREFETCH_TRIPLES 16

struct shard {
	_Alignas(64) struct rng rng;    /* one cache line per thread */
	double loss;
};

/* Per-thread buffers: the group's queries and negatives, and the step's
 * scratch. */
struct work {
	int32_t *anchor, *rel, *pos, *neg;
	float *sign;
	float *scratch;
};

/* One thread's pass over its shard: shuffle it, then one step per group of
 * p->batch queries (a triple gives one query, two when reciprocal). */
VEC_CLONES
static void train_shard(struct transe *m, const struct transe_params *p, const struct triple *tr,
			uint32_t *order, size_t n, const float *p_head, float step,
			struct shard *sh, struct work *w)
{
	struct rng *g = &sh->rng;
	const int K = p->neg, B = p->batch, n_base = p->reciprocal ? m->n_rel / 2 : m->n_rel;
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)rng_below(g, i);
		uint32_t x = order[i - 1];
		order[i - 1] = order[j];
		order[j] = x;
	}
	double loss = 0;
	int nb = 0, groups = 0;
	for (size_t i = 0; i < n; i++) {
		const struct triple *x = &tr[order[i]];
		if (i + 2 * PREFETCH_TRIPLES < n)
			__builtin_prefetch(&tr[order[i + 2 * PREFETCH_TRIPLES]]);
		if (i + PREFETCH_TRIPLES < n) {
			/* the rows of a triple a few groups ahead (and, further
			 * ahead, the triple itself): random, so not in cache unless
			 * asked for */
			const struct triple *y = &tr[order[i + PREFETCH_TRIPLES]];
			prefetch_row(m->ent + (size_t)y->h * m->stride, m->stride);
			prefetch_row(m->ent + (size_t)y->t * m->stride, m->stride);
		}
		if (p->reciprocal) {
			w->anchor[nb] = x->h, w->rel[nb] = x->r, w->sign[nb] = 1, w->pos[nb++] = x->t;
			w->anchor[nb] = x->t, w->rel[nb] = x->r + n_base, w->sign[nb] = 1,
			w->pos[nb++] = x->h;
		} else if (rng_unit(g) < p_head[x->r]) {
			w->anchor[nb] = x->t, w->rel[nb] = x->r, w->sign[nb] = -1, w->pos[nb++] = x->h;
		} else {
			w->anchor[nb] = x->h, w->rel[nb] = x->r, w->sign[nb] = 1, w->pos[nb++] = x->t;
		}
		if (nb + (p->reciprocal ? 2 : 1) <= B && i + 1 < n)
			continue;
		for (int k = 0; k < K; k++)
			w->neg[k] = (int32_t)rng_below(g, (uint64_t)m->n_ent);
		/* SANS: the loss is measured on every LOSS_SAMPLE-th group (its
		 * logarithms are costly); a NaN shows in every group */
		int want = p->loss == TRANSE_MARGIN || groups++ % LOSS_SAMPLE == 0;
		float l = step_group(m, p, w->scratch, nb, w->anchor, w->rel, w->sign, w->pos, w->neg,
				     K, step, want);
		loss += want ? l * (p->loss == TRANSE_MARGIN ? 1 : LOSS_SAMPLE) : (isfinite(l) ? 0 : l);
		nb = 0;
	}
	sh->loss = loss;
}

/* Bernoulli sampling: replace the head with probability tph / (tph + hpt),
 * tph the mean tails per head of the relation, hpt the mean heads per tail.
 * Distinct heads and tails are counted relation by relation, with the
 * triples grouped by a counting sort into order (n, the caller's shuffle
 * array, reused) and one marker per entity: no copy of the triples. */
static float *bern_probs(const struct triple *tr, size_t n, int32_t n_rel, int32_t n_ent,
			 int bern, uint32_t *order)
{
	float *ph = xmalloc((size_t)n_rel * sizeof(float));
	for (int32_t r = 0; r < n_rel; r++)
		ph[r] = 0.5f;
	if (!bern)
		return ph;
	size_t *start = xcalloc((size_t)n_rel + 1, sizeof(size_t));
	for (size_t i = 0; i < n; i++)
		start[tr[i].r + 1]++;
	for (int32_t r = 0; r < n_rel; r++)
		start[r + 1] += start[r];
	size_t *fill = xmalloc(((size_t)n_rel + 1) * sizeof(size_t));
	memcpy(fill, start, ((size_t)n_rel + 1) * sizeof(size_t));
	for (size_t i = 0; i < n; i++)
		order[fill[tr[i].r]++] = (uint32_t)i;
	uint32_t *seen_h = xcalloc((size_t)n_ent, sizeof(uint32_t));
	uint32_t *seen_t = xcalloc((size_t)n_ent, sizeof(uint32_t));
	for (int32_t r = 0; r < n_rel; r++) {
		size_t heads = 0, tails = 0, count = start[r + 1] - start[r];
		for (size_t k = start[r]; k < start[r + 1]; k++) {
			const struct triple *x = &tr[order[k]];
			heads += seen_h[x->h] != (uint32_t)r + 1;
			tails += seen_t[x->t] != (uint32_t)r + 1;
			seen_h[x->h] = seen_t[x->t] = (uint32_t)r + 1;
		}
		if (count) {
			double tph = (double)count / heads, hpt = (double)count / tails;
			ph[r] = (float)(tph / (tph + hpt));
		}
	}
	free(start);
	free(fill);
	free(seen_h);
	free(seen_t);
	return ph;
}

int transe_epoch_end(int epoch, double loss, double t0, transe_epoch_fn fn, void *ctx)
{
	if (!isfinite(loss))
		return error("training diverged at epoch %d: the loss is %s (try a lower --lr)", epoch,
			     isnan(loss) ? "NaN" : "infinite");
	return fn ? fn(ctx, epoch, loss, now_seconds() - t0) : 0;
}

int transe_train(struct transe *m, const struct transe_params *p, const struct triple *tr,
		 size_t n, transe_epoch_fn fn, void *ctx)
{
	if (transe_params_check(p) < 0)
		return -1;
	if (n == 0)
		return error("no training triples");
	if (n > UINT32_MAX)
		return error("too many training triples (%zu)", n);
	if (p->recipe == TRANSE_OPENKE)
		return transe_train_openke(m, p, tr, n, fn, ctx);
	int T = p->threads > 0 ? p->threads : omp_get_num_procs();
	/* below a few thousand triples per thread, waking threads every epoch
	 * costs more than they save */
	if ((size_t)T > n / 4096 + 1)
		T = (int)(n / 4096 + 1);
	int n_base = p->reciprocal ? m->n_rel / 2 : m->n_rel;
	uint32_t *order = xmalloc(n * sizeof(uint32_t));
	float *p_head = bern_probs(tr, n, n_base, m->n_ent, p->bern, order);
	struct shard *sh = xaligned_alloc(64, (size_t)T * sizeof(*sh));
	const int B = p->batch + 1; /* room for a reciprocal pair past batch */
	size_t scratch_n = transe_scratch_floats(m, B, p->neg);
	float *scratch = alloc_rows((size_t)T, (int)scratch_n);
	struct work *w = xcalloc((size_t)T, sizeof(*w));
	for (int t = 0; t < T; t++) {
		w[t].anchor = xmalloc((size_t)B * sizeof(int32_t));
		w[t].rel = xmalloc((size_t)B * sizeof(int32_t));
		w[t].pos = xmalloc((size_t)B * sizeof(int32_t));
		w[t].sign = xmalloc((size_t)B * sizeof(float));
		w[t].neg = xmalloc((size_t)p->neg * sizeof(int32_t));
		w[t].scratch = scratch + (size_t)t * scratch_n;
	}
	int rc = 0;

	/* one global shuffle, so that the fixed shards are random subsets */
	struct rng g0;
	rng_seed(&g0, p->seed, 3);
	for (size_t i = 0; i < n; i++)
		order[i] = (uint32_t)i;
	for (size_t i = n; i > 1; i--) {
		size_t j = (size_t)rng_below(&g0, i);
		uint32_t x = order[i - 1];
		order[i - 1] = order[j];
		order[j] = x;
	}
	for (int t = 0; t < T; t++)
		rng_seed(&sh[t].rng, p->seed, 17 + (uint64_t)t);

	/* SGD: OpenKE's lr is the step on the batch mean, batch = n / nbatches
	 * queries (each with neg pairs under the margin loss) */
	size_t n_queries = p->reciprocal ? 2 * n : n;
	double batch = ceil((double)n_queries / p->nbatches);
	float step = p->optimizer == TRANSE_ADAGRAD
			     ? p->lr
			     : (float)(p->lr / (batch * (p->loss == TRANSE_MARGIN ? p->neg : 1)));

	double t0 = now_seconds();
	for (int epoch = 1; epoch <= p->epochs; epoch++) {
#pragma omp parallel num_threads(T)
		{
			int t = omp_get_thread_num();
			size_t lo = n * (size_t)t / T, hi = n * (size_t)(t + 1) / T;
			train_shard(m, p, tr, order + lo, hi - lo, p_head, step, &sh[t], &w[t]);
		}
		double loss = 0;
		for (int t = 0; t < T; t++)
			loss += sh[t].loss;
		loss /= (double)n_queries;
		if ((rc = transe_epoch_end(epoch, loss, t0, fn, ctx)) != 0)
			goto out;
	}
out:
	free(p_head);
	free(order);
	free(sh);
	free(scratch);
	for (int t = 0; t < T; t++) {
		free(w[t].anchor);
		free(w[t].rel);
		free(w[t].pos);
		free(w[t].sign);
		free(w[t].neg);
	}
	free(w);
	return rc;
}
