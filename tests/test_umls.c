/* The UMLS loader: real rows, filters, triples, idempotence, replacing, and
 * every kind of bad input leaving the store as it was. */
#define _XOPEN_SOURCE 700
#include "testhelp.h"
#include "tests.h"
#include "../common/util.h"
#include "../common/strlist.h"
#include "../common/zio.h"
#include "../store/store.h"
#include "../store/umls.h"

#include <stdlib.h>
#include <sys/stat.h>

/* A small release written for these tests (made-up CUIs are C9xxxxxx). */
static const char conso[] =
	"C0032326|ENG|P|L0032326|PF|S0000001|Y|A0000001||||SRCA|PT|D1|Pneumothorax|0|N|256|\n"
	"C0032326|ENG|S|L0000002|PF|S0000002|Y|A0000002||||SRCB|AB|X1|PTX|0|N|256|\n"
	"C0032326|FRE|P|L0000003|PF|S0000003|Y|A0000003||||SRCC|PT|F1|Pneumothorax|3|N||\n"
	"C0032227|ENG|S|L0000005|PF|S0000005|N|A0000005||||SRCA|SY|D2|Pleural effusions|0|O|256|\n"
	"C0032227|ENG|P|L0032227|PF|S0000004|Y|A0000004||||SRCA|PT|D2|Pleural effusion|0|N|256|\n"
	"C0024109|ENG|P|L0024109|PF|S0000006|Y|A0000006||||SRCA|PT|D3|Lung|0|N|256|\n"
	"C0018800|ENG|P|L0018800|PF|S0000007|Y|A0000007||||SRCB|PT|X2|Cardiomegaly|0|N|256|\n"
	"C9000001|FRE|P|L9000001|PF|S0000008|Y|A0000008||||SRCC|PT|F2|Poumon droit|3|N||\n";

static const char sty[] =
	"C0032326|T047|B2.2.1.2.1|Disease or Syndrome|AT0000001|256|\n"
	"C0032227|T047|B2.2.1.2.1|Disease or Syndrome|AT0000002|256|\n"
	"C0032227|T046|B2.2.1.2|Pathologic Function|AT0000003|256|\n"
	"C0024109|T023|A1.2.3.1|Body Part, Organ, or Organ Component|AT0000004|256|\n"
	"C0018800|T033|A2.2|Finding|AT0000005|256|\n"
	"C9000001|T023|A1.2.3.1|Body Part, Organ, or Organ Component|AT0000006|256|\n";

static const char rel[] =
	"C0032326|A0000001|AUI|RO|C0024109|A0000006|AUI|finding_site_of|R01||SRCA|SRCA|||N||\n"
	"C0032326|A0000002|AUI|RO|C0024109|A0000006|AUI|finding_site_of|R02||SRCA|SRCA|||N||\n"
	"C0024109|A0000006|AUI|RO|C0032326|A0000001|AUI|has_finding_site|R03||SRCA|SRCA|||N||\n"
	"C0032227|A0000004|AUI|PAR|C0032326|A0000001|AUI|inverse_isa|R04||SRCB|SRCB|||N||\n"
	"C0032326|A0000001|AUI|RB|C0018800|A0000007|AUI||R05||SRCB|SRCB|||N||\n"
	"C0032326|A0000001|AUI|SY|C0032326|A0000002|AUI||R06||SRCA|SRCA|||N||\n"
	"C9000001|A0000008|AUI|RO|C0024109|A0000006|AUI|part_of|R07||SRCC|SRCC|||N||\n"
	"C0018800|A0000007|AUI|RO|C0024109|A0000006|AUI|location_of|R08||SRCA|SRCA|||O||\n";

static const char sab[] =
	"C1000001|C1000000|SRCA2026|SRCA|Source A, test vocabulary|SRCA|2026|||||||0||||||ENG|UTF-8|Y|Y|SRCA|citation|\n"
	"C1000002|C1000000|SRCA2025|SRCA|Source A, old version|SRCA|2025|||||||0||||||ENG|UTF-8|N|Y|SRCA|citation|\n";

struct release {
	const char *conso, *sty, *rel, *sab;
	int zst;          /* write .RRF.zst instead of .RRF */
	size_t conso_len; /* 0: strlen(conso) */
};

static void put(const char *dir, const char *name, const char *text, size_t len, int zst)
{
	char path[600];
	if (!text)
		return;
	snprintf(path, sizeof path, "%s/%s%s", dir, name, zst ? ".zst" : "");
	if (!len)
		len = strlen(text);
	if (zst)
		write_zst(path, text, len);
	else
		write_file(path, text, len);
}

static const char *make_release(const char *name, const struct release *r)
{
	static char dir[512];
	snprintf(dir, sizeof dir, "%s/%s", test_tmpdir(), name);
	mkdir(dir, 0755);
	put(dir, "MRCONSO.RRF", r->conso, r->conso_len, r->zst);
	put(dir, "MRSTY.RRF", r->sty, 0, r->zst);
	put(dir, "MRREL.RRF", r->rel, 0, r->zst);
	put(dir, "MRSAB.RRF", r->sab, 0, r->zst);
	return dir;
}

static char **eng(void)
{
	return strlist_parse("ENG");
}

static void test_fixture_load(void)
{
	struct release r = { conso, sty, rel, sab, 0, 0 };
	const char *dir = make_release("fix", &r);
	struct store st;
	struct umls_options o = { 0 };
	struct umls_stats s;
	o.lang = eng();
	CHECK_INT("umls-1.0", test_store_new(&st, "fix"), 0);
	CHECK_INT("umls-1.1", umls_load(&st, dir, &o, &s), 0);
	/* French-only C9000001 is not kept; suppressed 'Pleural effusions' skipped */
	CHECK_INT("umls-1.2", test_q(&st, "SELECT count(*) FROM concepts"), 4);
	CHECK_INT("umls-1.3", test_q(&st, "SELECT count(*) FROM terms"), 5);
	CHECK_INT("umls-1.4", s.conso_rows, 8);
	CHECK_INT("umls-1.5", s.conso_kept, 5);
	CHECK_INT("umls-1.6", test_q(&st, "SELECT count(*) FROM terms WHERE str = 'Pleural effusions'"), 0);
	/* the preferred name is the TS=P, STT=PF, ISPREF=Y English atom */
	CHECK_INT("umls-1.7", test_q(&st, "SELECT count(*) FROM concepts WHERE cui = 'C0032227' AND "
				     "name = 'Pleural effusion'"), 1);
	CHECK_INT("umls-1.8", test_q(&st, "SELECT preferred FROM terms WHERE str = 'PTX'"), 0);
	CHECK_INT("umls-1.9", test_q(&st, "SELECT count(*) FROM terms WHERE norm = 'ptx' AND tty = 'AB'"), 1);
	/* semantic types */
	CHECK_INT("umls-1.10", test_q(&st, "SELECT count(*) FROM concept_semtypes"), 5);
	CHECK_INT("umls-1.11", test_q(&st, "SELECT count(*) FROM semtypes WHERE tui = 'T046' AND "
				      "stn = 'B2.2.1.2' AND name = 'Pathologic Function'"), 1);
	/* triples: head = CUI2, tail = CUI1; AUI-level duplicate, self relation,
	 * a relation to a concept not kept and a suppressed row all dropped */
	CHECK_INT("umls-1.12", test_q(&st, "SELECT count(*) FROM triples"), 4);
	CHECK_INT("umls-1.13", s.rel_rows, 8);
	CHECK_INT("umls-1.14", test_q(&st,
		"SELECT count(*) FROM triples t JOIN concepts h ON h.id = t.head JOIN concepts c ON "
		"c.id = t.tail JOIN relations r ON r.id = t.relation WHERE h.cui = 'C0032326' AND "
		"r.name = 'has_finding_site' AND c.cui = 'C0024109'"), 1);
	CHECK_INT("umls-1.15", test_q(&st,
		"SELECT count(*) FROM triples t JOIN concepts h ON h.id = t.head JOIN concepts c ON "
		"c.id = t.tail JOIN relations r ON r.id = t.relation WHERE h.cui = 'C0018800' AND "
		"r.name = 'RB' AND r.rel = 'RB' AND c.cui = 'C0032326'"), 1);
	CHECK_INT("umls-1.16", test_q(&st, "SELECT count(*) FROM relations WHERE name = 'inverse_isa' "
				      "AND rel = 'PAR'"), 1);
	/* sources: current MRSAB row gives the metadata */
	CHECK_INT("umls-1.17", test_q(&st, "SELECT count(*) FROM sources WHERE sab = 'SRCA' AND "
				      "version = '2026' AND name = 'Source A, test vocabulary'"), 1);
	CHECK_INT("umls-1.18", test_q(&st, "SELECT count(*) FROM sources"), 2);
	/* bulk indexes were rebuilt exactly as the schema declares them */
	struct store fresh;
	test_store_new(&fresh, "fresh");
	const char *schema_sql = "SELECT group_concat(sql, ';') FROM (SELECT sql FROM "
				 "sqlite_master WHERE sql NOT NULL ORDER BY name)";
	sqlite3_stmt *a = store_prepare(&st, schema_sql), *b = store_prepare(&fresh, schema_sql);
	sqlite3_step(a);
	sqlite3_step(b);
	CHECK_STR("umls-1.19", (const char *)sqlite3_column_text(a, 0),
		  (const char *)sqlite3_column_text(b, 0));
	sqlite3_finalize(a);
	sqlite3_finalize(b);
	store_close(&fresh);
	CHECK_INT("umls-1.20", test_q(&st, "SELECT count(*) FROM ingest_log WHERE command = 'load umls'"), 1);
	CHECK_INT("umls-1.21", test_q(&st, "PRAGMA foreign_keys"), 1);
	CHECK_INT("umls-1.22", test_q(&st, "SELECT count(*) FROM pragma_foreign_key_check"), 0);

	/* loading again: nothing changes */
	char *before = test_digest(&st, NULL, 0);
	CHECK_INT("umls-2.1", umls_load(&st, dir, &o, &s), 0);
	CHECK_INT("umls-2.2", s.already_loaded, 1);
	char *after = test_digest(&st, NULL, 0);
	CHECK_STR("umls-2.3", after, before);
	free(after);

	/* a different release is refused without --replace, store unchanged */
	struct release r2 = { conso, sty, rel, NULL, 1, 0 };
	r2.conso = "C0032326|ENG|P|L0032326|PF|S0000001|Y|A0000001||||SRCA|PT|D1|Pneumothorax|0|N|256|\n"
		   "C0000001|ENG|P|L0000001|PF|S0000009|Y|A0000009||||SRCA|PT|D9|New concept|0|N|256|\n";
	const char *dir2 = make_release("fix2", &r2);
	CHECK_INT("umls-2.4", umls_load(&st, dir2, &o, &s), -1);
	CHECK_ERR("umls-2.5", "use --replace");
	after = test_digest(&st, NULL, 0);
	CHECK_STR("umls-2.6", after, before);
	free(after);

	/* --replace: concepts that persist keep their id, the others go */
	int64_t ptx_id = test_q(&st, "SELECT id FROM concepts WHERE cui = 'C0032326'");
	o.replace = 1;
	CHECK_INT("umls-2.7", umls_load(&st, dir2, &o, &s), 0);
	CHECK_INT("umls-2.8", test_q(&st, "SELECT id FROM concepts WHERE cui = 'C0032326'"), ptx_id);
	CHECK_INT("umls-2.9", test_q(&st, "SELECT count(*) FROM concepts"), 2);
	CHECK_INT("umls-2.10", test_q(&st, "SELECT count(*) FROM terms"), 2);
	CHECK_INT("umls-2.11", test_q(&st, "SELECT count(*) FROM triples"), 0);
	CHECK_INT("umls-2.12", test_q(&st, "SELECT count(*) FROM concept_semtypes"), 1);
	CHECK_INT("umls-2.13", test_q(&st, "SELECT count(*) FROM sources"), 1);
	CHECK_INT("umls-2.14", test_q(&st, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
	free(before);
	store_close(&st);
	strlist_free(o.lang);
}

static void test_filters(void)
{
	struct release r = { conso, sty, rel, sab, 1, 0 };
	const char *dir = make_release("filters", &r);
	static const struct {
		const char *id, *sab, *lang, *types;
		int keep_suppressed, keep_self;
		int concepts, terms, triples;
	} cases[] = {
		{ "umls-filter-1.1", NULL, "ENG", NULL, 0, 0, 4, 5, 4 },
		{ "umls-filter-1.2", NULL, NULL, NULL, 0, 0, 5, 7, 5 },     /* all languages */
		{ "umls-filter-1.3", "SRCA", "ENG", NULL, 0, 0, 3, 3, 2 },
		{ "umls-filter-1.4", "SRCB", "ENG", NULL, 0, 0, 2, 2, 1 },
		{ "umls-filter-1.5", NULL, "ENG", "T046", 0, 0, 2, 3, 1 },  /* T046 and its child T047 */
		{ "umls-filter-1.6", NULL, "ENG", "Finding", 0, 0, 1, 1, 0 },
		{ "umls-filter-1.7", NULL, "ENG", "T047,T023", 0, 0, 3, 4, 3 },
		{ "umls-filter-1.8", NULL, "ENG", NULL, 1, 0, 4, 6, 5 },    /* keep suppressed */
		{ "umls-filter-1.9", NULL, "ENG", NULL, 0, 1, 4, 5, 5 },    /* keep self relations */
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct store st;
		struct umls_options o = { 0 };
		struct umls_stats s;
		o.sab = cases[i].sab ? strlist_parse(cases[i].sab) : NULL;
		o.lang = cases[i].lang ? strlist_parse(cases[i].lang) : NULL;
		o.types = cases[i].types ? strlist_parse(cases[i].types) : NULL;
		o.keep_suppressed = cases[i].keep_suppressed;
		o.keep_self = cases[i].keep_self;
		test_store_new(&st, "filters");
		CHECK_INT(test_id("%s.rc", cases[i].id), umls_load(&st, dir, &o, &s), 0);
		CHECK_INT(cases[i].id, test_q(&st, "SELECT count(*) FROM concepts"), cases[i].concepts);
		CHECK_INT(test_id("%s.terms", cases[i].id), test_q(&st, "SELECT count(*) FROM terms"),
			  cases[i].terms);
		CHECK_INT(test_id("%s.triples", cases[i].id), test_q(&st, "SELECT count(*) FROM triples"),
			  cases[i].triples);
		store_close(&st);
		strlist_free(o.sab);
		strlist_free(o.lang);
		strlist_free(o.types);
	}
	/* an unknown semantic type is an error */
	struct store st;
	struct umls_options o = { 0 };
	struct umls_stats s;
	o.types = strlist_parse("T999");
	test_store_new(&st, "filters");
	CHECK_INT("umls-filter-2.1", umls_load(&st, dir, &o, &s), -1);
	CHECK_ERR("umls-filter-2.2", "'T999'");
	CHECK_INT("umls-filter-2.3", test_q(&st, "SELECT count(*) FROM concepts"), 0);
	store_close(&st);
	strlist_free(o.types);
}

static void test_bad_input(void)
{
	/* Each bad release is loaded with --replace over a good store: the load
	 * must fail naming file and line, and leave the good store untouched. */
	char bad_fields[sizeof conso + 64], bad_utf8[sizeof conso + 64], nul[sizeof conso + 64];
	snprintf(bad_fields, sizeof bad_fields, "%s%s", conso,
		 "C0000002|ENG|P|L1|PF|S1|Y|A1||||SRCA|PT|D|Too few fields|0|N|\n");
	snprintf(bad_utf8, sizeof bad_utf8, "%s%s", conso,
		 "C0000002|ENG|P|L1|PF|S1|Y|A1||||SRCA|PT|D|Caf\xe9 au lait|0|N|256|\n");
	size_t nl = (size_t)snprintf(nul, sizeof nul, "%s%s", conso,
				     "C0000002|ENG|P|L1|PF|S1|Y|A1||||SRCA|PT|D|Nul here|0|N|256|\n");
	nul[nl - 12] = '\0'; /* inside "Nul here" */
	static const struct {
		const char *id, *file_line, *problem;
	} want[] = {
		{ "umls-bad-1", "MRCONSO.RRF:9", "expected 18 fields, found 17" },
		{ "umls-bad-2", "MRCONSO.RRF:9", "invalid UTF-8" },
		{ "umls-bad-3", "MRCONSO.RRF.zst:", "truncated zstd stream" },
		{ "umls-bad-4", "MRCONSO.RRF", "empty file" },
		{ "umls-bad-5", "MRREL.RRF:2", "expected 16 fields" },
		{ "umls-bad-6", "nodir", "not a directory" },
		{ "umls-bad-7", "noconso", "no MRCONSO.RRF" },
		{ "umls-bad-8", "MRSTY.RRF", "empty file" },
		{ "umls-bad-9", "MRCONSO.RRF:9", "NUL byte" },
	};
	struct release good = { conso, sty, rel, sab, 0, 0 };
	const char *gdir = make_release("good", &good);
	char gpath[512];
	snprintf(gpath, sizeof gpath, "%s", gdir);
	struct store st;
	struct umls_options o = { 0 };
	struct umls_stats s;
	o.lang = eng();
	test_store_new(&st, "bad");
	umls_load(&st, gpath, &o, &s);
	char *before = test_digest(&st, NULL, 0);
	o.replace = 1;

	char dirs[ARRAY_SIZE(want)][512];
	struct release r;
	r = (struct release){ bad_fields, sty, rel, NULL, 0, 0 };
	snprintf(dirs[0], 512, "%s", make_release("bad1", &r));
	r = (struct release){ bad_utf8, sty, rel, NULL, 0, 0 };
	snprintf(dirs[1], 512, "%s", make_release("bad2", &r));
	/* truncated: write the zstd file, then cut it */
	r = (struct release){ conso, sty, NULL, NULL, 1, 0 };
	snprintf(dirs[2], 512, "%s", make_release("bad3", &r));
	{
		char p[600];
		snprintf(p, sizeof p, "%s/MRCONSO.RRF.zst", dirs[2]);
		test_cut(p, 10);
	}
	r = (struct release){ "", sty, rel, NULL, 0, 0 };
	snprintf(dirs[3], 512, "%s", make_release("bad4", &r));
	r = (struct release){ conso, sty, "C0032326|A1|AUI|RO|C0024109|A6|AUI|x|R1||SRCA|SRCA|||N||\n"
				     "C0032326|A1|AUI|RO|C0024109\n", NULL, 0, 0 };
	snprintf(dirs[4], 512, "%s", make_release("bad5", &r));
	snprintf(dirs[5], 512, "%s/nodir", test_tmpdir());
	r = (struct release){ NULL, sty, rel, NULL, 0, 0 };
	snprintf(dirs[6], 512, "%s", make_release("noconso", &r));
	r = (struct release){ conso, "", rel, NULL, 0, 0 };
	snprintf(dirs[7], 512, "%s", make_release("bad8", &r));
	r = (struct release){ nul, sty, rel, NULL, 0, nl };
	snprintf(dirs[8], 512, "%s", make_release("bad9", &r));

	for (size_t i = 0; i < ARRAY_SIZE(want); i++) {
		last_error_reset();
		CHECK_INT(test_id("%s.rc", want[i].id), umls_load(&st, dirs[i], &o, &s), -1);
		CHECK_ERR(test_id("%s.where", want[i].id), want[i].file_line);
		CHECK_ERR(want[i].id, want[i].problem);
		char *after = test_digest(&st, NULL, 0);
		CHECK_STR(test_id("%s.store", want[i].id), after, before);
		free(after);
	}
	CHECK_INT("umls-bad-10", test_q(&st, "PRAGMA foreign_keys"), 1);

	/* --lenient skips and counts the malformed rows */
	o.lenient = 1;
	CHECK_INT("umls-lenient-1.1", umls_load(&st, dirs[0], &o, &s), 0);
	CHECK_INT("umls-lenient-1.2", s.malformed, 1);
	CHECK_INT("umls-lenient-1.3", s.conso_kept, 5);
	CHECK_INT("umls-lenient-1.4", umls_load(&st, dirs[1], &o, &s), 0);
	CHECK_INT("umls-lenient-1.5", s.malformed, 1);
	CHECK_INT("umls-lenient-1.6", test_q(&st, "SELECT rows_skipped FROM ingest_log ORDER BY id DESC LIMIT 1"), 1);
	free(before);
	store_close(&st);
	strlist_free(o.lang);
}

/* Identifiers and terms the export could not write, or too long: a bad row
 * naming the file and line (skipped and counted with lenient). A CUI with
 * a tab would split entity2id.txt's columns. */
static void test_bad_values(void)
{
	struct buf long_str = BUF_INIT, long_cui = BUF_INIT, at_limit = BUF_INIT;
	for (int i = 0; i < 4097; i++)
		buf_addc(&long_str, (char)('a' + i % 26));
	buf_addc(&long_cui, 'C');
	for (int i = 0; i < 300; i++)
		buf_addc(&long_cui, '1');
	buf_add(&at_limit, long_str.p, 4096);
	static const char row[] = "%s|ENG|P|L1|PF|S1|Y|A1||||SRCA|PT|D|%s|0|N|256|\n";
	static const struct {
		const char *id, *cui, *str, *rela, *problem;
	} cases[] = {
		{ "umls-value-1", "C00\t02", "Term", NULL, "MRCONSO.RRF:9: CUI holds a tab at byte 4 (after 'C00')" },
		{ "umls-value-2", "C00 02", "Term", NULL, "MRCONSO.RRF:9: CUI holds a blank at byte 4" },
		{ "umls-value-3", "C\x01", "Term", NULL, "MRCONSO.RRF:9: CUI holds a control character at byte 2" },
		{ "umls-value-4", NULL, "Term", NULL, "MRCONSO.RRF:9: CUI of 301 bytes, over the limit of 256" },
		{ "umls-value-5", "C0000002", NULL, NULL, "MRCONSO.RRF:9: STR of 4097 bytes, over the limit of 4096" },
		{ "umls-value-6", "C0000002", "A\x02term", NULL, "MRCONSO.RRF:9: STR holds a control character at byte 2" },
		{ "umls-value-7", "C0000002", "Term", "finding\tsite", "MRREL.RRF:9: RELA holds a tab at byte 8" },
	};
	struct umls_options o = { 0 };
	struct umls_stats s;
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct buf c = BUF_INIT, r = BUF_INIT;
		buf_adds(&c, conso);
		buf_addf(&c, row, cases[i].cui ? cases[i].cui : long_cui.p,
			 cases[i].str ? cases[i].str : long_str.p);
		buf_adds(&r, rel);
		if (cases[i].rela)
			buf_addf(&r, "C0000002|A1|AUI|RO|C0024109|A6|AUI|%s|R9||SRCA|SRCA|||N||\n",
				 cases[i].rela);
		struct release rl = { c.p, sty, r.p, NULL, 0, 0 };
		const char *dir = make_release(test_id("value%zu", i), &rl);
		char d[512];
		snprintf(d, sizeof d, "%s", dir);
		struct store st;
		test_store_new(&st, test_id("value%zu", i));
		o.lenient = 0;
		last_error_reset();
		CHECK_INT(test_id("%s.rc", cases[i].id), umls_load(&st, d, &o, &s), -1);
		CHECK_ERR(cases[i].id, cases[i].problem);
		CHECK_INT(test_id("%s.store", cases[i].id), test_q(&st, "SELECT count(*) FROM concepts"), 0);
		o.lenient = 1;
		CHECK_INT(test_id("%s.lenient", cases[i].id), umls_load(&st, d, &o, &s), 0);
		CHECK_INT(test_id("%s.skipped", cases[i].id), s.malformed, 1);
		store_close(&st);
		buf_release(&c);
		buf_release(&r);
	}
	/* 4096 bytes is the limit, not over it */
	struct buf c = BUF_INIT;
	buf_adds(&c, conso);
	buf_addf(&c, row, "C0000002", at_limit.p);
	struct release rl = { c.p, sty, rel, NULL, 0, 0 };
	char d[512];
	snprintf(d, sizeof d, "%s", make_release("value-limit", &rl));
	struct store st;
	test_store_new(&st, "value-limit");
	o.lenient = 0;
	CHECK_INT("umls-value-8", umls_load(&st, d, &o, &s), 0);
	CHECK_INT("umls-value-8.len", test_q(&st, "SELECT max(length(str)) FROM terms"), 4096);
	store_close(&st);
	buf_release(&c);
	buf_release(&long_str);
	buf_release(&long_cui);
	buf_release(&at_limit);
}

static void test_real_rows(void)
{
	const char *data = shared_data("umls-real");
	if (!data)
		return;
	char dir[512];
	snprintf(dir, sizeof dir, "%s/umls_format", data);
	struct store st;
	struct umls_options o = { 0 };
	struct umls_stats s;
	o.lang = eng();
	test_store_new(&st, "real");
	CHECK_INT("umls-real-1.1", umls_load(&st, dir, &o, &s), 0);
	CHECK_INT("umls-real-1.2", test_q(&st, "SELECT count(*) FROM concepts"), 2);
	CHECK_INT("umls-real-1.3", test_q(&st, "SELECT count(*) FROM terms"), 3);
	CHECK_INT("umls-real-1.4", test_q(&st, "SELECT count(*) FROM concepts WHERE cui = 'C0000005' AND "
				     "name = '(131)I-Macroaggregated Albumin'"), 1);
	CHECK_INT("umls-real-1.5", test_q(&st, "SELECT count(*) FROM terms t JOIN concepts c ON c.id = "
				     "t.concept WHERE c.cui = 'C0000005' AND t.str = '(131)I-MAA' "
				     "AND t.tty = 'ET' AND t.code = 'D012711'"), 1);
	CHECK_INT("umls-real-1.6", test_q(&st, "SELECT count(*) FROM concept_semtypes cs JOIN concepts c ON "
				     "c.id = cs.concept JOIN semtypes t ON t.id = cs.semtype WHERE "
				     "c.cui = 'C0000039' AND t.tui IN ('T109', 'T121')"), 2);
	/* the last MRSTY row has no final newline and is still read */
	CHECK_INT("umls-real-1.7", test_q(&st, "SELECT count(*) FROM semtypes WHERE tui = 'T121' AND "
				     "name = 'Pharmacologic Substance' AND stn = 'A1.4.1.1.1'"), 1);
	CHECK_INT("umls-real-1.8", s.sty_rows, 3);
	store_close(&st);

	/* real MRREL rows: with MRCONSO rows for their other concepts added,
	 * 'C0000039 ... AQ C0001555' gives the triple C0001555 AQ C0000039 */
	char *conso_real = NULL, *sty_real = NULL, *rel_real = NULL;
	size_t n1, n2, n3;
	char p[600];
	snprintf(p, sizeof p, "%s/MRCONSO.RRF", dir);
	if (zfile_slurp(p, &conso_real, &n1, 0) < 0)
		return;
	snprintf(p, sizeof p, "%s/MRSTY.RRF", dir);
	zfile_slurp(p, &sty_real, &n2, 0);
	snprintf(p, sizeof p, "%s/MRREL.sample.RRF", dir);
	zfile_slurp(p, &rel_real, &n3, 0);
	struct buf c = BUF_INIT;
	buf_add(&c, conso_real, n1);
	if (n1 && conso_real[n1 - 1] != '\n')
		buf_addc(&c, '\n');
	buf_adds(&c, "C0001555|ENG|P|L9|PF|S9|Y|A9||||MSH|TQ|Q000008|administration & dosage|0|N||\n");
	struct release r = { c.p, sty_real, rel_real, NULL, 1, 0 };
	const char *d2 = make_release("realrel", &r);
	test_store_new(&st, "realrel");
	CHECK_INT("umls-real-2.1", umls_load(&st, d2, &o, &s), 0);
	CHECK_INT("umls-real-2.2", s.rel_rows, 16);
	CHECK_INT("umls-real-2.3", test_q(&st, "SELECT count(*) FROM triples"), 1);
	CHECK_INT("umls-real-2.4", test_q(&st,
		"SELECT count(*) FROM triples t JOIN concepts h ON h.id = t.head JOIN concepts c ON "
		"c.id = t.tail JOIN relations r ON r.id = t.relation WHERE h.cui = 'C0001555' AND "
		"r.name = 'AQ' AND c.cui = 'C0000039'"), 1);
	store_close(&st);
	/* the permuted_term_of rows relate C0000039 to itself: kept on request */
	o.keep_self = 1;
	test_store_new(&st, "realrel");
	CHECK_INT("umls-real-2.5", umls_load(&st, d2, &o, &s), 0);
	CHECK_INT("umls-real-2.6", test_q(&st, "SELECT count(*) FROM triples t JOIN relations r ON r.id = "
				     "t.relation WHERE r.name = 'permuted_term_of'"), 1);
	store_close(&st);
	buf_release(&c);
	free(conso_real);
	free(sty_real);
	free(rel_real);
	strlist_free(o.lang);
}

void test_umls(void)
{
	test_fixture_load();
	test_filters();
	test_bad_input();
	test_bad_values();
	test_real_rows();
}
