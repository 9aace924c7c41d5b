/*
 * readers — stream reports out of the formats medkg extracts from, one report
 * at a time: OpenI XML (a file, or a directory tree of .xml files), a
 * MIMIC-CXR-style tree of .txt files (one report per file), CSV with a header,
 * R2Gen/ARL annotation JSON, and JSON Lines. Any input file may be
 * zstd-compressed (detected from its content, see zio.h).
 *
 * A report comes out as its id, optional split and image references, and its
 * text assembled from parts: a labelled part (an OpenI AbstractText Label, a
 * CSV column or JSON key named like a section) becomes a section of that name;
 * an unlabelled part is searched for section headings (sections.h). Parts are
 * joined with a blank line; section offsets are bytes into the text.
 *
 * Every report is checked before it is handed out: valid UTF-8, no NUL byte,
 * at most max_bytes long. A bad report or malformed input is an error naming
 * the file and line (reader_next returns -1), or, when lenient, a warning and
 * a counted skip. Readers never abandon a report half-read.
 *
 * Does not: find sentences or concepts, touch the store, or guess encodings
 * other than UTF-8. The R2Gen JSON reader holds the parsed document in memory
 * (jansson has no streaming parser); every other reader streams.
 */
#ifndef MEDKG_READERS_H
#define MEDKG_READERS_H

#include <stddef.h>
#include <stdint.h>
#include "../common/buf.h"

enum report_format {
	FORMAT_AUTO = 0,
	FORMAT_XML,      /* OpenI XML */
	FORMAT_TEXT,     /* one report per .txt file (a file, or a directory tree) */
	FORMAT_CSV,
	FORMAT_JSON,     /* R2Gen/ARL annotation: {"train":[{"id","report",...}],...} */
	FORMAT_JSONL,
};

/* "xml", "text", "csv", "json", "jsonl" -> the format; FORMAT_AUTO for "auto";
 * -1 if unknown. */
int report_format_parse(const char *name);
const char *report_format_name(enum report_format f);

struct report_section {
	char name[16];          /* canonical: findings, impression, ..., report */
	uint32_t start, end;    /* byte offsets into the report text */
};

struct report {
	char *id;               /* the report's own id */
	char *split;            /* train / val / test, or NULL */
	struct buf text;        /* sections joined by blank lines */
	struct report_section *sec;
	size_t n_sec, cap_sec;
	char **images;          /* image ids or paths, in input order */
	size_t n_images, cap_images;
	const char *file;       /* input file (owned by the reader) */
	size_t line;            /* line where the report starts, 0 if unknown */
};

/* Release what a report holds and zero it. Accepts a zeroed report. */
void report_release(struct report *r);
/* Append a part of the report: a labelled section (label given: an input's
 * own section name, mapped with section_canonical; unknown labels keep their
 * lower-case name) or unlabelled text searched for headings (label NULL).
 * Leading and trailing blanks are trimmed; empty parts add nothing. */
void report_add_part(struct report *r, const char *label, const char *text, size_t n);

struct reader_options {
	enum report_format format; /* FORMAT_AUTO: from the name, else the content */
	char *id_col;              /* CSV column / JSON key of the id (NULL: default) */
	char **text_cols;          /* CSV columns / JSON keys of the text (NULL: default) */
	size_t max_bytes;          /* longest report accepted (0: 1 MiB) */
	int lenient;               /* skip bad reports and malformed files, counted */
	/* A shard's part of the input (windowed): the reports that start at a
	 * byte offset in [lo, hi). A plain CSV or JSON Lines file is split at
	 * record boundaries (a CSV line starts a record when the quotes before
	 * it are balanced); a tree's files are units, each at its offset in
	 * the tree's files laid end to end (sorted order); any other input (a
	 * single XML, text or JSON file, a .zst file, standard input) is one
	 * unit at offset 0. */
	int windowed;
	int64_t lo, hi;
};

struct reader;

/* Open an input: a file ("-" for standard input, then format must be given
 * or the content tells) or a directory (a tree of .xml or .txt files, walked
 * in sorted order). @return the reader, or NULL after error(). */
struct reader *reader_open(const char *path, const struct reader_options *o);
/* The size an input has for sharding: a file's bytes, the sum of a tree's
 * report files (what reader_open would read). @return 0, or -1 after
 * error(). */
int reader_input_size(const char *path, const struct reader_options *o, int64_t *size);
/* The next report, into *r (released first). @return 1 with a report, 0 at
 * the end, -1 after error() naming file and line. */
int reader_next(struct reader *rd, struct report *r);
/* The format actually read (after detection). */
enum report_format reader_format(const struct reader *rd);
/* Reports and files skipped as bad (lenient mode), and empty reports skipped. */
int64_t reader_skipped(const struct reader *rd);
int64_t reader_empty(const struct reader *rd);
void reader_free(struct reader *rd);

#endif
