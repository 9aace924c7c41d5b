#define _GNU_SOURCE
#include "readers.h"
#include "sections.h"
#include "../common/util.h"
#include "../common/utf8.h"
#include "../common/walk.h"
#include "../common/zio.h"

#include <csv.h>
#include <dirent.h>
#include <jansson.h>
#include <libxml/xmlreader.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#define DEFAULT_MAX_BYTES (1u << 20)

static const char *const format_names[] = { "auto", "xml", "text", "csv", "json", "jsonl" };

int report_format_parse(const char *name)
{
	for (size_t i = 0; i < ARRAY_SIZE(format_names); i++)
		if (!strcmp(name, format_names[i]))
			return (int)i;
	return -1;
}

const char *report_format_name(enum report_format f)
{
	return (size_t)f < ARRAY_SIZE(format_names) ? format_names[f] : "?";
}

/* ---------------------------------------------------------------- report */

void report_release(struct report *r)
{
	free(r->id);
	free(r->split);
	buf_release(&r->text);
	free(r->sec);
	for (size_t i = 0; i < r->n_images; i++)
		free(r->images[i]);
	free(r->images);
	memset(r, 0, sizeof(*r));
}

static int is_blank(char c)
{
	return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == '\v';
}

void report_add_part(struct report *r, const char *label, const char *text, size_t n)
{
	while (n && is_blank(*text))
		text++, n--;
	while (n && is_blank(text[n - 1]))
		n--;
	if (!n)
		return;
	if (r->text.len)
		buf_add(&r->text, "\n\n", 2);
	size_t start = r->text.len;
	buf_add(&r->text, text, n);
	if (!label) {
		sections_detect(r, start, r->text.len);
		return;
	}
	const char *name = section_canonical(label, strlen(label));
	XGROW(r->sec, r->cap_sec, r->n_sec + 1);
	struct report_section *s = &r->sec[r->n_sec++];
	if (name) {
		snprintf(s->name, sizeof s->name, "%s", name);
	} else {
		size_t k = 0;
		for (const char *p = label; *p && k + 1 < sizeof s->name; p++)
			s->name[k++] = (*p >= 'A' && *p <= 'Z') ? (char)(*p + 32) : *p;
		s->name[k] = '\0';
	}
	s->start = (uint32_t)start;
	s->end = (uint32_t)r->text.len;
}

static void report_add_image(struct report *r, const char *path)
{
	XGROW(r->images, r->cap_images, r->n_images + 1);
	r->images[r->n_images++] = xstrdup(path);
}

/* ---------------------------------------------------------------- reader */

struct reader {
	struct reader_options o;
	enum report_format format;
	char *path;
	int64_t skipped, empty;
	/* a directory tree: its files, sorted, and the next one */
	char **files;
	size_t n_files, next_file;
	char *cur_file;             /* file being read */
	/* XML */
	xmlTextReaderPtr xml;
	struct zfile xz;
	char xml_err[512];
	int xml_err_line;
	/* CSV and JSONL */
	struct lineio lines;
	int lines_open;
	struct csv_parser csv;
	int csv_inited, csv_open, csv_done, at_record_start;
	char **fields;              /* fields of the record being parsed */
	size_t n_fields, n_slots;   /* fields of this record; buffers kept */
	size_t *field_len, *field_cap;
	char **header;
	size_t n_header;
	int id_idx;
	int *text_idx;
	size_t n_text_idx;
	size_t record_line;         /* line where the record being parsed started */
	int record_ready;           /* a complete record waits in fields */
	/* a shard's window (reader_options) over a plain CSV or JSON Lines file:
	 * records before lo are skipped unparsed, reading stops at hi */
	int split, skipping, in_quote;
	int nothing;                /* the window holds none of this input */
	/* JSON */
	json_t *json;
	size_t json_key, json_elem; /* position in the document */
	const char *json_split;
};

/* The files of a report tree (common/walk.h: loops and repeats skipped). */
struct file_list {
	char **v;
	size_t n, cap;
};

static int add_file(void *arg, const char *path, const char *rel, const struct stat *sb)
{
	(void)rel;
	(void)sb; /* a dangling link is kept: opening it says what is wrong */
	struct file_list *l = arg;
	XGROW(l->v, l->cap, l->n + 1);
	l->v[l->n++] = xstrdup(path);
	return 0;
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int has_suffix(const char *s, const char *suf)
{
	size_t n = strlen(s), k = strlen(suf);
	if (n > 4 && !strcmp(s + n - 4, ".zst"))
		n -= 4;
	return n >= k && !strncasecmp(s + n - k, suf, k);
}

static enum report_format format_from_name(const char *path)
{
	if (has_suffix(path, ".xml"))
		return FORMAT_XML;
	if (has_suffix(path, ".txt"))
		return FORMAT_TEXT;
	if (has_suffix(path, ".csv"))
		return FORMAT_CSV;
	if (has_suffix(path, ".jsonl") || has_suffix(path, ".ndjson"))
		return FORMAT_JSONL;
	if (has_suffix(path, ".json"))
		return FORMAT_JSON;
	return FORMAT_AUTO;
}

/* The format from the first bytes: '<' XML; '{' JSON Lines when the first
 * line is a whole object, else JSON; '[' JSON; anything else CSV. */
static int format_from_content(const char *path, enum report_format *f)
{
	struct lineio li;
	if (lineio_open(&li, path) < 0)
		return -1;
	char *line;
	size_t len;
	int got = lineio_next(&li, &line, &len);
	*f = FORMAT_CSV;
	if (got > 0) {
		size_t i = 0;
		while (i < len && is_blank(line[i]))
			i++;
		if (i < len && line[i] == '<') {
			*f = FORMAT_XML;
		} else if (i < len && line[i] == '[') {
			*f = FORMAT_JSON;
		} else if (i < len && line[i] == '{') {
			json_t *j = json_loadb(line, len, 0, NULL);
			*f = j && json_is_object(j) ? FORMAT_JSONL : FORMAT_JSON;
			json_decref(j);
		}
	}
	lineio_close(&li);
	return got < 0 ? -1 : 0;
}

/* Report a problem with the input: an error, or in lenient mode a warning
 * and a counted skip. @return -1 (error) or 0 (skip). */
static int bad(struct reader *rd, const char *fmt, ...) MK_PRINTF(2, 3);
static int bad(struct reader *rd, const char *fmt, ...)
{
	char msg[1024];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (!rd->o.lenient)
		return error("%s", msg);
	warning("%s (skipped)", msg);
	rd->skipped++;
	return 0;
}

/* Check a finished report. @return 1 to hand it out, 0 to skip it, -1 error. */
static int check_report(struct reader *rd, struct report *r)
{
	const char *file = r->file ? r->file : rd->path;
	char where[64] = "";
	if (r->line)
		snprintf(where, sizeof where, ":%zu", r->line);
	if (!r->id || !r->id[0]) {
		int rc = bad(rd, "%s%s: report without an id", file, where);
		return rc < 0 ? -1 : 0;
	}
	size_t at;
	if (r->text.len > rd->o.max_bytes) {
		int rc = bad(rd, "%s%s: report %s is %zu bytes, over the limit of %zu (--max-bytes)",
			     file, where, r->id, r->text.len, rd->o.max_bytes);
		return rc < 0 ? -1 : 0;
	}
	if (r->text.len && !utf8_valid(r->text.p, r->text.len, &at)) {
		int rc = bad(rd, "%s%s: report %s: %s at byte %zu of its text", file, where, r->id,
			     r->text.p[at] ? "invalid UTF-8" : "NUL byte", at);
		return rc < 0 ? -1 : 0;
	}
	if (!utf8_valid(r->id, strlen(r->id), &at)) {
		int rc = bad(rd, "%s%s: report id is not valid UTF-8", file, where);
		return rc < 0 ? -1 : 0;
	}
	if (r->n_sec == 0) {
		rd->empty++;
		debug("%s%s: report %s is empty (skipped)", file, where, r->id);
		return 0;
	}
	return 1;
}

/* ---------------------------------------------------------------- XML */

static void xml_error(void *arg, xmlErrorPtr e)
{
	struct reader *rd = arg;
	/* an entity the document does not define would vanish from the text */
	int entity = e && (e->code == XML_WAR_UNDECLARED_ENTITY ||
			   e->code == XML_ERR_UNDECLARED_ENTITY);
	if (!rd->xml_err[0] && e && (e->level >= XML_ERR_ERROR || entity)) {
		snprintf(rd->xml_err, sizeof rd->xml_err, "%s", e->message ? e->message : "error");
		size_t n = strlen(rd->xml_err);
		while (n && (rd->xml_err[n - 1] == '\n' || rd->xml_err[n - 1] == ' '))
			rd->xml_err[--n] = '\0';
		rd->xml_err_line = e->line;
	}
}

static int xml_read_cb(void *ctx, char *buf, int len)
{
	ssize_t n = zfile_read(ctx, buf, (size_t)len);
	return n < 0 ? -1 : (int)n;
}

static int xml_close_cb(void *ctx)
{
	(void)ctx;
	return 0;
}

static void xml_close(struct reader *rd)
{
	if (rd->xml) {
		xmlFreeTextReader(rd->xml);
		rd->xml = NULL;
	}
	zfile_close(&rd->xz);
}

static int xml_open(struct reader *rd, const char *file)
{
	if (zfile_open(&rd->xz, file) < 0)
		return -1;
	rd->xml_err[0] = '\0';
	rd->xml = xmlReaderForIO(xml_read_cb, xml_close_cb, &rd->xz, file, NULL,
				 XML_PARSE_NONET | XML_PARSE_NOWARNING | XML_PARSE_NOERROR);
	if (!rd->xml) {
		zfile_close(&rd->xz);
		return error("%s: cannot start the XML reader", file);
	}
	xmlTextReaderSetStructuredErrorHandler(rd->xml, xml_error, rd);
	return 0;
}

static char *xml_attr(xmlTextReaderPtr x, const char *name)
{
	xmlChar *v = xmlTextReaderGetAttribute(x, (const xmlChar *)name);
	if (!v)
		return NULL;
	char *s = xstrdup((const char *)v);
	xmlFree(v);
	return s;
}

/* The next eCitation of the open XML file. @return 1, 0 at its end, -1. */
static int xml_next_in_file(struct reader *rd, struct report *r)
{
	const char *file = rd->cur_file;
	int in_report = 0, ret;
	while ((ret = xmlTextReaderRead(rd->xml)) == 1 && !rd->xml_err[0]) {
		int type = xmlTextReaderNodeType(rd->xml);
		if (type == XML_READER_TYPE_ENTITY_REFERENCE) {
			/* declared in the document, never expanded (an external one
			 * would be a file read): the report would lose its text */
			snprintf(rd->xml_err, sizeof rd->xml_err, "entity &%s; is not expanded: medkg "
				 "reads no entity declared in the document",
				 (const char *)xmlTextReaderConstName(rd->xml));
			rd->xml_err_line = (int)xmlGetLineNo(xmlTextReaderCurrentNode(rd->xml));
			break;
		}
		const char *name = (const char *)xmlTextReaderConstLocalName(rd->xml);
		if (!name)
			continue;
		if (type == XML_READER_TYPE_END_ELEMENT) {
			if (in_report && !strcmp(name, "eCitation"))
				return 1;
			continue;
		}
		if (type != XML_READER_TYPE_ELEMENT)
			continue;
		if (!strcmp(name, "eCitation")) {
			report_release(r);
			r->file = file;
			r->line = (size_t)xmlTextReaderGetParserLineNumber(rd->xml);
			in_report = 1;
			if (xmlTextReaderIsEmptyElement(rd->xml))
				return 1;
		} else if (!strcmp(name, "uId") && in_report) {
			free(r->id);
			r->id = xml_attr(rd->xml, "id");
		} else if (!strcmp(name, "AbstractText") && in_report) {
			char *label = xml_attr(rd->xml, "Label");
			xmlChar *s = xmlTextReaderReadString(rd->xml);
			if (s) {
				report_add_part(r, label ? label : NULL, (const char *)s,
						strlen((const char *)s));
				xmlFree(s);
			}
			free(label);
		} else if (!strcmp(name, "parentImage") && in_report) {
			char *id = xml_attr(rd->xml, "id");
			if (id)
				report_add_image(r, id);
			free(id);
		}
	}
	if (ret < 0 || rd->xml_err[0]) {
		if (rd->xml_err[0])
			error("%s:%d: malformed XML: %s", file, rd->xml_err_line, rd->xml_err);
		else
			error("%s: malformed XML", file);
		return -1;
	}
	if (in_report)
		return error("%s: malformed XML: unterminated eCitation", file);
	return 0;
}

/* ---------------------------------------------------------------- text */

static int text_read(struct reader *rd, const char *file, struct report *r)
{
	char *data = NULL;
	size_t len = 0;
	if (zfile_slurp(file, &data, &len, rd->o.max_bytes * 4 + 1) < 0)
		return -1;
	report_release(r);
	r->file = file;
	r->line = 1;
	const char *base = strrchr(file, '/');
	base = base ? base + 1 : file;
	size_t n = strlen(base);
	if (n > 4 && !strcmp(base + n - 4, ".zst"))
		n -= 4;
	if (n > 4 && !strncasecmp(base + n - 4, ".txt", 4))
		n -= 4;
	r->id = xstrndup(base, n);
	if (memchr(data, '\0', len)) {
		/* keep the NUL in the text so that the check reports it */
		buf_add(&r->text, data, len);
		XGROW(r->sec, r->cap_sec, 1);
		r->n_sec = 1;
		snprintf(r->sec[0].name, sizeof r->sec[0].name, "report");
		r->sec[0].start = 0;
		r->sec[0].end = (uint32_t)len;
	} else if (len > rd->o.max_bytes || !utf8_valid(data, len, NULL)) {
		buf_add(&r->text, data, len); /* reported by check_report */
		r->n_sec = 0;
		XGROW(r->sec, r->cap_sec, 1);
		r->n_sec = 1;
		snprintf(r->sec[0].name, sizeof r->sec[0].name, "report");
		r->sec[0].start = 0;
		r->sec[0].end = (uint32_t)len;
	} else {
		report_add_part(r, NULL, data, len);
	}
	free(data);
	return 1;
}

/* ---------------------------------------------------------------- CSV */

static void csv_field(void *s, size_t len, void *arg)
{
	struct reader *rd = arg;
	size_t i = rd->n_fields;
	if (i == rd->n_slots) {
		/* field buffers are kept from record to record */
		size_t cap = rd->n_slots ? rd->n_slots * 2 : 16;
		rd->fields = xrealloc(rd->fields, cap * sizeof(*rd->fields));
		rd->field_len = xrealloc(rd->field_len, cap * sizeof(*rd->field_len));
		rd->field_cap = xrealloc(rd->field_cap, cap * sizeof(*rd->field_cap));
		for (size_t k = rd->n_slots; k < cap; k++) {
			rd->fields[k] = NULL;
			rd->field_cap[k] = 0;
		}
		rd->n_slots = cap;
	}
	if (!s)
		len = 0;
	if (len + 1 > rd->field_cap[i]) {
		rd->field_cap[i] = len + 1 + len / 2;
		rd->fields[i] = xrealloc(rd->fields[i], rd->field_cap[i]);
	}
	if (len)
		memcpy(rd->fields[i], s, len);
	rd->fields[i][len] = '\0';
	rd->field_len[i] = len;
	rd->n_fields++;
}

static void csv_record(int c, void *arg)
{
	(void)c;
	struct reader *rd = arg;
	rd->record_ready = 1;
	rd->at_record_start = 1;
}

static void fields_clear(struct reader *rd)
{
	rd->n_fields = 0;
	rd->record_ready = 0;
}

static int find_col(struct reader *rd, const char *name)
{
	for (size_t i = 0; i < rd->n_header; i++)
		if (!strcasecmp(rd->header[i], name))
			return (int)i;
	return -1;
}

static int csv_columns(struct reader *rd)
{
	const char *file = rd->path;
	struct buf cols = BUF_INIT;
	for (size_t i = 0; i < rd->n_header; i++)
		buf_addf(&cols, "%s%s", i ? ", " : "", rd->header[i]);
	int rc = -1;
	if (rd->o.id_col) {
		rd->id_idx = find_col(rd, rd->o.id_col);
		if (rd->id_idx < 0) {
			error("%s:1: no column '%s' for the id (columns: %s)", file, rd->o.id_col, cols.p);
			goto out;
		}
	} else {
		static const char *const ids[] = { "id", "uid", "report_id", "study_id" };
		rd->id_idx = -1;
		for (size_t i = 0; i < ARRAY_SIZE(ids) && rd->id_idx < 0; i++)
			rd->id_idx = find_col(rd, ids[i]);
		if (rd->id_idx < 0)
			rd->id_idx = 0;
	}
	if (rd->o.text_cols) {
		for (size_t i = 0; rd->o.text_cols[i]; i++) {
			int k = find_col(rd, rd->o.text_cols[i]);
			if (k < 0) {
				error("%s:1: no column '%s' for the text (columns: %s)", file,
				      rd->o.text_cols[i], cols.p);
				goto out;
			}
			rd->text_idx = xrealloc(rd->text_idx, (rd->n_text_idx + 1) * sizeof(int));
			rd->text_idx[rd->n_text_idx++] = k;
		}
	} else {
		/* findings and impression when present (ARL's choice), else the
		 * first of report / text */
		int f = find_col(rd, "findings"), im = find_col(rd, "impression");
		rd->text_idx = xmalloc(2 * sizeof(int));
		if (f >= 0)
			rd->text_idx[rd->n_text_idx++] = f;
		if (im >= 0)
			rd->text_idx[rd->n_text_idx++] = im;
		if (!rd->n_text_idx) {
			int k = find_col(rd, "report");
			if (k < 0)
				k = find_col(rd, "text");
			if (k < 0) {
				error("%s:1: no findings, impression, report or text column: name "
				      "the text with --text-col (columns: %s)", file, cols.p);
				goto out;
			}
			rd->text_idx[rd->n_text_idx++] = k;
		}
	}
	rc = 0;
out:
	buf_release(&cols);
	return rc;
}

/* Feed lines to libcsv until a record is complete. @return 1 with a record
 * in rd->fields, 0 at the end, -1 on error. */
static int csv_next_record(struct reader *rd)
{
	fields_clear(rd);
	while (!rd->record_ready) {
		if (rd->csv_done)
			return 0;
		char *line;
		size_t len;
		int got = lineio_next(&rd->lines, &line, &len);
		if (got < 0)
			return -1;
		if (got == 0) {
			rd->csv_done = 1;
			if (csv_fini(&rd->csv, csv_field, csv_record, rd) != 0) {
				rd->csv_open = 0;
				return error("%s:%zu: unclosed quote in the record that starts at line "
					     "%zu (it runs to the end of the file)",
					     rd->path, rd->lines.lineno, rd->record_line);
			}
			rd->csv_open = 0;
			return rd->record_ready;
		}
		if (rd->split && (rd->skipping || rd->at_record_start)) {
			int64_t off = (int64_t)rd->lines.line_offset;
			if (!rd->skipping && off >= rd->o.hi) {
				rd->csv_done = 1;
				rd->csv_open = 0;
				return 0;
			}
			if (rd->skipping || off < rd->o.lo) {
				/* not parsed: only where the record ends matters */
				for (const char *q = line; (q = memchr(q, '"', (size_t)(line + len - q)));
				     q++)
					rd->in_quote = !rd->in_quote;
				rd->skipping = rd->in_quote;
				continue;
			}
		}
		if (rd->at_record_start && len) {
			rd->record_line = rd->lines.lineno;
			rd->at_record_start = 0;
		}
		if (csv_parse(&rd->csv, line, len, csv_field, csv_record, rd) != len ||
		    csv_parse(&rd->csv, "\n", 1, csv_field, csv_record, rd) != 1)
			return error("%s:%zu: malformed CSV: %s", rd->path, rd->lines.lineno,
				     csv_strerror(csv_error(&rd->csv)));
	}
	return 1;
}

static int csv_open_reader(struct reader *rd)
{
	if (lineio_open(&rd->lines, rd->path) < 0)
		return -1;
	rd->lines_open = 1;
	if (csv_init(&rd->csv, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0)
		return error("%s: cannot start the CSV parser", rd->path);
	/* libcsv grows a field by this much at a time: large steps keep a
	 * megabyte field from costing a quadratic number of copies */
	csv_set_blk_size(&rd->csv, 1u << 20);
	rd->csv_inited = rd->csv_open = rd->at_record_start = 1;
	int got = csv_next_record(rd);
	if (got <= 0)
		return got < 0 ? -1 : error("%s: empty CSV file (expected a header line)", rd->path);
	/* the header keeps the buffers of its fields */
	rd->header = rd->fields;
	rd->n_header = rd->n_fields;
	for (size_t i = rd->n_header; i < rd->n_slots; i++)
		free(rd->header[i]);
	free(rd->field_len);
	free(rd->field_cap);
	rd->fields = NULL;
	rd->field_len = rd->field_cap = NULL;
	rd->n_fields = rd->n_slots = 0;
	rd->record_ready = 0;
	rd->split = rd->o.windowed && !rd->lines.z.is_zstd && strcmp(rd->path, "-");
	return csv_columns(rd);
}

static int csv_next(struct reader *rd, struct report *r)
{
	for (;;) {
		int got = csv_next_record(rd);
		if (got <= 0)
			return got;
		if (rd->n_fields != rd->n_header) {
			if (bad(rd, "%s:%zu: expected %zu fields, found %zu", rd->path, rd->record_line,
				rd->n_header, rd->n_fields) < 0)
				return -1;
			continue;
		}
		report_release(r);
		r->file = rd->path;
		r->line = rd->record_line;
		r->id = xstrdup(rd->fields[rd->id_idx]);
		for (size_t i = 0; i < rd->n_text_idx; i++) {
			int k = rd->text_idx[i];
			const char *label = section_canonical(rd->header[k], strlen(rd->header[k]));
			if (label && !strcmp(label, "report"))
				label = NULL;
			if (!utf8_valid(rd->fields[k], rd->field_len[k], NULL)) {
				/* keep it whole so that the check names the problem */
				buf_add(&r->text, rd->fields[k], rd->field_len[k]);
				XGROW(r->sec, r->cap_sec, r->n_sec + 1);
				r->sec[r->n_sec].start = 0;
				r->sec[r->n_sec].end = (uint32_t)r->text.len;
				snprintf(r->sec[r->n_sec].name, sizeof r->sec[0].name, "report");
				r->n_sec++;
				break;
			}
			report_add_part(r, label, rd->fields[k], rd->field_len[k]);
		}
		return 1;
	}
}

/* ---------------------------------------------------------------- JSON */

static size_t json_read_cb(void *buffer, size_t buflen, void *data)
{
	ssize_t n = zfile_read(data, buffer, buflen);
	return n < 0 ? (size_t)-1 : (size_t)n;
}

static char *json_scalar(json_t *v)
{
	if (json_is_string(v))
		return xstrndup(json_string_value(v), json_string_length(v));
	if (json_is_integer(v)) {
		char tmp[32];
		snprintf(tmp, sizeof tmp, "%lld", (long long)json_integer_value(v));
		return xstrdup(tmp);
	}
	return NULL;
}

/* Fill r from one report object. @return 1, 0 to skip, -1 on error. */
static int json_report(struct reader *rd, json_t *obj, const char *split, struct report *r,
		       size_t line)
{
	report_release(r);
	r->file = rd->path;
	r->line = line;
	if (!json_is_object(obj))
		return bad(rd, "%s:%zu: expected a report object", rd->path, line) < 0 ? -1 : 0;
	const char *idk = rd->o.id_col ? rd->o.id_col : "id";
	r->id = json_scalar(json_object_get(obj, idk));
	static const char *const defaults[] = { "report", "text", NULL };
	const char *const *keys = rd->o.text_cols ? (const char *const *)rd->o.text_cols : defaults;
	int any = 0;
	for (size_t i = 0; keys[i]; i++) {
		json_t *v = json_object_get(obj, keys[i]);
		if (!v)
			continue;
		if (!json_is_string(v))
			return bad(rd, "%s:%zu: '%s' is not a string", rd->path, line, keys[i]) < 0 ? -1 : 0;
		any = 1;
		const char *label = section_canonical(keys[i], strlen(keys[i]));
		if (label && !strcmp(label, "report"))
			label = NULL;
		const char *s = json_string_value(v);
		size_t n = json_string_length(v);
		if (memchr(s, '\0', n)) {
			buf_add(&r->text, s, n); /* reported by check_report */
			XGROW(r->sec, r->cap_sec, r->n_sec + 1);
			r->sec[r->n_sec].start = 0;
			r->sec[r->n_sec].end = (uint32_t)n;
			snprintf(r->sec[r->n_sec].name, sizeof r->sec[0].name, "report");
			r->n_sec++;
			break;
		}
		report_add_part(r, label, s, n);
		if (!rd->o.text_cols)
			break; /* "report", or else "text" */
	}
	if (!any && rd->o.text_cols)
		return bad(rd, "%s:%zu: report %s has no key '%s'", rd->path, line,
			   r->id ? r->id : "?", rd->o.text_cols[0]) < 0 ? -1 : 0;
	json_t *imgs = json_object_get(obj, "image_path");
	if (json_is_array(imgs)) {
		size_t k;
		json_t *v;
		json_array_foreach(imgs, k, v)
			if (json_is_string(v))
				report_add_image(r, json_string_value(v));
	} else if (json_is_string(imgs)) {
		report_add_image(r, json_string_value(imgs));
	}
	json_t *sp = json_object_get(obj, "split");
	if (json_is_string(sp))
		r->split = xstrdup(json_string_value(sp));
	else if (split)
		r->split = xstrdup(split);
	return 1;
}

static int json_open_reader(struct reader *rd)
{
	struct zfile z;
	if (zfile_open(&z, rd->path) < 0)
		return -1;
	json_error_t err;
	rd->json = json_load_callback(json_read_cb, &z, 0, &err);
	zfile_close(&z);
	if (!rd->json)
		return error("%s:%d: invalid JSON: %s", rd->path, err.line, err.text);
	if (!json_is_object(rd->json) && !json_is_array(rd->json))
		return error("%s: expected an object of splits or an array of reports", rd->path);
	return 0;
}

static int json_next(struct reader *rd, struct report *r)
{
	for (;;) {
		json_t *arr = rd->json;
		const char *split = NULL;
		if (json_is_object(rd->json)) {
			/* the splits, in document order */
			void *it = json_object_iter(rd->json);
			for (size_t k = 0; it && k < rd->json_key; k++)
				it = json_object_iter_next(rd->json, it);
			if (!it)
				return 0;
			split = json_object_iter_key(it);
			arr = json_object_iter_value(it);
			if (!json_is_array(arr)) {
				rd->json_key++;
				rd->json_elem = 0;
				continue;
			}
		}
		if (rd->json_elem >= json_array_size(arr)) {
			if (json_is_array(rd->json))
				return 0;
			rd->json_key++;
			rd->json_elem = 0;
			continue;
		}
		json_t *obj = json_array_get(arr, rd->json_elem++);
		int rc = json_report(rd, obj, split, r, 0);
		if (rc != 0)
			return rc;
	}
}

static int jsonl_next(struct reader *rd, struct report *r)
{
	for (;;) {
		char *line;
		size_t len;
		int got = lineio_next(&rd->lines, &line, &len);
		if (got <= 0)
			return got;
		if (rd->split) {
			int64_t off = (int64_t)rd->lines.line_offset;
			if (off >= rd->o.hi)
				return 0;
			if (off < rd->o.lo)
				continue;
		}
		size_t i = 0;
		while (i < len && is_blank(line[i]))
			i++;
		if (i == len)
			continue;
		json_error_t err;
		json_t *obj = json_loadb(line, len, JSON_ALLOW_NUL, &err);
		if (!obj) {
			if (bad(rd, "%s:%zu: invalid JSON: %s", rd->path, rd->lines.lineno, err.text) < 0)
				return -1;
			continue;
		}
		int rc = json_report(rd, obj, NULL, r, rd->lines.lineno);
		json_decref(obj);
		if (rc != 0)
			return rc;
	}
}

/* The report files of tree path, sorted, of the format *f names (or, for
 * FORMAT_AUTO, of the one kind it holds: *f is set). @return 0, or -1 after
 * error(). */
static int tree_files(const char *path, enum report_format *f, char ***files, size_t *n)
{
	struct file_list fl = { NULL, 0, 0 };
	int walked = walk_tree(path, NULL, 0, add_file, &fl);
	char **all = fl.v;
	size_t n_all = fl.n, kept = 0;
	int rc = -1;
	*files = NULL;
	*n = 0;
	if (walked < 0)
		goto out;
	qsort(all, n_all, sizeof(*all), cmp_str);
	size_t n_xml = 0, n_txt = 0;
	for (size_t i = 0; i < n_all; i++) {
		n_xml += has_suffix(all[i], ".xml");
		n_txt += has_suffix(all[i], ".txt");
	}
	if (*f == FORMAT_AUTO) {
		if (n_xml && n_txt) {
			error("%s: holds both .xml and .txt files: choose with --format", path);
			goto out;
		}
		*f = n_xml ? FORMAT_XML : FORMAT_TEXT;
	}
	if (*f != FORMAT_XML && *f != FORMAT_TEXT) {
		error("%s: a directory is read as a tree of .xml or .txt files, not %s", path,
		      report_format_name(*f));
		goto out;
	}
	const char *want = *f == FORMAT_XML ? ".xml" : ".txt";
	for (size_t i = 0; i < n_all; i++) {
		char *file = all[i];
		all[i] = NULL;
		if (has_suffix(file, want))
			all[kept++] = file;
		else
			free(file);
	}
	if (!kept)
		warning("%s: no %s files found", path, want);
	*files = all;
	*n = kept;
	all = NULL;
	rc = 0;
out:
	for (size_t i = kept; all && i < n_all; i++)
		free(all[i]);
	free(all);
	return rc;
}

static int64_t file_size(const char *path)
{
	struct stat sb;
	return stat(path, &sb) == 0 ? (int64_t)sb.st_size : 0;
}

/* Keep the files of a tree that start inside the window. */
static void window_files(struct reader *rd)
{
	int64_t at = 0;
	size_t kept = 0;
	for (size_t i = 0; i < rd->n_files; i++) {
		int64_t size = file_size(rd->files[i]);
		if (at >= rd->o.lo && at < rd->o.hi)
			rd->files[kept++] = rd->files[i];
		else
			free(rd->files[i]);
		at += size;
	}
	rd->n_files = kept;
}

int reader_input_size(const char *path, const struct reader_options *o, int64_t *size)
{
	struct stat sb;
	*size = 0;
	if (!strcmp(path, "-"))
		return 0;
	if (stat(path, &sb) != 0)
		return error("%s: no such file or directory", path);
	if (!S_ISDIR(sb.st_mode)) {
		*size = (int64_t)sb.st_size;
		return 0;
	}
	enum report_format f = o->format;
	char **files;
	size_t n;
	if (tree_files(path, &f, &files, &n) < 0)
		return -1;
	for (size_t i = 0; i < n; i++) {
		*size += file_size(files[i]);
		free(files[i]);
	}
	free(files);
	return 0;
}

/* ---------------------------------------------------------------- open */

struct reader *reader_open(const char *path, const struct reader_options *o)
{
	struct reader *rd = xcalloc(1, sizeof(*rd));
	rd->o = *o;
	if (!rd->o.max_bytes)
		rd->o.max_bytes = DEFAULT_MAX_BYTES;
	rd->path = xstrdup(path);
	rd->format = o->format;
	struct stat sb;
	int is_dir = strcmp(path, "-") && stat(path, &sb) == 0 && S_ISDIR(sb.st_mode);
	if (strcmp(path, "-") && !is_dir && stat(path, &sb) != 0) {
		error("%s: no such file or directory", path);
		goto fail;
	}
	if (is_dir) {
		if (tree_files(path, &rd->format, &rd->files, &rd->n_files) < 0)
			goto fail;
		if (rd->o.windowed)
			window_files(rd);
		return rd;
	}
	if (rd->format == FORMAT_AUTO)
		rd->format = format_from_name(path);
	if (rd->format == FORMAT_AUTO && !strcmp(path, "-")) {
		/* standard input cannot be read twice */
		error("standard input: name its format with --format");
		goto fail;
	}
	if (rd->format == FORMAT_AUTO && format_from_content(path, &rd->format) < 0)
		goto fail;
	switch (rd->format) {
	case FORMAT_XML:
	case FORMAT_TEXT:
		rd->files = xmalloc(sizeof(*rd->files));
		rd->files[0] = xstrdup(path);
		rd->n_files = 1;
		break;
	case FORMAT_CSV:
		if (csv_open_reader(rd) < 0)
			goto fail;
		break;
	case FORMAT_JSON:
		if (json_open_reader(rd) < 0)
			goto fail;
		break;
	case FORMAT_JSONL:
		if (lineio_open(&rd->lines, path) < 0)
			goto fail;
		rd->lines_open = 1;
		rd->split = rd->o.windowed && !rd->lines.z.is_zstd && strcmp(path, "-");
		break;
	case FORMAT_AUTO:
		break;
	}
	/* an input read whole is one unit at offset 0 */
	rd->nothing = rd->o.windowed && !rd->split && !(rd->o.lo <= 0 && 0 < rd->o.hi);
	return rd;
fail:
	reader_free(rd);
	return NULL;
}

static int next_raw(struct reader *rd, struct report *r)
{
	if (rd->nothing)
		return 0;
	switch (rd->format) {
	case FORMAT_XML:
		for (;;) {
			if (rd->xml) {
				int got = xml_next_in_file(rd, r);
				if (got > 0)
					return 1;
				xml_close(rd);
				if (got < 0) {
					if (!rd->o.lenient)
						return -1;
					warning("%s (file skipped)", last_error());
					rd->skipped++;
				}
			}
			if (rd->next_file >= rd->n_files)
				return 0;
			rd->cur_file = rd->files[rd->next_file++];
			if (xml_open(rd, rd->cur_file) < 0)
				return -1;
		}
	case FORMAT_TEXT:
		if (rd->next_file >= rd->n_files)
			return 0;
		rd->cur_file = rd->files[rd->next_file++];
		return text_read(rd, rd->cur_file, r);
	case FORMAT_CSV:
		return csv_next(rd, r);
	case FORMAT_JSON:
		return json_next(rd, r);
	case FORMAT_JSONL:
		return jsonl_next(rd, r);
	case FORMAT_AUTO:
		break;
	}
	return 0;
}

int reader_next(struct reader *rd, struct report *r)
{
	for (;;) {
		int got = next_raw(rd, r);
		if (got <= 0)
			return got;
		int ok = check_report(rd, r);
		if (ok != 0)
			return ok;
	}
}

enum report_format reader_format(const struct reader *rd)
{
	return rd->format;
}

int64_t reader_skipped(const struct reader *rd)
{
	return rd->skipped;
}

int64_t reader_empty(const struct reader *rd)
{
	return rd->empty;
}

void reader_free(struct reader *rd)
{
	if (!rd)
		return;
	xml_close(rd);
	if (rd->lines_open)
		lineio_close(&rd->lines);
	if (rd->csv_inited)
		csv_free(&rd->csv);
	for (size_t i = 0; i < rd->n_slots; i++)
		free(rd->fields[i]);
	free(rd->fields);
	free(rd->field_len);
	free(rd->field_cap);
	for (size_t i = 0; i < rd->n_header; i++)
		free(rd->header[i]);
	free(rd->header);
	free(rd->text_idx);
	for (size_t i = 0; i < rd->n_files; i++)
		free(rd->files[i]);
	free(rd->files);
	json_decref(rd->json);
	free(rd->path);
	free(rd);
}
