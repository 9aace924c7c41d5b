/*
 * context — NegEx/ConText-style context of concept mentions in a sentence:
 * negated, uncertain (with the strength of the hedge), historical,
 * hypothetical; and findings said of a structure rather than named.
 *
 * Triggers come from a lexicon (the project's own data/context_lexicon.tsv,
 * compiled into medkg, or a file given with --lexicon): one phrase and its
 * class per line. Phrases are normalized like terms and matched over the
 * sentence's tokens with the dictionary trie (longest match first), so
 * "no evidence of" wins over "no", and a pseudo-trigger ("no increase", "not
 * only") hides the trigger it starts with.
 *
 * Scope: a pre-trigger ("no", "without", "clear of", "possible") reaches
 * forward, a post-trigger ("is not seen", "has resolved", "cannot be
 * excluded") backward, over commas and "or"/"and", so a list shares its
 * trigger ("no pneumothorax, effusion, or consolidation" and "the lungs are
 * clear of focal airspace disease, pneumothorax, or pleural effusion" negate
 * all three): it reaches at most CTX_WINDOW tokens past the trigger or past
 * the last mention it reached.
 * A scope ends at the sentence end, at ';', at a terminator ("but",
 * "however", "which", "although", a new clause such as "there is"), and at
 * a comma followed by a word that opens a new clause ("..., the patient"),
 * and at the next negation or uncertainty trigger, which starts its own
 * scope. A mention covered by both a negation and an uncertainty scope is
 * negated. A mention that lies inside a trigger phrase is no mention (the
 * "evidence" of "no evidence of").
 *
 * Alternatives are possible: two findings joined by "or", "and/or" or a
 * slash ("scarring or atelectasis", "atelectasis/airspace disease") are
 * each uncertain, as are mentions written right next to one of them ("or
 * small effusion") and a bare comma list before them ("scarring,
 * atelectasis or infiltrate"), unless negated ("no effusion or
 * pneumothorax").
 *
 * Hedges have a strength, recorded per mention (enum hedge): possible
 * (classes uncertain-*: "possible", "may represent", "suspicious for",
 * "cannot be excluded", "versus", and "probable" itself, as the CheXpert
 * labeller reads it) and probable (classes probable-*: "likely", "consistent
 * with", "compatible with", "most consistent with", "in keeping with"). The
 * polarity follows from it: possible -> uncertain, probable -> affirmed
 * (the report commits to the finding; the CheXpert labeller's convention),
 * definite -> affirmed.
 *
 * Historical (classes historical-*) and hypothetical (hypothetical-*:
 * recommendations and conditions, "correlate clinically for", "follow-up to
 * exclude", "recommend", "if") triggers are tracked apart: they do not
 * negate or hedge, and reach to the next punctuation (historical: the next
 * comma too) or terminator; a hypothetical one ends a negation scope as
 * any trigger does, and stops at the next negation or hedge trigger. A
 * hypothetical mention is never affirmed: it is uncertain unless negated.
 *
 * Predicative findings (context_sentence) come from a table of anatomy and
 * state phrases (data/lexicon/predicates.txt, compiled in): a state ("is
 * mildly enlarged", "are clear") binds to the nearest anatomy phrase before
 * it ("the heart size", "the lungs") at most CTX_PRED_REACH tokens back, with
 * no ';', terminator, other state or punctuation other than a comma between
 * them, and to the anatomy phrases joined to that one by "and", "or" or
 * commas ("heart size and mediastinal contours are normal"); a state with no
 * anatomy before it binds to one starting at most two tokens after it
 * ("normal heart size", "clear lungs", "enlargement of the cardiac
 * silhouette"). Each (anatomy group, state group) pair the table names
 * becomes a mention of its finding, spanning the state phrase, with the
 * row's polarity; a dictionary mention inside that span gives way to it (the
 * qualifier "enlarged"), one reaching beyond it wins instead ("enlarged
 * cardiac silhouette" is already cardiomegaly). Its context is decided from
 * the triggers between the anatomy and the state, and from a trigger that
 * starts before the state and covers it ("is not enlarged"): a negation
 * flips the row's polarity (a denied "normal" is affirmed), a possible hedge
 * makes it uncertain. Triggers outside the binding do not reach it, so "no
 * effusion and the lungs are clear" is no affirmed opacity.
 *
 * Does not: split sentences, find concepts in the dictionary, or judge the
 * experiencer (family history).
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
	CTX_PROB_PRE,            /* probable hedges ("likely", "consistent with") */
	CTX_PROB_POST,
	CTX_PROB_BOTH,
	CTX_HYP_PRE,             /* recommendations, conditions ("correlate clinically for") */
	CTX_HYP_POST,
	CTX_N_CLASSES
};

enum polarity { POL_AFFIRMED = 0, POL_NEGATED, POL_UNCERTAIN };

/* "affirmed", "negated", "uncertain". */
const char *polarity_name(int p);

/* The strength of the hedge on a mention. */
enum hedge { HEDGE_DEFINITE = 0, HEDGE_PROBABLE, HEDGE_POSSIBLE };

/* "definite", "probable", "possible". */
const char *hedge_name(int h);

/* What a phrase of the lexicon's trie is: a trigger, a predicate phrase, or
 * both. The trie holds the longest phrase at a position; a shorter trigger
 * or predicate phrase it starts with is recorded in it, so each role finds
 * its own longest match ("clear of" is a trigger whose first word is the
 * state "clear"). */
struct lex_phrase {
	uint8_t cls, cls_len;    /* trigger class (0: none) and its length in tokens */
	uint8_t role, role_len;  /* PRED_* bits (0: none) and their phrase's length */
	uint8_t state;           /* PRED_STATE: its state group */
	uint32_t anatomy;        /* PRED_ANATOMY: bit set of anatomy groups */
	uint32_t line;           /* the trigger's line in its file (duplicates) */
};
enum { PRED_ANATOMY = 1, PRED_STATE = 2, PRED_CONJ = 4, PRED_BRIDGE = 8 };

/* A finding row of the predicate table. */
struct pred_rule {
	uint8_t anatomy, state;  /* groups */
	uint8_t polarity;        /* enum polarity */
	char **cuis;             /* the finding's CUIs, in order of preference */
	char *name;
	uint32_t concept;        /* resolved (lexicon_resolve); DICT_NONE: not in the store */
};

struct lexicon {
	struct dict trie;        /* payload: index into phr */
	struct lex_phrase *phr;
	size_t n_phr;
	struct pred_rule *rules;
	size_t n_rules, n_resolved;
	char **anatomy_groups, **state_groups; /* names, for messages */
	uint32_t tok_or, tok_and; /* token ids of "or" and "and" (alternatives) */
	uint64_t hash;           /* of the lexicon and the predicate table: part of every
	                            report's hash */
	size_t n_triggers;
};

/* Load the trigger lexicon from path, or the embedded one when path is
 * NULL, and the embedded predicate table. Predicate rules start unresolved.
 * @return 0, or -1 after error() naming file and line (unknown class or
 * kind, empty phrase, a trigger twice, a phrase both anatomy and state, a
 * finding row naming an unknown group). */
int lexicon_load(struct lexicon *lx, const char *path);
void lexicon_release(struct lexicon *lx);

/* Give each predicate rule its concept: the first of its CUIs for which
 * concept_of returns 1 (with *id set); concept_of returns 0 for a CUI it
 * does not know and -1 on error. @return 0, or -1 when concept_of failed. */
int lexicon_resolve(struct lexicon *lx, int (*concept_of)(void *arg, const char *cui,
							  uint32_t *id),
		    void *arg);
/* Unresolve the rules whose concept the dictionary d never yields (its
 * filters left it out: --tui, --sab), so predicative findings obey them. */
void lexicon_restrict(struct lexicon *lx, const struct dict *d);

/* A mention in a sentence, by token index [a, b); context_apply fills the
 * rest. */
struct ctx_mention {
	uint32_t a, b;
	uint8_t polarity;        /* enum polarity */
	uint8_t historical;
	uint8_t hedge;           /* enum hedge */
	uint8_t hypothetical;
	uint8_t drop;            /* inside a trigger phrase: not a mention */
	uint8_t pred;            /* a predicative finding (context_sentence) */
	uint8_t pred_polarity;   /* its row's polarity */
	uint32_t anat;           /* its binding starts at this token */
	uint8_t neg, unc, prob, hyp; /* working state */
};

/* Scratch that context_apply reuses between calls (zero it first; release
 * with context_scratch_release). */
struct ctx_scratch {
	struct ctx_trigger { uint32_t a, b; uint8_t cls, bridge; } *trig;
	size_t cap_trig, n_trig;
	uint32_t *reach;
	size_t cap_reach;
	struct pred_occ { uint32_t a, b, anatomy; uint8_t role, state; } *occ;
	size_t cap_occ, n_occ;
	struct ctx_mention *pm;  /* predicative mentions being built */
	uint32_t *pm_concept;
	size_t cap_pm, n_pm;
};
void context_scratch_release(struct ctx_scratch *s);

/* How far (in tokens) a negation or uncertainty trigger reaches: past the
 * trigger, or past the last mention it reached. */
#define CTX_WINDOW 10
/* How far back (in tokens, between the two phrases) a state looks for its
 * anatomy phrase. */
#define CTX_PRED_REACH 6

/* Decide the context of the mentions m[0..n_m) (in text order, not
 * overlapping) of a sentence of n tokens:
 * lex[i] is token i's id in the lexicon (dict_token on its normalized form),
 * gap[i] what separates it from token i - 1 (enum gap, sentences.h). */
void context_apply(const struct lexicon *lx, const uint32_t *lex, const uint8_t *gap, size_t n,
		   struct ctx_mention *m, size_t n_m, struct ctx_scratch *s);

/* context_apply after adding the sentence's predicative findings: *m and
 * *concept (parallel arrays of *cap entries, grown as needed) hold the
 * dictionary mentions m[0..n_m) and their concepts; the predicative
 * mentions of resolved rules are inserted in text order (several may share
 * a span), and the dictionary mentions they replace removed.
 * @return the number of mentions now in *m. */
size_t context_sentence(const struct lexicon *lx, const uint32_t *lex, const uint8_t *gap,
			size_t n, struct ctx_mention **m, uint32_t **concept, size_t n_m,
			size_t *cap, struct ctx_scratch *s);

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
