/*
 * extract_params — the extract stage's parameter table (common/params.h)
 * over struct extract_options: report formats and columns, sections, the
 * dictionary's filters, the context lexicon, shards, batches and limits.
 * 'medkg extract' takes its options from it, the configuration's
 * [reports] section its keys and the pipeline its stage key.
 *
 * Does not: read or extract (readers.h, extract.h).
 */
#ifndef MEDKG_EXTRACT_PARAMS_H
#define MEDKG_EXTRACT_PARAMS_H

#include "../common/params.h"
#include "extract.h"

/* Over struct extract_options; defaults: the format from each input, the
 * default columns, findings and impression, every concept, the built-in
 * lexicon, 1000 reports a batch, reports up to 1 MiB. */
extern const struct param_table extract_param_table;

/* A list row's check (struct param's parse): every item of the list field
 * is a section the sectioner knows. @return 0, or -1 with why appended. */
int extract_check_sections(const char *s, void *field, struct buf *why);

#endif
