/*
 * params — declarative parameter tables: one row per setting of a stage
 * (its name, type, where it lives in the stage's options struct, bounds,
 * enumeration names, help, and where it appears). Everything else about a
 * setting is derived from its row:
 *
 *   - the command line's long options and usage (params_longopts,
 *     params_option, params_usage): --name VALUE, or a flag for booleans;
 *   - the configuration file's keys: name with '_' for '-' (params_find,
 *     param_set), in the section named after the stage;
 *   - validation of a whole options struct (params_check);
 *   - the parameters JSON recorded with results (params_json) and read back
 *     (params_from_json);
 *   - the stage key of the pipeline, one "name value" line per setting
 *     (params_key), so a plan can name the setting that changed.
 *
 * So adding an option touches one row. git's OPT_* option tables and zstd's
 * ZSTD_cParam_getBounds are the models. The tables live in the stage
 * directories (embed/embed_params.c, ...), next to the options struct they
 * describe.
 *
 * Strings and lists set through a table are owned by the options struct
 * and freed by params_release; a struct whose strings were set by hand
 * (tests, library callers) is not released through it.
 *
 * Does not: know any stage, read files or argv itself (the front end calls
 * getopt_long with the options params_longopts builds), or resolve paths
 * (a configuration resolves them against its directory before param_set).
 */
#ifndef MEDKG_PARAMS_H
#define MEDKG_PARAMS_H

#include <getopt.h>
#include <stddef.h>
#include <stdint.h>
#include "buf.h"

enum param_type {
	PARAM_BOOL,    /* int 0/1: a flag on the command line, yes/no in a configuration */
	PARAM_INT,     /* int */
	PARAM_I64,     /* int64_t */
	PARAM_U64,     /* uint64_t */
	PARAM_SIZE,    /* size_t */
	PARAM_FLOAT,   /* float */
	PARAM_DOUBLE,  /* double */
	PARAM_ENUM,    /* int: the value of one of the row's choices */
	PARAM_STR,     /* char *, owned */
	PARAM_LIST,    /* char **, NULL-terminated, owned: comma separated; given again, appends */
	PARAM_PATH,    /* char *, owned: a file or directory (see PARAM_FILE, PARAM_DIR) */
	PARAM_CUSTOM,  /* the row's parse and format callbacks */
};

enum {
	PARAM_CLI = 1 << 0,   /* a command-line option */
	PARAM_CONF = 1 << 1,  /* a configuration key */
	PARAM_KEY = 1 << 2,   /* enters the stage key (it changes what the stage produces) */
	PARAM_JSON = 1 << 3,  /* recorded in the parameters JSON */
	PARAM_GT = 1 << 4,    /* numbers: the lower bound itself is excluded */
	PARAM_FILE = 1 << 5,  /* PARAM_PATH (or a list of paths) read: must be a file */
	PARAM_DIR = 1 << 6,   /* PARAM_PATH read: must be a directory */
	PARAM_OUT = 1 << 7,   /* PARAM_PATH written: not checked */
	PARAM_PATHS = 1 << 8, /* PARAM_LIST: every item is a path (files: PARAM_FILE) */
	PARAM_LOWER = 1 << 9, /* PARAM_LIST: items are lower-cased */
};
#define PARAM_ALL (PARAM_CLI | PARAM_CONF | PARAM_KEY | PARAM_JSON)

struct param_choice {
	const char *name;
	int value;
};

struct param {
	const char *name;     /* "min-count": --min-count, configuration key min_count */
	enum param_type type;
	size_t offset;        /* offsetof the field in the table's options struct */
	double lo, hi;        /* numbers: the accepted range */
	const struct param_choice *choices; /* PARAM_ENUM: ends with a NULL name */
	const char *arg;      /* the value in the usage ("N", "LIST"); NULL: a flag */
	const char *help;     /* what it means; lines after the first are indented */
	const char *def;      /* the default as the usage says it; NULL: the formatted
	                         default, "" for none */
	unsigned flags;       /* PARAM_* */
	/* PARAM_CUSTOM: parse s into field, or append why not (a phrase: "needs
	 * I/N with 1 <= I <= N") and return -1; other types: an extra check
	 * after parsing, or NULL */
	int (*parse)(const char *s, void *field, struct buf *why);
	/* PARAM_CUSTOM: the value as a configuration would give it */
	void (*format)(const void *field, struct buf *out);
	const char *alias;    /* a second command-line name, or NULL */
	const char *key;      /* the configuration's (and JSON's) name when it is not
	                         name with '_' for '-', or NULL */
};

/* Rows, as git's OPT_* macros: P_INT("dim", offsetof(...), 1, 65536, "N",
 * "vector dimension", PARAM_ALL), with optional designated fields after
 * the flags (.def = "all processors", .alias = "sty", .parse = check). */
#define P_ROW(type_, n_, off_, fl_, ...) \
	{ .name = (n_), .type = (type_), .offset = (off_), .flags = (fl_), __VA_ARGS__ }
#define P_BOOL(n_, off_, help_, fl_, ...) P_ROW(PARAM_BOOL, n_, off_, fl_, .help = (help_), __VA_ARGS__)
#define P_NUM(type_, n_, off_, lo_, hi_, arg_, help_, fl_, ...) \
	P_ROW(type_, n_, off_, fl_, .lo = (lo_), .hi = (hi_), .arg = (arg_), .help = (help_), __VA_ARGS__)
#define P_INT(...) P_NUM(PARAM_INT, __VA_ARGS__)
#define P_I64(...) P_NUM(PARAM_I64, __VA_ARGS__)
#define P_U64(...) P_NUM(PARAM_U64, __VA_ARGS__)
#define P_SIZE(...) P_NUM(PARAM_SIZE, __VA_ARGS__)
#define P_FLOAT(...) P_NUM(PARAM_FLOAT, __VA_ARGS__)
#define P_DOUBLE(...) P_NUM(PARAM_DOUBLE, __VA_ARGS__)
#define P_ENUM(n_, off_, ch_, arg_, help_, fl_, ...) \
	P_ROW(PARAM_ENUM, n_, off_, fl_, .choices = (ch_), .arg = (arg_), .help = (help_), __VA_ARGS__)
#define P_STR(n_, off_, arg_, help_, fl_, ...) \
	P_ROW(PARAM_STR, n_, off_, fl_, .arg = (arg_), .help = (help_), __VA_ARGS__)
#define P_LIST(n_, off_, arg_, help_, fl_, ...) \
	P_ROW(PARAM_LIST, n_, off_, fl_, .arg = (arg_), .help = (help_), __VA_ARGS__)
#define P_PATH(n_, off_, arg_, help_, fl_, ...) \
	P_ROW(PARAM_PATH, n_, off_, fl_, .arg = (arg_), .help = (help_), __VA_ARGS__)
#define P_CUSTOM(n_, off_, parse_, format_, arg_, help_, fl_, ...)                          \
	P_ROW(PARAM_CUSTOM, n_, off_, fl_, .parse = (parse_), .format = (format_), .arg = (arg_), \
	      .help = (help_), __VA_ARGS__)

struct param_table {
	const char *stage;    /* the configuration section ("embed") */
	const struct param *v;
	size_t n;             /* at most 64 rows */
	size_t size;          /* sizeof the options struct */
	void (*defaults)(void *opts); /* fill an options struct with the defaults */
};

/* The row named name on the command line (either spelling, '_' or '-').
 * @return it, or NULL. */
const struct param *params_find(const struct param_table *t, const char *name);
/* The row whose configuration key is key. @return it, or NULL. */
const struct param *params_find_key(const struct param_table *t, const char *key);
/* p's configuration key into out (at least 64 bytes). @return out. */
const char *param_key(const struct param *p, char *out, size_t n);
/* The row's field in opts. */
void *param_field(const struct param *p, void *opts);

/* Parse value into p's field of opts (lists append; booleans take yes/no,
 * true/false, on/off, 1/0). @return 0, or -1 with why the value is bad
 * appended to why ("needs a whole number from 1 to 65536, not 'x'"). */
int param_set(const struct param *p, void *opts, const char *value, struct buf *why);
/* Free and clear p's field (strings, lists) or leave it (numbers). */
void param_clear(const struct param *p, void *opts);
/* Append the value of p's field as a configuration would give it. */
void param_format(const struct param *p, const void *opts, struct buf *out);

/* Check every number and enumeration of opts against its row.
 * @return 0, or -1 after error() naming the first setting out of range. */
int params_check(const struct param_table *t, const void *opts);
/* Append '"name": value' members (no braces) for the rows with flag,
 * separated by ", "; numbers as numbers, booleans as true/false. */
void params_json(const struct param_table *t, const void *opts, unsigned flag, struct buf *out);
/* Set the rows with flag from the members of a JSON object text (members
 * absent, and rows whose bit is set in keep, keep their value).
 * @return 0, or -1 after error() (bad JSON, or a value its row refuses). */
int params_from_json(const struct param_table *t, void *opts, unsigned flag, uint64_t keep,
		     const char *json);
/* Append "name value\n" for every row with PARAM_KEY. Path rows call path_line
 * (which appends its own line, typically a fingerprint of the file) when it
 * is given and the path is set; "name none" when it is not set.
 * @return 0, or what path_line returned when negative. */
int params_key(const struct param_table *t, const void *opts, struct buf *out,
	       int (*path_line)(struct buf *out, const char *name, const char *path));
/* Copy src into dst with copies of its strings and lists (dst then owns
 * them, whoever owned src's). */
void params_copy(const struct param_table *t, void *dst, const void *src);
/* Free every string and list of opts set through the table. */
void params_release(const struct param_table *t, void *opts);

/* ------------------------------------------------------------ command line */

/* A table and the options struct its command-line options fill. */
struct param_group {
	const char *title;    /* the usage's heading of the group, or NULL */
	const struct param_table *t;
	void *opts;
	uint64_t given;       /* bit i: row i was given */
};

/* getopt_long options for the rows with PARAM_CLI of the groups, after the
 * extra options (a getopt_long array ending with a zero entry, or NULL).
 * @return a new array ending with a zero entry; caller frees. */
struct option *params_longopts(const struct param_group *g, size_t ng, const struct option *extra);
/* Handle getopt_long's answer c with its optarg when it is one of the
 * groups' options. A list given for the first time replaces its default.
 * @return 1 handled, 0 not a groups' option, -1 a bad value (why it is bad,
 * "--dim needs a whole number from 1 to 65536, not 'x'", into why). */
int params_option(struct param_group *g, size_t ng, int c, const char *optarg, struct buf *why);
/* Append the usage lines of the groups' options ("  --dim N    help (256)"),
 * the defaults formatted from a fresh defaults struct of each table. */
void params_usage(struct buf *out, const struct param_group *g, size_t ng);
/* 1 when row name of group g was given on the command line. */
int params_given(const struct param_group *g, const char *name);

#endif
