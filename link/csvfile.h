/*
 * csvfile — read a CSV file (plain or zstd) record by record with libcsv,
 * knowing the line each record ends on, for "FILE:LINE: problem" messages.
 *
 * Does not: interpret the fields. Quoted fields may hold commas and quotes;
 * a quoted newline makes a record span lines (the record's line is its last).
 */
#ifndef MEDKG_CSVFILE_H
#define MEDKG_CSVFILE_H

#include <stddef.h>
#include <stdint.h>

/* Called with each record: fields are NUL-terminated, valid during the call.
 * @return 0 to go on, -1 to stop (the callback reported the error). */
typedef int (*csv_record_fn)(void *ctx, char **fields, size_t n, size_t line);

/* Read path, calling fn for each record (the header too). Blank lines are
 * skipped. @return 0, or -1 after error() (a malformed file names its line,
 * or fn returned -1). */
int csvfile_read(const char *path, csv_record_fn fn, void *ctx);
/* Which records csvfile_pick reads: the header, those at the byte offsets
 * at[0..n) (ascending; each the start of a record), and every one from byte
 * offset from on (the start of a record too). *offset, when not NULL, is
 * set before each call of fn to where the record starts. */
struct csv_pick {
	uint64_t from;
	const uint64_t *at;
	size_t n;
	uint64_t *offset;
};
/* The same as csvfile_read for the records pick names; the other lines are
 * passed over unparsed (line numbers still count them). */
int csvfile_pick(const char *path, const struct csv_pick *pick, csv_record_fn fn, void *ctx);

#endif
