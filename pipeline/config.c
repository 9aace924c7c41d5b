#define _POSIX_C_SOURCE 200809L
#include "config.h"
#include "../common/buf.h"
#include "../common/util.h"
#include "../embed/embed_params.h"
#include "../extract/extract_params.h"
#include "../link/link_params.h"
#include "../store/load_params.h"
#include "../train/export_params.h"

#include <errno.h>
#include <ini.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define OFF(field) offsetof(struct pipeline_config, field)
#define OWN PARAM_CONF

/* ------------------------------------------------------------ the configuration's own keys */

static const struct param build_rows[] = {
	P_PATH("store", OFF(store), "FILE", "the store file (the command line's -d wins)",
	       OWN | PARAM_OUT, .def = "medkg.db"),
};
static const struct param knowledge_rows[] = {
	P_PATH("umls", OFF(umls), "DIR", "a UMLS release: its META directory (RRF files, plain or .zst)",
	       OWN | PARAM_DIR),
	P_PATH("mesh", OFF(mesh), "FILE", "MeSH descriptors (desc20XX.xml)", OWN | PARAM_FILE),
	P_LIST("obo", OFF(obo), "FILE", "OBO ontologies, loaded in order (repeatable)",
	       OWN | PARAM_PATHS | PARAM_FILE),
};
static const struct param reports_rows[] = {
	P_LIST("input", OFF(inputs), "PATH",
	       "report files or directories, extracted in order (repeatable)",
	       OWN | PARAM_PATHS | PARAM_FILE | PARAM_DIR),
};
static const struct param export_rows[] = {
	P_PATH("dir", OFF(export_dir), "DIR", "export directory", OWN | PARAM_OUT,
	       .def = "the store's name with -export"),
};

#define OWN_TABLE(name, section, rows) \
	static const struct param_table name = { section, rows, ARRAY_SIZE(rows), 0, NULL }
OWN_TABLE(build_table, "build", build_rows);
OWN_TABLE(knowledge_table, "knowledge", knowledge_rows);
OWN_TABLE(reports_table, "reports", reports_rows);
OWN_TABLE(export_dir_table, "export", export_rows);

/* Every table a configuration reads, with where its struct lives in
 * struct pipeline_config; a section's keys are those of its tables. */
static const struct config_table {
	const struct param_table *t;
	size_t base;
} tables[CONFIG_N_TABLES] = {
	{ &build_table, 0 },
	{ &knowledge_table, 0 },
	{ &umls_param_table, OFF(load) },
	{ &obo_param_table, OFF(obo_opt) },
	{ &reports_table, 0 },
	{ &extract_param_table, OFF(extract) },
	{ &link_param_table, OFF(link) },
	{ &transe_param_table, OFF(p) },
	{ &embed_select_table, OFF(sel) },
	{ &export_dir_table, 0 },
	{ &export_param_table, OFF(export) },
	{ &export_arl_table, OFF(export.arl) },
};

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

/* The table and row of a key. @return the row, or NULL. */
static const struct param *find_key(const char *section, const char *name, size_t *table)
{
	for (size_t k = 0; k < CONFIG_N_TABLES; k++) {
		const struct param *p;
		if (strcmp(tables[k].t->stage, section) || !(p = params_find_key(tables[k].t, name)) ||
		    !(p->flags & PARAM_CONF))
			continue;
		*table = k;
		return p;
	}
	return NULL;
}

int config_line(const struct pipeline_config *c, const char *section, const char *name)
{
	size_t k;
	const struct param *p = find_key(section, name, &k);
	return p ? c->lines[k][p - tables[k].t->v] : 0;
}

static void defaults(struct pipeline_config *c);

void config_describe(struct buf *out)
{
	struct pipeline_config *d = xcalloc(1, sizeof(*d));
	defaults(d);
	for (size_t s = 0; s < ARRAY_SIZE(sections); s++) {
		buf_addf(out, "[%s]\n", sections[s]);
		for (size_t k = 0; k < CONFIG_N_TABLES; k++) {
			const struct param_table *t = tables[k].t;
			if (strcmp(t->stage, sections[s]))
				continue;
			void *defaults = (char *)d + tables[k].base;
			for (size_t i = 0; i < t->n; i++) {
				const struct param *p = &t->v[i];
				if (!(p->flags & PARAM_CONF))
					continue;
				char key[64];
				struct buf def = BUF_INIT;
				if (p->def)
					buf_adds(&def, p->def);
				else
					param_format(p, defaults, &def);
				buf_addf(out, "  %s = %s\n      ", param_key(p, key, sizeof key),
					 p->arg ? p->arg : "yes|no");
				for (const char *h = p->help; *h; h++)
					buf_addf(out, *h == '\n' ? "\n      " : "%c", *h);
				buf_addf(out, "%s%s%s\n", def.len ? " (" : "", buf_str(&def),
					 def.len ? ")" : "");
				buf_release(&def);
			}
		}
	}
	config_release(d);
	free(d);
}

/* ------------------------------------------------------------ reading */

struct reading {
	struct pipeline_config *c;
	FILE *f;
	int line;           /* the line being parsed */
	int line_done;      /* the last chunk read ended its line */
	size_t line_len;    /* bytes of the line read so far */
	int failed;         /* an error was reported */
};

/* The longest configuration line: inih would cut a longer one in pieces. */
#define CONFIG_MAX_LINE (1 << 16)

static MK_PRINTF(2, 3) int fail(struct reading *r, const char *fmt, ...);

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
	r->line_len = r->line_done ? n : r->line_len + n;
	r->line_done = n > 0 && s[n - 1] == '\n';
	if (!r->line_done && r->line_len >= CONFIG_MAX_LINE - 1 && !feof(r->f)) {
		fail(r, "line longer than %d bytes", CONFIG_MAX_LINE);
		return NULL;
	}
	return s;
}

/* Report the first problem, at the line being read. @return 0 (inih: stop). */
static MK_PRINTF(2, 3) int fail(struct reading *r, const char *fmt, ...)
{
	if (!r->failed) {
		struct buf msg = BUF_INIT;
		va_list ap;
		va_start(ap, fmt);
		char tmp[1024];
		vsnprintf(tmp, sizeof tmp, fmt, ap);
		va_end(ap);
		buf_adds(&msg, tmp);
		error("%s:%d: %s", r->c->file, r->line, buf_str(&msg));
		buf_release(&msg);
		r->failed = 1;
	}
	return 0;
}

/* An input path: resolved, and it must exist, as a file or a directory when
 * the row says which. @return the resolved path (caller frees), or NULL
 * after fail(). */
static char *checked_path(struct reading *r, const struct param *p, const char *value)
{
	char *path = config_resolve(r->c, value);
	if (p->flags & PARAM_OUT)
		return path;
	unsigned want = p->flags & (PARAM_FILE | PARAM_DIR);
	struct stat sb;
	if (stat(path, &sb) != 0)
		fail(r, "%s: %s", value, strerror(errno));
	else if (want == PARAM_DIR && !S_ISDIR(sb.st_mode))
		fail(r, "%s: not a directory", value);
	else if (want == PARAM_FILE && S_ISDIR(sb.st_mode))
		fail(r, "%s: is a directory, expected a file", value);
	else
		return path;
	free(path);
	return NULL;
}

/* Set p from value: paths resolved and checked, one list item at a time. */
static int set_value(struct reading *r, const struct param *p, void *opts, const char *value)
{
	char key[64];
	param_key(p, key, sizeof key);
	int paths = p->type == PARAM_PATH || (p->type == PARAM_LIST && (p->flags & PARAM_PATHS));
	char **items = paths ? strlist_parse(value) : NULL;
	int rc = 0;
	for (size_t i = 0; rc == 0 && (paths ? items[i] != NULL : i == 0); i++) {
		char *path = paths ? checked_path(r, p, items[i]) : NULL;
		struct buf why = BUF_INIT;
		if (paths && !path)
			rc = -1;
		else if (param_set(p, opts, paths ? path : value, &why) < 0)
			rc = fail(r, "'%s' %s", key, buf_str(&why)) - 1;
		buf_release(&why);
		free(path);
	}
	strlist_free(items);
	return rc;
}

static int handler(void *user, const char *section, const char *name, const char *value)
{
	struct reading *r = user;
	if (r->failed)
		return 0;
	if (!*section)
		return fail(r, "'%s' outside a section (start with one of [build], [knowledge], "
			       "[reports], [link], [embed], [export])", name);
	int known_section = 0;
	for (size_t i = 0; i < ARRAY_SIZE(sections); i++)
		known_section |= !strcmp(section, sections[i]);
	if (!known_section)
		return fail(r, "unknown section [%s] (build, knowledge, reports, link, embed, "
			       "export)", section);
	size_t k;
	const struct param *p = find_key(section, name, &k);
	if (!p)
		return fail(r, "unknown key '%s' in [%s]", name, section);
	int *line = &r->c->lines[k][p - tables[k].t->v];
	if (*line && p->type != PARAM_LIST)
		return fail(r, "'%s' given twice (first on line %d)", name, *line);
	if (!*value)
		return fail(r, "'%s' needs a value", name);
	void *opts = (char *)r->c + tables[k].base;
	/* a list given replaces its default; given again, it appends */
	if (!*line)
		param_clear(p, opts);
	*line = r->line;
	return set_value(r, p, opts, value) == 0;
}

static void defaults(struct pipeline_config *c)
{
	for (size_t k = 0; k < CONFIG_N_TABLES; k++)
		if (tables[k].t->defaults)
			tables[k].t->defaults((char *)c + tables[k].base);
	/* the pipeline exports: it embeds the entities the export selects
	 * (ARL's rule), and writes the plans */
	c->sel.mentioned = 1;
	c->sel.min_count = 20;
	c->export.plans = 1;
}

/* Checks that need more than one key. */
static int check_whole(struct pipeline_config *c)
{
	int line;
	if (!c->umls && !c->mesh && !c->obo)
		return error("%s: no knowledge source: name one in [knowledge] (umls, mesh or obo)",
			     c->file);
	if (!c->inputs)
		return error("%s: no reports: name them in [reports] (input = PATH)", c->file);
	if (!c->sel.mentioned && (line = config_line(c, "embed", "min_count") ?
					  config_line(c, "embed", "min_count") :
					  config_line(c, "embed", "hops")))
		return error("%s:%d: min_count and hops go with entities = mentioned", c->file, line);
	if (c->export.layout == EXPORT_LAYOUT_ARL) {
		/* the embed stage trains the ARL layout's entities; ARL's knowledge
		 * layer is 256 wide (its bert_model.py) */
		if (c->p.dim != 256)
			return error("%s:%d: ARL's knowledge layer takes 256-dimensional entity "
				     "vectors: set [embed] dim = 256 (it is %d)", c->file,
				     config_line(c, "embed", "dim") ? config_line(c, "embed", "dim")
								    : config_line(c, "export", "layout"),
				     c->p.dim);
		if (config_line(c, "export", "plans") && c->export.plans)
			return error("%s:%d: plans go with the medkg layout (ARL draws its own masks)",
				     c->file, config_line(c, "export", "plans"));
	} else if (!c->sel.mentioned || c->sel.hops)
		/* The export's vectors must come from a model trained on exactly the
		 * entities it selects (mentioned at least min_count times). */
		return error("%s:%d: the export needs embeddings of the entities it exports: "
			     "entities = mentioned and hops = 0", c->file,
			     c->sel.hops ? config_line(c, "embed", "hops")
					 : config_line(c, "embed", "entities"));
	/* what the stages will write must be writable where it is named, before
	 * any of them runs */
	struct stat sb;
	if (c->export_dir && stat(c->export_dir, &sb) == 0 && !S_ISDIR(sb.st_mode))
		return error("%s:%d: %s: not a directory (the export directory)", c->file,
			     config_line(c, "export", "dir"), c->export_dir);
	if (c->export_dir && stat(c->export_dir, &sb) != 0) {
		char *parent = xstrdup(c->export_dir);
		char *slash = strrchr(parent, '/');
		int bad = slash && slash != parent &&
			  (*slash = 0, stat(parent, &sb) != 0 || !S_ISDIR(sb.st_mode));
		free(parent);
		if (bad)
			return error("%s:%d: %s: its directory does not exist (the export directory)",
				     c->file, config_line(c, "export", "dir"), c->export_dir);
	}
	if (c->store && stat(c->store, &sb) == 0 && S_ISDIR(sb.st_mode))
		return error("%s:%d: %s: is a directory, expected the store file", c->file,
			     config_line(c, "build", "store"), c->store);
	for (size_t k = 0; k < CONFIG_N_TABLES; k++)
		if (tables[k].t->defaults && params_check(tables[k].t, (char *)c + tables[k].base) < 0)
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
	struct reading r = { c, NULL, 0, 1, 0, 0 };
	r.f = fopen(path, "r");
	if (!r.f) {
		error("%s: cannot read the configuration: %s", path, strerror(errno));
		goto fail;
	}
	/* long lines in one piece; no continuation lines (an indented line is
	 * a mistake, not a value); the first error stops */
	ini_use_stack = 0;
	ini_allow_realloc = 1;
	ini_max_line = CONFIG_MAX_LINE;
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

void config_release(struct pipeline_config *c)
{
	free(c->file);
	free(c->dir);
	for (size_t k = 0; k < CONFIG_N_TABLES; k++)
		params_release(tables[k].t, (char *)c + tables[k].base);
	memset(c, 0, sizeof(*c));
}
