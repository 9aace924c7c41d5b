/*
 * context — NegEx/ConText-style context of concept mentions in a sentence:
 * negated, uncertain, historical.
 *
 * Triggers come from a lexicon (the project's own data/context_lexicon.tsv,
 * compiled into medkg, or a file given with --lexicon): one phrase and its
 * class per line. Phrases are normalized like terms and matched over the
 * sentence's tokens with the dictionary trie (longest match first), so
 * "no evidence of" wins over "no", and a pseudo-trigger ("no increase", "not
 * only") hides the trigger it starts with.
 *
 * Scope: a pre-trigger ("no", "without", "possible", "history of") reaches
 * forward, a post-trigger ("is not seen", "has resolved", "cannot be
 * excluded") backward, over commas and "or"/"and", so a list shares its
 * trigger ("no pneumothorax, effusion, or consolidation" negates all three).
 * A scope ends at the sentence end, at ';', at a terminator ("but",
 * "however", "which", "although", a new clause such as "there is"), and at
 * a comma followed by a word that opens a new clause ("..., the patient"),
 * and at the next negation or uncertainty trigger, which starts its own
 * scope.
 * Historical triggers are tracked apart: they neither end nor are ended by
 * negation scopes, and reach only to the next punctuation. A mention covered
 * by both a negation and an uncertainty scope is negated. A mention that lies
 * inside a trigger phrase is no mention (the "evidence" of "no evidence of").
 *
 * Does not: split sentences, find concepts, or judge the experiencer
 * (family history).
 */
#ifndef MEDKG_CONTEXT_H
#define MEDKG_CONTEXT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "dict.h"

enum ctx_class {
	CTX_NEG_PRE = 1,
	CTX_NEG_POST,
	CTX_NEG_BOTH,
	CTX_UNC_PRE,
	CTX_UNC_POST,
	CTX_UNC_BOTH,
	CTX_HIST_PRE,
	CTX_HIST_POST,
	CTX_PSEUDO,
	CTX_TERMINATE,
	CTX_CLAUSE,              /* a word that opens a clause after a comma ("the") */
	CTX_N_CLASSES
};

enum polarity { POL_AFFIRMED = 0, POL_NEGATED, POL_UNCERTAIN };

/* "affirmed", "negated", "uncertain". */
const char *polarity_name(int p);

struct lexicon {
	struct dict trie;        /* payload: enum ctx_class */
	uint64_t hash;           /* of the lexicon text: part of every report's hash */
	size_t n_triggers;
};

/* Load the lexicon from path, or the embedded one when path is NULL.
 * @return 0, or -1 after error() naming file and line (unknown class, empty
 * phrase). */
int lexicon_load(struct lexicon *lx, const char *path);
void lexicon_release(struct lexicon *lx);

/* A mention in a sentence, by token index [a, b); context_apply fills the
 * rest. */
struct ctx_mention {
	uint32_t a, b;
	uint8_t polarity;        /* enum polarity */
	uint8_t historical;
	uint8_t drop;            /* inside a trigger phrase: not a mention */
	uint8_t neg, unc;        /* working state */
};

/* Scratch that context_apply reuses between calls (zero it first; release
 * with context_scratch_release). */
struct ctx_scratch {
	struct ctx_trigger { uint32_t a, b; uint8_t cls; } *trig;
	size_t cap_trig;
	uint32_t *reach;
	size_t cap_reach;
};
void context_scratch_release(struct ctx_scratch *s);

/* How far (in tokens) a negation or uncertainty trigger reaches: past the
 * trigger, or past the last mention it reached. */
#define CTX_WINDOW 10

/* Decide the context of the mentions m[0..n_m) (in text order, not
 * overlapping) of a sentence of n tokens:
 * lex[i] is token i's id in the lexicon (dict_token on its normalized form),
 * gap[i] what separates it from token i - 1 (enum gap, sentences.h). */
void context_apply(const struct lexicon *lx, const uint32_t *lex, const uint8_t *gap, size_t n,
		   struct ctx_mention *m, size_t n_m, struct ctx_scratch *s);

/* The context of a phrase in a text: the text is split into sentences and
 * tokens, the phrase is found by its normalized tokens (first occurrence),
 * and context_apply decides. For evaluations where the phrase is given, as in
 * the NegEx test set. @return 1 with *polarity and *historical set, 0 when
 * the phrase is not in the text. */
int context_of_phrase(const struct lexicon *lx, const char *text, size_t n, const char *phrase,
		      size_t pn, int *polarity, int *historical);

/* Negation scores on the NegEx annotation format (tab separated, header
 * line; columns: number, condition, sentence, Negated/Affirmed/Possible).
 * Rows are split in two halves by position: half[0] the odd rows (1st, 3rd,
 * ...), half[1] the even rows. "Negated" is the positive class. */
struct negation_score {
	int64_t tp, fp, fn, tn, not_found;
	double precision, recall, f1, accuracy;
};
/* Score both halves; when errors is not NULL, print the misclassified rows
 * of half errors_half there. @return 0, or -1 after error(). */
int negation_evaluate(const struct lexicon *lx, const char *path, struct negation_score half[2],
		      FILE *errors, int errors_half);

#endif
