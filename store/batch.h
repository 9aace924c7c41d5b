/*
 * batch — rows of one INSERT written many to a statement
 * (INSERT ... VALUES (?, ?), (?, ?), ...): a knowledge load, an extraction
 * or a linking run writes millions of rows, and one statement per row costs
 * about twice as much. A full batch goes in one multi-row statement; the
 * rows left at the end go one statement each, so the rows reach the table
 * in the order they were added (and get the same rowids as row by row).
 *
 * A row's values are set column by column, then batch_row ends it. They are
 * kept until the batch is written: integers; text either borrowed (the
 * caller keeps it valid and unchanged until the next batch_row that writes,
 * or batch_flush) or copied; blobs copied.
 *
 * Usage: batch_init(&b, st, "INSERT INTO t(a, b)", 2, 32); for each row
 * batch_int(&b, 0, a); batch_text(&b, 1, s, -1); batch_row(&b); then
 * batch_flush(&b) and batch_release(&b).
 *
 * Does not: begin or commit transactions (the caller's), or bind
 * floating-point values (no caller needs them yet).
 */
#ifndef MEDKG_STORE_BATCH_H
#define MEDKG_STORE_BATCH_H

#include <stddef.h>
#include <stdint.h>
#include "store.h"
#include "../common/buf.h"

struct batch_value {
	int64_t i;
	const char *p;          /* borrowed text, or NULL: copied at off in copies */
	size_t off;
	int len;                /* bytes of text or blob */
	uint8_t kind;           /* BATCH_INT, BATCH_TEXT, BATCH_BLOB or BATCH_NULL (batch.c) */
};

struct batch {
	struct store *st;
	sqlite3_stmt *many, *one;  /* rows_per * cols parameters, and cols */
	int cols, rows_per, n;     /* n: rows waiting */
	struct batch_value *v;     /* (rows_per, cols) the rows waiting */
	struct buf copies;         /* copied values of the rows waiting */
	int64_t written;           /* rows written so far */
};

/* Prepare insert ("INSERT INTO t(a, b)", "INSERT OR IGNORE ...": everything
 * before VALUES) for rows_per rows of cols values, and for one. @return 0,
 * or -1 after error() (then release b all the same). */
int batch_init(struct batch *b, struct store *st, const char *insert, int cols, int rows_per);
/* Set column col (0-based) of the row being built. */
void batch_int(struct batch *b, int col, int64_t v);
void batch_null(struct batch *b, int col);
/* Borrowed text s[0..len) (len -1: up to its NUL); see above for how long
 * it must stay valid. */
void batch_text(struct batch *b, int col, const char *s, int len);
/* Text or blob copied into the batch. */
void batch_text_copy(struct batch *b, int col, const char *s, size_t len);
void batch_blob_copy(struct batch *b, int col, const void *p, size_t len);
/* End the row; a full batch is written now. @return 0 or -1 after error(). */
int batch_row(struct batch *b);
/* Write the rows waiting. @return 0, or -1 after error(); the rows waiting
 * are dropped either way. */
int batch_flush(struct batch *b);
/* Finalize and free; accepts a zeroed batch. */
void batch_release(struct batch *b);

#endif
