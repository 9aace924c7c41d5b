#include "batch.h"
#include "../common/util.h"

#include <stdlib.h>
#include <string.h>

enum { BATCH_INT, BATCH_TEXT, BATCH_BLOB, BATCH_NULL };

/* "INSERT ... VALUES (?, ?), (?, ?)" for rows rows of cols values. */
static sqlite3_stmt *prepare_rows(struct store *st, const char *insert, int cols, int rows)
{
	struct buf sql = BUF_INIT;
	buf_addf(&sql, "%s VALUES ", insert);
	for (int r = 0; r < rows; r++) {
		buf_adds(&sql, r ? ", (" : "(");
		for (int c = 0; c < cols; c++)
			buf_adds(&sql, c ? ", ?" : "?");
		buf_addc(&sql, ')');
	}
	sqlite3_stmt *s = store_prepare(st, sql.p);
	buf_release(&sql);
	return s;
}

int batch_init(struct batch *b, struct store *st, const char *insert, int cols, int rows_per)
{
	memset(b, 0, sizeof *b);
	b->st = st;
	b->cols = cols;
	b->rows_per = rows_per;
	b->v = xcalloc((size_t)rows_per * (size_t)cols, sizeof *b->v);
	b->one = prepare_rows(st, insert, cols, 1);
	b->many = b->one ? prepare_rows(st, insert, cols, rows_per) : NULL;
	return b->many ? 0 : -1;
}

static struct batch_value *value(struct batch *b, int col)
{
	return &b->v[b->n * b->cols + col];
}

void batch_int(struct batch *b, int col, int64_t v)
{
	*value(b, col) = (struct batch_value){ .i = v, .kind = BATCH_INT };
}

void batch_null(struct batch *b, int col)
{
	*value(b, col) = (struct batch_value){ .kind = BATCH_NULL };
}

void batch_text(struct batch *b, int col, const char *s, int len)
{
	*value(b, col) = (struct batch_value){ .p = s, .len = len < 0 ? (int)strlen(s) : len,
					       .kind = BATCH_TEXT };
}

static void copy(struct batch *b, int col, const void *p, size_t len, uint8_t kind)
{
	*value(b, col) = (struct batch_value){ .off = b->copies.len, .len = (int)len, .kind = kind };
	if (len)
		buf_add(&b->copies, p, len);
}

void batch_text_copy(struct batch *b, int col, const char *s, size_t len)
{
	copy(b, col, s, len, BATCH_TEXT);
}

void batch_blob_copy(struct batch *b, int col, const void *p, size_t len)
{
	copy(b, col, p, len, BATCH_BLOB);
}

/* Bind row row of the batch to parameters first.. of s. */
static void bind_row(struct batch *b, sqlite3_stmt *s, int row, int first)
{
	const char *copies = buf_str(&b->copies);
	for (int c = 0; c < b->cols; c++) {
		const struct batch_value *v = &b->v[row * b->cols + c];
		const char *p = v->p ? v->p : copies + v->off;
		if (v->kind == BATCH_INT)
			sqlite3_bind_int64(s, first + c, v->i);
		else if (v->kind == BATCH_TEXT)
			sqlite3_bind_text(s, first + c, p, v->len, SQLITE_STATIC);
		else if (v->kind == BATCH_NULL)
			sqlite3_bind_null(s, first + c);
		else
			sqlite3_bind_blob(s, first + c, p, v->len, SQLITE_STATIC);
	}
}

int batch_flush(struct batch *b)
{
	int rc = 0, n = b->n;
	if (n == b->rows_per) {
		for (int r = 0; r < n; r++)
			bind_row(b, b->many, r, r * b->cols + 1);
		rc = store_step_done(b->st, b->many);
	} else {
		for (int r = 0; r < n && rc == 0; r++) {
			bind_row(b, b->one, r, 1);
			rc = store_step_done(b->st, b->one);
		}
	}
	if (rc == 0)
		b->written += n;
	b->n = 0;
	buf_reset(&b->copies);
	return rc;
}

int batch_row(struct batch *b)
{
	return ++b->n == b->rows_per ? batch_flush(b) : 0;
}

void batch_release(struct batch *b)
{
	sqlite3_finalize(b->many);
	sqlite3_finalize(b->one);
	free(b->v);
	buf_release(&b->copies);
	memset(b, 0, sizeof *b);
}
