/*
 * config — the pipeline's configuration file: INI sections and
 * "key = value" lines (read with inih), naming the knowledge sources and
 * their filters, the report inputs, the extraction, linking and embedding
 * settings and the export directory ('medkg build', 'medkg ingest';
 * data/demo/medkg.conf is a commented example and config_keys[] below is
 * the reference).
 *
 * Values: lists are comma separated, and a list key may be repeated to
 * append; booleans are yes/no, true/false, on/off or 1/0; comments start
 * with '#' or ';' at the start of a line, or with " ;" after a value.
 * Relative paths are relative to the directory of the configuration file,
 * so a configuration runs the same from any directory. Everything is
 * checked while reading, before any stage runs: an unknown section or key,
 * a bad value, an input that does not exist, a key given twice, each
 * reported once as "FILE:LINE: problem".
 *
 * Does not: run anything, or open the store (build.h does).
 */
#ifndef MEDKG_PIPELINE_CONFIG_H
#define MEDKG_PIPELINE_CONFIG_H

#include <stddef.h>
#include <stdint.h>
#include "../embed/embed_store.h"
#include "../embed/transe.h"
#include "../extract/readers.h"
#include "../common/strlist.h"   /* the list values (sab, lang, sections ...) */

/* A path from the configuration: resolved against its directory, with the
 * line that named it (for errors found later). */
struct config_path {
	char *path;
	int line;
};

struct config_paths {
	struct config_path *v;
	size_t n;
};

struct pipeline_config {
	char *file;                 /* the configuration file, as given */
	char *dir;                  /* its directory */

	/* [build] */
	char *store;                /* store file; NULL: the -d default */

	/* [knowledge] */
	struct config_path umls;    /* a UMLS META directory, or path NULL */
	struct config_path mesh;    /* a MeSH descriptor file, or path NULL */
	struct config_paths obo;    /* OBO files, loaded in this order */
	char **sab, **lang, **types; /* UMLS filters; lang NULL: every language */
	int keep_suppressed, keep_self, kb_lenient;
	char **map_xrefs;           /* OBO: xref kinds that place a term on a concept */

	/* [reports] */
	struct config_paths inputs; /* report inputs, extracted in this order */
	int format;                 /* enum report_format */
	char *id_col;
	char **text_cols;
	char **sections;            /* NULL: findings, impression */
	char **dict_types, **dict_sab; /* extraction dictionary filters */
	struct config_path lexicon; /* context triggers; path NULL: built in */
	char *source;               /* source label; NULL: each input's name */
	int64_t batch;              /* reports per transaction */
	int64_t max_bytes;
	int reports_lenient;

	/* [link] */
	int grid;                   /* patches per side; 0: no patch sets */
	struct config_path image_list, images_dir, boxes, anatomy_lexicon;
	int assume_frontal;

	/* [embed] */
	struct transe_params p;
	struct embed_select sel;

	/* [export] */
	char *export_dir;           /* NULL: the store's name with -export */
	int export_plans;           /* write the pretext-task plans (yes) */
	int export_per_report;      /* 1: a sample per report; 0: per image */
	int export_drop_negated;    /* img_ents leave out entities only negated (no) */
	int export_negatives;       /* hard negatives per sample (4) */

	/* the line of each key in config_keys[] (0: not given) */
	int *lines;
};

/* One key of the reference table. */
struct config_key {
	const char *section, *name;
	int type;                   /* how the value is read (config.c) */
	size_t offset;              /* where it goes in struct pipeline_config */
	double lo, hi;              /* numbers: the range accepted */
	const char *choices;        /* enumerations: "name=value,..." */
	const char *doc;            /* one line for the documentation */
};

extern const struct config_key config_keys[];
extern const size_t config_n_keys;

/* Read and check the configuration file path into c (defaults first, so
 * keys not given keep them). @return 0, or -1 after error() naming the
 * file and line; c is then released. */
int config_read(struct pipeline_config *c, const char *path);
/* Free what c holds; accepts a zeroed struct. */
void config_release(struct pipeline_config *c);

/* The line a key was given on, or 0. */
int config_line(const struct pipeline_config *c, const char *section, const char *name);

/* Resolve a path of the configuration against its directory. @return a
 * malloc'd string. */
char *config_resolve(const struct pipeline_config *c, const char *path);

#endif
