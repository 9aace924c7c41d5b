#include "context.h"
#include "sentences.h"
#include "../common/buf.h"
#include "../common/embedded.h"
#include "../common/normalize.h"
#include "../common/strmap.h"
#include "../common/util.h"
#include "../common/zio.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#define LEXICON_FILE "data/context_lexicon.tsv"

static const char *const class_names[CTX_N_CLASSES] = {
	NULL, "negated-pre", "negated-post", "uncertain-pre", "uncertain-post",
	"uncertain-both", "historical-pre", "historical-post", "pseudo", "terminate",
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
	memset(s, 0, sizeof(*s));
}

static int is_pre(int c)
{
	return c == CTX_NEG_PRE || c == CTX_UNC_PRE || c == CTX_UNC_BOTH;
}

static int is_post(int c)
{
	return c == CTX_NEG_POST || c == CTX_UNC_POST || c == CTX_UNC_BOTH;
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
		XGROW(s->trig, s->cap_trig, n_t + 1);
		s->trig[n_t++] = (struct ctx_trigger){ (uint32_t)i, (uint32_t)(i + len), (uint8_t)cls };
		i += len;
	}
	if (join != join_small)
		free(join);
	const struct ctx_trigger *t = s->trig;
	for (size_t j = 0; j < n_m; j++) {
		struct ctx_mention *x = &m[j];
		x->polarity = POL_AFFIRMED;
		x->historical = 0;
		x->drop = 0;
		int neg = 0, unc = 0;
		/* the closest trigger before the mention, and the closest after it;
		 * triggers that overlap the mention are not about it */
		for (size_t k = 0; k < n_t; k++)
			if (t[k].a <= x->a && x->b <= t[k].b)
				x->drop = 1;
		if (x->drop)
			continue;
		for (size_t k = n_t; k-- > 0;) {
			if (t[k].b > x->a || is_hist(t[k].cls))
				continue;
			if (is_pre(t[k].cls) && !gap_between(gap, t[k].b - 1, x->a, GAP_STOP)) {
				neg |= t[k].cls == CTX_NEG_PRE;
				unc |= t[k].cls == CTX_UNC_PRE || t[k].cls == CTX_UNC_BOTH;
			}
			break;
		}
		for (size_t k = 0; k < n_t; k++) {
			if (t[k].a < x->b || is_hist(t[k].cls))
				continue;
			if (is_post(t[k].cls) && !gap_between(gap, x->b - 1, t[k].a, GAP_STOP)) {
				neg |= t[k].cls == CTX_NEG_POST;
				unc |= t[k].cls == CTX_UNC_POST || t[k].cls == CTX_UNC_BOTH;
			}
			break;
		}
		x->polarity = neg ? POL_NEGATED : unc ? POL_UNCERTAIN : POL_AFFIRMED;
		/* historical: the nearest historical trigger, up to punctuation or
		 * a terminator */
		for (size_t k = n_t; k-- > 0;) {
			if (t[k].b > x->a)
				continue;
			if (t[k].cls == CTX_TERMINATE || gap_between(gap, t[k].b - 1, x->a, GAP_COMMA))
				break;
			if (t[k].cls == CTX_HIST_PRE) {
				x->historical = 1;
				break;
			}
		}
		for (size_t k = 0; k < n_t && !x->historical; k++) {
			if (t[k].a < x->b)
				continue;
			if (t[k].cls == CTX_TERMINATE || gap_between(gap, x->b - 1, t[k].a, GAP_COMMA))
				break;
			if (t[k].cls == CTX_HIST_POST) {
				x->historical = 1;
				break;
			}
		}
	}
}
