/*
 * anatomy_lexicon — the anatomy lexicon: which report words name which image
 * regions, which words give laterality or end a clause, which anatomy
 * concepts map to which regions, the implied sites of findings, and which
 * regions of a lateral view show each frontal region. The
 * format is described at the top of data/lexicon/anatomy.txt, which is
 * compiled into medkg and is the default.
 *
 * Phrases and names are stored normalized (common/normalize.h), so they match
 * report text token for token. A lexicon is read-only once loaded.
 *
 * Does not: decide links (linker.h) or touch the store.
 */
#ifndef MEDKG_ANATOMY_LEXICON_H
#define MEDKG_ANATOMY_LEXICON_H

#include <stddef.h>
#include "atlas.h"
#include "../common/strmap.h"

struct anatomy_lexicon {
	struct strmap anatomy;   /* normalized phrase -> regmask */
	struct strmap side;      /* normalized word -> enum side */
	struct strmap brk;       /* normalized word -> 1, or 2 if coordinating */
	struct strmap concept;   /* CUI -> regmask (0: maps to no region) */
	struct strmap site;      /* CUI or normalized name -> regmask */
	latmask lateral[ATLAS_N]; /* frontal region -> its lateral-view regions */
	regmask has_lateral;     /* the frontal regions that have them */
	int max_words;           /* longest anatomy phrase, in tokens */
	size_t n_entries;
	char *path;              /* where it was read from, for messages */
};

/* Load from text[0..n) (path names it in messages: "FILE:LINE: problem").
 * @return 0, or -1 after error(); lx is then released. */
int anatomy_lexicon_parse(struct anatomy_lexicon *lx, const char *path, const char *text, size_t n);
/* Load a file, or the embedded default when path is NULL. @return 0 or -1. */
int anatomy_lexicon_load(struct anatomy_lexicon *lx, const char *path);
void anatomy_lexicon_release(struct anatomy_lexicon *lx);

/* Lookups; key is normalized (phrases) or a CUI. @return 1 if present;
 * anatomy_lexicon_break returns 0, 1 (a break) or 2 (a coordinating break). */
int anatomy_lexicon_phrase(const struct anatomy_lexicon *lx, const char *key, size_t n, regmask *m);
int anatomy_lexicon_side(const struct anatomy_lexicon *lx, const char *key, size_t n, enum side *s);
int anatomy_lexicon_break(const struct anatomy_lexicon *lx, const char *key, size_t n);
int anatomy_lexicon_concept(const struct anatomy_lexicon *lx, const char *cui, regmask *m);
int anatomy_lexicon_site(const struct anatomy_lexicon *lx, const char *key, size_t n, regmask *m);
/* The lateral-view regions of frontal region (an atlas index). @return 1 if
 * the lexicon has them, else 0 (the region is then the whole image on a
 * lateral view). */
int anatomy_lexicon_lateral(const struct anatomy_lexicon *lx, int region, latmask *m);

#endif
