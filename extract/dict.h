/*
 * dict — the dictionary matcher: a trie over token ids of normalized terms,
 * with longest-match lookup, in one flat block of memory that is also its
 * serialized form (so loading it from the store is a decompression, not a
 * rebuild). The same trie holds the context lexicon's triggers (context.h).
 *
 * Layout of the block (little-endian; each array starts on 8 bytes):
 *   header (struct dict_header)
 *   strings   char[n_strbytes]        vocabulary, NUL terminated, by id
 *   str_off   u32[n_vocab + 1]        offset of each token string
 *   slots     u32[n_slots]            hash of token string -> id + 1 (0 empty)
 *   root      u32[n_vocab]            child of the root for token id (0 none)
 *   first     u32[n_nodes + 1]        node i's children are the nodes
 *                                     first[i]..first[i+1]-1 (nodes are
 *                                     numbered breadth first)
 *   tok       u32[n_nodes]            the token leading to node i; sorted
 *                                     among siblings
 *   payload   u32[n_nodes]            DICT_NONE, or the payload of a whole
 *                                     term: the caller's (a trigger class),
 *                                     or in a dictionary of candidates the
 *                                     entry number
 *   cand_first u32[n_entries + 1]     entry e names the candidates
 *                                     cand_first[e]..cand_first[e+1]-1
 *                                     (no entries without candidates)
 *   cands     struct dict_cand[n_cands]  the concepts each entry may name,
 *                                     in the order the caller ranked them
 *   surfaces  char[n_surfbytes]       case patterns of candidates (dict_cand)
 * Built from plain payloads (dict_builder_add), a term that several entries
 * share keeps the one of lowest rank (the caller's tie-break), then lowest
 * payload; built from candidates (dict_builder_add_cand), it keeps every
 * concept once, ordered by rank, then concept. Either way the result never
 * depends on the order terms were added in.
 *
 * A built dictionary is read-only: any number of threads may match at once.
 * Does not: tokenize or normalize text (normalize.h), decide context, or
 * touch the store (dict_store.h builds the extraction dictionary from it
 * and caches it there).
 */
#ifndef MEDKG_DICT_H
#define MEDKG_DICT_H

#include <stddef.h>
#include <stdint.h>
#include "../common/strmap.h"

#define DICT_NONE UINT32_MAX
#define DICT_FORMAT 4

struct dict_header {
	char magic[8];           /* "MKDICT\0\0" */
	uint32_t format;         /* DICT_FORMAT */
	uint32_t n_vocab, n_slots, n_nodes, n_edges, n_entries;
	uint32_t n_cands;        /* 0: plain payloads */
	uint64_t n_strbytes, n_surfbytes;
	uint64_t size;           /* bytes of the whole block */
};

/* A concept an entry may name. surface is DICT_NONE when the term matches
 * text in any case; else the offset in surfaces of its case pattern, one
 * item per normalized token, separated by ' ': "*" any case, "w" lower case
 * or capitalized ("rib", "Rib"; not "RIB"), "x" followed by the token as the
 * knowledge base writes it, to be matched exactly but for a plural or
 * possessive ending ("xAPC" matches "APC", "APCs"). */
struct dict_cand {
	uint32_t concept;
	uint32_t term;           /* terms.id of the knowledge-base term it came from */
	uint32_t surface;
	uint32_t flags;          /* the caller's (dict_store.h: DICT_C_*) */
};

struct dict {
	void *block;             /* owned */
	size_t size;
	const char *strings, *surfaces;
	const uint32_t *str_off, *slots, *root, *first, *tok, *payload, *cand_first;
	const struct dict_cand *cands;
	uint32_t n_vocab, slot_mask, n_nodes, n_edges, n_entries, n_cands;
	uint64_t n_surfbytes;
};

/* Id of a normalized token s[0..n), or DICT_NONE if no term uses it. */
uint32_t dict_token(const struct dict *d, const char *s, size_t n);

/* Longest term starting at ids[0]: ids are token ids (DICT_NONE for unknown
 * tokens), join[i] says whether a term may continue from token i - 1 to
 * token i (join[0] is ignored). @return its length in tokens (0: none) and
 * its payload in *payload. */
size_t dict_longest(const struct dict *d, const uint32_t *ids, const uint8_t *join, size_t n,
		    uint32_t *payload);

/* Every term starting at ids[0] (as dict_longest), shortest first: their
 * lengths in len[k] and payloads in payload[k]. @return how many (at most
 * max; the longest are kept). */
size_t dict_prefixes(const struct dict *d, const uint32_t *ids, const uint8_t *join, size_t n,
		     uint32_t *len, uint32_t *payload, size_t max);

/* Adopt a serialized block (malloc'd; the dict frees it). @return 0, or -1
 * after error() when the block is not a well-formed dictionary (it is then
 * freed). */
int dict_from_block(struct dict *d, void *block, size_t size);
void dict_release(struct dict *d);

/* Building: add normalized terms (tokens joined by single spaces), then
 * finish. A builder takes plain payloads or candidates, not both. */
struct dict_builder {
	struct strmap vocab;     /* token -> id */
	const char **tok_str;    /* id -> token (in the map's arena) */
	uint32_t *tok_len;
	size_t n_tok, cap_tok;
	uint32_t *pool;          /* token ids of every term, back to back */
	size_t n_pool, cap_pool;
	struct dict_term {
		uint64_t off;
		uint32_t n, payload, rank;
		uint32_t concept;    /* candidate builders: the candidate's, for sorting */
	} *terms;
	size_t n_terms, cap_terms;
	struct dict_cand *cands; /* by term (candidate builders) */
	size_t cap_cands;
	char *surf;              /* case patterns, NUL terminated, back to back */
	size_t n_surf, cap_surf;
};

void dict_builder_init(struct dict_builder *b);
/* Add a term; norm[0..n) is already normalized. Terms with no token are
 * ignored. */
void dict_builder_add(struct dict_builder *b, const char *norm, size_t n, uint32_t payload,
		      uint32_t rank);
/* Add a term naming the candidate c (its surface field is ignored: the case
 * pattern is surface[0..surface_len), none when surface is NULL), ranked
 * among the candidates of the same normalized string by rank, then concept.
 * @return 1, or 0 when norm has no token. */
int dict_builder_add_cand(struct dict_builder *b, const char *norm, size_t n,
			  const struct dict_cand *c, uint32_t rank, const char *surface,
			  size_t surface_len);
/* The id of a token the builder holds, or DICT_NONE. */
uint32_t dict_builder_token(const struct dict_builder *b, const char *s, size_t n);
/* Build the trie into d (the builder stays valid, to be released). */
void dict_builder_finish(struct dict_builder *b, struct dict *d);
void dict_builder_release(struct dict_builder *b);

#endif
