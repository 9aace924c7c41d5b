#include "embed_params.h"
#include "../common/buf.h"
#include "../common/util.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

#define P(field) offsetof(struct transe_params, field)
#define S(field) offsetof(struct embed_select, field)
/* the settings that change the vectors: on the command line, in a
 * configuration, in the stage key and in the model's parameters */
#define TRAIN PARAM_ALL

static const struct param_choice recipes[] = { { "openke", TRANSE_OPENKE },
					       { "fast", TRANSE_FAST },
					       { NULL, 0 } };
static const struct param_choice norms[] = { { "l1", 1 }, { "l2", 2 }, { NULL, 0 } };
static const struct param_choice corruptions[] = { { "bern", 1 }, { "unif", 0 }, { NULL, 0 } };
static const struct param_choice optimizers[] = { { "sgd", TRANSE_SGD },
						  { "adagrad", TRANSE_ADAGRAD },
						  { NULL, 0 } };
static const struct param_choice losses[] = { { "margin", TRANSE_MARGIN },
					      { "sans", TRANSE_SANS },
					      { NULL, 0 } };
static const struct param_choice entity_norms[] = { { "sphere", TRANSE_NORM_SPHERE },
						    { "ball", TRANSE_NORM_BALL },
						    { "none", TRANSE_NORM_NONE },
						    { NULL, 0 } };

static const struct param transe_rows[] = {
	P_ENUM("recipe", P(recipe), recipes, "openke|fast",
	       "openke: OpenKE's TransE update (normalization inside the\n"
	       "score, margin loss averaged over batches of 1/nbatches of\n"
	       "the triples, plain SGD); fast: entities renormalized after\n"
	       "each update, negatives shared by --batch positives, and the\n"
	       "settings marked (fast)", TRAIN),
	P_INT("dim", P(dim), 1, 65536, "N", "vector dimension", TRAIN),
	P_ENUM("norm", P(norm), norms, "l1|l2", "distance", TRAIN),
	P_FLOAT("margin", P(margin), 0, 1e6, "X", "margin, or gamma of the sans loss", TRAIN),
	P_INT("neg", P(neg), 1, 100000, "N", "negatives per positive", TRAIN),
	P_ENUM("corrupt", P(bern), corruptions, "bern|unif",
	       "head/tail replacement: Bernoulli or uniform", TRAIN),
	P_FLOAT("lr", P(lr), 0, HUGE_VAL, "X",
		"learning rate (for sgd the step on the mean loss of a batch\n"
		"of 1/nbatches of the triples, as OpenKE)", TRAIN | PARAM_GT),
	P_INT("epochs", P(epochs), 0, 10000000, "N", "passes over the triples", TRAIN),
	P_ENUM("optimizer", P(optimizer), optimizers, "sgd|adagrad",
	       "(fast) adagrad keeps one accumulator per row", TRAIN),
	P_ENUM("loss", P(loss), losses, "margin|sans",
	       "(fast) margin ranking, or self-adversarial negative\n"
	       "sampling (logistic, negatives weighted by softmax(-T d))", TRAIN),
	P_FLOAT("adv-temp", P(adv_temp), 0, 1e6, "T",
		"(fast) sans temperature (0: plain negative sampling)", TRAIN),
	P_BOOL("reciprocal", P(reciprocal),
	       "(fast) an inverse vector per relation; replace tails only", TRAIN),
	P_ENUM("entity-norm", P(entity_norm), entity_norms, "sphere|ball|none",
	       "(fast) entity vectors after each update", TRAIN),
	P_INT("nbatches", P(nbatches), 1, 1000000, "N",
	      "sgd: batches per epoch, over which the loss is averaged", TRAIN),
	P_INT("batch", P(batch), 1, 1024, "B",
	      "(fast) consecutive positives of a thread share their\n"
	      "negatives (1: each positive draws its own)", TRAIN),
	/* threads change the speed (and, above one, the exact vectors), not the
	 * setting: no part of the key; the model records the count as run */
	P_INT("threads", P(threads), 0, 1024, "N",
	      "OpenMP threads (0: all processors); 1 makes training\n"
	      "bit-identical run to run", PARAM_CLI | PARAM_CONF, .def = "all processors"),
	P_U64("seed", P(seed), 0, 9.2e18, "N", "random seed", TRAIN),
};

static void transe_defaults(void *p)
{
	transe_params_default(p);
}

const struct param_table transe_param_table = {
	"embed", transe_rows, ARRAY_SIZE(transe_rows), sizeof(struct transe_params), transe_defaults
};

void transe_params_default(struct transe_params *p)
{
	memset(p, 0, sizeof(*p));
	p->recipe = TRANSE_OPENKE;
	p->dim = 256;
	p->norm = 1;
	p->margin = 5.0f;
	p->neg = 25;
	p->bern = 1;
	p->lr = 1.0f;
	p->epochs = 1000;
	p->optimizer = TRANSE_SGD;
	p->loss = TRANSE_MARGIN;
	p->adv_temp = 1.0f;
	p->reciprocal = 0;
	p->entity_norm = TRANSE_NORM_SPHERE;
	p->nbatches = 100;
	p->batch = 8;
	p->threads = 0;
	p->seed = 1;
}

/* The settings only the fast recipe has: the openke recipe takes them at
 * their defaults (which it ignores) and refuses anything else, so that a
 * setting never silently does nothing. */
static const char *const fast_only[] = { "optimizer", "loss", "adv-temp", "reciprocal",
					 "entity-norm", "batch" };

int transe_params_check(const struct transe_params *p)
{
	if (params_check(&transe_param_table, p) < 0)
		return -1;
	if (p->recipe != TRANSE_OPENKE)
		return 0;
	struct transe_params def;
	transe_params_default(&def);
	for (size_t i = 0; i < ARRAY_SIZE(fast_only); i++) {
		const struct param *row = params_find(&transe_param_table, fast_only[i]);
		struct buf a = BUF_INIT, b = BUF_INIT;
		param_format(row, p, &a);
		param_format(row, &def, &b);
		int same = !strcmp(buf_str(&a), buf_str(&b));
		if (!same) {
			char key[64];
			int flag = row->type == PARAM_BOOL;
			error("--%s%s%s (%s = %s in [embed]) goes with the fast recipe (--recipe fast): "
			      "the openke recipe is plain SGD on the margin loss, normalizes inside the "
			      "score and gives each positive its own negatives",
			      row->name, flag ? "" : " ", flag ? "" : buf_str(&a),
			      param_key(row, key, sizeof key), buf_str(&a));
		}
		buf_release(&a);
		buf_release(&b);
		if (!same)
			return -1;
	}
	return 0;
}

static const struct param_choice selections[] = { { "all", EMBED_ALL },
						  { "mentioned", EMBED_MENTIONED },
						  { "arl", EMBED_LISTED },
						  { NULL, 0 } };

/* the selection is recorded in the model's entities JSON with its counts
 * (embed_select_json), not with the training parameters */
#define SELECT (PARAM_CLI | PARAM_CONF | PARAM_KEY)

static const struct param select_rows[] = {
	P_ENUM("entities", S(mentioned), selections, "all|mentioned|arl",
	       "every concept in a triple, the concepts extracted from\n"
	       "reports and the triples among them, or the entities the\n"
	       "ARL layout exports (threshold, views, chexpert)", SELECT),
	P_INT("min-count", S(min_count), 1, 2147483647, "N",
	      "mentioned: at least N mentions (ARL used 20)", SELECT),
	P_INT("hops", S(hops), 0, 100, "K", "mentioned: add concepts within K triples", SELECT),
	P_DOUBLE("holdout", S(holdout), 0, 0.5, "F", "hold out a fraction F of the triples and evaluate",
		 SELECT | PARAM_JSON),
};

static void select_defaults(void *p)
{
	struct embed_select *s = p;
	memset(s, 0, sizeof(*s));
	s->min_count = 1;
	s->seed = 1;
}

const struct param_table embed_select_table = {
	"embed", select_rows, ARRAY_SIZE(select_rows), sizeof(struct embed_select), select_defaults
};
