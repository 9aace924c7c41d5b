#define _DEFAULT_SOURCE /* truncate */
/* Embeddings: OpenKE and .npy I/O, the TransE step against an independent
 * computation, determinism, learning, evaluation against brute force, and
 * bad input. */
#include "testhelp.h"
#include "tests.h"
#include "../common/util.h"
#include "../embed/corrupt.h"
#include "../embed/eval.h"
#include "../embed/npy.h"
#include "../embed/openke.h"
#include "../embed/transe.h"
#include "../common/zio.h"

#include <unistd.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void write_dir(const char *dir, const char *ent, const char *rel, const char *train,
		      const char *valid, const char *test)
{
	char p[512];
	mkdir(dir, 0777);
	const char *names[] = { "entity2id.txt", "relation2id.txt", "train2id.txt",
				"valid2id.txt", "test2id.txt" };
	const char *text[] = { ent, rel, train, valid, test };
	for (int i = 0; i < 5; i++) {
		snprintf(p, sizeof p, "%s/%s", dir, names[i]);
		remove(p);
		if (text[i])
			write_file(p, text[i], strlen(text[i]));
	}
}

static const char ENT4[] = "4\n/m/a\t0\n/m/b\t1\n/m/c\t2\n/m/d\t3\n";
static const char REL2[] = "2\n/r/x\t0\n/r/y\t1\n";

static void test_openke(void)
{
	const char *tmp = test_tmpdir();
	char dir[512];
	snprintf(dir, sizeof dir, "%s/ok", tmp);
	write_dir(dir, ENT4, REL2, "3\n0 1 0\n1 2 0\n2 3 1\n", "1\n0 2 1\n", "1\n3 0 0\n\n");
	struct kg kg;
	CHECK_INT("embed-openke-1.1", openke_read(&kg, dir), 0);
	CHECK_INT("embed-openke-1.2", kg.n_ent, 4);
	CHECK_INT("embed-openke-1.3", kg.n_rel, 2);
	CHECK_INT("embed-openke-1.4", kg.n[KG_TRAIN], 3);
	CHECK_INT("embed-openke-1.5", kg.n[KG_TEST], 1);
	CHECK_INT("embed-openke-1.6", kg.split[KG_TRAIN][2].h, 2);
	CHECK_INT("embed-openke-1.6.t", kg.split[KG_TRAIN][2].t, 3);
	CHECK_INT("embed-openke-1.6.r", kg.split[KG_TRAIN][2].r, 1);
	CHECK_STR("embed-openke-1.7", kg.ent_names[1], "/m/b");
	kg_release(&kg);

	/* bad input: each names the file and line */
	static const struct {
		const char *id, *ent, *rel, *train, *want;
	} bad[] = {
		{ "embed-openke-2.1", ENT4, REL2, "3\n0 1 0\n1 2 0\n", "train2id.txt:3: the count header says 3 triples, found 2" },
		{ "embed-openke-2.2", ENT4, REL2, "1\n0 1 0\n1 2 0\n", "train2id.txt:3: the count header says 1 lines, but 1 more follow" },
		{ "embed-openke-2.3", ENT4, REL2, "1\n0 4 0\n", "train2id.txt:2: entity id 4 out of range (4 entities)" },
		{ "embed-openke-2.4", ENT4, REL2, "1\n0 1 2\n", "train2id.txt:2: relation id 2 out of range (2 relations)" },
		{ "embed-openke-2.5", ENT4, REL2, "1\n0 1\n", "train2id.txt:2: expected 'head tail relation' ids" },
		{ "embed-openke-2.6", "2\n/m/a\t0\n/m/b\t0\n", REL2, "1\n0 1 0\n", "entity2id.txt:3: id 0 appears twice" },
		{ "embed-openke-2.7", "3\n/m/a\t0\n/m/b\t1\n", REL2, "1\n0 1 0\n", "entity2id.txt:3: the count header says 3 lines, found 2" },
		{ "embed-openke-2.8", ENT4, "x\n", "1\n0 1 0\n", "relation2id.txt:1: expected a count" },
		{ "embed-openke-2.9", ENT4, REL2, "1\n-1 1 0\n", "train2id.txt:2: expected 'head tail relation' ids" },
		{ "embed-openke-2.10", ENT4, REL2, "0\n", "train2id.txt: no training triples" },
		/* a count header is only compared: nothing is allocated for it */
		{ "embed-openke-2.11", "2147483647\n/m/a\t0\n/m/b\t1\n", REL2, "1\n0 1 0\n",
		  "entity2id.txt:3: the count header says 2147483647 lines, found 2" },
		{ "embed-openke-2.12", ENT4, REL2, "2147483647\n0 1 0\n",
		  "train2id.txt:2: the count header says 2147483647 triples, found 1" },
		{ "embed-openke-2.13", ENT4, "2147483648\n/r/x\t0\n", "1\n0 1 0\n",
		  "relation2id.txt:1: count 2147483648 is too large (at most 2147483647)" },
		{ "embed-openke-2.14", "2\n/m/a\t1\n/m/b\t5\n", REL2, "1\n0 1 0\n",
		  "entity2id.txt:3: id 5 out of range (count 2)" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		write_dir(dir, bad[i].ent, bad[i].rel, bad[i].train, NULL, NULL);
		last_error_reset();
		CHECK_INT(test_id("%s.rc", bad[i].id), openke_read(&kg, dir), -1);
		CHECK_ERR(bad[i].id, bad[i].want);
		CHECK(test_id("%s.empty", bad[i].id), kg.n_ent == 0 && kg.split[KG_TRAIN] == NULL);
	}

	/* writing: exact layout */
	char path[600];
	snprintf(path, sizeof path, "%s/ids.txt", tmp);
	char *keys[] = { "C1", "C2" }, *names[] = { "Lung", "Pleural effusion" };
	CHECK_INT("embed-openke-3.1", openke_write_ids(path, 2, keys, names), 0);
	char *text = NULL;
	size_t len;
	zfile_slurp(path, &text, &len, 0);
	CHECK_STR("embed-openke-3.2", text, "2\nC1\t0\tLung\nC2\t1\tPleural effusion\n");
	free(text);
	struct triple tr[] = { { 0, 1, 0 }, { 1, 0, 0 } };
	snprintf(path, sizeof path, "%s/tr.txt", tmp);
	CHECK_INT("embed-openke-3.3", openke_write_triples(path, tr, 2), 0);
	zfile_slurp(path, &text, &len, 0);
	CHECK_STR("embed-openke-3.4", text, "2\n0\t1\t0\n1\t0\t0\n");
	free(text);
}

static void test_npy(void)
{
	char path[512];
	snprintf(path, sizeof path, "%s/a.npy", test_tmpdir());
	float src[3 * 4]; /* 3 rows of 2 floats, stride 4 */
	for (int i = 0; i < 12; i++)
		src[i] = (float)i * 0.5f - 1;
	CHECK_INT("embed-npy-1.1", npy_write(path, src, 3, 2, 4), 0);
	char *raw = NULL;
	size_t len = 0;
	zfile_slurp(path, &raw, &len, 0);
	CHECK_INT("embed-npy-1.2", len, 128 + 24);
	CHECK("embed-npy-1.2.magic", raw && !memcmp(raw, "\x93NUMPY\x01\x00", 8));
	CHECK("embed-npy-1.3", raw && strstr(raw + 10, "'shape': (3, 2)") != NULL);
	CHECK("embed-npy-1.4", raw && raw[127] == '\n');
	free(raw);
	float *d = NULL;
	size_t r = 0, c = 0;
	CHECK_INT("embed-npy-1.5", npy_read(path, &d, &r, &c), 0);
	CHECK_INT("embed-npy-1.6", r, 3);
	CHECK_INT("embed-npy-1.6.cols", c, 2);
	CHECK("embed-npy-1.6.values", d && d[0] == src[0] && d[1] == src[1] && d[2] == src[4] &&
					     d[5] == src[9]);
	free(d);
	/* truncated data */
	FILE *f = fopen(path, "r+b");
	if (f) {
		fflush(f);
		fclose(f);
		if (truncate(path, 140) != 0)
			perror(path);
	}
	CHECK_INT("embed-npy-1.7", npy_read(path, &d, &r, &c), -1);
	CHECK_ERR("embed-npy-1.8", "truncated data");

	/* a shape the file cannot hold is refused before anything is allocated
	 * for it: a 128-byte file claiming (10^12, 1000) */
	static const struct { const char *id, *shape, *err; } shapes[] = {
		{ "embed-npy-2.1", "(1000000000000, 1000)",
		  "shape (1000000000000, 1000) needs 4000000000000000 bytes, the file holds 0" },
		{ "embed-npy-2.2", "(18446744073709551615, 2)", "needs over 18446744073709551615 bytes" },
		{ "embed-npy-2.3", "(4611686018427387904, 4)", "needs over" },
		{ "embed-npy-2.4", "(1, 1)", "shape (1, 1) needs 4 bytes, the file holds 0" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(shapes); i++) {
		char h[128];
		int n = snprintf(h, sizeof h, "{'descr': '<f4', 'fortran_order': False, 'shape': %s, }",
				 shapes[i].shape);
		char file[128];
		memset(file, ' ', sizeof file);
		memcpy(file, "\x93NUMPY\x01\x00\x76\x00", 10);
		memcpy(file + 10, h, (size_t)n);
		file[127] = '\n';
		snprintf(path, sizeof path, "%s/shape.npy", test_tmpdir());
		FILE *o = fopen(path, "wb");
		fwrite(file, 1, sizeof file, o);
		fclose(o);
		d = NULL;
		last_error_reset();
		CHECK_INT(test_id("%s.rc", shapes[i].id), npy_read(path, &d, &r, &c), -1);
		CHECK_ERR(shapes[i].id, shapes[i].err);
		CHECK(test_id("%s.data", shapes[i].id), d == NULL);
	}
}

/* ------------------------------------------------------------ the step */

/* The reference: the same loss and update written plainly, in double, for
 * one query with its own negatives (batch 1), SGD, no normalization. */
static double ref_dist(const double *q, const double *e, int n, int norm)
{
	double s = 0;
	for (int j = 0; j < n; j++)
		s += norm == 1 ? fabs(q[j] - e[j]) : (q[j] - e[j]) * (q[j] - e[j]);
	return norm == 1 ? s : sqrt(s);
}

/* @return the entity rows it moves, as a mask (bit i: row i): the targets
 * with a nonzero coefficient, and the anchor when its gradient is not zero
 * (relation r moves with it). */
static unsigned ref_step(double *ent, double *rel, int dim, int norm, int loss, double margin,
			 double temp, int anchor, int r, double sign, const int *tg, int K,
			 double step)
{
	double q[64], gq[64] = { 0 }, d[16], c[16];
	for (int j = 0; j < dim; j++)
		q[j] = ent[anchor * dim + j] + sign * rel[r * dim + j];
	for (int i = 0; i <= K; i++)
		d[i] = ref_dist(q, ent + tg[i] * dim, dim, norm);
	if (loss == TRANSE_MARGIN) {
		c[0] = 0;
		for (int i = 1; i <= K; i++) {
			c[i] = margin + d[0] - d[i] > 0 ? -1 : 0;
			c[0] -= c[i];
		}
	} else {
		double z = 0, w[16];
		for (int i = 1; i <= K; i++)
			z += w[i] = exp(-temp * d[i]);
		c[0] = 1 / (1 + exp(margin - d[0]));
		for (int i = 1; i <= K; i++)
			c[i] = -(w[i] / z) / (1 + exp(d[i] - margin));
	}
	for (int i = 1; i <= K; i++) { /* negatives, then the true target */
		double *e = ent + tg[i] * dim;
		double g[64];
		for (int j = 0; j < dim; j++) {
			double x = q[j] - e[j];
			g[j] = norm == 1 ? (x > 0) - (x < 0) : x / d[i];
			gq[j] += c[i] * g[j];
		}
		for (int j = 0; j < dim; j++)
			e[j] += step * c[i] * g[j];
	}
	double *e = ent + tg[0] * dim;
	for (int j = 0; j < dim; j++) {
		double x = q[j] - e[j];
		double g = norm == 1 ? (x > 0) - (x < 0) : x / d[0];
		gq[j] += c[0] * g;
		e[j] += step * c[0] * g;
	}
	unsigned moves = 0;
	for (int i = 0; i <= K; i++)
		moves |= c[i] != 0 ? 1u << tg[i] : 0;
	for (int j = 0; j < dim; j++) {
		ent[anchor * dim + j] -= step * gq[j];
		rel[r * dim + j] -= step * sign * gq[j];
		moves |= gq[j] != 0 ? 1u << anchor : 0;
	}
	return moves;
}

/* The rows of a (n, stride) matrix that differ from before (n, dim), as a mask. */
static unsigned rows_moved(const float *now, int stride, const float *before, int n, int dim)
{
	unsigned mask = 0;
	for (int i = 0; i < n; i++)
		for (int j = 0; j < dim; j++)
			mask |= now[i * stride + j] != before[i * dim + j] ? 1u << i : 0;
	return mask;
}

static void test_step(void)
{
	/* 6 entities, 2 relations, dim 20 (stride 32, padding must stay 0) */
	const int N = 6, R = 2, D = 20, K = 3;
	/* moves: the entity rows the step moves (bit i: row i). The anchor (0)
	 * and the true target (1) move, and so do the negatives (2-4) with a
	 * nonzero coefficient: all of them under SANS, those inside the margin
	 * under the margin loss (at margin 1, entity 2 is outside it); entity 5
	 * takes no part. Of the relations, 1 moves and 0 does not. */
	static const struct {
		const char *id;
		int norm, loss;
		float sign, margin;
		uint64_t seed;
		unsigned moves;
	} cases[] = {
		{ "embed-transe-1.1", 1, TRANSE_MARGIN, 1, 8, 7, 0x1f },
		{ "embed-transe-1.2", 1, TRANSE_MARGIN, -1, 8, 8, 0x1f },
		{ "embed-transe-1.3", 2, TRANSE_MARGIN, 1, 8, 9, 0x1f },
		{ "embed-transe-1.4", 1, TRANSE_SANS, 1, 2, 10, 0x1f },
		{ "embed-transe-1.5", 2, TRANSE_SANS, -1, 2, 11, 0x1f },
		{ "embed-transe-1.7", 1, TRANSE_MARGIN, 1, 1, 7, 0x1b },
	};
	for (size_t k = 0; k < ARRAY_SIZE(cases); k++) {
		struct transe_params p;
		transe_params_default(&p);
		p.recipe = TRANSE_FAST;
		p.dim = D;
		p.norm = cases[k].norm;
		p.loss = cases[k].loss;
		p.margin = cases[k].margin;
		p.adv_temp = 0.5f;
		p.entity_norm = TRANSE_NORM_NONE;
		p.seed = cases[k].seed;
		struct transe m;
		transe_init(&m, N, R, &p);
		double ent[6 * 20], rel[2 * 20];
		float ent0[6 * 20], rel0[2 * 20]; /* as they were before the step */
		for (int i = 0; i < N; i++)
			for (int j = 0; j < D; j++)
				ent[i * D + j] = ent0[i * D + j] = m.ent[i * m.stride + j];
		for (int i = 0; i < R; i++)
			for (int j = 0; j < D; j++)
				rel[i * D + j] = rel0[i * D + j] = m.rel[i * m.stride + j];
		/* distinct negatives: the reference applies updates in sequence */
		int32_t anchor = 0, r = 1, pos = 1, neg[3] = { 2, 3, 4 };
		int tg[4] = { 1, 2, 3, 4 };
		float sign = cases[k].sign;
		float *scratch = xaligned_alloc(64, transe_scratch_floats(&m, 1, K) * sizeof(float));
		transe_step(&m, &p, scratch, 1, &anchor, &r, &sign, &pos, neg, K, 0.01f);
		unsigned moves = ref_step(ent, rel, D, p.norm, p.loss, p.margin, p.adv_temp, 0, 1,
					  sign, tg, K, 0.01);
		double maxdiff = 0;
		int pad_zero = 1;
		for (int i = 0; i < N; i++) {
			for (int j = 0; j < D; j++)
				maxdiff = fmax(maxdiff, fabs(m.ent[i * m.stride + j] - ent[i * D + j]));
			for (int j = D; j < m.stride; j++)
				pad_zero &= m.ent[i * m.stride + j] == 0;
		}
		for (int i = 0; i < R; i++)
			for (int j = 0; j < D; j++)
				maxdiff = fmax(maxdiff, fabs(m.rel[i * m.stride + j] - rel[i * D + j]));
		if (getenv("TEST_VERBOSE"))
			fprintf(stderr, "%s: max |step - reference| = %.3g, rows moved %#x\n",
				cases[k].id, maxdiff, moves);
		CHECK_NEAR(cases[k].id, maxdiff, 0, 1e-5);
		CHECK(test_id("%s.pad", cases[k].id), pad_zero);
		CHECK_INT(test_id("%s.reference", cases[k].id), moves, cases[k].moves);
		CHECK_INT(test_id("%s.moved", cases[k].id), rows_moved(m.ent, m.stride, ent0, N, D),
			  cases[k].moves);
		CHECK_INT(test_id("%s.rel", cases[k].id), rows_moved(m.rel, m.stride, rel0, R, D), 0x2);
		free(scratch);
		transe_release(&m);
	}

	/* the SANS gradient against central finite differences of the loss:
	 * with SGD at a small step, the update is -step * gradient */
	struct transe_params p;
	transe_params_default(&p);
	p.recipe = TRANSE_FAST;
	p.dim = 8;
	p.norm = 2;
	p.loss = TRANSE_SANS;
	p.margin = 1.5f;
	p.adv_temp = 0; /* plain weights: the loss is then exactly what is differentiated */
	p.entity_norm = TRANSE_NORM_NONE;
	struct transe m;
	transe_init(&m, 4, 1, &p);
	float *scratch = xaligned_alloc(64, transe_scratch_floats(&m, 1, 2) * sizeof(float));
	int32_t anchor = 0, r = 0, pos = 1, neg[2] = { 2, 3 };
	float sign = 1;
	float before = m.ent[0 * m.stride + 3];
	float eps = 1e-3f;
	m.ent[3] = before + eps;
	float lp = transe_step(&m, &p, scratch, 1, &anchor, &r, &sign, &pos, neg, 2, 0);
	m.ent[3] = before - eps;
	float lm = transe_step(&m, &p, scratch, 1, &anchor, &r, &sign, &pos, neg, 2, 0);
	m.ent[3] = before;
	float step = 1e-3f;
	transe_step(&m, &p, scratch, 1, &anchor, &r, &sign, &pos, neg, 2, step);
	double numeric = (lp - lm) / (2 * eps), analytic = (before - m.ent[3]) / step;
	if (getenv("TEST_VERBOSE"))
		fprintf(stderr, "embed-transe-1.6: numeric %.5f analytic %.5f\n", numeric, analytic);
	CHECK_NEAR("embed-transe-1.6", analytic, numeric, 2e-3 * fmax(1, fabs(numeric)));
	free(scratch);
	transe_release(&m);
}

/* ------------------------------------------------------------ training */

/* n / 10 groups of 10 entities: a hub and 9 members, with "in" (0)
 * from each member to its hub and "has" (1) back; every tenth member's "in"
 * triple is held out for testing. TransE can fit this exactly. */
static void hubs(struct kg *kg, int n)
{
	memset(kg, 0, sizeof(*kg));
	kg->n_ent = n;
	kg->n_rel = 2;
	kg->split[KG_TRAIN] = xmalloc(2 * n * sizeof(struct triple));
	kg->split[KG_TEST] = xmalloc(2 * n * sizeof(struct triple));
	int k = 0;
	for (int g = 0; g + 10 <= n; g += 10)
		for (int i = 1; i < 10; i++, k++) {
			struct triple in = { g + i, g, 0 }, has = { g, g + i, 1 };
			if (k % 10 == 3)
				kg->split[KG_TEST][kg->n[KG_TEST]++] = in;
			else
				kg->split[KG_TRAIN][kg->n[KG_TRAIN]++] = in;
			kg->split[KG_TRAIN][kg->n[KG_TRAIN]++] = has;
		}
}

/* ctx: { the epoch to stop after, the last epoch seen }. */
static int stop_after(void *ctx, int epoch, double loss, double seconds)
{
	int *stop = ctx;
	(void)loss, (void)seconds;
	stop[1] = epoch;
	return epoch >= stop[0];
}

/* Train with every even entity and relation 0 frozen: id.1 the frozen rows
 * are byte-identical, id.2 most others moved, id.3 relation 0 did not,
 * id.4 relation 1 did. */
static void check_frozen(const char *id, const struct transe_params *p, const struct kg *kg)
{
	struct transe a;
	transe_init(&a, kg->n_ent, kg->n_rel, p);
	a.ent_frozen = xcalloc(kg->n_ent, 1);
	a.rel_frozen = xcalloc(a.n_rel, 1);
	for (int i = 0; i < kg->n_ent; i += 2)
		a.ent_frozen[i] = 1;
	a.rel_frozen[0] = 1;
	const size_t row = (size_t)a.stride * sizeof(float), bytes = (size_t)a.n_ent * row;
	float *copy = xmalloc(bytes), *rcopy = xmalloc((size_t)a.n_rel * row);
	memcpy(copy, a.ent, bytes);
	memcpy(rcopy, a.rel, (size_t)a.n_rel * row);
	transe_train(&a, p, kg->split[KG_TRAIN], kg->n[KG_TRAIN], NULL, NULL);
	int same_frozen = 1, moved_free = 0;
	for (int i = 0; i < kg->n_ent; i++) {
		int same = !memcmp(copy + (size_t)i * a.stride, a.ent + (size_t)i * a.stride, row);
		if (i % 2 == 0)
			same_frozen &= same;
		else
			moved_free += !same;
	}
	CHECK(test_id("%s.1", id), same_frozen);
	CHECK(test_id("%s.2", id), moved_free > kg->n_ent / 4);
	CHECK(test_id("%s.3", id), !memcmp(rcopy, a.rel, row));
	CHECK(test_id("%s.4", id), memcmp(rcopy + a.stride, a.rel + a.stride, row) != 0);
	free(copy);
	free(rcopy);
	transe_release(&a);
}

static void train_and_rank(void)
{
	struct kg kg;
	hubs(&kg, 200);
	struct transe_params p;
	transe_params_default(&p);
	p.dim = 24;
	p.epochs = 3;
	p.threads = 1;
	p.seed = 42;
	p.neg = 5;
	struct transe a, b, c;
	/* one thread and a seed: bit-identical, for each optimizer and loss of
	 * the fast recipe and for the openke recipe (v = 3) */
	for (int v = 0; v < 4; v++) {
		p.recipe = v == 3 ? TRANSE_OPENKE : TRANSE_FAST;
		p.optimizer = v == 2 ? TRANSE_ADAGRAD : TRANSE_SGD;
		p.loss = v == 1 ? TRANSE_SANS : TRANSE_MARGIN;
		p.reciprocal = v == 2;
		transe_init(&a, kg.n_ent, kg.n_rel, &p);
		transe_init(&b, kg.n_ent, kg.n_rel, &p);
		transe_train(&a, &p, kg.split[KG_TRAIN], kg.n[KG_TRAIN], NULL, NULL);
		transe_train(&b, &p, kg.split[KG_TRAIN], kg.n[KG_TRAIN], NULL, NULL);
		size_t bytes = (size_t)a.n_ent * a.stride * sizeof(float);
		CHECK(test_id("embed-transe-2.1.%d", v), !memcmp(a.ent, b.ent, bytes));
		CHECK(test_id("embed-transe-2.2.%d", v),
		      !memcmp(a.rel, b.rel, (size_t)a.n_rel * a.stride * sizeof(float)));
		p.seed = 43;
		transe_init(&c, kg.n_ent, kg.n_rel, &p);
		transe_train(&c, &p, kg.split[KG_TRAIN], kg.n[KG_TRAIN], NULL, NULL);
		CHECK(test_id("embed-transe-2.3.%d", v), memcmp(a.ent, c.ent, bytes) != 0);
		p.seed = 42;
		transe_release(&a);
		transe_release(&b);
		transe_release(&c);
	}

	/* it learns: the ring's held-out triples rank near the top, far from
	 * an untrained model; entity rows stay unit length */
	struct lp_filter f;
	lp_filter_build(&f, &kg);
	struct lp_result r0, r1;
	transe_params_default(&p);
	p.recipe = TRANSE_FAST;
	p.dim = 32;
	p.optimizer = TRANSE_ADAGRAD;
	p.loss = TRANSE_SANS;
	p.margin = 6;
	p.lr = 0.1f;
	p.neg = 16;
	p.epochs = 60;
	p.threads = 2;
	transe_init(&a, kg.n_ent, kg.n_rel, &p);
	lp_evaluate(&a, p.norm, 0, kg.split[KG_TEST], kg.n[KG_TEST], &f, 2, &r0);
	CHECK_INT("embed-transe-3.1", transe_train(&a, &p, kg.split[KG_TRAIN], kg.n[KG_TRAIN], NULL, NULL), 0);
	lp_evaluate(&a, p.norm, 0, kg.split[KG_TEST], kg.n[KG_TEST], &f, 2, &r1);
	if (getenv("TEST_VERBOSE"))
		fprintf(stderr, "hubs: filtered MRR %.3f -> %.3f, Hits@10 %.3f -> %.3f\n",
			r0.filtered[LP_BOTH].mrr, r1.filtered[LP_BOTH].mrr,
			r0.filtered[LP_BOTH].hits10, r1.filtered[LP_BOTH].hits10);
	CHECK("embed-transe-3.2", r0.filtered[LP_BOTH].hits10 < 0.2);
	CHECK("embed-transe-3.3", r1.filtered[LP_BOTH].hits10 > 0.9);
	CHECK("embed-transe-3.4", r1.filtered[LP_BOTH].mrr > 0.5);
	double norm = 0;
	for (int j = 0; j < a.stride; j++)
		norm += a.ent[5 * a.stride + j] * a.ent[5 * a.stride + j];
	CHECK_NEAR("embed-transe-3.5", norm, 1, 1e-4);
	transe_release(&a);

	/* the callback can stop training early */
	int stop[2] = { 2, 0 };
	p.epochs = 10;
	transe_init(&a, kg.n_ent, kg.n_rel, &p);
	CHECK_INT("embed-transe-3.6", transe_train(&a, &p, kg.split[KG_TRAIN], kg.n[KG_TRAIN], stop_after, stop), 1);
	CHECK_INT("embed-transe-3.7", stop[1], 2);
	transe_release(&a);

	/* frozen rows never change */
	p.epochs = 2;
	check_frozen("embed-transe-4", &p, &kg);

	/* bad settings and divergence */
	transe_params_default(&p);
	p.dim = 0;
	last_error_reset();
	CHECK_INT("embed-transe-5.1", transe_init(&a, 10, 2, &p), -1);
	CHECK_ERR("embed-transe-5.2", "embed setting 'dim' needs a whole number from 1 to 65536, not 0");
	transe_params_default(&p);
	p.recipe = TRANSE_FAST;
	p.dim = 8;
	p.lr = 3e38f;
	p.epochs = 5;
	p.entity_norm = TRANSE_NORM_NONE;
	transe_init(&a, kg.n_ent, kg.n_rel, &p);
	last_error_reset();
	CHECK_INT("embed-transe-5.3", transe_train(&a, &p, kg.split[KG_TRAIN], kg.n[KG_TRAIN], NULL, NULL), -1);
	CHECK_ERR("embed-transe-5.4", "training diverged at epoch");
	transe_release(&a);
	CHECK_INT("embed-transe-5.5", transe_train(&a, &p, kg.split[KG_TRAIN], 0, NULL, NULL), -1);

	lp_filter_release(&f);
	kg_release(&kg);
}

/* ------------------------------------------------------------ the openke recipe */

/* Negatives: never a training triple, uniform over the allowed entities,
 * the side by bern; every entity excluded: uniform over all. */
static void test_corrupt(void)
{
	/* relation 0: head 0 has tails 1..5 (one to many: tph 5, hpt 1);
	 * relation 1: a duplicated triple (2, 1, 3) */
	const struct triple tr[] = { { 0, 1, 0 }, { 0, 2, 0 }, { 0, 3, 0 }, { 0, 4, 0 },
				     { 0, 5, 0 }, { 2, 3, 1 }, { 2, 3, 1 } };
	struct corrupt c;
	corrupt_build(&c, tr, ARRAY_SIZE(tr), 8, 2, 1);
	CHECK_NEAR("embed-corrupt-1.1", c.p_head[0], 5.0 / 6, 1e-6);
	CHECK_NEAR("embed-corrupt-1.2", c.p_head[1], 0.5, 1e-6);
	CHECK_INT("embed-corrupt-1.3", c.head_at[8], 6); /* the duplicate counts once */
	struct rng g;
	rng_seed(&g, 1, 2);
	int32_t neg[64];
	uint8_t head[64];
	int counts[2][8] = { { 0 } }, bad = 0, n_head = 0, n = 0;
	for (int it = 0; it < 2000; it++) {
		corrupt_draw(&c, &g, 0, &tr[0], 64, neg, head);
		for (int k = 0; k < 64; k++, n++) {
			n_head += head[k];
			counts[head[k]][neg[k]]++;
			for (size_t i = 0; i < ARRAY_SIZE(tr); i++)
				bad += head[k] ? tr[i].h == neg[k] && tr[i].t == 1 && tr[i].r == 0
					       : tr[i].h == 0 && tr[i].t == neg[k] && tr[i].r == 0;
		}
	}
	CHECK_INT("embed-corrupt-1.4", bad, 0);
	CHECK_NEAR("embed-corrupt-1.5", (double)n_head / n, 5.0 / 6, 0.01);
	/* tails: 0, 6, 7 allowed (1..5 are tails of (0, 0)); heads: all but 0 */
	int tails_ok = 1, heads_ok = 1;
	double nt = n - n_head, nh = n_head;
	for (int e = 0; e < 8; e++) {
		int allowed = e == 0 || e >= 6;
		tails_ok &= allowed ? fabs(counts[0][e] / nt - 1.0 / 3) < 0.02 : counts[0][e] == 0;
		heads_ok &= e ? fabs(counts[1][e] / nh - 1.0 / 7) < 0.01 : counts[1][e] == 0;
	}
	CHECK("embed-corrupt-1.6", tails_ok);
	CHECK("embed-corrupt-1.7", heads_ok);
	corrupt_release(&c);
	/* a head with every entity for a tail: nothing to exclude to */
	const struct triple all[] = { { 0, 0, 0 }, { 0, 1, 0 }, { 0, 2, 0 } };
	corrupt_build(&c, all, 3, 3, 1, 0);
	uint8_t side[200];
	int32_t e3[200];
	corrupt_draw(&c, &g, 0, &all[0], 200, e3, side);
	int in_range = 1, tails = 0;
	for (int k = 0; k < 200; k++) {
		in_range &= e3[k] >= 0 && e3[k] < 3;
		tails += !side[k];
	}
	CHECK("embed-corrupt-1.8", in_range && tails > 50);
	corrupt_release(&c);
}

/* The openke step against central differences of its own loss (lr 1: the
 * step moves each parameter by minus its gradient), the reference check
 * that needs no torch (tests/cli.sh runs the one against
 * tests/openke_ref.py); then learning, unit rows, frozen rows and the
 * settings it refuses. */
static void test_openke_recipe(void)
{
	const int E = 7, R = 2, D = 6, B = 3, K = 2;
	static const struct {
		const char *id;
		int norm;
		float margin;
	} cases[] = {
		{ "embed-recipe-1.1", 1, 5 },
		{ "embed-recipe-1.2", 1, 0.5f }, /* some pairs inactive */
		{ "embed-recipe-1.3", 2, 1 },
	};
	const struct triple pos[] = { { 0, 1, 0 }, { 2, 1, 1 }, { 3, 3, 0 } };
	const int32_t neg[] = { 4, 5, 6, 0, 1, 2 };
	const uint8_t head[] = { 0, 1, 1, 0, 0, 1 };
	const struct transe_batch batch = { B, K, pos, neg, head };
	for (size_t c = 0; c < ARRAY_SIZE(cases); c++) {
		struct transe_params p;
		transe_params_default(&p);
		p.dim = D;
		p.norm = cases[c].norm;
		p.margin = cases[c].margin;
		p.seed = 5 + c;
		struct transe m, m1;
		transe_init(&m, E, R, &p);
		transe_init(&m1, E, R, &p);
		p.lr = 1;
		transe_openke_step(&m1, &p, &batch);
		p.lr = 0;
		double worst = 0, gmax = 0;
		const float eps = 1e-3f;
		for (int tab = 0; tab < 2; tab++)
			for (int i = 0; i < (tab ? R : E); i++)
				for (int j = 0; j < D; j++) {
					float *x = (tab ? m.rel : m.ent) + (size_t)i * m.stride + j;
					float x0 = *x, x1 = (tab ? m1.rel : m1.ent)[(size_t)i * m.stride + j];
					*x = x0 + eps;
					double lp = transe_openke_step(&m, &p, &batch);
					*x = x0 - eps;
					double lm = transe_openke_step(&m, &p, &batch);
					*x = x0;
					double numeric = (lp - lm) / (2 * (double)eps), analytic = x0 - x1;
					worst = fmax(worst, fabs(numeric - analytic));
					gmax = fmax(gmax, fabs(analytic));
				}
		if (getenv("TEST_VERBOSE"))
			fprintf(stderr, "%s: max |gradient - central difference| %.3g (max |gradient| %.3g)\n",
				cases[c].id, worst, gmax);
		CHECK_NEAR(cases[c].id, worst, 0, 2e-3 * fmax(gmax, 1e-3));
		CHECK(test_id("%s.moves", cases[c].id), gmax > 1e-3);
		transe_release(&m);
		transe_release(&m1);
	}

	/* it learns the hubs, and ends with unit rows */
	struct kg kg;
	hubs(&kg, 200);
	struct lp_filter f;
	lp_filter_build(&f, &kg);
	struct transe_params p;
	transe_params_default(&p);
	p.dim = 32;
	p.neg = 8;
	p.nbatches = 10;
	p.epochs = 100;
	p.threads = 2;
	struct transe a;
	transe_init(&a, kg.n_ent, kg.n_rel, &p);
	CHECK_INT("embed-recipe-2.1", transe_train(&a, &p, kg.split[KG_TRAIN], kg.n[KG_TRAIN], NULL, NULL), 0);
	struct lp_result r1;
	lp_evaluate(&a, p.norm, 0, kg.split[KG_TEST], kg.n[KG_TEST], &f, 2, &r1);
	if (getenv("TEST_VERBOSE"))
		fprintf(stderr, "hubs, openke recipe: filtered MRR %.3f, Hits@10 %.3f\n",
			r1.filtered[LP_BOTH].mrr, r1.filtered[LP_BOTH].hits10);
	CHECK("embed-recipe-2.2", r1.filtered[LP_BOTH].hits10 > 0.9);
	double worst = 0;
	for (int i = 0; i < a.n_ent + a.n_rel; i++) {
		const float *x = i < a.n_ent ? a.ent + (size_t)i * a.stride
					     : a.rel + (size_t)(i - a.n_ent) * a.stride;
		double ss = 0;
		for (int j = 0; j < a.stride; j++)
			ss += (double)x[j] * x[j];
		worst = fmax(worst, fabs(ss - 1));
	}
	CHECK_NEAR("embed-recipe-2.3", worst, 0, 1e-5);
	transe_release(&a);

	/* frozen rows never change; the others do */
	p.epochs = 2;
	check_frozen("embed-recipe-3", &p, &kg);

	/* divergence is caught */
	transe_params_default(&p);
	p.dim = 8;
	p.lr = 3e38f;
	p.epochs = 5;
	transe_init(&a, kg.n_ent, kg.n_rel, &p);
	last_error_reset();
	CHECK_INT("embed-recipe-4.1", transe_train(&a, &p, kg.split[KG_TRAIN], kg.n[KG_TRAIN], NULL, NULL), -1);
	CHECK_ERR("embed-recipe-4.2", "training diverged at epoch");
	transe_release(&a);

	/* the fast recipe's settings are refused, at any value but their default */
	static const struct {
		const char *id;
		int what;
		const char *want;
	} refused[] = {
		{ "embed-recipe-5.1", 0, "--optimizer adagrad (optimizer = adagrad in [embed]) goes with the fast recipe" },
		{ "embed-recipe-5.2", 1, "--loss sans (loss = sans" },
		{ "embed-recipe-5.3", 2, "--reciprocal (reciprocal = yes" },
		{ "embed-recipe-5.4", 3, "--entity-norm none (entity_norm = none" },
		{ "embed-recipe-5.5", 4, "--batch 1 (batch = 1" },
		{ "embed-recipe-5.6", 5, "--adv-temp 2 (adv_temp = 2" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(refused); i++) {
		transe_params_default(&p);
		int w = refused[i].what;
		p.optimizer = w == 0 ? TRANSE_ADAGRAD : p.optimizer;
		p.loss = w == 1 ? TRANSE_SANS : p.loss;
		p.reciprocal = w == 2;
		p.entity_norm = w == 3 ? TRANSE_NORM_NONE : p.entity_norm;
		p.batch = w == 4 ? 1 : p.batch;
		p.adv_temp = w == 5 ? 2 : p.adv_temp;
		last_error_reset();
		CHECK_INT(test_id("%s.rc", refused[i].id), transe_params_check(&p), -1);
		CHECK_ERR(refused[i].id, refused[i].want);
		p.recipe = TRANSE_FAST;
		CHECK_INT(test_id("%s.fast", refused[i].id), transe_params_check(&p), 0);
	}
	lp_filter_release(&f);
	kg_release(&kg);
}

/* ------------------------------------------------------------ evaluation */

/* Brute force, in double: the rank of the truth among all entities, ties
 * counted half, filtered against every triple of kg. */
static void brute(const struct transe *m, const struct kg *kg, const struct triple *x, int side,
		  double *raw, double *filt)
{
	const int S = m->stride, D = m->dim;
	double q[64];
	for (int j = 0; j < D; j++)
		q[j] = side == LP_TAIL ? (double)m->ent[x->h * S + j] + m->rel[x->r * S + j]
				       : (double)m->ent[x->t * S + j] - m->rel[x->r * S + j];
	int truth = side == LP_TAIL ? x->t : x->h;
	double dt = 0;
	for (int j = 0; j < D; j++)
		dt += fabs(q[j] - m->ent[truth * S + j]);
	double less = 0, eq = 0, fless = 0, feq = 0;
	for (int e = 0; e < m->n_ent; e++) {
		if (e == truth)
			continue;
		double d = 0;
		for (int j = 0; j < D; j++)
			d += fabs(q[j] - m->ent[e * S + j]);
		int known = 0;
		for (int s = 0; s < KG_N_SPLITS; s++)
			for (size_t i = 0; i < kg->n[s]; i++) {
				const struct triple *y = &kg->split[s][i];
				known |= y->r == x->r && (side == LP_TAIL ? y->h == x->h && y->t == e
									  : y->t == x->t && y->h == e);
			}
		less += d < dt;
		eq += d == dt;
		if (!known) {
			fless += d < dt;
			feq += d == dt;
		}
	}
	*raw = 1 + less + eq / 2;
	*filt = 1 + fless + feq / 2;
}

static void test_eval(void)
{
	struct kg kg;
	hubs(&kg, 60);
	/* extra known triples so that the filter has work to do */
	kg.split[KG_VALID] = xmalloc(61 * sizeof(struct triple));
	for (int i = 0; i < 60; i++)
		kg.split[KG_VALID][kg.n[KG_VALID]++] = (struct triple){ i, (i + 5) % 60, 0 };
	kg.split[KG_VALID][kg.n[KG_VALID]++] = (struct triple){ 21, 20, 0 };
	struct transe_params p;
	transe_params_default(&p);
	p.dim = 12;
	p.epochs = 5;
	p.threads = 1;
	struct transe m;
	transe_init(&m, kg.n_ent, kg.n_rel, &p);
	transe_train(&m, &p, kg.split[KG_TRAIN], kg.n[KG_TRAIN], NULL, NULL);
	struct lp_filter f;
	lp_filter_build(&f, &kg);
	struct lp_result r;
	lp_evaluate(&m, 1, 0, kg.split[KG_TEST], kg.n[KG_TEST], &f, 2, &r);
	struct lp_metrics raw = { 0 }, filt = { 0 };
	for (size_t i = 0; i < kg.n[KG_TEST]; i++)
		for (int side = 0; side < 2; side++) {
			double a, b;
			brute(&m, &kg, &kg.split[KG_TEST][i], side, &a, &b);
			raw.mr += a, raw.mrr += 1 / a, raw.hits10 += a <= 10, raw.hits1 += a <= 1;
			filt.mr += b, filt.mrr += 1 / b, filt.hits10 += b <= 10, filt.hits3 += b <= 3;
		}
	double n = 2.0 * kg.n[KG_TEST];
	CHECK_INT("embed-eval-1.1", r.filtered[LP_BOTH].n, (long long)n);
	if (getenv("TEST_VERBOSE"))
		fprintf(stderr, "eval: raw MR %.4f brute %.4f, filtered MR %.4f brute %.4f\n",
			r.raw[LP_BOTH].mr, raw.mr / n, r.filtered[LP_BOTH].mr, filt.mr / n);
	CHECK_NEAR("embed-eval-1.2", r.raw[LP_BOTH].mr, raw.mr / n, 1e-9);
	CHECK_NEAR("embed-eval-1.3", r.raw[LP_BOTH].mrr, raw.mrr / n, 1e-9);
	CHECK_NEAR("embed-eval-1.4", r.raw[LP_BOTH].hits10, raw.hits10 / n, 1e-9);
	CHECK_NEAR("embed-eval-1.5", r.raw[LP_BOTH].hits1, raw.hits1 / n, 1e-9);
	CHECK_NEAR("embed-eval-1.6", r.filtered[LP_BOTH].mr, filt.mr / n, 1e-9);
	CHECK_NEAR("embed-eval-1.7", r.filtered[LP_BOTH].mrr, filt.mrr / n, 1e-9);
	CHECK_NEAR("embed-eval-1.8", r.filtered[LP_BOTH].hits3, filt.hits3 / n, 1e-9);
	CHECK("embed-eval-1.9", r.filtered[LP_BOTH].mr < r.raw[LP_BOTH].mr);
	/* the thread count changes nothing */
	struct lp_result r1;
	lp_evaluate(&m, 1, 0, kg.split[KG_TEST], kg.n[KG_TEST], &f, 1, &r1);
	CHECK_NEAR("embed-eval-1.10", r1.filtered[LP_BOTH].mrr, r.filtered[LP_BOTH].mrr, 0);
	CHECK_NEAR("embed-eval-1.10.tail", r1.raw[LP_TAIL].mr, r.raw[LP_TAIL].mr, 0);
	/* all alike: every rank is the middle one */
	memset(m.ent, 0, (size_t)m.n_ent * m.stride * sizeof(float));
	memset(m.rel, 0, (size_t)m.n_rel * m.stride * sizeof(float));
	lp_evaluate(&m, 1, 0, kg.split[KG_TEST], kg.n[KG_TEST], NULL, 2, &r);
	CHECK_NEAR("embed-eval-2.1", r.raw[LP_BOTH].mr, 1 + 59 / 2.0, 1e-9);
	CHECK_NEAR("embed-eval-2.2", r.raw[LP_BOTH].hits10, 0, 0);
	lp_filter_release(&f);
	transe_release(&m);
	kg_release(&kg);
}

/* The real benchmarks read cleanly with the published sizes. */
static void test_benchmarks(void)
{
	const char *data = shared_data("embed");
	if (!data)
		return;
	static const struct {
		const char *id, *dir;
		int ent, rel;
		size_t train, valid, test;
	} b[] = {
		{ "embed-bench-1.1", "kg/FB15K237", 14541, 237, 272115, 17535, 20466 },
		{ "embed-bench-1.2", "kg/WN18RR", 40943, 11, 86835, 3034, 3134 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(b); i++) {
		char dir[1024];
		snprintf(dir, sizeof dir, "%s/%s", data, b[i].dir);
		struct kg kg;
		int rc = openke_read(&kg, dir);
		CHECK_INT(test_id("%s.rc", b[i].id), rc, 0);
		if (rc)
			continue;
		CHECK_INT(test_id("%s.entities", b[i].id), kg.n_ent, b[i].ent);
		CHECK_INT(test_id("%s.relations", b[i].id), kg.n_rel, b[i].rel);
		CHECK_INT(test_id("%s.train", b[i].id), kg.n[KG_TRAIN], b[i].train);
		CHECK_INT(test_id("%s.valid", b[i].id), kg.n[KG_VALID], b[i].valid);
		CHECK_INT(b[i].id, kg.n[KG_TEST], b[i].test);
		kg_release(&kg);
	}
}

void test_embed(void)
{
	test_openke();
	test_npy();
	test_step();
	train_and_rank();
	test_corrupt();
	test_openke_recipe();
	test_eval();
	test_benchmarks();
}
