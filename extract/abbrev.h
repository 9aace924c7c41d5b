/*
 * abbrev — abbreviation definitions in a text, by the algorithm of Schwartz
 * and Hearst ("A simple algorithm for identifying abbreviation definitions
 * in biomedical text", PSB 2003), written from the paper.
 *
 * Candidates are "long form (short form)" and "short form (long form)". The
 * text in parentheses, up to a ';' or ',' inside it, is a short form when it
 * has at most two words and 2 to 10 characters, begins with a letter or
 * digit and holds a letter; otherwise, when the parenthesis holds more, the
 * word before it is tried as the short form and the parenthesis as the long
 * form. The long form is searched in the words before the parenthesis (at
 * most min(|SF| + 5, 2 |SF|) of them, |SF| the short form's characters, in
 * the same sentence and after any bracket or ';' before it): the characters
 * of the short form are matched right to left, each letter or digit to the
 * nearest same character (case ignored) further left in the long form, the
 * first one at the start of a word; the long form starts at that word. It
 * must be longer than the short form, not contain it as a word, and have at
 * most min(|SF| + 5, 2 |SF|) words.
 *
 * Added to the paper's rules, against parentheses that define nothing: a
 * short form needs a capital letter or a digit besides its letters, and no
 * '=', '<', '>', '%' or '+' ("(n = 12)", "(p < 0.05)", "(see below)",
 * "(ii)" are not short forms); in a parenthesis that holds another one,
 * the short form is what comes before the inner one ("(X-ALD (1))"), and
 * the inner one is tried on its own. And for short
 * forms of Latin word order, which the paper's right-to-left matching
 * cannot find: when it fails, a short form of 2 to 4 letters that are the
 * initials of as many words right before the parenthesis, in another
 * order, is accepted ("myotonic dystrophy (DM)", dystrophia myotonica).
 *
 * Does not: decide what the long form means, or find later uses of the
 * short form (extract.c does both).
 */
#ifndef MEDKG_ABBREV_H
#define MEDKG_ABBREV_H

#include <stddef.h>
#include <stdint.h>

struct abbrev_pair {
	uint32_t sf_start, sf_end;   /* bytes of the short form in the text */
	uint32_t lf_start, lf_end;   /* bytes of the long form */
};

/* Definitions whose '(' lies in text[start, end) (one sentence), in text
 * order, appended to (*pairs)[*n..] (grown as needed). The closing ')' may
 * lie after the sentence, up to limit (>= end): a sentence splitter may have
 * cut inside the parenthesis ("(G6PD; EC 1. 1. 1. 49)"). @return how many
 * were found. */
size_t abbrev_find(const char *text, size_t start, size_t end, size_t limit,
		   struct abbrev_pair **pairs, size_t *n, size_t *cap);

#endif
