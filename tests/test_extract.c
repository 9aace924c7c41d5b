/* Readers on fixtures and real files, bad input, and extraction into a store
 * with the demo knowledge base: offsets, incremental runs, threads, shards
 * and merge, the dictionary cache. */
#define _GNU_SOURCE
#include "testhelp.h"
#include "tests.h"
#include "../common/util.h"
#include "../extract/context.h"
#include "../extract/extract.h"
#include "../extract/merge.h"
#include "../extract/readers.h"
#include "../store/mentions.h"
#include "../store/store.h"
#include "../store/umls.h"

#include <omp.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

/* Read every report of path. @return the count (-1 on error); ids joined
 * by spaces into ids when given; the last report kept in *last. */
static int read_all(const char *path, const struct reader_options *o, struct buf *ids,
		    struct report *last, int64_t *skipped, int64_t *empty)
{
	struct reader *rd = reader_open(path, o);
	if (!rd)
		return -1;
	struct report r;
	memset(&r, 0, sizeof r);
	int n = 0, got;
	while ((got = reader_next(rd, &r)) > 0) {
		n++;
		if (ids)
			buf_addf(ids, "%s%s", ids->len ? " " : "", r.id);
		if (last) {
			report_release(last);
			*last = r;
			memset(&r, 0, sizeof r);
		}
	}
	report_release(&r);
	if (skipped)
		*skipped = reader_skipped(rd);
	if (empty)
		*empty = reader_empty(rd);
	reader_free(rd);
	return got < 0 ? -1 : n;
}

/* ext-NAME in the test directory (as test_path: valid for the next 16
 * calls). */
static const char *tmp(const char *name)
{
	char n[256];
	snprintf(n, sizeof n, "ext-%s", name);
	return test_path(n);
}

/* Every split point k of a file into the windows [0, k) and [k, end): the
 * two windows read, in order, exactly the reports of the whole file (case
 * id.k: the first k that fails). */
static void check_windows(const char *id, const char *path, size_t size)
{
	struct reader_options o;
	memset(&o, 0, sizeof o);
	struct buf all = BUF_INIT;
	int n = read_all(path, &o, &all, NULL, NULL, NULL);
	CHECK(test_id("%s.all", id), n > 3);
	size_t bad = 0;
	int failed = 0;
	for (size_t k = 0; k <= size + 1 && !failed; k++) {
		struct buf a = BUF_INIT, b = BUF_INIT;
		o.windowed = 1;
		o.lo = 0;
		o.hi = (int64_t)k;
		int na = read_all(path, &o, &a, NULL, NULL, NULL);
		o.lo = (int64_t)k;
		o.hi = INT64_MAX;
		int nb = read_all(path, &o, &b, NULL, NULL, NULL);
		if (a.len && b.len)
			buf_addc(&a, ' ');
		buf_adds(&a, b.len ? b.p : "");
		if (na < 0 || nb < 0 || na + nb != n || strcmp(a.len ? a.p : "", all.p)) {
			failed = 1;
			bad = k;
		}
		buf_release(&a);
		buf_release(&b);
	}
	CHECK_INT(test_id("%s.split", id), failed ? (int64_t)bad : -1, -1);
	buf_release(&all);
}

static void test_windows(void)
{
	/* quoted fields across lines, quotes escaped by doubling, a record
	 * whose continuation line starts like a record */
	static const char csv[] =
		"id,findings,impression\n"
		"r1,\"Heart normal.\nLungs clear.\",No acute disease.\n"
		"r2,\"He said \"\"no\"\"\nr9,x,y\nstill r2\",Effusion.\n"
		"r3,Small effusion.,\"Line one\n\nline three\"\n"
		"r4,Pneumothorax.,Chest tube.\n"
		"r5,\"\",Clear.\n";
	write_file(tmp("win.csv"), csv, sizeof csv - 1);
	check_windows("extract-window-1", tmp("win.csv"), sizeof csv - 1);
	static const char jsonl[] =
		"{\"id\": \"j1\", \"text\": \"Heart normal.\"}\n"
		"\n"
		"{\"id\": \"j2\", \"text\": \"Lungs clear.\\nNo effusion.\"}\n"
		"{\"id\": \"j3\", \"text\": \"Cardiomegaly.\"}\r\n"
		"{\"id\": \"j4\", \"text\": \"Pneumothorax.\"}";
	write_file(tmp("win.jsonl"), jsonl, sizeof jsonl - 1);
	check_windows("extract-window-2", tmp("win.jsonl"), sizeof jsonl - 1);
	/* a tree: each file is one unit at its offset; a single XML file one
	 * unit at 0 */
	struct reader_options o;
	memset(&o, 0, sizeof o);
	o.windowed = 1;
	o.lo = 1;
	o.hi = INT64_MAX;
	CHECK_INT("extract-window-3.1", read_all("data/demo/reports/CXR9001.xml", &o, NULL, NULL,
						 NULL, NULL), 0);
	o.lo = 0;
	o.hi = 1;
	CHECK_INT("extract-window-3.2", read_all("data/demo/reports/CXR9001.xml", &o, NULL, NULL,
						 NULL, NULL), 1);
	int64_t size = 0;
	CHECK_INT("extract-window-3.3", reader_input_size("data/demo/reports", &o, &size), 0);
	o.hi = size / 2;
	int first = read_all("data/demo/reports", &o, NULL, NULL, NULL, NULL);
	o.lo = size / 2;
	o.hi = INT64_MAX;
	int second = read_all("data/demo/reports", &o, NULL, NULL, NULL, NULL);
	CHECK("extract-window-3.4", first > 10 && second > 10 && first + second == 51);
}

static const char *section_text(const struct report *r, const char *name, char *out, size_t n)
{
	for (size_t i = 0; i < r->n_sec; i++)
		if (!strcmp(r->sec[i].name, name)) {
			snprintf(out, n, "%.*s", (int)(r->sec[i].end - r->sec[i].start),
				 r->text.p + r->sec[i].start);
			return out;
		}
	return "";
}

static void test_readers(void)
{
	struct reader_options o;
	memset(&o, 0, sizeof o);
	struct report r;
	memset(&r, 0, sizeof r);
	struct buf ids = BUF_INIT;
	char sec[512];

	/* CSV: quoting, a quoted newline, defaults findings + impression */
	const char *csv = "uid,image,findings,impression\n"
			  "1,x,\"No effusion, no edema.\",Normal.\n"
			  "2,\"a \"\"b\"\"\",\"Line one\nline two.\",\n"
			  "3,x,,\n";
	write_file(tmp("r.csv"), csv, strlen(csv));
	int64_t skipped = 0, empty = 0;
	CHECK_INT("extract-csv-1.1", read_all(tmp("r.csv"), &o, &ids, &r, &skipped, &empty), 2);
	CHECK_STR("extract-csv-1.2", buf_str(&ids), "1 2");
	CHECK_STR("extract-csv-1.3", section_text(&r, "findings", sec, sizeof sec), "Line one\nline two.");
	CHECK_INT("extract-csv-1.4", r.line, 3);
	CHECK_INT("extract-csv-1.5", empty, 1);
	/* the same file compressed */
	write_zst(tmp("r.csv.zst"), csv, strlen(csv));
	CHECK_INT("extract-csv-1.6", read_all(tmp("r.csv.zst"), &o, NULL, NULL, NULL, NULL), 2);
	/* chosen columns */
	char *cols[] = { "impression", NULL };
	o.text_cols = cols;
	o.id_col = "image";
	buf_reset(&ids);
	CHECK_INT("extract-csv-1.7", read_all(tmp("r.csv"), &o, &ids, NULL, NULL, NULL), 1);
	CHECK_STR("extract-csv-1.8", buf_str(&ids), "x");
	o.id_col = "nope";
	CHECK_INT("extract-csv-1.9", read_all(tmp("r.csv"), &o, NULL, NULL, NULL, NULL), -1);
	CHECK_ERR("extract-csv-1.10", "r.csv:1: no column 'nope'");
	memset(&o, 0, sizeof o);
	/* an unclosed quote; a short row */
	const char *unclosed = "uid,findings\n1,ok.\n2,\"never closed\n3,x\n";
	write_file(tmp("u.csv"), unclosed, strlen(unclosed));
	CHECK_INT("extract-csv-2.1", read_all(tmp("u.csv"), &o, NULL, NULL, NULL, NULL), -1);
	CHECK_ERR("extract-csv-2.2", "unclosed quote in the record that starts at line 3");
	o.lenient = 1;
	const char *shortrow = "uid,findings,impression\n1,a.,b.\n2,c.\n3,d.,e.\n";
	write_file(tmp("s.csv"), shortrow, strlen(shortrow));
	CHECK_INT("extract-csv-2.3", read_all(tmp("s.csv"), &o, NULL, NULL, &skipped, NULL), 2);
	CHECK_INT("extract-csv-2.4", skipped, 1);
	o.lenient = 0;
	CHECK_INT("extract-csv-2.5", read_all(tmp("s.csv"), &o, NULL, NULL, NULL, NULL), -1);
	CHECK_ERR("extract-csv-2.6", "s.csv:3: expected 3 fields, found 2");

	/* bad text: invalid UTF-8, a NUL byte, an oversized report */
	const char badutf[] = "uid,findings\n1,caf\xc3(\n2,fine.\n";
	write_file(tmp("b.csv"), badutf, sizeof badutf - 1);
	CHECK_INT("extract-bad-1.1", read_all(tmp("b.csv"), &o, NULL, NULL, NULL, NULL), -1);
	CHECK_ERR("extract-bad-1.2", "b.csv:2: report 1: invalid UTF-8");
	o.lenient = 1;
	CHECK_INT("extract-bad-1.3", read_all(tmp("b.csv"), &o, NULL, NULL, &skipped, NULL), 1);
	CHECK_INT("extract-bad-1.4", skipped, 1);
	o.lenient = 0;
	const char nul[] = "{\"id\":\"a\",\"report\":\"x\\u0000y\"}\n{\"id\":\"b\",\"report\":\"ok\"}\n";
	write_file(tmp("n.jsonl"), nul, sizeof nul - 1);
	CHECK_INT("extract-bad-2.1", read_all(tmp("n.jsonl"), &o, NULL, NULL, NULL, NULL), -1);
	CHECK_ERR("extract-bad-2.2", "n.jsonl:1: report a: NUL byte");
	size_t big = 10u << 20;
	char *huge = xmalloc(big + 64);
	int k = snprintf(huge, 64, "uid,findings\n1,");
	memset(huge + k, 'a', big);
	memcpy(huge + k + big, "\n", 2);
	write_file(tmp("h.csv"), huge, (size_t)k + big + 1);
	free(huge);
	CHECK_INT("extract-bad-3.1", read_all(tmp("h.csv"), &o, NULL, NULL, NULL, NULL), -1);
	CHECK_ERR("extract-bad-3.2", "over the limit of 1048576");
	o.lenient = 1;
	CHECK_INT("extract-bad-3.3", read_all(tmp("h.csv"), &o, NULL, NULL, &skipped, NULL), 0);
	CHECK_INT("extract-bad-3.4", skipped, 1);
	o.max_bytes = 16u << 20;
	CHECK_INT("extract-bad-3.5", read_all(tmp("h.csv"), &o, NULL, NULL, NULL, NULL), 1);
	memset(&o, 0, sizeof o);

	/* XML: the demo reports, one file and the directory */
	CHECK_INT("extract-xml-1.1", read_all("data/demo/reports/CXR9001.xml", &o, &ids, &r, NULL, NULL), 1);
	CHECK_STR("extract-xml-1.2", r.id, "CXR9001");
	CHECK_STR("extract-xml-1.3", section_text(&r, "impression", sec, sizeof sec),
		  "No acute cardiopulmonary process.");
	CHECK_INT("extract-xml-1.4", r.n_images, 2);
	CHECK_STR("extract-xml-1.5", r.n_images ? r.images[1] : "", "CXR9001_IM-0001-2001");
	CHECK_STR("extract-xml-1.6", r.sec[0].name, "comparison");
	CHECK_INT("extract-xml-1.7", read_all("data/demo/reports", &o, NULL, NULL, NULL, NULL), 51);
	/* entities are decoded */
	read_all("data/demo/reports/CXR9012.xml", &o, NULL, &r, NULL, NULL);
	CHECK("extract-xml-1.8", strstr(r.text.p, "&amp;") == NULL && strchr(r.text.p, '&') != NULL);
	const char *badxml = "<eCitation><uId id=\"X1\"/><AbstractText Label=\"FINDINGS\">ok"
			     "</AbstractText>\n<oops></eCitation>";
	write_file(tmp("bad.xml"), badxml, strlen(badxml));
	CHECK_INT("extract-xml-2.1", read_all(tmp("bad.xml"), &o, NULL, NULL, NULL, NULL), -1);
	CHECK_ERR("extract-xml-2.2", "bad.xml:2: malformed XML");
	/* entities the document declares (or names without declaring) are never
	 * expanded, and the report would lose text: an error naming the line */
	static const struct { const char *id, *xml, *err; } ents[] = {
		{ "extract-xml-2.5", "<!DOCTYPE eCitation [<!ENTITY ext SYSTEM \"/etc/hostname\">]>\n"
		  "<eCitation><uId id=\"E1\"/>\n<AbstractText Label=\"FINDINGS\">abc &ext; def"
		  "</AbstractText></eCitation>\n", "ent.xml:3: malformed XML: entity &ext; is not expanded" },
		{ "extract-xml-2.6", "<!DOCTYPE eCitation [<!ENTITY int \"internal\">]>\n"
		  "<eCitation><uId id=\"E1\"/>\n<AbstractText Label=\"FINDINGS\">abc &int; def"
		  "</AbstractText></eCitation>\n", "ent.xml:3: malformed XML: entity &int; is not expanded" },
		{ "extract-xml-2.7", "<!DOCTYPE eCitation SYSTEM \"http://example.org/x.dtd\">\n"
		  "<eCitation><uId id=\"E1\"/>\n<AbstractText Label=\"FINDINGS\">abc &undef; def"
		  "</AbstractText></eCitation>\n", "ent.xml:3: malformed XML: Entity 'undef' not defined" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(ents); i++) {
		write_file(tmp("ent.xml"), ents[i].xml, strlen(ents[i].xml));
		last_error_reset();
		CHECK_INT(test_id("%s.rc", ents[i].id), read_all(tmp("ent.xml"), &o, NULL, NULL, NULL, NULL), -1);
		CHECK_ERR(ents[i].id, ents[i].err);
	}
	const char *gx = "<eCitation><uId id=\"Z\"/><AbstractText Label=\"IMPRESSION\">"
			 "Clear.</AbstractText></eCitation>";
	write_zst(tmp("good.xml.zst"), gx, strlen(gx));
	CHECK_INT("extract-xml-2.3", read_all(tmp("good.xml.zst"), &o, NULL, &r, NULL, NULL), 1);
	CHECK_STR("extract-xml-2.4", r.sec[0].name, "impression");

	/* several reports in one XML file */
	const char *two = "<?xml version=\"1.0\"?><collection>"
			  "<eCitation><uId id=\"A\"/><AbstractText Label=\"FINDINGS\">One.</AbstractText>"
			  "<parentImage id=\"A_1\"/></eCitation>"
			  "<eCitation><uId id=\"B\"/><AbstractText Label=\"Impression\">Two.</AbstractText>"
			  "</eCitation></collection>";
	write_file(tmp("two.xml"), two, strlen(two));
	buf_reset(&ids);
	CHECK_INT("extract-xml-3.1", read_all(tmp("two.xml"), &o, &ids, &r, NULL, NULL), 2);
	CHECK_STR("extract-xml-3.2", buf_str(&ids), "A B");
	CHECK_STR("extract-xml-3.3", r.sec[0].name, "impression");
	CHECK_INT("extract-xml-3.4", r.n_images, 0);

	/* a MIMIC-style tree of .txt reports */
	mkdir(tmp("mimic"), 0755);
	mkdir(tmp("mimic/p10"), 0755);
	mkdir(tmp("mimic/p10/p10000032"), 0755);
	const char *txt = "                                 FINAL REPORT\n EXAMINATION:  CHEST (PA AND LAT)\n\n"
			  " INDICATION:  ___ with cough\n\n FINDINGS: \n\n No focal consolidation.\n\n"
			  " IMPRESSION: \n\n No acute process.\n";
	write_file(tmp("mimic/p10/p10000032/s50414267.txt"), txt, strlen(txt));
	write_zst(tmp("mimic/p10/p10000032/s50000001.txt.zst"), "Clear lungs.", 12);
	buf_reset(&ids);
	CHECK_INT("extract-txt-1.1", read_all(tmp("mimic"), &o, &ids, &r, NULL, NULL), 2);
	CHECK_STR("extract-txt-1.2", buf_str(&ids), "s50000001 s50414267");
	CHECK_STR("extract-txt-1.3", section_text(&r, "findings", sec, sizeof sec), "No focal consolidation.");
	CHECK_STR("extract-txt-1.4", section_text(&r, "indication", sec, sizeof sec), "___ with cough");

	/* symbolic links: loops back to the tree and above it, a second way to
	 * a directory and to a file; each report is read once, and the walk
	 * ends */
	mkdir(tmp("loop"), 0755);
	mkdir(tmp("loop/p10"), 0755);
	mkdir(tmp("loop/p10/p1"), 0755);
	write_file(tmp("loop/p10/p1/s1.txt"), txt, strlen(txt));
	write_file(tmp("loop/p10/s2.txt"), "Clear lungs.", 12);
	static const char *const links[][2] = {
		{ ".", "loop/s1" }, { ".", "loop/s2" }, { ".", "loop/s3" }, { "..", "loop/up" },
		{ "../..", "loop/p10/p1/top" }, { "..", "loop/p10/p1/back" }, { "p10/p1", "loop/q" },
		{ "p10/p1/s1.txt", "loop/z.txt" }, { "nowhere", "loop/p10/p1/dangling" },
	};
	int linked = 1;
	for (size_t i = 0; i < ARRAY_SIZE(links); i++)
		linked &= symlink(links[i][0], tmp(links[i][1])) == 0;
	CHECK("extract-walk-1.1", linked);
	buf_reset(&ids);
	CHECK_INT("extract-walk-1.2", read_all(tmp("loop"), &o, &ids, NULL, NULL, NULL), 2);
	CHECK_STR("extract-walk-1.3", buf_str(&ids), "s1 s2");
	/* a tree deeper than WALK_MAX_DEPTH is an error, not a stack overflow */
	struct buf deep = BUF_INIT;
	buf_adds(&deep, tmp("deep"));
	int made = 1;
	for (int i = 0; i < 70; i++) {
		made &= mkdir(deep.p, 0755) == 0;
		buf_adds(&deep, "/d");
	}
	CHECK("extract-walk-2.1", made);
	last_error_reset();
	CHECK_INT("extract-walk-2.2", read_all(tmp("deep"), &o, NULL, NULL, NULL, NULL), -1);
	CHECK_ERR("extract-walk-2.3", "a directory tree deeper than 64 levels");
	buf_release(&deep);

	/* JSON Lines, and R2Gen annotation JSON */
	const char *jl = "{\"id\":\"a\",\"report\":\"No effusion.\",\"image_path\":[\"a/0.png\"]}\n\n"
			 "{\"id\":7,\"text\":\"Clear.\",\"split\":\"val\"}\n";
	write_file(tmp("r.jsonl"), jl, strlen(jl));
	buf_reset(&ids);
	CHECK_INT("extract-json-1.1", read_all(tmp("r.jsonl"), &o, &ids, &r, NULL, NULL), 2);
	CHECK_STR("extract-json-1.2", buf_str(&ids), "a 7");
	CHECK_STR("extract-json-1.3", r.split ? r.split : "", "val");
	write_file(tmp("bad.jsonl"), "{\"id\":\"a\",\"report\":\"x\"}\n{oops\n", 30);
	CHECK_INT("extract-json-1.4", read_all(tmp("bad.jsonl"), &o, NULL, NULL, NULL, NULL), -1);
	CHECK_ERR("extract-json-1.5", "bad.jsonl:2: invalid JSON");
	const char *js = "{\"train\":[{\"id\":\"t1\",\"report\":\"A.\",\"image_path\":[\"t1/0.png\",\"t1/1.png\"]}],"
			 "\"test\":[{\"id\":\"e1\",\"report\":\"B.\"}]}";
	write_file(tmp("ann.json"), js, strlen(js));
	buf_reset(&ids);
	CHECK_INT("extract-json-2.1", read_all(tmp("ann.json"), &o, &ids, &r, NULL, NULL), 2);
	CHECK_STR("extract-json-2.2", buf_str(&ids), "t1 e1");
	CHECK_STR("extract-json-2.3", r.split ? r.split : "", "test");
	o.format = FORMAT_JSON;
	write_file(tmp("trunc.dat"), js, 40);
	CHECK_INT("extract-json-2.4", read_all(tmp("trunc.dat"), &o, NULL, NULL, NULL, NULL), -1);
	CHECK_ERR("extract-json-2.5", "invalid JSON");
	memset(&o, 0, sizeof o);

	/* the real files */
	const char *dir = shared_data("readers");
	if (dir) {
		char path[1024];
		snprintf(path, sizeof path, "%s/reports/iu_xray/reports.csv", dir);
		CHECK_INT("extract-real-1.1", read_all(path, &o, NULL, &r, NULL, &empty), 3826);
		CHECK_INT("extract-real-1.2", empty, 25);
		CHECK_STR("extract-real-1.3", r.id, "3999");
		snprintf(path, sizeof path, "%s/reports/iu_xray/r2gen_annotation.json", dir);
		buf_reset(&ids);
		CHECK_INT("extract-real-2.1", read_all(path, &o, &ids, &r, NULL, NULL), 2955);
		CHECK_STR("extract-real-2.2", r.split ? r.split : "", "test");
		CHECK_INT("extract-real-2.3", r.n_images, 2);
		CHECK("extract-real-2.4", !strncmp(ids.p, "CXR2384_IM-0942 ", 16));
	}
	buf_release(&ids);
	report_release(&r);
}

/* ---------------------------------------------------------------- store */

/* A checksum of what extraction wrote, without row ids or times: the rows of
 * reports (by source and id) with their images and mentions. */
static uint64_t checksum(struct store *st)
{
	sqlite3_stmt *s = store_prepare(st,
		"SELECT r.source, r.external_id, r.hash, r.text, r.sections, coalesce(r.split, ''), "
		"coalesce((SELECT group_concat(path, '|') FROM (SELECT path FROM images i WHERE "
		"i.report = r.id ORDER BY i.id)), ''), coalesce((SELECT group_concat(x, '|') FROM "
		"(SELECT c.cui || ',' || m.section || ',' || m.sentence || ',' || m.start || ',' || "
		"m.end || ',' || m.surface || ',' || m.polarity || ',' || m.historical AS x FROM "
		"mentions m JOIN concepts c ON c.id = m.concept WHERE m.report = r.id ORDER BY m.id)), "
		"'') FROM reports r ORDER BY r.source, r.external_id");
	XXH64_state_t *h = XXH64_createState();
	XXH64_reset(h, 0);
	while (s && sqlite3_step(s) == SQLITE_ROW)
		for (int i = 0; i < 8; i++)
			XXH64_update(h, sqlite3_column_text(s, i), (size_t)sqlite3_column_bytes(s, i) + 1);
	sqlite3_finalize(s);
	uint64_t v = XXH64_digest(h);
	XXH64_freeState(h);
	return v;
}

static int run(struct store *st, const char *input, struct extract_options *o,
	       struct extract_stats *s)
{
	char *in[] = { (char *)input };
	int rc = extract_run(st, in, 1, o, s);
	free(s->dict.filters);
	s->dict.filters = NULL;
	return rc;
}

/* Both demo batches in one run. */
static int run2(struct store *st, struct extract_options *o, struct extract_stats *s)
{
	char *in[] = { "data/demo/reports", "data/demo/reports2" };
	int rc = extract_run(st, in, 2, o, s);
	free(s->dict.filters);
	s->dict.filters = NULL;
	return rc;
}

static void test_store_extract(void)
{
	struct store st;
	if (test_store_demo(&st, "ext-e1") < 0) {
		CHECK("extract-0.1", 0);
		return;
	}
	struct extract_options o;
	memset(&o, 0, sizeof o);
	struct extract_stats s;
	int64_t cache = store_int(&st, "PRAGMA cache_size", 0);
	CHECK_INT("extract-1.1", run(&st, "data/demo/reports", &o, &s), 0);
	/* written without evaluating the CHECKs: every value passes them, and
	 * the connection has its cache and its CHECKs back */
	CHECK_INT("extract-1.1a", store_int(&st, "SELECT count(*) FROM mentions WHERE polarity NOT "
				  "IN ('affirmed', 'negated', 'uncertain') OR hedge NOT IN "
				  "('definite', 'probable', 'possible')", -1), 0);
	CHECK_INT("extract-1.1b", store_int(&st, "PRAGMA cache_size", 0), cache);
	CHECK_INT("extract-1.1c", sqlite3_exec(st.db, "INSERT INTO mentions(report, concept, "
				  "section, sentence, start, end, surface, polarity) VALUES "
				  "(1, 1, 'findings', 0, 0, 1, 'x', 'bogus')", NULL, NULL, NULL),
		  SQLITE_CONSTRAINT_CHECK);
	CHECK_INT("extract-1.2", s.added, 51);
	CHECK("extract-1.3", s.mentions > 500 && s.polarity[POL_NEGATED] > 50 &&
	      s.polarity[POL_UNCERTAIN] > 10 && s.historical > 0);
	CHECK_INT("extract-1.4", s.dict.from_cache, 0);
	/* every surface is exactly the text at its character offsets */
	CHECK_INT("extract-1.5", store_int(&st, "SELECT count(*) FROM mentions m JOIN reports r ON "
				  "r.id = m.report WHERE substr(r.text, m.start + 1, m.end - m.start) "
				  "<> m.surface", -1), 0);
	CHECK_INT("extract-1.6", store_int(&st, "SELECT count(*) FROM mentions WHERE section NOT IN "
				  "('findings', 'impression')", -1), 0);
	/* two views each, one for seven portable studies */
	CHECK_INT("extract-1.7", store_int(&st, "SELECT count(*) FROM images", 0), 95);
	/* non-ASCII text: offsets count characters (CXR9017 has a multiplication sign) */
	CHECK("extract-1.8", store_int(&st, "SELECT count(*) FROM reports WHERE length(text) < "
			      "length(CAST(text AS BLOB)) AND id IN (SELECT report FROM mentions)", 0) > 0);
	/* known polarity: CXR9001 negates the list, not the silhouette */
	CHECK_INT("extract-1.9", store_int(&st, "SELECT count(*) FROM mentions m JOIN reports r ON "
				  "r.id = m.report JOIN concepts c ON c.id = m.concept WHERE r.external_id "
				  "= 'CXR9001' AND m.polarity = 'negated' AND c.cui IN ('C0032326', "
				  "'C0032227', 'C0521530')", 0), 3);
	uint64_t first = checksum(&st);

	/* again: nothing changes, the dictionary comes from the cache */
	CHECK_INT("extract-incr-1.1", run(&st, "data/demo/reports", &o, &s), 0);
	CHECK_INT("extract-incr-1.2", s.added + s.changed, 0);
	CHECK_INT("extract-incr-1.3", s.unchanged, 51);
	CHECK_INT("extract-incr-1.4", s.dict.from_cache, 1);
	CHECK_INT("extract-incr-1.5", checksum(&st), first);
	/* a changed report is replaced, keeping its row id */
	int64_t id = store_int(&st, "SELECT id FROM reports WHERE external_id = 'CXR9002'", -1);
	mkdir(tmp("changed"), 0755);
	char *xml = NULL;
	size_t len;
	FILE *f = fopen("data/demo/reports/CXR9002.xml", "rb");
	xml = xmalloc(1 << 16);
	len = fread(xml, 1, 1 << 16, f);
	fclose(f);
	char *p = strstr(xml, "Label=\"IMPRESSION\">");
	CHECK("extract-incr-2.0", p != NULL);
	if (p) {
		struct buf b = BUF_INIT;
		p += 19;
		buf_add(&b, xml, (size_t)(p - xml));
		buf_adds(&b, "No pneumothorax. ");
		buf_add(&b, p, len - (size_t)(p - xml));
		write_file(tmp("changed/CXR9002.xml"), b.p, b.len);
		buf_release(&b);
	}
	free(xml);
	o.source = "reports";
	CHECK_INT("extract-incr-2.1", run(&st, tmp("changed"), &o, &s), 0);
	CHECK_INT("extract-incr-2.2", s.changed, 1);
	CHECK_INT("extract-incr-2.3", store_int(&st, "SELECT id FROM reports WHERE external_id = 'CXR9002'", -2), id);
	CHECK_INT("extract-incr-2.4", store_int(&st, "SELECT count(*) FROM mentions m JOIN reports r ON "
				  "r.id = m.report WHERE r.external_id = 'CXR9002' AND m.surface = "
				  "'pneumothorax' AND m.polarity = 'negated' AND m.section = 'impression'",
				  0), 1);
	CHECK_INT("extract-incr-2.5", store_int(&st, "SELECT count(*) FROM images i JOIN reports r ON "
				  "r.id = i.report WHERE r.external_id = 'CXR9002'", 0), 2);
	o.source = NULL;
	/* other settings re-extract (the hash covers them) */
	char *secs[] = { "findings", "impression", "indication", NULL };
	o.sections = secs;
	CHECK_INT("extract-incr-3.1", run(&st, "data/demo/reports", &o, &s), 0);
	CHECK_INT("extract-incr-3.2", s.changed, 51);
	CHECK("extract-incr-3.3", store_int(&st, "SELECT count(*) FROM mentions WHERE section = 'indication'", 0) > 0);
	o.sections = NULL;
	char *badsec[] = { "footnotes", NULL };
	o.sections = badsec;
	CHECK_INT("extract-incr-3.4", run(&st, "data/demo/reports", &o, &s), -1);
	CHECK_ERR("extract-incr-3.5", "unknown section 'footnotes'");
	o.sections = NULL;
	store_close(&st);

	/* threads and batches change nothing; shards merge into the same store */
	struct store a, b1, b2;
	uint64_t want = 0, got = 0;
	int threads = omp_get_max_threads();
	for (int t = 1; t <= 2; t++) {
		char name[32];
		snprintf(name, sizeof name, "ext-t%d", t);
		test_store_demo(&a, name);
		omp_set_num_threads(t);
		o.batch = t == 1 ? 1000 : 7;
		run2(&a, &o, &s);
		if (t == 1)
			want = checksum(&a);
		else
			got = checksum(&a);
		/* with 2 threads the analysing thread checkpointed beside the
		 * writer (batches of 7: dozens of times); the writer's own
		 * checkpoints are back on for what the connection does next */
		if (t == 2)
			CHECK_INT("extract-threads-1.2", store_int(&a, "PRAGMA wal_autocheckpoint", 0),
				  16384);
		store_close(&a);
	}
	omp_set_num_threads(threads);
	o.batch = 0;
	CHECK_INT("extract-threads-1.1", got, want);
	CHECK("extract-threads-1.1.some", want != 0);
	test_store_demo(&b1, "ext-s1");
	test_store_demo(&b2, "ext-s2");
	o.n_shards = 2;
	o.shard = 1;
	run2(&b1, &o, &s);
	int64_t added1 = s.added, hi1 = s.shard_hi;
	/* the two halves of the inputs' bytes, each some of the 65 reports */
	CHECK("extract-shard-1.1", added1 > 10 && added1 < 55);
	CHECK_INT("extract-shard-1.2", s.shard_lo, 0);
	o.shard = 2;
	run2(&b2, &o, &s);
	CHECK_INT("extract-shard-1.3", added1 + s.added, 65);
	CHECK_INT("extract-shard-1.4", s.shard_lo, hi1);
	CHECK_INT("extract-shard-1.5", s.shard_hi, s.shard_total);
	o.n_shards = 0;
	store_close(&b1);
	store_close(&b2);
	char *shards[] = { xstrdup(tmp("s1.db")), xstrdup(tmp("s2.db")) };
	struct merge_stats ms;
	CHECK_INT("extract-merge-1.1", merge_shards(tmp("m.db"), shards, 2, &ms), 0);
	CHECK_INT("extract-merge-1.2", ms.added, 65);
	store_open(&a, tmp("m.db"), 0);
	CHECK_INT("extract-merge-1.3", checksum(&a), want);
	/* the same ids as a single run, too */
	store_open(&b1, tmp("t1.db"), STORE_READONLY);
	CHECK_INT("extract-merge-1.4", store_int(&a, "SELECT sum(id * length(external_id)) FROM reports", 0),
		  store_int(&b1, "SELECT sum(id * length(external_id)) FROM reports", 1));
	store_close(&b1);
	store_close(&a);
	CHECK_INT("extract-merge-1.5", merge_shards(tmp("m.db"), shards, 2, &ms), 0);
	CHECK_INT("extract-merge-1.6", ms.unchanged, 65);
	/* a shard with a changed report replaces it in the output, keeping its id */
	store_open(&b1, shards[0], 0);
	store_exec(&b1, "UPDATE reports SET hash = 'x', text = 'changed' WHERE external_id = 'CXR9001';"
			"DELETE FROM mentions WHERE report = (SELECT id FROM reports WHERE "
			"external_id = 'CXR9001')");
	store_close(&b1);
	store_open(&a, tmp("m.db"), 0);
	int64_t before = store_int(&a, "SELECT id FROM reports WHERE external_id = 'CXR9001'", -1);
	store_close(&a);
	CHECK_INT("extract-merge-1.7", merge_shards(tmp("m.db"), shards, 2, &ms), 0);
	CHECK_INT("extract-merge-1.8", ms.changed, 1);
	store_open(&a, tmp("m.db"), 0);
	CHECK_INT("extract-merge-1.9", store_int(&a, "SELECT id FROM reports WHERE external_id = 'CXR9001' AND "
				  "text = 'changed'", -2), before);
	CHECK_INT("extract-merge-1.10", store_int(&a, "SELECT count(*) FROM mentions m JOIN reports r ON "
				  "r.id = m.report WHERE r.external_id = 'CXR9001'", -1), 0);
	store_close(&a);
	/* shards over another knowledge base are refused, the output untouched */
	struct store other;
	store_open(&other, tmp("other.db"), STORE_CREATE);
	struct umls_options uo;
	memset(&uo, 0, sizeof uo);
	char *sab[] = { "MEDKGRAD", NULL };
	uo.sab = sab;
	struct umls_stats us;
	umls_load(&other, "data/demo", &uo, &us);
	run(&other, "data/demo/reports2", &o, &s);
	store_close(&other);
	char *mixed[] = { shards[0], xstrdup(tmp("other.db")) };
	CHECK_INT("extract-merge-2.1", merge_shards(tmp("m2.db"), mixed, 2, &ms), -1);
	CHECK_ERR("extract-merge-2.2", "another knowledge base");
	struct stat sb;
	CHECK("extract-merge-2.3", stat(tmp("m2.db"), &sb) != 0);
	CHECK_INT("extract-merge-2.4", merge_shards(tmp("m.db"), mixed + 1, 1, &ms), -1);
	free(shards[0]);
	free(shards[1]);
	free(mixed[1]);

	/* the dictionary: filters, and a rebuild when the knowledge changes */
	test_store_demo(&a, "ext-d");
	char *types[] = { "T047", NULL };
	o.dict.types = types;
	CHECK_INT("extract-dict-3.1", run(&a, "data/demo/reports", &o, &s), 0);
	CHECK_INT("extract-dict-3.2", store_int(&a, "SELECT count(*) FROM mentions m WHERE NOT EXISTS "
				  "(SELECT 1 FROM concept_semtypes cs JOIN semtypes t ON t.id = cs.semtype "
				  "WHERE cs.concept = m.concept AND t.tui IN ('T047', 'T048', 'T191', "
				  "'T046', 'T050', 'T049', 'T019', 'T190'))", -1), 0);
	CHECK("extract-dict-3.3", s.mentions > 50);
	char *bad_type[] = { "T999", NULL };
	o.dict.types = bad_type;
	CHECK_INT("extract-dict-3.4", run(&a, "data/demo/reports", &o, &s), -1);
	CHECK_ERR("extract-dict-3.5", "no semantic type 'T999'");
	o.dict.types = NULL;
	char *bad_sab[] = { "NOPE", NULL };
	o.dict.sab = bad_sab;
	CHECK_INT("extract-dict-3.6", run(&a, "data/demo/reports", &o, &s), -1);
	o.dict.sab = NULL;
	CHECK_INT("extract-dict-3.7", run(&a, "data/demo/reports2", &o, &s), 0);
	CHECK_INT("extract-dict-3.8", s.dict.from_cache, 0);
	CHECK_INT("extract-dict-3.9", run(&a, "data/demo/reports2", &o, &s), 0);
	CHECK_INT("extract-dict-3.10", s.dict.from_cache, 1);
	uo.sab = NULL;
	uo.replace = 1;
	char *eng[] = { "ENG", "FRE", "SPA", NULL };
	uo.lang = eng;
	CHECK_INT("extract-dict-3.11", umls_load(&a, "data/demo", &uo, &us), 0);
	CHECK_INT("extract-dict-3.12", run(&a, "data/demo/reports2", &o, &s), 0);
	CHECK_INT("extract-dict-3.13", s.dict.from_cache, 0);
	CHECK_INT("extract-dict-3.14", store_int(&a, "SELECT count(DISTINCT kb_fingerprint) FROM dictionaries", 0), 1);
	/* a damaged cache is rebuilt, not trusted */
	store_exec(&a, "UPDATE dictionary_chunks SET data = zeroblob(100)");
	CHECK_INT("extract-dict-3.15", run(&a, "data/demo/reports2", &o, &s), 0);
	CHECK_INT("extract-dict-3.16", s.dict.from_cache, 0);
	/* dictionaries deleted without their chunks (foreign keys off) */
	store_exec(&a, "PRAGMA foreign_keys = OFF; DELETE FROM dictionaries; PRAGMA foreign_keys = ON");
	CHECK_INT("extract-dict-3.17", run(&a, "data/demo/reports2", &o, &s), 0);
	CHECK_INT("extract-dict-3.18", s.dict.from_cache, 0);
	CHECK_INT("extract-dict-3.19", run(&a, "data/demo/reports2", &o, &s), 0);
	CHECK_INT("extract-dict-3.20", s.dict.from_cache, 1);
	/* a recorded size that is negative or huge allocates nothing for it:
	 * the cache is refused and rebuilt */
	static const char *const sizes[] = { "-5", "4611686018427387904", "1" };
	for (size_t i = 0; i < ARRAY_SIZE(sizes); i++) {
		char sql[128];
		snprintf(sql, sizeof sql, "UPDATE dictionaries SET bytes = %s", sizes[i]);
		store_exec(&a, sql);
		CHECK_INT(test_id("extract-dict-4.%zu", i + 1), run(&a, "data/demo/reports2", &o, &s), 0);
		CHECK_INT(test_id("extract-dict-4.%zu.rebuilt", i + 1), s.dict.from_cache, 0);
	}
	store_close(&a);

	/* no knowledge base: a clear error */
	store_open(&a, tmp("empty.db"), STORE_CREATE);
	CHECK_INT("extract-kb-1.1", run(&a, "data/demo/reports", &o, &s), -1);
	CHECK_ERR("extract-kb-1.2", "no knowledge base");
	store_close(&a);

	/* JSON Lines: the same mentions, nothing stored */
	test_store_demo(&a, "ext-j");
	char *jl = NULL;
	size_t jn = 0;
	o.jsonl = open_memstream(&jl, &jn);
	CHECK_INT("extract-jsonl-1.1", run(&a, "data/demo/reports/CXR9001.xml", &o, &s), 0);
	fclose(o.jsonl);
	o.jsonl = NULL;
	CHECK_INT("extract-jsonl-1.2", store_int(&a, "SELECT count(*) FROM reports", -1), 0);
	CHECK("extract-jsonl-1.3", jl && strstr(jl, "{\"report_id\":\"CXR9001\",\"source\":\"CXR9001.xml\","
				       "\"section\":\"findings\",\"sentence\":4,\"start\":160,\"end\":172,"
				       "\"text\":\"pneumothorax\",\"cui\":\"C0032326\",\"name\":"
				       "\"Pneumothorax\",\"polarity\":\"negated\",\"historical\":false,"
				       "\"hedge\":\"definite\",\"hypothetical\":false,"
				       "\"match\":\"term\",\"candidates\":1,\"decided\":\"\","
				       "\"modifiers\":\"\",\"modifiers_start\":null}\n"));
	int lines = 0;
	for (char *q = jl; q && *q; q++)
		lines += *q == '\n';
	CHECK_INT("extract-jsonl-1.4", lines, (int)s.mentions);
	free(jl);
	/* a bad input stops the run: batches before it stay whole, none after */
	const char *bad = "uid,findings\n1,No effusion.\n2,Edema.\n3,\"unclosed\n";
	write_file(tmp("bad.csv"), bad, strlen(bad));
	o.batch = 1;
	CHECK_INT("extract-bad-4.1", run(&a, tmp("bad.csv"), &o, &s), -1);
	CHECK_ERR("extract-bad-4.2", "bad.csv");
	CHECK_INT("extract-bad-4.3", store_int(&a, "SELECT count(*) FROM reports", -1), 2);
	CHECK_INT("extract-bad-4.4", store_int(&a, "SELECT count(*) FROM mentions m WHERE NOT EXISTS (SELECT 1 "
				  "FROM reports r WHERE r.id = m.report)", -1), 0);
	o.batch = 0;
	store_close(&a);
}

/* Mention ids only grow: the last report's mentions removed (extracted
 * again with none), the next ids handed out are past theirs, not reused. */
static void test_ids_grow(void)
{
	struct store st;
	if (test_store_demo(&st, "ext-grow") < 0) {
		CHECK("extract-grow-0", 0);
		return;
	}
	struct extract_options o;
	memset(&o, 0, sizeof o);
	struct extract_stats s;
	const char *v1 = "uid,findings\n1,Small left pleural effusion.\n2,Cardiomegaly and edema.\n";
	const char *v2 = "uid,findings\n2,As before.\n1,Right pneumothorax. Pleural effusion.\n";
	write_file(tmp("grow.csv"), v1, strlen(v1));
	CHECK_INT("extract-grow-1.1", run(&st, tmp("grow.csv"), &o, &s), 0);
	int64_t top = store_int(&st, "SELECT max(id) FROM mentions", -1);
	CHECK("extract-grow-1.2", top > 2 * MENTION_BLOCK &&
		  store_int(&st, "SELECT count(*) FROM mentions WHERE report = 2", 0) >= 2);
	CHECK("extract-grow-1.3", !store_int(&st, "SELECT count(*) FROM sqlite_schema WHERE "
					   "name = 'mentions' AND sql LIKE '%AUTOINCREMENT%'", 1));
	/* report 2 (the last) loses its mentions, then report 1 is replaced:
	 * its new ids come after report 2's old ones, though none is left */
	write_file(tmp("grow.csv"), v2, strlen(v2));
	o.batch = 1;
	CHECK_INT("extract-grow-2.1", run(&st, tmp("grow.csv"), &o, &s), 0);
	CHECK_INT("extract-grow-2.2", s.changed, 2);
	CHECK_INT("extract-grow-2.3", store_int(&st, "SELECT count(*) FROM mentions WHERE report = 2",
					    -1), 0);
	CHECK("extract-grow-2.4", store_int(&st, "SELECT min(id) FROM mentions WHERE report = 1", 0) >
				      top);
	int64_t next = 0;
	CHECK("extract-grow-2.5", mentions_next_id(&st, &next) == 0 &&
				      next == store_int(&st, "SELECT max(id) FROM mentions", 0) + 1);
	o.batch = 0;
	store_close(&st);
}

void test_extract(void)
{
	test_ids_grow();
	test_readers();
	test_windows();
	test_store_extract();
}
