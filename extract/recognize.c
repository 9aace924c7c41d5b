#include "recognize.h"
#include "dict_store.h"
#include "sentences.h"
#include "variants.h"
#include "../common/util.h"

#include <stdlib.h>
#include <string.h>

/* A short form the document defines, by tokens of the document. */
struct rec_defn {
	uint32_t sf_a, sf_b;     /* the short form where it is defined */
	uint32_t lf_a, lf_b;     /* its long form */
	uint32_t concept, term, flags;
	int has_concept;
	int again;               /* a short form defined before: only its site counts */
	size_t first;            /* again: the first definition */
};

/* A match of the document, by tokens [a, b) of the document. */
struct rec_match {
	uint32_t a, b;
	uint32_t sent;           /* index into the scratch's sentences */
	uint32_t entry;          /* dictionary entry, or DICT_NONE (a short form the
				  * dictionary has no entry of its length for) */
	uint64_t alive;          /* the entry's candidates that fit the text's case: bit
				  * k is candidate cand_first[entry] + k */
	int32_t defn;            /* a short form: its definition; else -1 */
	uint32_t concept, term, flags;
	uint32_t mod_a;          /* its first modifier token (a when none) */
	uint16_t candidates;
	uint8_t decided, drop;
	uint8_t expanded;        /* a defined short form with the words after it, read
				  * with its long form in its place */
};

#define MAX_CANDS 64             /* candidates of an entry considered */
#define MAX_PREFIXES 16          /* nested terms at one token considered */
#define MAX_MODIFIER 3           /* tokens of one modifier phrase */
#define RID_UNSET 0xfffffffeu

const char *decided_name(int d)
{
	switch (d) {
	case DECIDED_ABBREVIATION: return "abbreviation";
	case DECIDED_DOCUMENT: return "document";
	case DECIDED_SEMTYPE: return "semtype";
	case DECIDED_RULE: return "rule";
	default: return "";
	}
}

void match_describe(uint32_t flags, int abbreviation, struct buf *out)
{
	if (abbreviation)
		buf_adds(out, "abbreviation");
	else
		variant_describe(flags & DICT_C_VARIANT, out);
}

void recognize_scratch_release(struct rec_scratch *w)
{
	free(w->tok);
	free(w->did);
	free(w->lid);
	free(w->rid);
	free(w->noff);
	free(w->gap);
	free(w->join);
	free(w->used);
	free(w->norm);
	free(w->sent);
	free(w->pairs);
	free(w->defn);
	free(w->m);
	free(w->seen);
	free(w->cm);
	free(w->cm_concept);
	context_scratch_release(&w->cs);
	memset(w, 0, sizeof(*w));
}

static void grow_tokens(struct rec_scratch *w, size_t need)
{
	if (need <= w->cap_tok)
		return;
	size_t cap = w->cap_tok;
	XGROW(w->tok, cap, need);
	w->did = xrealloc(w->did, cap * sizeof(*w->did));
	w->lid = xrealloc(w->lid, cap * sizeof(*w->lid));
	w->rid = xrealloc(w->rid, cap * sizeof(*w->rid));
	w->noff = xrealloc(w->noff, (cap + 1) * sizeof(*w->noff));
	w->gap = xrealloc(w->gap, cap);
	w->join = xrealloc(w->join, cap);
	w->used = xrealloc(w->used, cap);
	w->cap_tok = cap;
}

/* ---------------------------------------------------------------- tokens */

/* Tokens of every sentence, back to back. @return their count. */
static size_t tokenize(const char *text, const struct rec_sentence *s, size_t n_s,
		       struct rec_scratch *w, const struct dict *d)
{
	size_t n = 0, nlen = 0;
	if (n_s > w->cap_sent) {
		w->cap_sent = n_s * 2;
		w->sent = xrealloc(w->sent, w->cap_sent * sizeof(*w->sent));
	}
	for (size_t j = 0; j < n_s; j++) {
		size_t pos = s[j].start, prev_end = s[j].start, t0 = n;
		struct token t;
		while (token_next(text, s[j].end, &pos, &t)) {
			size_t len = t.end - t.start;
			if (nlen + len + 8 > w->cap_norm) {
				w->cap_norm = (nlen + len + 8) * 2;
				w->norm = xrealloc(w->norm, w->cap_norm);
			}
			size_t k = token_normalize(text + t.start, len, w->norm + nlen);
			if (!k)
				continue;
			grow_tokens(w, n + 1);
			w->tok[n] = t;
			w->gap[n] = n > t0 ? (uint8_t)gap_classify(text, prev_end, t.start) : GAP_SPACE;
			w->join[n] = n > t0 && w->gap[n] <= GAP_JOIN;
			w->did[n] = dict_token(d, w->norm + nlen, k);
			w->rid[n] = RID_UNSET;
			w->used[n] = 0;
			w->noff[n] = (uint32_t)nlen;
			nlen += k;
			w->noff[n + 1] = (uint32_t)nlen;
			prev_end = t.end;
			n++;
		}
		w->sent[j].t0 = (uint32_t)t0;
		w->sent[j].n = (uint32_t)(n - t0);
	}
	return n;
}

/* ---------------------------------------------------------------- case */

/* Does the text's tokens tok[0..n) fit the case pattern pat (dict.h)? */
static int case_fits(const char *pat, const char *text, const struct token *tok, size_t n)
{
	const char *p = pat;
	for (size_t k = 0; k < n; k++) {
		if (k) {
			if (*p != ' ')
				return 0;
			p++;
		}
		const char *s = text + tok[k].start;
		size_t len = tok[k].end - tok[k].start;
		char mode = *p++;
		if (mode == '*')
			continue;
		if (mode == 'w') {
			for (size_t i = 1; i < len; i++)
				if (s[i] >= 'A' && s[i] <= 'Z')
					return 0;
			continue;
		}
		if (mode != 'x')
			return 0;
		const char *e = p;
		while (*e && *e != ' ')
			e++;
		size_t pl = (size_t)(e - p);
		if (len < pl || memcmp(s, p, pl))
			return 0;
		const char *r = s + pl;
		size_t rl = len - pl;
		if (!(rl == 0 || (rl == 1 && r[0] == 's') || (rl == 2 && !memcmp(r, "es", 2)) ||
		      (rl == 2 && !memcmp(r, "'s", 2)) || (rl == 4 && !memcmp(r, "\xe2\x80\x99s", 4))))
			return 0;
		p = e;
	}
	return *p == '\0';
}

/* The candidates of entry e that fit the text's tokens tok[0..n). */
static uint64_t alive_mask(const struct dict *d, uint32_t e, const char *text,
			   const struct token *tok, size_t n)
{
	uint32_t a = d->cand_first[e], b = d->cand_first[e + 1];
	if (b - a > MAX_CANDS)
		b = a + MAX_CANDS;
	uint64_t alive = 0, terms = 0;
	for (uint32_t c = a; c < b; c++) {
		uint32_t sf = d->cands[c].surface;
		if (d->cands[c].flags & DICT_C_GENE)
			continue; /* only through the report's own definition */
		if (sf == DICT_NONE || case_fits(d->surfaces + sf, text, tok, n)) {
			alive |= (uint64_t)1 << (c - a);
			if (!(d->cands[c].flags & DICT_C_VARIANT))
				terms |= (uint64_t)1 << (c - a);
		}
	}
	/* a variant names a concept only where no term does */
	return terms ? terms : alive;
}

static int popcount64(uint64_t v)
{
	return __builtin_popcountll(v);
}

/* ---------------------------------------------------------------- abbreviations */

/* Tokens [a, b) of the document lying inside bytes [start, end). @return 1
 * when there is at least one. */
static int tokens_in(const struct rec_scratch *w, uint32_t t0, uint32_t n, uint32_t start,
		     uint32_t end, uint32_t *a, uint32_t *b)
{
	uint32_t i = t0;
	while (i < t0 + n && w->tok[i].start < start)
		i++;
	uint32_t j = i;
	while (j < t0 + n && w->tok[j].end <= end)
		j++;
	*a = i;
	*b = j;
	return j > i;
}

/* Is the short form of definition d at tokens i.. (its tokens as written;
 * the last may add a plural or possessive ending)? */
static int short_form_at(const struct rec_scratch *w, const char *text, const struct rec_defn *d,
			 uint32_t i, uint32_t end)
{
	uint32_t n = d->sf_b - d->sf_a;
	if (i + n > end)
		return 0;
	for (uint32_t k = 0; k < n; k++) {
		const struct token *x = &w->tok[i + k], *y = &w->tok[d->sf_a + k];
		size_t xl = x->end - x->start, yl = y->end - y->start;
		if (k && !w->join[i + k])
			return 0;
		if (xl < yl || memcmp(text + x->start, text + y->start, yl))
			return 0;
		if (xl == yl)
			continue;
		const char *r = text + x->start + yl;
		size_t rl = xl - yl;
		if (k + 1 < n || !((rl == 1 && r[0] == 's') || (rl == 2 && !memcmp(r, "'s", 2))))
			return 0;
	}
	return 1;
}

/* Definitions of the document: pairs found in its sentences, as tokens;
 * the first definition of a short form wins (the others are kept, marked
 * again, for their sites). @return how many. */
static size_t find_definitions(const char *text, const struct rec_sentence *s, size_t n_s,
			       struct rec_scratch *w)
{
	w->n_pairs = 0;
	size_t n_d = 0, limit = 0;
	for (size_t j = 0; j < n_s; j++) {
		size_t first = w->n_pairs;
		/* a later sentence of the same section may hold the ')' */
		if (!j || s[j].section != s[j - 1].section) {
			size_t k = j;
			while (k + 1 < n_s && s[k + 1].section == s[j].section)
				k++;
			limit = s[k].end;
		}
		if (!memchr(text + s[j].start, '(', s[j].end - s[j].start))
			continue;
		abbrev_find(text, s[j].start, s[j].end, limit, &w->pairs, &w->n_pairs, &w->cap_pairs);
		for (size_t k = first; k < w->n_pairs; k++) {
			const struct abbrev_pair *p = &w->pairs[k];
			struct rec_defn d;
			memset(&d, 0, sizeof d);
			if (!tokens_in(w, w->sent[j].t0, w->sent[j].n, p->sf_start, p->sf_end, &d.sf_a,
				       &d.sf_b) ||
			    !tokens_in(w, w->sent[j].t0, w->sent[j].n, p->lf_start, p->lf_end, &d.lf_a,
				       &d.lf_b))
				continue;
			for (size_t q = 0; q < n_d && !d.again; q++) {
				d.again = !w->defn[q].again &&
					  w->defn[q].sf_b - w->defn[q].sf_a == d.sf_b - d.sf_a &&
					  short_form_at(w, text, &w->defn[q], d.sf_a, d.sf_b);
				d.first = q;
			}
			if (n_d == w->cap_defn) {
				w->cap_defn = w->cap_defn ? 2 * w->cap_defn : 8;
				w->defn = xrealloc(w->defn, w->cap_defn * sizeof(*w->defn));
			}
			w->defn[n_d++] = d;
		}
	}
	return n_d;
}

/* ---------------------------------------------------------------- matching */

/* A match of tokens [a, b) of sentence j. @return b, where matching goes on. */
static uint32_t add_match(struct rec_scratch *w, uint32_t a, uint32_t b, uint32_t j,
			  uint32_t entry, uint64_t alive, int32_t defn, int expanded)
{
	XGROW(w->m, w->cap_m, w->n_m + 1);
	struct rec_match *m = &w->m[w->n_m++];
	memset(m, 0, sizeof(*m));
	m->a = a;
	m->b = b;
	m->sent = j;
	m->entry = alive ? entry : DICT_NONE;
	m->alive = alive;
	m->defn = defn;
	m->mod_a = a;
	m->expanded = (uint8_t)expanded;
	return b;
}

/* The longest term made of definition df's long form followed by the
 * document's tokens from t on (before end). @return how many of those
 * tokens it takes (0: none), with its entry and the candidates that fit. */
static uint32_t expand_short_form(const struct recognizer *r, const char *text,
				  const struct rec_scratch *w, const struct rec_defn *df,
				  uint32_t t, uint32_t end, uint32_t *entry, uint64_t *alive)
{
	enum { MAX = 32 };
	uint32_t ids[MAX], lens[MAX_PREFIXES], pays[MAX_PREFIXES];
	uint8_t join[MAX];
	struct token tok[MAX];
	uint32_t lf_n = df->lf_b - df->lf_a, n = 0;
	if (lf_n >= MAX / 2)
		return 0;
	for (uint32_t k = df->lf_a; k < df->lf_b; k++, n++) {
		ids[n] = w->did[k];
		join[n] = w->join[k];
		tok[n] = w->tok[k];
	}
	for (uint32_t k = t; k < end && n < MAX; k++, n++) {
		ids[n] = w->did[k];
		join[n] = k == t || w->join[k]; /* the caller checked the first gap */
		tok[n] = w->tok[k];
	}
	size_t q = dict_prefixes(r->dict, ids, join, n, lens, pays, MAX_PREFIXES);
	while (q-- > 0) {
		if (lens[q] <= lf_n)
			break;
		uint64_t a = alive_mask(r->dict, pays[q], text, tok, lens[q]);
		if (a) {
			*entry = pays[q];
			*alive = a;
			return lens[q] - lf_n;
		}
	}
	return 0;
}

/* Is token t just after a ')' (blanks or a hyphen around it)? */
static int closes_parenthesis(const char *text, const struct rec_scratch *w, uint32_t t)
{
	uint32_t a = w->tok[t - 1].end, b = w->tok[t].start;
	int close = 0;
	for (uint32_t k = a; k < b; k++) {
		char c = text[k];
		if (c == ')' && !close)
			close = 1;
		else if (c != ' ' && c != '-')
			return 0;
	}
	return close;
}

static void match_sentence(const struct recognizer *r, const char *text, struct rec_scratch *w,
			   uint32_t j, size_t n_d)
{
	const struct dict *d = r->dict;
	uint32_t t0 = w->sent[j].t0, end = t0 + w->sent[j].n;
	for (uint32_t i = t0; i < end;) {
		uint32_t lens[MAX_PREFIXES], pays[MAX_PREFIXES];
		size_t k = dict_prefixes(d, w->did + i, w->join + i, end - i, lens, pays, MAX_PREFIXES);
		uint32_t len = 0, entry = DICT_NONE;
		uint64_t alive = 0;
		for (size_t q = k; q-- > 0;) {
			alive = alive_mask(d, pays[q], text, w->tok + i, lens[q]);
			if (alive) {
				len = lens[q];
				entry = pays[q];
				break;
			}
		}
		/* a short form the document defines, unless the dictionary has
		 * a longer term here */
		int32_t defn = -1;
		uint32_t sf_len = 0;
		for (size_t q = 0; q < n_d; q++) {
			const struct rec_defn *df = &w->defn[q];
			uint32_t l = df->sf_b - df->sf_a;
			if (!df->again && l > sf_len && l >= len && short_form_at(w, text, df, i, end)) {
				defn = (int32_t)q;
				sf_len = l;
			}
		}
		/* a long form whose definition parenthesis interrupts a term:
		 * "von Hippel-Lindau (VHL) disease" is the term "von
		 * Hippel-Lindau disease" */
		uint32_t y_end = 0, y_entry = DICT_NONE;
		uint64_t y_alive = 0;
		for (size_t q = 0; q < n_d; q++) {
			const struct rec_defn *df = &w->defn[q];
			if (df->lf_a != i || df->sf_b >= end || !closes_parenthesis(text, w, df->sf_b))
				continue;
			uint32_t e2 = DICT_NONE;
			uint64_t a2 = 0;
			uint32_t x = expand_short_form(r, text, w, df, df->sf_b, end, &e2, &a2);
			if (x && df->sf_b + x > y_end) {
				y_end = df->sf_b + x;
				y_entry = e2;
				y_alive = a2;
			}
		}
		if (y_end && y_end - i > len) {
			i = add_match(w, i, y_end, j, y_entry, y_alive, -1, 0);
			continue;
		}
		/* a defined short form followed by words is read with its long
		 * form in its place: "G6PD deficiency" as "glucose-6-phosphate
		 * dehydrogenase deficiency" */
		uint32_t x_len = 0, x_entry = DICT_NONE;
		uint64_t x_alive = 0;
		if (defn >= 0 && i + sf_len < end && w->join[i + sf_len])
			x_len = expand_short_form(r, text, w, &w->defn[defn], i + sf_len, end, &x_entry,
						  &x_alive);
		if (x_len && sf_len + x_len > len) {
			i = add_match(w, i, i + sf_len + x_len, j, x_entry, x_alive, -1, 1);
			continue;
		}
		if (defn >= 0) {
			if (sf_len != len) { /* the dictionary's entry of the same span, if any */
				entry = DICT_NONE;
				alive = 0;
				for (size_t q = 0; q < k; q++)
					if (lens[q] == sf_len) {
						entry = pays[q];
						alive = alive_mask(d, entry, text, w->tok + i, sf_len);
					}
			}
			len = sf_len;
		}
		if (!len) {
			i++;
			continue;
		}
		i = add_match(w, i, i + len, j, entry, alive, defn, 0);
	}
}

/* ---------------------------------------------------------------- ambiguity */

static size_t seen_slot(const uint32_t *set, size_t mask, uint32_t concept)
{
	size_t h = (size_t)(concept * 2654435761u) & mask;
	while (set[h] && set[h] != concept + 1)
		h = (h + 1) & mask;
	return h;
}

/* The concepts the document names unambiguously. @return the set's mask
 * (capacity - 1). */
static size_t collect_seen(struct rec_scratch *w)
{
	size_t cap = 16;
	while (cap < 2 * w->n_m)
		cap *= 2;
	if (cap > w->cap_seen) {
		w->cap_seen = cap;
		w->seen = xrealloc(w->seen, cap * sizeof(*w->seen));
	}
	memset(w->seen, 0, cap * sizeof(*w->seen));
	for (size_t i = 0; i < w->n_m; i++) {
		const struct rec_match *m = &w->m[i];
		if (m->defn < 0 && popcount64(m->alive) == 1)
			w->seen[seen_slot(w->seen, cap - 1, m->concept)] = m->concept + 1;
	}
	return cap - 1;
}

/* Decide an ambiguous match (its candidates alive in m->alive). */
static void decide(const struct dict *d, struct rec_match *m, const uint32_t *seen, size_t mask)
{
	const struct dict_cand *c = d->cands + d->cand_first[m->entry];
	uint64_t alive = m->alive, in_doc = 0, typed = 0;
	for (uint64_t v = alive; v; v &= v - 1) {
		int k = __builtin_ctzll(v);
		if (seen[seen_slot(seen, mask, c[k].concept)])
			in_doc |= (uint64_t)1 << k;
	}
	/* each step narrows the candidates; the one that leaves one decides */
	m->decided = DECIDED_RULE;
	if (in_doc) {
		alive = in_doc;
		if (popcount64(in_doc) == 1)
			m->decided = DECIDED_DOCUMENT;
	}
	if (m->decided == DECIDED_RULE) {
		for (uint64_t v = alive; v; v &= v - 1) {
			int k = __builtin_ctzll(v);
			if (c[k].flags & DICT_C_TYPE)
				typed |= (uint64_t)1 << k;
		}
		if (typed) {
			alive = typed;
			if (popcount64(typed) == 1)
				m->decided = DECIDED_SEMTYPE;
		}
	}
	int k = __builtin_ctzll(alive);
	m->concept = c[k].concept;
	m->term = c[k].term;
	m->flags = c[k].flags;
}

/* ---------------------------------------------------------------- modifiers */

static uint32_t rule_id(const struct recognizer *r, struct rec_scratch *w, uint32_t t)
{
	if (w->rid[t] == RID_UNSET)
		w->rid[t] = dict_token(&r->rules->trie, w->norm + w->noff[t],
				       w->noff[t + 1] - w->noff[t]);
	return w->rid[t];
}

/* The first token of the modifiers before match m (m->a when none). */
static uint32_t modifiers_start(const struct recognizer *r, struct rec_scratch *w,
				const struct rec_match *m)
{
	uint32_t t0 = w->sent[m->sent].t0, j = m->a;
	/* most words are in no phrase of the lists: the one before decides */
	if (j == t0 || w->used[j - 1] || !w->join[j])
		return j;
	uint32_t last = rule_id(r, w, j - 1);
	if (last == DICT_NONE || !r->rules->ends_modifier[last])
		return j;
	for (;;) {
		int found = 0;
		for (uint32_t len = MAX_MODIFIER; len >= 1 && !found; len--) {
			if (j < t0 + len)
				continue;
			uint32_t st = j - len, ids[MAX_MODIFIER];
			int ok = w->join[j];
			for (uint32_t x = st; x < j && ok; x++) {
				ok = !w->used[x] && (x == st || w->join[x]);
				ids[x - st] = rule_id(r, w, x);
			}
			uint32_t cls;
			if (ok && dict_longest(&r->rules->trie, ids, w->join + st, len, &cls) == len &&
			    (cls & 0xffu) == TERM_MODIFIER) {
				j = st;
				found = 1;
			}
		}
		if (!found)
			return j;
	}
}

/* ---------------------------------------------------------------- document */

/* A short form whose long form names no concept, where a definition of it
 * interrupts a term ("von Hippel-Lindau (VHL) disease"): when the
 * dictionary has the short form for that term's concept too ("VHL"), that is
 * its concept. @return 1 with definition q's concept set. */
static int site_concept(const struct dict *d, struct rec_scratch *w, size_t q, size_t n_d,
			const struct rec_match *sf)
{
	if (sf->entry == DICT_NONE)
		return 0;
	const struct dict_cand *c = d->cands + d->cand_first[sf->entry];
	for (size_t k = q; k < n_d; k++) {
		const struct rec_defn *site = &w->defn[k];
		if (k != q && !(site->again && site->first == q))
			continue;
		for (size_t i = 0; i < w->n_m; i++) {
			const struct rec_match *m = &w->m[i];
			if (m->defn >= 0 || m->a != site->lf_a || m->b <= site->sf_b)
				continue;
			for (uint64_t v = sf->alive; v; v &= v - 1) {
				const struct dict_cand *x = &c[__builtin_ctzll(v)];
				if (x->concept == m->concept) {
					struct rec_defn *df = &w->defn[q];
					df->concept = x->concept;
					df->term = x->term;
					df->flags = x->flags;
					df->has_concept = 1;
					return 1;
				}
			}
		}
	}
	return 0;
}

static void resolve(const struct recognizer *r, struct rec_scratch *w, size_t n_d)
{
	const struct dict *d = r->dict;
	int ambiguous = 0;
	for (size_t i = 0; i < w->n_m; i++) {
		struct rec_match *m = &w->m[i];
		int n_alive = popcount64(m->alive);
		m->candidates = (uint16_t)(n_alive ? n_alive : 1);
		if (m->defn >= 0 || n_alive != 1) {
			ambiguous |= n_alive > 1 && m->defn < 0;
			continue;
		}
		const struct dict_cand *c = d->cands + d->cand_first[m->entry] + __builtin_ctzll(m->alive);
		m->concept = c->concept;
		m->term = c->term;
		m->flags = c->flags;
	}
	if (ambiguous) {
		size_t mask = collect_seen(w);
		for (size_t i = 0; i < w->n_m; i++)
			if (w->m[i].defn < 0 && w->m[i].candidates > 1)
				decide(d, &w->m[i], w->seen, mask);
	}
	if (!n_d)
		return;
	/* each long form's concept: the match that ends where it ends and
	 * covers it, or starts inside it after modifiers only */
	for (size_t i = 0; i < w->n_m; i++)
		for (uint32_t t = w->m[i].a; t < w->m[i].b; t++)
			w->used[t] = 1;
	for (size_t q = 0; q < n_d; q++) {
		struct rec_defn *df = &w->defn[q];
		for (size_t i = 0; i < w->n_m && !df->has_concept && !df->again; i++) {
			struct rec_match *m = &w->m[i];
			if (m->defn >= 0 || m->b != df->lf_b)
				continue;
			if (m->a > df->lf_a && modifiers_start(r, w, m) > df->lf_a)
				continue;
			df->concept = m->concept;
			df->term = m->term;
			df->flags = m->flags;
			df->has_concept = 1;
		}
	}
	for (size_t i = 0; i < w->n_m; i++) {
		struct rec_match *m = &w->m[i];
		if (m->defn < 0)
			continue;
		const struct rec_defn *df = &w->defn[m->defn];
		if (!df->has_concept && !site_concept(d, w, (size_t)m->defn, n_d, m)) {
			m->drop = 1; /* the document means something the knowledge base lacks */
			continue;
		}
		/* the dictionary's other concepts for the same string */
		int others = 0;
		if (m->entry != DICT_NONE) {
			const struct dict_cand *c = d->cands + d->cand_first[m->entry];
			for (uint64_t v = m->alive; v; v &= v - 1)
				others += c[__builtin_ctzll(v)].concept != df->concept;
		}
		m->candidates = (uint16_t)(1 + others);
		m->decided = others ? DECIDED_ABBREVIATION : DECIDED_NONE;
		m->concept = df->concept;
		m->term = df->term;
		m->flags = df->flags;
	}
}

/* The dictionary match of sentence j (matches [i, e)) at tokens [a, b) of
 * the document, or NULL. */
static const struct rec_match *match_at(const struct rec_scratch *w, size_t i, size_t e,
					uint32_t a, uint32_t b)
{
	for (size_t k = i; k < e; k++)
		if (!w->m[k].drop && w->m[k].a == a && w->m[k].b == b)
			return &w->m[k];
	return NULL;
}

/* The context of sentence j's matches w->m[i..e) (and its predicative
 * findings), appended to *out as mentions. */
static void context_of_sentence(const struct recognizer *r, const char *text,
				const struct rec_sentence *s, uint32_t j, struct rec_scratch *w,
				size_t i, size_t e, struct rec_mention **out, size_t *n_out,
				size_t *cap_out)
{
	(void)text;
	uint32_t t0 = w->sent[j].t0, n = w->sent[j].n;
	size_t n_cm = 0;
	if (e - i + 1 > w->cap_cm) {
		w->cap_cm = (e - i + 1) * 2;
		w->cm = xrealloc(w->cm, w->cap_cm * sizeof(*w->cm));
		w->cm_concept = xrealloc(w->cm_concept, w->cap_cm * sizeof(*w->cm_concept));
	}
	for (size_t k = i; k < e; k++) {
		if (w->m[k].drop)
			continue;
		memset(&w->cm[n_cm], 0, sizeof(w->cm[n_cm]));
		w->cm[n_cm].a = w->m[k].a - t0;
		w->cm[n_cm].b = w->m[k].b - t0;
		w->cm_concept[n_cm] = w->m[k].concept;
		n_cm++;
	}
	if (!n_cm && !r->lex->n_resolved)
		return;
	for (uint32_t t = t0; t < t0 + n; t++)
		w->lid[t] = dict_token(&r->lex->trie, w->norm + w->noff[t],
				       w->noff[t + 1] - w->noff[t]);
	n_cm = context_sentence(r->lex, w->lid + t0, w->gap + t0, n, &w->cm, &w->cm_concept, n_cm,
				&w->cap_cm, &w->cs);
	for (size_t q = 0; q < n_cm; q++) {
		const struct ctx_mention *cm = &w->cm[q];
		if (cm->drop)
			continue;
		const struct rec_match *m = cm->pred ? NULL : match_at(w, i, e, cm->a + t0, cm->b + t0);
		XGROW(*out, *cap_out, *n_out + 1);
		struct rec_mention *x = &(*out)[(*n_out)++];
		memset(x, 0, sizeof(*x));
		x->bstart = w->tok[cm->a + t0].start;
		x->bend = w->tok[cm->b + t0 - 1].end;
		x->mod_bstart = x->mod_bend = x->bstart;
		x->concept = w->cm_concept[q];
		x->sentence = s[j].sentence;
		x->section = s[j].section;
		x->candidates = 1;
		x->polarity = cm->polarity;
		x->historical = cm->historical;
		x->hedge = cm->hedge;
		x->hypothetical = cm->hypothetical;
		x->predicate = m == NULL;
		if (!m)
			continue;
		x->mod_bstart = m->mod_a < m->a ? w->tok[m->mod_a].start : x->bstart;
		x->mod_bend = m->mod_a < m->a ? w->tok[m->a - 1].end : x->bstart;
		x->term = m->term;
		x->flags = m->flags;
		x->candidates = m->candidates;
		x->decided = m->decided;
		x->abbreviation = m->defn >= 0 || m->expanded;
	}
}

void recognize_document(const struct recognizer *r, const char *text, const struct rec_sentence *s,
			size_t n_s, struct rec_scratch *w, struct rec_mention **out, size_t *n_out,
			size_t *cap_out)
{
	size_t n_tok = tokenize(text, s, n_s, w, r->dict);
	if (!n_tok)
		return;
	size_t n_d = find_definitions(text, s, n_s, w);
	w->n_m = 0;
	for (uint32_t j = 0; j < n_s; j++)
		match_sentence(r, text, w, j, n_d);
	if (!w->n_m && !r->lex->n_resolved) /* predicative findings need no match */
		return;
	resolve(r, w, n_d);
	/* tokens of the mentions kept; modifiers before each */
	for (size_t i = 0; i < w->n_m; i++)
		for (uint32_t t = w->m[i].a; t < w->m[i].b; t++)
			w->used[t] = !w->m[i].drop;
	for (size_t i = 0; i < w->n_m; i++)
		if (!w->m[i].drop)
			w->m[i].mod_a = modifiers_start(r, w, &w->m[i]);
	/* context, sentence by sentence (matches are in sentence order); every
	 * sentence when predicative findings may be in it */
	const int preds = r->lex->n_resolved > 0;
	size_t i = 0;
	for (uint32_t j = 0; j < n_s; j++) {
		size_t e = i;
		while (e < w->n_m && w->m[e].sent == j)
			e++;
		if (e > i || preds)
			context_of_sentence(r, text, s, j, w, i, e, out, n_out, cap_out);
		i = e;
	}
}

