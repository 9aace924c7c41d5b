#include "term_rules.h"
#include "../common/buf.h"
#include "../common/lexfile.h"
#include "../common/normalize.h"
#include "../common/strmap.h"
#include "../common/util.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

#define TERM_RULES_FILE "data/lexicon/term_rules.tsv"

static const char *const class_names[TERM_N_CLASSES] = {
	NULL, "function", "unit", "numeral", "generic", "modifier",
};

const char *term_class_name(int cls)
{
	return cls > 0 && cls < TERM_N_CLASSES ? class_names[cls] : "";
}

int term_rules_capitals(const char *s, size_t n)
{
	int upper = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] >= 'a' && s[i] <= 'z')
			return 0;
		upper += s[i] >= 'A' && s[i] <= 'Z';
	}
	return upper >= 2;
}

struct parse_ctx {
	struct term_rules *tr;
	const char *name;
	struct dict_builder b;
	struct strmap seen;
	struct buf norm;
};

static int add_phrase(void *ctx, const struct lexfile_line *l)
{
	struct parse_ctx *x = ctx;
	buf_reset(&x->norm);
	if (!text_normalize(l->phrase, l->phrase_len, &x->norm))
		return error("%s:%zu: the phrase has no word", x->name, l->line);
	uint32_t first = (uint32_t)l->line;
	if (!strmap_put(&x->seen, x->norm.p, x->norm.len, &first))
		return error("%s:%zu: '%.*s' is already listed (line %u)", x->name, l->line,
			     (int)l->phrase_len, l->phrase, first);
	uint32_t payload = (uint32_t)l->cls |
			   (term_rules_capitals(l->phrase, l->phrase_len) ? TERM_UPPER : 0);
	dict_builder_add(&x->b, x->norm.p, x->norm.len, payload, (uint32_t)l->line);
	x->tr->n_phrases++;
	return 0;
}

static int parse(struct term_rules *tr, const char *name, const char *text, size_t len)
{
	struct parse_ctx x;
	memset(&x, 0, sizeof x);
	x.tr = tr;
	x.name = name;
	dict_builder_init(&x.b);
	strmap_init(&x.seen);
	int rc = -1;
	if (lexfile_parse(name, text, len, class_names, TERM_N_CLASSES,
			  "function, unit, numeral, generic, modifier", add_phrase, &x) < 0)
		goto out;
	if (!tr->n_phrases) {
		error("%s: no phrases", name);
		goto out;
	}
	dict_builder_finish(&x.b, &tr->trie);
	/* which words start and end modifier phrases; the longest phrase */
	tr->ends_modifier = xcalloc(tr->trie.n_vocab ? tr->trie.n_vocab : 1, 1);
	tr->starts_modifier = xcalloc(tr->trie.n_vocab ? tr->trie.n_vocab : 1, 1);
	for (size_t i = 0; i < x.b.n_terms; i++) {
		const struct dict_term *t = &x.b.terms[i];
		if ((t->payload & 0xffu) == TERM_MODIFIER) {
			tr->ends_modifier[x.b.pool[t->off + t->n - 1]] = 1;
			tr->starts_modifier[x.b.pool[t->off]] = 1;
		}
		if (t->n > tr->max_tokens)
			tr->max_tokens = t->n;
	}
	tr->hash = XXH3_64bits(text, len);
	rc = 0;
out:
	dict_builder_release(&x.b);
	strmap_release(&x.seen);
	buf_release(&x.norm);
	return rc;
}

int term_rules_load(struct term_rules *tr, const char *path)
{
	memset(tr, 0, sizeof(*tr));
	const char *text;
	size_t len;
	int owned;
	if (lexfile_read(path, TERM_RULES_FILE, &text, &len, &owned) < 0)
		return -1;
	int rc = parse(tr, path ? path : TERM_RULES_FILE, text, len);
	if (owned)
		free((char *)text);
	if (rc < 0)
		term_rules_release(tr);
	return rc;
}

void term_rules_release(struct term_rules *tr)
{
	dict_release(&tr->trie);
	free(tr->ends_modifier);
	free(tr->starts_modifier);
	memset(tr, 0, sizeof(*tr));
}

int term_rules_class(const struct term_rules *tr, const char *norm, size_t n, int upper)
{
	uint32_t ids[16];
	uint8_t join[16];
	size_t k = 0, i = 0, spaces = 0;
	/* most terms are longer than any listed phrase: no lookup then */
	for (size_t j = 0; j < n && spaces < tr->max_tokens; j++)
		spaces += norm[j] == ' ';
	if (spaces >= tr->max_tokens)
		return 0;
	while (i < n) {
		size_t j = i;
		while (j < n && norm[j] != ' ')
			j++;
		if (k == ARRAY_SIZE(ids))
			return 0; /* longer than any listed phrase */
		join[k] = 1;
		ids[k++] = dict_token(&tr->trie, norm + i, j - i);
		i = j + 1;
	}
	if (!k)
		return 0;
	uint32_t payload;
	if (dict_longest(&tr->trie, ids, join, k, &payload) != k)
		return 0;
	if (upper && !(payload & TERM_UPPER))
		return 0;
	return (int)(payload & 0xffu);
}

size_t term_rules_modifier_prefix(const struct term_rules *tr, const char *norm, size_t n)
{
	uint32_t ids[16];
	uint8_t join[16];
	size_t end[16], k = 0, i = 0;
	/* most terms start with no modifier: one lookup says so */
	const char *sp = memchr(norm, ' ', n);
	uint32_t first = dict_token(&tr->trie, norm, sp ? (size_t)(sp - norm) : n);
	if (!sp || first == DICT_NONE || !tr->starts_modifier[first])
		return 0;
	while (i < n && k < ARRAY_SIZE(ids)) {
		size_t j = i;
		while (j < n && norm[j] != ' ')
			j++;
		join[k] = 1;
		end[k] = j;
		ids[k++] = dict_token(&tr->trie, norm + i, j - i);
		i = j + 1;
	}
	size_t t = 0;
	for (;;) {
		uint32_t cls;
		size_t len = dict_longest(&tr->trie, ids + t, join + t, k - t, &cls);
		if (!len || (cls & 0xffu) != TERM_MODIFIER)
			break;
		t += len;
	}
	if (!t || t >= k)
		return 0;
	return end[t - 1] + 1;
}
