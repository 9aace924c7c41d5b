#define _POSIX_C_SOURCE 200809L
#include "embed_train.h"
#include "embed_params.h"
#include "../common/buf.h"
#include "../common/util.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

void embed_params_json(struct buf *b, const struct transe_params *p, int threads)
{
	buf_addc(b, '{');
	params_json(&transe_param_table, p, PARAM_JSON, b);
	buf_addf(b, ", \"threads\": %d", threads);
}

void embed_metrics_json(struct buf *b, const char *name, const struct lp_result *r)
{
	buf_addf(b, "\"%s\": {\"triples\": %zu, \"seconds\": %.3f", name, r->filtered[LP_BOTH].n / 2,
		 r->seconds);
	for (int f = 1; f >= 0; f--) {
		const struct lp_metrics *x = f ? &r->filtered[LP_BOTH] : &r->raw[LP_BOTH];
		buf_addf(b, ", \"%s\": {\"mr\": %.2f, \"mrr\": %.5f, \"hits1\": %.5f, "
			    "\"hits3\": %.5f, \"hits10\": %.5f}",
			 f ? "filtered" : "raw", x->mr, x->mrr, x->hits1, x->hits3, x->hits10);
	}
	buf_adds(b, "}");
}

/* The loss curve, then the caller's callback. */
struct curve {
	double *loss;        /* (epochs) */
	int n;
	transe_epoch_fn fn;
	void *ctx;
};

static int on_epoch(void *ctx, int epoch, double loss, double seconds)
{
	struct curve *c = ctx;
	if (epoch >= 1 && epoch <= c->n)
		c->loss[epoch - 1] = loss;
	return c->fn ? c->fn(c->ctx, epoch, loss, seconds) : 0;
}

int embed_train_store(struct store *st, const struct embed_train_options *o,
		      struct embed_train_result *r)
{
	struct embed_graph g = { 0 };
	struct transe m = { 0 };
	struct lp_filter filter = { 0 };
	struct embed_model_info parent = { 0 };
	struct buf params = BUF_INIT, ents = BUF_INIT, metrics = BUF_INIT;
	struct triple *todo = NULL;
	struct curve curve = { 0 };
	int rc = -1;
	memset(r, 0, sizeof(*r));
	r->p = o->p;
	if (transe_params_check(&r->p) < 0)
		return -1;
	if (o->incremental) {
		int found = embed_model_info(st, o->parent, &parent);
		if (found < 0)
			goto out;
		if (!found) {
			if (o->parent)
				error("%s: no embedding model %lld", st->path, (long long)o->parent);
			else
				error("%s: no embedding model to extend: train one first (without "
				      "--incremental)", st->path);
			goto out;
		}
		if (parent.reciprocal && r->p.recipe == TRANSE_OPENKE) {
			error("%s: model %lld has reciprocal relations (the fast recipe): extend it with "
			      "--recipe fast", st->path, (long long)parent.id);
			goto out;
		}
		/* the new vectors must live in the parent's space */
		r->p.dim = parent.dim;
		r->p.norm = parent.norm;
		r->p.reciprocal = parent.reciprocal;
		r->parent = parent.id;
	}
	if (embed_graph_load(st, &o->sel, &g) < 0)
		goto out;
	if (transe_init(&m, g.kg.n_ent, g.kg.n_rel, &r->p) < 0)
		goto out;
	r->n_ent = g.kg.n_ent;
	r->n_rel = g.kg.n_rel;
	const struct triple *train = g.kg.split[KG_TRAIN];
	size_t n_train = g.kg.n[KG_TRAIN];
	if (o->incremental) {
		if (embed_model_load(st, parent.id, &g, &m, &r->n_ent_found, &r->n_rel_found) < 0)
			goto out;
		if (r->n_ent_found == (size_t)g.kg.n_ent && r->n_rel_found == (size_t)m.n_rel) {
			rc = 0; /* nothing new */
			goto out;
		}
		/* only the triples that touch something new can change anything */
		todo = xmalloc((n_train ? n_train : 1) * sizeof(*todo));
		size_t k = 0;
		int32_t n_base = g.kg.n_rel;
		for (size_t i = 0; i < n_train; i++) {
			const struct triple *x = &train[i];
			if (!m.ent_frozen[x->h] || !m.ent_frozen[x->t] || !m.rel_frozen[x->r] ||
			    (r->p.reciprocal && !m.rel_frozen[x->r + n_base]))
				todo[k++] = *x;
		}
		train = todo;
		n_train = k;
	}
	r->n_train = n_train;
	curve.n = n_train ? r->p.epochs : 0;
	curve.loss = xcalloc(curve.n ? (size_t)curve.n : 1, sizeof(double));
	curve.fn = o->on_epoch;
	curve.ctx = o->ctx;
	double t0 = now_seconds();
	if (n_train && transe_train(&m, &r->p, train, n_train, on_epoch, &curve) != 0)
		goto out;
	r->seconds = now_seconds() - t0;

	int threads = r->p.threads > 0 ? r->p.threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
	embed_params_json(&params, &r->p, threads);
	buf_addf(&params, ", \"holdout\": %g, \"train_seconds\": %.3f, \"trained_triples\": %zu",
		 o->sel.holdout, r->seconds, n_train);
	if (o->tag)
		buf_addf(&params, ", %s", o->tag);
	buf_addc(&params, '}');
	embed_select_json(&o->sel, &g, &ents);
	if (g.kg.n[KG_TEST]) {
		lp_filter_build(&filter, &g.kg);
		lp_evaluate(&m, r->p.norm, r->p.reciprocal, g.kg.split[KG_TEST], g.kg.n[KG_TEST],
			    &filter, r->p.threads, &r->holdout);
		buf_adds(&metrics, "{");
		embed_metrics_json(&metrics, "holdout", &r->holdout);
		buf_adds(&metrics, "}");
		r->evaluated = 1;
		r->n_test = g.kg.n[KG_TEST];
		r->n_dropped = g.n_dropped;
	}
	int64_t id = embed_model_save_curve(st, &g, &m, r->p.norm, params.p, ents.p,
					    r->evaluated ? metrics.p : NULL, r->parent, curve.loss,
					    curve.n);
	if (id < 0)
		goto out;
	r->model = id;
	rc = 0;
out:
	free(todo);
	free(curve.loss);
	buf_release(&params);
	buf_release(&ents);
	buf_release(&metrics);
	embed_model_info_release(&parent);
	lp_filter_release(&filter);
	transe_release(&m);
	embed_graph_release(&g);
	return rc;
}
