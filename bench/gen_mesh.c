/*
 * gen_mesh.c - synthetic MeSH descriptor file (desc20XX.xml layout) for the
 * 'medkg load mesh' benchmark.
 *
 * Writes one DescriptorRecordSet with N DescriptorRecords (default 30,000,
 * about the size of a real release) in the element layout of NLM's
 * desc20XX.xml: dates, allowable qualifiers, notes, previous indexing,
 * pharmacological actions, see-related descriptors, entry combinations, tree
 * numbers, and a concept list whose concepts carry scope notes, registry
 * numbers, concept relations and term lists with thesaurus ids. With the
 * defaults the file is about 300 MB, like the real one; the element counts
 * per record follow the real file's averages (see bench/RESULTS.md).
 *
 * The tree numbers form real trees: each descriptor's first tree number is
 * a child of an existing one (or a new top-level number), so every parent
 * number is held by some descriptor, often one later in the file. Names are
 * made of medical word roots, unique per descriptor; a few carry "&" (written
 * &amp;) or non-ASCII letters. Output is deterministic for a given --seed.
 *
 * Build:  cc -std=c11 -O2 -Wall -Wextra -o bench/gen_mesh bench/gen_mesh.c
 * Usage:  gen_mesh [--descriptors N] [--seed S] OUTFILE   ("-": stdout)
 */
#define _POSIX_C_SOURCE 200809L
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void die(const char *msg)
{
	fprintf(stderr, "gen_mesh: %s\n", msg);
	exit(1);
}

static void *xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);
	if (!p)
		die("out of memory");
	return p;
}

/* xorshift64*: small, deterministic, good enough for shapes */
static uint64_t rng_state = 88172645463325252ULL;

static uint64_t rnd(void)
{
	uint64_t x = rng_state;
	x ^= x >> 12;
	x ^= x << 25;
	x ^= x >> 27;
	rng_state = x;
	return x * 2685821657736338717ULL;
}

/* uniform in [0, n) */
static unsigned pick(unsigned n)
{
	return (unsigned)(rnd() % n);
}

/* uniform in [lo, hi] */
static unsigned between(unsigned lo, unsigned hi)
{
	return lo + pick(hi - lo + 1);
}

static const char *const roots[] = {
	"Pulmonary", "Cardiac", "Hepatic", "Renal", "Pleural", "Thoracic", "Vascular",
	"Bronchial", "Alveolar", "Mediastinal", "Esophageal", "Gastric", "Neural", "Cerebral",
	"Spinal", "Cutaneous", "Osseous", "Muscular", "Lymphatic", "Endocrine", "Ocular",
	"Auditory", "Dental", "Pancreatic", "Splenic", "Adrenal", "Thyroid", "Ovarian",
	"Prostatic", "Vesical", "Uterine", "Placental", "Fetal", "Neonatal", "Synovial",
	"Tracheal", "Laryngeal", "Nasal", "Sinus", "Aortic", "Venous", "Arterial", "Capillary",
	"Myocardial", "Pericardial", "Peritoneal", "Retroperitoneal", "Biliary", "Colonic",
	"Rectal", "Duodenal", "Jejunal", "Ileal", "Appendiceal",
};
static const char *const nouns[] = {
	"Edema", "Fibrosis", "Neoplasms", "Abscess", "Embolism", "Infarction", "Hemorrhage",
	"Stenosis", "Aneurysm", "Calcinosis", "Cysts", "Hyperplasia", "Atrophy", "Necrosis",
	"Inflammation", "Infection", "Insufficiency", "Obstruction", "Perforation", "Rupture",
	"Thrombosis", "Ulcer", "Diseases", "Injuries", "Malformations", "Dysplasia", "Effusion",
	"Sclerosis", "Metaplasia", "Hypertrophy", "Agents", "Structures", "Techniques",
	"Procedures", "Receptors", "Proteins", "Enzymes", "Syndromes", "Disorders", "Cells",
};
static const char *const modifiers[] = {
	"Acute", "Chronic", "Congenital", "Familial", "Idiopathic", "Postoperative",
	"Traumatic", "Primary", "Secondary", "Recurrent", "Diffuse", "Focal", "Bilateral",
	"Juvenile", "Hereditary", "Acquired", "Malignant", "Benign", "Interstitial", "Diabetic",
};
/* eponyms, some with non-ASCII letters, written as UTF-8 */
static const char *const eponyms[] = {
	"Sj\xc3\xb6gren", "M\xc3\xa9ni\xc3\xa8re", "L\xc3\xb6" "ffler", "Gu\xc3\xa9rin", "Hodgkin",
	"Crohn", "Addison", "Graves", "Wilson", "Kawasaki", "Behcet", "B\xc3\xa9" "chet",
};
static const char *const qualifiers[][3] = {
	{ "Q000008", "administration &amp; dosage", "AD" },
	{ "Q000009", "adverse effects", "AE" },
	{ "Q000097", "blood", "BL" },
	{ "Q000134", "cerebrospinal fluid", "CF" },
	{ "Q000139", "chemically induced", "CI" },
	{ "Q000145", "classification", "CL" },
	{ "Q000150", "complications", "CO" },
	{ "Q000000981", "diagnostic imaging", "DG" },
	{ "Q000175", "diagnosis", "DI" },
	{ "Q000188", "drug therapy", "DT" },
	{ "Q000191", "economics", "EC" },
	{ "Q000201", "enzymology", "EN" },
	{ "Q000453", "epidemiology", "EP" },
	{ "Q000209", "etiology", "ET" },
	{ "Q000235", "genetics", "GE" },
	{ "Q000266", "history", "HI" },
	{ "Q000276", "immunology", "IM" },
	{ "Q000378", "metabolism", "ME" },
	{ "Q000382", "microbiology", "MI" },
	{ "Q000401", "mortality", "MO" },
	{ "Q000451", "nursing", "NU" },
	{ "Q000473", "pathology", "PA" },
	{ "Q000502", "physiology", "PH" },
	{ "Q000503", "physiopathology", "PP" },
	{ "Q000517", "prevention &amp; control", "PC" },
	{ "Q000523", "psychology", "PX" },
	{ "Q000532", "radiotherapy", "RT" },
	{ "Q000534", "rehabilitation", "RH" },
	{ "Q000601", "surgery", "SU" },
	{ "Q000628", "therapy", "TH" },
	{ "Q000662", "veterinary", "VE" },
	{ "Q000821", "virology", "VI" },
	{ "Q000633", "toxicity", "TO" },
	{ "Q000635", "transplantation", "TR" },
	{ "Q000637", "transmission", "TM" },
	{ "Q000652", "urine", "UR" },
	{ "Q000706", "statistics &amp; numerical data", "SN" },
	{ "Q000737", "chemistry", "CH" },
	{ "Q000494", "pharmacology", "PD" },
	{ "Q000493", "pharmacokinetics", "PK" },
};
#define N_QUAL (sizeof qualifiers / sizeof qualifiers[0])
static const char letters[] = "AABCCCCCDDDDDEEFGGHIJKLMNNVZ"; /* weighted like MeSH */

/* A tree node: its number, and how many children it has had so far. */
struct node {
	char tn[64];
	unsigned children;
	unsigned depth;
};

static struct node *nodes;
static size_t n_nodes, cap_nodes;
static unsigned top_count[26];

static size_t add_node(const char *tn, unsigned depth)
{
	if (n_nodes == cap_nodes) {
		cap_nodes = cap_nodes ? cap_nodes * 2 : 4096;
		nodes = realloc(nodes, cap_nodes * sizeof *nodes);
		if (!nodes)
			die("out of memory");
	}
	snprintf(nodes[n_nodes].tn, sizeof nodes[n_nodes].tn, "%s", tn);
	nodes[n_nodes].children = 0;
	nodes[n_nodes].depth = depth;
	return n_nodes++;
}

/* A new tree number: top level now and then, else a child of an existing node. */
static size_t new_tree_number(void)
{
	char tn[64];
	if (n_nodes < 40 || pick(1000) < 8) {
		char c = letters[pick(sizeof letters - 1)];
		unsigned k = ++top_count[c - 'A'];
		if (k < 100) {
			snprintf(tn, sizeof tn, "%c%02u", c, k);
			return add_node(tn, 1);
		}
	}
	for (;;) {
		struct node *p = &nodes[pick((unsigned)n_nodes)];
		if (p->depth >= 10 || p->children >= 999)
			continue;
		int n = snprintf(tn, sizeof tn, "%s.%03u", p->tn, ++p->children);
		if (n < 0 || (size_t)n >= sizeof tn)
			continue;
		return add_node(tn, p->depth + 1);
	}
}

static FILE *out;

static void name_of(unsigned i, char *buf, size_t n)
{
	unsigned kind = i % 10;
	const char *r = roots[(i / 7) % (sizeof roots / sizeof *roots)];
	const char *w = nouns[(i / 3) % (sizeof nouns / sizeof *nouns)];
	if (kind == 7)
		snprintf(buf, n, "%s Disease %u", eponyms[i % (sizeof eponyms / sizeof *eponyms)], i);
	else if (kind == 8)
		snprintf(buf, n, "%s &amp; %s %s %u", r, modifiers[i % 20], w, i);
	else
		snprintf(buf, n, "%s %s %s%u", modifiers[(i / 11) % 20], r, w, i);
}

static void date(const char *tag, unsigned y, const char *ind)
{
	fprintf(out, "%s<%s>\n%s <Year>%u</Year>\n%s <Month>%02u</Month>\n%s <Day>%02u</Day>\n"
		"%s</%s>\n", ind, tag, ind, y, ind, between(1, 12), ind, between(1, 28), ind, tag);
}

static void descriptor_ref(const char *ind, unsigned ui, const char *name)
{
	fprintf(out, "%s<DescriptorReferredTo>\n%s <DescriptorUI>D%06u</DescriptorUI>\n"
		"%s <DescriptorName>\n%s  <String>%s</String>\n%s </DescriptorName>\n"
		"%s</DescriptorReferredTo>\n", ind, ind, ui, ind, ind, name, ind, ind);
}

/* The run: descriptors in creation order and in the file's (UI) order. */
struct plan {
	unsigned n;
	size_t (*trees)[4];     /* (n) descriptor i's tree numbers, as nodes */
	unsigned *n_trees;      /* (n) */
	unsigned *perm;         /* (n) UI rank -> creation index */
	unsigned *ui_of;        /* (n) creation index -> UI number */
	unsigned term_ui, concept_ui;   /* the next of each */
};

/* Tree numbers in creation order; descriptor i holds trees[i][..]. The file
 * lists descriptors by UI, a permutation of creation order, so a parent is
 * often written after its children. */
static void make_plan(struct plan *p, unsigned n)
{
	p->n = n;
	p->trees = xmalloc(n * sizeof *p->trees);
	p->n_trees = xmalloc(n * sizeof *p->n_trees);
	for (unsigned i = 0; i < n; i++) {
		unsigned k = pick(100) < 55 ? 1 : pick(100) < 70 ? 2 : pick(100) < 70 ? 3 : 4;
		p->n_trees[i] = k;
		for (unsigned j = 0; j < k; j++)
			p->trees[i][j] = new_tree_number();
	}
	p->perm = xmalloc(n * sizeof *p->perm);
	for (unsigned i = 0; i < n; i++)
		p->perm[i] = i;
	for (unsigned i = n - 1; i > 0; i--) {
		unsigned j = pick(i + 1), t = p->perm[i];
		p->perm[i] = p->perm[j];
		p->perm[j] = t;
	}
	p->ui_of = xmalloc(n * sizeof *p->ui_of);
	for (unsigned r = 0; r < n; r++)
		p->ui_of[p->perm[r]] = r + 1;
	p->term_ui = p->concept_ui = 1;
}

static void write_qualifiers(void)
{
	unsigned nq = between(6, 34), q0 = pick(N_QUAL);
	fprintf(out, "  <AllowableQualifiersList>\n");
	for (unsigned q = 0; q < nq; q++) {
		const char *const *ql = qualifiers[(q0 + q) % N_QUAL];
		fprintf(out, "   <AllowableQualifier>\n    <QualifierReferredTo>\n     "
			"<QualifierUI>%s</QualifierUI>\n     <QualifierName>\n      <String>%s"
			"</String>\n     </QualifierName>\n    </QualifierReferredTo>\n    "
			"<Abbreviation>%s</Abbreviation>\n   </AllowableQualifier>\n",
			ql[0], ql[1], ql[2]);
	}
	fprintf(out, "  </AllowableQualifiersList>\n");
}

static void write_notes(const char *name)
{
	fprintf(out, "  <HistoryNote>%u; use %s %u-%u\n  </HistoryNote>\n", between(1965, 2024),
		name, between(1966, 1990), between(1991, 2024));
	fprintf(out, "  <OnlineNote>search %s %u-%u\n  </OnlineNote>\n", name,
		between(1966, 1990), between(1991, 2024));
	fprintf(out, "  <PublicMeSHNote>%u; see %s %u-%u\n  </PublicMeSHNote>\n",
		between(1965, 2024), name, between(1966, 1990), between(1991, 2024));
}

/* A list (tag) of up to max references (item) to random descriptors. */
static void write_refs(const struct plan *p, const char *list, const char *item, unsigned max)
{
	char other[256];
	fprintf(out, "  <%s>\n", list);
	for (unsigned k = between(1, max); k > 0; k--) {
		unsigned o = pick(p->n);
		name_of(o, other, sizeof other);
		fprintf(out, "   <%s>\n", item);
		descriptor_ref("    ", p->ui_of[o], other);
		fprintf(out, "   </%s>\n", item);
	}
	fprintf(out, "  </%s>\n", list);
}

static void write_lists(const struct plan *p)
{
	char other[256];
	if (pick(3) == 0) {
		fprintf(out, "  <PreviousIndexingList>\n");
		for (unsigned k = between(1, 3); k > 0; k--) {
			name_of(pick(p->n), other, sizeof other);
			fprintf(out, "   <PreviousIndexing>%s (%u-%u)</PreviousIndexing>\n", other,
				between(1966, 1990), between(1991, 2020));
		}
		fprintf(out, "  </PreviousIndexingList>\n");
	}
	if (pick(5) == 0)
		write_refs(p, "PharmacologicalActionList", "PharmacologicalAction", 3);
	if (pick(4) == 0)
		write_refs(p, "SeeRelatedList", "SeeRelatedDescriptor", 2);
}

/* Term t of concept c of descriptor i (name). */
static void write_term(unsigned i, const char *name, unsigned c, unsigned t, unsigned term_ui)
{
	char s[300];
	if (t == 0)
		snprintf(s, sizeof s, "%s%s%.0u", name, c ? " variant " : "", c);
	else if (t % 3 == 1)
		snprintf(s, sizeof s, "%s, %s %u%c", nouns[(i + t) % 40], roots[(i + c) % 54], i,
			 'a' + c);
	else if (t % 3 == 2)
		snprintf(s, sizeof s, "%s %s %u%c%u", roots[(i + t) % 54],
			 nouns[(i + c * 7 + t) % 40], i, 'a' + c, t);
	else
		snprintf(s, sizeof s, "%s %s %s %u%c%u", modifiers[(i + t) % 20],
			 roots[(i + 3 * t) % 54], nouns[(i + c) % 40], i, 'a' + c, t);
	unsigned lex = pick(20);
	fprintf(out, "     <Term  ConceptPreferredTermYN=\"%s\"  IsPermutedTermYN="
		"\"%s\"  LexicalTag=\"%s\"  RecordPreferredTermYN=\"%s\">\n      "
		"<TermUI>T%06u</TermUI>\n      <String>%s</String>\n",
		t ? "N" : "Y", t && t % 5 == 4 ? "Y" : "N", lex == 0 ? "ABB" : lex == 1 ? "ACR" : "NON",
		!t && !c ? "Y" : "N", term_ui, s);
	date("DateCreated", between(1963, 2024), "      ");
	fprintf(out, "      <ThesaurusIDlist>\n");
	for (unsigned k = between(1, 4); k > 0; k--)
		fprintf(out, "       <ThesaurusID>%s (%u)</ThesaurusID>\n",
			pick(2) ? "NLM" : pick(2) ? "UMLS" : "CANCERLIT", between(1966, 2024));
	fprintf(out, "      </ThesaurusIDlist>\n     </Term>\n");
}

/* Concept c of nc of descriptor i (name), the first being first_concept. */
static void write_concept(struct plan *p, unsigned i, const char *name, unsigned c, unsigned nc,
			  unsigned first_concept)
{
	unsigned nt = pick(100) < 40 ? 1 : between(2, c ? 4 : 9);
	fprintf(out, "   <Concept PreferredConceptYN=\"%s\">\n    <ConceptUI>M%07u"
		"</ConceptUI>\n    <ConceptName>\n     <String>%s%s%.0u</String>\n    "
		"</ConceptName>\n", c ? "N" : "Y", p->concept_ui, name, c ? " variant " : "", c);
	if (pick(4) == 0)
		fprintf(out, "    <CASN1Name>%s, %u-methyl-</CASN1Name>\n    "
			"<RegistryNumber>%04X%04X%02X</RegistryNumber>\n", name, pick(9),
			pick(65536), pick(65536), pick(256));
	else
		fprintf(out, "    <RegistryNumber>0</RegistryNumber>\n");
	if (!c)
		fprintf(out, "    <ScopeNote>A condition of the %s characterized by %s; "
			"it may be acute or chronic, localized or diffuse, and is "
			"described in the literature since %u.\n    </ScopeNote>\n",
			roots[pick(sizeof roots / sizeof *roots)],
			nouns[pick(sizeof nouns / sizeof *nouns)], between(1900, 2000));
	if (!c && nc > 1) {
		fprintf(out, "    <ConceptRelationList>\n");
		for (unsigned k = 1; k < nc; k++)
			fprintf(out, "     <ConceptRelation RelationName=\"%s\">\n      "
				"<Concept1UI>M%07u</Concept1UI>\n      <Concept2UI>M%07u"
				"</Concept2UI>\n     </ConceptRelation>\n",
				pick(3) == 0 ? "REL" : pick(5) == 0 ? "BRD" : "NRW",
				first_concept, first_concept + k);
		fprintf(out, "    </ConceptRelationList>\n");
	}
	fprintf(out, "    <TermList>\n");
	for (unsigned t = 0; t < nt; t++, p->term_ui++)
		write_term(i, name, c, t, p->term_ui);
	fprintf(out, "    </TermList>\n   </Concept>\n");
}

/* The descriptor of UI rank r. */
static void write_descriptor(struct plan *p, unsigned r)
{
	unsigned i = p->perm[r];
	char name[256];
	name_of(i, name, sizeof name);
	fprintf(out, "<DescriptorRecord DescriptorClass = \"%u\">\n  <DescriptorUI>D%06u"
		"</DescriptorUI>\n  <DescriptorName>\n   <String>%s</String>\n  "
		"</DescriptorName>\n", pick(10) ? 1 : 3, r + 1, name);
	date("DateCreated", between(1963, 2024), "  ");
	date("DateRevised", between(2000, 2025), "  ");
	date("DateEstablished", between(1963, 2024), "  ");
	write_qualifiers();
	write_notes(name);
	write_lists(p);
	fprintf(out, "  <TreeNumberList>\n");
	for (unsigned j = 0; j < p->n_trees[i]; j++)
		fprintf(out, "   <TreeNumber>%s</TreeNumber>\n", nodes[p->trees[i][j]].tn);
	fprintf(out, "  </TreeNumberList>\n  <ConceptList>\n");
	unsigned nc = pick(100) < 45 ? 1 : pick(100) < 60 ? 2 : between(3, 6);
	unsigned first_concept = p->concept_ui;
	for (unsigned c = 0; c < nc; c++, p->concept_ui++)
		write_concept(p, i, name, c, nc, first_concept);
	fprintf(out, "  </ConceptList>\n</DescriptorRecord>\n");
}

int main(int argc, char **argv)
{
	unsigned n = 30000;
	const char *path = NULL;
	for (int i = 1; i < argc; i++) {
		if (!strcmp(argv[i], "--descriptors") && i + 1 < argc)
			n = (unsigned)strtoul(argv[++i], NULL, 10);
		else if (!strcmp(argv[i], "--seed") && i + 1 < argc)
			rng_state ^= strtoull(argv[++i], NULL, 10) * 0x9E3779B97F4A7C15ULL;
		else if (argv[i][0] == '-' && argv[i][1])
			die("usage: gen_mesh [--descriptors N] [--seed S] OUTFILE");
		else
			path = argv[i];
	}
	if (!path || n == 0 || n > 999999)
		die("usage: gen_mesh [--descriptors N (1..999999)] [--seed S] OUTFILE");
	out = strcmp(path, "-") ? fopen(path, "w") : stdout;
	if (!out)
		die("cannot open the output file");
	setvbuf(out, NULL, _IOFBF, 1 << 20);
	struct plan p;
	make_plan(&p, n);
	fprintf(out, "<?xml version=\"1.0\"?>\n<!DOCTYPE DescriptorRecordSet SYSTEM "
		"\"https://nlmpubs.nlm.nih.gov/projects/mesh/2026/xmlmesh/desc2026.dtd\">\n"
		"<DescriptorRecordSet LanguageCode = \"eng\">\n");
	for (unsigned r = 0; r < n; r++)
		write_descriptor(&p, r);
	fprintf(out, "</DescriptorRecordSet>\n");
	if (fflush(out) != 0 || ferror(out) || (out != stdout && fclose(out) != 0))
		die("write failed");
	fprintf(stderr, "gen_mesh: %u descriptors, %zu tree numbers, %u concepts, %u terms\n", n,
		n_nodes, p.concept_ui - 1, p.term_ui - 1);
	free(p.trees);
	free(p.n_trees);
	free(p.perm);
	free(p.ui_of);
	free(nodes);
	return 0;
}
