/*
 * config — the pipeline's configuration file: INI sections and
 * "key = value" lines (read with inih), naming the knowledge sources and
 * their filters, the report inputs, the extraction, linking and embedding
 * settings and the export directory ('medkg build', 'medkg ingest';
 * data/demo/medkg.conf is a commented example). A section's keys are the
 * rows of its stage's parameter tables (common/params.h: store/load_params.h,
 * extract/extract_params.h, link/link_params.h, embed/embed_params.h,
 * train/export_params.h) and the few the configuration adds itself (the
 * store, the sources, the inputs, the export directory); config_describe
 * lists them all ('medkg build --help').
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
#include "../common/params.h"
#include "../embed/embed_store.h"
#include "../embed/transe.h"
#include "../extract/extract.h"
#include "../link/link.h"
#include "../store/mesh.h"
#include "../store/obo.h"
#include "../store/umls.h"
#include "../train/export.h"
#include "../common/strlist.h"   /* the list values (sab, lang, sections ...) */

/* The parameter tables a configuration reads (its own and the stages'). */
#define CONFIG_N_TABLES 12

struct pipeline_config {
	char *file;                 /* the configuration file, as given */
	char *dir;                  /* its directory */

	/* [build] */
	char *store;                /* store file; NULL: the -d default */

	/* [knowledge]: the sources, then the loaders' settings */
	char *umls;                 /* a UMLS META directory, or NULL */
	char *mesh;                 /* a MeSH descriptor file, or NULL */
	char **obo;                 /* OBO files, loaded in this order */
	struct umls_options load;   /* lenient applies to every source */
	struct obo_options obo_opt;

	/* [reports] */
	char **inputs;              /* report inputs, extracted in this order */
	struct extract_options extract;

	/* [link] */
	struct link_options link;

	/* [embed] */
	struct transe_params p;
	struct embed_select sel;

	/* [export] */
	char *export_dir;           /* NULL: the store's name with -export */
	struct export_options export;

	/* the line of each key, by table and row (0: not given) */
	int lines[CONFIG_N_TABLES][64];
};

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

/* Append the reference of every key: "[section] key VALUE  help (default)". */
void config_describe(struct buf *out);

#endif
