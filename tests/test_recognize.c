/* Concept recognition: abbreviation definitions (Schwartz-Hearst), term
 * rules, variants, and whole documents matched against a small knowledge
 * base written here: case rules, abbreviations, variants, ambiguity,
 * modifiers, spans with their exact offsets; and the counts each rule left
 * with the cached dictionary. */
#define _GNU_SOURCE
#include "testhelp.h"
#include "tests.h"
#include "../common/util.h"
#include "../common/normalize.h"
#include "../common/strlist.h"
#include "../extract/abbrev.h"
#include "../extract/dict_store.h"
#include "../extract/extract.h"
#include "../extract/recognize.h"
#include "../extract/sentences.h"
#include "../extract/term_rules.h"
#include "../extract/variants.h"
#include "../store/store.h"
#include "../store/umls.h"

#include <stdlib.h>
#include <sys/stat.h>

/* ---------------------------------------------------------------- abbreviations */

/* The pairs found in text, as "SF=LF;SF=LF" with each form cut from the
 * text at its offsets. */
static char *pairs_of(const char *text)
{
	struct abbrev_pair *p = NULL;
	size_t n = 0, cap = 0, len = strlen(text);
	abbrev_find(text, 0, len, len, &p, &n, &cap);
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < n; i++)
		buf_addf(&b, "%s%.*s=%.*s", i ? ";" : "", (int)(p[i].sf_end - p[i].sf_start),
			 text + p[i].sf_start, (int)(p[i].lf_end - p[i].lf_start), text + p[i].lf_start);
	free(p);
	if (!b.p)
		buf_adds(&b, "");
	return b.p;
}

static void test_abbreviations(void)
{
	static const struct { const char *id, *text, *want; } cases[] = {
		{ "rec-abbr-1", "mutations in adenomatous polyposis coli (APC) cause",
		  "APC=adenomatous polyposis coli" },
		{ "rec-abbr-2", "the APC (adenomatous polyposis coli) gene", "APC=adenomatous polyposis coli" },
		/* the shortest long form: "Hereditary" is a modifier, left to
		 * recognition */
		{ "rec-abbr-3", "Hereditary hemochromatosis (HH) is common", "HH=hemochromatosis" },
		{ "rec-abbr-4", "patients with ataxia-telangiectasia (A-T; OMIM 208900)",
		  "A-T=ataxia-telangiectasia" },
		{ "rec-abbr-5", "X-linked adrenoleukodystrophy (X-ALD) and adrenomyeloneuropathy (AMN)",
		  "X-ALD=X-linked adrenoleukodystrophy;AMN=adrenomyeloneuropathy" },
		/* nested parentheses: the short form before the inner one */
		{ "rec-abbr-6", "in X-linked adrenoleukodystrophy (X-ALD (1)) patients",
		  "X-ALD=X-linked adrenoleukodystrophy" },
		/* the first letter must begin a word of the long form */
		{ "rec-abbr-7", "T-cell prolymphocytic leukemia (T-PLL) is rare",
		  "T-PLL=T-cell prolymphocytic leukemia" },
		/* Latin word order: the initials in another order */
		{ "rec-abbr-8", "In myotonic dystrophy (DM), the repeat", "DM=myotonic dystrophy" },
		/* not definitions */
		{ "rec-abbr-9", "Twelve patients (n = 12) were studied", "" },
		{ "rec-abbr-10", "the difference was significant (p < 0.05) here", "" },
		{ "rec-abbr-11", "two groups (i) and (ii) were compared", "" },
		{ "rec-abbr-12", "as described elsewhere (see below) and", "" },
		{ "rec-abbr-13", "in 1998 (1998) they", "" },
		{ "rec-abbr-14", "a protein with no such letters (XYZ) here", "" },
		/* the long form may not contain the short form as a word */
		{ "rec-abbr-15", "the CAT gene of cat (CAT)", "" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *got = pairs_of(cases[i].text);
		CHECK_STR(cases[i].id, got, cases[i].want);
		free(got);
	}
	/* offsets: the forms lie where they are said to */
	const char *t = "Most colon cancers arise in adenomatous polyposis coli (APC).";
	struct abbrev_pair *p = NULL;
	size_t n = 0, cap = 0;
	CHECK_INT("rec-abbr-20.n", abbrev_find(t, 0, strlen(t), strlen(t), &p, &n, &cap), 1);
	CHECK_INT("rec-abbr-20.sf", p ? (int)p[0].sf_start : -1, 56);
	CHECK_INT("rec-abbr-20.sfe", p ? (int)p[0].sf_end : -1, 59);
	CHECK_INT("rec-abbr-20.lf", p ? (int)p[0].lf_start : -1, 28);
	CHECK_INT("rec-abbr-20.lfe", p ? (int)p[0].lf_end : -1, 54);
	free(p);
	/* the ')' may lie past the sentence, up to the limit */
	const char *u = "Glucose-6-phosphate dehydrogenase (G6PD; EC 1. 1. 1. 49) deficiency";
	p = NULL;
	n = cap = 0;
	CHECK_INT("rec-abbr-21.sentence", abbrev_find(u, 0, 44, 44, &p, &n, &cap), 0);
	CHECK_INT("rec-abbr-21.limit", abbrev_find(u, 0, 44, strlen(u), &p, &n, &cap), 1);
	free(p);
}

/* ---------------------------------------------------------------- term rules */

static void test_term_rules(void)
{
	struct term_rules tr;
	CHECK_INT("rec-rules-1", term_rules_load(&tr, NULL), 0);
	static const struct { const char *id, *norm; int upper, want; } cases[] = {
		{ "rec-rules-2.1", "the", 0, TERM_FUNCTION },
		{ "rec-rules-2.2", "cm", 0, TERM_UNIT },
		{ "rec-rules-2.3", "cm", 1, 0 },            /* "CM", an acronym, stays */
		{ "rec-rules-2.4", "iii", 0, TERM_NUMERAL },
		{ "rec-rules-2.5", "disease", 0, TERM_GENERIC },
		{ "rec-rules-2.6", "heart disease", 0, 0 },
		{ "rec-rules-2.7", "sporadic", 0, TERM_MODIFIER },
		{ "rec-rules-2.8", "autosomal dominant", 0, TERM_MODIFIER },
		{ "rec-rules-2.9", "autosomal", 0, 0 },
		{ "rec-rules-2.10", "severe", 0, 0 },      /* degree: not listed */
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++)
		CHECK_INT(cases[i].id, term_rules_class(&tr, cases[i].norm, strlen(cases[i].norm),
							cases[i].upper), cases[i].want);
	CHECK_INT("rec-rules-3.1",
		  term_rules_modifier_prefix(&tr, "hereditary x linked deafness", 28), 20);
	CHECK_INT("rec-rules-3.2", term_rules_modifier_prefix(&tr, "sporadic", 8), 0);
	CHECK_INT("rec-rules-3.3", term_rules_modifier_prefix(&tr, "prostate cancer", 15), 0);
	term_rules_release(&tr);

	/* a file of one's own replaces the lists; bad lines are named */
	static const char own_text[] = "# mine\nfoo\tfunction\nDiseases\tgeneric\n";
	static const char bad_text[] = "foo\tfunction\nbar\tadjective\n";
	static const char dup_text[] = "foo\tfunction\nFOO\tunit\n";
	const char *own = test_file("rec-rules.tsv", own_text, strlen(own_text), 0);
	CHECK_INT("rec-rules-4.1", term_rules_load(&tr, own), 0);
	CHECK_INT("rec-rules-4.2", term_rules_class(&tr, "disease", 7, 0), TERM_GENERIC);
	CHECK_INT("rec-rules-4.3", term_rules_class(&tr, "the", 3, 0), 0);
	term_rules_release(&tr);
	const char *bad = test_file("rec-rules-bad.tsv", bad_text, strlen(bad_text), 0);
	CHECK_INT("rec-rules-4.4", term_rules_load(&tr, bad), -1);
	CHECK_ERR("rec-rules-4.5", "rec-rules-bad.tsv:2: unknown class 'adjective'");
	const char *dup = test_file("rec-rules-dup.tsv", dup_text, strlen(dup_text), 0);
	CHECK_INT("rec-rules-4.6", term_rules_load(&tr, dup), -1);
	CHECK_ERR("rec-rules-4.7", "rec-rules-dup.tsv:2: 'FOO' is already listed (line 1)");
}

/* ---------------------------------------------------------------- variants */

/* The variants of a term as "variant (class);..." */
static char *variants_of(const char *str)
{
	struct buf norm = BUF_INIT, out = BUF_INIT;
	text_normalize(str, strlen(str), &norm);
	struct variant_list vl;
	memset(&vl, 0, sizeof vl);
	variants_generate(str, strlen(str), norm.p, norm.len, &vl);
	for (size_t i = 0; i < vl.n; i++) {
		buf_addf(&out, "%s%s (", i ? ";" : "", vl.text.p + vl.v[i].off);
		variant_describe(vl.v[i].mask, &out);
		if (vl.v[i].order)
			buf_addf(&out, " %u", vl.v[i].order);
		if (vl.v[i].rest_len)
			buf_addf(&out, ", rest %.*s", (int)vl.v[i].rest_len, vl.text.p + vl.v[i].rest);
		buf_addc(&out, ')');
	}
	if (!out.p)
		buf_adds(&out, "");
	variant_list_release(&vl);
	buf_release(&norm);
	return out.p;
}

static void test_variants(void)
{
	static const struct { const char *id, *term, *want; } cases[] = {
		/* British and American spellings, both ways */
		{ "rec-var-1", "Tumor", "tumour (spelling)" },
		{ "rec-var-2", "oedema", "edema (spelling)" },
		{ "rec-var-3", "Haemorrhage", "hemorrhage (spelling)" },
		{ "rec-var-4", "leukaemia", "leukemia (spelling)" },
		{ "rec-var-5", "anemia", "anaemia (spelling)" },
		{ "rec-var-6", "hemiplegia", "" },            /* not "haemiplegia" */
		{ "rec-var-7", "localized esophageal cancer", "localised oesophageal cancer (spelling)" },
		/* inverted forms */
		{ "rec-var-8", "Hernia, Hiatal", "hiatal hernia (inversion)" },
		{ "rec-var-9", "Leukemia, Myeloid, Acute",
		  "acute myeloid leukemia (inversion);leukaemia myeloid acute (spelling);"
		  "acute myeloid leukaemia (inversion+spelling)" },
		{ "rec-var-10", "cancer of the prostate", "prostate cancer (of)" },
		{ "rec-var-11", "fracture of femur", "femur fracture (of)" },
		{ "rec-var-12", "disease of the heart and lung", "" }, /* not a simple compound */
		/* qualifiers that say nothing */
		{ "rec-var-13", "Pneumonia, NOS", "pneumonia (qualifier)" },
		{ "rec-var-14", "Pneumonia (disorder)",
		  "pneumonia (qualifier);pneumonia disease (synonym)" },
		/* hyphen, space and joined forms */
		{ "rec-var-15", "non-Hodgkin lymphoma", "nonhodgkin lymphoma (hyphenation)" },
		{ "rec-var-16", "nonhodgkin lymphoma", "non hodgkin lymphoma (hyphenation, rest hodgkin)" },
		/* numbered types */
		{ "rec-var-17", "myotonic dystrophy type 1", "myotonic dystrophy (subtype 1)" },
		{ "rec-var-18", "type II diabetes", "diabetes (subtype 2)" },
		/* head word synonyms */
		/* split hyphenations are proposals: the dictionary keeps those whose
		 * rest is a word it knows ("somal" is not) */
		{ "rec-var-19", "autosomal recessive disease",
		  "autosomal recessive disorder (synonym);"
		  "auto somal recessive disease (hyphenation, rest somal);"
		  "auto somal recessive disorder (hyphenation+synonym, rest somal)" },
		/* digits inside numbers stay: "1,000" is not a list */
		{ "rec-var-20", "1,000 cells", "" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *got = variants_of(cases[i].term);
		CHECK_STR(cases[i].id, got, cases[i].want);
		free(got);
	}
	/* possessives and hyphens need no variant: the normalizer reads them alike */
	static const char *const alike[] = { "Crohn's disease", "Crohns disease", "Crohn disease",
					     "Crohn\xe2\x80\x99s disease" };
	for (size_t i = 0; i < ARRAY_SIZE(alike); i++) {
		struct buf b = BUF_INIT;
		text_normalize(alike[i], strlen(alike[i]), &b);
		CHECK_STR(test_id("rec-var-30.%zu", i), b.p, "crohn disease");
		buf_release(&b);
	}
	struct buf b = BUF_INIT;
	text_normalize("beta-catenin", 12, &b);
	CHECK_STR("rec-var-31", b.p, "beta catenin");
	buf_release(&b);
	struct buf d = BUF_INIT;
	variant_describe(VAR_INVERSION | VAR_SPELLING, &d);
	CHECK_STR("rec-var-32", d.p, "inversion+spelling");
	buf_release(&d);
}

/* ---------------------------------------------------------------- documents */

/* The test knowledge base (made-up CUIs), UMLS RRF: CUI, AUI, TTY, string. */
#define ROW(cui, aui, ts, tty, str) \
	cui "|ENG|" ts "|L" aui "|PF|S" aui "|Y|A" aui "||||SRCR|" tty "|C" aui "|" str "|0|N|256|\n"
static const char kb_conso[] =
	ROW("C9100001", "0001", "P", "PT", "Prostate cancer")
	ROW("C9100001", "0002", "S", "SY", "Cancer of the prostate")
	ROW("C9100002", "0003", "P", "PT", "Cancer")
	ROW("C9100002", "0004", "S", "SY", "Malignant tumor")
	ROW("C9100003", "0005", "P", "PT", "Hernia, Hiatal")
	ROW("C9100004", "0006", "P", "PT", "Familial adenomatous polyposis")
	ROW("C9100004", "0007", "S", "SY", "Adenomatous polyposis coli")
	ROW("C9100005", "0008", "P", "PT", "Cutaneous mastocytosis")
	ROW("C9100005", "0009", "S", "AB", "CM")
	ROW("C9100006", "0010", "P", "PT", "Ankylosing spondylitis")
	ROW("C9100006", "0011", "S", "AB", "AS")
	ROW("C9100007", "0012", "P", "PT", "Disease")
	ROW("C9100008", "0013", "P", "PT", "Heart disease")
	ROW("C9100009", "0014", "P", "PT", "Wilms tumor")
	ROW("C9100009", "0015", "S", "SY", "WT1")
	ROW("C9100010", "0016", "P", "PT", "Glucose-6-phosphate dehydrogenase deficiency")
	ROW("C9100011", "0017", "P", "PT", "von Hippel-Lindau disease")
	ROW("C9100011", "0018", "S", "SY", "Von Hippel-Lindau syndrome (VHL)")
	ROW("C9100012", "0019", "P", "PT", "Rib")
	ROW("C9100013", "0020", "P", "PT", "Edema")
	ROW("C9100014", "0021", "P", "PT", "Common cold")
	ROW("C9100014", "0022", "S", "SY", "Cold")
	ROW("C9100015", "0023", "P", "PT", "Cold temperature")
	ROW("C9100015", "0024", "S", "SY", "Cold")
	ROW("C9100016", "0025", "P", "PT", "Myotonic dystrophy type 1")
	ROW("C9100017", "0026", "P", "PT", "Myotonic dystrophy type 2")
	ROW("C9100018", "0027", "P", "PT", "Non-Hodgkin lymphoma")
	ROW("C9100019", "0028", "P", "PT", "Lesch-Nyhan syndrome")
	ROW("C9100020", "0029", "P", "PT", "Autosomal recessive disease")
	ROW("C9100021", "0030", "P", "PT", "Pneumonia (disorder)")
	ROW("C9100022", "0031", "P", "PT", "mm")
	ROW("C9100023", "0032", "P", "PT", "Hemochromatosis");

#define STY(cui, tui, stn, name) cui "|" tui "|" stn "|" name "|AT" cui "|256|\n"
static const char kb_sty[] =
	STY("C9100014", "T047", "B2.2.1.2.1", "Disease or Syndrome")
	STY("C9100015", "T070", "B2.3", "Natural Phenomenon or Process")
	STY("C9100001", "T047", "B2.2.1.2.1", "Disease or Syndrome");

static int open_kb(struct store *st, const char *name)
{
	char dir[512];
	snprintf(dir, sizeof dir, "%s/%s-rrf", test_tmpdir(), name);
	mkdir(dir, 0755);
	char path[600];
	snprintf(path, sizeof path, "%s/MRCONSO.RRF", dir);
	write_file(path, kb_conso, strlen(kb_conso));
	snprintf(path, sizeof path, "%s/MRSTY.RRF", dir);
	write_file(path, kb_sty, strlen(kb_sty));
	struct umls_options o = { 0 };
	struct umls_stats s;
	if (test_store_new(st, name) < 0)
		return -1;
	return umls_load(st, dir, &o, &s);
}

struct doc_env {
	struct store st;
	struct dict dict;
	struct dict_info info;
	struct term_rules rules;
	struct lexicon lex;
	struct rec_scratch w;
};

static int env_open(struct doc_env *e, const char *name, char **prefer)
{
	memset(e, 0, sizeof(*e));
	struct dict_options o;
	memset(&o, 0, sizeof o);
	o.prefer = prefer;
	if (open_kb(&e->st, name) < 0 || dict_open(&e->st, &o, &e->dict, &e->info) < 0 ||
	    term_rules_load(&e->rules, NULL) < 0 || lexicon_load(&e->lex, NULL) < 0)
		return -1;
	return 0;
}

static void env_close(struct doc_env *e)
{
	dict_release(&e->dict);
	free(e->info.filters);
	term_rules_release(&e->rules);
	lexicon_release(&e->lex);
	recognize_scratch_release(&e->w);
	store_close(&e->st);
}

/* The mentions of text as "start:end surface CUI [match] [decided N]
 * [mod start:text]" joined by "; ". */
static char *mentions_of(struct doc_env *e, const char *text)
{
	struct span *sp = NULL;
	size_t n_sp = 0, cap_sp = 0;
	sentences_split(text, 0, strlen(text), &sp, &n_sp, &cap_sp);
	struct rec_sentence *rs = xcalloc(n_sp ? n_sp : 1, sizeof(*rs));
	for (size_t i = 0; i < n_sp; i++)
		rs[i] = (struct rec_sentence){ sp[i].start, sp[i].end, (uint32_t)i, 0 };
	struct recognizer r = { &e->dict, &e->rules, &e->lex };
	struct rec_mention *m = NULL;
	size_t n = 0, cap = 0;
	recognize_document(&r, text, rs, n_sp, &e->w, &m, &n, &cap);
	struct buf b = BUF_INIT;
	sqlite3_stmt *q = store_prepare(&e->st, "SELECT cui FROM concepts WHERE id = ?");
	for (size_t i = 0; i < n; i++) {
		sqlite3_bind_int64(q, 1, m[i].concept);
		const char *cui = sqlite3_step(q) == SQLITE_ROW ? (const char *)sqlite3_column_text(q, 0)
								: "?";
		buf_addf(&b, "%s%u:%u %.*s %s", i ? "; " : "", m[i].bstart, m[i].bend,
			 (int)(m[i].bend - m[i].bstart), text + m[i].bstart, cui);
		sqlite3_reset(q);
		if (m[i].abbreviation || (m[i].flags & DICT_C_VARIANT)) {
			buf_addc(&b, ' ');
			match_describe(m[i].flags, m[i].abbreviation, &b);
		}
		if (m[i].decided)
			buf_addf(&b, " %s %u", decided_name(m[i].decided), m[i].candidates);
		if (m[i].mod_bend > m[i].mod_bstart)
			buf_addf(&b, " mod %u:%.*s", m[i].mod_bstart, (int)(m[i].mod_bend - m[i].mod_bstart),
				 text + m[i].mod_bstart);
	}
	sqlite3_finalize(q);
	free(m);
	free(rs);
	free(sp);
	if (!b.p)
		buf_adds(&b, "");
	return b.p;
}

static void test_documents(void)
{
	struct doc_env e;
	if (env_open(&e, "rec-doc", NULL) < 0) {
		CHECK("rec-doc-0", 0);
		return;
	}
	CHECK("rec-doc-0", 1);
	static const struct { const char *id, *text, *want; } cases[] = {
		/* case: an abbreviation only as the knowledge base writes it; a unit
		 * is never a concept; a short term in lower case or capitalized */
		{ "rec-case-1", "A 3 mm lesion; CM was confirmed, not cm.", "15:17 CM C9100005" },
		{ "rec-case-2", "AS was ruled out as before.", "0:2 AS C9100006" },
		{ "rec-case-3", "Rib and rib, not RIB.", "0:3 Rib C9100012; 8:11 rib C9100012" },
		/* a gene-like symbol only where the report defines it */
		{ "rec-case-4", "WT1 mutations in Wilms tumor.", "17:28 Wilms tumor C9100009" },
		/* generic head words alone are not concepts */
		{ "rec-case-5", "The disease spread; heart disease.", "20:33 heart disease C9100008" },
		/* the longest term */
		{ "rec-span-1", "Prostate cancer was found.", "0:15 Prostate cancer C9100001" },
		/* modifiers stay out of the concept, recorded on the mention */
		{ "rec-span-2", "Sporadic prostate cancer and familial adenomatous polyposis.",
		  "9:24 prostate cancer C9100001 mod 0:Sporadic; "
		  "29:59 familial adenomatous polyposis C9100004" },
		{ "rec-span-3", "Hereditary X-linked hemochromatosis.",
		  "20:35 hemochromatosis C9100023 mod 0:Hereditary X-linked" },
		/* abbreviations defined in the document, then used */
		{ "rec-abbr-doc-1",
		  "Adenomatous polyposis coli (APC) is inherited. APC patients and APCs.",
		  "0:26 Adenomatous polyposis coli C9100004; 28:31 APC C9100004 abbreviation; "
		  "47:50 APC C9100004 abbreviation; 64:68 APCs C9100004 abbreviation" },
		/* the document's own "AS" is not the knowledge base's */
		{ "rec-abbr-doc-2", "Aortic stenosis (AS) was severe. AS progressed.", "" },
		/* Latin order; the long form names two types: the first ranks first */
		{ "rec-abbr-doc-3", "In myotonic dystrophy (DM) the DM gene.",
		  "3:21 myotonic dystrophy C9100016 subtype rule 2; 23:25 DM C9100016 abbreviation; "
		  "31:33 DM C9100016 abbreviation" },
		/* a short form before other words, read with its long form */
		{ "rec-abbr-doc-4",
		  "Glucose-6-phosphate dehydrogenase (G6PD) is an enzyme. G6PD deficiency is common.",
		  "55:70 G6PD deficiency C9100010 abbreviation" },
		/* a definition that interrupts a term */
		{ "rec-abbr-doc-5", "von Hippel-Lindau (VHL) disease. VHL recurs.",
		  "0:31 von Hippel-Lindau (VHL) disease C9100011; 33:36 VHL C9100011 abbreviation" },
		/* the short form a knowledge-base term defines */
		{ "rec-abbr-doc-6", "VHL was found.", "0:3 VHL C9100011 abbreviation" },
		/* variants */
		{ "rec-var-doc-1", "Tumours and a malignant tumour.",
		  "0:7 Tumours C9100002 modifier+spelling; 14:30 malignant tumour C9100002 spelling" },
		{ "rec-var-doc-2", "A hiatal hernia and cancer of the prostate.",
		  "2:15 hiatal hernia C9100003 inversion; 20:42 cancer of the prostate C9100001" },
		{ "rec-var-doc-3", "Oedema, pneumonia and nonHodgkin lymphoma.",
		  "0:6 Oedema C9100013 spelling; 8:17 pneumonia C9100021 qualifier; "
		  "22:41 nonHodgkin lymphoma C9100018 hyphenation" },
		{ "rec-var-doc-4", "Lesch-Nyhan and an autosomal recessive disorder; lesch-nyhan.",
		  "0:11 Lesch-Nyhan C9100019 eponym; "
		  "19:47 autosomal recessive disorder C9100020 synonym" },
		/* ambiguity: the rule, the document, the types requested */
		{ "rec-amb-1", "A cold.", "2:6 cold C9100014 rule 2" },
		{ "rec-amb-2", "Cold temperature. A cold.",
		  "0:16 Cold temperature C9100015; 20:24 cold C9100015 document 2" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char *got = mentions_of(&e, cases[i].text);
		CHECK_STR(cases[i].id, got, cases[i].want);
		free(got);
	}
	/* the counts of the rules, stored with the dictionary */
	CHECK("rec-doc-rules.1", e.info.rules.removed[TERM_GENERIC] == 1 &&
				 e.info.rules.removed[TERM_UNIT] == 1);
	CHECK_INT("rec-doc-rules.2", e.info.rules.case_abbrev, 2);
	CHECK_INT("rec-doc-rules.3", e.info.rules.case_symbol, 2); /* WT1, "... (VHL)" */
	CHECK_INT("rec-doc-rules.4", e.info.rules.case_short, 1);
	CHECK_INT("rec-doc-rules.5", e.info.rules.variants[5], 2); /* subtype */
	CHECK_INT("rec-doc-rules.6", test_q(&e.st, "SELECT json_extract(rules, '$.removed.generic') "
						    "FROM dictionaries"), 1);
	env_close(&e);

	/* the semantic types requested decide what the document does not */
	char **prefer = strlist_parse("T070");
	if (env_open(&e, "rec-doc-prefer", prefer) == 0) {
		char *got = mentions_of(&e, "A cold.");
		CHECK_STR("rec-amb-3", got, "2:6 cold C9100015 semtype 2");
		free(got);
		got = mentions_of(&e, "Common cold. A cold.");
		CHECK_STR("rec-amb-4", got, "0:11 Common cold C9100014; 15:19 cold C9100014 document 2");
		free(got);
	} else {
		CHECK("rec-amb-3", 0);
	}
	env_close(&e);
	strlist_free(prefer);
}

/* Through extraction into a store: character offsets (not bytes), and the
 * new columns. */
static void test_store_columns(void)
{
	struct store st;
	if (open_kb(&st, "rec-store") < 0) {
		CHECK("rec-store-0", 0);
		return;
	}
	static const char csv_text[] =
		"id,findings\n"
		"R1,\"M\xc3\xa9ni\xc3\xa8re: adenomatous polyposis coli (APC). APC and "
		"sporadic prostate cancer; a cold.\"\n";
	const char *csv = test_file("rec-store.csv", csv_text, strlen(csv_text), 0);
	struct extract_options o;
	memset(&o, 0, sizeof o);
	struct extract_stats s;
	char *inputs[] = { (char *)csv };
	CHECK_INT("rec-store-1", extract_run(&st, inputs, 1, &o, &s), 0);
	free(s.dict.filters);
	CHECK_INT("rec-store-2", test_q(&st, "SELECT count(*) FROM mentions"), 5);
	/* text[start:end] is the surface, in characters */
	CHECK_INT("rec-store-3", test_q(&st, "SELECT count(*) FROM mentions m JOIN reports r ON "
					     "r.id = m.report WHERE substr(r.text, m.start + 1, "
					     "m.end - m.start) = m.surface"), 5);
	CHECK_INT("rec-store-4", test_q(&st, "SELECT start FROM mentions WHERE surface = 'APC' "
					     "ORDER BY start LIMIT 1"), 37);
	CHECK_INT("rec-store-5", test_q(&st, "SELECT count(*) FROM mentions WHERE match = "
					     "'abbreviation'"), 2);
	CHECK_INT("rec-store-6", test_q(&st, "SELECT modifiers_start FROM mentions WHERE "
					     "modifiers = 'sporadic'"), 51);
	CHECK_INT("rec-store-7", test_q(&st, "SELECT start FROM mentions WHERE modifiers = "
					     "'sporadic'"), 60);
	CHECK_INT("rec-store-8", test_q(&st, "SELECT candidates FROM mentions WHERE decided = "
					     "'rule'"), 2);
	CHECK_INT("rec-store-9", test_q(&st, "SELECT count(*) FROM mentions WHERE term IS NULL OR "
					     "term NOT IN (SELECT id FROM terms)"), 0);
	/* a plain mention keeps the defaults; rows stay in the text's order */
	CHECK_INT("rec-store-10", test_q(&st, "SELECT count(*) FROM mentions WHERE match = 'term' "
					      "AND candidates = 1 AND decided = '' AND modifiers = '' "
					      "AND modifiers_start IS NULL"), 1);
	CHECK_INT("rec-store-11", test_q(&st, "SELECT count(*) FROM mentions a JOIN mentions b ON "
					      "b.id = a.id + 1 WHERE b.start < a.start"), 0);
	store_close(&st);
}

void test_recognize(void)
{
	test_abbreviations();
	test_term_rules();
	test_variants();
	test_documents();
	test_store_columns();
}
