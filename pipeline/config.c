#define _POSIX_C_SOURCE 200809L
#include "config.h"
#include "../common/buf.h"
#include "../common/util.h"
#include "../extract/sections.h"

#include <errno.h>
#include <ini.h>
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

enum {
	T_STR,        /* char * */
	T_LIST,       /* char ** (NULL-terminated), comma separated, repeatable */
	T_BOOL,       /* int */
	T_INT,        /* int */
	T_I64,        /* int64_t */
	T_U64,        /* uint64_t */
	T_FLOAT,      /* float */
	T_DOUBLE,     /* double */
	T_ENUM,       /* int, from choices */
	T_FORMAT,     /* int: a report format */
	T_SECTIONS,   /* char **: section names, checked */
	T_IN_FILE,    /* struct config_path: an existing file */
	T_IN_DIR,     /* struct config_path: an existing directory */
	T_IN_PATHS,   /* struct config_paths: existing files or directories, repeatable */
	T_IN_FILES,   /* struct config_paths: existing files, repeatable */
	T_OUT,        /* char *: a path written to (resolved, not checked) */
};

#define OFF(field) offsetof(struct pipeline_config, field)

/* The reference: every key, its type, its range and what it means. */
const struct config_key config_keys[] = {
	{ "build", "store", T_OUT, OFF(store), 0, 0, NULL,
	  "the store file (the command line's -d wins; default medkg.db)" },

	{ "knowledge", "umls", T_IN_DIR, OFF(umls), 0, 0, NULL,
	  "a UMLS release: its META directory (RRF files, plain or .zst)" },
	{ "knowledge", "mesh", T_IN_FILE, OFF(mesh), 0, 0, NULL, "MeSH descriptors (desc20XX.xml)" },
	{ "knowledge", "obo", T_IN_FILES, OFF(obo), 0, 0, NULL,
	  "OBO ontologies, loaded in order (repeatable)" },
	{ "knowledge", "sab", T_LIST, OFF(sab), 0, 0, NULL, "UMLS: keep only these sources" },
	{ "knowledge", "lang", T_LIST, OFF(lang), 0, 0, NULL,
	  "UMLS: keep these languages (ENG; all: every one)" },
	{ "knowledge", "tui", T_LIST, OFF(types), 0, 0, NULL,
	  "UMLS: keep concepts of these semantic types (TUI or name), with descendants" },
	{ "knowledge", "keep_suppressed", T_BOOL, OFF(keep_suppressed), 0, 0, NULL,
	  "UMLS: keep suppressible rows (no)" },
	{ "knowledge", "keep_self", T_BOOL, OFF(keep_self), 0, 0, NULL,
	  "UMLS: keep relations of a concept to itself (no)" },
	{ "knowledge", "lenient", T_BOOL, OFF(kb_lenient), 0, 0, NULL,
	  "skip malformed rows and records, counted (no)" },
	{ "knowledge", "map_xrefs", T_LIST, OFF(map_xrefs), 0, 0, NULL,
	  "OBO: xref kinds that place a term on a concept: umls, mesh, none (umls)" },

	{ "reports", "input", T_IN_PATHS, OFF(inputs), 0, 0, NULL,
	  "report files or directories, extracted in order (repeatable)" },
	{ "reports", "format", T_FORMAT, OFF(format), 0, 0, NULL,
	  "xml, text, csv, json, jsonl or auto (auto: from each input)" },
	{ "reports", "id_col", T_STR, OFF(id_col), 0, 0, NULL, "CSV column or JSON key of the id" },
	{ "reports", "text_col", T_LIST, OFF(text_cols), 0, 0, NULL,
	  "CSV columns or JSON keys of the text" },
	{ "reports", "sections", T_SECTIONS, OFF(sections), 0, 0, NULL,
	  "sections searched (findings, impression)" },
	{ "reports", "tui", T_LIST, OFF(dict_types), 0, 0, NULL,
	  "extract only concepts of these semantic types" },
	{ "reports", "sab", T_LIST, OFF(dict_sab), 0, 0, NULL,
	  "extract only terms of these sources, in rank order" },
	{ "reports", "lexicon", T_IN_FILE, OFF(lexicon), 0, 0, NULL,
	  "context trigger lexicon (built in)" },
	{ "reports", "source", T_STR, OFF(source), 0, 0, NULL,
	  "source label of every report (each input's name)" },
	{ "reports", "batch", T_I64, OFF(batch), 1, 1e9, NULL, "reports per transaction (1000)" },
	{ "reports", "max_bytes", T_I64, OFF(max_bytes), 1, 1e12, NULL,
	  "longest report accepted (1048576)" },
	{ "reports", "lenient", T_BOOL, OFF(reports_lenient), 0, 0, NULL,
	  "skip bad reports and files, counted (no)" },

	{ "link", "grid", T_INT, OFF(grid), 0, 256, NULL,
	  "patches per side of the trainer's grid (18); 0: no patch sets" },
	{ "link", "images", T_IN_FILE, OFF(image_list), 0, 0, NULL,
	  "CSV of images per report (report_id,image_path,view)" },
	{ "link", "images_dir", T_IN_DIR, OFF(images_dir), 0, 0, NULL,
	  "where the image files are (sizes from their headers)" },
	{ "link", "boxes", T_IN_FILE, OFF(boxes), 0, 0, NULL,
	  "CSV of per-image region boxes (image_id,region,x1,y1,x2,y2)" },
	{ "link", "lexicon", T_IN_FILE, OFF(anatomy_lexicon), 0, 0, NULL,
	  "anatomy and finding-site lexicon (built in)" },
	{ "link", "assume_frontal", T_BOOL, OFF(assume_frontal), 0, 0, NULL,
	  "images of unknown view use the atlas (no)" },

	{ "embed", "dim", T_INT, OFF(p.dim), 1, 65536, NULL, "vector dimension (256)" },
	{ "embed", "norm", T_ENUM, OFF(p.norm), 0, 0, "l1=1,l2=2", "distance: l1 or l2 (l1)" },
	{ "embed", "margin", T_FLOAT, OFF(p.margin), 0, 1e6, NULL, "margin, or sans gamma (5)" },
	{ "embed", "neg", T_INT, OFF(p.neg), 1, 100000, NULL, "negatives per positive (25)" },
	{ "embed", "corrupt", T_ENUM, OFF(p.bern), 0, 0, "bern=1,unif=0",
	  "head/tail replacement: bern or unif (bern)" },
	{ "embed", "lr", T_FLOAT, OFF(p.lr), 1e-12, 1e6, NULL, "learning rate (1.0)" },
	{ "embed", "epochs", T_INT, OFF(p.epochs), 0, 10000000, NULL, "passes over the triples (1000)" },
	{ "embed", "optimizer", T_ENUM, OFF(p.optimizer), 0, 0, "sgd=0,adagrad=1",
	  "sgd or adagrad (sgd)" },
	{ "embed", "loss", T_ENUM, OFF(p.loss), 0, 0, "margin=0,sans=1", "margin or sans (margin)" },
	{ "embed", "adv_temp", T_FLOAT, OFF(p.adv_temp), 0, 1e6, NULL, "sans temperature (1.0)" },
	{ "embed", "reciprocal", T_BOOL, OFF(p.reciprocal), 0, 0, NULL,
	  "an inverse vector per relation (no)" },
	{ "embed", "entity_norm", T_ENUM, OFF(p.entity_norm), 0, 0, "sphere=0,ball=1,none=2",
	  "entity vectors after each update: sphere, ball or none (sphere)" },
	{ "embed", "batch", T_INT, OFF(p.batch), 1, 1024, NULL,
	  "positives sharing their negatives (8)" },
	{ "embed", "threads", T_INT, OFF(p.threads), 0, 1024, NULL,
	  "threads (0: all processors); 1 makes training bit-identical run to run (0)" },
	{ "embed", "seed", T_U64, OFF(p.seed), 0, 9.2e18, NULL, "random seed (1)" },
	{ "embed", "entities", T_ENUM, OFF(sel.mentioned), 0, 0, "all=0,mentioned=1",
	  "mentioned: concepts found in reports, the entities the export selects "
	  "(mentioned; all, every concept in a triple, is for stores without an export)" },
	{ "embed", "min_count", T_INT, OFF(sel.min_count), 1, 2147483647, NULL,
	  "at least this many mentions, as ARL (20)" },
	{ "embed", "hops", T_INT, OFF(sel.hops), 0, 100, NULL,
	  "mentioned: add concepts within this many triples (0)" },
	{ "embed", "holdout", T_DOUBLE, OFF(sel.holdout), 0, 0.5, NULL,
	  "fraction of the triples held out and ranked (0)" },

	{ "export", "dir", T_OUT, OFF(export_dir), 0, 0, NULL,
	  "export directory (the store's name with -export)" },
	{ "export", "plans", T_BOOL, OFF(export_plans), 0, 0, NULL,
	  "masking plans and hard negatives for the pretext tasks (yes)" },
	{ "export", "per", T_ENUM, OFF(export_per_report), 0, 0, "image=0,report=1",
	  "a sample per image or per report (image)" },
	{ "export", "drop_negated", T_BOOL, OFF(export_drop_negated), 0, 0, NULL,
	  "img_ents leave out entities that are only negated (no)" },
	{ "export", "negatives", T_INT, OFF(export_negatives), 0, 1000, NULL,
	  "hard negatives per sample, with plans (4)" },
};
const size_t config_n_keys = ARRAY_SIZE(config_keys);

static const char *const sections[] = { "build", "knowledge", "reports", "link", "embed",
					"export" };

char *config_resolve(const struct pipeline_config *c, const char *path)
{
	while (path[0] == '.' && path[1] == '/')
		path += 2;
	if (path[0] == '/' || !c->dir || !strcmp(c->dir, "."))
		return xstrdup(path);
	if (!strcmp(path, ".") || !*path)
		return xstrdup(c->dir);
	struct buf b = BUF_INIT;
	buf_addf(&b, "%s/%s", c->dir, path);
	return buf_detach(&b);
}

int config_line(const struct pipeline_config *c, const char *section, const char *name)
{
	for (size_t i = 0; i < config_n_keys; i++)
		if (!strcmp(config_keys[i].section, section) && !strcmp(config_keys[i].name, name))
			return c->lines ? c->lines[i] : 0;
	return 0;
}

/* ------------------------------------------------------------ reading */

struct reading {
	struct pipeline_config *c;
	FILE *f;
	int line;           /* the line being parsed */
	int line_done;      /* the last chunk read ended its line */
	int failed;         /* an error was reported */
};

/* fgets for inih, counting lines (a long line may come in several chunks). */
static char *read_line(char *str, int num, void *stream)
{
	struct reading *r = stream;
	char *s = fgets(str, num, r->f);
	if (!s)
		return NULL;
	if (r->line_done)
		r->line++;
	size_t n = strlen(s);
	r->line_done = n > 0 && s[n - 1] == '\n';
	return s;
}

static int fail(struct reading *r, const char *fmt, const char *a, const char *b)
{
	if (!r->failed) {
		char msg[1024];
		snprintf(msg, sizeof msg, fmt, a, b);
		error("%s:%d: %s", r->c->file, r->line, msg);
		r->failed = 1;
	}
	return 0;
}

static int parse_bool(const char *v, int *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" }, *const no[] = { "no", "false",
										   "off", "0" };
	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (!strcasecmp(v, yes[i]))
			return *out = 1, 0;
		if (!strcasecmp(v, no[i]))
			return *out = 0, 0;
	}
	return -1;
}

/* A number within [lo, hi]; integers must be whole. */
static int parse_number(const char *v, int whole, double lo, double hi, double *out)
{
	char *end;
	errno = 0;
	double x = strtod(v, &end);
	if (errno || end == v || *end || !isfinite(x) || x < lo || x > hi)
		return -1;
	if (whole && x != floor(x))
		return -1;
	*out = x;
	return 0;
}

/* An input path: resolved, and it must exist (as a directory when dir). */
static int check_path(struct reading *r, const char *value, int want, struct config_path *out)
{
	char *p = config_resolve(r->c, value);
	struct stat sb;
	if (stat(p, &sb) != 0) {
		fail(r, "%s: %s", value, strerror(errno));
		free(p);
		return -1;
	}
	if (want == T_IN_DIR && !S_ISDIR(sb.st_mode)) {
		fail(r, "%s: not a directory%s", value, "");
		free(p);
		return -1;
	}
	if ((want == T_IN_FILE || want == T_IN_FILES) && S_ISDIR(sb.st_mode)) {
		fail(r, "%s: is a directory, expected a file%s", value, "");
		free(p);
		return -1;
	}
	out->path = p;
	out->line = r->line;
	return 0;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct reading *r = user;
	if (r->failed)
		return 0;
	if (!*section)
		return fail(r, "'%s' outside a section (start with one of [build], [knowledge], "
			       "[reports], [link], [embed], [export])%s", name, "");
	int known_section = 0;
	for (size_t i = 0; i < ARRAY_SIZE(sections); i++)
		known_section |= !strcmp(section, sections[i]);
	if (!known_section)
		return fail(r, "unknown section [%s] (build, knowledge, reports, link, embed, "
			       "export)%s", section, "");
	size_t k = 0;
	while (k < config_n_keys &&
	       (strcmp(config_keys[k].section, section) || strcmp(config_keys[k].name, name)))
		k++;
	if (k == config_n_keys)
		return fail(r, "unknown key '%s' in [%s]", name, section);
	const struct config_key *key = &config_keys[k];
	int repeatable = key->type == T_LIST || key->type == T_IN_PATHS || key->type == T_IN_FILES ||
			 key->type == T_SECTIONS;
	if (r->c->lines[k] && !repeatable) {
		char first[32];
		snprintf(first, sizeof first, "%d", r->c->lines[k]);
		return fail(r, "'%s' given twice (first on line %s)", name, first);
	}
	if (!*value)
		return fail(r, "'%s' needs a value%s", name, "");
	char *field = (char *)r->c + key->offset;
	/* a list given replaces its default; given again, it appends */
	if (!r->c->lines[k] && (key->type == T_LIST || key->type == T_SECTIONS)) {
		strlist_free(*(char ***)field);
		*(char ***)field = NULL;
	}
	r->c->lines[k] = r->line;
	double x;
	switch (key->type) {
	case T_STR:
		free(*(char **)field);
		*(char **)field = xstrdup(value);
		break;
	case T_OUT:
		free(*(char **)field);
		*(char **)field = config_resolve(r->c, value);
		break;
	case T_LIST:
		*(char ***)field = strlist_add_csv(*(char ***)field, value);
		break;
	case T_SECTIONS: {
		char **items = strlist_parse(value);
		for (size_t i = 0; items[i]; i++)
			if (!section_canonical(items[i], strlen(items[i]))) {
				fail(r, "unknown section name '%s' in '%s' (findings, impression, "
					"indication, comparison, technique, other, report)", items[i], name);
				strlist_free(items);
				return 0;
			}
		strlist_free(items);
		*(char ***)field = strlist_add_csv(*(char ***)field, value);
		break;
	}
	case T_BOOL:
		if (parse_bool(value, (int *)field) < 0)
			return fail(r, "'%s' is yes or no, not '%s'", name, value);
		break;
	case T_INT:
	case T_I64:
	case T_U64:
	case T_FLOAT:
	case T_DOUBLE: {
		int whole = key->type != T_FLOAT && key->type != T_DOUBLE;
		if (parse_number(value, whole, key->lo, key->hi, &x) < 0) {
			char range[96];
			snprintf(range, sizeof range, "%s from %g to %g", whole ? "a whole number" : "a number",
				 key->lo, key->hi);
			return fail(r, "'%s' needs %s", name, range);
		}
		if (key->type == T_INT)
			*(int *)field = (int)x;
		else if (key->type == T_I64)
			*(int64_t *)field = (int64_t)x;
		else if (key->type == T_U64)
			*(uint64_t *)field = (uint64_t)x;
		else if (key->type == T_FLOAT)
			*(float *)field = (float)x;
		else
			*(double *)field = x;
		break;
	}
	case T_ENUM: {
		const char *s = key->choices;
		size_t n = strlen(value);
		while (s && *s) {
			const char *eq = strchr(s, '='), *comma = strchr(s, ',');
			if ((size_t)(eq - s) == n && !strncmp(s, value, n)) {
				*(int *)field = atoi(eq + 1);
				return 1;
			}
			s = comma ? comma + 1 : NULL;
		}
		struct buf names = BUF_INIT;
		for (s = key->choices; s && *s;) {
			const char *eq = strchr(s, '='), *comma = strchr(s, ',');
			buf_addf(&names, "%s%.*s", names.len ? ", " : "", (int)(eq - s), s);
			s = comma ? comma + 1 : NULL;
		}
		char what[160];
		snprintf(what, sizeof what, "'%s' is one of %s", name, buf_str(&names));
		buf_release(&names);
		char got[160];
		snprintf(got, sizeof got, "not '%s'", value);
		return fail(r, "%s, %s", what, got);
	}
	case T_FORMAT: {
		int f = report_format_parse(value);
		if (f < 0)
			return fail(r, "'%s' is xml, text, csv, json, jsonl or auto, not '%s'", name,
				    value);
		*(int *)field = f;
		break;
	}
	case T_IN_FILE:
	case T_IN_DIR: {
		struct config_path *cp = (struct config_path *)field;
		free(cp->path);
		cp->path = NULL;
		if (check_path(r, value, key->type, cp) < 0)
			return 0;
		break;
	}
	case T_IN_PATHS:
	case T_IN_FILES: {
		struct config_paths *ps = (struct config_paths *)field;
		char **items = strlist_parse(value);
		for (size_t i = 0; items[i]; i++) {
			struct config_path cp;
			if (check_path(r, items[i], key->type, &cp) < 0) {
				strlist_free(items);
				return 0;
			}
			ps->v = xrealloc(ps->v, (ps->n + 1) * sizeof(*ps->v));
			ps->v[ps->n++] = cp;
		}
		strlist_free(items);
		break;
	}
	}
	return 1;
}

static void defaults(struct pipeline_config *c)
{
	transe_params_default(&c->p);
	c->sel.mentioned = 1;
	c->sel.min_count = 20;
	c->grid = 18;
	c->export_plans = 1;
	c->export_negatives = 4;
	c->lang = strlist_parse("ENG");
	c->map_xrefs = strlist_parse("umls");
	c->lines = xcalloc(config_n_keys, sizeof(int));
}

/* Checks that need more than one key. */
static int check_whole(struct pipeline_config *c)
{
	int line;
	if (!c->umls.path && !c->mesh.path && !c->obo.n)
		return error("%s: no knowledge source: name one in [knowledge] (umls, mesh or obo)",
			     c->file);
	if (!c->inputs.n)
		return error("%s: no reports: name them in [reports] (input = PATH)", c->file);
	if (!c->sel.mentioned && (line = config_line(c, "embed", "min_count") ?
					  config_line(c, "embed", "min_count") :
					  config_line(c, "embed", "hops")))
		return error("%s:%d: min_count and hops go with entities = mentioned", c->file, line);
	/* The export's vectors must come from a model trained on exactly the
	 * entities it selects (ARL's rule: mentioned at least min_count times). */
	if (!c->sel.mentioned || c->sel.hops)
		return error("%s:%d: the export needs embeddings of the entities it exports: "
			     "entities = mentioned and hops = 0", c->file,
			     c->sel.hops ? config_line(c, "embed", "hops")
					 : config_line(c, "embed", "entities"));
	if (c->lang && strlist_has(c->lang, "all")) {
		strlist_free(c->lang);
		c->lang = NULL;
	}
	line = config_line(c, "knowledge", "map_xrefs");
	for (size_t i = 0; c->map_xrefs && c->map_xrefs[i]; i++)
		if (strcmp(c->map_xrefs[i], "umls") && strcmp(c->map_xrefs[i], "mesh") &&
		    strcmp(c->map_xrefs[i], "none"))
			return error("%s:%d: map_xrefs takes umls, mesh or none, not '%s'", c->file,
				     line, c->map_xrefs[i]);
	if (c->map_xrefs && strlist_has(c->map_xrefs, "none")) {
		strlist_free(c->map_xrefs);
		c->map_xrefs = NULL;
	}
	if (transe_params_check(&c->p) < 0)
		return -1;
	return 0;
}

int config_read(struct pipeline_config *c, const char *path)
{
	memset(c, 0, sizeof(*c));
	c->file = xstrdup(path);
	const char *slash = strrchr(path, '/');
	c->dir = slash ? xstrndup(path, (size_t)(slash - path) + (slash == path)) : xstrdup(".");
	defaults(c);
	struct reading r = { c, NULL, 0, 1, 0 };
	r.f = fopen(path, "r");
	if (!r.f) {
		error("%s: cannot read the configuration: %s", path, strerror(errno));
		goto fail;
	}
	/* long lines in one piece; no continuation lines (an indented line is
	 * a mistake, not a value); the first error stops */
	ini_use_stack = 0;
	ini_allow_realloc = 1;
	ini_max_line = 1 << 16;
	ini_allow_multiline = 0;
	ini_stop_on_first_error = 1;
	int rc = ini_parse_stream(read_line, &r, handler, &r);
	fclose(r.f);
	if (rc != 0 || r.failed) {
		if (!r.failed) {
			if (rc > 0)
				error("%s:%d: expected '[section]' or 'key = value'", path, rc);
			else
				error("%s: cannot parse the configuration (%d)", path, rc);
		}
		goto fail;
	}
	if (check_whole(c) < 0)
		goto fail;
	return 0;
fail:
	config_release(c);
	return -1;
}

static void paths_release(struct config_paths *ps)
{
	for (size_t i = 0; i < ps->n; i++)
		free(ps->v[i].path);
	free(ps->v);
}

void config_release(struct pipeline_config *c)
{
	free(c->file);
	free(c->dir);
	free(c->store);
	free(c->umls.path);
	free(c->mesh.path);
	paths_release(&c->obo);
	strlist_free(c->sab);
	strlist_free(c->lang);
	strlist_free(c->types);
	strlist_free(c->map_xrefs);
	paths_release(&c->inputs);
	free(c->id_col);
	strlist_free(c->text_cols);
	strlist_free(c->sections);
	strlist_free(c->dict_types);
	strlist_free(c->dict_sab);
	free(c->lexicon.path);
	free(c->source);
	free(c->image_list.path);
	free(c->images_dir.path);
	free(c->boxes.path);
	free(c->anatomy_lexicon.path);
	free(c->export_dir);
	free(c->lines);
	memset(c, 0, sizeof(*c));
}
