/* The OBO loader: the ontology fixture (tests/fixtures/chest.obo), mapping to
 * UMLS and MeSH concepts, several ontologies side by side, reloads,
 * replacing, and every kind of bad input leaving the store as it was. */
#define _XOPEN_SOURCE 700
#include "testhelp.h"
#include "tests.h"
#include "../common/util.h"
#include "../common/strlist.h"
#include "../common/zio.h"
#include "../store/mesh.h"
#include "../store/obo.h"
#include "../store/store.h"
#include "../store/umls.h"

#include <stdlib.h>

#define FIXTURE "tests/fixtures/chest.obo"

/* Terms of the concept cui with this string, type, scope and code. */
static int64_t term(struct store *st, const char *cui, const char *str, const char *tty,
		    const char *scope, const char *code)
{
	sqlite3_stmt *s = store_prepare(st,
		"SELECT count(*) FROM terms t JOIN concepts c ON c.id = t.concept WHERE c.cui = ? "
		"AND t.str = ? AND t.tty = ? AND t.scope = ? AND t.code = ?");
	sqlite3_bind_text(s, 1, cui, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, str, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, tty, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 4, scope, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 5, code, -1, SQLITE_STATIC);
	int64_t n = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
	sqlite3_finalize(s);
	return n;
}

static int64_t triple(struct store *st, const char *head, const char *rel, const char *tail)
{
	sqlite3_stmt *s = store_prepare(st,
		"SELECT count(*) FROM triples t JOIN concepts h ON h.id = t.head JOIN concepts p ON "
		"p.id = t.tail JOIN relations r ON r.id = t.relation WHERE h.cui = ? AND r.name = ? "
		"AND p.cui = ?");
	sqlite3_bind_text(s, 1, head, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, rel, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 3, tail, -1, SQLITE_STATIC);
	int64_t n = sqlite3_step(s) == SQLITE_ROW ? sqlite3_column_int64(s, 0) : -1;
	sqlite3_finalize(s);
	return n;
}

static char **umls_map(void)
{
	return strlist_parse("umls");
}

static void test_fixture(void)
{
	struct store st;
	struct obo_options o = { 0 };
	struct obo_stats s;
	o.map = umls_map();
	CHECK_INT("obo-1.0", test_store_new(&st, "obo"), 0);
	CHECK_INT("obo-1.1", obo_load(&st, FIXTURE, &o, &s), 0);
	CHECK_STR("obo-1.2", s.sab, "CXO");
	/* 17 [Term] stanzas, one obsolete; 9 terms have a UMLS CUI xref */
	CHECK_INT("obo-1.3", s.terms_read, 17);
	CHECK_INT("obo-1.4", s.obsolete, 1);
	CHECK_INT("obo-1.5", test_q(&st, "SELECT count(*) FROM concepts"), 16);
	CHECK_INT("obo-1.6", s.mapped, 9);
	CHECK_INT("obo-1.7", test_q(&st, "SELECT count(*) FROM concepts WHERE cui GLOB 'C[0-9]*'"), 9);
	CHECK_INT("obo-1.8", test_q(&st, "SELECT count(*) FROM concepts WHERE cui = 'C0032326' AND "
				    "name = 'pneumothorax'"), 1);
	CHECK_INT("obo-1.9", test_q(&st, "SELECT count(*) FROM concepts WHERE cui = 'CXO:0000011' AND "
				    "name = 'tension pneumothorax'"), 1);
	CHECK_INT("obo-1.10", test_q(&st, "SELECT count(*) FROM concepts WHERE name = 'pleural density'"), 0);
	/* names and synonyms, with their scopes; the code is the term's own id */
	CHECK_INT("obo-1.11", test_q(&st, "SELECT count(*) FROM terms"), 42);
	CHECK_INT("obo-1.12", s.names, 16);
	CHECK_INT("obo-1.13", s.synonyms[OBO_EXACT], 14);
	CHECK_INT("obo-1.14", s.synonyms[OBO_RELATED], 7);
	CHECK_INT("obo-1.15", s.synonyms[OBO_BROAD], 3);
	CHECK_INT("obo-1.16", s.synonyms[OBO_NARROW], 2);
	CHECK_INT("obo-1.17", test_q(&st, "SELECT count(*) FROM terms WHERE scope = 'RELATED'"), 7);
	CHECK_INT("obo-1.18", term(&st, "C0032326", "pneumothorax", "PT", "", "CXO:0000010"), 1);
	CHECK_INT("obo-1.19", term(&st, "C0032326", "PTX", "AB", "EXACT", "CXO:0000010"), 1);
	CHECK_INT("obo-1.20", term(&st, "C0032326", "collapsed lung", "SY", "BROAD", "CXO:0000010"), 1);
	CHECK_INT("obo-1.21", term(&st, "C0032326", "pneumothoraces", "SY", "RELATED",
				   "CXO:0000010"), 1);
	CHECK_INT("obo-1.22", term(&st, "CXO:0000011", "pneumothorax with mediastinal shift", "SY",
				   "NARROW", "CXO:0000011"), 1);
	CHECK_INT("obo-1.23", term(&st, "C0004144", "lung collapse", "SY", "EXACT", "CXO:0000014"), 1);
	CHECK_INT("obo-1.24", term(&st, "C0034063", "edema of lung \"wet lung\"", "SY", "RELATED",
				   "CXO:0000016"), 1);
	CHECK_INT("obo-1.25", term(&st, "CXO:0000017", "L\xc3\xb6" "ffler's syndrome", "SY",
				   "RELATED", "CXO:0000017"), 1);
	CHECK_INT("obo-1.26", test_q(&st, "SELECT count(*) FROM terms WHERE preferred = 1 AND tty = 'PT'"),
		  16);
	/* the name and its plural normalize alike */
	CHECK_INT("obo-1.27", test_q(&st, "SELECT count(*) FROM terms WHERE norm = 'pneumothorax'"), 2);
	/* relations: is_a (also through an alt_id and with a trailing modifier),
	 * relationship named by its Typedef, targets outside the file counted */
	CHECK_INT("obo-1.28", s.is_a, 12);
	CHECK_INT("obo-1.29", s.relationships, 6);
	CHECK_INT("obo-1.30", s.unresolved, 1);
	CHECK_INT("obo-1.31", test_q(&st, "SELECT count(*) FROM triples"), 17);
	CHECK_INT("obo-1.32", triple(&st, "CXO:0000011", "isa", "C0032326"), 1);
	CHECK_INT("obo-1.33", triple(&st, "C0034063", "isa", "CXO:0000003"), 1);
	CHECK_INT("obo-1.34", triple(&st, "C0032326", "disease_has_location", "C0032226"), 1);
	CHECK_INT("obo-1.35", triple(&st, "C0024109", "part_of", "C0817096"), 1);
	CHECK_INT("obo-1.36", test_q(&st, "SELECT count(*) FROM relations WHERE name = 'isa' AND "
				     "rel = 'CHD'"), 1);
	/* cross-references, prefixes normalized */
	CHECK_INT("obo-1.37", test_q(&st, "SELECT count(*) FROM xrefs"), 18);
	CHECK_INT("obo-1.38", test_q(&st, "SELECT count(*) FROM xrefs x JOIN concepts c ON c.id = "
				     "x.concept WHERE c.cui = 'C0032326' AND x.target IN "
				     "('UMLS:C0032326', 'MESH:D900018', "
				     "'SNOMEDCT_US_2023_09_01:36118008')"), 3);
	CHECK_INT("obo-1.39", test_q(&st, "SELECT count(*) FROM xrefs WHERE target = 'MESH:D900019'"), 1);
	CHECK_INT("obo-1.40", test_q(&st, "SELECT count(*) FROM xrefs WHERE target = 'UMLS:C0032285'"), 1);
	/* the source */
	CHECK_INT("obo-1.41", test_q(&st, "SELECT count(*) FROM sources WHERE sab = 'CXO' AND kb = 'obo' "
				     "AND name = 'cxo' AND version = 'cxo/releases/2026-01-15/cxo.obo'"),
		  1);
	CHECK_INT("obo-1.42", test_q(&st, "SELECT count(*) FROM ingest_log WHERE command = 'load obo'"), 1);
	CHECK_INT("obo-1.43", test_q(&st, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
	CHECK_INT("obo-1.44", test_q(&st, "PRAGMA foreign_keys"), 1);

	/* loading again changes nothing */
	char *before = test_digest(&st, NULL, 0);
	CHECK_INT("obo-2.1", obo_load(&st, FIXTURE, &o, &s), 0);
	CHECK_INT("obo-2.2", s.already_loaded, 1);
	char *after = test_digest(&st, NULL, 0);
	CHECK_STR("obo-2.3", after, before);
	free(after);

	/* a new version: refused without replace; with it, this ontology's
	 * knowledge is replaced and concepts that persist keep their ids */
	size_t len;
	char *text = test_read_fixture(FIXTURE, &len);
	char *v2a = test_replace(text, "data-version: cxo/releases/2026-01-15/cxo.obo",
			    "data-version: cxo/releases/2026-03-01/cxo.obo");
	char *v2b = test_replace(v2a, "id: CXO:0000013\nname: pneumonia\n", "id: CXO:0000013\n"
			    "name: pneumonia\nis_obsolete: true\n");
	char *v2 = test_replace(v2b, "name: lung opacity", "name: pulmonary opacity");
	const char *p2 = test_file("cxo-v2.obo", v2, strlen(v2), 0);
	CHECK_INT("obo-2.4", obo_load(&st, p2, &o, &s), -1);
	CHECK_ERR("obo-2.5", "use --replace");
	after = test_digest(&st, NULL, 0);
	CHECK_STR("obo-2.6", after, before);
	free(after);
	int64_t ptx = test_q(&st, "SELECT id FROM concepts WHERE cui = 'C0032326'");
	int64_t opacity = test_q(&st, "SELECT id FROM concepts WHERE cui = 'CXO:0000018'");
	o.replace = 1;
	CHECK_INT("obo-2.7", obo_load(&st, p2, &o, &s), 0);
	CHECK_INT("obo-2.8", test_q(&st, "SELECT id FROM concepts WHERE cui = 'C0032326'"), ptx);
	CHECK_INT("obo-2.9", test_q(&st, "SELECT count(*) FROM concepts WHERE cui = 'C0032285'"), 0);
	CHECK_INT("obo-2.10", test_q(&st, "SELECT count(*) FROM concepts"), 15);
	CHECK_INT("obo-2.11", test_q(&st, "SELECT id FROM concepts WHERE cui = 'CXO:0000018' AND "
				     "name = 'pulmonary opacity'"), opacity);
	/* pneumonia's own 3 terms, 2 xrefs and 2 triples (its is_a, and eosinophilic
	 * pneumonia's is_a to it) are gone */
	CHECK_INT("obo-2.12", test_q(&st, "SELECT count(*) FROM terms"), 39);
	CHECK_INT("obo-2.13", test_q(&st, "SELECT count(*) FROM xrefs"), 16);
	CHECK_INT("obo-2.14", test_q(&st, "SELECT count(*) FROM triples"), 15);
	CHECK_INT("obo-2.15", test_q(&st, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
	CHECK_INT("obo-2.16", test_q(&st, "SELECT count(*) FROM sources WHERE version = "
				     "'cxo/releases/2026-03-01/cxo.obo'"), 1);

	/* another ontology beside it: replacing one leaves the other alone */
	o.sab = "CXB";
	o.replace = 0;
	CHECK_INT("obo-3.1", obo_load(&st, FIXTURE, &o, &s), 0);
	CHECK_STR("obo-3.2", s.sab, "CXB");
	CHECK_INT("obo-3.3", test_q(&st, "SELECT count(*) FROM sources WHERE kb = 'obo'"), 2);
	CHECK_INT("obo-3.4", test_q(&st, "SELECT count(*) FROM terms t JOIN sources s ON s.id = t.source "
				    "WHERE s.sab = 'CXB'"), 42);
	/* CXB brings pneumonia back, with the CXO concepts of the same CUIs */
	CHECK_INT("obo-3.5", test_q(&st, "SELECT count(*) FROM concepts"), 16);
	CHECK_INT("obo-3.6", test_q(&st, "SELECT count(DISTINCT concept) FROM terms WHERE "
				    "code = 'CXO:0000010'"), 1);
	char *cxo_before = NULL;
	{
		sqlite3_stmt *t = store_prepare(&st, "SELECT group_concat(t.concept || t.str, ';') "
					       "FROM terms t JOIN sources s ON s.id = t.source "
					       "WHERE s.sab = 'CXO'");
		sqlite3_step(t);
		cxo_before = xstrdup((const char *)sqlite3_column_text(t, 0));
		sqlite3_finalize(t);
	}
	o.replace = 1;
	CHECK_INT("obo-3.7", obo_load(&st, p2, &o, &s), 0);
	CHECK_INT("obo-3.8", test_q(&st, "SELECT count(*) FROM terms t JOIN sources s ON s.id = t.source "
				    "WHERE s.sab = 'CXB'"), 39);
	{
		sqlite3_stmt *t = store_prepare(&st, "SELECT group_concat(t.concept || t.str, ';') "
					       "FROM terms t JOIN sources s ON s.id = t.source "
					       "WHERE s.sab = 'CXO'");
		sqlite3_step(t);
		CHECK_STR("obo-3.9", (const char *)sqlite3_column_text(t, 0), cxo_before);
		sqlite3_finalize(t);
	}
	CHECK_INT("obo-3.10", test_q(&st, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
	free(cxo_before);
	store_close(&st);

	/* obsolete terms on request; no mapping on request */
	struct obo_options o2 = { 0 };
	o2.keep_obsolete = 1;
	test_store_new(&st, "obo-all");
	CHECK_INT("obo-4.1", obo_load(&st, FIXTURE, &o2, &s), 0);
	CHECK_INT("obo-4.2", test_q(&st, "SELECT count(*) FROM concepts"), 17);
	CHECK_INT("obo-4.3", test_q(&st, "SELECT count(*) FROM concepts WHERE cui GLOB 'CXO:*'"), 17);
	CHECK_INT("obo-4.4", s.mapped, 0);
	CHECK_INT("obo-4.5", test_q(&st, "SELECT count(*) FROM concepts WHERE cui = 'CXO:0000019' AND "
				    "name = 'pleural density'"), 1);
	store_close(&st);

	/* a .zst file gives the same knowledge */
	test_store_new(&st, "obo-zst");
	CHECK_INT("obo-4.6", obo_load(&st, test_file("chest.obo.zst", text, len, 1), &o2, &s), 0);
	CHECK_STR("obo-4.7", s.sab, "CXO");
	CHECK_INT("obo-4.8", test_q(&st, "SELECT count(*) FROM terms"), 43);
	store_close(&st);

	free(v2);
	free(v2a);
	free(v2b);
	free(text);
	free(before);
	strlist_free(o.map);
}

/* Knowledge from different sources meets on one concept. */
static void test_mapping(void)
{
	struct store st;
	struct umls_options uo = { 0 };
	struct umls_stats us;
	struct obo_options o = { 0 };
	struct obo_stats s;
	o.map = umls_map();
	/* UMLS first: the ontology's terms join the UMLS concepts, whose names stay */
	test_store_new(&st, "obo-umls");
	CHECK_INT("obo-map-1.1", umls_load(&st, "data/demo", &uo, &us), 0);
	int64_t n = test_q(&st, "SELECT count(*) FROM concepts");
	int64_t ptx = test_q(&st, "SELECT id FROM concepts WHERE cui = 'C0032326'");
	CHECK_INT("obo-map-1.2", obo_load(&st, FIXTURE, &o, &s), 0);
	CHECK_INT("obo-map-1.3", s.new_concepts, 7);
	CHECK_INT("obo-map-1.4", test_q(&st, "SELECT count(*) FROM concepts"), n + 7);
	CHECK_INT("obo-map-1.5", test_q(&st, "SELECT id FROM concepts WHERE cui = 'C0032326' AND "
				    "name = 'Pneumothorax'"), ptx);
	CHECK_INT("obo-map-1.6", term(&st, "C0032326", "collapsed lung", "SY", "BROAD", "CXO:0000010"), 1);
	CHECK_INT("obo-map-1.7", test_q(&st, "SELECT count(DISTINCT s.kb) FROM terms t JOIN sources s ON "
				    "s.id = t.source WHERE t.concept = (SELECT id FROM concepts "
				    "WHERE cui = 'C0032326')"), 2);
	CHECK_INT("obo-map-1.8", test_q(&st, "SELECT count(*) FROM pragma_foreign_key_check"), 0);
	store_close(&st);

	/* the ontology first: a UMLS load names the shared concept */
	test_store_new(&st, "obo-umls2");
	CHECK_INT("obo-map-2.1", obo_load(&st, FIXTURE, &o, &s), 0);
	ptx = test_q(&st, "SELECT id FROM concepts WHERE cui = 'C0032326'");
	CHECK_INT("obo-map-2.2", umls_load(&st, "data/demo", &uo, &us), 0);
	CHECK_INT("obo-map-2.3", test_q(&st, "SELECT id FROM concepts WHERE cui = 'C0032326' AND "
				    "name = 'Pneumothorax'"), ptx);
	CHECK_INT("obo-map-2.4", test_q(&st, "SELECT count(*) FROM terms WHERE concept = (SELECT id FROM "
				    "concepts WHERE cui = 'C0032326')"), 10);
	store_close(&st);

	/* MeSH: with --map-xrefs mesh the ontology's terms join the descriptors */
	struct mesh_options mo = { 0 };
	struct mesh_stats ms;
	strlist_free(o.map);
	o.map = strlist_parse("mesh");
	test_store_new(&st, "obo-mesh");
	CHECK_INT("obo-map-3.1", mesh_load(&st, "tests/fixtures/desc_chest.xml", &mo, &ms), 0);
	CHECK_INT("obo-map-3.2", obo_load(&st, FIXTURE, &o, &s), 0);
	/* eight terms name a descriptor (MSH: too); the rest are the ontology's own */
	CHECK_INT("obo-map-3.3", s.mapped, 8);
	CHECK_INT("obo-map-3.4", test_q(&st, "SELECT count(*) FROM concepts"), 22 + 8);
	CHECK_INT("obo-map-3.5", test_q(&st, "SELECT count(*) FROM concepts WHERE cui = 'D900018' AND "
				    "name = 'Pneumothorax'"), 1);
	CHECK_INT("obo-map-3.6", term(&st, "D900018", "air in the pleural space", "SY", "EXACT",
				  "CXO:0000010"), 1);
	CHECK_INT("obo-map-3.7", term(&st, "D900024", "eosinophilic pneumonia", "PT", "",
				  "CXO:0000017"), 1);
	/* the ontology's is_a now links descriptors too */
	CHECK_INT("obo-map-3.8", triple(&st, "D900024", "isa", "D900012"), 1);
	CHECK_INT("obo-map-3.9", triple(&st, "D900002", "part_of", "D900006"), 1);
	store_close(&st);

	/* umls before mesh: the UMLS xref wins where a term has both */
	strlist_free(o.map);
	o.map = strlist_parse("umls,mesh");
	test_store_new(&st, "obo-both");
	CHECK_INT("obo-map-4.1", obo_load(&st, FIXTURE, &o, &s), 0);
	CHECK_INT("obo-map-4.2", s.mapped, 10);
	CHECK_INT("obo-map-4.3", test_q(&st, "SELECT count(*) FROM concepts WHERE cui GLOB 'C[0-9]*'"), 9);
	CHECK_INT("obo-map-4.4", test_q(&st, "SELECT count(*) FROM concepts WHERE cui = 'D900024'"), 1);
	store_close(&st);
	strlist_free(o.map);

	/* an unknown kind of mapping is refused */
	o.map = strlist_parse("snomed");
	test_store_new(&st, "obo-bad-map");
	CHECK_INT("obo-map-5.1", obo_load(&st, FIXTURE, &o, &s), -1);
	CHECK_ERR("obo-map-5.2", "'snomed'");
	store_close(&st);
	strlist_free(o.map);
}

static int load(struct store *st, const char *path, void *options)
{
	struct obo_stats s;
	return obo_load(st, path, options, &s);
}

static void test_bad_input(void)
{
	size_t len;
	char *text = test_read_fixture(FIXTURE, &len);
	char long_name[5100] = "name: ";
	memset(long_name + 6, 'x', 5000);
	long_name[5006] = '\0';
	struct bad_input cases[] = {
		{ "obo-bad-1", "bad1.obo", test_replace(text, "\"pneumonitis\" RELATED", "\"pneumonitis\" "
						    "SIMILAR"), 0, test_line_of(text, "\"pneumonitis\"", 1),
		  "unknown synonym scope 'SIMILAR'" },
		{ "obo-bad-2", "bad2.obo", test_replace(text, "name: atelectasis", "name atelectasis"), 0,
		  test_line_of(text, "name: atelectasis", 1), "expected 'tag: value'" },
		{ "obo-bad-3", "bad3.obo", test_replace(text, "\"pleural fluid\" RELATED",
						    "\"pleural fluid RELATED"), 0,
		  test_line_of(text, "\"pleural fluid\"", 1), "unterminated quoted string" },
		{ "obo-bad-4", "bad4.obo", test_replace(text, "name: thorax", "name: thor\xe1x"), 0,
		  test_line_of(text, "name: thorax", 1), "invalid UTF-8 at byte 11" },
		{ "obo-bad-5", "bad5.obo", test_replace(text, "id: CXO:0000014", "id: CXO:0000013"), 0,
		  test_line_of(text, "id: CXO:0000014", 1) - 1, "term id CXO:0000013 appears twice" },
		{ "obo-bad-6", "bad6.obo", test_replace(text, "xref: UMLS:C0004144", "xref: UMLS:C000414"),
		  0, test_line_of(text, "xref: UMLS:C0004144", 1), "does not name a UMLS CUI" },
		{ "obo-bad-7", "bad7.obo", test_replace(text, "[Term]\nid: CXO:0000002", "[Term\n"
						    "id: CXO:0000002"), 0,
		  test_line_of(text, "[Term]\nid: CXO:0000002", 1), "malformed stanza header '[Term'" },
		{ "obo-bad-8", "bad8.obo.zst", xstrdup(text), 1, 0, "truncated zstd stream" },
		{ "obo-bad-9", "bad9.obo", xstrdup(""), 0, 0, "empty file" },
		{ "obo-bad-10", "missing.obo", NULL, 0, 0, "cannot open" },
		{ "obo-bad-11", "bad11.obo", xstrdup("format-version: 1.2\nontology: cxo\n\n"
						     "[Typedef]\nid: part_of\nname: part of\n"), 0, 0,
		  "no [Term] stanza" },
		{ "obo-bad-12", "bad12.obo", test_replace(text, "name: lung opacity\n", ""), 0,
		  test_line_of(text, "name: lung opacity", 1) - 2, "term CXO:0000018 without name" },
		{ "obo-bad-13", "bad13.obo", test_replace(text, "id: CXO:0000053\n", ""), 0,
		  test_line_of(text, "id: CXO:0000053", 1) - 1, "[Term] without id" },
		{ "obo-bad-14", "bad14.obo", test_replace(text, "is_a: CXO:0000003 ! lung finding",
						      "is_a: ! lung finding"), 0,
		  test_line_of(text, "is_a: CXO:0000003 ! lung finding", 1), "is_a without a target" },
		{ "obo-bad-15", "bad15.obo", test_replace(text, "relationship: part_of CXO:0000052",
						      "relationship: part_of"), 0,
		  test_line_of(text, "relationship: part_of CXO:0000052", 1),
		  "relationship needs a type and a target" },
		{ "obo-bad-16", "bad16.obo", test_replace(text, "synonym: \"opacity\" BROAD []",
						      "synonym: opacity BROAD []"), 0,
		  test_line_of(text, "synonym: \"opacity\"", 1), "synonym text must be quoted" },
		{ "obo-bad-17", "bad17.obo", test_replace(text, "ontology: cxo\n", "ontology\n"), 0,
		  test_line_of(text, "ontology: cxo", 1), "expected 'tag: value'" },
		/* a control character (a tab is white space, as in the Disease
		 * Ontology's own synonyms: allowed) */
		{ "obo-bad-20", "bad20.obo", test_replace(text, "name: thorax", "name: tho\x01rax"), 0,
		  test_line_of(text, "id: CXO:0000052", 1) - 1,
		  "name holds a control character at byte 4 (after 'tho') of term CXO:0000052" },
		{ "obo-bad-21", "bad21.obo", test_replace(text, "name: thorax", long_name), 0,
		  test_line_of(text, "id: CXO:0000052", 1) - 1,
		  "name of 5000 bytes, over the limit of 4096 of term CXO:0000052" },
	};
	char *nul = test_replace(text, "name: lung\n", "name: lu\x01ng\n");
	size_t nul_line = test_line_of(nul, "name: lu\x01", 1);
	*strchr(nul, '\x01') = '\0';

	struct store st;
	struct obo_options o = { 0 };
	struct obo_stats s;
	o.map = umls_map();
	test_store_new(&st, "obo-bad");
	obo_load(&st, FIXTURE, &o, &s);
	char *before = test_digest(&st, NULL, 0);
	o.replace = 1;
	test_bad_inputs(&st, cases, ARRAY_SIZE(cases), load, &o);
	char want[600];
	const char *pn = test_file("nul.obo", nul, len + 1, 0);
	snprintf(want, sizeof want, "nul.obo:%zu: NUL byte", nul_line);
	CHECK_INT("obo-bad-18.rc", obo_load(&st, pn, &o, &s), -1);
	CHECK_ERR("obo-bad-18", want);
	char *after = test_digest(&st, NULL, 0);
	CHECK_STR("obo-bad-18.store", after, before);
	free(after);
	CHECK_INT("obo-bad-19", test_q(&st, "PRAGMA foreign_keys"), 1);

	/* --lenient skips the bad line or stanza and counts it */
	o.lenient = 1;
	char p[512];
	snprintf(p, sizeof p, "%s/bad1.obo", test_tmpdir());
	CHECK_INT("obo-lenient-1", obo_load(&st, p, &o, &s), 0);
	CHECK_INT("obo-lenient-2", s.malformed, 1);
	CHECK_INT("obo-lenient-3", s.synonyms[OBO_RELATED], 6);
	CHECK_INT("obo-lenient-4", test_q(&st, "SELECT count(*) FROM terms WHERE str = 'pneumonitis'"), 0);
	CHECK_INT("obo-lenient-5", test_q(&st, "SELECT rows_skipped FROM ingest_log ORDER BY id DESC "
					  "LIMIT 1"), 1);
	snprintf(p, sizeof p, "%s/bad12.obo", test_tmpdir());
	CHECK_INT("obo-lenient-6", obo_load(&st, p, &o, &s), 0);
	CHECK_INT("obo-lenient-7", s.malformed, 1);
	CHECK_INT("obo-lenient-8", test_q(&st, "SELECT count(*) FROM concepts"), 15);
	/* the lung opacity stanza is skipped, so is_a lines to it are not resolved */
	CHECK_INT("obo-lenient-9", test_q(&st, "SELECT count(*) FROM concepts WHERE cui = 'CXO:0000018'"), 0);

	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		free(cases[i].content);
	free(nul);
	free(text);
	free(before);
	strlist_free(o.map);
	store_close(&st);
}

/* The source an ontology is loaded as. */
static void test_source_names(void)
{
	static const struct {
		const char *id, *file, *header, *sab, *want; /* want NULL: an error */
	} cases[] = {
		{ "obo-sab-1", "hp.obo", "ontology: hp\n", NULL, "HP" },
		{ "obo-sab-2", "slim.obo", "ontology: doid/subsets/DO_AGR_slim\n", NULL,
		  "DOID_SUBSETS_DO_AGR_SLIM" },
		{ "obo-sab-3", "mondo-base.obo", "", NULL, "MONDO-BASE" },
		{ "obo-sab-4", "mondo-base.obo.zst", "", NULL, "MONDO-BASE" },
		{ "obo-sab-5", "hp.obo", "ontology: hp\n", "Mine", "MINE" },
		{ "obo-sab-6", "hp.obo", "ontology: hp\n", "a b", NULL },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct buf b = BUF_INIT;
		buf_addf(&b, "format-version: 1.2\n%s\n[Term]\nid: X:1\nname: one\n", cases[i].header);
		const char *path = test_file(cases[i].file, b.p, b.len,
					    strstr(cases[i].file, ".zst") != NULL);
		struct store st;
		struct obo_options o = { 0 };
		struct obo_stats s;
		o.sab = (char *)cases[i].sab;
		test_store_new(&st, "obo-sab");
		int rc = obo_load(&st, path, &o, &s);
		CHECK_INT(test_id("%s.rc", cases[i].id), rc, cases[i].want ? 0 : -1);
		if (cases[i].want) {
			CHECK_STR(cases[i].id, s.sab, cases[i].want);
			sqlite3_stmt *t = store_prepare(&st, "SELECT sab FROM sources WHERE kb = 'obo'");
			CHECK(test_id("%s.row", cases[i].id), t && sqlite3_step(t) == SQLITE_ROW);
			CHECK_STR(test_id("%s.source", cases[i].id), (const char *)sqlite3_column_text(t, 0),
				  cases[i].want);
			sqlite3_finalize(t);
		} else {
			CHECK_ERR(cases[i].id, "letters, digits");
		}
		store_close(&st);
		buf_release(&b);
	}
}

void test_obo(void)
{
	test_fixture();
	test_mapping();
	test_source_names();
	test_bad_input();
}
