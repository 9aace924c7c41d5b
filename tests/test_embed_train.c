/* Training from the store in one call (embed/embed_train.h): the loss curve
 * stored with the model is the one training reported, two runs with one
 * thread and a seed agree, an incremental run with nothing new writes
 * nothing, and the tag reaches the model's params. */
#include "testhelp.h"
#include "tests.h"
#include "../common/util.h"
#include "../embed/embed_train.h"

#include <stdlib.h>
#include <string.h>

struct seen {
	double loss[64];
	int n;
};

static int record(void *ctx, int epoch, double loss, double seconds)
{
	(void)seconds;
	struct seen *s = ctx;
	if (epoch == s->n + 1 && s->n < 64)
		s->loss[s->n++] = loss;
	return 0;
}

static double stored_loss(struct store *st, int64_t model, int epoch)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT loss FROM embedding_epochs WHERE model = ? "
					    "AND epoch = ?");
	double v = -1;
	sqlite3_bind_int64(s, 1, model);
	sqlite3_bind_int(s, 2, epoch);
	if (sqlite3_step(s) == SQLITE_ROW)
		v = sqlite3_column_double(s, 0);
	sqlite3_finalize(s);
	return v;
}

void test_embed_train(void)
{
	struct store st;
	int rc = test_store_demo(&st, "etrain");
	CHECK_INT("etrain-1.1", rc, 0);
	if (rc < 0)
		return;
	struct embed_train_options o = { 0 };
	transe_params_default(&o.p);
	o.p.dim = 16;
	o.p.epochs = 12;
	o.p.neg = 4;
	o.p.threads = 1;
	o.sel.min_count = 1;
	o.sel.holdout = 0.1;
	o.sel.seed = 1;
	o.tag = "\"build\": \"k1\"";
	struct seen seen = { { 0 }, 0 };
	o.on_epoch = record;
	o.ctx = &seen;
	struct embed_train_result r;
	CHECK_INT("etrain-2.1", embed_train_store(&st, &o, &r), 0);
	CHECK("etrain-2.2", r.model > 0);
	CHECK_INT("etrain-2.3", seen.n, 12);
	CHECK_INT("etrain-2.4", store_int(&st, "SELECT count(*) FROM embedding_epochs", -1), 12);
	int same = 1;
	for (int e = 0; e < seen.n; e++)
		same &= stored_loss(&st, r.model, e + 1) == seen.loss[e];
	CHECK("etrain-2.5", same);
	/* the margin loss falls as training goes on */
	CHECK("etrain-2.6", seen.loss[11] < seen.loss[0]);
	CHECK("etrain-2.7", r.evaluated && r.n_test > 0 && r.holdout.filtered[LP_BOTH].mrr > 0);
	CHECK_INT("etrain-2.8", store_int(&st, "SELECT count(*) FROM embedding_models WHERE "
					       "json_extract(params, '$.build') = 'k1'", -1), 1);
	CHECK_INT("etrain-2.9", store_int(&st, "SELECT json_extract(metrics, '$.holdout.triples') "
					       "FROM embedding_models", -1), (int64_t)r.n_test);

	/* same settings, one thread, same seed: the same curve */
	struct seen again = { { 0 }, 0 };
	o.ctx = &again;
	o.tag = NULL;
	struct embed_train_result r2;
	CHECK_INT("etrain-3.1", embed_train_store(&st, &o, &r2), 0);
	CHECK_INT("etrain-3.2", r2.model, r.model + 1);
	CHECK_INT("etrain-3.3", again.n, 12);
	CHECK("etrain-3.3.curve", !memcmp(again.loss, seen.loss, sizeof seen.loss));

	/* incremental with nothing new: no model written */
	o.incremental = 1;
	o.ctx = NULL;
	o.on_epoch = NULL;
	CHECK_INT("etrain-4.1", embed_train_store(&st, &o, &r2), 0);
	CHECK_INT("etrain-4.2", r2.model, 0);
	CHECK_INT("etrain-4.3", r2.parent, r.model + 1);
	CHECK_INT("etrain-4.4", store_int(&st, "SELECT count(*) FROM embedding_models", -1), 2);

	/* bad settings: nothing written */
	o.incremental = 0;
	o.p.dim = 0;
	last_error_reset();
	CHECK_INT("etrain-5.1", embed_train_store(&st, &o, &r2), -1);
	CHECK_ERR("etrain-5.2", "embed setting 'dim' needs a whole number from 1 to 65536, not 0");
	CHECK_INT("etrain-5.3", store_int(&st, "SELECT count(*) FROM embedding_models", -1), 2);
	store_close(&st);
}
