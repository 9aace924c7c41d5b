#include "linker.h"
#include "../common/normalize.h"
#include "../common/util.h"

#include <stdlib.h>
#include <string.h>

/* A token of the sentence. */
struct tok {
	uint32_t start, end;      /* bytes in the text */
	uint32_t norm, norm_len;  /* normalized form: s->norm + norm */
	int clause;
	uint8_t gap_break;        /* ',', ';', ':' or a bracket before it */
	uint8_t gap_comma_only;   /* only blanks and commas before it */
	uint8_t brk;              /* 0, or anatomy_lexicon_break(): 1 break, 2 coordinating */
	uint8_t coord_start;      /* first token of a clause that a coordination opened */
	uint8_t is_the;           /* "the": may sit inside a coordination */
	uint8_t is_of;            /* "of": "base of the right lung" */
	uint8_t in_span;          /* strictly inside a mention or phrase: no break */
};

enum item_kind { ITEM_ANATOMY, ITEM_SIDE };

struct item {
	enum item_kind kind;
	int t0, t1;               /* tokens [t0, t1) */
	regmask mask;             /* ITEM_ANATOMY */
	enum side side;           /* ITEM_SIDE: its side; ITEM_ANATOMY: bound side */
	int clause;
	int merged;               /* ITEM_SIDE: passed on to the next laterality word;
				     ITEM_ANATOMY: part of the anatomy before it ("of") */
};

const char *link_method_name(enum link_method m)
{
	static const char *const names[N_METHODS] = { "", "sentence", "kb", "lexicon", "default" };
	return names[m];
}

void link_scratch_release(struct link_scratch *s)
{
	free(s->tok);
	free(s->item);
	free(s->norm);
	memset(s, 0, sizeof(*s));
}

/* Body parts for the coordination rule (3 in linker.h): lungs and pleura
 * (regions 0-15), heart, mediastinum and airway, bones, abdomen. */
static const regmask part_mask[] = {
	0x0000ffffu,
	(1u << 16) | (1u << 20) | (1u << 21) | (1u << 22) | (1u << 23) | (1u << 24) |
		(1u << 25) | (1u << 26) | (1u << 27),
	(1u << 17) | (1u << 18) | (1u << 19),
	1u << 28,
};

static unsigned parts(regmask m)
{
	unsigned p = 0;
	for (unsigned i = 0; i < ARRAY_SIZE(part_mask); i++)
		if (m & part_mask[i])
			p |= 1u << i;
	return p;
}

/* Tokens between two spans: 0 if they overlap, 1 if adjacent. */
static int distance(int a0, int a1, int b0, int b1)
{
	if (a0 < b1 && b0 < a1)
		return 0;
	if (a1 == a0 || b1 == b0) /* an empty span (a mention without tokens) */
		return a1 <= b0 ? b0 - a0 + 1 : a0 - b1 + 1;
	return a1 <= b0 ? b0 - a1 + 1 : a0 - b1 + 1;
}

static const char *norm_of(const struct link_scratch *s, const struct tok *t)
{
	return s->norm + t->norm;
}

/* Tokenize text[start..end) into s->tok. @return the number of tokens. */
static size_t tokenize(const char *text, size_t start, size_t end, struct link_scratch *s)
{
	size_t n = 0, nn = 0, pos = start;
	uint32_t prev_end = (uint32_t)start;
	struct token t;
	while (token_next(text, end, &pos, &t)) {
		XGROW(s->tok, s->cap_tok, n + 1);
		size_t need = nn + (t.end - t.start) + 9;
		if (need > s->cap_norm) {
			s->cap_norm = need * 2 + 256;
			s->norm = xrealloc(s->norm, s->cap_norm);
		}
		struct tok *k = &s->tok[n];
		memset(k, 0, sizeof(*k));
		k->start = t.start;
		k->end = t.end;
		k->norm = (uint32_t)nn;
		k->norm_len = (uint32_t)token_normalize(text + t.start, t.end - t.start, s->norm + nn);
		nn += k->norm_len + 1;
		k->gap_comma_only = 1;
		for (uint32_t i = prev_end; i < t.start; i++) {
			char c = text[i];
			if (c == ',' || c == ';' || c == ':' || c == '(' || c == ')' || c == '[' ||
			    c == ']' || c == '.')
				k->gap_break = 1;
			if (c != ',' && c != ' ' && c != '\t' && c != '\n' && c != '\r')
				k->gap_comma_only = 0;
		}
		k->is_the = k->norm_len == 3 && !memcmp(s->norm + k->norm, "the", 3);
		k->is_of = k->norm_len == 2 && !memcmp(s->norm + k->norm, "of", 2);
		prev_end = t.end;
		n++;
	}
	return n;
}

static void add_item(struct link_scratch *s, size_t *n, enum item_kind kind, int t0, int t1,
		     regmask mask, enum side side)
{
	XGROW(s->item, s->cap_item, *n + 1);
	struct item *it = &s->item[(*n)++];
	memset(it, 0, sizeof(*it));
	it->kind = kind;
	it->t0 = t0;
	it->t1 = t1;
	it->mask = mask;
	it->side = side;
}

/* Longest anatomy phrase at each token; laterality words elsewhere. */
static size_t match_items(const struct anatomy_lexicon *lx, struct link_scratch *s, size_t n_tok)
{
	size_t n = 0;
	char key[512];
	for (size_t i = 0; i < n_tok;) {
		size_t best = 0;
		regmask m = 0;
		for (size_t len = (size_t)lx->max_words; len >= 1; len--) {
			if (i + len > n_tok)
				continue;
			size_t k = 0;
			int fits = 1;
			for (size_t j = i; j < i + len && fits; j++) {
				const struct tok *t = &s->tok[j];
				if (k + t->norm_len + 1 >= sizeof key) {
					fits = 0;
					break;
				}
				if (j > i)
					key[k++] = ' ';
				memcpy(key + k, norm_of(s, t), t->norm_len);
				k += t->norm_len;
			}
			if (fits && k && anatomy_lexicon_phrase(lx, key, k, &m)) {
				best = len;
				break;
			}
		}
		if (best) {
			add_item(s, &n, ITEM_ANATOMY, (int)i, (int)(i + best), m, SIDE_NONE);
			i += best;
			continue;
		}
		enum side sd;
		const struct tok *t = &s->tok[i];
		if (t->norm_len && anatomy_lexicon_side(lx, norm_of(s, t), t->norm_len, &sd))
			add_item(s, &n, ITEM_SIDE, (int)i, (int)i + 1, 0, sd);
		i++;
	}
	return n;
}

static int cmp_item(const void *a, const void *b)
{
	const struct item *x = a, *y = b;
	return x->t0 != y->t0 ? (x->t0 < y->t0 ? -1 : 1) : (x->t1 < y->t1 ? -1 : x->t1 > y->t1);
}

static void mark_span(struct link_scratch *s, int t0, int t1)
{
	for (int i = t0 + 1; i < t1; i++)
		s->tok[i].in_span = 1;
}

/* Clause numbers: a new clause at a break gap or a break word, except inside
 * a mention or a phrase. */
static void assign_clauses(const struct anatomy_lexicon *lx, struct link_scratch *s, size_t n_tok)
{
	int clause = 0;
	for (size_t i = 0; i < n_tok; i++) {
		struct tok *t = &s->tok[i];
		if (t->norm_len)
			t->brk = (uint8_t)anatomy_lexicon_break(lx, norm_of(s, t), t->norm_len);
		if (t->in_span) {
			t->brk = 0;
		} else if (i > 0 && (t->gap_break || t->brk)) {
			clause++;
			/* ',' alone, "and", "or", ", and": a coordination */
			t->coord_start = (t->gap_break ? t->gap_comma_only : 1) && t->brk != 1;
		}
		t->clause = clause;
	}
}

static int side_at(const struct item *items, size_t n_items, int i)
{
	for (size_t k = 0; k < n_items; k++)
		if (items[k].kind == ITEM_SIDE && items[k].t0 == i)
			return 1;
	return 0;
}

/* The tokens [a, b) between two spans hold only coordination: "and", "or",
 * "the" and laterality words, separated by blanks and commas. */
static int coordinated(const struct link_scratch *s, const struct item *items, size_t n_items,
		       int a, int b)
{
	for (int i = a; i <= b; i++) {
		if (!s->tok[i].gap_comma_only)
			return 0;
		if (i == b)
			break;
		const struct tok *t = &s->tok[i];
		if (t->brk != 2 && !t->is_the && !side_at(items, n_items, i))
			return 0;
	}
	return 1;
}

static regmask item_regions(const struct item *it)
{
	return atlas_apply_side(it->mask, it->side);
}

/* The nearest anatomy item in a clause to tokens [t0, t1); ties go to the
 * earlier one. @return its index or -1. */
static int nearest_anatomy(const struct item *items, size_t n_items, int clause, int t0, int t1)
{
	int best = -1, best_d = 0;
	for (size_t k = 0; k < n_items; k++) {
		const struct item *it = &items[k];
		if (it->kind != ITEM_ANATOMY || it->clause != clause || it->merged)
			continue;
		int d = distance(t0, t1, it->t0, it->t1);
		if (best < 0 || d < best_d) {
			best = (int)k;
			best_d = d;
		}
	}
	return best;
}

/* The anatomy item names where another finding is: a finding other than f
 * is in its clause ("lingular scarring", "atelectasis in the right base"). */
static int owned_by_other(const struct link_scratch *s, const struct item *it,
			  const struct link_mention *m, size_t n, const int *mt0, const int *mt1,
			  size_t f)
{
	for (size_t j = 0; j < n; j++) {
		if (j == f || m[j].kind != KIND_FINDING || mt0[j] >= mt1[j])
			continue;
		if (s->tok[mt0[j]].clause == it->clause)
			return 1;
	}
	return 0;
}

/* The regions of anatomy item k and of the anatomy coordinated with it
 * ("the lingula and left lower lobe"), for finding f, stopping at anatomy
 * that belongs to another finding ("right base and lingular scarring"). */
static regmask with_coordinated(const struct link_scratch *s, const struct item *items,
				size_t n_items, int k, const struct link_mention *m, size_t n,
				const int *mt0, const int *mt1, size_t f)
{
	regmask r = item_regions(&items[k]);
	int last = k;
	for (int j = k - 1; j >= 0; j--) {
		if (items[j].kind != ITEM_ANATOMY || items[j].merged)
			continue;
		if (!coordinated(s, items, n_items, items[j].t1, items[last].t0) ||
		    owned_by_other(s, &items[j], m, n, mt0, mt1, f))
			break;
		r |= item_regions(&items[j]);
		last = j;
	}
	last = k;
	for (size_t j = (size_t)k + 1; j < n_items; j++) {
		if (items[j].kind != ITEM_ANATOMY || items[j].merged)
			continue;
		if (!coordinated(s, items, n_items, items[last].t1, items[j].t0) ||
		    owned_by_other(s, &items[j], m, n, mt0, mt1, f))
			break;
		r |= item_regions(&items[j]);
		last = (int)j;
	}
	return r;
}

/* Bind laterality words: to the nearest anatomy with two sides in their
 * clause, else to the nearest finding in it. "right and left X": the first
 * word is passed on to the second. */
static void bind_sides(struct link_scratch *s, struct item *items, size_t n_items,
		       struct link_mention *m, size_t n, const int *mt0, const int *mt1)
{
	for (size_t k = 0; k + 1 < n_items; k++) {
		struct item *a = &items[k], *b = &items[k + 1];
		if (a->kind == ITEM_SIDE && b->kind == ITEM_SIDE &&
		    coordinated(s, items, n_items, a->t1, b->t0) && b->t0 > a->t1) {
			b->side |= a->side;
			a->merged = 1;
		}
	}
	for (size_t k = 0; k < n_items; k++) {
		struct item *w = &items[k];
		if (w->kind != ITEM_SIDE || w->merged)
			continue;
		int best = -1, best_d = 0;
		for (size_t j = 0; j < n_items; j++) {
			struct item *it = &items[j];
			if (it->kind != ITEM_ANATOMY || it->clause != w->clause ||
			    !atlas_sideable(it->mask))
				continue;
			int d = distance(w->t0, w->t1, it->t0, it->t1);
			/* ties go to the anatomy after the word: "left base" */
			if (best < 0 || d < best_d || (d == best_d && it->t0 >= w->t1)) {
				best = (int)j;
				best_d = d;
			}
		}
		if (best >= 0) {
			items[best].side |= w->side;
			continue;
		}
		for (size_t j = 0; j < n; j++) {
			if (m[j].kind != KIND_FINDING || mt0[j] >= mt1[j] ||
			    s->tok[mt0[j]].clause != w->clause)
				continue;
			int d = distance(w->t0, w->t1, mt0[j], mt1[j]);
			if (best < 0 || d < best_d || (d == best_d && mt0[j] >= w->t1)) {
				best = (int)j;
				best_d = d;
			}
		}
		if (best >= 0)
			m[best].side |= w->side;
	}
}

/* "A of (the) B": B only says where A is, and gives A its side ("base of
 * the right lung"). B is dropped. */
static void merge_of(const struct link_scratch *s, struct item *items, size_t n_items)
{
	for (size_t k = 0; k + 1 < n_items; k++) {
		struct item *a = &items[k];
		if (a->kind != ITEM_ANATOMY || a->merged)
			continue;
		size_t j = k + 1;
		while (j < n_items && items[j].kind != ITEM_ANATOMY)
			j++;
		if (j == n_items)
			break;
		struct item *b = &items[j];
		int t = a->t1;
		if (t >= b->t0 || !s->tok[t].is_of)
			continue;
		t++;
		if (t < b->t0 && s->tok[t].is_the)
			t++;
		while (t < b->t0 && side_at(items, n_items, t))
			t++;
		if (t != b->t0)
			continue;
		a->side |= b->side;
		b->merged = 1;
	}
}

/* Rule 3: anatomy of a clause coordinated with clause c, looking one way
 * (dir +1 or -1). @return the item index or -1. */
static int coordinated_clause_anatomy(const struct link_scratch *s, size_t n_tok,
				      const struct item *items, size_t n_items, int c, int dir,
				      int f0, int f1)
{
	int cur = c;
	for (;;) {
		int next = cur + dir;
		/* the boundary between cur and next opens clause max(cur, next) */
		int opener = dir > 0 ? next : cur;
		int found = 0;
		for (size_t i = 0; i < n_tok; i++) {
			if (s->tok[i].clause == opener) {
				if (!s->tok[i].coord_start)
					return -1;
				found = 1;
				break;
			}
		}
		if (!found)
			return -1;
		int k = nearest_anatomy(items, n_items, next, f0, f1);
		if (k >= 0)
			return k;
		cur = next;
	}
}

void link_sentence(const struct anatomy_lexicon *lx, const char *text, size_t start, size_t end,
		   struct link_mention *m, size_t n, struct link_scratch *s)
{
	size_t n_tok = tokenize(text, start, end, s);
	int stack_t0[64], stack_t1[64];
	int *mt0 = n <= 64 ? stack_t0 : xmalloc(n * sizeof(int));
	int *mt1 = n <= 64 ? stack_t1 : xmalloc(n * sizeof(int));

	/* mentions -> token ranges */
	for (size_t j = 0; j < n; j++) {
		size_t a = 0;
		while (a < n_tok && s->tok[a].end <= m[j].start)
			a++;
		size_t b = a;
		while (b < n_tok && s->tok[b].start < m[j].end)
			b++;
		mt0[j] = (int)a;
		mt1[j] = (int)b;
		m[j].regions = 0;
		m[j].method = METHOD_NONE;
		m[j].side = SIDE_NONE;
		if (m[j].kind != KIND_OTHER)
			mark_span(s, mt0[j], mt1[j]);
	}

	size_t n_items = match_items(lx, s, n_tok);
	for (size_t j = 0; j < n; j++) {
		if (m[j].kind != KIND_ANATOMY || !m[j].anatomy || mt0[j] >= mt1[j])
			continue;
		int covered = 0;
		for (size_t k = 0; k < n_items; k++)
			if (s->item[k].kind == ITEM_ANATOMY && s->item[k].t0 < mt1[j] &&
			    mt0[j] < s->item[k].t1)
				covered = 1;
		if (!covered)
			add_item(s, &n_items, ITEM_ANATOMY, mt0[j], mt1[j], m[j].anatomy, SIDE_NONE);
	}
	if (n_items > 1)
		qsort(s->item, n_items, sizeof *s->item, cmp_item);
	for (size_t k = 0; k < n_items; k++)
		if (s->item[k].kind == ITEM_ANATOMY)
			mark_span(s, s->item[k].t0, s->item[k].t1);
	assign_clauses(lx, s, n_tok);
	for (size_t k = 0; k < n_items; k++)
		s->item[k].clause = s->tok[s->item[k].t0].clause;

	bind_sides(s, s->item, n_items, m, n, mt0, mt1);
	merge_of(s, s->item, n_items);

	for (size_t j = 0; j < n; j++) {
		struct link_mention *f = &m[j];
		if (f->kind != KIND_FINDING)
			continue;
		int clause = mt0[j] < (int)n_tok ? s->tok[mt0[j]].clause : -1;
		int k = clause >= 0 ? nearest_anatomy(s->item, n_items, clause, mt0[j], mt1[j]) : -1;
		if (k >= 0) {
			f->regions = with_coordinated(s, s->item, n_items, k, m, n, mt0, mt1, j);
			f->method = METHOD_SENTENCE;
			continue;
		}
		if (f->site && f->side) {
			f->regions = atlas_apply_side(f->site, f->side);
			f->method = f->site_method;
			continue;
		}
		if (clause >= 0) {
			k = coordinated_clause_anatomy(s, n_tok, s->item, n_items, clause, +1,
						       mt0[j], mt1[j]);
			if (k < 0)
				k = coordinated_clause_anatomy(s, n_tok, s->item, n_items, clause,
							       -1, mt0[j], mt1[j]);
			if (k >= 0 && (!f->site || (parts(f->site) & parts(s->item[k].mask)))) {
				f->regions = with_coordinated(s, s->item, n_items, k, m, n, mt0, mt1,
							      j);
				f->method = METHOD_SENTENCE;
				continue;
			}
		}
		if (f->site) {
			f->regions = atlas_apply_side(f->site, f->side);
			f->method = f->site_method;
			continue;
		}
		f->regions = ATLAS_BIT(ATLAS_WHOLE);
		f->method = METHOD_DEFAULT;
	}
	if (mt0 != stack_t0) {
		free(mt0);
		free(mt1);
	}
}

regmask link_text_anatomy(const struct anatomy_lexicon *lx, const char *text, size_t n,
			  struct link_scratch *s)
{
	size_t n_tok = tokenize(text, 0, n, s);
	size_t n_items = match_items(lx, s, n_tok);
	for (size_t k = 0; k < n_items; k++)
		if (s->item[k].kind == ITEM_ANATOMY)
			mark_span(s, s->item[k].t0, s->item[k].t1);
	assign_clauses(lx, s, n_tok);
	for (size_t k = 0; k < n_items; k++)
		s->item[k].clause = s->tok[s->item[k].t0].clause;
	bind_sides(s, s->item, n_items, NULL, 0, NULL, NULL);
	merge_of(s, s->item, n_items);
	regmask m = 0;
	for (size_t k = 0; k < n_items; k++)
		if (s->item[k].kind == ITEM_ANATOMY && !s->item[k].merged)
			m |= item_regions(&s->item[k]);
	return m;
}
