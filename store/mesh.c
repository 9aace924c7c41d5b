#define _POSIX_C_SOURCE 200809L
#include "mesh.h"
#include "kbload.h"
#include "../common/arena.h"
#include "../common/normalize.h"
#include "../common/progress.h"
#include "../common/strmap.h"
#include "../common/util.h"
#include "../common/zio.h"

#include <libxml/xmlreader.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#define NONE ((size_t)-1)
#define MAX_DEPTH 64

/* The elements the loader looks at; every other one is E_OTHER. */
enum elem { E_OTHER, E_RECORD_SET, E_RECORD, E_DESC_UI, E_DESC_NAME, E_STRING, E_TREE_LIST,
	    E_TREE, E_CONCEPT_LIST, E_CONCEPT, E_CONCEPT_UI, E_REL_LIST, E_REL, E_C1, E_C2,
	    E_TERM_LIST, E_TERM };

static const struct {
	const char *name;
	enum elem e;
} elem_names[] = {
	{ "DescriptorRecordSet", E_RECORD_SET }, { "DescriptorRecord", E_RECORD },
	{ "DescriptorUI", E_DESC_UI }, { "DescriptorName", E_DESC_NAME }, { "String", E_STRING },
	{ "TreeNumberList", E_TREE_LIST }, { "TreeNumber", E_TREE },
	{ "ConceptList", E_CONCEPT_LIST }, { "Concept", E_CONCEPT }, { "ConceptUI", E_CONCEPT_UI },
	{ "ConceptRelationList", E_REL_LIST }, { "ConceptRelation", E_REL },
	{ "Concept1UI", E_C1 }, { "Concept2UI", E_C2 }, { "TermList", E_TERM_LIST },
	{ "Term", E_TERM },
};

/* The top-level categories of the MeSH trees, by letter. */
static const char *const categories[26] = {
	['A' - 'A'] = "Anatomy",
	['B' - 'A'] = "Organisms",
	['C' - 'A'] = "Diseases",
	['D' - 'A'] = "Chemicals and Drugs",
	['E' - 'A'] = "Analytical, Diagnostic and Therapeutic Techniques, and Equipment",
	['F' - 'A'] = "Psychiatry and Psychology",
	['G' - 'A'] = "Phenomena and Processes",
	['H' - 'A'] = "Disciplines and Occupations",
	['I' - 'A'] = "Anthropology, Education, Sociology, and Social Phenomena",
	['J' - 'A'] = "Technology, Industry, and Agriculture",
	['K' - 'A'] = "Humanities",
	['L' - 'A'] = "Information Science",
	['M' - 'A'] = "Named Groups",
	['N' - 'A'] = "Health Care",
	['V' - 'A'] = "Publication Characteristics",
	['Z' - 'A'] = "Geographicals",
};

/* One DescriptorRecord as read; strings are offsets into text (each NUL
 * terminated), NONE when absent. */
struct rconcept {
	size_t ui;
	int preferred;
};
struct rterm {
	size_t str;
	int concept;  /* index into concepts */
	uint8_t record_preferred, concept_preferred, permuted;
};
struct rrel {
	size_t ui1, ui2;
	char name[4]; /* NRW, BRD, REL */
};
struct record {
	struct buf text;
	size_t ui, name, line;
	size_t *trees;
	size_t n_trees, cap_trees;
	struct rconcept *concepts;
	size_t n_concepts, cap_concepts;
	struct rterm *terms;
	size_t n_terms, cap_terms;
	struct rrel *rels;
	size_t n_rels, cap_rels;
	char problem[160];   /* the first problem found, "" if none */
};

/* A tree number and the concept holding it. */
struct tree {
	uint32_t concept;
	const char *number;
};

/* The XML input: a zfile fed to libxml2. */
struct source {
	struct zfile z;
	int failed;          /* zfile_read failed: its error is already reported */
	int eof;             /* the whole file was read */
	uint64_t bytes, newlines;
};

struct loader {
	struct store *st;
	const char *path;
	const struct mesh_options *opt;
	struct mesh_stats *stats;
	struct kbload kb;
	struct source src;
	xmlTextReaderPtr rd;

	/* libxml2's first error */
	int xml_failed;
	int xml_line;
	char xml_msg[256];

	enum elem path_elem[MAX_DEPTH];
	int capture_depth;   /* element whose text is being collected, -1: none */
	struct buf capture;
	int in_record;
	int root_open;       /* inside the root element */
	size_t blank_line;   /* where the last text between records ends */
	struct record rec;

	struct strmap uis;   /* DescriptorUI -> line of its record */
	struct strmap trees; /* tree number -> concept id */
	struct tree *tree_list;
	size_t n_tree_list, cap_tree_list;
	struct arena strings;
	uint32_t category_ids[26];
	uint32_t source_id, isa_id;
	uint64_t nodes;

	struct buf norm;
	sqlite3_stmt *ins_ctype;
	struct progress prog;
};

static void set_problem(struct record *r, const char *fmt, ...) MK_PRINTF(2, 3);

static void set_problem(struct record *r, const char *fmt, ...)
{
	if (r->problem[0])
		return;
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(r->problem, sizeof r->problem, fmt, ap);
	va_end(ap);
}

/* A bad record: an error, or (lenient) a warning and a count. @return 0 to
 * go on, -1 to stop. */
static int bad_record(struct loader *l, size_t line, const char *problem)
{
	if (!l->opt->lenient)
		return error("%s:%zu: %s", l->path, line, problem);
	if (l->stats->malformed++ < 5)
		warning("%s:%zu: %s (skipped)", l->path, line, problem);
	return 0;
}

/* ---------------------------------------------------------------- XML input */

static int source_read(void *ctx, char *buf, int len)
{
	struct source *s = ctx;
	ssize_t n = zfile_read(&s->z, buf, (size_t)len);
	if (n < 0) {
		s->failed = 1;
		return -1;
	}
	s->eof |= n == 0;
	s->bytes += (uint64_t)n;
	for (const char *p = buf, *end = buf + n; (p = memchr(p, '\n', (size_t)(end - p))); p++)
		s->newlines++;
	return (int)n;
}

static void xml_error(void *arg, xmlErrorPtr e)
{
	struct loader *l = arg;
	/* an entity the document does not define (its DTD is never read) would
	 * vanish from the text, "abc &x; def" becoming "abc  def": an error */
	int entity = e && (e->code == XML_WAR_UNDECLARED_ENTITY ||
			   e->code == XML_ERR_UNDECLARED_ENTITY);
	if (!e || (e->level < XML_ERR_ERROR && !entity) || l->xml_failed || l->src.failed)
		return;
	l->xml_failed = 1;
	l->xml_line = e->line;
	const char *msg = e->message ? e->message : "error";
	if (!strncmp(msg, "Input is not proper UTF-8", 25))
		msg = "invalid UTF-8 (the file declares no other encoding)";
	snprintf(l->xml_msg, sizeof l->xml_msg, "%s", msg);
	l->xml_msg[strcspn(l->xml_msg, "\n")] = '\0';
}

/* Report why the reader stopped. @return -1. */
static int xml_failure(struct loader *l)
{
	if (l->src.failed)
		return -1; /* zio said why */
	if (l->src.bytes == 0)
		return error("%s: empty file", l->path);
	/* For a document cut short, libxml2's streaming parser says "Extra
	 * content at the end of the document" or complains of the last tag:
	 * when it stopped at the end of the file, inside the root, say so. */
	int at_end = (uint64_t)xmlTextReaderGetParserLineNumber(l->rd) >= l->src.newlines;
	if (l->src.eof && l->root_open && at_end)
		return error("%s:%d: malformed XML: the file ends before </DescriptorRecordSet> "
			     "(truncated?)", l->path, xmlTextReaderGetParserLineNumber(l->rd));
	if (l->xml_failed)
		return error("%s:%d: malformed XML: %s", l->path, l->xml_line, l->xml_msg);
	return error("%s:%d: cannot parse XML", l->path,
		     xmlTextReaderGetParserLineNumber(l->rd));
}

/* ---------------------------------------------------------------- records */

static size_t rec_string(struct record *r, const char *s, size_t n)
{
	return buf_add_str0(&r->text, s, n);
}

static const char *rec_str(const struct record *r, size_t off)
{
	return off == NONE ? NULL : r->text.p + off;
}

static void rec_reset(struct record *r, size_t line)
{
	buf_reset(&r->text);
	r->ui = r->name = NONE;
	r->line = line;
	r->n_trees = r->n_concepts = r->n_terms = r->n_rels = 0;
	r->problem[0] = '\0';
}

static void rec_release(struct record *r)
{
	buf_release(&r->text);
	free(r->trees);
	free(r->concepts);
	free(r->terms);
	free(r->rels);
}

/* "Y" attribute of the current element. */
static int attr_yes(xmlTextReaderPtr rd, const char *name)
{
	xmlChar *v = xmlTextReaderGetAttribute(rd, (const xmlChar *)name);
	int yes = v && v[0] == 'Y';
	xmlFree(v);
	return yes;
}

static int is_digit(char c)
{
	return c >= '0' && c <= '9';
}

/* A tree number: a capital letter and two digits, then groups of ".ddd"
 * (C08.528.652). */
static int tree_number_valid(const char *t)
{
	size_t n = strlen(t);
	if (n < 3 || (n - 3) % 4 || t[0] < 'A' || t[0] > 'Z' || !is_digit(t[1]) || !is_digit(t[2]))
		return 0;
	for (size_t i = 3; i < n; i += 4)
		if (t[i] != '.' || !is_digit(t[i + 1]) || !is_digit(t[i + 2]) || !is_digit(t[i + 3]))
			return 0;
	return 1;
}

static int ui_valid(const char *ui)
{
	if (ui[0] != 'D' || !ui[1])
		return 0;
	for (const char *p = ui + 1; *p; p++)
		if (!is_digit(*p))
			return 0;
	return 1;
}

/* Scope of a non-preferred concept's terms, from its ConceptRelation to the
 * preferred concept ("" when the record gives none). */
static const char *concept_scope(const struct record *r, int c, int preferred)
{
	if (c == preferred)
		return "EXACT";
	const char *cu = rec_str(r, r->concepts[c].ui), *pu = rec_str(r, r->concepts[preferred].ui);
	if (!cu || !pu)
		return "";
	for (size_t i = 0; i < r->n_rels; i++) {
		const char *a = rec_str(r, r->rels[i].ui1), *b = rec_str(r, r->rels[i].ui2);
		if (!a || !b)
			continue;
		int fwd = !strcmp(a, pu) && !strcmp(b, cu), back = !strcmp(a, cu) && !strcmp(b, pu);
		if (!fwd && !back)
			continue;
		if (!strcmp(r->rels[i].name, "REL"))
			return "RELATED";
		if (!strcmp(r->rels[i].name, "NRW"))
			return fwd ? "NARROW" : "BROAD";
		if (!strcmp(r->rels[i].name, "BRD"))
			return fwd ? "BROAD" : "NARROW";
	}
	return "";
}

static int add_term(struct loader *l, uint32_t cid, const char *str, const char *tty,
		    int preferred, const char *scope, const char *ui)
{
	buf_reset(&l->norm);
	size_t n = strlen(str);
	text_normalize(str, n, &l->norm);
	struct kbterm t = {
		.concept = cid, .source = l->source_id, .preferred = preferred,
		.str = str, .str_len = n, .norm = buf_str(&l->norm), .norm_len = l->norm.len,
		.tty = tty, .tty_len = strlen(tty), .code = ui, .code_len = strlen(ui),
		.scope = scope, .scope_len = strlen(scope),
	};
	l->stats->terms++;
	return kbload_add_term(&l->kb, &t);
}

static int category(struct loader *l, char letter, uint32_t *id)
{
	int i = letter - 'A';
	if (l->category_ids[i]) {
		*id = l->category_ids[i];
		return 0;
	}
	char tui[8], fallback[32];
	snprintf(tui, sizeof tui, "MSH:%c", letter);
	snprintf(fallback, sizeof fallback, "MeSH category %c", letter);
	const char *name = categories[i] ? categories[i] : fallback;
	if (kbload_semtype(&l->kb, tui, name, tui + 4, id) < 0)
		return -1;
	l->category_ids[i] = *id;
	return 0;
}

/* Check a whole record before writing any of it, so that a skipped record
 * leaves nothing behind. */
static void check_record(struct loader *l)
{
	struct record *r = &l->rec;
	const char *ui = rec_str(r, r->ui), *name = rec_str(r, r->name);
	uint32_t first;
	if (!ui || !ui[0])
		set_problem(r, "DescriptorRecord without DescriptorUI");
	else if (!ui_valid(ui))
		set_problem(r, "DescriptorUI '%s' is not D followed by digits", ui);
	else if (strmap_get(&l->uis, ui, strlen(ui), &first))
		set_problem(r, "DescriptorUI %s appears twice (first at line %u)", ui, first);
	if (!name || !name[0])
		set_problem(r, "DescriptorRecord %s without DescriptorName", ui ? ui : "");
	for (size_t i = 0; i < r->n_trees; i++) {
		const char *t = rec_str(r, r->trees[i]);
		if (!tree_number_valid(t))
			set_problem(r, "malformed tree number '%s' in %s", t, ui ? ui : "");
		else if (strmap_get(&l->trees, t, strlen(t), NULL))
			set_problem(r, "tree number %s of %s already belongs to another descriptor", t,
				    ui ? ui : "");
		for (size_t j = 0; j < i; j++)
			if (!strcmp(t, rec_str(r, r->trees[j])))
				set_problem(r, "tree number %s repeated in %s", t, ui ? ui : "");
	}
	for (size_t i = 0; i < r->n_terms; i++)
		if (r->terms[i].str == NONE || !rec_str(r, r->terms[i].str)[0])
			set_problem(r, "Term without String in %s", ui ? ui : "");
	char why[160];
	if (name && name[0] && kb_check_term("DescriptorName", name, strlen(name), why, sizeof why) < 0)
		set_problem(r, "%s of %s", why, ui ? ui : "");
	for (size_t i = 0; i < r->n_terms; i++) {
		const char *t = r->terms[i].str == NONE ? "" : rec_str(r, r->terms[i].str);
		if (t[0] && kb_check_term("String", t, strlen(t), why, sizeof why) < 0)
			set_problem(r, "%s in %s", why, ui ? ui : "");
	}
}

static int end_record(struct loader *l)
{
	struct record *r = &l->rec;
	l->stats->records++;
	check_record(l);
	if (r->problem[0])
		return bad_record(l, r->line, r->problem);

	const char *ui = rec_str(r, r->ui), *name = rec_str(r, r->name);
	size_t ui_len = strlen(ui);
	uint32_t line = (uint32_t)r->line;
	strmap_put(&l->uis, ui, ui_len, &line);
	uint32_t cid = kbload_concept(&l->kb, ui, ui_len);
	/* kbload keeps the strings of new concepts until it flushes them */
	if (kbload_write_concept(&l->kb, cid, arena_strdup(&l->strings, ui, ui_len),
				 arena_strdup(&l->strings, name, strlen(name))) < 0)
		return -1;
	l->stats->concepts++;

	/* Names: the DescriptorName, then every term once (the record's
	 * preferred term repeats the DescriptorName). */
	if (add_term(l, cid, name, "MH", 1, "", ui) < 0)
		return -1;
	int preferred = 0;
	for (size_t c = 0; c < r->n_concepts; c++)
		if (r->concepts[c].preferred) {
			preferred = (int)c;
			break;
		}
	for (size_t i = 0; i < r->n_terms; i++) {
		const struct rterm *t = &r->terms[i];
		const char *s = rec_str(r, t->str);
		int dup = !strcmp(s, name);
		for (size_t j = 0; j < i && !dup; j++)
			dup = !strcmp(s, rec_str(r, r->terms[j].str));
		if (dup)
			continue;
		const char *tty = t->record_preferred ? "MH" : t->permuted ? "PM"
				: t->concept_preferred ? "PEP" : "ET";
		const char *scope = t->concept >= 0 ? concept_scope(r, t->concept, preferred) : "";
		if (add_term(l, cid, s, tty, 0, scope, ui) < 0)
			return -1;
	}

	/* Tree numbers: kept for the is-a pass; their letters are categories. */
	uint32_t seen_letters = 0;
	for (size_t i = 0; i < r->n_trees; i++) {
		const char *t = rec_str(r, r->trees[i]);
		size_t n = strlen(t);
		XGROW(l->tree_list, l->cap_tree_list, l->n_tree_list + 1);
		struct tree *e = &l->tree_list[l->n_tree_list++];
		e->concept = cid;
		e->number = arena_strdup(&l->strings, t, n);
		strmap_put(&l->trees, t, n, &cid);
		l->stats->tree_numbers++;
		uint32_t bit = 1u << (t[0] - 'A'), tid;
		if (seen_letters & bit)
			continue;
		seen_letters |= bit;
		if (category(l, t[0], &tid) < 0)
			return -1;
		sqlite3_bind_int64(l->ins_ctype, 1, cid);
		sqlite3_bind_int64(l->ins_ctype, 2, tid);
		if (store_step_done(l->st, l->ins_ctype) < 0)
			return -1;
		l->stats->categories += sqlite3_changes(l->st->db);
	}
	return 0;
}

/* ---------------------------------------------------------------- elements */

static enum elem elem_of(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(elem_names); i++)
		if (!strcmp(name, elem_names[i].name))
			return elem_names[i].e;
	return E_OTHER;
}

/* The text of a captured element is complete: file it in the record. */
static void end_capture(struct loader *l, int depth)
{
	struct record *r = &l->rec;
	const char *s = buf_str(&l->capture);
	size_t n = l->capture.len;
	while (n && (*s == ' ' || *s == '\t' || *s == '\n' || *s == '\r'))
		s++, n--;
	while (n && (s[n - 1] == ' ' || s[n - 1] == '\t' || s[n - 1] == '\n' || s[n - 1] == '\r'))
		n--;
	size_t off = rec_string(r, s, n);
	switch (l->path_elem[depth]) {
	case E_DESC_UI:
		if (r->ui != NONE)
			set_problem(r, "DescriptorRecord with two DescriptorUIs");
		r->ui = off;
		break;
	case E_STRING:
		if (depth == 3)
			r->name = off;
		else if (r->n_terms)
			r->terms[r->n_terms - 1].str = off;
		break;
	case E_TREE:
		XGROW(r->trees, r->cap_trees, r->n_trees + 1);
		r->trees[r->n_trees++] = off;
		break;
	case E_CONCEPT_UI:
		if (r->n_concepts)
			r->concepts[r->n_concepts - 1].ui = off;
		break;
	case E_C1:
	case E_C2:
		if (r->n_rels) {
			struct rrel *x = &r->rels[r->n_rels - 1];
			*(l->path_elem[depth] == E_C1 ? &x->ui1 : &x->ui2) = off;
		}
		break;
	default:
		break;
	}
	l->capture_depth = -1;
}

/* Is the element at depth (already in path_elem) one whose text we keep? */
static int wanted_text(const enum elem *p, int depth)
{
	switch (p[depth]) {
	case E_DESC_UI:
		return depth == 2;
	case E_STRING:
		return (depth == 3 && p[2] == E_DESC_NAME) ||
		       (depth == 6 && p[5] == E_TERM && p[4] == E_TERM_LIST && p[3] == E_CONCEPT);
	case E_TREE:
		return depth == 3 && p[2] == E_TREE_LIST;
	case E_CONCEPT_UI:
		return depth == 4 && p[3] == E_CONCEPT && p[2] == E_CONCEPT_LIST;
	case E_C1:
	case E_C2:
		return depth == 6 && p[5] == E_REL && p[4] == E_REL_LIST && p[3] == E_CONCEPT;
	default:
		return 0;
	}
}

/* @return 0, 1 to skip the element's subtree, -1 to stop. */
static int start_element(struct loader *l, int depth)
{
	const char *name = (const char *)xmlTextReaderConstLocalName(l->rd);
	int empty = xmlTextReaderIsEmptyElement(l->rd);
	enum elem e = depth < MAX_DEPTH && (depth <= 1 || l->in_record) ? elem_of(name) : E_OTHER;
	if (depth < MAX_DEPTH)
		l->path_elem[depth] = e;
	/* The element's own line (the parser may be further on). libxml2 keeps
	 * exact lines of elements up to 65534 only, and of text nodes beyond:
	 * past that, a record starts where the blank text before it ends. */
	size_t line = (size_t)xmlGetLineNo(xmlTextReaderCurrentNode(l->rd));
	if (line >= 65535 && depth == 1 && l->blank_line)
		line = l->blank_line;
	if (depth == 0) {
		if (e != E_RECORD_SET)
			return error("%s:%zu: expected <DescriptorRecordSet>, found <%s> (not a MeSH "
				     "descriptor file)", l->path, line, name);
		l->root_open = !empty;
		return 0;
	}
	struct record *r = &l->rec;
	if (depth == 1) {
		if (e != E_RECORD) {
			char msg[160];
			snprintf(msg, sizeof msg, "expected <DescriptorRecord>, found <%s>", name);
			l->in_record = 0;
			return bad_record(l, line, msg);
		}
		rec_reset(r, line);
		l->in_record = 1;
		if (empty) {
			l->in_record = 0;
			return end_record(l);
		}
		return 0;
	}
	if (!l->in_record || depth >= MAX_DEPTH)
		return 0;
	if (e == E_CONCEPT && depth == 3 && l->path_elem[2] == E_CONCEPT_LIST) {
		XGROW(r->concepts, r->cap_concepts, r->n_concepts + 1);
		r->concepts[r->n_concepts++] = (struct rconcept){ NONE, attr_yes(l->rd,
										 "PreferredConceptYN") };
	} else if (e == E_TERM && depth == 5 && l->path_elem[4] == E_TERM_LIST &&
		   l->path_elem[3] == E_CONCEPT) {
		XGROW(r->terms, r->cap_terms, r->n_terms + 1);
		r->terms[r->n_terms++] = (struct rterm){
			NONE, (int)r->n_concepts - 1, (uint8_t)attr_yes(l->rd, "RecordPreferredTermYN"),
			(uint8_t)attr_yes(l->rd, "ConceptPreferredTermYN"),
			(uint8_t)attr_yes(l->rd, "IsPermutedTermYN")
		};
	} else if (e == E_REL && depth == 5 && l->path_elem[4] == E_REL_LIST &&
		   l->path_elem[3] == E_CONCEPT) {
		XGROW(r->rels, r->cap_rels, r->n_rels + 1);
		struct rrel *x = &r->rels[r->n_rels++];
		x->ui1 = x->ui2 = NONE;
		xmlChar *v = xmlTextReaderGetAttribute(l->rd, (const xmlChar *)"RelationName");
		snprintf(x->name, sizeof x->name, "%s", v ? (const char *)v : "");
		xmlFree(v);
	} else if (wanted_text(l->path_elem, depth)) {
		buf_reset(&l->capture);
		l->capture_depth = depth;
		if (empty)
			end_capture(l, depth);
	} else if (e == E_OTHER && !empty) {
		return 1; /* nothing the loader keeps is inside: skip the subtree */
	}
	return 0;
}

static int parse(struct loader *l)
{
	int got, skip = 0, saw_root = 0;
	/* Skipping a subtree (xmlTextReaderNext) still parses it, but spares a
	 * call per node: most of a record is qualifiers, dates and notes. */
	while ((got = skip ? xmlTextReaderNext(l->rd) : xmlTextReaderRead(l->rd)) == 1 &&
	       !l->xml_failed) {
		skip = 0;
		if ((++l->nodes & 0xFFF) == 0)
			progress_update(&l->prog, l->nodes, l->src.z.raw_read);
		int depth = xmlTextReaderDepth(l->rd);
		switch (xmlTextReaderNodeType(l->rd)) {
		case XML_READER_TYPE_ELEMENT:
			saw_root = 1;
			if ((skip = start_element(l, depth)) < 0)
				return -1;
			break;
		case XML_READER_TYPE_END_ELEMENT:
			if (depth == 0)
				l->root_open = 0;
			if (depth == l->capture_depth)
				end_capture(l, depth);
			if (depth == 1 && l->in_record) {
				l->in_record = 0;
				if (end_record(l) < 0)
					return -1;
			}
			break;
		case XML_READER_TYPE_ENTITY_REFERENCE:
			/* declared in the document, but never expanded (an external
			 * one would be a file read): its text would be lost */
			return error("%s:%ld: entity &%s; is not expanded: medkg reads no entity "
				     "declared in the document", l->path,
				     xmlGetLineNo(xmlTextReaderCurrentNode(l->rd)),
				     (const char *)xmlTextReaderConstName(l->rd));
		case XML_READER_TYPE_TEXT:
		case XML_READER_TYPE_CDATA:
		case XML_READER_TYPE_SIGNIFICANT_WHITESPACE:
			if (depth == 1)
				l->blank_line = (size_t)xmlGetLineNo(xmlTextReaderCurrentNode(l->rd));
			if (l->capture_depth >= 0 && depth > l->capture_depth)
				buf_adds(&l->capture, (const char *)xmlTextReaderConstValue(l->rd));
			break;
		default:
			break;
		}
	}
	if (got < 0 || l->xml_failed || l->src.failed)
		return xml_failure(l);
	if (!saw_root)
		return l->src.bytes ? error("%s: no XML element in the file", l->path)
				    : error("%s: empty file", l->path);
	if (l->stats->records == 0)
		return error("%s: no DescriptorRecord in the file", l->path);
	return 0;
}

/* Each tree number is-a the holder of its parent tree number. */
static void tree_triples(struct loader *l)
{
	for (size_t i = 0; i < l->n_tree_list; i++) {
		const struct tree *t = &l->tree_list[i];
		const char *dot = strrchr(t->number, '.');
		if (!dot)
			continue; /* a top-level tree: its parent is the category */
		uint32_t parent;
		if (!strmap_get(&l->trees, t->number, (size_t)(dot - t->number), &parent)) {
			l->stats->orphan_trees++;
			continue;
		}
		if (parent != t->concept)
			kbload_add_triple(&l->kb, t->concept, l->isa_id, parent, l->source_id);
	}
}

/* ---------------------------------------------------------------- load */

/* "desc2024.xml" -> "2024"; "" when the name says nothing. */
static void version_from_name(const char *path, char *out, size_t n)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	out[0] = '\0';
	if (!strncmp(base, "desc", 4) && strlen(base) >= 8) {
		for (int i = 4; i < 8; i++)
			if (base[i] < '0' || base[i] > '9')
				return;
		snprintf(out, n, "%.4s", base + 4);
	}
}

int mesh_load(struct store *st, const char *path, const struct mesh_options *opt,
	      struct mesh_stats *stats)
{
	struct loader l;
	struct buf fp = BUF_INIT, params = BUF_INIT;
	struct ingest_entry log;
	int rc = -1;
	double t0 = now_seconds();

	memset(&l, 0, sizeof l);
	memset(stats, 0, sizeof(*stats));
	l.st = st;
	l.path = path;
	l.opt = opt;
	l.stats = stats;
	l.capture_depth = -1;
	strmap_init(&l.uis);
	strmap_init(&l.trees);
	arena_init(&l.strings);
	l.src.z.fd = -1;

	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	if (kbload_file_fingerprint(path, &fp) < 0)
		goto out;
	buf_addf(&params, "{\"lenient\":%d}", opt->lenient);
	buf_addf(&fp, "|%s", params.p);
	char fphex[17];
	int found = kbload_identity(st, META_MESH, &fp, opt->replace, "MeSH", base, fphex);
	if (found < 0)
		goto out;
	if (found == KB_SAME) {
		stats->already_loaded = 1;
		rc = 0;
		goto out;
	}

	if (zfile_open(&l.src.z, path) < 0)
		goto out;
	l.rd = xmlReaderForIO(source_read, NULL, &l.src, path, NULL,
			      XML_PARSE_NONET | XML_PARSE_COMPACT | XML_PARSE_BIG_LINES);
	if (!l.rd) {
		if (!l.src.failed)
			error("%s: %s", path, l.src.bytes ? "cannot create an XML reader" : "empty file");
		goto out;
	}
	xmlTextReaderSetStructuredErrorHandler(l.rd, xml_error, &l);

	if (kbload_begin(&l.kb, st, "mesh") < 0)
		goto out;
	if (found == KB_REPLACE && kbload_clear(&l.kb) < 0)
		goto abort;
	l.ins_ctype = store_prepare(st, "INSERT OR IGNORE INTO concept_semtypes(concept, semtype) "
					"VALUES (?, ?)");
	if (!l.ins_ctype)
		goto abort;
	char version[8];
	version_from_name(path, version, sizeof version);
	kbload_source_meta(&l.kb, "MSH", "Medical Subject Headings", version, "MSH", "ENG", 0);
	if (kbload_source(&l.kb, "MSH", 3, &l.source_id) < 0 ||
	    kbload_source_describe(&l.kb, l.source_id, "Medical Subject Headings", version) < 0 ||
	    kbload_relation(&l.kb, "isa", "CHD", &l.isa_id) < 0)
		goto abort;

	ingest_start(&log, "load mesh");
	progress_start(&l.prog, "MeSH (XML nodes)", l.src.z.raw_size);
	int prc = parse(&l);
	progress_end(&l.prog);
	if (prc < 0)
		goto abort;
	tree_triples(&l);
	if (kbload_write_triples(&l.kb, &stats->triples) < 0)
		goto abort;
	stats->new_concepts = l.kb.n_new_concepts;

	if (kbload_record_identity(st, META_MESH, fphex, base, params.p) < 0)
		goto abort;
	log.target = path;
	log.params = params.p;
	log.rows_read = stats->records;
	log.rows_written = stats->concepts + stats->terms + stats->triples + stats->categories;
	log.rows_skipped = stats->malformed;
	log.note = base;
	if (ingest_finish(st, &log) < 0 || kbload_commit(&l.kb, fphex) < 0)
		goto abort;
	rc = 0;
	goto out;
abort:
	kbload_abort(&l.kb);
out:
	stats->seconds = now_seconds() - t0;
	sqlite3_finalize(l.ins_ctype);
	kbload_release(&l.kb);
	if (l.rd)
		xmlFreeTextReader(l.rd);
	zfile_close(&l.src.z);
	strmap_release(&l.uis);
	strmap_release(&l.trees);
	arena_release(&l.strings);
	free(l.tree_list);
	rec_release(&l.rec);
	buf_release(&l.capture);
	buf_release(&l.norm);
	buf_release(&fp);
	buf_release(&params);
	return rc;
}
