/*
 * strlist — NULL-terminated arrays of malloc'd strings, as comma-separated
 * option values become (--sab MSH,SNOMEDCT_US), and the in-place splitting
 * of a delimited line into fields.
 *
 * A list is owned by whoever holds it and freed with strlist_free; every
 * function that takes a list accepts NULL as the empty list.
 *
 * Does not: quote or unquote (a comma always separates), or keep duplicates
 * out (strlist_has is there for callers that care).
 */
#ifndef MEDKG_STRLIST_H
#define MEDKG_STRLIST_H

#include <stddef.h>

/* Parse a comma separated list: items are trimmed of spaces and tabs, empty
 * items dropped. @return a new list (possibly empty, never NULL); the caller
 * frees it with strlist_free. */
char **strlist_parse(const char *s);
/* Append the comma separated items of csv to list (NULL: a new, possibly
 * empty list is made). @return the new list; the old pointer is invalid. */
char **strlist_add_csv(char **list, const char *csv);
/* Append a copy of item to list (may be NULL). @return the new list. */
char **strlist_add(char **list, const char *item);
/* @return the number of items (0 for NULL). */
size_t strlist_len(char *const *list);
/* @return 1 if s is an item of list, else 0. */
int strlist_has(char *const *list, const char *s);
/* Free the items and the array; accepts NULL. */
void strlist_free(char **list);

/* Split s[0..len) at sep into at most max fields, in place (separators
 * become NUL). @return the number of fields found, which may exceed max
 * (only max are stored). "a|b|" gives 3 fields: "a", "b", "". */
int split_fields(char *s, size_t len, char sep, char **fields, int max);
/* s without its leading blanks and tabs, its trailing blanks, tabs and
 * carriage returns cut off in place. @return a pointer into s. */
char *str_trim(char *s);

#endif
