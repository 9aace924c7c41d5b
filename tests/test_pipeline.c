/* The pipeline (pipeline/): configuration errors with file and line, a
 * build of the demo that skips what is done and resumes what is not, an
 * ingest of the second demo batch, and the report page read back with
 * libxml2's HTML parser and checked against SQL on the same store. */
#include "testhelp.h"
#include "tests.h"
#include "../common/buf.h"
#include "../common/util.h"
#include "../common/strlist.h"
#include "../pipeline/build.h"
#include "../pipeline/config.h"
#include "../pipeline/report.h"

#include <libxml/HTMLparser.h>
#include <libxml/xpath.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

static char top[1024];

/* ------------------------------------------------------------ configuration */

static void config_errors(void)
{
	struct { const char *id, *text, *want; } cases[] = {
		{ "pipeline-conf-1.1", "[knowledge]\numls = %s/data/demo\n[embed]\nfoo = 1\n",
		  "bad.conf:4: unknown key 'foo' in [embed]" },
		{ "pipeline-conf-1.2", "[knowledge]\numls = %s/data/demo\n[embeddings]\ndim = 3\n",
		  "bad.conf:4: unknown section [embeddings]" },
		{ "pipeline-conf-1.3", "[knowledge]\numls = %s/data/demo\n\n[embed]\ndim = -4\n",
		  "bad.conf:5: 'dim' needs a whole number from 1 to 65536" },
		{ "pipeline-conf-1.4", "[knowledge]\numls = %s/data/demo\n[embed]\nnorm = l3\n",
		  "bad.conf:4: 'norm' is one of l1, l2, not 'l3'" },
		{ "pipeline-conf-1.5", "[knowledge]\numls = %s/data/demo\n[reports]\ninput = nowhere/x.xml\n",
		  "bad.conf:4: nowhere/x.xml: No such file or directory" },
		{ "pipeline-conf-1.6", "[knowledge]\numls = %s/data/demo\n[embed]\ndim = 3\ndim = 4\n",
		  "bad.conf:5: 'dim' given twice (first on line 4)" },
		{ "pipeline-conf-1.7", "dim = 3\n[knowledge]\numls = %s/data/demo\n",
		  "bad.conf:1: 'dim' outside a section" },
		{ "pipeline-conf-1.8", "[knowledge]\numls = %s/data/demo\n[embed]\nthis line has no value\n",
		  "bad.conf:4: expected '[section]' or 'key = value'" },
		{ "pipeline-conf-1.9", "[reports]\ninput = %s/data/demo/reports\n",
		  "bad.conf: no knowledge source" },
		{ "pipeline-conf-1.10", "[knowledge]\numls = %s/data/demo\n",
		  "bad.conf: no reports" },
		{ "pipeline-conf-1.11", "[knowledge]\numls = %s/data/demo\n[reports]\ninput = %s/data/demo/reports\n"
				"[embed]\nentities = all\nmin_count = 5\n",
		  "bad.conf:7: min_count and hops go with entities = mentioned" },
		{ "pipeline-conf-1.12", "[knowledge]\numls = %s/data/demo/MRCONSO.RRF\n",
		  "bad.conf:2: " },
		{ "pipeline-conf-1.13", "[knowledge]\numls = %s/data/demo\n[reports]\nsections = findings, summary\n",
		  "bad.conf:4: 'sections' names an unknown section 'summary'" },
		{ "pipeline-conf-1.14", "[knowledge]\numls = %s/data/demo\n[embed]\nthreads = many\n",
		  "bad.conf:4: 'threads' needs a whole number" },
		{ "pipeline-conf-1.15", "[knowledge]\nlenient = perhaps\n",
		  "bad.conf:2: 'lenient' is yes or no, not 'perhaps'" },
		{ "pipeline-conf-1.16", "[knowledge]\numls = %s/data/demo\n[reports]\ninput = %s/data/demo/reports\n"
				"[embed]\nentities = all\n",
		  "bad.conf:6: the export needs embeddings of the entities it exports" },
		{ "pipeline-conf-1.17", "[knowledge]\numls = %s/data/demo\n[reports]\ninput = %s/data/demo/reports\n"
				"[embed]\nhops = 1\n",
		  "bad.conf:6: the export needs embeddings of the entities it exports" },
		{ "pipeline-conf-1.18", "[knowledge]\numls = %s/data/demo\n[reports]\ninput = %s/data/demo/reports\n"
				"[export]\nper = study\n",
		  "bad.conf:6: 'per' is one of image, report, not 'study'" },
		/* what the stages write is checked before any runs */
		{ "pipeline-conf-1.19", "[knowledge]\numls = %s/data/demo\n[reports]\ninput = %s/data/demo/reports\n"
				"[export]\ndir = %s/data/demo/MRCONSO.RRF\n",
		  "bad.conf:6: " },
		{ "pipeline-conf-1.20", "[knowledge]\numls = %s/data/demo\n[reports]\ninput = %s/data/demo/reports\n"
				"[export]\ndir = /nonexistent-dir/export\n",
		  "bad.conf:6: /nonexistent-dir/export: its directory does not exist" },
		{ "pipeline-conf-1.21", "[build]\nstore = %s/data\n[knowledge]\numls = %s/data/demo\n"
				"[reports]\ninput = %s/data/demo/reports\n",
		  "bad.conf:2: " },
		{ "pipeline-conf-1.22", "[knowledge]\numls = %s/data/demo\n[reports]\nsections = findings\n"
				"sections = summary\n",
		  "bad.conf:5: 'sections' names an unknown section 'summary'" },
		{ "pipeline-conf-1.23", "[knowledge]\numls = %s/data/demo\n[embed]\nnorm = l1\nnorm = l2\n",
		  "bad.conf:5: 'norm' given twice (first on line 4)" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		/* each %s of the case is the checkout's top directory */
		struct buf tb = BUF_INIT;
		for (const char *t = cases[i].text; *t; t++) {
			if (t[0] == '%' && t[1] == 's') {
				buf_adds(&tb, top);
				t++;
			} else {
				buf_addc(&tb, *t);
			}
		}
		char *text = buf_detach(&tb);
		test_file("bad.conf", text, strlen(text), 0);
		struct pipeline_config c;
		last_error_reset();
		int rc = config_read(&c, test_path("bad.conf"));
		CHECK_INT(test_id("%s.rc", cases[i].id), rc, -1);
		CHECK_ERR(cases[i].id, cases[i].want);
		if (rc == 0)
			config_release(&c);
		free(text);
	}
	/* a line over 64 KiB is an error, not cut in two lines */
	struct buf lb = BUF_INIT;
	buf_adds(&lb, "[knowledge]\nsab = ");
	for (int i = 0; i < 70000; i++)
		buf_addc(&lb, 'A');
	buf_adds(&lb, "\n");
	test_file("long.conf", lb.p, lb.len, 0);
	buf_release(&lb);
	struct pipeline_config lc;
	last_error_reset();
	CHECK_INT("pipeline-conf-1.24", config_read(&lc, test_path("long.conf")), -1);
	CHECK_ERR("pipeline-conf-1.25", "long.conf:2: line longer than 65536 bytes");

	/* good: paths relative to the file's directory, lists, defaults */
	char dir[1100], text[2048];
	snprintf(dir, sizeof dir, "%s/sub", test_tmpdir());
	CHECK_INT("pipeline-conf-2.1", mkdir(dir, 0777), 0);
	char reports[1200];
	snprintf(reports, sizeof reports, "%s/r.csv", dir);
	write_file(reports, "uid,findings\n1,No pneumothorax.\n", 31);
	snprintf(text, sizeof text,
		 "# comment\n[knowledge]\numls = %s/data/demo\nlang = all\n[reports]\n"
		 "input = r.csv\nsections = impression\nsections = findings\n[embed]\n"
		 "entities = mentioned ; inline comment\nmin_count = 2\nnorm = l2\nlr = 0.5\n", top);
	snprintf(dir + strlen(dir), sizeof dir - strlen(dir), "/good.conf");
	write_file(dir, text, strlen(text));
	struct pipeline_config c;
	CHECK_INT("pipeline-conf-2.2", config_read(&c, dir), 0);
	CHECK_INT("pipeline-conf-2.3.n", strlist_len(c.inputs), 1);
	CHECK_STR("pipeline-conf-2.3", c.inputs ? c.inputs[0] : NULL, reports);
	CHECK_INT("pipeline-conf-2.4", config_line(&c, "reports", "input"), 6);
	CHECK("pipeline-conf-2.5", c.load.lang == NULL);
	struct buf secs = BUF_INIT;
	for (size_t i = 0; c.extract.sections && c.extract.sections[i]; i++)
		buf_addf(&secs, "%s%s", i ? "," : "", c.extract.sections[i]);
	CHECK_STR("pipeline-conf-2.6", buf_str(&secs), "impression,findings");
	buf_release(&secs);
	CHECK_INT("pipeline-conf-2.7", c.sel.mentioned, 1);
	CHECK_INT("pipeline-conf-2.7.min_count", c.sel.min_count, 2);
	CHECK_INT("pipeline-conf-2.7.norm", c.p.norm, 2);
	CHECK_NEAR("pipeline-conf-2.8", c.p.lr, 0.5, 0);
	CHECK_INT("pipeline-conf-2.8.dim", c.p.dim, 256);
	CHECK_INT("pipeline-conf-2.8.grid", c.link.grid, 18);
	CHECK_INT("pipeline-conf-2.9", config_line(&c, "embed", "norm"), 12);
	char *e = pipeline_export_dir(&c, "/x/store.db");
	CHECK_STR("pipeline-conf-2.10", e, "/x/store-export");
	free(e);
	config_release(&c);
}

/* ------------------------------------------------------------ build and ingest */

static void write_demo_conf(const char *name, int epochs)
{
	char text[8192];
	snprintf(text, sizeof text,
		 "[knowledge]\numls = %s/data/demo\n[reports]\ninput = %s/data/demo/reports\n"
		 "[link]\nimages = %s/data/demo/images/images.csv\n"
		 "[embed]\ndim = 16\nepochs = %d\nneg = 4\nthreads = 1\nentities = mentioned\n"
		 "min_count = 2\nholdout = 0.1\n[export]\ndir = pipeline-export\n",
		 top, top, top, epochs);
	test_file(name, text, strlen(text), 0);
}

/* Every line of old but the first (the count) is a line of now. */
static int lines_kept(const char *old, const char *now)
{
	const char *p = strchr(old, '\n');
	int n = 0;
	while (p && p[1]) {
		const char *e = strchr(p + 1, '\n');
		size_t len = e ? (size_t)(e - p) : strlen(p);
		char *line = xstrndup(p, len + (e != NULL)); /* "\nline\n" */
		if (!strstr(now, line)) {
			free(line);
			return 0;
		}
		free(line);
		n++;
		p = e;
	}
	return n > 0;
}

static void build_and_ingest(const char *db)
{
	struct pipeline_config c;
	struct store st;
	struct pipeline_result r;
	write_demo_conf("demo.conf", 20);
	CHECK_INT("pipeline-build-1.1", config_read(&c, test_path("demo.conf")), 0);
	CHECK_INT("pipeline-build-1.2", store_open(&st, db, STORE_CREATE), 0);
	CHECK_INT("pipeline-build-1.3", pipeline_plan(&st, &c, &r), 0);
	int all = 1;
	for (int i = 0; i < N_STAGES; i++)
		all &= r.stage[i].run && !strcmp(buf_str(&r.stage[i].reason), "never completed");
	CHECK("pipeline-build-1.4", all);
	pipeline_result_release(&r);

	CHECK_INT("pipeline-build-2.1", pipeline_build(&st, &c, NULL, NULL, &r), 0);
	int done = 1;
	for (int i = 0; i < N_STAGES; i++)
		done &= r.stage[i].done;
	CHECK("pipeline-build-2.2", done);
	CHECK_INT("pipeline-build-2.3", r.reports_added, 51);
	CHECK_INT("pipeline-build-2.4", r.reports_added, test_q(&st, "SELECT count(*) FROM reports"));
	CHECK_INT("pipeline-build-2.5", r.mentions, test_q(&st, "SELECT count(*) FROM mentions"));
	CHECK_INT("pipeline-build-2.6", r.links, test_q(&st, "SELECT count(*) FROM mention_regions"));
	CHECK_INT("pipeline-build-2.7", test_q(&st, "SELECT count(*) FROM stage_runs WHERE command = 'build'"), 5);
	CHECK_INT("pipeline-build-2.8", test_q(&st, "SELECT count(*) FROM embedding_epochs"), 20);
	/* knowledge (5 files), annotations and plans (3 splits x 4: annotations,
	 * plans, negatives, sample pool), not the manifest */
	CHECK_INT("pipeline-build-2.9", r.files_written, 17);
	pipeline_result_release(&r);

	/* nothing changed: nothing runs */
	CHECK_INT("pipeline-build-3.1", pipeline_build(&st, &c, NULL, NULL, &r), 0);
	int none = 1;
	for (int i = 0; i < N_STAGES; i++)
		none &= !r.stage[i].done && !strncmp(buf_str(&r.stage[i].reason), "done: unchanged", 15);
	CHECK("pipeline-build-3.2", none);
	CHECK_INT("pipeline-build-3.3", test_q(&st, "SELECT count(*) FROM stage_runs"), 5);
	pipeline_result_release(&r);
	config_release(&c);

	/* another setting of a late stage: only it and what follows run */
	write_demo_conf("demo.conf", 25);
	CHECK_INT("pipeline-build-4.1", config_read(&c, test_path("demo.conf")), 0);
	CHECK_INT("pipeline-build-4.2", pipeline_plan(&st, &c, &r), 0);
	CHECK("pipeline-build-4.3", !r.stage[STAGE_LOAD].run && !r.stage[STAGE_EXTRACT].run &&
				    !r.stage[STAGE_LINK].run && r.stage[STAGE_EMBED].run &&
				    r.stage[STAGE_EXPORT].run);
	CHECK_STR("pipeline-build-4.4", buf_str(&r.stage[STAGE_EMBED].reason), "changed: epochs 25 (was 20)");
	CHECK_STR("pipeline-build-4.5", buf_str(&r.stage[STAGE_EXPORT].reason), "after embed");
	pipeline_result_release(&r);
	CHECK_INT("pipeline-build-4.6", pipeline_build(&st, &c, NULL, NULL, &r), 0);
	CHECK_INT("pipeline-build-4.7", test_q(&st, "SELECT count(*) FROM embedding_models"), 2);
	CHECK_INT("pipeline-build-4.8", r.files_written, 2); /* the vectors; the ids and triples stay */
	pipeline_result_release(&r);

	/* a build killed after training, before recording: the model is found
	 * again by its key, not trained twice */
	CHECK_INT("pipeline-build-5.1", store_exec(&st, "DELETE FROM stage_runs WHERE stage IN ('embed', "
						 "'export') AND id > 5"), 0);
	CHECK_INT("pipeline-build-5.2", pipeline_build(&st, &c, NULL, NULL, &r), 0);
	CHECK("pipeline-build-5.3", !r.stage[STAGE_LINK].done && r.stage[STAGE_EMBED].done &&
				    r.stage[STAGE_EXPORT].done);
	CHECK_INT("pipeline-build-5.4", test_q(&st, "SELECT count(*) FROM embedding_models"), 2);
	CHECK_INT("pipeline-build-5.5", r.model, 2);
	CHECK_INT("pipeline-build-5.6", r.files_written, 0);
	pipeline_result_release(&r);

	/* ingest the second batch */
	char in2[1200];
	snprintf(in2, sizeof in2, "%s/data/demo/reports2", top);
	char *inputs[] = { in2 };
	int64_t ents_before = test_q(&st, "SELECT count(*) FROM embeddings WHERE model = 2 AND kind = 'e'");
	char ids[1200];
	snprintf(ids, sizeof ids, "%s/pipeline-export/knowledge/entity2id.txt", test_tmpdir());
	char *ids_before = test_read(ids, NULL);
	CHECK_INT("pipeline-ingest-1.1", pipeline_ingest(&st, &c, inputs, 1, NULL, NULL, &r), 0);
	CHECK_INT("pipeline-ingest-1.2", r.reports_added, 14);
	CHECK_INT("pipeline-ingest-1.3", r.model, 3);
	CHECK_INT("pipeline-ingest-1.4", r.parent, 2);
	CHECK("pipeline-ingest-1.5", r.new_entities > 0);
	CHECK_INT("pipeline-ingest-1.6", r.new_entities,
		  test_q(&st, "SELECT count(*) FROM embeddings WHERE model = 3 AND kind = 'e'") - ents_before);
	/* the old vectors are kept byte for byte */
	CHECK_INT("pipeline-ingest-1.7", test_q(&st, "SELECT count(*) FROM embeddings a JOIN embeddings b ON "
					"a.kind = b.kind AND a.item = b.item WHERE a.model = 2 AND "
					"b.model = 3 AND a.vector <> b.vector"), 0);
	CHECK("pipeline-ingest-1.8", r.files_written > 0);
	CHECK_INT("pipeline-ingest-1.8.files", r.files_written + r.files_kept, 17);
	CHECK_INT("pipeline-ingest-1.9", test_q(&st, "SELECT count(*) FROM stage_runs WHERE command = 'ingest'"), 4);
	/* entity ids stay: every line of the old entity2id.txt is in the new one */
	char *ids_after = test_read(ids, NULL);
	CHECK("pipeline-ingest-1.10", ids_before && ids_after && lines_kept(ids_before, ids_after) &&
				      strcmp(ids_before, ids_after));
	free(ids_before);
	free(ids_after);
	pipeline_result_release(&r);
	/* again: nothing new */
	CHECK_INT("pipeline-ingest-2.1", pipeline_ingest(&st, &c, inputs, 1, NULL, NULL, &r), 0);
	CHECK_INT("pipeline-ingest-2.2", r.reports_unchanged, 14);
	CHECK_INT("pipeline-ingest-2.2.added", r.reports_added, 0);
	CHECK_INT("pipeline-ingest-2.2.model", r.model, 0);
	CHECK_INT("pipeline-ingest-2.2.files", r.files_written, 0);
	pipeline_result_release(&r);
	config_release(&c);

	/* a configuration the store was not built with */
	write_demo_conf("demo.conf", 30);
	CHECK_INT("pipeline-ingest-3.1", config_read(&c, test_path("demo.conf")), 0);
	last_error_reset();
	CHECK_INT("pipeline-ingest-3.2", pipeline_ingest(&st, &c, inputs, 1, NULL, NULL, &r), -1);
	CHECK_ERR("pipeline-ingest-3.3", "run 'medkg build");
	config_release(&c);
	write_demo_conf("demo.conf", 25);
	store_close(&st);
}

/* ------------------------------------------------------------ report */

static xmlXPathObjectPtr xp(xmlXPathContextPtr ctx, const char *expr)
{
	return xmlXPathEvalExpression((const xmlChar *)expr, ctx);
}

static int64_t attr_int(xmlNodePtr n, const char *name)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	int64_t x = v ? atoll((const char *)v) : -1;
	xmlFree(v);
	return x;
}

static double attr_double(xmlNodePtr n, const char *name)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	double x = v ? atof((const char *)v) : -1;
	xmlFree(v);
	return x;
}

static int attr_is(xmlNodePtr n, const char *name, const char *want)
{
	xmlChar *v = xmlGetProp(n, (const xmlChar *)name);
	int same = v && !strcmp((const char *)v, want);
	xmlFree(v);
	return same;
}

static void report_checks(const char *db)
{
	struct store st;
	CHECK_INT("pipeline-report-1.1", store_open(&st, db, STORE_READONLY), 0);
	struct buf page = BUF_INIT;
	struct report_stats s;
	CHECK_INT("pipeline-report-1.2", report_render(&st, &page, &s), 0);
	CHECK_INT("pipeline-report-1.3", s.charts, 6);
	/* nothing to run or fetch: the only URL is the SVG namespace */
	CHECK("pipeline-report-1.4", !strstr(page.p, "<script") && !strstr(page.p, "https://") &&
				     !strstr(page.p, "src=") && !strstr(page.p, "href=") &&
				     !strstr(page.p, "url(") && !strstr(page.p, "@import"));
	htmlDocPtr doc = htmlReadMemory(page.p, (int)page.len, "report.html", "UTF-8",
					HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
	CHECK("pipeline-report-1.5", doc != NULL);
	if (!doc) {
		buf_release(&page);
		store_close(&st);
		return;
	}
	xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
	const char *ids[] = { "chart-concepts", "chart-polarity", "chart-entities", "chart-regions",
			      "chart-loss", "chart-stages" };
	for (size_t i = 0; i < ARRAY_SIZE(ids); i++) {
		char e[128];
		snprintf(e, sizeof e, "//svg[@id='%s' and not(@class='empty')]", ids[i]);
		xmlXPathObjectPtr o = xp(ctx, e);
		CHECK_INT("pipeline-report-2", o && o->nodesetval ? o->nodesetval->nodeNr : 0, 1);
		xmlXPathFreeObject(o);
	}

	/* concepts: the top 30, in order, with their counts */
	sqlite3_stmt *sq = store_prepare(&st, "SELECT c.cui, count(*) AS n FROM mentions m JOIN "
					     "concepts c ON c.id = m.concept GROUP BY m.concept "
					     "ORDER BY n DESC, c.cui LIMIT 30");
	xmlXPathObjectPtr o = xp(ctx, "//svg[@id='chart-concepts']/g[@class='bar']");
	int n = o->nodesetval ? o->nodesetval->nodeNr : 0, ok = n == 30;
	for (int i = 0; i < n && sqlite3_step(sq) == SQLITE_ROW; i++) {
		xmlNodePtr g = o->nodesetval->nodeTab[i];
		ok &= attr_is(g, "data-label", (const char *)sqlite3_column_text(sq, 0)) &&
		      attr_int(g, "data-value") == sqlite3_column_int64(sq, 1);
	}
	CHECK("pipeline-report-3.1", ok);
	sqlite3_finalize(sq);
	xmlXPathFreeObject(o);

	/* polarity by section */
	sq = store_prepare(&st, "SELECT section, polarity, count(*) FROM mentions GROUP BY 1, 2");
	int checked = 0;
	ok = 1;
	while (sqlite3_step(sq) == SQLITE_ROW) {
		char e[256];
		snprintf(e, sizeof e, "//svg[@id='chart-polarity']/g[@data-section='%s']/"
				      "rect[@data-polarity='%s']",
			 sqlite3_column_text(sq, 0), sqlite3_column_text(sq, 1));
		o = xp(ctx, e);
		ok &= o->nodesetval && o->nodesetval->nodeNr == 1 &&
		      attr_int(o->nodesetval->nodeTab[0], "data-value") == sqlite3_column_int64(sq, 2);
		xmlXPathFreeObject(o);
		checked++;
	}
	sqlite3_finalize(sq);
	CHECK("pipeline-report-3.2", ok && checked >= 4);

	/* entities per report: bins add up to the reports, each bin right */
	o = xp(ctx, "//svg[@id='chart-entities']/rect[@class='bin']");
	int64_t sum = 0;
	ok = o->nodesetval && o->nodesetval->nodeNr > 0;
	sq = store_prepare(&st, "SELECT count(*) FROM reports r WHERE (SELECT count(DISTINCT concept) "
				"FROM mentions m WHERE m.report = r.id) BETWEEN ? AND ?");
	for (int i = 0; ok && i < o->nodesetval->nodeNr; i++) {
		xmlNodePtr b = o->nodesetval->nodeTab[i];
		sqlite3_bind_int64(sq, 1, attr_int(b, "data-lo"));
		sqlite3_bind_int64(sq, 2, attr_int(b, "data-hi"));
		ok &= sqlite3_step(sq) == SQLITE_ROW && sqlite3_column_int64(sq, 0) == attr_int(b, "data-value");
		sqlite3_reset(sq);
		sum += attr_int(b, "data-value");
	}
	sqlite3_finalize(sq);
	CHECK("pipeline-report-3.3", ok);
	CHECK_INT("pipeline-report-3.4", sum, test_q(&st, "SELECT count(*) FROM reports"));
	xmlXPathFreeObject(o);

	/* regions: every atlas region, with its links */
	o = xp(ctx, "//svg[@id='chart-regions']/rect[@class='region']");
	CHECK_INT("pipeline-report-3.5", o->nodesetval ? o->nodesetval->nodeNr : 0,
		  test_q(&st, "SELECT count(*) FROM regions WHERE image IS NULL"));
	sq = store_prepare(&st, "SELECT count(*) FROM mention_regions WHERE region = ?");
	ok = 1;
	int64_t linked = 0;
	for (int i = 0; o->nodesetval && i < o->nodesetval->nodeNr; i++) {
		xmlNodePtr r = o->nodesetval->nodeTab[i];
		xmlChar *name = xmlGetProp(r, (const xmlChar *)"data-region");
		sqlite3_bind_text(sq, 1, (const char *)name, -1, SQLITE_TRANSIENT);
		ok &= sqlite3_step(sq) == SQLITE_ROW && sqlite3_column_int64(sq, 0) == attr_int(r, "data-value");
		sqlite3_reset(sq);
		linked += attr_int(r, "data-value");
		xmlFree(name);
	}
	sqlite3_finalize(sq);
	CHECK("pipeline-report-3.6", ok);
	CHECK_INT("pipeline-report-3.7", linked, test_q(&st, "SELECT count(*) FROM mention_regions"));
	xmlXPathFreeObject(o);

	/* loss curve: the latest model trained from scratch */
	o = xp(ctx, "//svg[@id='chart-loss']/polyline[@class='loss']");
	int n_lines = o->nodesetval ? o->nodesetval->nodeNr : 0;
	if (n_lines == 1) {
		xmlNodePtr p = o->nodesetval->nodeTab[0];
		int64_t model = attr_int(p, "data-model");
		CHECK_INT("pipeline-report-3.8", model, test_q(&st, "SELECT max(id) FROM embedding_models WHERE parent IS NULL"));
		char sql[256];
		snprintf(sql, sizeof sql, "SELECT count(*) FROM embedding_epochs WHERE model = %lld", (long long)model);
		CHECK_INT("pipeline-report-3.9", attr_int(p, "data-epochs"), test_q(&st, sql));
		sqlite3_stmt *l = store_prepare(&st, "SELECT loss FROM embedding_epochs WHERE model = ? "
						     "ORDER BY epoch DESC LIMIT 1");
		sqlite3_bind_int64(l, 1, model);
		CHECK_NEAR("pipeline-report-3.10",
			   sqlite3_step(l) == SQLITE_ROW ? sqlite3_column_double(l, 0) : NAN,
			   attr_double(p, "data-last"), 0);
		sqlite3_finalize(l);
		xmlChar *pts = xmlGetProp(p, (const xmlChar *)"points");
		int commas = 0;
		for (const xmlChar *c = pts; c && *c; c++)
			commas += *c == ',';
		CHECK_INT("pipeline-report-3.11", commas, attr_int(p, "data-epochs"));
		xmlFree(pts);
	}
	CHECK_INT("pipeline-report-3.12", n_lines, 1);
	xmlXPathFreeObject(o);

	/* metrics: filtered MRR of the latest evaluated model */
	o = xp(ctx, "//table[@id='metrics']//tr[@data-ranking='filtered']/td[@data-metric='mrr']");
	ok = o->nodesetval && o->nodesetval->nodeNr == 1;
	sq = store_prepare(&st, "SELECT json_extract(metrics, '$.holdout.filtered.mrr') FROM "
				"embedding_models WHERE metrics IS NOT NULL ORDER BY id DESC LIMIT 1");
	CHECK_NEAR("pipeline-report-3.13", sqlite3_step(sq) == SQLITE_ROW ? sqlite3_column_double(sq, 0) : NAN,
		   ok ? attr_double(o->nodesetval->nodeTab[0], "data-value") : NAN, 0);
	sqlite3_finalize(sq);
	xmlXPathFreeObject(o);

	/* stage timings: the latest of each stage and command */
	o = xp(ctx, "//svg[@id='chart-stages']/g[@class='stage']");
	CHECK_INT("pipeline-report-3.14", o->nodesetval ? o->nodesetval->nodeNr : 0,
		  test_q(&st, "SELECT count(*) FROM (SELECT DISTINCT command, stage FROM stage_runs)"));
	sq = store_prepare(&st, "SELECT seconds FROM stage_runs WHERE command = ? AND stage = ? "
				"ORDER BY id DESC LIMIT 1");
	ok = 1;
	for (int i = 0; o->nodesetval && i < o->nodesetval->nodeNr; i++) {
		xmlNodePtr g = o->nodesetval->nodeTab[i];
		xmlChar *cmd = xmlGetProp(g, (const xmlChar *)"data-command");
		xmlChar *stg = xmlGetProp(g, (const xmlChar *)"data-stage");
		sqlite3_bind_text(sq, 1, (const char *)cmd, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(sq, 2, (const char *)stg, -1, SQLITE_TRANSIENT);
		ok &= sqlite3_step(sq) == SQLITE_ROW &&
		      fabs(sqlite3_column_double(sq, 0) - attr_double(g, "data-value")) < 1e-6;
		sqlite3_reset(sq);
		xmlFree(cmd);
		xmlFree(stg);
	}
	sqlite3_finalize(sq);
	CHECK("pipeline-report-3.15", ok);
	xmlXPathFreeObject(o);

	xmlXPathFreeContext(ctx);
	xmlFreeDoc(doc);
	buf_release(&page);

	/* a file written through a temporary, and nothing left behind */
	char out[1200];
	snprintf(out, sizeof out, "%s/report.html", test_tmpdir());
	CHECK_INT("pipeline-report-4.1", report_write(&st, out, &s), 0);
	CHECK("pipeline-report-4.2", access(out, R_OK) == 0 && s.bytes > 1000);
	last_error_reset();
	CHECK_INT("pipeline-report-4.3", report_write(&st, "/nonexistent-dir/r.html", &s), -1);
	CHECK_ERR("pipeline-report-4.4", "/nonexistent-dir/r.html");
	store_close(&st);
}

static void empty_report(void)
{
	char db[1200];
	snprintf(db, sizeof db, "%s/empty.db", test_tmpdir());
	struct store st;
	CHECK_INT("pipeline-report-5.1", store_open(&st, db, STORE_CREATE), 0);
	struct buf page = BUF_INIT;
	struct report_stats s;
	CHECK_INT("pipeline-report-5.2", report_render(&st, &page, &s), 0);
	CHECK_INT("pipeline-report-5.3", s.charts, 0);
	CHECK("pipeline-report-5.4", strstr(page.p, "id=\"chart-concepts\" class=\"empty\"") != NULL);
	buf_release(&page);
	store_close(&st);
}

/* Text from the store that looks like markup stays text: a CUI, a name, a
 * section, a region, a stage and the store's own path carrying a script
 * give a page with no script element, and the page read back gives the
 * strings as they were stored. */
static void hostile_report(void)
{
	static const char cui[] = "X\"><script>alert(1)</script>";
	static const char name[] = "<img src=x onerror=alert(2)> & 'quoted'";
	static const char section[] = "f'><script>alert(3)</script>";
	static const char region[] = "\"><script>alert(4)</script>";
	static const char stage[] = "</title><script>alert(5)</script>";
	char dir[1200], db[1400];
	snprintf(dir, sizeof dir, "%s/<script>alert(6)<", test_tmpdir());
	CHECK_INT("pipeline-report-6.1", mkdir(dir, 0777), 0);
	snprintf(db, sizeof db, "%s/h.db", dir);
	struct store st;
	CHECK_INT("pipeline-report-6.2", store_open(&st, db, STORE_CREATE), 0);
	sqlite3_stmt *q = store_prepare(&st,
		"INSERT INTO concepts(id, cui, name) VALUES (1, ?1, ?2)");
	sqlite3_bind_text(q, 1, cui, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, name, -1, SQLITE_STATIC);
	CHECK_INT("pipeline-report-6.3", sqlite3_step(q), SQLITE_DONE);
	sqlite3_finalize(q);
	const char *rows[] = {
		"INSERT INTO reports(id, source, external_id, hash, text, ingested) "
		"VALUES (1, 's', 'r1', 'h', 'x', 'now')",
		"INSERT INTO mentions(id, report, concept, section, sentence, start, end, surface, "
		"polarity) VALUES (1, 1, 1, ?1, 0, 0, 1, 'x', 'affirmed')",
		"UPDATE reports SET mention_first = 1, mention_count = 1",
		"INSERT INTO regions(name, x1, y1, x2, y2) VALUES (?2, 0.1, 0.1, 0.5, 0.5)",
		"INSERT INTO mention_regions(mention, region, method) VALUES (1, ?2, 'default')",
		"INSERT INTO stage_runs(command, stage, key, inputs, config, started, finished, "
		"seconds) VALUES (?3, ?3, 'k', '', 'c', 'now', ?3, 0.5)",
	};
	int ok = 1;
	for (size_t i = 0; i < ARRAY_SIZE(rows); i++) {
		q = store_prepare(&st, rows[i]);
		ok &= q != NULL;
		if (!q)
			continue;
		const char *v[] = { section, region, stage }; /* ?1, ?2, ?3 */
		for (int k = 1; k <= sqlite3_bind_parameter_count(q); k++)
			sqlite3_bind_text(q, k, v[k - 1], -1, SQLITE_STATIC);
		ok &= sqlite3_step(q) == SQLITE_DONE;
		sqlite3_finalize(q);
	}
	CHECK("pipeline-report-6.4", ok);
	struct buf page = BUF_INIT;
	struct report_stats s;
	CHECK_INT("pipeline-report-6.5", report_render(&st, &page, &s), 0);
	CHECK("pipeline-report-6.6", strstr(buf_str(&page), "<script") == NULL &&
				     strstr(buf_str(&page), "<img") == NULL);
	htmlDocPtr doc = htmlReadMemory(buf_str(&page), (int)page.len, "report.html", "UTF-8",
					HTML_PARSE_NOERROR | HTML_PARSE_NOWARNING | HTML_PARSE_NONET);
	CHECK("pipeline-report-6.7", doc != NULL);
	if (doc) {
		xmlXPathContextPtr ctx = xmlXPathNewContext(doc);
		xmlXPathObjectPtr o = xp(ctx, "//script | //img | //*[@onerror]");
		CHECK_INT("pipeline-report-6.8", o && o->nodesetval ? o->nodesetval->nodeNr : 0, 0);
		xmlXPathFreeObject(o);
		/* each string read back whole: attribute values and text */
		static const struct { const char *id, *xpath, *attr, *want; } back[] = {
			{ "pipeline-report-6.9", "//svg[@id='chart-concepts']/g[@class='bar']",
			  "data-label", cui },
			{ "pipeline-report-6.10", "//svg[@id='chart-concepts']/g[@class='bar']/text[1]",
			  NULL, name },
			{ "pipeline-report-6.11", "//svg[@id='chart-polarity']/g[@class='section']",
			  "data-section", section },
			{ "pipeline-report-6.12", "//svg[@id='chart-regions']/rect[@class='region']",
			  "data-region", region },
			{ "pipeline-report-6.13", "//svg[@id='chart-stages']/g[@class='stage']",
			  "data-stage", stage },
			{ "pipeline-report-6.14", "//h1", NULL, NULL },
		};
		for (size_t i = 0; i < ARRAY_SIZE(back); i++) {
			o = xp(ctx, back[i].xpath);
			xmlNodePtr n = o && o->nodesetval && o->nodesetval->nodeNr == 1
					       ? o->nodesetval->nodeTab[0] : NULL;
			xmlChar *v = !n ? NULL : back[i].attr ? xmlGetProp(n, (const xmlChar *)back[i].attr)
							      : xmlNodeGetContent(n);
			char want[1600];
			snprintf(want, sizeof want, "%s", back[i].want ? back[i].want : "");
			if (!back[i].want)
				snprintf(want, sizeof want, "medkg store %s", db);
			CHECK_STR(back[i].id, (const char *)v, want);
			xmlFree(v);
			xmlXPathFreeObject(o);
		}
		xmlXPathFreeContext(ctx);
		xmlFreeDoc(doc);
	}
	buf_release(&page);
	store_close(&st);
}

/* A configuration that names no images, on reports that hold none: the
 * export stage exports a sample per report instead of failing after four
 * stages committed. */
static void build_without_images(void)
{
	char reports[1200], db[1200];
	snprintf(reports, sizeof reports, "%s/noimg.csv", test_tmpdir());
	struct buf b = BUF_INIT;
	buf_adds(&b, "uid,findings,impression\n");
	for (int i = 0; i < 12; i++)
		buf_addf(&b, "%d,Cardiomegaly. The heart is enlarged. Atelectasis in the left lung.,"
			 "Pneumonia in the right lung. Left pleural effusion.\n", i);
	write_file(reports, b.p, b.len);
	buf_release(&b);
	char text[4096];
	snprintf(text, sizeof text,
		 "[knowledge]\numls = %s/data/demo\n[reports]\ninput = %s\n"
		 "[embed]\ndim = 8\nepochs = 2\nneg = 2\nthreads = 1\nmin_count = 1\n"
		 "[export]\ndir = noimg-export\n", top, reports);
	test_file("noimg.conf", text, strlen(text), 0);
	snprintf(db, sizeof db, "%s/noimg.db", test_tmpdir());
	struct pipeline_config c;
	struct store st;
	struct pipeline_result r;
	CHECK_INT("pipeline-build-9.1", config_read(&c, test_path("noimg.conf")), 0);
	CHECK_INT("pipeline-build-9.2", store_open(&st, db, STORE_CREATE), 0);
	CHECK_INT("pipeline-build-9.3", pipeline_build(&st, &c, NULL, NULL, &r), 0);
	CHECK_INT("pipeline-build-9.4", r.stage[STAGE_EXPORT].done, 1);
	CHECK("pipeline-build-9.5", strstr(buf_str(&r.stage[STAGE_EXPORT].said),
				   "no images: one sample per report") != NULL);
	char *ann = xstrdup(test_path("noimg-export/annotations/train.jsonl"));
	char *text2 = test_read(ann, NULL);
	size_t lines = 0;
	for (const char *p = text2; *p; p++)
		lines += *p == '\n';
	CHECK("pipeline-build-9.6", lines >= 8 && lines <= 12);
	free(text2);
	free(ann);
	pipeline_result_release(&r);
	store_close(&st);
	config_release(&c);
}

void test_pipeline(void)
{
	if (!CHECK("pipeline-0.1", getcwd(top, sizeof top) != NULL))
		return;
	config_errors();
	char db[1200];
	snprintf(db, sizeof db, "%s/pipe.db", test_tmpdir());
	build_and_ingest(db);
	report_checks(db);
	empty_report();
	hostile_report();
	build_without_images();
}
