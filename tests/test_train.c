/* train: entity selection and numbering, splits, masking plans, hard
 * negatives (the pure parts of the export). */
#include "testhelp.h"
#include "tests.h"
#include "../common/buf.h"
#include "../common/util.h"
#include "../train/negatives.h"
#include "../train/plans.h"
#include "../train/select.h"
#include "../train/split.h"

#include <math.h>
#include <stdlib.h>

/* ------------------------------------------------------------ selection */

/* A case in words: concepts "CUI:mentions", triples "HEAD rel TAIL", the
 * previous export's entity CUIs in id order, and the expected entity2id
 * CUIs in id order, or NULL when the error want_err is expected. */
struct select_case {
	const char *id;
	const char *concepts;
	const char *triples;
	int64_t min_count;
	const char *prev;
	const char *want_ents;
	const char *want_rels;
	int want_edges;
	int want_retained;
	const char *want_err;
};

static const struct select_case select_cases[] = {
	/* A-B, A-C, C-A (r1) and B-C (r2): A and C occur 3 times (tie: CUI
	 * order), B twice; D is mentioned 19 times, so A-D goes; E has no
	 * triple among kept concepts */
	{ "train-select-1.1", "C1:30 C2:25 C3:20 C4:19 C5:50",
	  "C1 r1 C2,C1 r1 C3,C3 r1 C1,C2 r2 C3,C1 r2 C4,C5 r1 C4", 20, "", "C1 C3 C2", "r1 r2", 4,
	  0, NULL },
	/* a lower threshold brings D in: A 4, C 3, B 2, D 1 */
	{ "train-select-1.2", "C1:30 C2:25 C3:20 C4:19 C5:50",
	  "C1 r1 C2,C1 r1 C3,C3 r1 C1,C2 r2 C3,C1 r2 C4,C5 r1 C4", 19, "", "C1 C3 C2 C4 C5",
	  "r1 r2", 6, 0, NULL },
	/* ties everywhere: CUI order decides, whatever the store ids */
	{ "train-select-1.3", "C9:5 C7:5 C8:5", "C9 b C7,C8 a C9,C7 c C8", 1, "", "C7 C8 C9", "a b c", 3,
	  0, NULL },
	/* a self triple counts twice for its concept */
	{ "train-select-1.4", "C2:5 C1:5 C3:5", "C3 r C3,C1 r C2", 1, "", "C3 C1 C2", "r", 2, 0, NULL },
	/* update: the previous ids stay, new entities follow by frequency */
	{ "train-select-2.1", "C1:30 C2:25 C3:20 C4:19 C5:50",
	  "C1 r1 C2,C1 r1 C3,C3 r1 C1,C2 r2 C3,C1 r2 C4,C5 r1 C4", 20, "C2 C3", "C2 C3 C1",
	  "r1 r2", 4, 0, NULL },
	/* update: a previous entity below the threshold is retained, and its
	 * triples with kept concepts with it (C5 comes in through C4) */
	{ "train-select-2.2", "C1:30 C2:25 C3:20 C4:19 C5:50",
	  "C1 r1 C2,C1 r1 C3,C3 r1 C1,C2 r2 C3,C1 r2 C4,C5 r1 C4", 20, "C4 C1", "C4 C1 C3 C2 C5",
	  "r1 r2", 6, 1, NULL },
	/* errors */
	{ "train-select-3.1", "C1:3 C2:3", "C1 r C2", 20, "", NULL, NULL, 0, 0,
	  "no concept is mentioned 20 or more times" },
	{ "train-select-3.2", "C1:30 C2:30 C3:1", "C1 r C3", 20, "", NULL, NULL, 0, 0,
	  "no triple joins two of the 2 concepts mentioned 20 or more times" },
	{ "train-select-3.3", "C1:30 C2:30", "C1 r C2", 20, "C6", NULL, NULL, 0, 0,
	  "entity 0 of the previous export is no longer in the store" },
};

struct select_fixture {
	struct sel_concept c[16];
	size_t n_c;
	struct sel_triple t[16];
	size_t n_t;
	struct sel_relation r[16];
	char rel_names[16][8];
	size_t n_r;
	int64_t prev[16];
	size_t n_prev;
	char cuis[16][8];
};

/* store ids: concept "Cn" gets id 100 - n, so id order is not CUI order */
static int64_t fixture_concept(struct select_fixture *f, const char *cui)
{
	for (size_t i = 0; i < f->n_c; i++)
		if (!strcmp(f->c[i].cui, cui))
			return f->c[i].id;
	return -1;
}

static int64_t fixture_relation(struct select_fixture *f, const char *name)
{
	for (size_t i = 0; i < f->n_r; i++)
		if (!strcmp(f->r[i].name, name))
			return f->r[i].id;
	snprintf(f->rel_names[f->n_r], 8, "%s", name);
	f->r[f->n_r] = (struct sel_relation){ (int64_t)(50 - f->n_r), f->rel_names[f->n_r] };
	return f->r[f->n_r++].id;
}

static void fixture_build(struct select_fixture *f, const struct select_case *c)
{
	memset(f, 0, sizeof(*f));
	char buf[256];
	snprintf(buf, sizeof buf, "%s", c->concepts);
	for (char *tok = strtok(buf, " "); tok; tok = strtok(NULL, " ")) {
		char *colon = strchr(tok, ':');
		*colon = '\0';
		snprintf(f->cuis[f->n_c], 8, "%s", tok);
		f->c[f->n_c] = (struct sel_concept){ 100 - atoi(tok + 1), f->cuis[f->n_c],
						     atoll(colon + 1) };
		f->n_c++;
	}
	snprintf(buf, sizeof buf, "%s", c->triples);
	char *save = NULL;
	for (char *tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		char h[8], r[8], t[8];
		sscanf(tok, "%7s %7s %7s", h, r, t);
		f->t[f->n_t++] = (struct sel_triple){ fixture_concept(f, h), fixture_relation(f, r),
						      fixture_concept(f, t) };
	}
	snprintf(buf, sizeof buf, "%s", c->prev);
	for (char *tok = strtok(buf, " "); tok; tok = strtok(NULL, " "))
		f->prev[f->n_prev++] = fixture_concept(f, tok);
}

static void test_select(void)
{
	for (size_t k = 0; k < ARRAY_SIZE(select_cases); k++) {
		const struct select_case *c = &select_cases[k];
		struct select_fixture f;
		fixture_build(&f, c);
		struct selection sel;
		last_error_reset();
		struct select_rule rule = { c->min_count, 0, NULL, 0 };
		int rc = select_entities(f.c, f.n_c, f.t, f.n_t, f.r, f.n_r, &rule, f.prev,
					 f.n_prev, NULL, 0, &sel);
		if (!c->want_ents) {
			CHECK_INT(test_id("%s.rc", c->id), rc, -1);
			CHECK_ERR(c->id, c->want_err);
			continue;
		}
		CHECK_INT(test_id("%s.rc", c->id), rc, 0);
		if (rc < 0)
			continue;
		struct buf got = BUF_INIT;
		for (size_t i = 0; i < sel.n_ent; i++)
			for (size_t j = 0; j < f.n_c; j++)
				if (f.c[j].id == sel.ent[i])
					buf_addf(&got, "%s%s", i ? " " : "", f.c[j].cui);
		CHECK_STR(c->id, buf_str(&got), c->want_ents);
		buf_reset(&got);
		for (size_t i = 0; i < sel.n_rel; i++)
			for (size_t j = 0; j < f.n_r; j++)
				if (f.r[j].id == sel.rel[i])
					buf_addf(&got, "%s%s", i ? " " : "", f.r[j].name);
		CHECK_STR(test_id("%s.rels", c->id), buf_str(&got), c->want_rels);
		buf_release(&got);
		CHECK_INT(test_id("%s.edges", c->id), sel.n_edges, c->want_edges);
		CHECK_INT(test_id("%s.retained", c->id), sel.n_retained, c->want_retained);
		/* edges: sorted, in range, frequencies agree with them */
		int64_t *freq = xcalloc(sel.n_ent, sizeof(int64_t));
		int ok = 1;
		for (size_t i = 0; i < sel.n_edges; i++) {
			const struct triple *e = &sel.edges[i];
			ok &= e->h >= 0 && (size_t)e->h < sel.n_ent && e->t >= 0 &&
			      (size_t)e->t < sel.n_ent && e->r >= 0 && (size_t)e->r < sel.n_rel;
			if (i > 0)
				ok &= sel.edges[i - 1].h < e->h ||
				      (sel.edges[i - 1].h == e->h && sel.edges[i - 1].t <= e->t);
			freq[e->h]++;
			freq[e->t]++;
		}
		for (size_t i = 0; i < sel.n_ent; i++)
			ok &= freq[i] == sel.ent_freq[i];
		/* new entities in non-increasing frequency */
		for (size_t i = f.n_prev + 1; i < sel.n_ent; i++)
			ok &= sel.ent_freq[i - 1] >= sel.ent_freq[i];
		CHECK(test_id("%s.edges-ok", c->id), ok);
		free(freq);
		selection_release(&sel);
	}
}

/* ARL's rule (create_entity_vocab): more than the threshold, ties by
 * descending CUI and relation name, triples in knowledge-base order. */
static const struct select_case arl_cases[] = {
	/* the ties of train-select-1.3, the other way round; the triples as the
	 * knowledge base lists them */
	{ .id = "train-arl-1.1", .concepts = "C9:5 C7:5 C8:5", .triples = "C9 b C7,C8 a C9,C7 c C8",
	  .min_count = 5, .want_ents = "C9 C8 C7", .want_rels = "c b a", .want_edges = 3 },
	/* threshold 20: 20 mentions are not enough (min_count 21), so C3 and
	 * every triple of it go */
	{ .id = "train-arl-1.2", .concepts = "C1:30 C2:25 C3:20 C4:19 C5:50",
	  .triples = "C1 r1 C2,C1 r1 C3,C3 r1 C1,C2 r2 C3,C1 r2 C4,C5 r1 C4", .min_count = 21,
	  .want_ents = "C2 C1", .want_rels = "r1", .want_edges = 1 },
	{ .id = "train-arl-1.3", .concepts = "C1:20 C2:20", .triples = "C1 r C2", .min_count = 21,
	  .want_err = "no concept is mentioned more than 20 times (lower --threshold)" },
};

static void test_select_arl(void)
{
	for (size_t k = 0; k < ARRAY_SIZE(arl_cases); k++) {
		const struct select_case *c = &arl_cases[k];
		struct select_fixture f;
		fixture_build(&f, c);
		struct selection sel;
		struct select_rule rule = { c->min_count, 1, NULL, 0 };
		last_error_reset();
		int rc = select_entities(f.c, f.n_c, f.t, f.n_t, f.r, f.n_r, &rule, NULL, 0, NULL, 0,
					 &sel);
		CHECK_INT(test_id("%s.rc", c->id), rc, c->want_ents ? 0 : -1);
		if (rc < 0) {
			CHECK_ERR(test_id("%s.err", c->id), c->want_err);
			continue;
		}
		struct buf got = BUF_INIT;
		for (size_t i = 0; i < sel.n_ent; i++)
			for (size_t j = 0; j < f.n_c; j++)
				if (f.c[j].id == sel.ent[i])
					buf_addf(&got, "%s%s", i ? " " : "", f.c[j].cui);
		CHECK_STR(c->id, buf_str(&got), c->want_ents);
		buf_reset(&got);
		for (size_t i = 0; i < sel.n_rel; i++)
			for (size_t j = 0; j < f.n_r; j++)
				if (f.r[j].id == sel.rel[i])
					buf_addf(&got, "%s%s", i ? " " : "", f.r[j].name);
		CHECK_STR(test_id("%s.rels", c->id), buf_str(&got), c->want_rels);
		CHECK_INT(test_id("%s.edges", c->id), sel.n_edges, c->want_edges);
		/* in the order of the input's triples: edge i is the i-th kept one */
		buf_reset(&got);
		for (size_t i = 0; i < sel.n_edges; i++)
			buf_addf(&got, "%s%d %d %d", i ? "," : "", sel.edges[i].h, sel.edges[i].t,
				 sel.edges[i].r);
		if (k == 0)
			CHECK_STR(test_id("%s.order", c->id), buf_str(&got), "0 2 1,1 0 2,2 1 0");
		buf_release(&got);
		selection_release(&sel);
	}
}

/* ------------------------------------------------------------ splits */

static void test_split(void)
{
	static const struct {
		const char *id, *s;
		int ok;
		double f0, f2;
	} parse[] = {
		{ "train-split-1.1", "0.9,0.05,0.05", 1, 0.9, 0.05 },
		{ "train-split-1.2", "1,0,0", 1, 1, 0 },
		{ "train-split-1.3", "0.7, 0.2, 0.1", 1, 0.7, 0.1 },
		{ "train-split-1.4", "0.9,0.05", 0, 0, 0 },
		{ "train-split-1.5", "0.9,0.05,0.1", 0, 0, 0 },
		{ "train-split-1.6", "0.9,0.05,0.05,0", 0, 0, 0 },
		{ "train-split-1.7", "-0.1,1,0.1", 0, 0, 0 },
		{ "train-split-1.8", "a,b,c", 0, 0, 0 },
		{ "train-split-1.9", "", 0, 0, 0 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(parse); i++) {
		double f[N_SPLITS] = { 0 };
		struct buf why = BUF_INIT;
		int rc = split_parse(parse[i].s, f, &why);
		CHECK_INT(test_id("%s.why", parse[i].id), why.len > 0, !parse[i].ok);
		buf_release(&why);
		CHECK_INT(parse[i].id, rc, parse[i].ok ? 0 : -1);
		if (parse[i].ok) {
			CHECK_NEAR(test_id("%s.train", parse[i].id), f[0], parse[i].f0, 1e-12);
			CHECK_NEAR(test_id("%s.test", parse[i].id), f[2], parse[i].f2, 1e-12);
		}
	}
	static const struct {
		const char *id, *name;
		int want;
	} names[] = {
		{ "train-split-2.1", "train", SPLIT_TRAIN }, { "train-split-2.2", "VAL", SPLIT_VAL },
		{ "train-split-2.3", "valid", SPLIT_VAL },   { "train-split-2.4", "validation", SPLIT_VAL },
		{ "train-split-2.5", "test", SPLIT_TEST },   { "train-split-2.6", "trains", -1 },
		{ "train-split-2.7", "", -1 },               { "train-split-2.8", NULL, -1 },
		{ "train-split-2.9", "validate", SPLIT_VAL },
	};
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		CHECK_INT(names[i].id, split_from_name(names[i].name), names[i].want);

	/* draws: proportions near the fractions, stable per key, seed-dependent */
	double f[N_SPLITS] = { 0.8, 0.15, 0.05 };
	int count[N_SPLITS] = { 0 }, moved = 0, stable = 1;
	const int n = 40000;
	for (int i = 0; i < n; i++) {
		char key[32];
		int len = snprintf(key, sizeof key, "openi\x1f" "CXR%d", i);
		int s = split_draw(f, 42, key, (size_t)len);
		count[s]++;
		stable &= split_draw(f, 42, key, (size_t)len) == s;
		moved += split_draw(f, 43, key, (size_t)len) != s;
	}
	for (int s = 0; s < N_SPLITS; s++) {
		/* four standard deviations of a binomial count */
		double sd = sqrt(n * f[s] * (1 - f[s]));
		CHECK_NEAR("train-split-3.1", count[s], n * f[s], 4 * sd);
	}
	CHECK("train-split-3.2", stable);
	CHECK("train-split-3.3", moved > n / 10);
	double g[N_SPLITS] = { 1, 0, 0 };
	int only_train = 1;
	for (int i = 0; i < 1000; i++) {
		char key[16];
		int len = snprintf(key, sizeof key, "r%d", i);
		only_train &= split_draw(g, 7, key, (size_t)len) == SPLIT_TRAIN;
	}
	CHECK("train-split-3.4", only_train);
}

/* ------------------------------------------------------------ MLM plan */

/* Entity spans of a case: each listed substring, found in order in text. */
static size_t find_spans(const char *text, const char *list, struct span *out)
{
	size_t n = 0;
	char buf[256];
	snprintf(buf, sizeof buf, "%s", list);
	int32_t *map = char_offsets(text, strlen(text));
	for (char *tok = strtok(buf, "|"); tok; tok = strtok(NULL, "|")) {
		const char *p = strstr(text, tok);
		if (!p)
			continue;
		size_t b = (size_t)(p - text);
		out[n++] = (struct span){ map[b], map[b + strlen(tok)] };
	}
	free(map);
	return n;
}

/* Spans as "start-end start-end ...". Caller frees. */
static char *spans_text(const struct span *s, size_t n)
{
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < n; i++)
		buf_addf(&b, "%s%d-%d", i ? " " : "", s[i].start, s[i].end);
	return buf_detach(&b);
}

static void test_words(void)
{
	struct span *w = NULL;
	size_t n = text_words("No pleural effusion; heart size is normal.", 42, &w);
	CHECK_INT("train-words-1.1", n, 7);
	char *got = spans_text(w, n);
	CHECK_STR("train-words-1.2", got, "0-2 3-10 11-19 21-26 27-31 32-34 35-41");
	free(got);
	free(w);
	/* character offsets after a two-byte character */
	const char *t = "\xc3\x89panchement pleural";
	n = text_words(t, strlen(t), &w);
	CHECK_INT("train-words-1.3", n, 2);
	got = spans_text(w, n);
	CHECK_STR("train-words-1.4", got, "0-11 12-19");
	free(got);
	free(w);
	n = text_words("  --  ", 6, &w);
	CHECK_INT("train-words-1.5", n, 0);
	free(w);
}

static void test_mlm(void)
{
	/* ratio 1: every unit masked, so the spans are exactly the units */
	static const struct {
		const char *id, *text, *ents, *want;
	} exact[] = {
		{ "train-mlm-1.1", "left lower lobe opacity", "left lower lobe", "0-15 16-23" },
		{ "train-mlm-1.2", "left lower lobe opacity", "lower lobe|lobe opacity", "0-4 5-23" },
		{ "train-mlm-1.3", "no pleural effusion", "", "0-2 3-10 11-19" },
		{ "train-mlm-1.4", "mild cardiomegaly.", "cardiomegaly", "0-4 5-17" },
		{ "train-mlm-1.5", "", "", "" },
	};
	for (size_t k = 0; k < ARRAY_SIZE(exact); k++) {
		struct span ents[8], *w = NULL, out[32];
		size_t ne = find_spans(exact[k].text, exact[k].ents, ents);
		size_t nw = text_words(exact[k].text, strlen(exact[k].text), &w), nm = 0;
		struct rng r;
		rng_seed(&r, 1, 2);
		size_t n = mlm_plan(w, nw, ents, ne, MLM_ENTITY_FIRST, 1.0, &r, out, &nm);
		char *got = spans_text(out, n);
		CHECK_STR(exact[k].id, got, exact[k].want);
		CHECK_INT(test_id("%s.masked", exact[k].id), nm, nw);
		free(got);
		free(w);
	}

	/* properties over many seeds */
	static const struct {
		const char *id, *text, *ents;
	} cases[] = {
		{ "train-mlm-2.1",
		  "The heart is mildly enlarged. There is a small right pleural effusion with "
		  "adjacent atelectasis. No pneumothorax. Degenerative changes of the thoracic "
		  "spine.",
		  "heart|right pleural effusion|atelectasis|pneumothorax|thoracic spine" },
		{ "train-mlm-2.2",
		  "Lungs are clear without focal consolidation, effusion or pneumothorax. Normal "
		  "heart size and mediastinal contours. Osseous structures are intact.",
		  "Lungs|focal consolidation|effusion|pneumothorax|heart size|mediastinal contours" },
		{ "train-mlm-2.3", "Interval placement of a right internal jugular central venous "
			     "catheter with tip in the mid superior vena cava.",
		  "right internal jugular central venous catheter|superior vena cava" },
	};
	for (size_t k = 0; k < ARRAY_SIZE(cases); k++) {
		struct span ents[16], *w = NULL, out[64], again[64];
		size_t ne = find_spans(cases[k].text, cases[k].ents, ents);
		size_t nw = text_words(cases[k].text, strlen(cases[k].text), &w);
		size_t budget = mlm_budget(nw, 0.15);
		/* which words belong to an entity, and the words of every unit */
		uint8_t in_ent[64] = { 0 };
		size_t ent_words = 0;
		for (size_t i = 0; i < nw; i++)
			for (size_t e = 0; e < ne; e++)
				if (w[i].start < ents[e].end && w[i].end > ents[e].start) {
					in_ent[i] = 1;
					break;
				}
		for (size_t i = 0; i < nw; i++)
			ent_words += in_ent[i];
		int within = 1, whole = 1, ent_first = 1, det = 1, full = 1;
		size_t masked_ent_random = 0, masked_random = 0;
		for (int mode = MLM_ENTITY_FIRST; mode <= MLM_RANDOM; mode++) {
			for (uint64_t seed = 1; seed <= 200; seed++) {
				struct rng r, r2;
				rng_seed(&r, seed, 99);
				rng_seed(&r2, seed, 99);
				size_t nm = 0, nm2 = 0;
				size_t n = mlm_plan(w, nw, ents, ne, mode, 0.15, &r, out, &nm);
				size_t n2 = mlm_plan(w, nw, ents, ne, mode, 0.15, &r2, again, &nm2);
				det &= n == n2 && nm == nm2 && !memcmp(out, again, n * sizeof(*out));
				within &= nm <= budget;
				/* words masked: each entity mention wholly in or out */
				uint8_t m[64] = { 0 };
				size_t count = 0;
				for (size_t s = 0; s < n; s++)
					for (size_t i = 0; i < nw; i++)
						if (w[i].start >= out[s].start && w[i].end <= out[s].end)
							m[i] = 1, count++;
				within &= count == nm;
				for (size_t e = 0; e < ne; e++) {
					int any = 0, all = 1;
					for (size_t i = 0; i < nw; i++)
						if (w[i].start < ents[e].end && w[i].end > ents[e].start)
							any |= m[i], all &= m[i];
					whole &= !any || all;
				}
				size_t me = 0;
				for (size_t i = 0; i < nw; i++)
					me += m[i] && in_ent[i];
				if (mode == MLM_ENTITY_FIRST) {
					/* a masked plain word means no entity unit fitted */
					for (size_t i = 0; i < nw; i++)
						if (m[i] && !in_ent[i] && me < ent_words) {
							size_t left = budget - me;
							for (size_t e = 0; e < ne; e++) {
								size_t sz = 0;
								int done = 0;
								for (size_t q = 0; q < nw; q++)
									if (w[q].start < ents[e].end &&
									    w[q].end > ents[e].start)
										sz++, done |= m[q];
								if (!done && sz <= left)
									ent_first = 0;
							}
							break;
						}
					full &= nm == budget;
				} else {
					masked_ent_random += me;
					masked_random += nm;
				}
			}
		}
		CHECK(test_id("%s.within", cases[k].id), within);
		CHECK(test_id("%s.whole", cases[k].id), whole);
		CHECK(test_id("%s.entities-first", cases[k].id), ent_first);
		CHECK(test_id("%s.deterministic", cases[k].id), det);
		CHECK(test_id("%s.full", cases[k].id), full);
		/* random mode: plain words compete with entities */
		double share = (double)masked_ent_random / (double)masked_random;
		CHECK(cases[k].id, share < 0.9 && share > 0);
		free(w);
	}
}

/* ------------------------------------------------------------ MIM plan */

static void test_mim(void)
{
	static const struct {
		const char *id;
		size_t n_patches;
		size_t n_prio;      /* priority patches 0, 5, 10, ... (mod n_patches) */
		double ratio;
		size_t want, want_prio;
	} cases[] = {
		{ "train-mim-1.1", 324, 50, 0.75, 243, 50 },
		{ "train-mim-1.2", 324, 108, 0.75, 243, 108 },
		{ "train-mim-1.3", 324, 0, 0.75, 243, 0 },
		{ "train-mim-1.4", 324, 300, 0.75, 243, 243 },
		{ "train-mim-1.5", 196, 20, 0.5, 98, 20 },
		{ "train-mim-1.6", 324, 10, 0.0, 0, 0 },
		{ "train-mim-1.7", 16, 16, 1.0, 16, 16 },
	};
	for (size_t k = 0; k < ARRAY_SIZE(cases); k++) {
		int32_t prio[400], out[400], again[400];
		for (size_t i = 0; i < cases[k].n_prio; i++)
			prio[i] = (int32_t)((i * 5) % cases[k].n_patches);
		struct rng r, r2;
		rng_seed(&r, 5, k);
		rng_seed(&r2, 5, k);
		size_t np = 0, np2 = 0;
		size_t n = mim_plan(cases[k].n_patches, prio, cases[k].n_prio, cases[k].ratio, &r, out,
				    &np);
		size_t n2 = mim_plan(cases[k].n_patches, prio, cases[k].n_prio, cases[k].ratio, &r2,
				     again, &np2);
		CHECK_INT(cases[k].id, n, cases[k].want);
		CHECK_INT(test_id("%s.priority", cases[k].id), np, cases[k].want_prio);
		CHECK(test_id("%s.deterministic", cases[k].id),
		      n == n2 && !memcmp(out, again, n * sizeof(int32_t)));
		int sorted = 1;
		for (size_t i = 1; i < n; i++)
			sorted &= out[i - 1] < out[i];
		CHECK(test_id("%s.sorted", cases[k].id), sorted && (n == 0 || (out[0] >= 0 &&
							(size_t)out[n - 1] < cases[k].n_patches)));
		/* the priority patches are in when they fit */
		size_t hit = 0;
		uint8_t isp[400] = { 0 };
		for (size_t i = 0; i < cases[k].n_prio; i++)
			isp[prio[i]] = 1;
		for (size_t i = 0; i < n; i++)
			hit += isp[out[i]];
		CHECK_INT(test_id("%s.hit", cases[k].id), hit, cases[k].want_prio);
	}
}

/* ------------------------------------------------------------ negatives */

/* n samples over n_ent entities: entity e in a sample with probability
 * p0 / (e + 1) (Zipf-like), and entity 0 with probability common when it
 * is set. */
static void make_sets(size_t n, int n_ent, double p0, double common, uint64_t seed, size_t **off,
		      int32_t **ents, uint64_t **keys)
{
	struct rng r;
	rng_seed(&r, seed, 0);
	*off = xmalloc((n + 1) * sizeof(size_t));
	*ents = xmalloc(n * (size_t)n_ent * sizeof(int32_t));
	*keys = xmalloc(n * sizeof(uint64_t));
	size_t k = 0;
	for (size_t i = 0; i < n; i++) {
		(*off)[i] = k;
		(*keys)[i] = rng_mix(i * 7 + 1);
		for (int e = 0; e < n_ent; e++)
			if (common > 0 && e == 0 ? rng_unit(&r) < common : rng_unit(&r) < p0 / (e + 1))
				(*ents)[k++] = e;
	}
	(*off)[n] = k;
}

/* A candidate of the reference ranking. */
struct ref_cand {
	double j;
	uint64_t d;
	int32_t idx;
};

static int cmp_ref_cand(const void *a, const void *b)
{
	const struct ref_cand *x = a, *y = b;
	if (x->j != y->j)
		return x->j < y->j ? -1 : 1;
	if (x->d != y->d)
		return x->d < y->d ? -1 : 1;
	return (x->idx > y->idx) - (x->idx < y->idx);
}

/* Check rows of mined negatives against every pair scored (the reference):
 * row i holds the k samples outside i's group with the lowest (J,
 * distance, index), in that order, padded with -1. @return the largest
 * |J - J_reference| seen, or 9 for a row that is not the reference's. */
static double compare_reference(size_t n, const size_t *off, const int32_t *ents,
				const uint64_t *keys, const uint32_t *group, int k, uint64_t seed,
				const int32_t *out)
{
	struct ref_cand *all = xmalloc(n * sizeof(*all));
	double maxdiff = 0;
	for (size_t i = 0; i < n; i++) {
		size_t m = 0;
		for (size_t j = 0; j < n; j++)
			if (j != i && (!group || group[j] != group[i]))
				all[m++] = (struct ref_cand){
					jaccard(ents + off[i], off[i + 1] - off[i], ents + off[j],
						off[j + 1] - off[j]),
					negatives_distance(seed, keys[i], keys[j]), (int32_t)j };
		qsort(all, m, sizeof(*all), cmp_ref_cand);
		for (int q = 0; q < k; q++) {
			int32_t j = out[i * (size_t)k + q];
			if ((size_t)q >= m) {
				if (j != -1)
					maxdiff = 9;
				continue;
			}
			if (j != all[q].idx)
				maxdiff = 9;
			if (j >= 0 && (size_t)j < n) {
				double d = fabs(jaccard(ents + off[i], off[i + 1] - off[i], ents + off[j],
							off[j + 1] - off[j]) - all[q].j);
				maxdiff = d > maxdiff ? d : maxdiff;
			}
		}
	}
	free(all);
	return maxdiff;
}

/* Mine with the default walk budget (1 and 2 threads: identical) and with
 * a budget of one step (every sample through the index), and compare both
 * with the reference; then extend the rows of the first part of the samples
 * to all of them, which must give the rows of mining all. */
static void check_negatives(const char *id, size_t n, int n_ent, double p0, double common, int k,
			    int expect_dense)
{
	size_t *off;
	int32_t *ents;
	uint64_t *keys;
	make_sets(n, n_ent, p0, common, 11, &off, &ents, &keys);
	/* samples 2k and 2k+1 form a group (two images of one report) */
	uint32_t *group = xmalloc(n * sizeof(uint32_t));
	for (size_t i = 0; i < n; i++)
		group[i] = (uint32_t)(i / 2);
	struct neg_input in = { n, off, ents, n_ent, keys, group };
	const size_t bytes = n * (size_t)k * sizeof(int32_t);
	int32_t *out1 = xmalloc(bytes), *out2 = xmalloc(bytes), *out3 = xmalloc(bytes);
	int32_t *ext = xmalloc(bytes);
	struct neg_stats s1, s2, s3, se;
	CHECK_INT(test_id("%s.rc1", id), negatives_mine(&in, k, 3, 0, 1, out1, &s1, NULL), 0);
	CHECK_INT(test_id("%s.rc2", id), negatives_mine(&in, k, 3, 0, 2, out2, &s2, NULL), 0);
	CHECK_INT(test_id("%s.rc3", id), negatives_mine(&in, k, 3, 1, 2, out3, &s3, NULL), 0);
	CHECK(test_id("%s.threads", id), !memcmp(out1, out2, bytes));
	CHECK(test_id("%s.path", id), expect_dense ? s1.dense > 0 : s1.sampled > 0);
	CHECK(test_id("%s.one-step", id), s3.dense > n / 2);
	CHECK(test_id("%s.one-step-same", id), !memcmp(out1, out3, bytes));
	CHECK_NEAR(id, compare_reference(n, off, ents, keys, group, k, 3, out1), 0, 1e-12);
	/* groups in no order, with ids far apart (any 32-bit values) */
	uint32_t *scattered = xmalloc(n * sizeof(uint32_t));
	for (size_t i = 0; i < n; i++)
		scattered[i] = (uint32_t)((i * 7919) % 13) * 300000007u;
	struct neg_input sin = in;
	sin.group = scattered;
	CHECK_INT(test_id("%s.scattered", id), negatives_mine(&sin, k, 3, 0, 2, out2, &s2, NULL), 0);
	CHECK_NEAR(test_id("%s.scattered-reference", id),
		   compare_reference(n, off, ents, keys, scattered, k, 3, out2), 0, 1e-12);
	free(scattered);
	/* extending: the first samples' rows (mined alone) to all of them, at
	 * several cuts (an odd cut splits a group), with 1 and 2 threads */
	static const double cuts[] = { 0.5, 0.9, 0.99 };
	struct neg_state full = { 0 };
	CHECK_INT(test_id("%s.state", id), negatives_mine(&in, k, 3, 0, 1, ext, &se, &full), 0);
	for (size_t c = 0; c < sizeof cuts / sizeof cuts[0]; c++) {
		struct neg_input part = in;
		part.n = (size_t)((double)n * cuts[c]) | (c == 1);
		int32_t *old = xmalloc(part.n * (size_t)k * sizeof(int32_t));
		struct neg_state was = { 0 }, now = { 0 };
		CHECK_INT(test_id("%s.extend-%zu.mine", id, c),
			  negatives_mine(&part, k, 3, 0, 1, old, &se, &was), 0);
		/* without the old state, with it (ring and deep rows), and with a
		 * ring out of order (not taken: sorted again) */
		for (int with = 0; with < 3; with++) {
			memset(ext, 0x55, bytes);
			if (with == 2 && was.n_ring > 1) {
				int32_t t = was.ring[0];
				was.ring[0] = was.ring[1];
				was.ring[1] = t;
			}
			CHECK_INT(test_id("%s.extend-%zu.%d.rc", id, c, with),
				  negatives_extend(&in, part.n, old, with ? &was : NULL, k, 3, 0,
						   (int)c % 2 + 1, ext, &se, &now),
				  0);
			CHECK(test_id("%s.extend-%zu.%d.same", id, c, with), !memcmp(out1, ext, bytes));
			CHECK_INT(test_id("%s.extend-%zu.%d.old", id, c, with), (int64_t)se.old_rows,
				  (int64_t)part.n);
			/* half the samples new: many old rows take one of them */
			CHECK(test_id("%s.extend-%zu.%d.updated", id, c, with),
			      se.updated <= part.n && (c > 0 || se.updated > 0));
			/* the state extended is the one mining all gives */
			CHECK(test_id("%s.extend-%zu.%d.state", id, c, with),
			      now.n_ring == n && now.n_deep == full.n_deep &&
				      !memcmp(now.ring, full.ring, n * sizeof(int32_t)) &&
				      (!now.n_deep ||
				       !memcmp(now.deep, full.deep, now.n_deep * sizeof(int32_t))));
			neg_state_release(&now);
		}
		neg_state_release(&was);
		free(old);
	}
	neg_state_release(&full);
	free(out1);
	free(out2);
	free(out3);
	free(ext);
	free(off);
	free(ents);
	free(keys);
	free(group);
}

/* The n values as "a b c ...". Caller frees. */
static char *ints_text(const int32_t *v, size_t n)
{
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < n; i++)
		buf_addf(&b, "%s%d", i ? " " : "", v[i]);
	return buf_detach(&b);
}

static void test_negatives(void)
{
	static const int32_t a[] = { 1, 2, 3 }, b[] = { 2, 3, 4, 5 };
	CHECK_NEAR("train-neg-1.1", jaccard(a, 3, b, 4), 2.0 / 5.0, 1e-15);
	CHECK_NEAR("train-neg-1.2", jaccard(a, 0, b, 0), 1.0, 0);
	CHECK_NEAR("train-neg-1.3", jaccard(a, 3, b, 0), 0.0, 0);
	/* sparse sets: almost every sample answered by draws */
	check_negatives("train-neg-2.1", 400, 40, 0.3, 0, 5, 0);
	/* an entity in every sample: no disjoint pair, every sample is dense */
	check_negatives("train-neg-2.2", 300, 12, 0.5, 1, 4, 1);
	/* dense sets without a universal entity: a mix of both paths */
	check_negatives("train-neg-2.3", 300, 6, 1.5, 0, 8, 1);
	/* entities in more than half of the samples (lists of the samples
	 * without them), but not in all: draws among the samples without the
	 * most frequent one find the disjoint ones */
	check_negatives("train-neg-2.4", 400, 10, 1.2, 0.7, 6, 0);
	check_negatives("train-neg-2.5", 301, 3, 0.9, 0.95, 3, 1);
	/* fewer samples than k: short rows padded with -1 */
	size_t off[] = { 0, 1, 2 };
	int32_t ents[] = { 0, 1 };
	uint64_t keys[] = { 1, 2 };
	struct neg_input in = { 2, off, ents, 2, keys, NULL };
	int32_t out[6];
	struct neg_stats s;
	CHECK_INT("train-neg-3.1", negatives_mine(&in, 3, 1, 0, 1, out, &s, NULL), 0);
	char *row = ints_text(out, 6);
	CHECK_STR("train-neg-3.2", row, "1 -1 -1 0 -1 -1");
	free(row);
	CHECK_INT("train-neg-3.3", s.short_rows, 2);
	CHECK_INT("train-neg-3.4", negatives_mine(&in, 0, 1, 0, 1, out, &s, NULL), -1);
	/* extending one old sample's row (empty: it had no other) to two */
	int32_t old[3] = { -1, -1, -1 };
	CHECK_INT("train-neg-3.7", negatives_extend(&in, 1, old, NULL, 3, 1, 0, 1, out, &s, NULL), 0);
	row = ints_text(out, 6);
	CHECK_STR("train-neg-3.8", row, "1 -1 -1 0 -1 -1");
	free(row);
	CHECK_INT("train-neg-3.9", s.updated, 1);
	/* old rows that cannot be the miner's: -1 before an index, an index
	 * outside the old samples */
	int32_t gap[3] = { -1, 0, -1 }, outside[3] = { 1, -1, -1 };
	int level = log_level;
	log_level = -1;
	CHECK_INT("train-neg-3.10", negatives_extend(&in, 1, gap, NULL, 3, 1, 0, 1, out, &s, NULL), -1);
	CHECK_INT("train-neg-3.11", negatives_extend(&in, 1, outside, NULL, 3, 1, 0, 1, out, &s, NULL), -1);
	log_level = level;
	/* one group: nobody is anybody's negative */
	uint32_t one[] = { 7, 7 };
	in.group = one;
	CHECK_INT("train-neg-3.5", negatives_mine(&in, 2, 1, 0, 1, out, &s, NULL), 0);
	row = ints_text(out, 4);
	CHECK_STR("train-neg-3.6", row, "-1 -1 -1 -1");
	free(row);
}

void test_train(void)
{
	test_select();
	test_select_arl();
	test_split();
	test_words();
	test_mlm();
	test_mim();
	test_negatives();
}
