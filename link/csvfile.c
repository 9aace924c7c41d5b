#include "csvfile.h"
#include "../common/buf.h"
#include "../common/util.h"
#include "../common/zio.h"

#include <csv.h>
#include <stdlib.h>
#include <string.h>

struct state {
	csv_record_fn fn;
	void *ctx;
	struct buf fields;    /* the record's fields, NUL separated */
	size_t *off, n, cap;  /* field starts in fields */
	size_t line;
	int failed;
	int in_record;        /* lines fed since the last record ended */
};

static void on_field(void *s, size_t len, void *arg)
{
	struct state *st = arg;
	XGROW(st->off, st->cap, st->n + 1);
	st->off[st->n++] = st->fields.len;
	buf_add(&st->fields, s, len);
	buf_addc(&st->fields, '\0');
}

static void on_record(int c, void *arg)
{
	(void)c;
	struct state *st = arg;
	if (!st->failed && st->n) {
		char *stack[32];
		char **f = st->n <= 32 ? stack : xmalloc(st->n * sizeof(char *));
		for (size_t i = 0; i < st->n; i++)
			f[i] = st->fields.p + st->off[i];
		/* a blank line is one empty field */
		if (!(st->n == 1 && !f[0][0]) && st->fn(st->ctx, f, st->n, st->line) < 0)
			st->failed = 1;
		if (f != stack)
			free(f);
	}
	st->n = 0;
	st->in_record = 0;
	buf_reset(&st->fields);
}

int csvfile_read(const char *path, csv_record_fn fn, void *ctx)
{
	const struct csv_pick all = { 0, NULL, 0, NULL };
	return csvfile_pick(path, &all, fn, ctx);
}

int csvfile_pick(const char *path, const struct csv_pick *pick, csv_record_fn fn, void *ctx)
{
	struct lineio r;
	struct csv_parser p;
	struct state st = { .fn = fn, .ctx = ctx };
	int rc = -1, inited = 0;
	if (lineio_open(&r, path) < 0)
		return -1;
	if (csv_init(&p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
		error("%s: cannot start the CSV parser", path);
		goto out;
	}
	inited = 1;
	char *line;
	size_t len;
	int got;
	size_t next = 0; /* the first of pick->at not passed yet */
	while ((got = lineio_next(&r, &line, &len)) > 0) {
		/* a line outside a record starts one (or is blank) */
		if (!st.in_record) {
			while (next < pick->n && pick->at[next] < r.line_offset)
				next++;
			int wanted = r.lineno == 1 || r.line_offset >= pick->from ||
				     (next < pick->n && pick->at[next] == r.line_offset);
			if (!wanted || len == 0)
				continue;
			if (pick->offset)
				*pick->offset = r.line_offset;
			st.in_record = 1;
		}
		st.line = r.lineno;
		if (csv_parse(&p, line, len, on_field, on_record, &st) != len ||
		    csv_parse(&p, "\n", 1, on_field, on_record, &st) != 1) {
			error("%s:%zu: malformed CSV: %s", path, r.lineno,
			      csv_strerror(csv_error(&p)));
			goto out;
		}
		if (st.failed)
			goto out;
	}
	if (got < 0)
		goto out;
	if (csv_fini(&p, on_field, on_record, &st) != 0) {
		error("%s:%zu: malformed CSV: %s", path, r.lineno, csv_strerror(csv_error(&p)));
		goto out;
	}
	if (st.failed)
		goto out;
	rc = 0;
out:
	if (inited)
		csv_free(&p);
	lineio_close(&r);
	buf_release(&st.fields);
	free(st.off);
	return rc;
}
