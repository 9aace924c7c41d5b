/*
 * lexfile — the project's word lists written as "phrase<TAB>class" lines
 * (data/lexicon/term_rules.tsv, and the same form elsewhere): '#' starts a
 * comment line, blank lines are skipped, trailing blanks and CRs are not
 * significant, several tabs count as one. Each line's class must be one of
 * the caller's.
 *
 * Does not: normalize phrases or build anything (the caller's add does).
 */
#ifndef MEDKG_LEXFILE_H
#define MEDKG_LEXFILE_H

#include <stddef.h>

struct lexfile_line {
	const char *phrase;      /* not NUL terminated */
	size_t phrase_len;
	int cls;                 /* index into the caller's classes, >= 1 */
	size_t line;             /* 1-based */
};

/* Call add(ctx, line) for every line of text[0..len) (name: for messages).
 * classes[1..n_classes) are the class names (classes[0] is unused);
 * class_list is the list the error names. @return 0, or -1 after error()
 * naming name:line (no tab, unknown class) or after add returned -1. */
int lexfile_parse(const char *name, const char *text, size_t len, const char *const *classes,
		  int n_classes, const char *class_list,
		  int (*add)(void *ctx, const struct lexfile_line *l), void *ctx);

/* The text of a word list: the embedded file of that source path when path
 * is NULL, else the file at path (plain or zstd). *owned says whether the
 * caller frees *text. @return 0, or -1 after error(). */
int lexfile_read(const char *path, const char *embedded, const char **text, size_t *len,
		 int *owned);

#endif
