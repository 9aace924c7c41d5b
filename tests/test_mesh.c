/* The MeSH loader: the descriptor fixture (tests/fixtures/desc_chest.xml),
 * reloads, replacing, and every kind of bad input leaving the store as it
 * was. */
#define _XOPEN_SOURCE 700
#include "testhelp.h"
#include "tests.h"
#include "../common/util.h"
#include "../store/mesh.h"
#include "../store/store.h"

#include <stdlib.h>

#define FIXTURE "tests/fixtures/desc_chest.xml"

static int64_t term_count(struct store *st, const char *ui, const char *str, const char *tty,
			  const char *scope, int preferred)
{
	sqlite3_stmt *s = store_prepare(st,
		"SELECT count(*) FROM terms t JOIN concepts c ON c.id = t.concept JOIN sources s ON "
		"s.id = t.source WHERE c.cui = ? AND t.str = ? AND t.tty = ? AND t.scope = ? AND "
		"t.preferred = ? AND t.code = c.cui AND s.sab = 'MSH' AND s.kb = 'mesh'");
	sqlite3_bind_text(s, 1, ui, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, str, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, tty, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, scope, -1, SQLITE_STATIC);
	sqlite3_bind_int(s, 5, preferred);
	int64_t n = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
	sqlite3_finalize(s);
	return n;
}

static int64_t isa(struct store *st, const char *child, const char *parent)
{
	sqlite3_stmt *s = store_prepare(st,
		"SELECT count(*) FROM triples t JOIN concepts h ON h.id = t.head JOIN concepts p ON "
		"p.id = t.tail JOIN relations r ON r.id = t.relation WHERE h.cui = ? AND p.cui = ? "
		"AND r.name = 'isa'");
	sqlite3_bind_text(s, 1, child, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, parent, -1, SQLITE_STATIC);
	int64_t n = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
	sqlite3_finalize(s);
	return n;
}

static void test_fixture(void)
{
	struct store st;
	struct mesh_options o = { 0 };
	struct mesh_stats s;
	CHECK_INT("mesh-1.0", test_store_new(&st, "mesh"), 0);
	CHECK_INT("mesh-1.1", mesh_load(&st, FIXTURE, &o, &s), 0);
	/* 22 records; 71 Term elements, of which 22 repeat their DescriptorName */
	CHECK_INT("mesh-1.2", s.records, 22);
	CHECK_INT("mesh-1.3", test_q(&st, "SELECT count(*) FROM concepts"), 22);
	CHECK_INT("mesh-1.4", test_q(&st, "SELECT count(*) FROM terms"), 71);
	CHECK_INT("mesh-1.5", s.terms, 71);
	CHECK_INT("mesh-1.6", test_q(&st, "SELECT count(*) FROM concepts WHERE cui = 'D900018' AND "
				     "name = 'Pneumothorax'"), 1);
	/* names, term types and scopes */
	CHECK_INT("mesh-1.7", term_count(&st, "D900018", "Pneumothorax", "MH", "", 1), 1);
	CHECK_INT("mesh-1.8", term_count(&st, "D900018", "Pneumothoraces", "ET", "EXACT", 0), 1);
	CHECK_INT("mesh-1.9", term_count(&st, "D900018", "Tension Pneumothorax", "PEP", "NARROW", 0), 1);
	CHECK_INT("mesh-1.10", term_count(&st, "D900018", "Pneumothorax, Tension", "ET", "NARROW", 0), 1);
	CHECK_INT("mesh-1.11", term_count(&st, "D900016", "Lung Collapse", "PEP", "BROAD", 0), 1);
	CHECK_INT("mesh-1.12", term_count(&st, "D900016", "Atelectases, Pulmonary", "PM", "EXACT", 0), 1);
	CHECK_INT("mesh-1.13", term_count(&st, "D900012", "Pneumonitis", "PEP", "RELATED", 0), 1);
	CHECK_INT("mesh-1.14", test_q(&st, "SELECT count(*) FROM terms WHERE preferred = 1"), 22);
	/* entities and non-ASCII names */
	CHECK_INT("mesh-1.15", test_q(&st, "SELECT count(*) FROM concepts WHERE cui = 'D900025' AND "
				      "name = 'Diagnostic Techniques & Procedures'"), 1);
	CHECK_INT("mesh-1.16", term_count(&st, "D900024", "L\xc3\xb6" "ffler Syndrome", "ET",
					  "NARROW", 0), 1);
	CHECK_INT("mesh-1.17", term_count(&st, "D900024", "L\xc3\xb6" "ffler's Syndrome", "PEP",
					  "NARROW", 0), 1);
	CHECK_INT("mesh-1.18", test_q(&st, "SELECT count(*) FROM terms WHERE norm = "
				      "'l\xc3\xb6" "ffler syndrome'"), 2);
	CHECK_INT("mesh-1.19", test_q(&st, "SELECT count(*) FROM terms WHERE norm = 'pulmonary edema'"), 2);
	/* strings of qualifiers and of descriptors referred to are not names */
	CHECK_INT("mesh-1.20", test_q(&st, "SELECT count(*) FROM terms WHERE str IN ('etiology', "
				      "'administration & dosage', 'Infections') OR "
				      "(str = 'Heart Diseases' AND code <> 'D900021')"), 1);
	CHECK_INT("mesh-1.21", test_q(&st, "SELECT count(*) FROM terms t JOIN concepts c ON "
				      "c.id = t.concept WHERE t.str = 'Infections' AND c.cui = "
				      "'D900013'"), 1);
	/* tree numbers: is-a to the holder of the parent number */
	CHECK_INT("mesh-1.22", s.tree_numbers, 25);
	CHECK_INT("mesh-1.23", test_q(&st, "SELECT count(*) FROM triples"), 17);
	CHECK_INT("mesh-1.24", s.triples, 17);
	CHECK_INT("mesh-1.25", isa(&st, "D900018", "D900017"), 1);
	CHECK_INT("mesh-1.26", isa(&st, "D900012", "D900011"), 1);
	CHECK_INT("mesh-1.27", isa(&st, "D900012", "D900014"), 1);
	CHECK_INT("mesh-1.28", isa(&st, "D900014", "D900013"), 1);
	CHECK_INT("mesh-1.29", isa(&st, "D900014", "D900010"), 1);
	CHECK_INT("mesh-1.30", isa(&st, "D900006", "D900005"), 1);
	CHECK_INT("mesh-1.31", test_q(&st, "SELECT count(*) FROM relations WHERE name = 'isa' AND "
				      "rel = 'CHD'"), 1);
	/* E01.370.350.700 and C15.378.553.231.549 have no parent in the file */
	CHECK_INT("mesh-1.32", s.orphan_trees, 2);
	CHECK_INT("mesh-1.33", test_q(&st, "SELECT count(*) FROM triples t JOIN concepts c ON "
				      "c.id = t.head WHERE c.cui = 'D900023'"), 0);
	/* categories from the tree letters */
	CHECK_INT("mesh-1.34", test_q(&st, "SELECT count(*) FROM semtypes WHERE kb = 'mesh'"), 3);
	CHECK_INT("mesh-1.35", test_q(&st, "SELECT count(*) FROM semtypes WHERE tui = 'MSH:C' AND "
				      "name = 'Diseases' AND stn = 'C'"), 1);
	CHECK_INT("mesh-1.36", test_q(&st, "SELECT count(*) FROM concept_semtypes"), 22);
	CHECK_INT("mesh-1.37", test_q(&st, "SELECT count(*) FROM concept_semtypes x JOIN concepts c ON "
				      "c.id = x.concept JOIN semtypes t ON t.id = x.semtype WHERE "
				      "t.tui = 'MSH:A'"), 6);
	CHECK_INT("mesh-1.38", test_q(&st, "SELECT count(*) FROM sources WHERE sab = 'MSH' AND "
				      "kb = 'mesh' AND name = 'Medical Subject Headings'"), 1);
	CHECK_INT("mesh-1.39", test_q(&st, "SELECT count(*) FROM ingest_log WHERE command = "
				      "'load mesh' AND rows_read = 22"), 1);
	CHECK_INT("mesh-1.40", test_q(&st, "PRAGMA foreign_keys"), 1);
	CHECK_INT("mesh-1.41", test_q(&st, "SELECT count(*) FROM pragma_foreign_key_check"), 0);

	/* loading again changes nothing */
	char *before = test_digest(&st, NULL, 0);
	CHECK_INT("mesh-2.1", mesh_load(&st, FIXTURE, &o, &s), 0);
	CHECK_INT("mesh-2.2", s.already_loaded, 1);
	char *after = test_digest(&st, NULL, 0);
	CHECK_STR("mesh-2.3", after, before);
	free(after);

	/* the same content compressed gives the same knowledge */
	size_t len;
	char *text = test_read_fixture(FIXTURE, &len);
	struct store z;
	test_store_new(&z, "mesh-zst");
	CHECK_INT("mesh-2.4", mesh_load(&z, test_file("desc_chest.xml.zst", text, len, 1), &o, &s), 0);
	const char *terms_sql = "SELECT group_concat(c.cui || t.str || t.tty || t.scope, ';') FROM "
				"terms t JOIN concepts c ON c.id = t.concept";
	sqlite3_stmt *a = store_prepare(&st, terms_sql), *b = store_prepare(&z, terms_sql);
	sqlite3_step(a);
	sqlite3_step(b);
	CHECK_STR("mesh-2.5", (const char *)sqlite3_column_text(b, 0),
		  (const char *)sqlite3_column_text(a, 0));
	sqlite3_finalize(a);
	sqlite3_finalize(b);
	store_close(&z);

	/* another file is refused without replace, and the store is unchanged */
	char *t1 = test_replace(text, "<String>Cardiomegaly</String>\n  </DescriptorName>",
			   "<String>Cardiac Hypertrophy, Gross</String>\n  </DescriptorName>");
	/* ... and with Pneumothorax (D900018) gone */
	const char *start = strstr(t1, "<DescriptorRecord DescriptorClass = \"1\">\n  "
				       "<DescriptorUI>D900018");
	const char *end = strstr(start, "</DescriptorRecord>\n") + strlen("</DescriptorRecord>\n");
	struct buf v2 = BUF_INIT;
	buf_add(&v2, t1, (size_t)(start - t1));
	buf_adds(&v2, end);
	const char *p2 = test_file("desc_v2.xml", v2.p, v2.len, 0);
	CHECK_INT("mesh-3.1", mesh_load(&st, p2, &o, &s), -1);
	CHECK_ERR("mesh-3.2", "use --replace");
	after = test_digest(&st, NULL, 0);
	CHECK_STR("mesh-3.3", after, before);
	free(after);
	int64_t lung = test_q(&st, "SELECT id FROM concepts WHERE cui = 'D900002'");
	o.replace = 1;
	CHECK_INT("mesh-3.4", mesh_load(&st, p2, &o, &s), 0);
	CHECK_INT("mesh-3.5", test_q(&st, "SELECT id FROM concepts WHERE cui = 'D900002'"), lung);
	CHECK_INT("mesh-3.6", test_q(&st, "SELECT count(*) FROM concepts"), 21);
	CHECK_INT("mesh-3.7", test_q(&st, "SELECT count(*) FROM concepts WHERE cui = 'D900018'"), 0);
	CHECK_INT("mesh-3.8", test_q(&st, "SELECT count(*) FROM concepts WHERE cui = 'D900022' AND "
				     "name = 'Cardiac Hypertrophy, Gross'"), 1);
	CHECK_INT("mesh-3.9", test_q(&st, "SELECT count(*) FROM terms"), 71 - 5 + 1);
	CHECK_INT("mesh-3.10", test_q(&st, "SELECT count(*) FROM triples"), 16);
	CHECK_INT("mesh-3.11", test_q(&st, "SELECT count(*) FROM concept_semtypes"), 21);
	CHECK_INT("mesh-3.12", test_q(&st, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
	CHECK_INT("mesh-3.13", test_q(&st, "SELECT count(*) FROM sources"), 1);
	buf_release(&v2);
	free(t1);
	free(text);
	free(before);
	store_close(&st);
}

static int load(struct store *st, const char *path, void *options)
{
	struct mesh_stats s;
	return mesh_load(st, path, options, &s);
}

static void test_bad_input(void)
{
	size_t len;
	char *text = test_read_fixture(FIXTURE, &len);
	struct bad_input cases[] = {
		{ "mesh-bad-1", "bad1.xml", test_replace(text, "<String>Pleura</String>",
						     "<Strin>Pleura</String>"), 0,
		  test_line_of(text, "<String>Pleura</String>", 1), "Opening and ending tag mismatch" },
		{ "mesh-bad-2", "bad2.xml", test_replace(text, "Torso", "Tors\xe9"), 0,
		  test_line_of(text, "Torso", 1), "invalid UTF-8" },
		{ "mesh-bad-3", "bad3.xml", xstrndup(text, len / 2), 0, 0, "truncated" },
		{ "mesh-bad-4", "bad4.xml.zst", xstrdup(text), 1, 0, "truncated zstd stream" },
		{ "mesh-bad-5", "bad5.xml", xstrdup(""), 0, 0, "empty file" },
		{ "mesh-bad-6", "missing.xml", NULL, 0, 0, "cannot open" },
		{ "mesh-bad-7", "bad7.xml", xstrdup("<?xml version=\"1.0\"?>\n<QualifierRecordSet>\n"
						    "</QualifierRecordSet>\n"), 0, 2,
		  "expected <DescriptorRecordSet>" },
		{ "mesh-bad-8", "bad8.xml", test_replace(text, "<DescriptorUI>D900005</DescriptorUI>",
						     "<DescriptorUI>D900004</DescriptorUI>"), 0,
		  test_line_of(text, "<DescriptorRecord ", 5), "DescriptorUI D900004 appears twice" },
		{ "mesh-bad-9", "bad9.xml", test_replace(text, "<TreeNumber>A01.911</TreeNumber>",
						     "<TreeNumber>A01.91</TreeNumber>"), 0,
		  test_line_of(text, "<DescriptorRecord ", 5), "malformed tree number 'A01.91'" },
		{ "mesh-bad-10", "bad10.xml", test_replace(text, "<DescriptorName>\n   <String>Torso"
						       "</String>\n  </DescriptorName>\n", ""), 0,
		  test_line_of(text, "<DescriptorRecord ", 5), "D900005 without DescriptorName" },
		{ "mesh-bad-11", "bad11.xml", test_replace(text, "Torso", "Tors&bogus;"), 0,
		  test_line_of(text, "Torso", 1), "Entity 'bogus' not defined" },
		{ "mesh-bad-12", "bad12.xml", xstrdup("<DescriptorRecordSet LanguageCode = \"eng\">\n"
						      "</DescriptorRecordSet>\n"), 0, 0,
		  "no DescriptorRecord" },
		{ "mesh-bad-13", "bad13.xml", test_replace(text, "<TreeNumber>C08.528</TreeNumber>",
						       "<TreeNumber>C08.528</TreeNumber>\n   "
						       "<TreeNumber>C08.528</TreeNumber>"), 0,
		  test_line_of(text, "<DescriptorRecord ", 14), "tree number C08.528 repeated" },
		{ "mesh-bad-14", "bad14.xml", test_replace(text, "<TreeNumber>A04.688</TreeNumber>",
						       "<TreeNumber>A04.411</TreeNumber>"), 0,
		  test_line_of(text, "<DescriptorRecord ", 3), "A04.411 of D900003 already belongs" },
		{ "mesh-bad-15", "bad15.xml", test_replace(text, "<DescriptorUI>D900006</DescriptorUI>",
						       "<DescriptorUI>900006</DescriptorUI>"), 0,
		  test_line_of(text, "<DescriptorRecord ", 6), "is not D followed by digits" },
	};
	/* an external entity declared in the document, which medkg never reads
	 * (and whose text would be lost) */
	char *ext = test_replace(text, "SYSTEM \"https://nlmpubs.nlm.nih.gov/projects/mesh/2026/"
				 "xmlmesh/desc2026.dtd\"", "[<!ENTITY ext SYSTEM \"/etc/hostname\">]");
	struct bad_input ent[] = {
		{ "mesh-bad-18", "bad18.xml", test_replace(ext, "Torso", "Tor&ext;so"), 0,
		  test_line_of(text, "Torso", 1), "entity &ext; is not expanded" },
		/* a control character in a name (a tab is white space: allowed) */
		{ "mesh-bad-19", "bad19.xml", test_replace(text, "<String>Torso", "<String>Tor&#127;so"), 0,
		  test_line_of(text, "<DescriptorRecord ", 5),
		  "DescriptorName holds a control character at byte 4 (after 'Tor') of D900005" },
	};
	free(ext);
	/* a NUL byte is written with an explicit length */
	char *nul = test_replace(text, "Torso", "Tor\x01so");
	size_t nul_at = (size_t)(strchr(nul, '\x01') - nul);
	nul[nul_at] = '\0';

	struct store st;
	struct mesh_options o = { 0 };
	struct mesh_stats s;
	test_store_new(&st, "mesh-bad");
	mesh_load(&st, FIXTURE, &o, &s);
	char *before = test_digest(&st, NULL, 0);
	o.replace = 1;
	test_bad_inputs(&st, cases, ARRAY_SIZE(cases), load, &o);
	test_bad_inputs(&st, ent, ARRAY_SIZE(ent), load, &o);
	const char *pn = test_file("nul.xml", nul, len + 1, 0);
	CHECK_INT("mesh-bad-16.rc", mesh_load(&st, pn, &o, &s), -1);
	CHECK_ERR("mesh-bad-16", "malformed XML");
	char *after = test_digest(&st, NULL, 0);
	CHECK_STR("mesh-bad-16.store", after, before);
	free(after);
	CHECK_INT("mesh-bad-17", test_q(&st, "PRAGMA foreign_keys"), 1);

	/* --lenient skips the bad record, counts it and loads the rest */
	o.lenient = 1;
	char p8[512];
	snprintf(p8, sizeof p8, "%s/bad8.xml", test_tmpdir());
	CHECK_INT("mesh-lenient-1", mesh_load(&st, p8, &o, &s), 0);
	CHECK_INT("mesh-lenient-2", s.malformed, 1);
	CHECK_INT("mesh-lenient-3", test_q(&st, "SELECT count(*) FROM concepts"), 21);
	CHECK_INT("mesh-lenient-4", test_q(&st, "SELECT count(*) FROM concepts WHERE cui = 'D900005'"), 0);
	CHECK_INT("mesh-lenient-5", test_q(&st, "SELECT rows_skipped FROM ingest_log ORDER BY id DESC "
					   "LIMIT 1"), 1);
	/* malformed XML is not skippable */
	char p1[512];
	snprintf(p1, sizeof p1, "%s/bad1.xml", test_tmpdir());
	CHECK_INT("mesh-lenient-6", mesh_load(&st, p1, &o, &s), -1);

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		free(cases[i].content);
	for (size_t i = 0; i < ARRAY_SIZE(ent); i++)
		free(ent[i].content);
	free(nul);
	free(text);
	free(before);
	store_close(&st);
}

/* Line numbers past 65535 (libxml2 keeps only 16 bits of them in elements)
 * are exact: the real descriptor file has millions of lines. */
static void test_big_lines(void)
{
	size_t len;
	char *text = test_read_fixture(FIXTURE, &len);
	struct store st;
	struct mesh_options o = { 0 };
	struct mesh_stats s;
	test_store_new(&st, "mesh-lines");
	struct buf big = BUF_INIT;
	const char *rec = strstr(text, "<DescriptorRecord ");
	buf_add(&big, text, (size_t)(rec - text));
	for (int i = 0; i < 70000; i++)
		buf_adds(&big, "<!-- padding -->\n");
	buf_adds(&big, rec);
	char *bigdup = test_replace(big.p, "<DescriptorUI>D900005</DescriptorUI>",
			       "<DescriptorUI>D900004</DescriptorUI>");
	const char *pb = test_file("big.xml", bigdup, strlen(bigdup), 0);
	char want[600];
	snprintf(want, sizeof want, "big.xml:%zu: DescriptorUI D900004 appears twice (first at "
		 "line %zu)", test_line_of(bigdup, "<DescriptorRecord ", 5),
		 test_line_of(bigdup, "<DescriptorRecord ", 4));
	CHECK_INT("mesh-lines-1.rc", mesh_load(&st, pb, &o, &s), -1);
	CHECK_ERR("mesh-lines-1", want);
	CHECK("mesh-lines-2", test_line_of(bigdup, "<DescriptorRecord ", 4) > 65535);
	buf_release(&big);
	free(bigdup);
	free(text);
	store_close(&st);
}

void test_mesh(void)
{
	test_fixture();
	test_bad_input();
	test_big_lines();
}
