#include "term_rules.h"
#include "../common/buf.h"
#include "../common/embedded.h"
#include "../common/normalize.h"
#include "../common/strmap.h"
#include "../common/util.h"
#include "../common/zio.h"

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

/* Letters of s[0..n) are all capitals, and there are at least two. */
static int all_upper(const char *s, size_t n)
{
	int upper = 0;
	for (size_t i = 0; i < n; i++) {
		if (s[i] >= 'a' && s[i] <= 'z')
			return 0;
		upper += s[i] >= 'A' && s[i] <= 'Z';
	}
	return upper >= 2;
}

static int parse(struct term_rules *tr, const char *name, const char *text, size_t len)
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
		for (int k = 1; k < TERM_N_CLASSES; k++)
			if (strlen(class_names[k]) == (size_t)(e - c) &&
			    !memcmp(class_names[k], c, (size_t)(e - c)))
				cls = k;
		if (!cls) {
			error("%s:%zu: unknown class '%.*s' (function, unit, numeral, generic, modifier)",
			      name, line, (int)(e - c), c);
			goto out;
		}
		buf_reset(&norm);
		if (!text_normalize(q, (size_t)(tab - q), &norm)) {
			error("%s:%zu: the phrase has no word", name, line);
			goto out;
		}
		uint32_t payload = (uint32_t)cls | (all_upper(q, (size_t)(tab - q)) ? TERM_UPPER : 0);
		uint32_t first = (uint32_t)line;
		if (!strmap_put(&seen, norm.p, norm.len, &first)) {
			error("%s:%zu: '%.*s' is already listed (line %u)", name, line, (int)(tab - q), q,
			      first);
			goto out;
		}
		dict_builder_add(&b, norm.p, norm.len, payload, (uint32_t)line);
		tr->n_phrases++;
	}
	if (!tr->n_phrases) {
		error("%s: no phrases", name);
		goto out;
	}
	dict_builder_finish(&b, &tr->trie);
	tr->ends_modifier = xcalloc(tr->trie.n_vocab ? tr->trie.n_vocab : 1, 1);
	tr->starts_modifier = xcalloc(tr->trie.n_vocab ? tr->trie.n_vocab : 1, 1);
	for (size_t i = 0; i < b.n_terms; i++) {
		const struct dict_term *t = &b.terms[i];
		if ((t->payload & 0xffu) == TERM_MODIFIER) {
			tr->ends_modifier[b.pool[t->off + t->n - 1]] = 1;
			tr->starts_modifier[b.pool[t->off]] = 1;
		}
		if (t->n > tr->max_tokens)
			tr->max_tokens = t->n;
	}
	tr->hash = XXH3_64bits(text, len);
	rc = 0;
out:
	dict_builder_release(&b);
	strmap_release(&seen);
	buf_release(&norm);
	return rc;
}

int term_rules_load(struct term_rules *tr, const char *path)
{
	memset(tr, 0, sizeof(*tr));
	if (!path) {
		const struct embedded_file *f = embedded_get(TERM_RULES_FILE);
		if (!f)
			return error("the built-in term rules are missing");
		return parse(tr, TERM_RULES_FILE, f->data, f->size);
	}
	char *text = NULL;
	size_t len = 0;
	if (zfile_slurp(path, &text, &len, 16u << 20) < 0)
		return -1;
	int rc = parse(tr, path, text, len);
	free(text);
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
