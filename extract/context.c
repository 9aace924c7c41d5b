#include "context.h"
#include "sentences.h"
#include "../common/buf.h"
#include "../common/embedded.h"
#include "../common/normalize.h"
#include "../common/strmap.h"
#include "../common/util.h"
#include "../common/strlist.h"
#include "../common/zio.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#define LEXICON_FILE "data/context_lexicon.tsv"

static const char *const class_names[CTX_N_CLASSES] = {
	NULL, "negated-pre", "negated-post", "negated-both", "uncertain-pre", "uncertain-post",
	"uncertain-both", "historical-pre", "historical-post", "pseudo", "terminate", "clause-start",
};

const char *polarity_name(int p)
{
	switch (p) {
	case POL_NEGATED: return "negated";
	case POL_UNCERTAIN: return "uncertain";
	default: return "affirmed";
	}
}

static int parse(struct lexicon *lx, const char *name, const char *text, size_t len)
{
	struct dict_builder b;
	struct strmap seen;
	struct buf norm = BUF_INIT;
	dict_builder_init(&b);
	strmap_init(&seen);
	int rc = -1;
	size_t line = 0;
	const char *p = text, *end = text + len;
	while (p < end) {
		const char *nl = memchr(p, '\n', (size_t)(end - p));
		const char *e = nl ? nl : end;
		line++;
		const char *q = p;
		p = nl ? nl + 1 : end;
		while (e > q && (e[-1] == '\r' || e[-1] == ' '))
			e--;
		if (e == q || *q == '#')
			continue;
		const char *tab = memchr(q, '\t', (size_t)(e - q));
		if (!tab) {
			error("%s:%zu: expected 'phrase<TAB>class'", name, line);
			goto out;
		}
		const char *c = tab + 1;
		while (c < e && *c == '\t')
			c++;
		int cls = 0;
		for (int k = 1; k < CTX_N_CLASSES; k++)
			if (strlen(class_names[k]) == (size_t)(e - c) && !memcmp(class_names[k], c, (size_t)(e - c)))
				cls = k;
		if (!cls) {
			error("%s:%zu: unknown class '%.*s' (negated-pre, negated-post, uncertain-pre, "
			      "uncertain-post, uncertain-both, historical-pre, historical-post, pseudo, "
			      "terminate)",
			      name, line, (int)(e - c), c);
			goto out;
		}
		buf_reset(&norm);
		if (!text_normalize(q, (size_t)(tab - q), &norm)) {
			error("%s:%zu: the phrase has no word", name, line);
			goto out;
		}
		uint32_t first = (uint32_t)line;
		if (!strmap_put(&seen, norm.p, norm.len, &first)) {
			error("%s:%zu: '%.*s' is already a trigger (line %u)", name, line,
			      (int)(tab - q), q, first);
			goto out;
		}
		dict_builder_add(&b, norm.p, norm.len, (uint32_t)cls, (uint32_t)line);
		lx->n_triggers++;
	}
	if (!lx->n_triggers) {
		error("%s: no triggers", name);
		goto out;
	}
	dict_builder_finish(&b, &lx->trie);
	lx->hash = XXH3_64bits(text, len);
	rc = 0;
out:
	dict_builder_release(&b);
	strmap_release(&seen);
	buf_release(&norm);
	return rc;
}

int lexicon_load(struct lexicon *lx, const char *path)
{
	memset(lx, 0, sizeof(*lx));
	if (!path) {
		const struct embedded_file *f = embedded_get(LEXICON_FILE);
		if (!f)
			return error("the built-in context lexicon is missing");
		return parse(lx, LEXICON_FILE, f->data, f->size);
	}
	char *text = NULL;
	size_t len = 0;
	if (zfile_slurp(path, &text, &len, 16u << 20) < 0)
		return -1;
	int rc = parse(lx, path, text, len);
	free(text);
	return rc;
}

void lexicon_release(struct lexicon *lx)
{
	dict_release(&lx->trie);
	memset(lx, 0, sizeof(*lx));
}

void context_scratch_release(struct ctx_scratch *s)
{
	free(s->trig);
	free(s->reach);
	memset(s, 0, sizeof(*s));
}

static int is_pre(int c)
{
	return c == CTX_NEG_PRE || c == CTX_NEG_BOTH || c == CTX_UNC_PRE || c == CTX_UNC_BOTH;
}

static int is_post(int c)
{
	return c == CTX_NEG_POST || c == CTX_NEG_BOTH || c == CTX_UNC_POST || c == CTX_UNC_BOTH;
}

static int is_hist(int c)
{
	return c == CTX_HIST_PRE || c == CTX_HIST_POST;
}

/* Is there a gap of at least g before any token in (a, b]? */
static int gap_between(const uint8_t *gap, size_t a, size_t b, int g)
{
	for (size_t k = a + 1; k <= b; k++)
		if (gap[k] >= g)
			return 1;
	return 0;
}

void context_apply(const struct lexicon *lx, const uint32_t *lex, const uint8_t *gap, size_t n,
		   struct ctx_mention *m, size_t n_m, struct ctx_scratch *s)
{
	/* triggers, longest first, left to right; they continue only across
	 * blanks and hyphens, like terms */
	size_t n_t = 0;
	uint8_t join_small[256], *join = n <= sizeof join_small ? join_small : xmalloc(n);
	for (size_t i = 0; i < n; i++)
		join[i] = gap[i] <= GAP_JOIN;
	for (size_t i = 0; i < n;) {
		uint32_t cls;
		size_t len = dict_longest(&lx->trie, lex + i, join + i, n - i, &cls);
		if (!len) {
			i++;
			continue;
		}
		if (cls == CTX_CLAUSE && (i == 0 || gap[i] != GAP_COMMA)) {
			i += len; /* opens a clause only after a comma */
			continue;
		}
		XGROW(s->trig, s->cap_trig, n_t + 1);
		s->trig[n_t++] = (struct ctx_trigger){ (uint32_t)i, (uint32_t)(i + len), (uint8_t)cls };
		i += len;
	}
	if (join != join_small)
		free(join);
	const struct ctx_trigger *t = s->trig;
	XGROW(s->reach, s->cap_reach, n_t + 1);
	/* negation and uncertainty: the closest trigger before a mention, if a
	 * pre-trigger, reaches it when no ';' lies between and it is at most
	 * CTX_WINDOW tokens past the trigger or past the previous mention the
	 * trigger reached (so lists of any length share it); post-triggers the
	 * same way backwards */
	for (size_t k = 0; k < n_t; k++)
		s->reach[k] = t[k].b;
	for (size_t j = 0; j < n_m; j++) {
		struct ctx_mention *x = &m[j];
		x->polarity = POL_AFFIRMED;
		x->historical = 0;
		x->drop = 0;
		x->neg = x->unc = 0;
		for (size_t k = 0; k < n_t; k++)
			if (t[k].a <= x->a && x->b <= t[k].b)
				x->drop = 1;
		if (x->drop)
			continue;
		for (size_t k = n_t; k-- > 0;) {
			if (t[k].b > x->a || is_hist(t[k].cls))
				continue;
			if (is_pre(t[k].cls) && !gap_between(gap, t[k].b - 1, x->a, GAP_STOP) &&
			    x->a - s->reach[k] <= CTX_WINDOW) {
				x->neg |= t[k].cls == CTX_NEG_PRE || t[k].cls == CTX_NEG_BOTH;
				x->unc |= t[k].cls == CTX_UNC_PRE || t[k].cls == CTX_UNC_BOTH;
				s->reach[k] = x->b;
			}
			break;
		}
	}
	for (size_t k = 0; k < n_t; k++)
		s->reach[k] = t[k].a;
	for (size_t j = n_m; j-- > 0;) {
		struct ctx_mention *x = &m[j];
		if (x->drop)
			continue;
		for (size_t k = 0; k < n_t; k++) {
			if (t[k].a < x->b || is_hist(t[k].cls))
				continue;
			if (is_post(t[k].cls) && !gap_between(gap, x->b - 1, t[k].a, GAP_STOP) &&
			    s->reach[k] - x->b <= CTX_WINDOW) {
				x->neg |= t[k].cls == CTX_NEG_POST || t[k].cls == CTX_NEG_BOTH;
				x->unc |= t[k].cls == CTX_UNC_POST || t[k].cls == CTX_UNC_BOTH;
				s->reach[k] = x->a;
			}
			break;
		}
	}
	for (size_t j = 0; j < n_m; j++) {
		struct ctx_mention *x = &m[j];
		if (x->drop)
			continue;
		int neg = x->neg, unc = x->unc;
		x->polarity = neg ? POL_NEGATED : unc ? POL_UNCERTAIN : POL_AFFIRMED;
		/* historical: the nearest historical trigger, up to punctuation or
		 * a terminator */
		for (size_t k = n_t; k-- > 0;) {
			if (t[k].b > x->a)
				continue;
			if (t[k].cls == CTX_TERMINATE || t[k].cls == CTX_CLAUSE ||
			    gap_between(gap, t[k].b - 1, x->a, GAP_COMMA))
				break;
			if (t[k].cls == CTX_HIST_PRE) {
				x->historical = 1;
				break;
			}
		}
		for (size_t k = 0; k < n_t && !x->historical; k++) {
			if (t[k].a < x->b)
				continue;
			if (t[k].cls == CTX_TERMINATE || t[k].cls == CTX_CLAUSE ||
			    gap_between(gap, x->b - 1, t[k].a, GAP_COMMA))
				break;
			if (t[k].cls == CTX_HIST_POST) {
				x->historical = 1;
				break;
			}
		}
	}
}

int context_of_phrase(const struct lexicon *lx, const char *text, size_t n, const char *phrase,
		      size_t pn, int *polarity, int *historical)
{
	struct buf want = BUF_INIT, norm = BUF_INIT;
	size_t n_want = text_normalize(phrase, pn, &want);
	struct span *sent = NULL;
	size_t n_sent = 0, cap_sent = 0;
	sentences_split(text, 0, n, &sent, &n_sent, &cap_sent);
	uint32_t *lex = NULL, *noff = NULL;
	uint8_t *gap = NULL;
	size_t cap = 0;
	struct ctx_scratch cs;
	memset(&cs, 0, sizeof cs);
	int found = 0;
	char small[512];
	for (size_t s = 0; s < n_sent && !found && n_want; s++) {
		size_t k = 0, pos = sent[s].start, prev = sent[s].start;
		struct token t;
		buf_reset(&norm);
		while (token_next(text, sent[s].end, &pos, &t)) {
			size_t len = t.end - t.start;
			if (len + 8 > sizeof small)
				continue;
			size_t m = token_normalize(text + t.start, len, small);
			if (!m)
				continue;
			if (k + 1 >= cap) {
				cap = cap ? cap * 2 : 64;
				lex = xrealloc(lex, cap * sizeof(*lex));
				noff = xrealloc(noff, (cap + 1) * sizeof(*noff));
				gap = xrealloc(gap, cap);
			}
			gap[k] = k ? (uint8_t)gap_classify(text, prev, t.start) : GAP_SPACE;
			lex[k] = dict_token(&lx->trie, small, m);
			noff[k] = (uint32_t)norm.len;
			buf_add(&norm, small, m);
			buf_addc(&norm, ' ');
			prev = t.end;
			k++;
		}
		if (!k)
			continue;
		noff[k] = (uint32_t)norm.len;
		/* the phrase: a run of n_want tokens whose normalized text matches */
		for (size_t a = 0; a + n_want <= k && !found; a++) {
			size_t len = noff[a + n_want] - noff[a] - 1;
			if (len == want.len && !memcmp(norm.p + noff[a], want.p, len)) {
				struct ctx_mention m = { (uint32_t)a, (uint32_t)(a + n_want), 0, 0, 0, 0, 0 };
				context_apply(lx, lex, gap, k, &m, 1, &cs);
				*polarity = m.polarity;
				*historical = m.historical;
				found = 1;
			}
		}
		/* else its longest prefix of at least half its tokens (the text may
		 * differ at the end: "RESECTIONto") */
		for (size_t p = n_want - 1; p >= (n_want + 1) / 2 && p > 0 && !found; p--) {
			size_t plen = 0, words = 0;
			while (plen < want.len && words < p) {
				while (plen < want.len && want.p[plen] != ' ')
					plen++;
				words++;
				if (words < p)
					plen++;
			}
			for (size_t a = 0; a + p <= k && !found; a++) {
				size_t len = noff[a + p] - noff[a] - 1;
				if (len != plen || memcmp(norm.p + noff[a], want.p, len))
					continue;
				struct ctx_mention m = { (uint32_t)a, (uint32_t)(a + p), 0, 0, 0, 0, 0 };
				context_apply(lx, lex, gap, k, &m, 1, &cs);
				*polarity = m.polarity;
				*historical = m.historical;
				found = 1;
			}
		}
	}
	free(sent);
	free(lex);
	free(noff);
	free(gap);
	context_scratch_release(&cs);
	buf_release(&want);
	buf_release(&norm);
	return found;
}

static void score(struct negation_score *s)
{
	double p = s->tp + s->fp ? (double)s->tp / (double)(s->tp + s->fp) : 0;
	double r = s->tp + s->fn ? (double)s->tp / (double)(s->tp + s->fn) : 0;
	s->precision = p;
	s->recall = r;
	s->f1 = p + r > 0 ? 2 * p * r / (p + r) : 0;
	int64_t all = s->tp + s->fp + s->fn + s->tn;
	s->accuracy = all ? (double)(s->tp + s->tn) / (double)all : 0;
}

int negation_evaluate(const struct lexicon *lx, const char *path, struct negation_score half[2],
		      FILE *errors, int errors_half)
{
	memset(half, 0, 2 * sizeof(*half));
	struct lineio li;
	if (lineio_open(&li, path) < 0)
		return -1;
	char *line;
	size_t len, row = 0;
	int got, rc = -1;
	while ((got = lineio_next(&li, &line, &len)) > 0) {
		if (li.lineno == 1)
			continue; /* header */
		char *f[8];
		int nf = split_fields(line, len, '\t', f, 8);
		if (nf < 4) {
			error("%s:%zu: expected at least 4 tab-separated fields, found %d", path,
			      li.lineno, nf);
			goto out;
		}
		int gold = !strcmp(f[3], "Negated");
		if (!gold && strcmp(f[3], "Affirmed") && strcmp(f[3], "Possible")) {
			error("%s:%zu: unknown status '%s'", path, li.lineno, f[3]);
			goto out;
		}
		struct negation_score *h = &half[row++ % 2];
		int pol = POL_AFFIRMED, hist = 0;
		if (!context_of_phrase(lx, f[2], strlen(f[2]), f[1], strlen(f[1]), &pol, &hist))
			h->not_found++;
		int neg = pol == POL_NEGATED;
		h->tp += gold && neg;
		h->fp += !gold && neg;
		h->fn += gold && !neg;
		h->tn += !gold && !neg;
		if (errors && (size_t)errors_half == (row - 1) % 2 && gold != neg)
			fprintf(errors, "%s\t%s\t%s\t%s\t%s\n", gold ? "FN" : "FP", f[0], f[1],
				polarity_name(pol), f[2]);
	}
	if (got < 0)
		goto out;
	score(&half[0]);
	score(&half[1]);
	rc = 0;
out:
	lineio_close(&li);
	return rc;
}
