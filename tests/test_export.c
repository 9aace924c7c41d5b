/* train export: a store built with plain SQL (tests/fixtures/train_store.sql)
 * exported and checked by a validator, the numbering and content checked
 * against the store, updates, and every kind of bad input. */
#define _XOPEN_SOURCE 700
#include "testhelp.h"
#include "../store/mentions.h"
#include "tests.h"
#include "../common/buf.h"
#include "../common/util.h"
#include "../store/store.h"
#include "../train/export.h"
#include "../train/launch.h"
#include "../train/manifest.h"
#include "../train/publish.h"
#include "../common/strlist.h"
#include "../embed/embed_store.h"
#include "../embed/transe.h"
#include "../extract/extract.h"
#include "../link/link.h"
#include "../store/umls.h"

#include <dirent.h>
#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

/* ------------------------------------------------------------ validator */

/* Lines of an OpenKE-style file with a count header: the count, or -1 when
 * the header disagrees with the lines or a line has not 'cols' fields with
 * integer fields in range. */
static long check_table(const char *path, int cols, const int *int_cols, const long *limits)
{
	size_t len;
	char *text = test_read(path, &len);
	if (!text)
		return -1;
	long count = -1, lines = 0, ok = 1;
	char *save = NULL;
	for (char *line = strtok_r(text, "\n", &save); line; line = strtok_r(NULL, "\n", &save)) {
		if (count < 0) {
			count = strtol(line, NULL, 10);
			continue;
		}
		char *f[8];
		int n = 0;
		for (char *p = line; n < 8;) {
			f[n++] = p;
			char *t = strchr(p, '\t');
			if (!t)
				break;
			*t = '\0';
			p = t + 1;
		}
		ok &= n == cols;
		for (int c = 0; c < cols && c < n; c++) {
			if (!int_cols[c])
				continue;
			char *end;
			long v = strtol(f[c], &end, 10);
			ok &= *end == '\0' && v >= 0 && v < limits[c];
			if (int_cols[c] == 2)
				ok &= v == lines; /* an id column: ids in order */
		}
		lines++;
	}
	free(text);
	return ok && count == lines ? count : -1;
}

/* The shape of a 2-D .npy, with its descr. @return 0 or -1. */
static int npy_shape(const char *path, const char *descr, long *rows, long *cols)
{
	size_t len;
	char *d = test_read(path, &len);
	if (!d || len < 10 || memcmp(d, "\x93NUMPY\x01\x00", 8)) {
		free(d);
		return -1;
	}
	size_t hlen = (unsigned char)d[8] | (size_t)(unsigned char)d[9] << 8;
	int rc = -1;
	char want[32];
	snprintf(want, sizeof want, "'descr': '%s'", descr);
	const char *sh = strstr(d + 10, "'shape': (");
	if ((10 + hlen) % 64 == 0 && strstr(d + 10, want) && sh &&
	    sscanf(sh, "'shape': (%ld, %ld)", rows, cols) == 2 &&
	    len == 10 + hlen + (size_t)(*rows * *cols * 4))
		rc = 0;
	free(d);
	return rc;
}

static size_t utf8_chars(const char *s)
{
	size_t n = 0;
	for (; *s; s++)
		n += ((unsigned char)*s & 0xc0) != 0x80;
	return n;
}

/* Check one annotation (and its plan) line. */
static int check_sample(json_t *a, json_t *p, long n_ent, long grid, double mim_ratio)
{
	int ok = 1;
	json_t *caps = json_object_get(a, "captions");
	json_t *txt = json_object_get(a, "txt_ents");
	json_t *pol = json_object_get(a, "txt_ents_polarity");
	json_t *img = json_object_get(a, "img_ents");
	json_t *reg = json_object_get(a, "regions");
	json_t *pm = json_object_get(a, "patch_masks");
	ok &= json_is_string(json_object_get(a, "image_id"));
	ok &= json_is_array(caps) && json_is_array(txt) && json_is_array(pol) &&
	      json_array_size(caps) == json_array_size(txt) &&
	      json_array_size(caps) == json_array_size(pol);
	if (!ok)
		return 0;
	/* every span inside its caption, every id in entity2id */
	for (size_t c = 0; c < json_array_size(caps); c++) {
		const char *cap = json_string_value(json_array_get(caps, c));
		long chars = cap ? (long)utf8_chars(cap) : -1;
		json_t *ents = json_array_get(txt, c), *pols = json_array_get(pol, c);
		ok &= json_array_size(ents) == json_array_size(pols);
		for (size_t i = 0; i < json_array_size(ents); i++) {
			json_t *e = json_array_get(ents, i);
			long s = (long)json_integer_value(json_array_get(e, 0));
			long t = (long)json_integer_value(json_array_get(e, 1));
			long id = (long)json_integer_value(json_array_get(e, 2));
			ok &= json_array_size(e) == 3 && s >= 0 && s < t && t <= chars && id >= 0 &&
			      id < n_ent;
			const char *pv = json_string_value(json_array_get(pols, i));
			ok &= pv && (!strcmp(pv, "affirmed") || !strcmp(pv, "negated") ||
				     !strcmp(pv, "uncertain"));
		}
		if (p) {
			json_t *mlm = json_array_get(json_object_get(p, "mlm"), c);
			long last = -1;
			for (size_t i = 0; i < json_array_size(mlm); i++) {
				json_t *sp = json_array_get(mlm, i);
				long s = (long)json_integer_value(json_array_get(sp, 0));
				long t = (long)json_integer_value(json_array_get(sp, 1));
				ok &= s >= last && s < t && t <= chars;
				last = t;
			}
		}
	}
	/* img_ents sorted and unique; regions and patch masks beside them */
	long last = -1;
	for (size_t i = 0; i < json_array_size(img); i++) {
		long id = (long)json_integer_value(json_array_get(img, i));
		ok &= id > last && id < n_ent;
		last = id;
	}
	ok &= json_array_size(reg) == json_array_size(img) && json_array_size(pm) == json_array_size(img);
	for (size_t i = 0; i < json_array_size(pm); i++) {
		json_t *l = json_array_get(pm, i);
		long prev = -1;
		for (size_t j = 0; j < json_array_size(l); j++) {
			long q = (long)json_integer_value(json_array_get(l, j));
			ok &= q > prev && q < grid * grid;
			prev = q;
		}
	}
	if (p) {
		ok &= json_equal(json_object_get(p, "image_id"), json_object_get(a, "image_id"));
		json_t *mim = json_object_get(p, "mim");
		long prev = -1;
		for (size_t j = 0; j < json_array_size(mim); j++) {
			long q = (long)json_integer_value(json_array_get(mim, j));
			ok &= q > prev && q < grid * grid;
			prev = q;
		}
		ok &= (long)json_array_size(mim) == (long)floor(mim_ratio * (double)(grid * grid) + 0.5);
	}
	return ok;
}

/* Validate an export, as checks of case id.manifest, id.verify, id.tables
 * and id.SPLIT.files, .lines, .count, .negatives, .negatives.k: counts match
 * headers, triples only among kept entities, .npy shapes match, every span
 * inside its caption, every id in entity2id, the manifest's hashes and
 * counts.
 * @return 1 when every one of them passed. */
static int validate_export(const char *id, const char *dir)
{
	char path[4200];
	struct manifest m;
	int ok = 1, failed = test_failed;
	CHECK_INT(test_id("%s.manifest", id), manifest_read(dir, &m), 1);
	if (!m.root)
		return 0;
	CHECK_INT(test_id("%s.verify", id), manifest_verify(dir, &m), 0);
	json_t *counts = json_object_get(m.root, "counts");
	json_t *params = m.parameters;
	long n_ent = (long)json_integer_value(json_object_get(counts, "entities"));
	long n_rel = (long)json_integer_value(json_object_get(counts, "relations"));
	long grid = (long)json_integer_value(json_object_get(params, "grid"));
	long k = (long)json_integer_value(json_object_get(params, "negatives"));
	int plans = json_is_true(json_object_get(params, "plans"));
	double mim_ratio = json_number_value(json_object_get(params, "mim_ratio"));
	long dim = (long)json_integer_value(json_object_get(json_object_get(m.root, "model"), "dim"));

	static const int ent_int[] = { 0, 2, 0 }, rel_int[] = { 0, 2 }, tri_int[] = { 1, 1, 1 };
	long lim_ent[] = { 0, n_ent, 0 }, lim_rel[] = { 0, n_rel }, lim_tri[] = { n_ent, n_ent, n_rel };
	snprintf(path, sizeof path, "%s/knowledge/entity2id.txt", dir);
	ok &= check_table(path, 3, ent_int, lim_ent) == n_ent;
	snprintf(path, sizeof path, "%s/knowledge/relation2id.txt", dir);
	ok &= check_table(path, 2, rel_int, lim_rel) == n_rel;
	snprintf(path, sizeof path, "%s/knowledge/train2id.txt", dir);
	ok &= check_table(path, 3, tri_int, lim_tri) ==
	      (long)json_integer_value(json_object_get(counts, "triples"));
	long r, c;
	snprintf(path, sizeof path, "%s/knowledge/ent_embeddings.npy", dir);
	ok &= npy_shape(path, "<f4", &r, &c) == 0 && r == n_ent && c == dim;
	snprintf(path, sizeof path, "%s/knowledge/rel_embeddings.npy", dir);
	ok &= npy_shape(path, "<f4", &r, &c) == 0 && r == n_rel && c == dim;
	CHECK(test_id("%s.tables", id), ok);

	static const char *const splits[] = { "train", "val", "test" };
	for (int s = 0; s < 3; s++) {
		snprintf(path, sizeof path, "%s/annotations/%s.jsonl", dir, splits[s]);
		char *ann = test_read(path, NULL), *plan = NULL;
		if (plans) {
			snprintf(path, sizeof path, "%s/plans/%s.jsonl", dir, splits[s]);
			plan = test_read(path, NULL);
		}
		CHECK(test_id("%s.%s.files", id, splits[s]), ann && (!plans || plan));
		if (!ann)
			continue;
		long lines = 0;
		int lines_ok = 1;
		char *sa = NULL, *sp = NULL;
		char *pl = plan ? strtok_r(plan, "\n", &sp) : NULL;
		for (char *al = strtok_r(ann, "\n", &sa); al; al = strtok_r(NULL, "\n", &sa)) {
			json_t *a = json_loads(al, 0, NULL);
			json_t *p = pl ? json_loads(pl, 0, NULL) : NULL;
			lines_ok &= a != NULL && (!plans || p != NULL);
			if (a)
				lines_ok &= check_sample(a, p, n_ent, grid, mim_ratio);
			json_decref(a);
			json_decref(p);
			lines++;
			if (plan)
				pl = strtok_r(NULL, "\n", &sp);
		}
		lines_ok &= pl == NULL; /* as many plans as samples */
		CHECK(test_id("%s.%s.lines", id, splits[s]), lines_ok);
		CHECK_INT(test_id("%s.%s.count", id, splits[s]), lines,
			  json_integer_value(json_object_get(json_object_get(counts, "samples"),
							     splits[s])));
		if (plans) {
			snprintf(path, sizeof path, "%s/plans/%s_negatives.npy", dir, splits[s]);
			int shaped = npy_shape(path, "<i4", &r, &c) == 0;
			CHECK_INT(test_id("%s.%s.negatives", id, splits[s]), shaped ? r : -1, lines);
			CHECK_INT(test_id("%s.%s.negatives.k", id, splits[s]), shaped ? c : -1, k);
		}
		free(ann);
		free(plan);
	}
	manifest_release(&m);
	return test_failed == failed;
}

/* ------------------------------------------------------------ fixtures */

static void make_store(const char *path, int with_models)
{
	struct store st;
	char *sql = test_read("tests/fixtures/train_store.sql", NULL);
	if (!sql || store_open(&st, path, STORE_CREATE) < 0 || store_exec(&st, sql) < 0) {
		fprintf(stderr, "cannot build %s from tests/fixtures/train_store.sql: %s\n", path,
			last_error());
		exit(1);
	}
	if (!with_models)
		store_exec(&st, "DELETE FROM embeddings; DELETE FROM embedding_models;");
	free(sql);
	store_close(&st);
}

/* The entries of a directory other than . and .. */
static int dir_entries(const char *dir)
{
	DIR *d = opendir(dir);
	if (!d)
		return -1;
	int n = 0;
	struct dirent *e;
	while ((e = readdir(d)))
		n += strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
	closedir(d);
	return n;
}

static void test_export_fixture(void)
{
	char db[512], out[512], path[700];
	snprintf(db, sizeof db, "%s/export_ok.db", test_tmpdir());
	snprintf(out, sizeof out, "%s/exp", test_tmpdir());
	make_store(db, 1);
	struct store st;
	CHECK_INT("export-1.0", store_open(&st, db, 0), 0);
	struct export_options o;
	export_options_default(&o);
	o.min_count = 2;
	o.model = 1;
	o.plans = 1;
	o.threads = 1;
	struct export_stats s;
	int level = log_level; /* errors are asserted, not printed */
	log_level = -1;
	CHECK_INT("export-1.1", train_export(&st, out, &o, &s), 0);
	CHECK("export-1.2", validate_export("export-1.2", out));
	/* ARL's numbering: Lung, Pleural effusion and Cardiomegaly occur twice
	 * in the kept triples (ties by CUI), then Heart and Pneumothorax once;
	 * the rare finding (one mention) and its triple are dropped */
	snprintf(path, sizeof path, "%s/knowledge/entity2id.txt", out);
	char *e2i = test_read(path, NULL);
	CHECK_STR("export-1.3", e2i,
		  "5\nC0018800\t0\tCardiomegaly\nC0024109\t1\tLung\nC0032227\t2\tPleural "
		  "effusion\nC0018787\t3\tHeart\nC0032326\t4\tPneumothorax\n");
	free(e2i);
	snprintf(path, sizeof path, "%s/knowledge/train2id.txt", out);
	char *t2i = test_read(path, NULL);
	CHECK_STR("export-1.4", t2i, "4\n0\t3\t0\n2\t0\t1\n2\t1\t0\n4\t1\t0\n");
	free(t2i);
	CHECK_INT("export-1.5", s.samples[SPLIT_TRAIN] + s.samples[SPLIT_VAL] + s.samples[SPLIT_TEST],
		  5);
	CHECK_INT("export-1.6", s.no_caption, 1);
	CHECK_INT("export-1.7", s.splits_input, 2);

	/* the vectors: row i of ent_embeddings.npy is the store's vector of
	 * entity i's concept */
	snprintf(path, sizeof path, "%s/knowledge/ent_embeddings.npy", out);
	size_t len;
	char *npy = test_read(path, &len);
	sqlite3_stmt *q = store_prepare(&st, "SELECT e.vector FROM embeddings e JOIN concepts c ON "
					     "c.id = e.item WHERE e.model = 1 AND e.kind = 'e' AND "
					     "c.cui = ?");
	static const char *const order[] = { "C0018800", "C0024109", "C0032227", "C0018787",
					     "C0032326" };
	int same = npy && len == 128 + 5 * 16;
	for (int i = 0; i < 5 && same; i++) {
		sqlite3_bind_text(q, 1, order[i], -1, SQLITE_STATIC);
		same &= sqlite3_step(q) == SQLITE_ROW && sqlite3_column_bytes(q, 0) == 16 &&
			!memcmp(npy + 128 + 16 * i, sqlite3_column_blob(q, 0), 16);
		sqlite3_reset(q);
	}
	sqlite3_finalize(q);
	free(npy);
	CHECK("export-1.8", same);

	/* the first sample: character offsets after a non-ASCII dash, the
	 * negated mention kept with its polarity, regions of the affirmed */
	snprintf(path, sizeof path, "%s/annotations/test.jsonl", out);
	char *test = test_read(path, NULL);
	json_t *a = test ? json_loads(test, JSON_DISABLE_EOF_CHECK, NULL) : NULL;
	free(test);
	CHECK("export-1.9", a != NULL);
	if (a) {
		CHECK_STR("export-1.10", json_string_value(json_object_get(a, "image_id")), "CXR2_1");
		json_t *cap = json_array_get(json_object_get(a, "captions"), 0);
		CHECK_STR("export-1.11", json_string_value(cap),
			  "Heart size is enlarged \xe2\x80\x94 cardiomegaly. Lungs are clear. "
			  "Cardiomegaly without effusion.");
		char *dump = json_dumps(json_object_get(a, "txt_ents"), JSON_COMPACT);
		CHECK_STR("export-1.12", dump, "[[[0,5,3],[25,37,0],[39,44,1],[56,68,0],[77,85,2]]]");
		free(dump);
		dump = json_dumps(json_object_get(a, "img_ents"), JSON_COMPACT);
		CHECK_STR("export-1.13", dump, "[0,1,2,3]");
		free(dump);
		dump = json_dumps(json_object_get(a, "patch_masks"), JSON_COMPACT);
		CHECK_STR("export-1.14", dump, "[[5,6,9,10],[2,3,6,7,10,11],[],[]]");
		free(dump);
		json_decref(a);
	}
	/* --drop-negated: effusion (only negated there) leaves img_ents; per
	 * report: one sample per report, including those without images */
	char out2[512];
	snprintf(out2, sizeof out2, "%s/exp2", test_tmpdir());
	o.drop_negated = 1;
	o.per_report = 1;
	o.plans = 0;
	CHECK_INT("export-2.1", train_export(&st, out2, &o, &s), 0);
	CHECK("export-2.2", validate_export("export-2.2", out2));
	snprintf(path, sizeof path, "%s/annotations/test.jsonl", out2);
	test = test_read(path, NULL);
	a = test ? json_loads(test, JSON_DISABLE_EOF_CHECK, NULL) : NULL;
	free(test);
	char *dump = a ? json_dumps(json_object_get(a, "img_ents"), JSON_COMPACT) : NULL;
	CHECK_STR("export-2.3", dump, "[0,1,3]");
	CHECK_STR("export-2.4", a ? json_string_value(json_object_get(a, "image_id")) : NULL, "CXR2");
	free(dump);
	json_decref(a);
	CHECK_INT("export-2.5", s.samples[SPLIT_TRAIN] + s.samples[SPLIT_VAL] + s.samples[SPLIT_TEST],
		  4);
	snprintf(path, sizeof path, "%s/plans", out2);
	CHECK("export-2.6", access(path, F_OK) != 0);

	/* the same export twice is byte-identical (apart from the manifest's time) */
	char out3[512];
	snprintf(out3, sizeof out3, "%s/exp3", test_tmpdir());
	o = (struct export_options){ 0 };
	export_options_default(&o);
	o.min_count = 2;
	o.model = 1;
	o.plans = 1;
	o.threads = 2;
	CHECK_INT("export-3.1", train_export(&st, out3, &o, &s), 0);
	static const char *const files[] = { "annotations/train.jsonl", "plans/train.jsonl",
					     "plans/train_negatives.npy", "knowledge/train2id.txt" };
	for (size_t i = 0; i < ARRAY_SIZE(files); i++) {
		char p1[800], p2[800], h1[33], h2[33];
		uint64_t b1, b2;
		snprintf(p1, sizeof p1, "%s/%s", out, files[i]);
		snprintf(p2, sizeof p2, "%s/%s", out3, files[i]);
		CHECK_STR("export-3.2", file_hash(p2, h2, &b2) == 0 ? h2 : NULL,
			  file_hash(p1, h1, &b1) == 0 ? h1 : NULL);
	}
	/* and 'train run' finds it complete and current */
	struct launch_check lc;
	CHECK_INT("export-3.3", launch_check(out3, 0, &lc), 0);
	CHECK("export-3.4", lc.store_checked);
	CHECK_INT("export-3.4.files", lc.n_files, 17);
	store_close(&st);
	log_level = level;
}

/* Whether every file of o's layout in a has the size and hash of b's. */
static int same_files(const char *id, const char *a, const char *b,
		      const struct export_options *o)
{
	char **files = export_file_list(o);
	int same = 1;
	for (size_t i = 0; files[i]; i++) {
		char pa[800], pb[800], ha[33], hb[33];
		uint64_t na = 0, nb = 0;
		snprintf(pa, sizeof pa, "%s/%s", a, files[i]);
		snprintf(pb, sizeof pb, "%s/%s", b, files[i]);
		int ra = access(pa, F_OK) == 0 ? file_hash(pa, ha, &na) : 1;
		int rb = access(pb, F_OK) == 0 ? file_hash(pb, hb, &nb) : 1;
		if (ra != rb || (ra == 0 && (na != nb || strcmp(ha, hb)))) {
			fprintf(stderr, "%s: %s differs between %s and %s\n", id, files[i], a, b);
			same = 0;
		}
	}
	strlist_free(files);
	return same;
}

/* The manifests of exports a and b name the same sources (reports and hash
 * per source). */
static int same_sources(const char *a, const char *b)
{
	struct manifest ma, mb;
	int ra = manifest_read(a, &ma), rb = manifest_read(b, &mb);
	int same = ra == 1 && rb == 1 &&
		   json_array_size(json_object_get(ma.root, "sources")) > 0 &&
		   json_equal(json_object_get(ma.root, "sources"), json_object_get(mb.root, "sources"));
	if (ra == 1)
		manifest_release(&ma);
	if (rb == 1)
		manifest_release(&mb);
	return same;
}

/* An update after new reports appends their samples, and gives the files
 * a fresh export would; whatever makes the old lines stale (a report
 * changed, a new image of an old report, a damaged file) writes them all
 * again, and says why. */
static void test_export_append(void)
{
	char db[512], out[512], fresh[512], path[800];
	snprintf(db, sizeof db, "%s/export_append.db", test_tmpdir());
	snprintf(out, sizeof out, "%s/app", test_tmpdir());
	snprintf(fresh, sizeof fresh, "%s/app_fresh", test_tmpdir());
	make_store(db, 1);
	struct store st;
	CHECK_INT("export-append-1.0", store_open(&st, db, 0), 0);
	struct export_options o, u;
	export_options_default(&o);
	o.min_count = 2;
	o.model = 1;
	o.plans = 1;
	o.threads = 1;
	export_options_default(&u);
	u.update = 1;
	u.model = 1;
	u.threads = 1;
	struct export_stats s;
	int level = log_level;
	log_level = -1;
	CHECK_INT("export-append-1.1", train_export(&st, out, &o, &s), 0);
	CHECK_INT("export-append-1.2", s.base.reports, 5);
	/* a new report, with an image, of entities the export has */
	CHECK_INT("export-append-1.3",
		  store_exec(&st,
			     "INSERT INTO reports(id, source, external_id, hash, text, sections, split, "
			     "ingested) VALUES (6, 'fixture', 'CXR6', 'h6', 'FINDINGS: Lung is clear. "
			     "Heart normal.', '[[\"findings\",10,38]]', 'train', 'x');"
			     "INSERT INTO images(id, report, path) VALUES (6, 6, '/img/CXR6.png');"
			     "INSERT INTO mentions(report, concept, section, sentence, start, end, "
			     "surface, polarity) VALUES (6, 4, 'findings', 0, 10, 14, 'Lung', "
			     "'affirmed'), (6, 5, 'findings', 1, 25, 30, 'Heart', 'affirmed');"),
		  0);
	CHECK_INT("export-append-1.4", mentions_set_ranges(&st), 0);
	CHECK_INT("export-append-2.1", train_export(&st, out, &u, &s), 0);
	CHECK("export-append-2.2", s.rewrite_reason == NULL);
	CHECK_INT("export-append-2.3", (int64_t)s.appended, 1);
	/* the old rows of the negatives extended, not mined again */
	CHECK_INT("export-append-2.3.negatives", (int64_t)s.neg.old_rows, 5);
	CHECK_INT("export-append-2.3.counted", (int64_t)(s.neg.sampled + s.neg.dense), 6);
	struct export_stats sf;
	CHECK("export-append-2.6", validate_export("export-append-2.6", out));
	/* the split files that did not grow stay the old ones, with nothing
	 * left beside them */
	CHECK_INT("export-append-2.6.entries", dir_entries(test_id("%s/annotations", out)), 3);
	CHECK_INT("export-append-2.6.plans", dir_entries(test_id("%s/plans", out)), 9);
	CHECK_INT("export-append-2.7", train_export(&st, fresh, &o, &sf), 0);
	/* the counts are the whole export's */
	CHECK_INT("export-append-2.4", (int64_t)s.reports, 6);
	CHECK_INT("export-append-2.5", (int64_t)s.reports, (int64_t)sf.reports);
	for (int i = 0; i < N_SPLITS; i++) {
		char id[40];
		snprintf(id, sizeof id, "export-append-2.5.%d", i);
		CHECK_INT(id, (int64_t)s.samples[i], (int64_t)sf.samples[i]);
	}
	CHECK_INT("export-append-2.5.mentions", (int64_t)s.mentions_kept,
		  (int64_t)sf.mentions_kept);
	CHECK("export-append-2.8", same_files("export-append-2.8", out, fresh, &o));
	/* the sources' sums, added to, are the fresh export's */
	CHECK("export-append-2.8.sources", same_sources(out, fresh));
	struct launch_check lc;
	CHECK_INT("export-append-2.9", launch_check(out, 0, &lc), 0);
	/* nothing new: nothing appended, every file kept */
	CHECK_INT("export-append-3.1", train_export(&st, out, &u, &s), 0);
	CHECK("export-append-3.2", s.rewrite_reason == NULL);
	CHECK_INT("export-append-3.3", (int64_t)s.appended, 0);
	CHECK_INT("export-append-3.4", (int64_t)s.files_written, 0);

	/* stale old lines: all written again, still a fresh export's files */
	enum { REWRITE, SQL, DAMAGE, KNOWLEDGE };
	static const struct {
		int what;
		const char *sql;
		const char *why;
	} stale[] = {
		{ REWRITE, NULL, "changed since" },
		{ SQL, "INSERT INTO images(id, report, path) VALUES (7, 2, '/img/CXR2_2.png')",
		  "new images or mentions" },
		{ DAMAGE, NULL, "not the size" },
		{ KNOWLEDGE, NULL, "knowledge changed" },
		/* the export had images no link run had settled, and one ran */
		{ SQL, "INSERT INTO meta(key, value) VALUES ('link.images_through', 99) "
		       "ON CONFLICT(key) DO UPDATE SET value = 99", "images it holds were listed" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(stale); i++) {
		char id[8][48];
		for (int k = 0; k < 8; k++)
			snprintf(id[k], sizeof id[k], "export-append-4.%zu.%d", i + 1, k + 1);
		snprintf(path, sizeof path, "%s/annotations/train.jsonl", out);
		CHECK_INT(id[0], stale[i].what == REWRITE	? store_note_rewrite(&st)
				 : stale[i].what == SQL		? store_exec(&st, stale[i].sql)
				 : stale[i].what == DAMAGE	? truncate(path, 10)
								: store_meta_bump(&st, META_KB_GENERATION),
			  0);
		CHECK_INT(id[1], train_export(&st, out, &u, &s), 0);
		CHECK(id[2], s.rewrite_reason && strstr(s.rewrite_reason, stale[i].why));
		CHECK_INT(id[3], (int64_t)s.appended, 0);
		publish_remove(fresh);
		CHECK_INT(id[4], train_export(&st, fresh, &o, &s), 0);
		CHECK(id[5], same_files(id[5], out, fresh, &o) && same_sources(out, fresh));
		/* and the next update appends again */
		CHECK_INT(id[6], train_export(&st, out, &u, &s), 0);
		CHECK(id[7], s.rewrite_reason == NULL);
	}
	/* a damaged sample pool (its size kept) is not trusted */
	snprintf(path, sizeof path, "%s/plans/train_pool.bin", out);
	FILE *f = fopen(path, "r+b");
	CHECK("export-append-5.1", f && fwrite("XXXX", 1, 4, f) == 4);
	if (f)
		fclose(f);
	CHECK_INT("export-append-5.2", train_export(&st, out, &u, &s), 0);
	CHECK("export-append-5.3", s.rewrite_reason && strstr(s.rewrite_reason, "pool"));
	CHECK("export-append-5.4", same_files("export-append-5.4", out, fresh, &o));
	/* damaged negatives (their size kept): mined again, not extended */
	snprintf(path, sizeof path, "%s/plans/train_negatives.npy", out);
	f = fopen(path, "r+b");
	CHECK("export-append-5.5", f && fseek(f, -4, SEEK_END) == 0 && fwrite("\x7f\x7f\x7f\x7f", 1, 4, f) == 4);
	if (f)
		fclose(f);
	CHECK_INT("export-append-5.6", train_export(&st, out, &u, &s), 0);
	CHECK("export-append-5.7", s.rewrite_reason == NULL);
	CHECK_INT("export-append-5.8", (int64_t)s.neg.old_rows, 0);
	CHECK("export-append-5.9", same_files("export-append-5.9", out, fresh, &o));
	/* an append that fails (a malformed report after a good one) leaves
	 * the export as it was: its files are cut back to their sizes */
	CHECK_INT("export-append-6.1",
		  store_exec(&st,
			     "INSERT INTO reports(id, source, external_id, hash, text, sections, split, "
			     "ingested) VALUES (8, 'fixture', 'CXR8', 'h8', 'FINDINGS: Lung is clear.', "
			     "'[[\"findings\",10,24]]', 'train', 'x'), (9, 'fixture', 'CXR9', 'h9', "
			     "'FINDINGS: Heart.', 'not json', 'train', 'x');"
			     "INSERT INTO images(id, report, path) VALUES (8, 8, '/img/CXR8.png'), "
			     "(9, 9, '/img/CXR9.png');"),
		  0);
	snprintf(path, sizeof path, "%s/annotations/train.jsonl", out);
	struct stat before, after;
	CHECK_INT("export-append-6.2", stat(path, &before), 0);
	CHECK_INT("export-append-6.3", train_export(&st, out, &u, &s), -1);
	CHECK_ERR("export-append-6.4", "sections is not a JSON array");
	CHECK_INT("export-append-6.5", stat(path, &after), 0);
	CHECK_INT("export-append-6.6", (int64_t)after.st_size, (int64_t)before.st_size);
	CHECK_INT("export-append-6.7", (int64_t)after.st_ino, (int64_t)before.st_ino);
	/* every file as its manifest says (the store is ahead of it now) */
	CHECK_INT("export-append-6.8", launch_check(out, 1, &lc), 0);
	/* a kill while appending leaves the files longer: the next update
	 * cuts them back and appends */
	CHECK_INT("export-append-6.9", store_exec(&st, "DELETE FROM images WHERE id = 9; "
							"DELETE FROM reports WHERE id = 9"), 0);
	FILE *g = fopen(path, "ab");
	CHECK("export-append-6.10", g && fputs("{\"half a line", g) >= 0);
	if (g)
		fclose(g);
	CHECK_INT("export-append-6.11", train_export(&st, out, &u, &s), 0);
	CHECK("export-append-6.12", s.rewrite_reason == NULL);
	CHECK_INT("export-append-6.13", (int64_t)s.appended, 1);
	publish_remove(fresh);
	CHECK_INT("export-append-6.14", train_export(&st, fresh, &o, &s), 0);
	CHECK("export-append-6.15", same_files("export-append-6.15", out, fresh, &o));
	store_close(&st);
	log_level = level;
}

static void test_export_update(void)
{
	char db[512], out[512], path[800];
	snprintf(db, sizeof db, "%s/export_update.db", test_tmpdir());
	snprintf(out, sizeof out, "%s/upd", test_tmpdir());
	make_store(db, 1);
	struct store st;
	CHECK_INT("export-update-1.0", store_open(&st, db, 0), 0);
	struct export_options o;
	export_options_default(&o);
	o.min_count = 2;
	o.model = 1;
	o.plans = 1;
	struct export_stats s;
	int level = log_level; /* errors are asserted, not printed */
	log_level = -1;
	CHECK_INT("export-update-1.1", train_export(&st, out, &o, &s), 0);
	/* a new report brings the rare finding to two mentions, and a model
	 * on the new entity set */
	CHECK_INT("export-update-1.2",
		  store_exec(&st,
			     "INSERT INTO reports(id, source, external_id, hash, text, sections, split, "
			     "ingested) VALUES (6, 'fixture', 'CXR6', 'h6', 'FINDINGS: Rare finding. "
			     "Heart normal.', '[[\"findings\",10,37]]', 'train', 'x');"
			     "INSERT INTO images(id, report, path) VALUES (6, 6, '/img/CXR6.png');"
			     "INSERT INTO mentions(report, concept, section, sentence, start, end, "
			     "surface, polarity) VALUES (6, 6, 'findings', 0, 10, 22, 'Rare finding', "
			     "'affirmed');"
			     "INSERT INTO embedding_models(id, kind, dim, norm, params, entities, created) "
			     "VALUES (3, 'transe', 4, 'l1', '{}', '{}', 'x');"
			     "INSERT INTO embeddings SELECT 3, kind, item, vector FROM embeddings WHERE "
			     "model = 2 AND NOT (kind = 'e' AND item = 7) AND NOT (kind = 'r' AND item = "
			     "2);"), 0);
	CHECK_INT("export-update-1.2.ranges", mentions_set_ranges(&st), 0);
	/* stale now */
	struct launch_check lc;
	CHECK_INT("export-update-1.3", launch_check(out, 0, &lc), -1);
	CHECK_ERR("export-update-1.4", "stale");
	CHECK_INT("export-update-1.5", launch_check(out, 1, &lc), 0);

	/* update: options come from the manifest; the old ids stay and the
	 * rare finding comes last; val.jsonl and the val plans are unchanged */
	struct export_options u;
	export_options_default(&u);
	u.update = 1;
	u.model = 3;
	snprintf(path, sizeof path, "%s/annotations/val.jsonl", out);
	struct stat before, after;
	stat(path, &before);
	CHECK_INT("export-update-2.1", train_export(&st, out, &u, &s), 0);
	CHECK("export-update-2.2", validate_export("export-update-2.2", out));
	CHECK_INT("export-update-2.3", s.min_count, 2);
	CHECK_INT("export-update-2.4", s.n_previous, 5);
	snprintf(path, sizeof path, "%s/knowledge/entity2id.txt", out);
	char *e2i = test_read(path, NULL);
	CHECK_STR("export-update-2.5", e2i,
		  "6\nC0018800\t0\tCardiomegaly\nC0024109\t1\tLung\nC0032227\t2\tPleural "
		  "effusion\nC0018787\t3\tHeart\nC0032326\t4\tPneumothorax\nC0000006\t5\tRare "
		  "finding\n");
	free(e2i);
	snprintf(path, sizeof path, "%s/annotations/val.jsonl", out);
	stat(path, &after);
	CHECK_INT("export-update-2.6", after.st_ino, before.st_ino);
	CHECK("export-update-2.7", s.files_kept >= 3 && s.files_written >= 5);
	CHECK_INT("export-update-2.8", launch_check(out, 0, &lc), 0);
	/* --renumber: by frequency again (Lung now occurs three times) */
	u.renumber = 1;
	CHECK_INT("export-update-3.1", train_export(&st, out, &u, &s), 0);
	snprintf(path, sizeof path, "%s/knowledge/entity2id.txt", out);
	e2i = test_read(path, NULL);
	CHECK("export-update-3.2", e2i && !strncmp(e2i, "6\nC0024109\t0\tLung\n", 18));
	free(e2i);
	CHECK("export-update-3.3", validate_export("export-update-3.3", out));
	/* no temporary directories left beside it (-1: the directory unread) */
	DIR *d = opendir(test_tmpdir());
	int stray = d ? 0 : -1;
	for (struct dirent *e; d && (e = readdir(d));)
		stray += strstr(e->d_name, ".tmp-") != NULL;
	if (d)
		closedir(d);
	CHECK_INT("export-update-3.5", stray, 0);
	store_close(&st);
	log_level = level;
}

static void test_export_bad(void)
{
	char db[512], nodb[512], out[512], path[800];
	snprintf(db, sizeof db, "%s/export_bad.db", test_tmpdir());
	snprintf(nodb, sizeof nodb, "%s/export_nomodel.db", test_tmpdir());
	snprintf(out, sizeof out, "%s/export_bad", test_tmpdir());
	make_store(db, 1);
	make_store(nodb, 0);
	struct store st, st0;
	CHECK_INT("export-bad-1.0", store_open(&st, db, 0), 0);
	CHECK_INT("export-bad-1.0.nomodel", store_open(&st0, nodb, 0), 0);
	struct export_options o;
	export_options_default(&o);
	o.min_count = 2;
	struct export_stats s;
	int level = log_level; /* errors are asserted, not printed */
	log_level = -1;
	static const struct {
		const char *id, *want;
		int64_t model, min_count;
		int nomodel;
	} cases[] = {
		{ "export-bad-1.1", "has no embeddings", 0, 2, 1 },
		{ "export-bad-1.2", "trained on another entity set", 2, 2, 0 },
		{ "export-bad-1.3", "trained on another entity set", 0, 2, 0 }, /* the latest is 2 */
		{ "export-bad-1.4", "no embedding model 9", 9, 2, 0 },
		{ "export-bad-1.5", "no concept is mentioned 50 or more times", 1, 50, 0 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		o.model = cases[i].model;
		o.min_count = cases[i].min_count;
		last_error_reset();
		CHECK_INT(test_id("%s.rc", cases[i].id),
			  train_export(cases[i].nomodel ? &st0 : &st, out, &o, &s), -1);
		CHECK_ERR(cases[i].id, cases[i].want);
		CHECK(test_id("%s.nothing", cases[i].id), access(out, F_OK) != 0); /* nothing written */
	}
	/* a non-empty directory that is not an export: refused, even with --force */
	o.model = 1;
	o.min_count = 2;
	mkdir(out, 0777);
	snprintf(path, sizeof path, "%s/notes.txt", out);
	write_file(path, "mine\n", 5);
	CHECK_INT("export-bad-2.1", train_export(&st, out, &o, &s), -1);
	CHECK_ERR("export-bad-2.2", "not empty");
	o.force = 1;
	CHECK_INT("export-bad-2.3", train_export(&st, out, &o, &s), -1);
	CHECK_ERR("export-bad-2.4", "not a medkg export");
	CHECK_INT("export-bad-2.5", dir_entries(out), 1);
	remove(path);
	/* an empty directory is fine; then it is an export: refused without a flag */
	o.force = 0;
	CHECK_INT("export-bad-3.1", train_export(&st, out, &o, &s), 0);
	CHECK_INT("export-bad-3.2", train_export(&st, out, &o, &s), -1);
	CHECK_ERR("export-bad-3.3", "use --update");
	o.force = 1;
	CHECK_INT("export-bad-3.4", train_export(&st, out, &o, &s), 0);
	/* a corrupted manifest on update: refused, the export left as it was */
	snprintf(path, sizeof path, "%s/manifest.json", out);
	size_t len;
	char *man = test_read(path, &len);
	static const struct {
		const char *id, *text, *want;
	} corrupt[] = {
		{ "export-bad-4.1", "{\"format\": \"medkg-train-export\", \"version\": 1", "corrupted manifest" },
		{ "export-bad-4.2", "[1, 2]", "corrupted manifest" },
		{ "export-bad-4.3", "{\"format\": \"other\"}", "corrupted manifest" },
		{ "export-bad-4.4",
		  "{\"format\": \"medkg-train-export\", \"version\": 2, \"store\": {\"path\": \"x\", "
		  "\"state\": \"y\"}, \"parameters\": {}, \"files\": {\"../etc/passwd\": {\"bytes\": "
		  "1, \"xxh3_128\": \"00000000000000000000000000000000\"}}}",
		  "bad entry" },
		{ "export-bad-4.5",
		  "{\"format\": \"medkg-train-export\", \"version\": 2, \"store\": {\"path\": \"x\", "
		  "\"state\": \"y\"}, \"parameters\": {}, \"files\": {\"knowledge/train2id.txt\": "
		  "{\"bytes\": 1, \"xxh3_128\": \"00000000000000000000000000000000\"}}}",
		  "entity2id.txt is not listed" },
	};
	struct export_options u;
	export_options_default(&u);
	u.update = 1;
	u.model = 1;
	for (size_t i = 0; i < ARRAY_SIZE(corrupt); i++) {
		write_file(path, corrupt[i].text, strlen(corrupt[i].text));
		last_error_reset();
		CHECK_INT(test_id("%s.rc", corrupt[i].id), train_export(&st, out, &u, &s), -1);
		CHECK_ERR(corrupt[i].id, corrupt[i].want);
		char *now = test_read(path, NULL);
		CHECK_STR(test_id("%s.manifest", corrupt[i].id), now, corrupt[i].text);
		free(now);
	}
	/* --force replaces an export whose manifest is corrupted, silently */
	last_error_reset();
	CHECK_INT("export-bad-4.6", train_export(&st, out, &o, &s), 0);
	CHECK_STR("export-bad-4.7", last_error(), "");
	/* an edited entity2id.txt: refused on update, and by 'train run' */
	write_file(path, man, len);
	free(man);
	snprintf(path, sizeof path, "%s/knowledge/entity2id.txt", out);
	FILE *f = fopen(path, "ab");
	fputs("C9\t99\textra\n", f);
	fclose(f);
	CHECK_INT("export-bad-5.1", train_export(&st, out, &u, &s), -1);
	CHECK_ERR("export-bad-5.2", "changed since the export");
	struct launch_check lc;
	CHECK_INT("export-bad-5.3", launch_check(out, 0, &lc), -1);
	CHECK_ERR("export-bad-5.4", "entity2id.txt changed");
	remove(path);
	CHECK_INT("export-bad-5.5", launch_check(out, 0, &lc), -1);
	CHECK_ERR("export-bad-5.6", "incomplete");
	store_close(&st);
	store_close(&st0);
	log_level = level;
}


/* The demo store built by the real stages (load, extract, link, embed),
 * exported, validated, and checked against the store: ARL's rule holds for
 * every entity and every triple. */
static void test_export_demo(void)
{
	char db[512], out[512], path[800];
	snprintf(db, sizeof db, "%s/export_demo.db", test_tmpdir());
	snprintf(out, sizeof out, "%s/demo_export", test_tmpdir());
	if (access("data/demo/MRCONSO.RRF", F_OK) != 0) {
		fprintf(stderr, "skip export-demo: data/demo not found\n");
		return;
	}
	int level = log_level; /* errors are asserted, not printed */
	log_level = -1;
	struct store st;
	CHECK_INT("export-demo-1.0", store_open(&st, db, STORE_CREATE), 0);
	struct umls_options uo = { 0 };
	struct umls_stats us;
	CHECK_INT("export-demo-1.1", umls_load(&st, "data/demo", &uo, &us), 0);
	struct extract_options eo;
	memset(&eo, 0, sizeof eo);
	struct extract_stats es;
	char *inputs[] = { "data/demo/reports", "data/demo/reports2" };
	CHECK_INT("export-demo-1.2", extract_run(&st, inputs, 2, &eo, &es), 0);
	free(es.dict.filters); /* the caller's (extract.h) */
	struct link_options lo = { 0 };
	lo.image_list = "data/demo/images/images.csv";
	lo.images_dir = "data/demo/images";
	lo.grid = 18;
	struct link_stats ls;
	CHECK_INT("export-demo-1.3", link_run(&st, &lo, &ls), 0);
	/* a model on exactly the entities the export selects with --min-count 3 */
	struct embed_select sel = { .mentioned = 1, .min_count = 3, .seed = 1 };
	struct embed_graph g;
	CHECK_INT("export-demo-1.4", embed_graph_load(&st, &sel, &g), 0);
	struct transe_params tp;
	transe_params_default(&tp);
	tp.dim = 16;
	tp.epochs = 10;
	tp.threads = 1;
	struct transe m = { 0 };
	CHECK_INT("export-demo-1.5", transe_init(&m, g.kg.n_ent, g.kg.n_rel, &tp), 0);
	CHECK_INT("export-demo-1.6",
		  transe_train(&m, &tp, g.kg.split[KG_TRAIN], g.kg.n[KG_TRAIN], NULL, NULL), 0);
	struct buf ej = BUF_INIT;
	embed_select_json(&sel, &g, &ej);
	CHECK("export-demo-1.7", embed_model_save(&st, &g, &m, tp.norm, "{}", buf_str(&ej), NULL, 0) > 0);
	buf_release(&ej);
	transe_release(&m);
	embed_graph_release(&g);

	struct export_options o;
	export_options_default(&o);
	o.min_count = 3;
	o.plans = 1;
	struct export_stats s;
	CHECK_INT("export-demo-2.1", train_export(&st, out, &o, &s), 0);
	CHECK("export-demo-2.2", validate_export("export-demo-2.2", out));
	CHECK("export-demo-2.3", s.samples[SPLIT_TRAIN] > 0 && s.n_ent > 0 && s.n_triples > 0);
	CHECK_INT("export-demo-2.4", s.grid, 18);
	/* the manifest names the knowledge the export came from: the store's
	 * fingerprint, under the key the store writes (the export once read
	 * "kb_fingerprint", and every manifest lacked the field) */
	struct manifest mf;
	struct buf kfp = BUF_INIT;
	CHECK_INT("export-demo-2.7", manifest_read(out, &mf), 1);
	CHECK_INT("export-demo-2.8", store_meta_get(&st, META_KB_FINGERPRINT, &kfp), 1);
	CHECK_STR("export-demo-2.9",
		  json_string_value(json_object_get(json_object_get(mf.root, "store"),
						    "knowledge_fingerprint")),
		  buf_str(&kfp));
	manifest_release(&mf);
	buf_release(&kfp);
	/* the links came through: regions and patches on some samples */
	snprintf(path, sizeof path, "%s/annotations/train.jsonl", out);
	char *ann = test_read(path, NULL);
	CHECK("export-demo-2.5", ann && strstr(ann, "\"regions\":[[\"") != NULL);
	/* some sample has a patch set: "patch_masks":[[N, ... */
	int patched = 0;
	for (const char *pm = ann; pm && (pm = strstr(pm, "\"patch_masks\":[[")); pm++)
		patched |= pm[16] >= '0' && pm[16] <= '9';
	CHECK("export-demo-2.6", patched);
	free(ann);

	/* every entity mentioned at least 3 times, numbered by its frequency in
	 * train2id.txt (non-increasing, ties by CUI), and every store triple
	 * between two such concepts in train2id.txt */
	snprintf(path, sizeof path, "%s/knowledge/entity2id.txt", out);
	char *e2i = test_read(path, NULL);
	snprintf(path, sizeof path, "%s/knowledge/train2id.txt", out);
	char *t2i = test_read(path, NULL);
	long *freq = xcalloc(s.n_ent + 1, sizeof(long));
	char **cui = xcalloc(s.n_ent + 1, sizeof(char *));
	int ok = e2i && t2i;
	char *save = NULL;
	long line = 0;
	for (char *l = e2i ? strtok_r(e2i, "\n", &save) : NULL; l; l = strtok_r(NULL, "\n", &save))
		if (line++ > 0 && (size_t)(line - 2) < s.n_ent)
			cui[line - 2] = xstrndup(l, strcspn(l, "\t"));
	long n_tri = 0;
	line = 0;
	for (char *l = t2i ? strtok_r(t2i, "\n", &save) : NULL; l; l = strtok_r(NULL, "\n", &save)) {
		long h, t, r;
		if (line++ == 0 || sscanf(l, "%ld %ld %ld", &h, &t, &r) != 3 || h < 0 || t < 0 ||
		    (size_t)h >= s.n_ent || (size_t)t >= s.n_ent)
			continue;
		freq[h]++;
		freq[t]++;
		n_tri++;
	}
	for (size_t i = 1; i < s.n_ent; i++)
		ok &= freq[i - 1] > freq[i] ||
		      (freq[i - 1] == freq[i] && cui[i - 1] && cui[i] && strcmp(cui[i - 1], cui[i]) < 0);
	CHECK("export-demo-3.1", ok);
	sqlite3_stmt *q = store_prepare(&st, "SELECT count(*) FROM mentions m JOIN concepts c ON "
					     "c.id = m.concept WHERE c.cui = ?");
	int all_counted = q != NULL;
	for (size_t i = 0; i < s.n_ent && q; i++) {
		all_counted &= cui[i] != NULL;
		if (!cui[i])
			break;
		sqlite3_bind_text(q, 1, cui[i], -1, SQLITE_STATIC);
		all_counted &= sqlite3_step(q) == SQLITE_ROW && sqlite3_column_int(q, 0) >= 3;
		sqlite3_reset(q);
	}
	sqlite3_finalize(q);
	CHECK("export-demo-3.2", all_counted);
	int64_t want = store_int(&st,
				 "WITH k AS (SELECT concept FROM mentions GROUP BY concept HAVING "
				 "count(*) >= 3) SELECT count(*) FROM (SELECT DISTINCT head, relation, "
				 "tail FROM triples WHERE head IN k AND tail IN k)",
				 -1);
	CHECK_INT("export-demo-3.3", n_tri, want);
	for (size_t i = 0; i < s.n_ent; i++)
		free(cui[i]);
	free(cui);
	free(freq);
	free(e2i);
	free(t2i);
	store_close(&st);
	log_level = level;
}

void test_export(void)
{
	test_export_fixture();
	test_export_update();
	test_export_append();
	test_export_bad();
	test_export_demo();
}
