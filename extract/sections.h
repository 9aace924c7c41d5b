/*
 * sections — find the sections of a radiology report in its text with PCRE2:
 * FINDINGS, IMPRESSION, INDICATION (also HISTORY, CLINICAL HISTORY, REASON
 * FOR EXAM), COMPARISON and TECHNIQUE (also EXAMINATION), written in upper
 * case or title case ("Findings", "Clinical History"), with a colon, or alone
 * on their line without one. Other upper-case headings with a colon at the
 * start of a line ("NOTIFICATION:") end the section before them and open a
 * section named "other". Text before the first heading is "other" too; a
 * text with no heading at all is one section named "report".
 *
 * The compiled pattern is shared and read-only: safe to use from several
 * threads at once.
 *
 * Does not: split sentences, or decide which sections are searched (the
 * extractor's --sections option does).
 */
#ifndef MEDKG_SECTIONS_H
#define MEDKG_SECTIONS_H

#include <stddef.h>
#include "readers.h"

/* The canonical section name of a heading or label ("FINDINGS", "Clinical
 * History", "findings"; case-insensitive, trailing colon and blanks ignored).
 * @return a static string, or NULL when it names no known section. */
const char *section_canonical(const char *label, size_t n);

/* Find the sections of r->text[start..end) and append them to r (byte
 * offsets, trimmed; empty sections are dropped). @return the number of
 * headings found, or -1 if the pattern failed to run (error reported). */
int sections_detect(struct report *r, size_t start, size_t end);

#endif
