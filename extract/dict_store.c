#define _GNU_SOURCE
#include "dict_store.h"
#include "abbrev.h"
#include "../common/buf.h"
#include "../common/normalize.h"
#include "../common/strlist.h"
#include "../common/util.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/mman.h>
#include <time.h>
#include <xxhash.h>
#include <zstd.h>

struct filter {
	uint32_t *source_rank;   /* by sources.id; UINT32_MAX: excluded */
	size_t n_sources;
	uint8_t *concept_ok;     /* by concepts.id, NULL: all */
	size_t n_concepts;
	uint8_t *preferred_type; /* by concepts.id: of a --prefer-tui type; NULL: none */
	size_t n_preferred;
	struct term_rules rules;
};

static int cmp_cstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The concepts of semantic types list (by TUI or name, each with the types
 * below it in the type tree) as a flag per concept id, in *ok (n of them);
 * the TUIs, sorted, appended to canon. @return 0 or -1. */
static int resolve_types(struct store *st, char **list, uint8_t **ok, size_t *n_ok,
			 struct buf *canon)
{
	int rc = -1;
	char **tuis = NULL;
	size_t n_tuis = 0, cap_tuis = 0;
	sqlite3_stmt *s = store_prepare(st, "SELECT tui, name, coalesce(stn, '') FROM semtypes");
	if (!s)
		return -1;
	struct { char *tui, *name, *stn; } *types = NULL;
	size_t n_types = 0, cap_types = 0;
	while (sqlite3_step(s) == SQLITE_ROW) {
		XGROW(types, cap_types, n_types + 1);
		types[n_types].tui = xstrdup((const char *)sqlite3_column_text(s, 0));
		types[n_types].name = xstrdup((const char *)sqlite3_column_text(s, 1));
		types[n_types].stn = xstrdup((const char *)sqlite3_column_text(s, 2));
		n_types++;
	}
	sqlite3_finalize(s);
	s = NULL;
	int bad = 0;
	for (size_t i = 0; list[i] && !bad; i++) {
		const char *stn = NULL, *tui = NULL;
		for (size_t j = 0; j < n_types; j++)
			if (!strcasecmp(types[j].tui, list[i]) || !strcasecmp(types[j].name, list[i]))
				stn = types[j].stn, tui = types[j].tui;
		if (!tui) {
			error("%s: no semantic type '%s' in the store", st->path, list[i]);
			bad = 1;
			break;
		}
		size_t k = strlen(stn);
		for (size_t j = 0; j < n_types; j++) {
			const char *t = types[j].stn;
			int below = k && (!strcmp(t, stn) || (!strncmp(t, stn, k) && t[k] == '.'));
			if ((below || !strcmp(types[j].tui, tui)) &&
			    !strlist_has(tuis, types[j].tui)) {
				XGROW(tuis, cap_tuis, n_tuis + 2);
				tuis[n_tuis++] = xstrdup(types[j].tui);
				tuis[n_tuis] = NULL;
			}
		}
	}
	for (size_t j = 0; j < n_types; j++) {
		free(types[j].tui);
		free(types[j].name);
		free(types[j].stn);
	}
	free(types);
	if (bad)
		goto out;
	qsort(tuis, n_tuis, sizeof(*tuis), cmp_cstr);
	for (size_t i = 0; i < n_tuis; i++)
		buf_addf(canon, "%s%s", i ? "," : "", tuis[i]);
	*n_ok = (size_t)store_int(st, "SELECT max(id) FROM concepts", 0) + 1;
	*ok = xcalloc(*n_ok, 1);
	if (!(s = store_prepare(st, "SELECT c.concept FROM concept_semtypes c JOIN semtypes t "
				    "ON t.id = c.semtype WHERE t.tui = ?")))
		goto out;
	for (size_t i = 0; i < n_tuis; i++) {
		sqlite3_bind_text(s, 1, tuis[i], -1, SQLITE_STATIC);
		while (sqlite3_step(s) == SQLITE_ROW) {
			int64_t c = sqlite3_column_int64(s, 0);
			if (c >= 0 && (size_t)c < *n_ok)
				(*ok)[c] = 1;
		}
		sqlite3_reset(s);
	}
	rc = 0;
out:
	sqlite3_finalize(s);
	strlist_free(tuis);
	return rc;
}

/* Resolve the filters against the store and write their canonical text. */
static int resolve_filters(struct store *st, const struct dict_options *o, struct filter *f,
			   struct buf *canon)
{
	int rc = -1;
	sqlite3_stmt *s = NULL;
	int64_t max_id = store_int(st, "SELECT max(id) FROM sources", 0);
	f->n_sources = (size_t)max_id + 1;
	f->source_rank = xmalloc(f->n_sources * sizeof(*f->source_rank));
	for (size_t i = 0; i < f->n_sources; i++)
		f->source_rank[i] = o->sab ? UINT32_MAX : (uint32_t)i;
	buf_adds(canon, "sab=");
	if (o->sab) {
		if (!(s = store_prepare(st, "SELECT id FROM sources WHERE sab = ? ORDER BY id")))
			goto out;
		for (size_t i = 0; o->sab[i]; i++) {
			sqlite3_bind_text(s, 1, o->sab[i], -1, SQLITE_STATIC);
			int found = 0;
			while (sqlite3_step(s) == SQLITE_ROW) {
				int64_t id = sqlite3_column_int64(s, 0);
				if (id >= 0 && (size_t)id < f->n_sources && f->source_rank[id] == UINT32_MAX)
					f->source_rank[id] = (uint32_t)i;
				found = 1;
			}
			sqlite3_reset(s);
			if (!found) {
				error("%s: no source '%s' in the store (see 'medkg stats')", st->path,
				      o->sab[i]);
				goto out;
			}
			buf_addf(canon, "%s%s", i ? "," : "", o->sab[i]);
		}
		sqlite3_finalize(s);
		s = NULL;
	} else {
		buf_adds(canon, "*");
	}
	buf_adds(canon, ";tui=");
	if (!o->types)
		buf_adds(canon, "*");
	else if (resolve_types(st, o->types, &f->concept_ok, &f->n_concepts, canon) < 0)
		goto out;
	if (o->prefer) {
		buf_adds(canon, ";prefer=");
		if (resolve_types(st, o->prefer, &f->preferred_type, &f->n_preferred, canon) < 0)
			goto out;
	}
	if (term_rules_load(&f->rules, o->term_rules) < 0)
		goto out;
	rc = 0;
out:
	sqlite3_finalize(s);
	return rc;
}

/* ---------------------------------------------------------------- case rules */

/* Term types of abbreviations and acronyms (UMLS: AB, ACR, AA attribute
 * abbreviations, AM short forms of modifiers, OA obsolete abbreviations;
 * the OBO loader writes AB for abbreviation synonym types). */
static int is_abbrev_tty(const char *tty)
{
	static const char *const ttys[] = { "AB", "ACR", "AA", "AM", "OA" };
	for (size_t i = 0; i < ARRAY_SIZE(ttys); i++)
		if (!strcmp(tty, ttys[i]))
			return 1;
	return 0;
}

/* Is token s[0..n) an acronym or symbol, to be matched exactly as written?
 * Two to six letters all capitals ("APC", "COVID"); letters and digits
 * ("WT1", "C2", "BRCA1"); or at most five characters with a capital after a
 * small letter ("mRNA", "pH", "AFib"). */
static int is_symbol(const char *s, size_t n)
{
	size_t upper = 0, lower = 0, digit = 0, other = 0;
	int cap_after_small = 0;
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		if (c >= 'A' && c <= 'Z') {
			upper++;
			cap_after_small |= lower > 0;
		} else if (c >= 'a' && c <= 'z') {
			lower++;
		} else if (c >= '0' && c <= '9') {
			digit++;
		} else {
			other++;
		}
	}
	size_t letters = upper + lower + other;
	if (!letters)
		return 0;
	if (digit)
		return 1;
	if (!lower && !other && upper >= 2 && upper <= 6)
		return 1;
	return cap_after_small && n <= 5;
}

/* An exact item of a case pattern: 'x' and the token as written, without a
 * possessive ending (the text may add one back). */
static void add_exact(struct buf *out, const char *s, size_t len)
{
	if (len > 2 && s[len - 1] == 's' && s[len - 2] == '\'')
		len -= 2;
	else if (len > 4 && s[len - 1] == 's' && !memcmp(s + len - 4, "\xe2\x80\x99", 3))
		len -= 4;
	buf_addc(out, 'x');
	buf_add(out, s, len);
}

/* The case pattern of a term (dict.h, struct dict_cand) into out, from its
 * written form. @return 0: any case (out empty), else which rule: 1
 * abbreviation, 2 symbol, 3 short. */
static int case_pattern(const char *str, size_t n, int abbrev, struct buf *out)
{
	buf_reset(out);
	size_t pos = 0, chars = 0;
	for (size_t i = 0; i < n; i++)
		chars += ((unsigned char)str[i] & 0xC0) != 0x80 && str[i] != ' ';
	int shortt = chars <= 3, rule = 0;
	struct token t;
	char small[256];
	while (token_next(str, n, &pos, &t)) {
		size_t len = t.end - t.start;
		/* a token normalizes to nothing only around an apostrophe; such
		 * tokens are skipped by the text's tokenizer too */
		if (memchr(str + t.start, '\'', len) || memchr(str + t.start, '\xe2', len)) {
			char *tmp = len + 8 <= sizeof small ? small : xmalloc(len + 8);
			size_t k = token_normalize(str + t.start, len, tmp);
			if (tmp != small)
				free(tmp);
			if (!k)
				continue;
		}
		if (out->len)
			buf_addc(out, ' ');
		if (abbrev || is_symbol(str + t.start, len)) {
			add_exact(out, str + t.start, len);
			rule = rule ? rule : abbrev ? 1 : 2;
		} else if (shortt) {
			buf_addc(out, 'w');
			rule = rule ? rule : 3;
		} else {
			buf_addc(out, '*');
		}
	}
	if (!rule)
		buf_reset(out);
	return rule;
}

/* A single character (one code point). */
static int one_char(const char *s, size_t n)
{
	size_t chars = 0;
	for (size_t i = 0; i < n && chars < 2; i++)
		chars += ((unsigned char)s[i] & 0xC0) != 0x80;
	return chars == 1;
}

/* One token of two capitals or more, then digits ("WT1", "BRCA1"). */
static int gene_like(const char *s, size_t n)
{
	size_t i = 0;
	while (i < n && s[i] >= 'A' && s[i] <= 'Z')
		i++;
	if (i < 2 || i == n)
		return 0;
	while (i < n && s[i] >= '0' && s[i] <= '9')
		i++;
	return i == n;
}

/* Only digits (and the '.' or ',' between them) in every token. */
static int digits_only(const char *norm, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!(norm[i] == ' ' || norm[i] == '.' || norm[i] == ',' ||
		      (norm[i] >= '0' && norm[i] <= '9')))
			return 0;
	return 1;
}

void dict_rule_counts_json(const struct dict_rule_counts *c, struct buf *out)
{
	buf_adds(out, "{\"removed\":{");
	for (int k = 1; k < TERM_N_CLASSES; k++)
		if (k != TERM_MODIFIER)
			buf_addf(out, "\"%s\":%lld,", term_class_name(k), (long long)c->removed[k]);
	buf_addf(out, "\"one character\":%lld,\"digits\":%lld},", (long long)c->removed_char,
		 (long long)c->removed_digits);
	buf_addf(out, "\"case\":{\"abbreviation\":%lld,\"symbol\":%lld,\"short\":%lld},",
		 (long long)c->case_abbrev, (long long)c->case_symbol, (long long)c->case_short);
	buf_adds(out, "\"variants\":{");
	for (int k = 0; k < VAR_N_CLASSES; k++)
		buf_addf(out, "\"%s\":%lld,", variant_class_name(k), (long long)c->variants[k]);
	buf_addf(out, "\"all\":%lld}}", (long long)c->n_variants);
}

/* ---------------------------------------------------------------- build */

/* A split hyphenation variant, kept until every term's words are known. */
struct pending {
	struct buf text;         /* variants, NUL terminated */
	struct pend { size_t off, len, rest, rest_len; struct dict_cand c; uint32_t rank; } *v;
	size_t n, cap;
};

/* Is norm[0..n) never a concept on its own: one character, digits alone, or
 * a phrase of the term rules' removing classes? Counted in rc when given. */
static int never_concept(const struct filter *f, const char *norm, size_t n, int capitals,
			 struct dict_rule_counts *rc)
{
	if (one_char(norm, n)) {
		if (rc)
			rc->removed_char++;
		return 1;
	}
	if (digits_only(norm, n)) {
		if (rc)
			rc->removed_digits++;
		return 1;
	}
	int cls = term_rules_class(&f->rules, norm, n, capitals);
	if (cls && cls != TERM_MODIFIER) {
		if (rc)
			rc->removed[cls]++;
		return 1;
	}
	return 0;
}

static void count_variant(struct dict_rule_counts *rc, unsigned mask)
{
	rc->n_variants++;
	for (int k = 0; k < VAR_N_CLASSES; k++)
		if (mask & (1u << k))
			rc->variants[k]++;
}

/* The term and its variants without their leading modifiers ("malignant
 * tumor" -> "tumor"), added to the list as class modifier. */
static void add_unmodified(const struct term_rules *tr, const char *norm, size_t n,
			   struct variant_list *vl)
{
	size_t n_before = vl->n;
	for (size_t i = 0; i <= n_before && vl->n < VARIANTS_MAX; i++) {
		const char *v = i ? vl->text.p + vl->v[i - 1].off : norm;
		size_t len = i ? vl->v[i - 1].len : n;
		if (i && vl->v[i - 1].rest_len)
			continue;
		size_t k = term_rules_modifier_prefix(tr, v, len);
		if (!k)
			continue;
		unsigned mask = (i ? vl->v[i - 1].mask : 0) | VAR_MODIFIER;
		int dup = len - k == n && !memcmp(v + k, norm, n);
		for (size_t j = 0; j < vl->n && !dup; j++)
			dup = vl->v[j].len == len - k && !memcmp(vl->text.p + vl->v[j].off, v + k, len - k);
		if (dup)
			continue;
		/* v points into the list's text, which may move: copy first */
		struct buf tmp = BUF_INIT;
		buf_add(&tmp, v + k, len - k);
		XGROW(vl->v, vl->cap, vl->n + 1);
		size_t off = vl->text.len;
		buf_add(&vl->text, tmp.p, tmp.len);
		buf_addc(&vl->text, '\0');
		vl->v[vl->n++] = (struct variant){ off, tmp.len, mask, 0, 0, 0 };
		buf_release(&tmp);
	}
}

/* Particles of eponyms, written in small letters ("von Willebrand"). */
static int is_particle(const char *s, size_t n)
{
	static const char *const particles[] = { "von", "van", "de", "der", "den", "la", "le",
						 "du", "di", "da" };
	for (size_t i = 0; i < ARRAY_SIZE(particles); i++)
		if (strlen(particles[i]) == n && !memcmp(particles[i], s, n))
			return 1;
	return 0;
}

/* An eponymous name of two words or more followed by a generic head word
 * ("Lesch-Nyhan syndrome"): the name alone, matching with its capitalized
 * words as written (variants.h, class eponym). */
static void add_eponym(struct dict_builder *b, const struct filter *f, const char *str, size_t sn,
		       const char *norm, size_t n, const struct dict_cand *c, uint32_t rank,
		       struct buf *pattern, struct dict_rule_counts *rc)
{
	const char *sp = memrchr(norm, ' ', n);
	if (!sp || term_rules_class(&f->rules, sp + 1, (size_t)(norm + n - sp - 1), 0) != TERM_GENERIC)
		return;
	/* the written tokens but the last: capitalized names or particles */
	struct token t[8];
	size_t k = 0, pos = 0;
	struct token x;
	char tmp[256];
	while (token_next(str, sn, &pos, &x)) {
		size_t len = x.end - x.start;
		if (len + 8 > sizeof tmp || !token_normalize(str + x.start, len, tmp))
			return;
		if (k == ARRAY_SIZE(t))
			return;
		t[k++] = x;
	}
	if (k < 3)
		return;
	k--; /* the head word */
	buf_reset(pattern);
	int names = 0;
	for (size_t i = 0; i < k; i++) {
		const char *s = str + t[i].start;
		size_t len = t[i].end - t[i].start;
		if (i)
			buf_addc(pattern, ' ');
		if (s[0] >= 'A' && s[0] <= 'Z') {
			for (size_t j = 0; j < len; j++)
				if (s[j] >= '0' && s[j] <= '9')
					return;
			add_exact(pattern, s, len);
			names++;
		} else if (is_particle(s, len)) {
			buf_addc(pattern, '*');
		} else {
			return;
		}
	}
	if (!names)
		return;
	struct dict_cand ec = *c;
	ec.flags |= VAR_EPONYM;
	if (dict_builder_add_cand(b, norm, (size_t)(sp - norm), &ec, rank | 0x80000000u, pattern->p,
				  pattern->len))
		count_variant(rc, VAR_EPONYM);
}

struct abbrev_pairs {
	struct abbrev_pair *p;
	size_t n, cap;
};

/* The short forms a term defines inside it ("Von Hippel-Lindau syndrome
 * (VHL)"), by abbrev.h: candidates of the term's concept that match only as
 * written. */
static void add_defined_abbreviations(struct dict_builder *b, const struct filter *f,
				      const char *str, size_t sn, const struct dict_cand *c,
				      uint32_t rank, struct abbrev_pairs *pairs,
				      struct dict_rule_counts *rc)
{
	pairs->n = 0;
	if (!abbrev_find(str, 0, sn, sn, &pairs->p, &pairs->n, &pairs->cap))
		return;
	struct buf norm = BUF_INIT, pattern = BUF_INIT;
	for (size_t i = 0; i < pairs->n; i++) {
		const struct abbrev_pair *p = &pairs->p[i];
		const char *sf = str + p->sf_start;
		size_t len = p->sf_end - p->sf_start;
		buf_reset(&norm);
		if (!text_normalize(sf, len, &norm) || never_concept(f, norm.p, norm.len, 1, NULL))
			continue;
		case_pattern(sf, len, 1, &pattern);
		struct dict_cand ac = *c;
		ac.flags = (c->flags & ~DICT_C_VARIANT) | VAR_ABBREVIATION | DICT_C_ABBREV;
		if (dict_builder_add_cand(b, norm.p, norm.len, &ac, rank | 0x80000000u, pattern.p,
					  pattern.len))
			count_variant(rc, VAR_ABBREVIATION);
	}
	buf_release(&norm);
	buf_release(&pattern);
}

static int build(struct store *st, const struct filter *f, struct dict *d, struct dict_info *info)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT concept, id, str, norm, preferred, source, tty, "
					    "scope FROM terms WHERE suppress = 'N'");
	if (!s)
		return -1;
	struct dict_builder b;
	dict_builder_init(&b);
	struct dict_rule_counts *rc_ = &info->rules;
	struct buf pattern = BUF_INIT;
	struct variant_list vl;
	memset(&vl, 0, sizeof vl);
	struct pending pend;
	memset(&pend, 0, sizeof pend);
	struct abbrev_pairs pairs = { NULL, 0, 0 };
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		info->n_terms++;
		int64_t concept = sqlite3_column_int64(s, 0);
		int64_t source = sqlite3_column_int64(s, 5);
		if (source < 0 || (size_t)source >= f->n_sources || f->source_rank[source] == UINT32_MAX)
			continue;
		if (f->concept_ok && (concept < 0 || (size_t)concept >= f->n_concepts ||
				      !f->concept_ok[concept]))
			continue;
		const char *str = (const char *)sqlite3_column_text(s, 2);
		size_t sn = (size_t)sqlite3_column_bytes(s, 2);
		const char *norm = (const char *)sqlite3_column_text(s, 3);
		size_t n = (size_t)sqlite3_column_bytes(s, 3);
		if (!n)
			continue;
		if (never_concept(f, norm, n, term_rules_capitals(str, sn), rc_))
			continue;
		const char *tty = (const char *)sqlite3_column_text(s, 6);
		const char *scope = (const char *)sqlite3_column_text(s, 7);
		int abbrev = is_abbrev_tty(tty);
		int weak = !strcmp(scope, "RELATED") || !strcmp(scope, "BROAD") ||
			   !strcmp(scope, "NARROW");
		int preferred = sqlite3_column_int(s, 4);
		struct dict_cand c = { (uint32_t)concept, (uint32_t)sqlite3_column_int64(s, 1),
				       DICT_NONE, 0 };
		c.flags = (abbrev ? DICT_C_ABBREV : 0) | (weak ? DICT_C_WEAK : 0) |
			  (preferred ? DICT_C_PREFERRED : 0);
		if (f->preferred_type && concept >= 0 && (size_t)concept < f->n_preferred &&
		    f->preferred_type[concept])
			c.flags |= DICT_C_TYPE;
		if (gene_like(str, sn))
			c.flags |= DICT_C_GENE;
		/* the documented order: term before variant, exact before weak
		 * scopes, preferred names first, a subtype variant's first type
		 * first (bits 24-28), then the source's rank */
		uint32_t rank = (weak ? 0x40000000u : 0) | (preferred ? 0 : 0x20000000u) |
				(f->source_rank[source] & 0xffffffu);
		int rule = case_pattern(str, sn, abbrev, &pattern);
		if (rule == 1)
			rc_->case_abbrev++;
		else if (rule == 2)
			rc_->case_symbol++;
		else if (rule == 3)
			rc_->case_short++;
		dict_builder_add_cand(&b, norm, n, &c, rank, rule ? pattern.p : NULL, pattern.len);
		if (memchr(str, '(', sn))
			add_defined_abbreviations(&b, f, str, sn, &c, rank, &pairs, rc_);
		if (rule)
			continue; /* variants of terms in any case only */
		add_eponym(&b, f, str, sn, norm, n, &c, rank, &pattern, rc_);
		variants_generate(str, sn, norm, n, &vl);
		add_unmodified(&f->rules, norm, n, &vl);
		for (size_t i = 0; i < vl.n; i++) {
			const struct variant *v = &vl.v[i];
			struct dict_cand vc = c;
			vc.flags |= v->mask & DICT_C_VARIANT;
			uint32_t vrank = rank | 0x80000000u | (v->order < 31 ? v->order : 31) << 24;
			if (v->rest_len) { /* checked once every word is known */
				XGROW(pend.v, pend.cap, pend.n + 1);
				size_t off = pend.text.len;
				buf_add(&pend.text, vl.text.p + v->off, v->len);
				buf_addc(&pend.text, '\0');
				pend.v[pend.n++] = (struct pend){ off, v->len, off + (v->rest - v->off),
								  v->rest_len, vc, vrank };
				continue;
			}
			if (never_concept(f, vl.text.p + v->off, v->len, 0, NULL))
				continue;
			if (dict_builder_add_cand(&b, vl.text.p + v->off, v->len, &vc, vrank, NULL, 0))
				count_variant(rc_, v->mask);
		}
	}
	sqlite3_finalize(s);
	/* split hyphenations whose second word the dictionary knows ("non
	 * hodgkin"); the words of other variants and of terms, before them */
	for (size_t i = 0; rc == SQLITE_DONE && i < pend.n; i++) {
		const struct pend *p = &pend.v[i];
		if (dict_builder_token(&b, pend.text.p + p->rest, p->rest_len) == DICT_NONE)
			continue;
		if (dict_builder_add_cand(&b, pend.text.p + p->off, p->len, &p->c, p->rank, NULL, 0))
			count_variant(rc_, p->c.flags & DICT_C_VARIANT);
	}
	buf_release(&pend.text);
	free(pend.v);
	free(pairs.p);
	buf_release(&pattern);
	variant_list_release(&vl);
	if (rc != SQLITE_DONE) {
		dict_builder_release(&b);
		return store_error(st, "reading terms");
	}
	if (b.n_terms == 0) {
		dict_builder_release(&b);
		return error("%s: no terms to extract with (load a knowledge base, or widen "
			     "--tui/--sty/--sab)", st->path);
	}
	dict_builder_finish(&b, d);
	dict_builder_release(&b);
	return 0;
}

/* The block is cached as independent zstd frames of RAW_CHUNK bytes each
 * (the last one shorter), one row each, so that they decompress in
 * parallel, straight into place. */
#define RAW_CHUNK (64u << 20)

/* A block of size bytes on transparent huge pages where the kernel allows
 * it: a 500 MB dictionary then costs a thousand page faults, not 120,000. */
static void *block_alloc(size_t size)
{
	size_t huge = 2u << 20, n = (size + huge - 1) & ~(huge - 1);
	void *p = xaligned_alloc(huge, n);
	madvise(p, n, MADV_HUGEPAGE);
	return p;
}

static int cache_read(struct store *st, int64_t id, int64_t bytes, struct dict *d,
		      struct dict_info *info)
{
	/* the recorded size is only compared: what is allocated follows the
	 * rows there are and the sizes their frames declare */
	size_t n = bytes > 0 ? ((size_t)bytes + RAW_CHUNK - 1) / RAW_CHUNK : 0, got = 0, cap = 0;
	char **z = NULL;
	int *zn = NULL;
	char *block = NULL;
	int rc = -1, bad = 0;
	sqlite3_stmt *s = store_prepare(st, "SELECT rowid, seq FROM dictionary_chunks WHERE "
					    "dictionary = ? ORDER BY seq");
	if (!s)
		goto out;
	sqlite3_bind_int64(s, 1, id);
	/* read each frame with sqlite3_blob_read: one copy, into its buffer */
	while (sqlite3_step(s) == SQLITE_ROW) {
		sqlite3_blob *b = NULL;
		if (got >= n || sqlite3_column_int64(s, 1) != (int64_t)got ||
		    sqlite3_blob_open(st->db, "main", "dictionary_chunks", "data",
				      sqlite3_column_int64(s, 0), 0, &b) != SQLITE_OK) {
			sqlite3_blob_close(b);
			bad = 1;
			break;
		}
		if (got == cap) {
			XGROW(z, cap, got + 1);
			zn = xrealloc(zn, cap * sizeof(*zn));
		}
		zn[got] = sqlite3_blob_bytes(b);
		z[got] = xmalloc((size_t)zn[got] + 1);
		int r = sqlite3_blob_read(b, z[got], zn[got], 0);
		sqlite3_blob_close(b);
		info->compressed += zn[got];
		got++;
		if (r != SQLITE_OK) {
			bad = 1;
			break;
		}
	}
	sqlite3_finalize(s);
	for (size_t i = 0; !bad && i < got; i++) {
		size_t want = i + 1 < n ? RAW_CHUNK : (size_t)bytes - i * RAW_CHUNK;
		bad = ZSTD_getFrameContentSize(z[i], (size_t)zn[i]) != want;
	}
	if (bad || got != n || !n) {
		error("%s: cached dictionary is damaged", st->path);
		goto out;
	}
	block = block_alloc((size_t)bytes);
	int failed = 0;
#pragma omp parallel for schedule(dynamic, 1) reduction(| : failed)
	for (size_t i = 0; i < n; i++) {
		size_t want = i + 1 < n ? RAW_CHUNK : (size_t)bytes - i * RAW_CHUNK;
		size_t r = ZSTD_decompress(block + i * RAW_CHUNK, want, z[i], (size_t)zn[i]);
		failed |= ZSTD_isError(r) || r != want;
	}
	if (failed) {
		error("%s: cached dictionary is damaged", st->path);
		goto out;
	}
	rc = dict_from_block(d, block, (size_t)bytes);
	block = NULL; /* adopted, or freed by dict_from_block */
out:
	for (size_t i = 0; i < got; i++)
		free(z[i]);
	free(z);
	free(zn);
	free(block);
	return rc;
}

static int cache_write(struct store *st, const char *key, const char *fp, const char *filters,
		       const struct dict *d, struct dict_info *info)
{
	ZSTD_CCtx *cc = ZSTD_createCCtx();
	ZSTD_CCtx_setParameter(cc, ZSTD_c_compressionLevel, 3);
	ZSTD_CCtx_setParameter(cc, ZSTD_c_nbWorkers, 2); /* ignored without threads */
	size_t n_frames = (d->size + RAW_CHUNK - 1) / RAW_CHUNK;
	size_t cap = ZSTD_compressBound(RAW_CHUNK);
	char *z = xmalloc(cap * n_frames);
	size_t *zn = xcalloc(n_frames, sizeof(*zn));
	sqlite3_stmt *ins = NULL, *chunk = NULL, *del = NULL;
	int rc = -1;
	info->compressed = 0;
	for (size_t i = 0; i < n_frames; i++) {
		size_t raw = i + 1 < n_frames ? RAW_CHUNK : d->size - i * RAW_CHUNK;
		zn[i] = ZSTD_compress2(cc, z + i * cap, cap, (const char *)d->block + i * RAW_CHUNK, raw);
		if (ZSTD_isError(zn[i])) {
			error("cannot compress the dictionary: %s", ZSTD_getErrorName(zn[i]));
			ZSTD_freeCCtx(cc);
			goto out;
		}
		info->compressed += (int64_t)zn[i];
	}
	ZSTD_freeCCtx(cc);
	char created[32];
	utc_timestamp(created, sizeof created);
	if (store_begin(st) < 0)
		goto out;
	/* dictionaries of another knowledge base, normalizer or format can
	 * never be used again */
	if (!(del = store_prepare(st, "DELETE FROM dictionaries WHERE kb_fingerprint <> ? OR key = ? "
				      "OR normalizer <> ? OR format <> ?")))
		goto fail;
	sqlite3_bind_text(del, 1, fp, -1, SQLITE_STATIC);
	sqlite3_bind_text(del, 2, key, -1, SQLITE_STATIC);
	sqlite3_bind_int(del, 3, NORMALIZER_VERSION);
	sqlite3_bind_int(del, 4, DICT_FORMAT);
	if (store_step_done(st, del) < 0)
		goto fail;
	/* chunks left by a deletion that did not cascade (foreign keys off) */
	if (store_exec(st, "DELETE FROM dictionary_chunks WHERE dictionary NOT IN "
			   "(SELECT id FROM dictionaries)") < 0)
		goto fail;
	if (!(ins = store_prepare(st, "INSERT INTO dictionaries(key, kb_fingerprint, normalizer, "
				      "format, filters, n_entries, n_nodes, bytes, compressed, created, "
				      "n_terms, rules) VALUES (?,?,?,?,?,?,?,?,?,?,?,?)")))
		goto fail;
	sqlite3_bind_text(ins, 1, key, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 2, fp, -1, SQLITE_STATIC);
	sqlite3_bind_int(ins, 3, NORMALIZER_VERSION);
	sqlite3_bind_int(ins, 4, DICT_FORMAT);
	sqlite3_bind_text(ins, 5, filters, -1, SQLITE_STATIC);
	sqlite3_bind_int64(ins, 6, d->n_entries);
	sqlite3_bind_int64(ins, 7, d->n_nodes);
	sqlite3_bind_int64(ins, 8, (int64_t)d->size);
	sqlite3_bind_int64(ins, 9, info->compressed);
	sqlite3_bind_text(ins, 10, created, -1, SQLITE_STATIC);
	sqlite3_bind_int64(ins, 11, info->n_terms);
	struct buf rules = BUF_INIT;
	dict_rule_counts_json(&info->rules, &rules);
	sqlite3_bind_text(ins, 12, rules.p, (int)rules.len, SQLITE_TRANSIENT);
	buf_release(&rules);
	if (store_step_done(st, ins) < 0)
		goto fail;
	int64_t id = sqlite3_last_insert_rowid(st->db);
	if (!(chunk = store_prepare(st, "INSERT INTO dictionary_chunks(dictionary, seq, data) "
					"VALUES (?,?,?)")))
		goto fail;
	for (size_t i = 0; i < n_frames; i++) {
		sqlite3_bind_int64(chunk, 1, id);
		sqlite3_bind_int64(chunk, 2, (int64_t)i);
		sqlite3_bind_blob(chunk, 3, z + i * cap, (int)zn[i], SQLITE_STATIC);
		if (store_step_done(st, chunk) < 0)
			goto fail;
	}
	if (store_commit(st) < 0)
		goto fail;
	rc = 0;
	goto out;
fail:
	store_rollback(st);
out:
	sqlite3_finalize(ins);
	sqlite3_finalize(chunk);
	sqlite3_finalize(del);
	free(z);
	free(zn);
	return rc;
}

static double cpu_now(void)
{
	struct timespec ts;
	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

int dict_open(struct store *st, const struct dict_options *o, struct dict *d,
	      struct dict_info *info)
{
	double t0 = now_seconds(), c0 = cpu_now();
	memset(info, 0, sizeof(*info));
	memset(d, 0, sizeof(*d));
	struct buf fp = BUF_INIT, canon = BUF_INIT, keysrc = BUF_INIT;
	struct filter f;
	memset(&f, 0, sizeof f);
	int rc = -1;
	if (store_meta_get(st, META_KB_FINGERPRINT, &fp) <= 0) {
		error("%s: no knowledge base in the store: load one first (medkg load umls DIR)",
		      st->path);
		goto out;
	}
	if (resolve_filters(st, o, &f, &canon) < 0)
		goto out;
	buf_addf(&keysrc, "%s|normalizer %d|format %d|%s|term rules %016llx", fp.p,
		 NORMALIZER_VERSION, DICT_FORMAT, canon.p, (unsigned long long)f.rules.hash);
	snprintf(info->key, sizeof info->key, "%016llx",
		 (unsigned long long)XXH3_64bits(keysrc.p, keysrc.len));
	info->filters = xstrdup(canon.p);

	sqlite3_stmt *s = store_prepare(st, "SELECT id, bytes FROM dictionaries WHERE key = ?");
	if (!s)
		goto out;
	sqlite3_bind_text(s, 1, info->key, -1, SQLITE_STATIC);
	int64_t id = -1, bytes = 0;
	if (sqlite3_step(s) == SQLITE_ROW) {
		id = sqlite3_column_int64(s, 0);
		bytes = sqlite3_column_int64(s, 1);
	}
	sqlite3_finalize(s);
	if (id >= 0) {
		if (cache_read(st, id, bytes, d, info) == 0) {
			info->from_cache = 1;
			rc = 0;
			goto done;
		}
		warning("%s (rebuilding it)", last_error());
	}
	if (build(st, &f, d, info) < 0)
		goto out;
	if (cache_write(st, info->key, fp.p, canon.p, d, info) < 0) {
		dict_release(d);
		goto out;
	}
	rc = 0;
done:
	info->n_entries = d->n_entries;
	info->n_nodes = d->n_nodes;
	info->bytes = (int64_t)d->size;
	info->seconds = now_seconds() - t0;
	info->cpu_seconds = cpu_now() - c0;
out:
	free(f.source_rank);
	free(f.concept_ok);
	free(f.preferred_type);
	term_rules_release(&f.rules);
	buf_release(&fp);
	buf_release(&canon);
	buf_release(&keysrc);
	return rc;
}
