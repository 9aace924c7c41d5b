/* medkg embed: train TransE embeddings (from the store or an OpenKE
 * benchmark), evaluate them, and export them. */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"
#include "../common/buf.h"
#include "../common/params.h"
#include "../common/util.h"
#include "../embed/embed_store.h"
#include "../embed/embed_params.h"
#include "../embed/embed_train.h"
#include "../embed/eval.h"
#include "../embed/npy.h"
#include "../embed/openke.h"
#include "../embed/transe.h"
#include "../store/store.h"
#include "../train/arl.h"
#include "../train/export_params.h"

#include <errno.h>
#include <limits.h>
#ifdef __GLIBC__
#include <malloc.h>
#endif
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static const char embed_synopsis[] =
	"usage: medkg embed [-d STORE] [training options] [selection options]\n"
	"       medkg embed --openke DIR [training options] [--save DIR] [--eval-every N]\n"
	"       medkg embed --export DIR [--model N]\n"
	"       medkg embed eval [--model N]\n"
	"       medkg embed eval --openke DIR --vectors DIR [--norm l1|l2] [--reciprocal]\n"
	"       medkg embed --dump-step DIR [--margin X] [--lr X] [--norm l1|l2]\n"
	"\n"
	"Train TransE entity and relation embeddings on the store's triples and keep\n"
	"them in the store as a new model; with --openke, train and evaluate on an\n"
	"OpenKE benchmark directory instead (no store). 'eval' ranks held-out triples\n"
	"(filtered and raw MR, MRR, Hits@1/3/10, heads and tails). --dump-step runs\n"
	"one batch step of the openke recipe on a case of tests/openke_ref.py.\n";

struct opts {
	struct transe_params p;
	struct embed_select sel;
	struct arl_options arl;      /* --entities arl: the ARL layout's selection */
	char *openke, *save, *export, *vectors, *dump_step;
	int64_t model;
	int incremental, eval_every, eval_splits; /* bit 1 valid, bit 2 test */
	int trained_opts;   /* a training option was given */
};

#define O(field) offsetof(struct opts, field)
#define CLI PARAM_CLI

static const struct param_choice eval_splits[] = {
	{ "valid", 1 }, { "test", 2 }, { "both", 3 }, { "none", 0 }, { NULL, 0 }
};

/* What this command does with the stage's settings: its own options. */
static const struct param mode_rows[] = {
	P_BOOL("incremental", O(incremental),
	       "train only entities without a vector in the latest\n"
	       "model (or --model N); existing vectors stay as they are", CLI),
	P_I64("model", O(model), 1, 9.2e18, "N", "the model to extend, export or evaluate", CLI,
	      .def = "latest"),
	P_PATH("export", O(export), "DIR",
	       "write a stored model in ARL's layout (entity2id.txt,\n"
	       "relation2id.txt, train2id.txt, *_embeddings.npy); no training", CLI | PARAM_OUT),
	P_PATH("openke", O(openke), "DIR", "train (or evaluate) on an OpenKE benchmark directory",
	       CLI | PARAM_DIR),
	P_PATH("save", O(save), "DIR", "--openke: write ent_embeddings.npy, rel_embeddings.npy",
	       CLI | PARAM_OUT),
	P_PATH("vectors", O(vectors), "DIR", "eval --openke: the vectors --save wrote", CLI | PARAM_DIR),
	P_INT("eval-every", O(eval_every), 1, 2147483647, "N",
	      "--openke: evaluate on valid every N epochs", CLI, .def = ""),
	P_ENUM("eval", O(eval_splits), eval_splits, "valid|test|both|none",
	       "--openke: the splits evaluated at the end", CLI),
	P_PATH("dump-step", O(dump_step), "DIR",
	       "check support: one openke batch step, on one thread, of\n"
	       "DIR/ent.npy, rel.npy and the 'h t r' lines of pos.txt\n"
	       "(B positives) and neg.txt (K * B negatives in OpenKE's\n"
	       "order); writes DIR/c_loss.txt, c_ent.npy, c_rel.npy", CLI | PARAM_DIR),
};

static void mode_defaults(void *p)
{
	struct opts *o = p;
	memset(o, 0, sizeof(*o));
	o->eval_splits = 3;
}

static const struct param_table mode_table = { "embed", mode_rows, ARRAY_SIZE(mode_rows),
					       sizeof(struct opts), mode_defaults };

enum { G_TRAIN, G_SELECT, G_ARL, G_MODE, N_GROUPS };

static void groups_of(struct opts *o, struct param_group g[N_GROUPS])
{
	g[G_TRAIN] = (struct param_group){ "training (defaults: ARL's OpenKE recipe)",
					   &transe_param_table, &o->p, 0 };
	g[G_SELECT] = (struct param_group){ "which entities (store)", &embed_select_table, &o->sel,
					    0 };
	g[G_ARL] = (struct param_group){ "--entities arl: as the ARL layout selects (the export's "
					 "settings)", &export_arl_table, &o->arl, 0 };
	g[G_MODE] = (struct param_group){ "output", &mode_table, o, 0 };
}

static char *embed_usage;

#define BAD(...) return cli_usage_error(embed_usage, __VA_ARGS__)

static int parse_opts(int argc, char **argv, int is_eval, struct opts *o)
{
	struct param_group g[N_GROUPS];
	mode_defaults(o);
	transe_params_default(&o->p);
	embed_select_table.defaults(&o->sel);
	arl_options_default(&o->arl);
	groups_of(o, g);
	embed_usage = cli_usage_text(embed_synopsis, g, N_GROUPS, NULL);
	int rc = cli_parse(argc, argv, CLI_COMMON_SHORT, embed_usage, g, N_GROUPS);
	if (rc)
		return rc;
	o->trained_opts = g[G_TRAIN].given != 0;
	/* evaluation ranks stored vectors, whichever recipe made them: the
	 * openke recipe's refusals (--reciprocal) do not apply */
	if (is_eval)
		o->p.recipe = TRANSE_FAST;
	else if (transe_params_check(&o->p) < 0)
		return EXIT_USAGE;
	if ((params_given(&g[G_SELECT], "min-count") || params_given(&g[G_SELECT], "hops")) &&
	    !o->sel.mentioned)
		BAD("--min-count and --hops go with --entities mentioned");
	o->sel.seed = o->p.seed;
	return 0;
}

static void opts_release(struct opts *o)
{
	params_release(&mode_table, o);
	params_release(&export_arl_table, &o->arl);
}

/* ------------------------------------------------------------ output */

struct progress_ctx {
	const struct transe_params *p;
	size_t n_triples;
	int draw;
	/* --eval-every on an OpenKE benchmark */
	int eval_every;
	const struct transe *m;
	const struct kg *kg;
	const struct lp_filter *filter;
	double eval_seconds;
	double seconds;     /* since training began, setup excluded */
	double drawn_at;    /* when the progress line was last drawn */
	const struct embed_train_result *res; /* store mode: n_train once known */
};

static void fmt_time(char *out, size_t n, double s)
{
	if (s >= 3600)
		snprintf(out, n, "%dh%02dm", (int)(s / 3600), (int)fmod(s / 60, 60));
	else if (s >= 60)
		snprintf(out, n, "%dm%02ds", (int)(s / 60), (int)fmod(s, 60));
	else
		snprintf(out, n, "%.0fs", s);
}

static int on_epoch(void *ctx, int epoch, double loss, double seconds)
{
	struct progress_ctx *c = ctx;
	double train_s = seconds - c->eval_seconds;
	c->seconds = seconds;
	/* at most 5 redraws a second */
	if (c->draw && (seconds - c->drawn_at >= 0.2 || epoch == c->p->epochs)) {
		c->drawn_at = seconds;
		char eta[32];
		size_t n = c->res ? c->res->n_train : c->n_triples;
		double rate = train_s > 0 ? (double)n * epoch / train_s : 0;
		fmt_time(eta, sizeof eta, train_s / epoch * (c->p->epochs - epoch));
		fprintf(stderr, "\repoch %d/%d  loss %.4f  %.0fk triples/s  ETA %s\033[K", epoch,
			c->p->epochs, loss, rate / 1e3, eta);
		if (epoch == c->p->epochs)
			fprintf(stderr, "\r\033[K");
	}
	if (c->eval_every && epoch % c->eval_every == 0 && epoch != c->p->epochs && c->kg->n[KG_VALID]) {
		struct lp_result r;
		/* the openke recipe's rows are unit vectors only inside its score */
		double t0 = now_seconds();
		struct transe u = { 0 };
		if (c->p->recipe == TRANSE_OPENKE)
			transe_unit_copy(&u, c->m);
		lp_evaluate(u.ent ? &u : c->m, c->p->norm, c->p->reciprocal, c->kg->split[KG_VALID],
			    c->kg->n[KG_VALID], c->filter, c->p->threads, &r);
		transe_release(&u);
		r.seconds = now_seconds() - t0;
		c->eval_seconds += r.seconds;
		if (c->draw)
			fprintf(stderr, "\r\033[K");
		const struct lp_metrics *f = &r.filtered[LP_BOTH];
		printf("epoch %d  loss %.4f  %.1fs  valid filtered MRR %.4f  Hits@10 %.4f  (eval %.1fs)\n",
		       epoch, loss, seconds, f->mrr, f->hits10, r.seconds);
		fflush(stdout);
	}
	return 0;
}

static void print_metrics(const char *split, const struct lp_result *r)
{
	static const char *const sides[] = { "head", "tail", "both" };
	for (int f = 1; f >= 0; f--)
		for (int s = 0; s < 3; s++) {
			const struct lp_metrics *x = f ? &r->filtered[s] : &r->raw[s];
			printf("%-6s %-9s %-5s %9.1f %7.4f %7.4f %7.4f %7.4f\n", split,
			       f ? "filtered" : "raw", sides[s], x->mr, x->mrr, x->hits1, x->hits3,
			       x->hits10);
		}
}

static int threads_of(const struct transe_params *p)
{
	return p->threads > 0 ? p->threads : (int)sysconf(_SC_NPROCESSORS_ONLN);
}

static int make_dir(const char *dir)
{
	if (mkdir(dir, 0777) != 0 && errno != EEXIST)
		return error("%s: cannot create directory: %s", dir, strerror(errno));
	struct stat sb;
	if (stat(dir, &sb) != 0 || !S_ISDIR(sb.st_mode))
		return error("%s: not a directory", dir);
	return 0;
}

/* ------------------------------------------------------------ OpenKE mode */

static int run_openke(struct opts *o)
{
	struct kg kg;
	struct transe m = { 0 };
	struct lp_filter filter = { 0 };
	int rc = 1;
	double t0 = now_seconds();
	if (transe_params_check(&o->p) < 0)
		return 1;
	if (openke_read(&kg, o->openke) < 0)
		return 1;
	info("%s: %d entities, %d relations, %zu / %zu / %zu triples", o->openke, kg.n_ent,
	     kg.n_rel, kg.n[KG_TRAIN], kg.n[KG_VALID], kg.n[KG_TEST]);
	if (o->save && make_dir(o->save) < 0)
		goto out;
	/* the names serve nothing here: free them before the vectors exist */
	for (int32_t i = 0; i < kg.n_ent; i++)
		free(kg.ent_names[i]);
	free(kg.ent_names);
	kg.ent_names = NULL;
#ifdef __GLIBC__
	malloc_trim(0); /* millions of small strings: give their pages back */
#endif
	if (transe_init(&m, kg.n_ent, kg.n_rel, &o->p) < 0)
		goto out;
	/* the filter copies every triple twice: only when there is something
	 * to evaluate */
	int evaluate = ((o->eval_splits & 1) && kg.n[KG_VALID]) || ((o->eval_splits & 2) && kg.n[KG_TEST]);
	if (evaluate)
		lp_filter_build(&filter, &kg);
	struct progress_ctx pc = { &o->p, kg.n[KG_TRAIN], log_level >= 1 && isatty(2),
				   evaluate ? o->eval_every : 0, &m, &kg, &filter, 0, 0, 0, NULL };
	double t1 = now_seconds();
	if (transe_train(&m, &o->p, kg.split[KG_TRAIN], kg.n[KG_TRAIN], on_epoch, &pc) != 0)
		goto out;
	double train_s = now_seconds() - t1;
	/* the openke recipe draws nbatches batches of n / nbatches positives */
	size_t n_pos = kg.n[KG_TRAIN] * (o->p.reciprocal ? 2 : 1);
	if (o->p.recipe == TRANSE_OPENKE)
		n_pos = n_pos / (size_t)o->p.nbatches ? n_pos / (size_t)o->p.nbatches * (size_t)o->p.nbatches
						       : (size_t)o->p.nbatches;
	double pairs = (double)n_pos * o->p.neg * o->p.epochs;
	printf("trained %s: %d entities, %d relations, %zu triples, recipe %s, dim %d, %d epochs, "
	       "%d threads\n",
	       o->openke, kg.n_ent, kg.n_rel, kg.n[KG_TRAIN],
	       o->p.recipe == TRANSE_OPENKE ? "openke" : "fast", o->p.dim, o->p.epochs,
	       threads_of(&o->p));
	/* the rate counts the epochs alone (not the setup: Bernoulli
	 * statistics, shuffles, allocation) */
	double epochs_s = pc.seconds - pc.eval_seconds;
	printf("training %.2f s (%.2f s of it evaluating), %.3f s per epoch, %.2fM pairs/s\n",
	       train_s, pc.eval_seconds, o->p.epochs ? epochs_s / o->p.epochs : 0,
	       pairs / epochs_s / 1e6);
	if (evaluate)
		printf("%-6s %-9s %-5s %9s %7s %7s %7s %7s\n", "split", "ranking", "side", "MR",
		       "MRR", "H@1", "H@3", "H@10");
	for (int s = KG_VALID; s <= KG_TEST; s++) {
		if (!(o->eval_splits & (s == KG_VALID ? 1 : 2)) || !kg.n[s])
			continue;
		struct lp_result r;
		lp_evaluate(&m, o->p.norm, o->p.reciprocal, kg.split[s], kg.n[s], &filter,
			    o->p.threads, &r);
		print_metrics(s == KG_VALID ? "valid" : "test", &r);
		printf("(%s evaluation %.2f s)\n", s == KG_VALID ? "valid" : "test", r.seconds);
	}
	if (o->save) {
		char path[4096];
		int32_t n_rel = o->p.reciprocal ? m.n_rel / 2 : m.n_rel;
		snprintf(path, sizeof path, "%s/ent_embeddings.npy", o->save);
		if (npy_write(path, m.ent, (size_t)m.n_ent, (size_t)m.dim, (size_t)m.stride) < 0)
			goto out;
		snprintf(path, sizeof path, "%s/rel_embeddings.npy", o->save);
		if (npy_write(path, m.rel, (size_t)n_rel, (size_t)m.dim, (size_t)m.stride) < 0)
			goto out;
		if (o->p.reciprocal) {
			snprintf(path, sizeof path, "%s/rel_inverse_embeddings.npy", o->save);
			if (npy_write(path, m.rel + (size_t)n_rel * m.stride, (size_t)n_rel,
				      (size_t)m.dim, (size_t)m.stride) < 0)
				goto out;
		}
		printf("saved %s/ent_embeddings.npy (%d, %d) and rel_embeddings.npy (%d, %d)\n",
		       o->save, m.n_ent, m.dim, n_rel, m.dim);
	}
	printf("total %.2f s\n", now_seconds() - t0);
	rc = 0;
out:
	lp_filter_release(&filter);
	transe_release(&m);
	kg_release(&kg);
	return rc;
}

/* eval --openke DIR --vectors DIR: rank the test split with saved vectors. */
static int eval_openke(struct opts *o)
{
	struct kg kg;
	struct transe m = { 0 };
	struct lp_filter filter = { 0 };
	float *ev = NULL, *rv = NULL, *iv = NULL;
	size_t er, ec, rr, rcn, ir = 0, ic = 0;
	char path[4096];
	int rc = 1;
	if (openke_read(&kg, o->openke) < 0)
		return 1;
	snprintf(path, sizeof path, "%s/ent_embeddings.npy", o->vectors);
	if (npy_read(path, &ev, &er, &ec) < 0)
		goto out;
	snprintf(path, sizeof path, "%s/rel_embeddings.npy", o->vectors);
	if (npy_read(path, &rv, &rr, &rcn) < 0)
		goto out;
	if (o->p.reciprocal) {
		snprintf(path, sizeof path, "%s/rel_inverse_embeddings.npy", o->vectors);
		if (npy_read(path, &iv, &ir, &ic) < 0)
			goto out;
	}
	if (er != (size_t)kg.n_ent || rr != (size_t)kg.n_rel || ec != rcn || ec == 0 ||
	    (iv && (ir != rr || ic != ec))) {
		error("%s: vectors (%zu, %zu) and (%zu, %zu) do not fit %d entities and %d relations",
		      o->vectors, er, ec, rr, rcn, kg.n_ent, kg.n_rel);
		goto out;
	}
	struct transe_params p = o->p;
	p.dim = (int)ec;
	p.epochs = 0;
	if (transe_init(&m, kg.n_ent, kg.n_rel, &p) < 0)
		goto out;
	for (size_t i = 0; i < er; i++)
		memcpy(m.ent + i * m.stride, ev + i * ec, ec * sizeof(float));
	for (size_t i = 0; i < rr; i++) {
		memcpy(m.rel + i * m.stride, rv + i * ec, ec * sizeof(float));
		if (iv)
			memcpy(m.rel + (i + rr) * m.stride, iv + i * ec, ec * sizeof(float));
	}
	lp_filter_build(&filter, &kg);
	printf("%-6s %-9s %-5s %9s %7s %7s %7s %7s\n", "split", "ranking", "side", "MR", "MRR",
	       "H@1", "H@3", "H@10");
	for (int s = KG_VALID; s <= KG_TEST; s++) {
		if (!(o->eval_splits & (s == KG_VALID ? 1 : 2)) || !kg.n[s])
			continue;
		struct lp_result r;
		lp_evaluate(&m, p.norm, p.reciprocal, kg.split[s], kg.n[s], &filter, p.threads, &r);
		print_metrics(s == KG_VALID ? "valid" : "test", &r);
		printf("(%s evaluation %.2f s)\n", s == KG_VALID ? "valid" : "test", r.seconds);
	}
	rc = 0;
out:
	free(ev);
	free(rv);
	free(iv);
	lp_filter_release(&filter);
	transe_release(&m);
	kg_release(&kg);
	return rc;
}

/* ------------------------------------------------------------ --dump-step */

/* The "h t r" lines of path (ids below n_ent, n_ent, n_rel). *out is
 * malloc'd. @return 0 or -1 after error(). */
static int read_id_triples(const char *path, int32_t n_ent, int32_t n_rel, struct triple **out,
			   size_t *n)
{
	FILE *f = fopen(path, "r");
	if (!f)
		return error("%s: cannot open: %s", path, strerror(errno));
	size_t cap = 64, k = 0, line = 0;
	struct triple *v = xmalloc(cap * sizeof(*v));
	char text[256];
	int rc = 0;
	while (rc == 0 && fgets(text, sizeof text, f)) {
		long long h, t, r;
		char end;
		line++;
		if (sscanf(text, "%lld %lld %lld %c", &h, &t, &r, &end) != 3) {
			rc = error("%s:%zu: expected 'h t r' ids", path, line);
		} else if (h < 0 || h >= n_ent || t < 0 || t >= n_ent || r < 0 || r >= n_rel) {
			rc = error("%s:%zu: ids out of range (%d entities, %d relations)", path, line,
				   n_ent, n_rel);
		} else {
			if (k == cap)
				v = xrealloc(v, (cap *= 2) * sizeof(*v));
			v[k++] = (struct triple){ (int32_t)h, (int32_t)t, (int32_t)r };
		}
	}
	fclose(f);
	if (rc == 0 && k == 0)
		rc = error("%s: no triples", path);
	if (rc < 0) {
		free(v);
		return -1;
	}
	*out = v;
	*n = k;
	return 0;
}

/* --dump-step DIR: one batch step of the openke recipe on the case in DIR,
 * for tests/openke_ref.py compare. */
static int dump_step(struct opts *o)
{
	const char *dir = o->dump_step;
	float *ent = NULL, *rel = NULL;
	size_t E = 0, D = 0, R = 0, D2 = 0, B = 0, KB = 0;
	struct triple *pos = NULL, *negs = NULL;
	int32_t *neg = NULL;
	uint8_t *head = NULL;
	struct transe m = { 0 };
	char path[4096];
	int rc = 1;
	snprintf(path, sizeof path, "%s/ent.npy", dir);
	if (npy_read(path, &ent, &E, &D) < 0)
		goto out;
	snprintf(path, sizeof path, "%s/rel.npy", dir);
	if (npy_read(path, &rel, &R, &D2) < 0)
		goto out;
	if (D != D2 || !E || !R || !D || E > INT32_MAX || R > INT32_MAX || D > 65536) {
		error("%s: ent.npy (%zu, %zu) and rel.npy (%zu, %zu) do not make a model", dir, E, D,
		      R, D2);
		goto out;
	}
	snprintf(path, sizeof path, "%s/pos.txt", dir);
	if (read_id_triples(path, (int32_t)E, (int32_t)R, &pos, &B) < 0)
		goto out;
	snprintf(path, sizeof path, "%s/neg.txt", dir);
	if (read_id_triples(path, (int32_t)E, (int32_t)R, &negs, &KB) < 0)
		goto out;
	if (KB % B || KB / B > INT32_MAX / B) {
		error("%s: %zu negatives for %zu positives: expected K of each", path, KB, B);
		goto out;
	}
	const size_t K = KB / B;
	neg = xmalloc(KB * sizeof(*neg));
	head = xmalloc(KB);
	/* OpenKE's layout: line k * B + b is the k-th negative of positive b */
	for (size_t k = 0; k < K; k++)
		for (size_t b = 0; b < B; b++) {
			const struct triple *x = &negs[k * B + b], *y = &pos[b];
			if (x->r != y->r || (x->h != y->h && x->t != y->t)) {
				error("%s:%zu: a negative of positive %zu replaces its head or its tail, "
				      "nothing else", path, k * B + b + 1, b + 1);
				goto out;
			}
			head[b * K + k] = x->h != y->h;
			neg[b * K + k] = x->h != y->h ? x->h : x->t;
		}
	struct transe_params p = o->p;
	p.dim = (int)D;
	if (transe_init(&m, (int32_t)E, (int32_t)R, &p) < 0)
		goto out;
	for (size_t i = 0; i < E; i++)
		memcpy(m.ent + i * m.stride, ent + i * D, D * sizeof(float));
	for (size_t i = 0; i < R; i++)
		memcpy(m.rel + i * m.stride, rel + i * D, D * sizeof(float));
	struct transe_batch batch = { (int)B, (int)K, pos, neg, head };
	double loss = transe_openke_step(&m, &p, &batch);
	snprintf(path, sizeof path, "%s/c_loss.txt", dir);
	FILE *f = fopen(path, "w");
	if (!f || fprintf(f, "%.9g\n", loss) < 0 || fclose(f) != 0) {
		error("%s: cannot write: %s", path, strerror(errno));
		goto out;
	}
	snprintf(path, sizeof path, "%s/c_ent.npy", dir);
	if (npy_write(path, m.ent, E, D, (size_t)m.stride) < 0)
		goto out;
	snprintf(path, sizeof path, "%s/c_rel.npy", dir);
	if (npy_write(path, m.rel, R, D, (size_t)m.stride) < 0)
		goto out;
	printf("one openke step on %s: E=%zu R=%zu D=%zu B=%zu K=%zu, L%d, margin %g, lr %g: "
	       "loss %.9g; wrote c_loss.txt, c_ent.npy, c_rel.npy\n",
	       dir, E, R, D, B, K, p.norm, p.margin, p.lr, loss);
	rc = 0;
out:
	free(ent);
	free(rel);
	free(pos);
	free(negs);
	free(neg);
	free(head);
	transe_release(&m);
	return rc;
}

/* ------------------------------------------------------------ store mode */

static void print_holdout(const struct lp_result *r)
{
	printf("%-6s %-9s %-5s %9s %7s %7s %7s %7s\n", "split", "ranking", "side", "MR", "MRR",
	       "H@1", "H@3", "H@10");
	print_metrics("hold", r);
}

static int run_store(struct opts *o)
{
	struct store st = { 0 };
	if (store_open(&st, cli.db, 0) < 0)
		return 1;
	struct embed_train_options to = { 0 };
	to.p = o->p;
	to.sel = o->sel;
	to.incremental = o->incremental;
	to.parent = o->model;
	struct embed_train_result r;
	struct progress_ctx pc = { &o->p, 0, log_level >= 1 && isatty(2), 0, NULL, NULL, NULL,
				   0, 0, 0, &r };
	to.on_epoch = on_epoch;
	to.ctx = &pc;
	int rc = 1;
	int64_t *listed = NULL;
	if (o->sel.mentioned == EMBED_LISTED) {
		/* the entities the ARL layout exports, so the export finds them all */
		if (arl_entities(&st, &o->arl, &listed, &to.sel.n_concepts) < 0)
			goto out;
		to.sel.concepts = listed;
		to.sel.threshold = o->arl.threshold;
	}
	if (embed_train_store(&st, &to, &r) < 0)
		goto out;
	if (o->incremental) {
		if (!r.model) {
			printf("model %lld already has a vector for each of the %d entities and %d "
			       "relations: nothing to train\n",
			       (long long)r.parent, r.n_ent, r.n_rel);
			rc = 0;
			goto out;
		}
		info("incremental: %zu of %d entities and %zu of %d relations have vectors in model "
		     "%lld; training %zu triples",
		     r.n_ent_found, r.n_ent, r.n_rel_found, r.p.reciprocal ? 2 * r.n_rel : r.n_rel,
		     (long long)r.parent, r.n_train);
	}
	printf("model %lld: TransE dim %d, L%d, %d entities, %d relations, %zu triples "
	       "(%s), %d epochs in %.1f s\n",
	       (long long)r.model, r.p.dim, r.p.norm, r.n_ent, r.n_rel, r.n_train,
	       o->sel.mentioned == EMBED_LISTED ? "ARL's selection"
	       : o->sel.mentioned ? "mentioned" : "all", r.p.epochs, r.seconds);
	if (o->incremental)
		printf("extends model %lld: its vectors are copied unchanged\n", (long long)r.parent);
	if (r.evaluated) {
		printf("held out %zu triples (%zu dropped: entity unseen in training)\n", r.n_test,
		       r.n_dropped);
		print_holdout(&r.holdout);
	}
	rc = 0;
out:
	free(listed);
	store_close(&st);
	return rc;
}

static int run_export(struct opts *o)
{
	struct store st;
	struct embed_model_info info = { 0 };
	int rc = 1;
	if (store_open(&st, cli.db, STORE_READONLY) < 0)
		return 1;
	int found = embed_model_info(&st, o->model, &info);
	if (found <= 0) {
		if (found == 0)
			error("%s: no embedding model%s", cli.db, o->model ? " with that id" : "s: run 'medkg embed' first");
		goto out;
	}
	if (make_dir(o->export) < 0)
		goto out;
	size_t ne, nr, nt;
	if (embed_export(&st, info.id, o->export, &ne, &nr, &nt) < 0)
		goto out;
	printf("exported model %lld to %s: %zu entities, %zu relations, %zu triples, dim %d\n",
	       (long long)info.id, o->export, ne, nr, nt, info.dim);
	rc = 0;
out:
	embed_model_info_release(&info);
	store_close(&st);
	return rc;
}

/* eval [--model N]: rank the model's held-out triples again. */
static int run_eval_store(struct opts *o)
{
	struct store st;
	struct embed_model_info info = { 0 };
	struct embed_graph g = { 0 };
	struct transe m = { 0 };
	struct lp_filter filter = { 0 };
	int64_t *listed = NULL;
	int rc = 1;
	if (store_open(&st, cli.db, STORE_READONLY) < 0)
		return 1;
	int found = embed_model_info(&st, o->model, &info);
	if (found <= 0) {
		if (found == 0)
			error("%s: no embedding model%s", cli.db, o->model ? " with that id" : "s: run 'medkg embed' first");
		goto out;
	}
	if (!(info.sel.holdout > 0)) {
		error("%s: model %lld was trained on every triple (no --holdout): nothing to evaluate",
		      cli.db, (long long)info.id);
		goto out;
	}
	if (info.sel.mentioned == EMBED_LISTED &&
	    embed_model_entities(&st, info.id, &listed, &info.sel.n_concepts) < 0)
		goto out;
	info.sel.concepts = listed;
	if (embed_graph_load(&st, &info.sel, &g) < 0)
		goto out;
	struct transe_params p = o->p;
	p.dim = info.dim;
	p.norm = info.norm;
	p.reciprocal = info.reciprocal;
	p.epochs = 0;
	if (transe_init(&m, g.kg.n_ent, g.kg.n_rel, &p) < 0)
		goto out;
	size_t fe, fr;
	if (embed_model_load(&st, info.id, &g, &m, &fe, &fr) < 0)
		goto out;
	if (fe != (size_t)g.kg.n_ent || fr != (size_t)m.n_rel)
		warning("model %lld lacks vectors for %zu entities and %zu relations now in its "
			"selection (the store changed since): they rank with random vectors",
			(long long)info.id, (size_t)g.kg.n_ent - fe, (size_t)m.n_rel - fr);
	lp_filter_build(&filter, &g.kg);
	struct lp_result r;
	lp_evaluate(&m, p.norm, p.reciprocal, g.kg.split[KG_TEST], g.kg.n[KG_TEST], &filter,
		    p.threads, &r);
	printf("model %lld: %zu held-out triples, evaluated in %.2f s\n", (long long)info.id,
	       g.kg.n[KG_TEST], r.seconds);
	print_holdout(&r);
	rc = 0;
out:
	free(listed);
	lp_filter_release(&filter);
	transe_release(&m);
	embed_graph_release(&g);
	embed_model_info_release(&info);
	store_close(&st);
	return rc;
}

static int run(int is_eval, int argc, char **argv, struct opts *o)
{
	if (optind != argc)
		return cli_usage_error(embed_usage, "unexpected argument '%s'", argv[optind]);
	if (is_eval) {
		if (o->openke && !o->vectors)
			BAD("eval --openke needs --vectors DIR (the output of --save)");
		if (o->vectors && !o->openke)
			BAD("--vectors goes with --openke");
		if (o->export || o->save || o->incremental || o->dump_step)
			BAD("eval does not train, save or export");
		return o->openke ? eval_openke(o) : run_eval_store(o);
	}
	if (o->vectors)
		BAD("--vectors goes with 'embed eval --openke'");
	if (o->dump_step) {
		if (o->export || o->openke || o->incremental || o->save || o->model)
			BAD("--dump-step runs one step on its directory alone");
		return dump_step(o);
	}
	if (o->export) {
		if (o->trained_opts || o->openke || o->incremental || o->save)
			BAD("--export writes a stored model and trains nothing: train first, then export");
		return run_export(o);
	}
	if (o->openke) {
		if (o->incremental || o->model || o->sel.mentioned || o->sel.holdout > 0)
			BAD("--openke trains on the benchmark alone: no store options");
		return run_openke(o);
	}
	if (o->save)
		BAD("--save goes with --openke (the store keeps the vectors; see --export)");
	if (o->eval_every)
		BAD("--eval-every goes with --openke");
	if (o->model && !o->incremental)
		BAD("--model goes with --incremental, --export or eval");
	return run_store(o);
}

int cmd_embed(int argc, char **argv)
{
	int is_eval = argc > 1 && !strcmp(argv[1], "eval");
	if (is_eval) {
		argc--;
		argv++;
	}
	struct opts o;
	int u = parse_opts(argc, argv, is_eval, &o);
	if (u == 0)
		u = run(is_eval, argc, argv, &o);
	opts_release(&o);
	free(embed_usage);
	return u;
}
