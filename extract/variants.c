#define _GNU_SOURCE
#include "variants.h"
#include "../common/normalize.h"
#include "../common/util.h"

#include <assert.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

static const char *const class_names[VAR_N_CLASSES] = {
	"spelling", "inversion", "of", "qualifier", "hyphenation", "subtype", "abbreviation",
	"modifier", "synonym", "eponym",
};

const char *variant_class_name(int i)
{
	return i >= 0 && i < VAR_N_CLASSES ? class_names[i] : "";
}

void variant_describe(unsigned mask, struct buf *out)
{
	if (!mask) {
		buf_adds(out, "term");
		return;
	}
	int first = 1;
	/* structural classes first, spelling last: "inversion+spelling" */
	for (int k = 1; k <= VAR_N_CLASSES; k++) {
		int i = k % VAR_N_CLASSES;
		if (mask & (1u << i)) {
			if (!first)
				buf_addc(out, '+');
			buf_adds(out, class_names[i]);
			first = 0;
		}
	}
}

/* ---------------------------------------------------------------- spelling */

/* One spelling pair: the American and the British form of a word start
 * (prefix), end (suffix) or whole word, on normalized tokens. */
struct spelling {
	const char *us, *gb;
	unsigned char us_len, gb_len;
	char where;              /* 'p' prefix, 's' suffix, 'w' whole word */
	const char *not_us;      /* an American-side start the rule must not touch */
};
#define SP(us, gb, where, not_us) { us, gb, sizeof(us) - 1, sizeof(gb) - 1, where, not_us }

static const struct spelling spellings[] = {
	SP("tumor", "tumour", 'p', NULL), SP("hem", "haem", 'p', "hemi"),
	SP("anem", "anaem", 'p', NULL), SP("emia", "aemia", 's', NULL),
	SP("emic", "aemic", 's', NULL), SP("esoph", "oesoph", 'p', NULL),
	SP("edem", "oedem", 'p', NULL), SP("estr", "oestr", 'p', NULL),
	SP("fet", "foet", 'p', NULL), SP("celiac", "coeliac", 'p', NULL),
	SP("cecum", "caecum", 'w', NULL), SP("cecal", "caecal", 'w', NULL),
	SP("pediatr", "paediatr", 'p', NULL), SP("orthoped", "orthopaed", 'p', NULL),
	SP("gynec", "gynaec", 'p', NULL), SP("etiolog", "aetiolog", 'p', NULL),
	SP("anesthe", "anaesthe", 'p', NULL), SP("ameb", "amoeb", 'p', NULL),
	SP("rrhea", "rrhoea", 's', NULL), SP("pnea", "pnoea", 's', NULL),
	SP("color", "colour", 'p', NULL), SP("behavior", "behaviour", 'p', NULL),
	SP("humor", "humour", 'p', NULL), SP("odor", "odour", 'p', NULL),
	SP("favor", "favour", 'p', NULL), SP("labor", "labour", 'w', NULL),
	SP("vapor", "vapour", 'w', NULL), SP("center", "centre", 'w', NULL),
	SP("fiber", "fibre", 'p', NULL), SP("liter", "litre", 'w', NULL),
	SP("meter", "metre", 'w', NULL), SP("sulf", "sulph", 'p', NULL),
	SP("gray", "grey", 'w', NULL), SP("aluminum", "aluminium", 'w', NULL),
	SP("aging", "ageing", 'w', NULL), SP("analog", "analogue", 'w', NULL),
	SP("maneuver", "manoeuvre", 'w', NULL), SP("defense", "defence", 'w', NULL),
	SP("ization", "isation", 's', NULL), SP("izing", "ising", 's', NULL),
	SP("ized", "ised", 's', NULL), SP("ize", "ise", 's', NULL),
	SP("yzing", "ysing", 's', NULL), SP("yzed", "ysed", 's', NULL),
	SP("yze", "yse", 's', NULL),
};
#undef SP

static int has_prefix(const char *s, size_t n, const char *p)
{
	size_t k = strlen(p);
	return n >= k && !memcmp(s, p, k);
}

/* Does token s[0..n) have the form `from` (of k bytes) of rule r? Every
 * token of every term is tried against every rule: one byte first. */
static int spelling_fits(const struct spelling *r, const char *from, size_t k, const char *s,
			 size_t n)
{
	switch (r->where) {
	case 'p': return n >= k && s[0] == from[0] && !memcmp(s, from, k);
	case 's': return n > k + 1 && s[n - 1] == from[k - 1] && !memcmp(s + n - k, from, k);
	default: return n == k && s[0] == from[0] && !memcmp(s, from, n);
	}
}

/* Rules by the byte a token must start with (prefix and whole-word rules)
 * or end with (suffix rules), per direction (0: British form, 1: American),
 * in table order: (i + 1), 0-terminated. Built on first use (dictionary
 * building runs on one thread). */
static uint8_t rule_index[2][2][256][8];
static int rule_index_ready;

static void index_rules(void)
{
	for (int dir = 0; dir < 2; dir++)
		for (size_t i = 0; i < ARRAY_SIZE(spellings); i++) {
			const struct spelling *r = &spellings[i];
			const char *from = dir ? r->us : r->gb;
			size_t k = dir ? r->us_len : r->gb_len;
			int end = r->where == 's';
			uint8_t *slot = rule_index[dir][end][(unsigned char)(end ? from[k - 1] : from[0])];
			size_t j = 0;
			while (slot[j])
				j++;
			assert(j + 1 < sizeof rule_index[0][0][0]);
			slot[j] = (uint8_t)(i + 1);
		}
	rule_index_ready = 1;
}

/* The other spelling of token s[0..n), appended to out. @return 1, or 0
 * (nothing appended) when it has none. A British form is tried first, so
 * that "leukaemia" is not read as an American "-emia". */
static int spelling_other(const char *s, size_t n, struct buf *out)
{
	if (!rule_index_ready)
		index_rules();
	for (int dir = 0; dir < 2; dir++) {
		/* the rules that may fit, by first and last byte, in table order */
		const uint8_t *a = rule_index[dir][0][(unsigned char)s[0]];
		const uint8_t *z = rule_index[dir][1][(unsigned char)s[n - 1]];
		while (*a || *z) {
			size_t i;
			if (*a && (!*z || *a < *z))
				i = (size_t)*a++ - 1;
			else
				i = (size_t)*z++ - 1;
			const struct spelling *r = &spellings[i];
			const char *from = dir ? r->us : r->gb, *to = dir ? r->gb : r->us;
			size_t k = dir ? r->us_len : r->gb_len;
			if (!spelling_fits(r, from, k, s, n))
				continue;
			if (dir && r->not_us && has_prefix(s, n, r->not_us))
				continue;
			if (r->where == 's') {
				buf_add(out, s, n - k);
				buf_add(out, to, dir ? r->gb_len : r->us_len);
			} else {
				buf_add(out, to, dir ? r->gb_len : r->us_len);
				buf_add(out, s + k, n - k);
			}
			return 1;
		}
	}
	return 0;
}

/* ---------------------------------------------------------------- helpers */

/* Prefixes that are written joined, hyphenated or apart. */
static const char *const prefixes[] = {
	"anti", "auto", "bi", "co", "extra", "hyper", "hypo", "infra", "inter", "intra",
	"macro", "micro", "multi", "neo", "non", "para", "peri", "poly", "post", "pre",
	"pseudo", "retro", "semi", "sub", "supra", "trans", "tri",
};

static int is_prefix_word(const char *s, size_t n)
{
	if (n < 2 || n > 6)
		return 0;
	for (size_t i = 0; i < ARRAY_SIZE(prefixes); i++)
		if (prefixes[i][0] == s[0] && strlen(prefixes[i]) == n && !memcmp(prefixes[i], s, n))
			return 1;
	return 0;
}

/* Words that end the X or Y of "X of Y" (the phrase is not a simple
 * compound then). */
static const char *const of_breaks[] = {
	"a", "an", "and", "as", "at", "by", "for", "from", "in", "into", "of", "on", "or", "the",
	"to", "with", "without",
};

static int is_of_break(const char *s, size_t n)
{
	for (size_t i = 0; i < ARRAY_SIZE(of_breaks); i++)
		if (strlen(of_breaks[i]) == n && !memcmp(of_breaks[i], s, n))
			return 1;
	return 0;
}

/* Trailing parts that say nothing: "Pneumonia, NOS". Normalized. */
static const char *const empty_qualifiers[] = {
	"nos", "nec", "unspecified", "not otherwise specified", "not elsewhere classified",
	"not specified",
};

static int is_empty_qualifier(const char *s, size_t n)
{
	for (size_t i = 0; i < ARRAY_SIZE(empty_qualifiers); i++)
		if (strlen(empty_qualifiers[i]) == n && !memcmp(empty_qualifiers[i], s, n))
			return 1;
	return 0;
}

/* Tokens of a normalized string: start and length of each, at most max.
 * @return their count. */
static size_t split_tokens(const char *s, size_t n, size_t *at, size_t *len, size_t max)
{
	size_t k = 0, i = 0;
	while (i < n && k < max) {
		size_t j = i;
		while (j < n && s[j] != ' ')
			j++;
		if (j > i) {
			at[k] = i;
			len[k++] = j - i;
		}
		i = j + 1;
	}
	return k;
}

#define MAX_TOKENS 32

/* Add v[0..n) with mask to the list unless it is norm or already there. */
static void add_ordered(struct variant_list *l, const char *norm, size_t nn, const char *v,
			size_t n, unsigned mask, size_t rest, size_t rest_len, unsigned order)
{
	if (!n || l->n >= VARIANTS_MAX || (n == nn && !memcmp(v, norm, n)))
		return;
	for (size_t i = 0; i < l->n; i++)
		if (l->v[i].len == n && !memcmp(l->text.p + l->v[i].off, v, n))
			return;
	XGROW(l->v, l->cap, l->n + 1);
	size_t off = l->text.len;
	buf_add(&l->text, v, n);
	buf_addc(&l->text, '\0');
	l->v[l->n++] = (struct variant){ off, n, mask, rest_len ? off + rest : 0, rest_len, order };
}

static void add(struct variant_list *l, const char *norm, size_t nn, const char *v, size_t n,
		unsigned mask, size_t rest, size_t rest_len)
{
	add_ordered(l, norm, nn, v, n, mask, rest, rest_len, 0);
}

/* The i-th variant's text (pointers into the list move as it grows). */
static const char *vtext(const struct variant_list *l, size_t i)
{
	return l->text.p + l->v[i].off;
}

/* Parts of s separated by commas that are not between digits ("1,000"
 * stays whole). @return their count (at most max). */
static size_t split_commas(const char *s, size_t n, size_t *at, size_t *len, size_t max)
{
	size_t k = 0, a = 0;
	for (size_t i = 0; i <= n && k < max; i++) {
		int digits = i > 0 && i + 1 < n && s[i - 1] >= '0' && s[i - 1] <= '9' &&
			     s[i + 1] >= '0' && s[i + 1] <= '9';
		if (i == n || (s[i] == ',' && !digits)) {
			at[k] = a;
			len[k++] = i - a;
			a = i + 1;
		}
	}
	return k;
}

/* str without its parenthesized or bracketed parts, appended to out.
 * @return 1 when something was removed and something is left. */
static int drop_parentheses(const char *s, size_t n, struct buf *out)
{
	int depth = 0, removed = 0;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '(' || c == '[') {
			depth++;
			removed = 1;
		} else if ((c == ')' || c == ']') && depth > 0) {
			depth--;
			buf_addc(out, ' ');
		} else if (!depth) {
			buf_addc(out, c);
		}
	}
	return removed && depth == 0;
}

/* ---------------------------------------------------------------- generate */

/* Structural variants from the written string: qualifiers dropped, commas
 * uninverted. */
static void structural(const char *str, size_t n, unsigned mask, const char *norm, size_t nn,
		       struct variant_list *out, struct buf *tmp)
{
	size_t at[8], len[8];
	size_t k = split_commas(str, n, at, len, ARRAY_SIZE(at));
	if (k < 2 || k > 4) {
		if (mask) {
			buf_reset(tmp);
			text_normalize(str, n, tmp);
			add(out, norm, nn, tmp->p, tmp->len, mask, 0, 0);
		}
		return;
	}
	/* normalized parts; trailing empty qualifiers dropped */
	struct buf part[4] = { BUF_INIT, BUF_INIT, BUF_INIT, BUF_INIT };
	size_t m = 0;
	for (size_t i = 0; i < k; i++) {
		text_normalize(str + at[i], len[i], &part[m]);
		if (!part[m].len) { /* ", ," or a part of punctuation: not a list */
			for (size_t j = 0; j <= m; j++)
				buf_release(&part[j]);
			return;
		}
		m++;
	}
	while (m > 1 && is_empty_qualifier(part[m - 1].p, part[m - 1].len)) {
		buf_release(&part[--m]);
		mask |= VAR_QUALIFIER;
	}
	if (mask & VAR_QUALIFIER) { /* kept in order: "Pneumonia, NOS" -> "pneumonia" */
		buf_reset(tmp);
		for (size_t i = 0; i < m; i++) {
			if (i)
				buf_addc(tmp, ' ');
			buf_add(tmp, part[i].p, part[i].len);
		}
		add(out, norm, nn, tmp->p, tmp->len, mask, 0, 0);
	}
	if (m >= 2) { /* "Leukemia, Myeloid, Acute" -> "acute myeloid leukemia" */
		buf_reset(tmp);
		for (size_t i = m; i-- > 0;) {
			buf_add(tmp, part[i].p, part[i].len);
			if (i)
				buf_addc(tmp, ' ');
		}
		add(out, norm, nn, tmp->p, tmp->len, mask | VAR_INVERSION, 0, 0);
	}
	for (size_t i = 0; i < m; i++)
		buf_release(&part[i]);
}

/* "X of [the] Y" -> "Y X", X of one or two words, Y of one to three. */
static void of_inversion(const char *v, size_t n, unsigned mask, const char *norm, size_t nn,
			 struct variant_list *out, struct buf *tmp)
{
	size_t at[MAX_TOKENS], len[MAX_TOKENS];
	size_t k = split_tokens(v, n, at, len, MAX_TOKENS);
	size_t of = 0;
	for (size_t i = 1; i < k && i <= 2 && !of; i++)
		if (len[i] == 2 && !memcmp(v + at[i], "of", 2))
			of = i;
	if (!of)
		return;
	size_t y = of + 1;
	if (y < k && len[y] == 3 && !memcmp(v + at[y], "the", 3))
		y++;
	if (y >= k || k - y > 3)
		return;
	for (size_t i = 0; i < k; i++)
		if (i != of && !(i == of + 1 && y == of + 2) && is_of_break(v + at[i], len[i]))
			return;
	buf_reset(tmp);
	buf_add(tmp, v + at[y], at[k - 1] + len[k - 1] - at[y]);
	buf_addc(tmp, ' ');
	buf_add(tmp, v, at[of - 1] + len[of - 1]);
	add(out, norm, nn, tmp->p, tmp->len, mask | VAR_OF, 0, 0);
}

/* The number of a type designation: digits, a roman numeral up to x, or a
 * single letter. @return it (1 ...), or 0 when s[0..n) is none. */
static unsigned type_number(const char *s, size_t n)
{
	static const char *const roman[] = { "i", "ii", "iii", "iv", "v", "vi", "vii", "viii",
					     "ix", "x" };
	if (n <= 3 && s[0] >= '0' && s[0] <= '9') {
		unsigned v = 0;
		for (size_t i = 0; i < n; i++) {
			if (s[i] < '0' || s[i] > '9')
				return 0;
			v = v * 10 + (unsigned)(s[i] - '0');
		}
		return v ? v : 0;
	}
	for (size_t i = 0; i < ARRAY_SIZE(roman); i++)
		if (strlen(roman[i]) == n && !memcmp(roman[i], s, n))
			return (unsigned)i + 1;
	if (n == 1 && s[0] >= 'a' && s[0] <= 'z')
		return (unsigned)(s[0] - 'a') + 1;
	return 0;
}

/* "X type N" and "type N X" -> "X" (X of one word at least). */
static void subtype(const char *v, size_t n, unsigned mask, const char *norm, size_t nn,
		    struct variant_list *out, struct buf *tmp)
{
	size_t at[MAX_TOKENS], len[MAX_TOKENS];
	size_t k = split_tokens(v, n, at, len, MAX_TOKENS);
	if (k < 3)
		return;
	unsigned num;
	buf_reset(tmp);
	if (len[k - 2] == 4 && !memcmp(v + at[k - 2], "type", 4) &&
	    (num = type_number(v + at[k - 1], len[k - 1]))) {
		buf_add(tmp, v, at[k - 3] + len[k - 3]);
	} else if (len[0] == 4 && !memcmp(v, "type", 4) && (num = type_number(v + at[1], len[1]))) {
		buf_add(tmp, v + at[2], n - at[2]);
	} else {
		return;
	}
	add_ordered(out, norm, nn, tmp->p, tmp->len, mask | VAR_SUBTYPE, 0, 0, num);
}

/* The head words "disease" and "disorder", each for the other. */
static void synonym(const char *v, size_t n, unsigned mask, const char *norm, size_t nn,
		    struct variant_list *out, struct buf *tmp)
{
	static const char *const pairs[][2] = { { " disease", " disorder" },
						{ " disorder", " disease" } };
	for (size_t i = 0; i < ARRAY_SIZE(pairs); i++) {
		size_t k = strlen(pairs[i][0]);
		if (n > k && !memcmp(v + n - k, pairs[i][0], k)) {
			buf_reset(tmp);
			buf_add(tmp, v, n - k);
			buf_adds(tmp, pairs[i][1]);
			add(out, norm, nn, tmp->p, tmp->len, mask | VAR_SYNONYM, 0, 0);
			return;
		}
	}
}

/* The word-level variants of v: its other spellings, its prefixes joined to
 * their words, and its first prefixed word split. */
static void word_variants(const char *v, size_t n, unsigned mask, const char *norm, size_t nn,
			  struct variant_list *out, struct buf *tmp)
{
	size_t at[MAX_TOKENS], len[MAX_TOKENS];
	size_t k = split_tokens(v, n, at, len, MAX_TOKENS);
	/* spelling: every word that has another spelling */
	buf_reset(tmp);
	int changed = 0;
	for (size_t i = 0; i < k; i++) {
		if (i)
			buf_addc(tmp, ' ');
		if (spelling_other(v + at[i], len[i], tmp))
			changed = 1;
		else
			buf_add(tmp, v + at[i], len[i]);
	}
	if (changed)
		add(out, norm, nn, tmp->p, tmp->len, mask | VAR_SPELLING, 0, 0);
	/* joined: every prefix word with the word after it */
	buf_reset(tmp);
	int joined = 0;
	for (size_t i = 0; i < k; i++) {
		buf_add(tmp, v + at[i], len[i]);
		if (i + 1 == k)
			break;
		if (is_prefix_word(v + at[i], len[i]))
			joined = 1;
		else
			buf_addc(tmp, ' ');
	}
	if (joined)
		add(out, norm, nn, tmp->p, tmp->len, mask | VAR_HYPHENATION, 0, 0);
	/* split: the first word that starts with a prefix and goes on for at
	 * least four letters */
	for (size_t i = 0; i < k; i++) {
		if (len[i] < 6)
			continue; /* the shortest prefix and four letters */
		for (size_t p = 0; p < ARRAY_SIZE(prefixes); p++) {
			if (v[at[i]] != prefixes[p][0])
				continue;
			size_t pl = strlen(prefixes[p]);
			if (len[i] < pl + 4 || memcmp(v + at[i], prefixes[p], pl))
				continue;
			buf_reset(tmp);
			buf_add(tmp, v, at[i] + pl);
			buf_addc(tmp, ' ');
			size_t rest = tmp->len;
			buf_add(tmp, v + at[i] + pl, n - at[i] - pl);
			add(out, norm, nn, tmp->p, tmp->len, mask | VAR_HYPHENATION, rest,
			    len[i] - pl);
			return;
		}
	}
}

/* Form i of the term into cur: 0 the term itself, i the (i-1)-th variant
 * (copied: the list moves as it grows). @return its classes. */
static unsigned form(const struct variant_list *out, size_t i, const char *norm, size_t nn,
		     struct buf *cur)
{
	buf_reset(cur);
	if (!i) {
		buf_add(cur, norm, nn);
		return 0;
	}
	buf_add(cur, vtext(out, i - 1), out->v[i - 1].len);
	return out->v[i - 1].mask;
}

void variants_generate(const char *str, size_t n, const char *norm, size_t nn,
		       struct variant_list *out)
{
	buf_reset(&out->text);
	out->n = 0;
	struct buf tmp = BUF_INIT, dropped = BUF_INIT;
	/* structural: from the written form, and from it without parentheses */
	if (memchr(str, ',', n))
		structural(str, n, 0, norm, nn, out, &tmp);
	if (memchr(str, '(', n) || memchr(str, '[', n)) {
		if (drop_parentheses(str, n, &dropped))
			structural(dropped.p, dropped.len, VAR_QUALIFIER, norm, nn, out, &tmp);
	}
	/* "of" on the term and on every structural variant; then spelling and
	 * hyphenation on all of them. The list grows while it is read: its
	 * texts are copied first. */
	struct buf cur = BUF_INIT;
	size_t n_struct = out->n;
	for (size_t i = 0; i <= n_struct; i++) {
		unsigned mask = form(out, i, norm, nn, &cur);
		if (memmem(cur.p, cur.len, " of ", 4))
			of_inversion(cur.p, cur.len, mask, norm, nn, out, &tmp);
		if (memmem(cur.p, cur.len, "type ", 5))
			subtype(cur.p, cur.len, mask, norm, nn, out, &tmp);
		synonym(cur.p, cur.len, mask, norm, nn, out, &tmp);
	}
	size_t n_base = out->n;
	for (size_t i = 0; i <= n_base; i++) {
		unsigned mask = form(out, i, norm, nn, &cur);
		size_t before = out->n;
		word_variants(cur.p, cur.len, mask, norm, nn, out, &tmp);
		for (size_t k = before; i && k < out->n; k++)
			out->v[k].order = out->v[i - 1].order;
	}
	buf_release(&cur);
	buf_release(&tmp);
	buf_release(&dropped);
}

void variant_list_release(struct variant_list *l)
{
	buf_release(&l->text);
	free(l->v);
	memset(l, 0, sizeof(*l));
}
