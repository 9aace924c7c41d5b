/*
 * linker — the linking rule: which regions a finding mention is tied to,
 * given its sentence. Pure computation over one sentence; link.h runs it
 * over the store.
 *
 * The sentence is tokenized and normalized like all report text
 * (common/normalize.h), and read as a row of items:
 *   - anatomy: the longest lexicon phrase at each token ("left lower lobe",
 *     "base", "costophrenic angles"), or a mention of an anatomy concept
 *     that no phrase covers;
 *   - laterality words ("right", "left", "bilateral");
 *   - finding mentions;
 * split into clauses at ',', ';', ':', parentheses and the lexicon's break
 * words ("and", "with", "but", ...), except inside a mention or a phrase.
 *
 * A laterality word binds to the nearest anatomy in its clause that has both
 * a right and a left region ("left" + "base"); with no such anatomy, to the
 * nearest finding in its clause ("right effusion"). In "A of (the) B" the
 * anatomy is A, with the side of B ("base of the right lung"). Then each
 * finding is
 * linked, first rule that applies:
 *   1. sentence: the nearest anatomy in its clause (distance in tokens; 0
 *      when the anatomy is inside the mention, "left lower lobe pneumonia"),
 *      together with anatomy coordinated with it ("lingula and left lower
 *      lobe");
 *   2. its implied site (knowledge base or lexicon, given by the caller),
 *      on the side of the laterality words bound to it ("right effusion" ->
 *      the right side's regions of the effusion site);
 *   3. sentence: the nearest anatomy of a clause that is coordinated with its
 *      own by ',', "and" or "or" alone, with only findings between them
 *      ("atelectasis and effusion at the left base"), when that anatomy is
 *      in the same body part as its implied site (lungs and pleura;
 *      heart, mediastinum and airway; bones; abdomen) or it has none;
 *   4. its implied site, sided as in 2;
 *   5. default: the whole image.
 * Polarity plays no part: "no effusion at the left base" is linked to the
 * left lower lung zone and stays negated in the store.
 *
 * Does not: read the store, or know about images.
 */
#ifndef MEDKG_LINKER_H
#define MEDKG_LINKER_H

#include <stddef.h>
#include <stdint.h>
#include "atlas.h"
#include "anatomy_lexicon.h"

enum link_method { METHOD_NONE = 0, METHOD_SENTENCE, METHOD_KB, METHOD_LEXICON, METHOD_DEFAULT };
#define N_METHODS 5
/* "sentence", "kb", "lexicon", "default" (the store's names); "" for none. */
const char *link_method_name(enum link_method m);

enum mention_kind { KIND_OTHER = 0, KIND_FINDING, KIND_ANATOMY };

/* One mention of the sentence: filled by the caller, linked by link_sentence. */
struct link_mention {
	uint32_t start, end;        /* byte offsets into the text */
	enum mention_kind kind;
	regmask anatomy;            /* KIND_ANATOMY: the concept's regions */
	regmask site;               /* KIND_FINDING: implied site, 0 if none */
	enum link_method site_method; /* METHOD_KB or METHOD_LEXICON when site */
	/* results, for findings */
	regmask regions;
	enum link_method method;
	enum side side;             /* laterality words bound to it */
};

/* Scratch space reused across sentences; zero it before first use. */
struct link_scratch {
	struct tok *tok;
	size_t cap_tok;
	struct item *item;
	size_t cap_item;
	char *norm;                 /* normalized tokens, NUL separated */
	size_t cap_norm;
};
void link_scratch_release(struct link_scratch *s);

/* Link the findings among m[0..n) in the sentence text[start..end). Mentions
 * must lie inside the sentence; any order. */
void link_sentence(const struct anatomy_lexicon *lx, const char *text, size_t start, size_t end,
		   struct link_mention *m, size_t n, struct link_scratch *s);

/* The regions a piece of text names as anatomy, with laterality applied
 * ("Right lung base" -> right lower lung zone); 0 if none. For concept names. */
regmask link_text_anatomy(const struct anatomy_lexicon *lx, const char *text, size_t n,
			  struct link_scratch *s);

#endif
