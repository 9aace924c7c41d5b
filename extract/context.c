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
#define PREDICATES_FILE "data/lexicon/predicates.txt"
#define MAX_GROUPS 32

static const char *const class_names[CTX_N_CLASSES] = {
	NULL, "negated-pre", "negated-post", "negated-both", "uncertain-pre", "uncertain-post",
	"uncertain-both", "historical-pre", "historical-post", "pseudo", "terminate", "clause-start",
	"probable-pre", "probable-post", "probable-both", "hypothetical-pre", "hypothetical-post",
};

const char *polarity_name(int p)
{
	switch (p) {
	case POL_NEGATED: return "negated";
	case POL_UNCERTAIN: return "uncertain";
	default: return "affirmed";
	}
}

const char *hedge_name(int h)
{
	switch (h) {
	case HEDGE_PROBABLE: return "probable";
	case HEDGE_POSSIBLE: return "possible";
	default: return "definite";
	}
}

/* ---------------------------------------------------------------- loading */

/* The phrases of both files while they are read: normalized text -> index
 * into lx->phr. */
struct phrases {
	struct strmap index;
	struct buf text;         /* normalized phrases, NUL terminated, back to back */
	uint32_t *off;           /* phrase i's text */
	uint8_t *n_tok;
	size_t cap;
};

/* The phrase of normalized text norm[0..len) (n_tok tokens), added if new. */
static uint32_t phrase_ref(struct lexicon *lx, struct phrases *ph, const char *norm, size_t len,
			   size_t n_tok)
{
	uint32_t at = (uint32_t)lx->n_phr;
	if (!strmap_put(&ph->index, norm, len, &at))
		return at;
	if (lx->n_phr == ph->cap) {
		size_t cap = ph->cap;
		XGROW(lx->phr, cap, lx->n_phr + 1);
		ph->off = xrealloc(ph->off, cap * sizeof(*ph->off));
		ph->n_tok = xrealloc(ph->n_tok, cap);
		ph->cap = cap;
	}
	memset(&lx->phr[at], 0, sizeof(lx->phr[at]));
	ph->off[at] = (uint32_t)ph->text.len;
	ph->n_tok[at] = (uint8_t)(n_tok < 255 ? n_tok : 255);
	buf_add(&ph->text, norm, len);
	buf_addc(&ph->text, '\0');
	lx->n_phr++;
	return at;
}

static int parse_triggers(struct lexicon *lx, struct phrases *ph, const char *name,
			  const char *text, size_t len)
{
	struct buf norm = BUF_INIT;
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
			      "uncertain-post, uncertain-both, probable-pre, probable-post, "
			      "hypothetical-pre, hypothetical-post, historical-pre, historical-post, "
			      "pseudo, terminate)",
			      name, line, (int)(e - c), c);
			goto out;
		}
		buf_reset(&norm);
		size_t n_tok = text_normalize(q, (size_t)(tab - q), &norm);
		if (!n_tok) {
			error("%s:%zu: the phrase has no word", name, line);
			goto out;
		}
		uint32_t at = phrase_ref(lx, ph, norm.p, norm.len, n_tok);
		struct lex_phrase *x = &lx->phr[at]; /* after phrase_ref: it may move phr */
		if (x->cls) {
			error("%s:%zu: '%.*s' is already a trigger (line %u)", name, line,
			      (int)(tab - q), q, x->line);
			goto out;
		}
		x->cls = (uint8_t)cls;
		x->cls_len = (uint8_t)n_tok;
		x->line = (uint32_t)line;
		lx->n_triggers++;
	}
	if (!lx->n_triggers) {
		error("%s: no triggers", name);
		goto out;
	}
	rc = 0;
out:
	buf_release(&norm);
	return rc;
}

/* The index of group name in *names (added when add is set). @return it, or
 * -1 when absent or when there are MAX_GROUPS already. */
static int group_of(char ***names, const char *name, int add)
{
	size_t n = strlist_len(*names);
	for (size_t i = 0; i < n; i++)
		if (!strcmp((*names)[i], name))
			return (int)i;
	if (!add || n >= MAX_GROUPS)
		return -1;
	*names = strlist_add(*names, name);
	return (int)n;
}

/* One "KIND | NAME | phrases" line's phrases: each gets the role. */
static int add_phrases(struct lexicon *lx, struct phrases *ph, const char *name, size_t line,
		       char *list, int role, int group)
{
	struct buf norm = BUF_INIT;
	int rc = 0;
	for (char *item = list; item && rc == 0;) {
		char *semi = strchr(item, ';');
		if (semi)
			*semi = '\0';
		char *w = str_trim(item);
		item = semi ? semi + 1 : NULL;
		if (!*w)
			continue;
		buf_reset(&norm);
		size_t n_tok = text_normalize(w, strlen(w), &norm);
		if (!n_tok) {
			rc = error("%s:%zu: '%s' has no word", name, line, w);
			break;
		}
		uint32_t at = phrase_ref(lx, ph, norm.p, norm.len, n_tok);
		struct lex_phrase *x = &lx->phr[at]; /* after phrase_ref: it may move phr */
		int kinds = (x->role | role) & (PRED_ANATOMY | PRED_STATE);
		if (kinds == (PRED_ANATOMY | PRED_STATE) ||
		    (role == PRED_STATE && (x->role & PRED_STATE) && x->state != group)) {
			rc = error("%s:%zu: '%s' is already %s", name, line, w,
				   x->role & PRED_ANATOMY ? "an anatomy phrase" : "a state");
			break;
		}
		x->role |= (uint8_t)role;
		x->role_len = (uint8_t)n_tok;
		if (role == PRED_ANATOMY)
			x->anatomy |= 1u << group;
		if (role == PRED_STATE)
			x->state = (uint8_t)group;
	}
	buf_release(&norm);
	return rc;
}

static int parse_polarity(const char *s)
{
	for (int p = POL_AFFIRMED; p <= POL_UNCERTAIN; p++)
		if (!strcmp(s, polarity_name(p)))
			return p;
	return -1;
}

static int parse_predicates(struct lexicon *lx, struct phrases *ph, const char *name,
			    const char *text, size_t len)
{
	char *copy = xstrndup(text, len);
	int rc = -1;
	size_t line = 0;
	for (char *p = copy, *nl; p; p = nl) {
		nl = strchr(p, '\n');
		if (nl)
			*nl++ = '\0';
		line++;
		char *hash = strchr(p, '#');
		if (hash)
			*hash = '\0';
		char *s = str_trim(p);
		if (!*s)
			continue;
		char *f[7];
		int nf = split_fields(s, strlen(s), '|', f, 7);
		for (int k = 0; k < nf && k < 7; k++)
			f[k] = str_trim(f[k]);
		const char *kind = f[0];
		if (!strcmp(kind, "finding")) {
			if (nf != 6) {
				error("%s:%zu: expected 'finding | ANATOMY | STATE | POLARITY | CUIs | "
				      "name'", name, line);
				goto out;
			}
			int a = group_of(&lx->anatomy_groups, f[1], 0);
			int st = group_of(&lx->state_groups, f[2], 0);
			int pol = parse_polarity(f[3]);
			if (a < 0 || st < 0 || pol < 0) {
				error("%s:%zu: unknown %s '%s'", name, line,
				      a < 0 ? "anatomy group" : st < 0 ? "state group" : "polarity",
				      a < 0 ? f[1] : st < 0 ? f[2] : f[3]);
				goto out;
			}
			for (size_t k = 0; k < lx->n_rules; k++)
				if (lx->rules[k].anatomy == a && lx->rules[k].state == st) {
					error("%s:%zu: %s | %s has a finding already", name, line, f[1], f[2]);
					goto out;
				}
			lx->rules = xrealloc(lx->rules, (lx->n_rules + 1) * sizeof(*lx->rules));
			struct pred_rule *r = &lx->rules[lx->n_rules++];
			r->anatomy = (uint8_t)a;
			r->state = (uint8_t)st;
			r->polarity = (uint8_t)pol;
			for (char *c = f[4]; *c; c++)
				if (*c == ';')
					*c = ',';
			r->cuis = strlist_parse(f[4]);
			r->name = xstrdup(f[5]);
			r->concept = DICT_NONE;
			if (!r->cuis[0]) {
				error("%s:%zu: the finding has no CUI", name, line);
				goto out;
			}
			continue;
		}
		int role = !strcmp(kind, "anatomy") ? PRED_ANATOMY : !strcmp(kind, "state") ? PRED_STATE
			 : !strcmp(kind, "conj") ? PRED_CONJ : !strcmp(kind, "bridge") ? PRED_BRIDGE : 0;
		if (!role || nf != 3) {
			error(role ? "%s:%zu: expected '%s | NAME | phrases'"
				   : "%s:%zu: unknown kind '%s' (anatomy, state, finding, conj, bridge)",
			      name, line, kind);
			goto out;
		}
		int group = 0;
		if (role == PRED_ANATOMY || role == PRED_STATE) {
			group = group_of(role == PRED_ANATOMY ? &lx->anatomy_groups : &lx->state_groups,
					 f[1], 1);
			if (group < 0) {
				error("%s:%zu: more than %d groups", name, line, MAX_GROUPS);
				goto out;
			}
		}
		if (add_phrases(lx, ph, name, line, f[2], role, group) < 0)
			goto out;
	}
	rc = 0;
out:
	free(copy);
	return rc;
}

/* Each phrase learns the roles of its longest prefixes that have them: the
 * trie returns the longest phrase at a position, and a role it lacks may
 * belong to a shorter phrase it starts with. */
static void inherit_prefixes(struct lexicon *lx, const struct phrases *ph)
{
	for (size_t i = 0; i < lx->n_phr; i++) {
		struct lex_phrase *x = &lx->phr[i];
		const char *t = ph->text.p + ph->off[i];
		size_t len = strlen(t);
		for (size_t k = len; k-- > 0;) {
			if (t[k] != ' ')
				continue;
			uint32_t q;
			if (!strmap_get(&ph->index, t, k, &q))
				continue;
			const struct lex_phrase *y = &lx->phr[q];
			/* only what the prefix has of its own (its role's length is
			 * its whole length) */
			if (!x->cls && y->cls && y->cls_len == ph->n_tok[q]) {
				x->cls = y->cls;
				x->cls_len = y->cls_len;
			}
			if (!x->role && y->role && y->role_len == ph->n_tok[q]) {
				x->role = y->role;
				x->role_len = y->role_len;
				x->state = y->state;
				x->anatomy = y->anatomy;
			}
		}
	}
}

int lexicon_load(struct lexicon *lx, const char *path)
{
	memset(lx, 0, sizeof(*lx));
	struct phrases ph;
	memset(&ph, 0, sizeof ph);
	strmap_init(&ph.index);
	char *text = NULL;
	size_t len = 0;
	const char *name = path ? path : LEXICON_FILE;
	int rc = -1;
	if (!path) {
		const struct embedded_file *f = embedded_get(LEXICON_FILE);
		if (!f) {
			error("the built-in context lexicon is missing");
			goto out;
		}
		text = xstrndup(f->data, f->size);
		len = f->size;
	} else if (zfile_slurp(path, &text, &len, 16u << 20) < 0) {
		goto out;
	}
	const struct embedded_file *pf = embedded_get(PREDICATES_FILE);
	if (!pf) {
		error("the built-in predicate table is missing");
		goto out;
	}
	if (parse_triggers(lx, &ph, name, text, len) < 0 ||
	    parse_predicates(lx, &ph, PREDICATES_FILE, pf->data, pf->size) < 0)
		goto out;
	inherit_prefixes(lx, &ph);
	struct dict_builder b;
	dict_builder_init(&b);
	for (size_t i = 0; i < lx->n_phr; i++) {
		const char *t = ph.text.p + ph.off[i];
		dict_builder_add(&b, t, strlen(t), (uint32_t)i, 0);
	}
	dict_builder_finish(&b, &lx->trie);
	dict_builder_release(&b);
	lx->tok_or = dict_token(&lx->trie, "or", 2);
	lx->tok_and = dict_token(&lx->trie, "and", 3);
	lx->hash = XXH3_64bits_withSeed(pf->data, pf->size, XXH3_64bits(text, len));
	rc = 0;
out:
	free(text);
	strmap_release(&ph.index);
	buf_release(&ph.text);
	free(ph.off);
	free(ph.n_tok);
	if (rc < 0)
		lexicon_release(lx);
	return rc;
}

void lexicon_release(struct lexicon *lx)
{
	dict_release(&lx->trie);
	free(lx->phr);
	for (size_t i = 0; i < lx->n_rules; i++) {
		strlist_free(lx->rules[i].cuis);
		free(lx->rules[i].name);
	}
	free(lx->rules);
	strlist_free(lx->anatomy_groups);
	strlist_free(lx->state_groups);
	memset(lx, 0, sizeof(*lx));
}

int lexicon_resolve(struct lexicon *lx, int (*concept_of)(void *arg, const char *cui, uint32_t *id),
		    void *arg)
{
	lx->n_resolved = 0;
	for (size_t i = 0; i < lx->n_rules; i++) {
		struct pred_rule *r = &lx->rules[i];
		r->concept = DICT_NONE;
		for (size_t k = 0; r->cuis[k] && r->concept == DICT_NONE; k++) {
			uint32_t id;
			int got = concept_of(arg, r->cuis[k], &id);
			if (got < 0)
				return -1;
			if (got)
				r->concept = id;
		}
		lx->n_resolved += r->concept != DICT_NONE;
	}
	return 0;
}

void lexicon_restrict(struct lexicon *lx, const struct dict *d)
{
	/* one pass over the trie's payloads, against a bit set of the rules'
	 * concepts (ids are dense, so it is small) */
	uint32_t max = 0;
	for (size_t r = 0; r < lx->n_rules; r++)
		if (lx->rules[r].concept != DICT_NONE && lx->rules[r].concept > max)
			max = lx->rules[r].concept;
	size_t bytes = (size_t)max / 8 + 1;
	uint8_t *want = xcalloc(bytes, 1), *seen = xcalloc(bytes, 1);
	for (size_t r = 0; r < lx->n_rules; r++)
		if (lx->rules[r].concept != DICT_NONE)
			want[lx->rules[r].concept / 8] |= (uint8_t)(1u << lx->rules[r].concept % 8);
	/* a dictionary of candidates names its concepts there, else in the
	 * payloads */
	uint32_t n = d->n_cands ? d->n_cands : d->n_nodes;
	for (uint32_t k = 0; k < n; k++) {
		uint32_t p = d->n_cands ? d->cands[k].concept : d->payload[k];
		if (p <= max && (want[p / 8] >> p % 8 & 1))
			seen[p / 8] |= (uint8_t)(1u << p % 8);
	}
	lx->n_resolved = 0;
	for (size_t r = 0; r < lx->n_rules; r++) {
		uint32_t c = lx->rules[r].concept;
		if (c != DICT_NONE && !(seen[c / 8] >> c % 8 & 1))
			lx->rules[r].concept = DICT_NONE;
		lx->n_resolved += lx->rules[r].concept != DICT_NONE;
	}
	free(want);
	free(seen);
}

void context_scratch_release(struct ctx_scratch *s)
{
	free(s->trig);
	free(s->reach);
	free(s->occ);
	free(s->pm);
	free(s->pm_concept);
	memset(s, 0, sizeof(*s));
}

/* ---------------------------------------------------------------- triggers */

static int is_pre(int c)
{
	return c == CTX_NEG_PRE || c == CTX_NEG_BOTH || c == CTX_UNC_PRE || c == CTX_UNC_BOTH ||
	       c == CTX_PROB_PRE || c == CTX_PROB_BOTH || c == CTX_HYP_PRE;
}

static int is_post(int c)
{
	return c == CTX_NEG_POST || c == CTX_NEG_BOTH || c == CTX_UNC_POST || c == CTX_UNC_BOTH ||
	       c == CTX_PROB_POST || c == CTX_PROB_BOTH || c == CTX_HYP_POST;
}

static int is_hist(int c)
{
	return c == CTX_HIST_PRE || c == CTX_HIST_POST;
}

static int is_neg(int c)
{
	return c == CTX_NEG_PRE || c == CTX_NEG_POST || c == CTX_NEG_BOTH;
}

static int is_unc(int c)
{
	return c == CTX_UNC_PRE || c == CTX_UNC_POST || c == CTX_UNC_BOTH;
}

static int is_prob(int c)
{
	return c == CTX_PROB_PRE || c == CTX_PROB_POST || c == CTX_PROB_BOTH;
}

/* What a trigger does to a mention in its scope. */
static void take(struct ctx_mention *x, int c)
{
	x->neg |= is_neg(c);
	x->unc |= is_unc(c);
	x->prob |= is_prob(c);
}

/* Is there a gap of at least g before any token in (a, b]? */
static int gap_between(const uint8_t *gap, size_t a, size_t b, int g)
{
	for (size_t k = a + 1; k <= b; k++)
		if (gap[k] >= g)
			return 1;
	return 0;
}

/* Triggers (into s->trig) and, when occ is set, predicate phrases (into
 * s->occ), longest first, left to right; they continue only across blanks
 * and hyphens, like terms. */
static void scan(const struct lexicon *lx, const uint32_t *lex, const uint8_t *gap, size_t n,
		 struct ctx_scratch *s, int occ)
{
	uint8_t join_small[256], *join = n <= sizeof join_small ? join_small : xmalloc(n);
	for (size_t i = 0; i < n; i++)
		join[i] = gap[i] <= GAP_JOIN;
	size_t next_trig = 0, next_occ = occ ? 0 : SIZE_MAX;
	s->n_trig = s->n_occ = 0;
	for (size_t i = 0; i < n; i++) {
		if (i < next_trig && i < next_occ)
			continue;
		uint32_t idx;
		if (!dict_longest(&lx->trie, lex + i, join + i, n - i, &idx))
			continue;
		const struct lex_phrase *p = &lx->phr[idx];
		if (i >= next_trig && p->cls) {
			next_trig = i + p->cls_len;
			/* a clause opens only after a comma */
			if (p->cls != CTX_CLAUSE || (i > 0 && gap[i] == GAP_COMMA)) {
				XGROW(s->trig, s->cap_trig, s->n_trig + 1);
				s->trig[s->n_trig++] = (struct ctx_trigger){
					(uint32_t)i, (uint32_t)next_trig, p->cls,
					(p->role & PRED_BRIDGE) && p->role_len == p->cls_len };
			}
		}
		if (i >= next_occ && p->role) {
			next_occ = i + p->role_len;
			XGROW(s->occ, s->cap_occ, s->n_occ + 1);
			s->occ[s->n_occ++] = (struct pred_occ){ (uint32_t)i, (uint32_t)next_occ,
								 p->anatomy, p->role, p->state };
		}
	}
	if (join != join_small)
		free(join);
}

/* ---------------------------------------------------------------- predicates */

/* May a binding span tokens [a, b) (a <= b)? Not across punctuation other
 * than commas, ';', a terminator or new clause (bridges aside), or a state. */
static int bridgeable(const struct ctx_scratch *s, const uint8_t *gap, uint32_t a, uint32_t b)
{
	for (uint32_t k = a; k < b; k++)
		if (k > a && gap[k] >= GAP_PUNCT)
			return 0;
	if (b > a && gap[b] >= GAP_PUNCT)
		return 0;
	for (size_t k = 0; k < s->n_trig; k++) {
		const struct ctx_trigger *t = &s->trig[k];
		if (t->a >= a && t->a < b && !t->bridge &&
		    (t->cls == CTX_TERMINATE || t->cls == CTX_CLAUSE))
			return 0;
	}
	for (size_t k = 0; k < s->n_occ; k++)
		if ((s->occ[k].role & PRED_STATE) && s->occ[k].a >= a && s->occ[k].b <= b)
			return 0;
	return 1;
}

/* Are anatomy phrases occ[i] and occ[j] (i before j) joined into one
 * subject: adjacent, or at most three tokens between, among them a comma
 * or a conjunction, and bridgeable? */
static int joined(const struct ctx_scratch *s, const uint8_t *gap, size_t i, size_t j)
{
	const struct pred_occ *x = &s->occ[i], *y = &s->occ[j];
	if (y->a - x->b > 3 || !bridgeable(s, gap, x->b, y->a))
		return 0;
	if (y->a == x->b || gap_between(gap, x->b - 1, y->a, GAP_COMMA))
		return 1;
	for (size_t k = i + 1; k < j; k++)
		if (s->occ[k].role & PRED_CONJ)
			return 1;
	return 0;
}

static int rule_of(const struct lexicon *lx, uint32_t anatomy, int state)
{
	for (size_t r = 0; r < lx->n_rules; r++)
		if ((anatomy >> lx->rules[r].anatomy & 1) && lx->rules[r].state == state &&
		    lx->rules[r].concept != DICT_NONE)
			return (int)r;
	return -1;
}

/* The mentions of one anatomy phrase bound to state occurrence st.
 * @return how many rules it matched. */
static int emit(const struct lexicon *lx, struct ctx_scratch *s, const struct pred_occ *st,
		uint32_t anatomy, uint32_t window)
{
	int matched = 0;
	for (int g = 0; g < MAX_GROUPS; g++) {
		if (!(anatomy >> g & 1))
			continue;
		int r = rule_of(lx, 1u << g, st->state);
		if (r < 0)
			continue;
		matched++;
		uint32_t concept = lx->rules[r].concept;
		int dup = 0;
		for (size_t j = 0; j < s->n_pm; j++)
			dup |= s->pm[j].a == st->a && s->pm_concept[j] == concept;
		if (dup)
			continue;
		if (s->n_pm == s->cap_pm) {
			size_t cap = s->cap_pm;
			XGROW(s->pm, cap, s->n_pm + 1);
			s->pm_concept = xrealloc(s->pm_concept, cap * sizeof(*s->pm_concept));
			s->cap_pm = cap;
		}
		struct ctx_mention *x = &s->pm[s->n_pm];
		memset(x, 0, sizeof(*x));
		x->a = st->a;
		x->b = st->b;
		x->pred = 1;
		x->pred_polarity = lx->rules[r].polarity;
		x->anat = window;
		s->pm_concept[s->n_pm++] = concept;
	}
	return matched;
}

/* The mentions of anatomy occ[k] and of the anatomy phrases joined to it,
 * walking back (dir -1) or forward (dir 1) up to a state or a break.
 * @return the rules matched. */
static int emit_chain(const struct lexicon *lx, const uint8_t *gap, struct ctx_scratch *s,
		      const struct pred_occ *st, size_t k, int dir, uint32_t window)
{
	int matched = emit(lx, s, st, s->occ[k].anatomy, window);
	for (size_t p = k, q = k; dir < 0 ? q-- > 0 : ++q < s->n_occ;) {
		if (s->occ[q].role & PRED_STATE)
			break;
		if (!(s->occ[q].role & PRED_ANATOMY))
			continue;
		if (!(dir < 0 ? joined(s, gap, q, p) : joined(s, gap, p, q)))
			break;
		matched += emit(lx, s, st, s->occ[q].anatomy, window);
		p = q;
	}
	return matched;
}

/* Is occ[k] right after occ[i] (at most one token between) with a comma
 * or a conjunction between them? ("hyperexpanded but clear") */
static int coordinated(const struct ctx_scratch *s, const uint8_t *gap, size_t i, size_t k)
{
	const struct pred_occ *x = &s->occ[i], *y = &s->occ[k];
	if (y->a - x->b > 1 || gap_between(gap, x->b - 1, y->a, GAP_PUNCT))
		return 0;
	if (y->a == x->b || gap_between(gap, x->b - 1, y->a, GAP_COMMA))
		return 1;
	return k == i + 2 && (s->occ[i + 1].role & PRED_CONJ);
}

/* Bind state occ[j] to the anatomy before it (predicative). @return the
 * rules matched, 0 when none or no anatomy. */
static int bind_before(const struct lexicon *lx, const uint8_t *gap, struct ctx_scratch *s,
		       size_t j)
{
	/* the first of the states coordinated with it, then the nearest
	 * anatomy before that */
	size_t first = j, i = j;
	for (;;) {
		while (i-- > 0 && !(s->occ[i].role & (PRED_ANATOMY | PRED_STATE)))
			;
		if (i < j && (s->occ[i].role & PRED_STATE) && coordinated(s, gap, i, first)) {
			first = i;
			continue;
		}
		break;
	}
	const struct pred_occ *st = &s->occ[j];
	if (i >= j || !(s->occ[i].role & PRED_ANATOMY) ||
	    s->occ[first].a - s->occ[i].b > CTX_PRED_REACH ||
	    !bridgeable(s, gap, s->occ[i].b, s->occ[first].a))
		return 0;
	return emit_chain(lx, gap, s, st, i, -1, s->occ[i].a);
}

/* Bind state occ[j] to the anatomy right after it (attributive: "normal
 * heart size", "enlargement of the cardiac silhouette"). @return the rules
 * matched. */
static int bind_after(const struct lexicon *lx, const uint8_t *gap, struct ctx_scratch *s,
		      size_t j)
{
	const struct pred_occ *st = &s->occ[j];
	size_t k = j + 1;
	while (k < s->n_occ && !(s->occ[k].role & (PRED_ANATOMY | PRED_STATE)))
		k++;
	if (k >= s->n_occ || !(s->occ[k].role & PRED_ANATOMY) || s->occ[k].a - st->b > 2 ||
	    gap_between(gap, st->b - 1, s->occ[k].a, GAP_COMMA) ||
	    !bridgeable(s, gap, st->b, s->occ[k].a))
		return 0;
	return emit_chain(lx, gap, s, st, k, 1, st->a >= 2 ? st->a - 2 : 0);
}

/* Bind every state to its anatomy phrases (see context.h) into s->pm: to
 * the anatomy before it, else to the one after it. A state that opens a
 * phrase ("..., clear lungs", "and clear lungs") and is followed directly
 * by an anatomy is attributive first. */
static void bind_states(const struct lexicon *lx, const uint8_t *gap, struct ctx_scratch *s)
{
	s->n_pm = 0;
	for (size_t j = 0; j < s->n_occ; j++) {
		const struct pred_occ *st = &s->occ[j];
		if (!(st->role & PRED_STATE))
			continue;
		int opens = st->a == 0 || gap[st->a] == GAP_COMMA ||
			    (j > 0 && (s->occ[j - 1].role & PRED_CONJ) && s->occ[j - 1].b == st->a);
		int next_anatomy = j + 1 < s->n_occ && (s->occ[j + 1].role & PRED_ANATOMY) &&
				   s->occ[j + 1].a == st->b && gap[st->b] <= GAP_JOIN;
		if (opens && next_anatomy && bind_after(lx, gap, s, j))
			continue;
		if (!bind_before(lx, gap, s, j))
			bind_after(lx, gap, s, j);
	}
}

/* ---------------------------------------------------------------- rules */

/* Are mentions x and y (y after x) alternatives: "x or y", "x and/or y",
 * "x/y"? */
static int alternatives(const struct lexicon *lx, const uint32_t *lex, const uint8_t *gap,
			const struct ctx_mention *x, const struct ctx_mention *y)
{
	if (y->a == x->b)
		return gap[y->a] == GAP_SLASH;
	if (gap_between(gap, x->b - 1, y->a, GAP_PUNCT) || lx->tok_or == DICT_NONE)
		return 0;
	if (y->a == x->b + 1)
		return lex[x->b] == lx->tok_or;
	return y->a == x->b + 2 && lex[x->b] == lx->tok_and && lex[x->b + 1] == lx->tok_or;
}

/* Are x and y written right next to each other (no word, no punctuation
 * between: "small effusion", "left basilar scarring")? */
static int adjacent(const uint8_t *gap, const struct ctx_mention *x, const struct ctx_mention *y)
{
	return y->a == x->b && gap[y->a] == GAP_SPACE;
}

/* Mark the alternatives of m[0..n_m) possible (x->unc), with the mentions
 * adjacent to them and a comma list before them. */
static void mark_alternatives(const struct lexicon *lx, const uint32_t *lex, const uint8_t *gap,
			      struct ctx_mention *m, size_t n_m)
{
	for (size_t j = 1; j < n_m; j++) {
		if (m[j].pred || m[j - 1].pred || m[j].drop || m[j - 1].drop ||
		    !alternatives(lx, lex, gap, &m[j - 1], &m[j]))
			continue;
		for (size_t k = j; k < n_m && !m[k].pred; k++) {
			m[k].unc |= 2; /* 2: an alternative, 1: a hedge trigger */
			if (k + 1 >= n_m || !adjacent(gap, &m[k], &m[k + 1]))
				break;
		}
		for (size_t k = j; k-- > 0 && !m[k].pred;) {
			m[k].unc |= 2;
			if (k == 0 || m[k - 1].pred ||
			    !(adjacent(gap, &m[k - 1], &m[k]) ||
			      (m[k].a == m[k - 1].b && gap[m[k].a] == GAP_COMMA)))
				break;
		}
	}
}

/* Decide the mentions m[0..n_m) from the triggers in s->trig. */
static void decide(const struct lexicon *lx, const uint32_t *lex, const uint8_t *gap,
		   struct ctx_mention *m, size_t n_m, struct ctx_scratch *s)
{
	const struct ctx_trigger *t = s->trig;
	size_t n_t = s->n_trig;
	XGROW(s->reach, s->cap_reach, n_t + 1);
	/* negation and hedges: the closest trigger before a mention, if a
	 * pre-trigger, reaches it when no ';' lies between and it is at most
	 * CTX_WINDOW tokens past the trigger or past the previous mention the
	 * trigger reached (so lists of any length share it); post-triggers the
	 * same way backwards. Historical triggers are not in the way;
	 * hypothetical ones end the scope (they are decided below). Predicative
	 * mentions are decided apart. */
	for (size_t k = 0; k < n_t; k++)
		s->reach[k] = t[k].b;
	for (size_t j = 0; j < n_m; j++) {
		struct ctx_mention *x = &m[j];
		x->polarity = POL_AFFIRMED;
		x->historical = x->hypothetical = 0;
		x->hedge = HEDGE_DEFINITE;
		x->drop = 0;
		x->neg = x->unc = x->prob = x->hyp = 0;
		if (x->pred)
			continue;
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
				take(x, t[k].cls);
				s->reach[k] = x->b;
			}
			break;
		}
	}
	for (size_t k = 0; k < n_t; k++)
		s->reach[k] = t[k].a;
	for (size_t j = n_m; j-- > 0;) {
		struct ctx_mention *x = &m[j];
		if (x->drop || x->pred)
			continue;
		for (size_t k = 0; k < n_t; k++) {
			if (t[k].a < x->b || is_hist(t[k].cls))
				continue;
			if (is_post(t[k].cls) && !gap_between(gap, x->b - 1, t[k].a, GAP_STOP) &&
			    s->reach[k] - x->b <= CTX_WINDOW) {
				take(x, t[k].cls);
				s->reach[k] = x->a;
			}
			break;
		}
	}
	mark_alternatives(lx, lex, gap, m, n_m);
	for (size_t j = 0; j < n_m; j++) {
		struct ctx_mention *x = &m[j];
		if (x->drop)
			continue;
		/* a predicative finding: the triggers of its binding, and one that
		 * starts before the state and covers it ("is not enlarged") */
		for (size_t k = 0; x->pred && k < n_t; k++)
			if ((t[k].a >= x->anat && t[k].b <= x->a) || (t[k].a < x->a && t[k].b > x->a))
				take(x, t[k].cls);
		/* historical and hypothetical: the nearest such trigger, up to
		 * punctuation (historical: a comma too) or a terminator; a
		 * hypothetical one also up to a negation or a hedge */
		for (int hyp = 0; hyp < 2; hyp++) {
			int pre = hyp ? CTX_HYP_PRE : CTX_HIST_PRE, post = hyp ? CTX_HYP_POST : CTX_HIST_POST;
			int stop = hyp ? GAP_PUNCT : GAP_COMMA;
			uint8_t *flag = hyp ? &x->hyp : &x->historical;
			for (size_t k = n_t; k-- > 0 && !*flag;) {
				if (t[k].b > x->a)
					continue;
				if (t[k].cls == CTX_TERMINATE || t[k].cls == CTX_CLAUSE ||
				    gap_between(gap, t[k].b - 1, x->a, stop) ||
				    (hyp && (is_neg(t[k].cls) || is_unc(t[k].cls) || is_prob(t[k].cls))))
					break;
				*flag = t[k].cls == pre;
			}
			for (size_t k = 0; k < n_t && !*flag; k++) {
				if (t[k].a < x->b)
					continue;
				if (t[k].cls == CTX_TERMINATE || t[k].cls == CTX_CLAUSE ||
				    gap_between(gap, x->b - 1, t[k].a, stop) ||
				    (hyp && (is_neg(t[k].cls) || is_unc(t[k].cls) || is_prob(t[k].cls))))
					break;
				*flag = t[k].cls == post;
			}
		}
		/* the polarity: negation first; a possible hedge makes it
		 * uncertain, a probable one does not */
		int pol = x->pred ? x->pred_polarity : POL_AFFIRMED;
		if (x->neg)
			pol = pol == POL_NEGATED ? POL_AFFIRMED : POL_NEGATED;
		else if (x->unc)
			pol = POL_UNCERTAIN;
		/* an alternative is no hedge when denied ("no effusion or
		 * pneumothorax") */
		x->hedge = (x->unc & 1) || (x->unc && !x->neg) ||
				   (x->pred && x->pred_polarity == POL_UNCERTAIN) ? HEDGE_POSSIBLE
			 : x->prob ? HEDGE_PROBABLE : HEDGE_DEFINITE;
		x->hypothetical = x->hyp;
		if (x->hyp && pol == POL_AFFIRMED)
			pol = POL_UNCERTAIN;
		x->polarity = (uint8_t)pol;
	}
}

void context_apply(const struct lexicon *lx, const uint32_t *lex, const uint8_t *gap, size_t n,
		   struct ctx_mention *m, size_t n_m, struct ctx_scratch *s)
{
	for (size_t j = 0; j < n_m; j++)
		m[j].pred = 0;
	scan(lx, lex, gap, n, s, 0);
	decide(lx, lex, gap, m, n_m, s);
}

size_t context_sentence(const struct lexicon *lx, const uint32_t *lex, const uint8_t *gap,
			size_t n, struct ctx_mention **m, uint32_t **concept, size_t n_m,
			size_t *cap, struct ctx_scratch *s)
{
	for (size_t j = 0; j < n_m; j++)
		(*m)[j].pred = 0; /* the caller sets only the spans */
	scan(lx, lex, gap, n, s, lx->n_resolved > 0);
	s->n_pm = 0;
	if (s->n_occ)
		bind_states(lx, gap, s);
	if (s->n_pm) {
		/* a dictionary mention reaching beyond a state's span wins over
		 * it; one inside gives way */
		size_t kept = 0;
		for (size_t p = 0; p < s->n_pm; p++) {
			const struct ctx_mention *y = &s->pm[p];
			int beyond = 0;
			for (size_t j = 0; j < n_m; j++)
				beyond |= (*m)[j].a < y->b && y->a < (*m)[j].b &&
					  ((*m)[j].a < y->a || (*m)[j].b > y->b);
			if (beyond)
				continue;
			s->pm[kept] = *y;
			s->pm_concept[kept++] = s->pm_concept[p];
		}
		size_t k = 0;
		for (size_t j = 0; j < n_m; j++) {
			int inside = 0;
			for (size_t p = 0; p < kept; p++)
				inside |= s->pm[p].a <= (*m)[j].a && (*m)[j].b <= s->pm[p].b;
			if (inside)
				continue;
			(*m)[k] = (*m)[j];
			(*concept)[k++] = (*concept)[j];
		}
		/* merge both, in text order */
		if (k + kept > *cap) {
			size_t c = *cap;
			XGROW(*m, c, k + kept);
			*concept = xrealloc(*concept, c * sizeof(**concept));
			*cap = c;
		}
		size_t out = k + kept, i = k, p = kept;
		while (p > 0) {
			if (i > 0 && (*m)[i - 1].a > s->pm[p - 1].a) {
				(*m)[--out] = (*m)[i - 1];
				(*concept)[out] = (*concept)[--i];
			} else {
				(*m)[--out] = s->pm[p - 1];
				(*concept)[out] = s->pm_concept[--p];
			}
		}
		n_m = k + kept;
	}
	decide(lx, lex, gap, *m, n_m, s);
	return n_m;
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
				struct ctx_mention m = { .a = (uint32_t)a, .b = (uint32_t)(a + n_want) };
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
				struct ctx_mention m = { .a = (uint32_t)a, .b = (uint32_t)(a + p) };
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
