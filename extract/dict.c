#define _GNU_SOURCE
#include "dict.h"
#include "../common/util.h"

#include <stdlib.h>
#include <string.h>
#include <xxhash.h>

static const char dict_magic[8] = "MKDICT";

/* ---------------------------------------------------------------- lookup */

static uint64_t tok_hash(const char *s, size_t n)
{
	return XXH3_64bits(s, n);
}

uint32_t dict_token(const struct dict *d, const char *s, size_t n)
{
	uint32_t i = (uint32_t)tok_hash(s, n) & d->slot_mask;
	for (;;) {
		uint32_t v = d->slots[i];
		if (!v)
			return DICT_NONE;
		uint32_t id = v - 1;
		uint32_t a = d->str_off[id], len = d->str_off[id + 1] - a - 1;
		if (len == n && !memcmp(d->strings + a, s, n))
			return id;
		i = (i + 1) & d->slot_mask;
	}
}

/* Children of a node are the nodes first[node]..first[node + 1] - 1 (nodes
 * are numbered breadth first), sorted by the token that leads to them. */
static uint32_t child_of(const struct dict *d, uint32_t node, uint32_t tok)
{
	uint32_t lo = d->first[node], hi = d->first[node + 1];
	while (lo < hi) {
		uint32_t mid = lo + (hi - lo) / 2;
		uint32_t t = d->tok[mid];
		if (t == tok)
			return mid;
		if (t < tok)
			lo = mid + 1;
		else
			hi = mid;
	}
	return 0;
}

size_t dict_prefixes(const struct dict *d, const uint32_t *ids, const uint8_t *join, size_t n,
		     uint32_t *len, uint32_t *payload, size_t max)
{
	if (!n || !max || ids[0] >= d->n_vocab)
		return 0;
	uint32_t node = d->root[ids[0]];
	if (!node)
		return 0;
	size_t k = 0, i = 1;
	for (;;) {
		if (d->payload[node] != DICT_NONE) {
			if (k == max) { /* keep the longest */
				memmove(len, len + 1, (max - 1) * sizeof(*len));
				memmove(payload, payload + 1, (max - 1) * sizeof(*payload));
				k--;
			}
			len[k] = (uint32_t)i;
			payload[k++] = d->payload[node];
		}
		if (i >= n || !join[i] || ids[i] >= d->n_vocab)
			break;
		uint32_t c = child_of(d, node, ids[i]);
		if (!c)
			break;
		node = c;
		i++;
	}
	return k;
}

size_t dict_longest(const struct dict *d, const uint32_t *ids, const uint8_t *join, size_t n,
		    uint32_t *payload)
{
	uint32_t len;
	if (!dict_prefixes(d, ids, join, n, &len, payload, 1)) {
		*payload = DICT_NONE;
		return 0;
	}
	return len;
}

/* ---------------------------------------------------------------- block */

static size_t align8(size_t n)
{
	return (n + 7) & ~(size_t)7;
}

#define N_ARRAYS 10

/* Offsets of the arrays in a block with these counts; @return total size. */
static size_t layout(const struct dict_header *h, size_t off[N_ARRAYS])
{
	size_t p = align8(sizeof(struct dict_header));
	size_t sizes[N_ARRAYS] = {
		h->n_strbytes,
		((size_t)h->n_vocab + 1) * 4,
		(size_t)h->n_slots * 4,
		(size_t)h->n_vocab * 4,
		((size_t)h->n_nodes + 1) * 4,
		(size_t)h->n_nodes * 4,
		(size_t)h->n_nodes * 4,
		h->n_cands ? ((size_t)h->n_entries + 1) * 4 : 0,
		(size_t)h->n_cands * sizeof(struct dict_cand),
		h->n_surfbytes,
	};
	for (int i = 0; i < N_ARRAYS; i++) {
		off[i] = p;
		p = align8(p + sizes[i]);
	}
	return p;
}

static void bind_arrays(struct dict *d)
{
	const struct dict_header *h = d->block;
	size_t off[N_ARRAYS];
	layout(h, off);
	const char *b = d->block;
	d->strings = b + off[0];
	d->str_off = (const uint32_t *)(b + off[1]);
	d->slots = (const uint32_t *)(b + off[2]);
	d->root = (const uint32_t *)(b + off[3]);
	d->first = (const uint32_t *)(b + off[4]);
	d->tok = (const uint32_t *)(b + off[5]);
	d->payload = (const uint32_t *)(b + off[6]);
	d->cand_first = (const uint32_t *)(b + off[7]);
	d->cands = (const struct dict_cand *)(b + off[8]);
	d->surfaces = b + off[9];
	d->n_vocab = h->n_vocab;
	d->slot_mask = h->n_slots - 1;
	d->n_nodes = h->n_nodes;
	d->n_edges = h->n_edges;
	d->n_entries = h->n_entries;
	d->n_cands = h->n_cands;
	d->n_surfbytes = h->n_surfbytes;
}

int dict_from_block(struct dict *d, void *block, size_t size)
{
	memset(d, 0, sizeof(*d));
	const struct dict_header *h = block;
	size_t off[N_ARRAYS];
	if (size < sizeof(*h) || memcmp(h->magic, dict_magic, sizeof dict_magic) ||
	    h->format != DICT_FORMAT || h->size != size || h->n_slots == 0 ||
	    (h->n_slots & (h->n_slots - 1)) || h->n_nodes == 0 || h->n_strbytes > size ||
	    layout(h, off) != size) {
		free(block);
		return error("dictionary block is damaged or of another format");
	}
	d->block = block;
	d->size = size;
	bind_arrays(d);
	/* the bounds every lookup relies on */
	int ok = d->str_off[d->n_vocab] <= h->n_strbytes && d->first[d->n_nodes] == d->n_nodes &&
		 d->first[0] == 1;
	for (uint32_t i = 0; ok && i < d->n_vocab; i++)
		ok = d->root[i] < d->n_nodes && d->str_off[i] < d->str_off[i + 1];
	for (uint32_t i = 0; ok && i < d->n_nodes; i++)
		ok = d->first[i] <= d->first[i + 1] &&
		     (!d->n_cands || d->payload[i] == DICT_NONE || d->payload[i] < d->n_entries);
	if (d->n_cands) {
		ok = ok && d->cand_first[0] == 0 && d->cand_first[d->n_entries] == d->n_cands &&
		     (!d->n_surfbytes || d->surfaces[d->n_surfbytes - 1] == '\0');
		for (uint32_t i = 0; ok && i < d->n_entries; i++)
			ok = d->cand_first[i] < d->cand_first[i + 1];
		for (uint32_t i = 0; ok && i < d->n_cands; i++)
			ok = d->cands[i].surface == DICT_NONE || d->cands[i].surface < d->n_surfbytes;
	}
	/* every slot names a token or none, and one at least is empty: a probe
	 * ends */
	uint32_t used = 0;
	for (uint32_t i = 0; ok && i <= d->slot_mask; i++) {
		ok = d->slots[i] <= d->n_vocab;
		used += d->slots[i] != 0;
	}
	ok = ok && used < h->n_slots;
	if (!ok) {
		dict_release(d);
		return error("dictionary block is damaged");
	}
	return 0;
}

void dict_release(struct dict *d)
{
	free(d->block);
	memset(d, 0, sizeof(*d));
}

/* ---------------------------------------------------------------- build */

void dict_builder_init(struct dict_builder *b)
{
	memset(b, 0, sizeof(*b));
	strmap_init(&b->vocab);
}

void dict_builder_release(struct dict_builder *b)
{
	strmap_release(&b->vocab);
	free(b->tok_str);
	free(b->tok_len);
	free(b->pool);
	free(b->terms);
	free(b->cands);
	free(b->surf);
	memset(b, 0, sizeof(*b));
}

/* Append the term's tokens to the pool. @return how many (0: none). */
static uint32_t add_tokens(struct dict_builder *b, const char *norm, size_t n)
{
	uint32_t count = 0;
	size_t i = 0;
	while (i < n) {
		while (i < n && norm[i] == ' ')
			i++;
		size_t j = i;
		while (j < n && norm[j] != ' ')
			j++;
		if (j == i)
			break;
		uint32_t id = (uint32_t)b->n_tok;
		if (strmap_put(&b->vocab, norm + i, j - i, &id)) {
			XGROW(b->tok_str, b->cap_tok, b->n_tok + 1);
			b->tok_len = xrealloc(b->tok_len, b->cap_tok * sizeof(*b->tok_len));
			b->tok_str[b->n_tok] = strmap_key(&b->vocab, norm + i, j - i);
			b->tok_len[b->n_tok] = (uint32_t)(j - i);
			b->n_tok++;
		}
		XGROW(b->pool, b->cap_pool, b->n_pool + 1);
		b->pool[b->n_pool++] = id;
		count++;
		i = j;
	}
	return count;
}

void dict_builder_add(struct dict_builder *b, const char *norm, size_t n, uint32_t payload,
		      uint32_t rank)
{
	uint64_t off = b->n_pool;
	uint32_t count = add_tokens(b, norm, n);
	if (!count)
		return;
	XGROW(b->terms, b->cap_terms, b->n_terms + 1);
	b->terms[b->n_terms++] = (struct dict_term){ off, count, payload, rank, 0 };
}

int dict_builder_add_cand(struct dict_builder *b, const char *norm, size_t n,
			  const struct dict_cand *c, uint32_t rank, const char *surface,
			  size_t surface_len)
{
	uint64_t off = b->n_pool;
	uint32_t count = add_tokens(b, norm, n);
	if (!count)
		return 0;
	XGROW(b->terms, b->cap_terms, b->n_terms + 1);
	b->terms[b->n_terms] = (struct dict_term){ off, count, (uint32_t)b->n_terms, rank, c->concept };
	if (b->cap_cands < b->cap_terms) {
		b->cap_cands = b->cap_terms;
		b->cands = xrealloc(b->cands, b->cap_cands * sizeof(*b->cands));
	}
	struct dict_cand *x = &b->cands[b->n_terms++];
	*x = *c;
	x->surface = DICT_NONE;
	if (surface) {
		XGROW(b->surf, b->cap_surf, b->n_surf + surface_len + 1);
		x->surface = (uint32_t)b->n_surf;
		memcpy(b->surf + b->n_surf, surface, surface_len);
		b->n_surf += surface_len;
		b->surf[b->n_surf++] = '\0';
	}
	return 1;
}

uint32_t dict_builder_token(const struct dict_builder *b, const char *s, size_t n)
{
	uint32_t id;
	return strmap_get(&b->vocab, s, n, &id) ? id : DICT_NONE;
}

static int cmp_terms(const void *pa, const void *pb, void *ctx)
{
	const struct dict_builder *bd = ctx;
	const struct dict_term *a = pa, *b = pb;
	uint32_t n = a->n < b->n ? a->n : b->n;
	const uint32_t *x = bd->pool + a->off, *y = bd->pool + b->off;
	for (uint32_t i = 0; i < n; i++)
		if (x[i] != y[i])
			return x[i] < y[i] ? -1 : 1;
	if (a->n != b->n)
		return a->n < b->n ? -1 : 1;
	if (a->rank != b->rank)
		return a->rank < b->rank ? -1 : 1;
	if (a->concept != b->concept)
		return a->concept < b->concept ? -1 : 1;
	if (a->payload != b->payload)
		return a->payload < b->payload ? -1 : 1;
	return 0;
}

void dict_builder_finish(struct dict_builder *b, struct dict *d)
{
	qsort_r(b->terms, b->n_terms, sizeof(*b->terms), cmp_terms, b);
	uint32_t max_len = 0;
	for (size_t i = 0; i < b->n_terms; i++)
		if (b->terms[i].n > max_len)
			max_len = b->terms[i].n;
	/* nodes in creation order: parent, token, payload */
	size_t cap = b->n_pool + 1, n_nodes = 1, n_entries = 0;
	uint32_t *parent = xmalloc(cap * sizeof(*parent));
	uint32_t *tok = xmalloc(cap * sizeof(*tok));
	uint32_t *payload = xmalloc(cap * sizeof(*payload));
	uint32_t *path = xmalloc((max_len + 1) * sizeof(*path));
	parent[0] = tok[0] = 0;
	payload[0] = DICT_NONE;
	path[0] = 0;
	/* candidate builders: every distinct concept of an entry, in order */
	int with_cands = b->cands != NULL;
	uint32_t *cfirst_e = with_cands ? xmalloc((b->n_terms + 1) * sizeof(*cfirst_e)) : NULL;
	struct dict_cand *cout = with_cands ? xmalloc((b->n_terms ? b->n_terms : 1) * sizeof(*cout))
					    : NULL;
	size_t n_cands = 0;
	const uint32_t *prev = NULL;
	uint32_t prev_n = 0;
	for (size_t t = 0; t < b->n_terms; t++) {
		const struct dict_term *e = &b->terms[t];
		const uint32_t *seq = b->pool + e->off;
		uint32_t lcp = 0;
		while (prev && lcp < prev_n && lcp < e->n && prev[lcp] == seq[lcp])
			lcp++;
		if (prev && lcp == e->n && lcp == prev_n) {
			/* the same term again: the first (best rank) stays, and in
			 * a candidate dictionary every other concept follows it */
			if (with_cands) {
				const struct dict_cand *c = &b->cands[e->payload];
				size_t k = cfirst_e[n_entries - 1];
				while (k < n_cands && cout[k].concept != c->concept)
					k++;
				if (k == n_cands)
					cout[n_cands++] = *c;
				else if (c->surface == DICT_NONE)
					cout[k].surface = DICT_NONE; /* the least restrictive case */
			}
			continue;
		}
		for (uint32_t k = lcp; k < e->n; k++) {
			parent[n_nodes] = path[k];
			tok[n_nodes] = seq[k];
			payload[n_nodes] = DICT_NONE;
			path[k + 1] = (uint32_t)n_nodes++;
		}
		if (with_cands) {
			payload[path[e->n]] = (uint32_t)n_entries;
			cfirst_e[n_entries] = (uint32_t)n_cands;
			cout[n_cands++] = b->cands[e->payload];
		} else {
			payload[path[e->n]] = e->payload;
		}
		n_entries++;
		prev = seq;
		prev_n = e->n;
	}
	if (with_cands)
		cfirst_e[n_entries] = (uint32_t)n_cands;
	free(path);

	struct dict_header h;
	memset(&h, 0, sizeof h);
	memcpy(h.magic, dict_magic, sizeof dict_magic);
	h.format = DICT_FORMAT;
	h.n_vocab = (uint32_t)b->n_tok;
	h.n_slots = 16;
	while (h.n_slots < 2 * h.n_vocab)
		h.n_slots *= 2;
	h.n_nodes = (uint32_t)n_nodes;
	h.n_edges = (uint32_t)(n_nodes - 1);
	h.n_entries = (uint32_t)n_entries;
	h.n_cands = (uint32_t)n_cands;
	h.n_surfbytes = with_cands ? b->n_surf : 0;
	for (size_t i = 0; i < b->n_tok; i++)
		h.n_strbytes += b->tok_len[i] + 1;
	size_t off[N_ARRAYS];
	h.size = layout(&h, off);
	char *block = xcalloc(1, h.size);
	memcpy(block, &h, sizeof h);
	char *strings = block + off[0];
	uint32_t *str_off = (uint32_t *)(block + off[1]);
	uint32_t *slots = (uint32_t *)(block + off[2]);
	uint32_t *root = (uint32_t *)(block + off[3]);
	uint32_t *first = (uint32_t *)(block + off[4]);
	uint32_t *ntok = (uint32_t *)(block + off[5]);
	uint32_t *pay = (uint32_t *)(block + off[6]);
	if (with_cands) {
		memcpy(block + off[7], cfirst_e, (n_entries + 1) * sizeof(*cfirst_e));
		memcpy(block + off[8], cout, n_cands * sizeof(*cout));
		if (b->n_surf)
			memcpy(block + off[9], b->surf, b->n_surf);
	}
	free(cfirst_e);
	free(cout);
	uint32_t p = 0;
	for (size_t i = 0; i < b->n_tok; i++) {
		str_off[i] = p;
		memcpy(strings + p, b->tok_str[i], b->tok_len[i]);
		p += b->tok_len[i] + 1;
		uint32_t s = (uint32_t)tok_hash(b->tok_str[i], b->tok_len[i]) & (h.n_slots - 1);
		while (slots[s])
			s = (s + 1) & (h.n_slots - 1);
		slots[s] = (uint32_t)i + 1;
	}
	str_off[b->n_tok] = p;
	/* the children of each node (creation order: by token), then the nodes
	 * renumbered breadth first, so that a node's children are consecutive */
	uint32_t *cfirst = xcalloc(n_nodes + 1, sizeof(*cfirst));
	uint32_t *child = xmalloc(n_nodes * sizeof(*child));
	for (size_t c = 1; c < n_nodes; c++)
		cfirst[parent[c] + 1]++;
	for (size_t i = 0; i < n_nodes; i++)
		cfirst[i + 1] += cfirst[i];
	uint32_t *fill = xmalloc(n_nodes * sizeof(*fill));
	memcpy(fill, cfirst, n_nodes * sizeof(*fill));
	for (size_t c = 1; c < n_nodes; c++)
		child[fill[parent[c]]++] = (uint32_t)c;
	free(fill);
	uint32_t *order = xmalloc(n_nodes * sizeof(*order)); /* new id -> old id */
	size_t tail = 1;
	order[0] = 0;
	for (size_t i = 0; i < n_nodes; i++) {
		uint32_t old = order[i];
		first[i] = (uint32_t)tail;
		for (uint32_t e = cfirst[old]; e < cfirst[old + 1]; e++)
			order[tail++] = child[e];
	}
	first[n_nodes] = (uint32_t)tail;
	for (size_t i = 0; i < n_nodes; i++) {
		ntok[i] = tok[order[i]];
		pay[i] = payload[order[i]];
	}
	for (uint32_t c = first[0]; c < first[1]; c++)
		root[ntok[c]] = c;
	free(order);
	free(cfirst);
	free(child);
	free(parent);
	free(tok);
	free(payload);
	memset(d, 0, sizeof(*d));
	d->block = block;
	d->size = h.size;
	bind_arrays(d);
}
