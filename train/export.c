#define _GNU_SOURCE /* renameat2 */
#include "export.h"
#include "manifest.h"
#include "plans.h"
#include "samples.h"
#include "select.h"
#include "../embed/npy.h"
#include "../embed/openke.h"
#include "../common/arena.h"
#include "../common/util.h"
#include "../common/strlist.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <jansson.h>
#include <libgen.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

void export_options_default(struct export_options *o)
{
	memset(o, 0, sizeof(*o));
	o->min_count = 20;
	o->split[SPLIT_TRAIN] = 0.9;
	o->split[SPLIT_VAL] = 0.05;
	o->split[SPLIT_TEST] = 0.05;
	o->seed = 42;
	o->mlm_mode = MLM_ENTITY_FIRST;
	o->mlm_ratio = 0.15;
	o->mim_ratio = 0.75;
	o->negatives = 4;
}

/* ------------------------------------------------------------ small helpers */

int export_store_state(struct store *st, struct buf *out)
{
	static const char *const q[] = {
		"SELECT coalesce(max(id), 0) FROM ingest_log",
		"SELECT count(*) FROM reports",
		"SELECT coalesce(max(id), 0) FROM mentions",
		"SELECT count(*) FROM mention_regions",
		"SELECT coalesce(max(id), 0) FROM embedding_models",
	};
	static const char *const label[] = { "log", "reports", "mentions", "links", "models" };
	for (size_t i = 0; i < ARRAY_SIZE(q); i++) {
		int64_t v = store_int(st, q[i], -1);
		if (v < 0)
			return store_error(st, "reading the store's state");
		buf_addf(out, "%s%s %lld", i ? ", " : "", label[i], (long long)v);
	}
	return 0;
}

/* ------------------------------------------------------------ directories */

/* @return 0 missing, 1 empty directory, 2 non-empty directory, -1 error. */
static int dir_state(const char *dir)
{
	struct stat sb;
	if (stat(dir, &sb) != 0) {
		if (errno == ENOENT)
			return 0;
		return error("%s: %s", dir, strerror(errno));
	}
	if (!S_ISDIR(sb.st_mode))
		return error("%s: exists and is not a directory", dir);
	DIR *d = opendir(dir);
	if (!d)
		return error("%s: cannot read: %s", dir, strerror(errno));
	int state = 1;
	struct dirent *e;
	while ((e = readdir(d)))
		if (strcmp(e->d_name, ".") && strcmp(e->d_name, "..")) {
			state = 2;
			break;
		}
	closedir(d);
	return state;
}

static int rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb, (void)flag, (void)ftw;
	return remove(p);
}

/* Remove a directory tree (one this export made or replaced). */
static void rm_tree(const char *dir)
{
	nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
}

static int make_dir(const char *path)
{
	if (mkdir(path, 0777) != 0 && errno != EEXIST)
		return error("%s: cannot create: %s", path, strerror(errno));
	return 0;
}

/* ------------------------------------------------------------ knowledge files */

/* ------------------------------------------------------------ previous export */

/* Read entity2id.txt or relation2id.txt of a previous export: the first
 * column of each line, in id order. @return the count, or -1. */
static ssize_t read_previous_ids(const char *path, char ***out)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return error("%s: cannot open: %s", path, strerror(errno));
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t len, n = -1, got = 0;
	char **ids = NULL;
	int rc = -1;
	while ((len = getline(&line, &cap, f)) > 0) {
		lineno++;
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		if (lineno == 1) {
			char *end;
			n = strtol(line, &end, 10);
			if (end == line || *end || n < 0) {
				error("%s:1: expected the count", path);
				goto out;
			}
			ids = xcalloc((size_t)n + 1, sizeof(char *));
			continue;
		}
		char *tab = strchr(line, '\t');
		char *end;
		long id = tab ? strtol(tab + 1, &end, 10) : -1;
		if (!tab || id != got || (*end && *end != '\t')) {
			error("%s:%zu: expected \"key<TAB>%zd\"", path, lineno, got);
			goto out;
		}
		if (got >= n) {
			error("%s:%zu: more lines than the count %zd", path, lineno, n);
			goto out;
		}
		ids[got++] = xstrndup(line, (size_t)(tab - line));
	}
	if (n < 0 || got != n) {
		error("%s: %zd lines for a count of %zd", path, got, n);
		goto out;
	}
	*out = ids;
	ids = NULL;
	rc = 0;
out:
	if (ids) {
		for (ssize_t i = 0; i < got; i++)
			free(ids[i]);
		free(ids);
	}
	free(line);
	fclose(f);
	return rc < 0 ? -1 : n;
}

static void free_list(char **l, size_t n)
{
	if (!l)
		return;
	for (size_t i = 0; i < n; i++)
		free(l[i]);
	free(l);
}

/* ------------------------------------------------------------ parameters */

static void params_json(const struct export_options *o, int grid, json_t *p)
{
	json_object_set_new(p, "min_count", json_integer(o->min_count));
	json_object_set_new(p, "per", json_string(o->per_report ? "report" : "image"));
	json_t *sec = json_array();
	for (size_t i = 0; o->sections[i]; i++)
		json_array_append_new(sec, json_string(o->sections[i]));
	json_object_set_new(p, "sections", sec);
	json_object_set_new(p, "drop_negated", json_boolean(o->drop_negated));
	json_t *split = json_array();
	for (int i = 0; i < N_SPLITS; i++)
		json_array_append_new(split, json_real(o->split[i]));
	json_object_set_new(p, "split", split);
	json_object_set_new(p, "seed", json_integer((json_int_t)o->seed));
	json_object_set_new(p, "plans", json_boolean(o->plans));
	json_object_set_new(p, "mlm_plan",
			    json_string(o->mlm_mode == MLM_RANDOM ? "random" : "entity-first"));
	json_object_set_new(p, "mlm_ratio", json_real(o->mlm_ratio));
	json_object_set_new(p, "mim_ratio", json_real(o->mim_ratio));
	json_object_set_new(p, "negatives", json_integer(o->negatives));
	json_object_set_new(p, "grid", json_integer(grid));
}

/* Take from a previous manifest's parameters every option not given again.
 * o->sections is then owned by *sections_owned. @return 0 or -1. */
static int params_inherit(const char *path, json_t *p, struct export_options *o,
			  char ***sections_owned)
{
	json_t *v;
	const char *bad = NULL;
#define GIVEN(bit) (o->given & EXPORT_GIVEN_##bit)
	if (!GIVEN(MIN_COUNT) && json_is_integer(v = json_object_get(p, "min_count")))
		o->min_count = json_integer_value(v);
	if (!GIVEN(PER) && json_is_string(v = json_object_get(p, "per")))
		o->per_report = !strcmp(json_string_value(v), "report");
	if (!GIVEN(SECTIONS) && json_is_array(v = json_object_get(p, "sections"))) {
		size_t i;
		json_t *x;
		char **l = NULL;
		json_array_foreach(v, i, x)
		{
			if (json_is_string(x))
				l = strlist_add(l, json_string_value(x));
			else
				bad = "sections";
		}
		if (l) {
			*sections_owned = l;
			o->sections = l;
		}
	}
	if (!GIVEN(DROP_NEGATED) && json_is_boolean(v = json_object_get(p, "drop_negated")))
		o->drop_negated = json_is_true(v);
	if (!GIVEN(SPLIT) && json_is_array(v = json_object_get(p, "split"))) {
		if (json_array_size(v) != N_SPLITS)
			bad = "split";
		for (size_t i = 0; i < N_SPLITS && !bad; i++)
			o->split[i] = json_number_value(json_array_get(v, i));
	}
	if (!GIVEN(SEED) && json_is_integer(v = json_object_get(p, "seed")))
		o->seed = (uint64_t)json_integer_value(v);
	if (!GIVEN(PLANS) && json_is_boolean(v = json_object_get(p, "plans")))
		o->plans = json_is_true(v);
	if (!GIVEN(MLM) && json_is_string(v = json_object_get(p, "mlm_plan")))
		o->mlm_mode = !strcmp(json_string_value(v), "random") ? MLM_RANDOM : MLM_ENTITY_FIRST;
	if (!GIVEN(MLM_RATIO) && json_is_number(v = json_object_get(p, "mlm_ratio")))
		o->mlm_ratio = json_number_value(v);
	if (!GIVEN(MIM_RATIO) && json_is_number(v = json_object_get(p, "mim_ratio")))
		o->mim_ratio = json_number_value(v);
	if (!GIVEN(NEGATIVES) && json_is_integer(v = json_object_get(p, "negatives")))
		o->negatives = (int)json_integer_value(v);
	if (!GIVEN(GRID) && json_is_integer(v = json_object_get(p, "grid")))
		o->grid = (int)json_integer_value(v);
#undef GIVEN
	if (bad)
		return error("%s: corrupted manifest: bad parameter \"%s\"", path, bad);
	return 0;
}

static int options_check(const struct export_options *o)
{
	if (o->min_count < 1)
		return error("--min-count must be at least 1");
	if (!(o->mlm_ratio > 0 && o->mlm_ratio <= 1))
		return error("--mlm-ratio must be in (0, 1]");
	if (!(o->mim_ratio >= 0 && o->mim_ratio <= 1))
		return error("--mim-ratio must be in [0, 1]");
	if (o->negatives < 1 || o->negatives > 1024)
		return error("--negatives must be between 1 and 1024");
	if (o->grid < 0 || o->grid > 256)
		return error("--grid must be between 1 and 256");
	double sum = 0;
	for (int i = 0; i < N_SPLITS; i++) {
		if (!(o->split[i] >= 0))
			return error("--split fractions must not be negative");
		sum += o->split[i];
	}
	if (fabs(sum - 1) > 1e-6)
		return error("--split fractions must sum to 1");
	return 0;
}

/* ------------------------------------------------------------ selection */

struct knowledge {
	struct selection sel;
	struct arena names;        /* CUIs, names and relation names */
	char **ent_cui, **ent_name;  /* (n_ent) */
	char **rel_name;             /* (n_rel) */
	int32_t *ent_of;             /* (max_concept + 1) concept id -> entity id or -1 */
	int64_t max_concept;
	float *ent_vec, *rel_vec;    /* (n_ent, dim), (n_rel, dim) */
	int dim;
	int64_t model;
	char *model_created;
};

static void knowledge_release(struct knowledge *k)
{
	selection_release(&k->sel);
	arena_release(&k->names);
	free(k->ent_cui);
	free(k->ent_name);
	free(k->rel_name);
	free(k->ent_of);
	free(k->ent_vec);
	free(k->rel_vec);
	free(k->model_created);
}

/* A name fit for a tab-separated line: tabs and line breaks become spaces. */
static char *clean_name(struct arena *a, const char *s)
{
	size_t n = strlen(s);
	char *c = arena_strdup(a, s, n);
	for (size_t i = 0; i < n; i++)
		if (c[i] == '\t' || c[i] == '\n' || c[i] == '\r')
			c[i] = ' ';
	return c;
}

/* Resolve a previous export's keys (CUIs or relation names) to store ids. */
static int resolve_previous(struct store *st, const char *sql, const char *file, char **keys,
			    size_t n, int64_t **out)
{
	sqlite3_stmt *s = store_prepare(st, sql);
	if (!s)
		return -1;
	int64_t *ids = xmalloc((n ? n : 1) * sizeof(int64_t));
	for (size_t i = 0; i < n; i++) {
		sqlite3_bind_text(s, 1, keys[i], -1, SQLITE_STATIC);
		if (sqlite3_step(s) != SQLITE_ROW) {
			sqlite3_finalize(s);
			free(ids);
			return error("%s:%zu: %s (id %zu) is no longer in the store: use --renumber",
				     file, i + 2, keys[i], i);
		}
		ids[i] = sqlite3_column_int64(s, 0);
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
	*out = ids;
	return 0;
}

static int knowledge_select(struct store *st, const struct export_options *o, const int64_t *prev_ent,
			    size_t n_prev_ent, const int64_t *prev_rel, size_t n_prev_rel,
			    struct knowledge *k)
{
	struct sel_concept *con = NULL;
	struct sel_triple *tr = NULL;
	struct sel_relation *rel = NULL;
	size_t n_con = 0, cap_con = 0, n_tr = 0, cap_tr = 0, n_rel = 0, cap_rel = 0;
	uint8_t *cand = NULL;
	sqlite3_stmt *s = NULL;
	int rc = -1;
	arena_init(&k->names);

	/* concepts: mention counts, and the previous entities */
	s = store_prepare(st, "SELECT m.concept, c.cui, count(*) FROM mentions m JOIN concepts c "
			      "ON c.id = m.concept GROUP BY m.concept");
	if (!s)
		goto out;
	int64_t max_c = 0;
	while (sqlite3_step(s) == SQLITE_ROW) {
		XGROW(con, cap_con, n_con + 1);
		con[n_con].id = sqlite3_column_int64(s, 0);
		con[n_con].cui = arena_strdup(&k->names, (const char *)sqlite3_column_text(s, 1),
					      (size_t)sqlite3_column_bytes(s, 1));
		con[n_con].mentions = sqlite3_column_int64(s, 2);
		max_c = con[n_con].id > max_c ? con[n_con].id : max_c;
		n_con++;
	}
	if (sqlite3_finalize(s) != SQLITE_OK) {
		s = NULL;
		store_error(st, "counting mentions");
		goto out;
	}
	s = NULL;
	if (n_con == 0 && n_prev_ent == 0) {
		error("%s: the store has no mentions: extract concepts from reports first "
		      "(medkg extract)",
		      st->path);
		goto out;
	}
	for (size_t i = 0; i < n_prev_ent; i++)
		max_c = prev_ent[i] > max_c ? prev_ent[i] : max_c;
	cand = xcalloc((size_t)max_c + 1, 1);
	for (size_t i = 0; i < n_con; i++)
		cand[con[i].id] = 1;
	s = store_prepare(st, "SELECT cui FROM concepts WHERE id = ?");
	if (!s)
		goto out;
	for (size_t i = 0; i < n_prev_ent; i++) {
		if (cand[prev_ent[i]])
			continue;
		cand[prev_ent[i]] = 1;
		sqlite3_bind_int64(s, 1, prev_ent[i]);
		if (sqlite3_step(s) != SQLITE_ROW) {
			error("%s: concept %lld vanished while exporting", st->path,
			      (long long)prev_ent[i]);
			goto out;
		}
		XGROW(con, cap_con, n_con + 1);
		con[n_con++] = (struct sel_concept){
			prev_ent[i],
			arena_strdup(&k->names, (const char *)sqlite3_column_text(s, 0),
				     (size_t)sqlite3_column_bytes(s, 0)),
			0
		};
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
	/* candidates: kept by the count, or carried over */
	memset(cand, 0, (size_t)max_c + 1);
	for (size_t i = 0; i < n_con; i++)
		if (con[i].mentions >= o->min_count)
			cand[con[i].id] = 1;
	for (size_t i = 0; i < n_prev_ent; i++)
		cand[prev_ent[i]] = 1;

	/* the distinct triples among candidates: a range scan of the triples'
	 * primary key per candidate head, not a pass over every triple */
	s = store_prepare(st, "SELECT DISTINCT relation, tail FROM triples WHERE head = ?");
	if (!s)
		goto out;
	for (int64_t c = 1; c <= max_c; c++) {
		if (!cand[c])
			continue;
		sqlite3_bind_int64(s, 1, c);
		while (sqlite3_step(s) == SQLITE_ROW) {
			int64_t t = sqlite3_column_int64(s, 1);
			if (t < 1 || t > max_c || !cand[t])
				continue;
			XGROW(tr, cap_tr, n_tr + 1);
			tr[n_tr++] = (struct sel_triple){ c, sqlite3_column_int64(s, 0), t };
		}
		if (sqlite3_reset(s) != SQLITE_OK) {
			store_error(st, "reading triples");
			goto out;
		}
	}
	sqlite3_finalize(s);
	s = store_prepare(st, "SELECT id, name FROM relations");
	if (!s)
		goto out;
	while (sqlite3_step(s) == SQLITE_ROW) {
		XGROW(rel, cap_rel, n_rel + 1);
		rel[n_rel].id = sqlite3_column_int64(s, 0);
		rel[n_rel].name = arena_strdup(&k->names, (const char *)sqlite3_column_text(s, 1),
					       (size_t)sqlite3_column_bytes(s, 1));
		n_rel++;
	}
	sqlite3_finalize(s);
	s = NULL;
	if (select_entities(con, n_con, tr, n_tr, rel, n_rel, o->min_count, prev_ent, n_prev_ent,
			    prev_rel, n_prev_rel, &k->sel) < 0)
		goto out;

	/* names, and concept id -> entity id */
	k->max_concept = max_c;
	k->ent_of = xmalloc(((size_t)max_c + 1) * sizeof(int32_t));
	for (int64_t c = 0; c <= max_c; c++)
		k->ent_of[c] = -1;
	k->ent_cui = xmalloc((k->sel.n_ent + 1) * sizeof(char *));
	k->ent_name = xmalloc((k->sel.n_ent + 1) * sizeof(char *));
	k->rel_name = xmalloc((k->sel.n_rel + 1) * sizeof(char *));
	s = store_prepare(st, "SELECT cui, name FROM concepts WHERE id = ?");
	if (!s)
		goto out;
	for (size_t i = 0; i < k->sel.n_ent; i++) {
		k->ent_of[k->sel.ent[i]] = (int32_t)i;
		sqlite3_bind_int64(s, 1, k->sel.ent[i]);
		if (sqlite3_step(s) != SQLITE_ROW) {
			error("%s: concept %lld vanished while exporting", st->path,
			      (long long)k->sel.ent[i]);
			goto out;
		}
		k->ent_cui[i] = clean_name(&k->names, (const char *)sqlite3_column_text(s, 0));
		k->ent_name[i] = clean_name(&k->names, (const char *)sqlite3_column_text(s, 1));
		sqlite3_reset(s);
	}
	for (size_t i = 0; i < k->sel.n_rel; i++)
		for (size_t j = 0; j < n_rel; j++)
			if (rel[j].id == k->sel.rel[i])
				k->rel_name[i] = clean_name(&k->names, rel[j].name);
	rc = 0;
out:
	sqlite3_finalize(s);
	free(con);
	free(tr);
	free(rel);
	free(cand);
	return rc;
}

/* ------------------------------------------------------------ embeddings */

static int64_t find_pos(const int64_t *sorted, size_t n, int64_t v)
{
	size_t lo = 0, hi = n;
	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		if (sorted[mid] < v)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && sorted[lo] == v ? (int64_t)lo : -1;
}

static int cmp_pair(const void *a, const void *b)
{
	const int64_t *x = a, *y = b;
	return (x[0] > y[0]) - (x[0] < y[0]);
}

/* Read the vectors of one kind ('e' or 'r') of a model into out (n, dim),
 * row i for ids[i]. Every id must have a vector and no other may. */
static int read_vectors(struct store *st, int64_t model, int dim, char kind, const int64_t *ids,
			size_t n, float *out, const char *what, const char *whats)
{
	/* (id, row) pairs sorted by id */
	int64_t *pairs = xmalloc((n ? n : 1) * 2 * sizeof(int64_t));
	int64_t *sorted = xmalloc((n ? n : 1) * sizeof(int64_t));
	uint8_t *seen = xcalloc(n ? n : 1, 1);
	size_t extra = 0, missing = 0;
	int rc = -1;
	for (size_t i = 0; i < n; i++)
		pairs[2 * i] = ids[i], pairs[2 * i + 1] = (int64_t)i;
	qsort(pairs, n, 2 * sizeof(int64_t), cmp_pair);
	for (size_t i = 0; i < n; i++)
		sorted[i] = pairs[2 * i];
	sqlite3_stmt *s = store_prepare(st, "SELECT item, vector FROM embeddings WHERE model = ? "
					    "AND kind = ?");
	if (!s)
		goto out;
	sqlite3_bind_int64(s, 1, model);
	char k[2] = { kind, '\0' };
	sqlite3_bind_text(s, 2, k, 1, SQLITE_STATIC);
	const size_t bytes = (size_t)dim * sizeof(float);
	int r;
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t item = sqlite3_column_int64(s, 0);
		if (kind == 'r' && item < 0)
			continue; /* the inverse relations of a reciprocal model */
		int64_t p = find_pos(sorted, n, item);
		if (p < 0) {
			extra++;
			continue;
		}
		if ((size_t)sqlite3_column_bytes(s, 1) != bytes) {
			error("%s: embedding model %lld: the vector of %s %lld has %d bytes, expected "
			      "%zu",
			      st->path, (long long)model, what, (long long)item,
			      sqlite3_column_bytes(s, 1), bytes);
			goto out;
		}
		size_t row = (size_t)pairs[2 * p + 1];
		memcpy(out + row * (size_t)dim, sqlite3_column_blob(s, 1), bytes);
		seen[row] = 1;
	}
	if (r != SQLITE_DONE) {
		store_error(st, "reading embeddings");
		goto out;
	}
	for (size_t i = 0; i < n; i++)
		missing += !seen[i];
	if (missing || extra) {
		error("%s: embedding model %lld was trained on another %s set: %zu of the %zu "
		      "exported %s have no vector and it has %zu %s the export does not select; "
		      "train embeddings on this selection (medkg embed --entities mentioned "
		      "--min-count N) or choose another --model",
		      st->path, (long long)model, what, missing, n, whats, extra, whats);
		goto out;
	}
	rc = 0;
out:
	sqlite3_finalize(s);
	free(pairs);
	free(sorted);
	free(seen);
	return rc;
}

static int knowledge_vectors(struct store *st, const struct export_options *o,
			     struct knowledge *k)
{
	int64_t model = o->model;
	if (model == 0) {
		model = store_int(st, "SELECT coalesce(max(id), 0) FROM embedding_models", -1);
		if (model < 0)
			return store_error(st, "reading embedding models");
		if (model == 0)
			return error("%s: the store has no embeddings: train them first (medkg embed "
				     "--entities mentioned --min-count %lld)",
				     st->path, (long long)o->min_count);
	}
	sqlite3_stmt *s = store_prepare(st, "SELECT dim, created FROM embedding_models WHERE id = ?");
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, model);
	if (sqlite3_step(s) != SQLITE_ROW) {
		sqlite3_finalize(s);
		return error("%s: no embedding model %lld", st->path, (long long)model);
	}
	k->dim = sqlite3_column_int(s, 0);
	k->model_created = xstrdup((const char *)sqlite3_column_text(s, 1));
	sqlite3_finalize(s);
	k->model = model;
	if (k->dim < 1 || k->dim > 65536)
		return error("%s: embedding model %lld has dimension %d", st->path, (long long)model,
			     k->dim);
	k->ent_vec = xmalloc((k->sel.n_ent ? k->sel.n_ent : 1) * (size_t)k->dim * sizeof(float));
	k->rel_vec = xmalloc((k->sel.n_rel ? k->sel.n_rel : 1) * (size_t)k->dim * sizeof(float));
	if (read_vectors(st, model, k->dim, 'e', k->sel.ent, k->sel.n_ent, k->ent_vec, "entity",
			 "entities") < 0 ||
	    read_vectors(st, model, k->dim, 'r', k->sel.rel, k->sel.n_rel, k->rel_vec, "relation",
			 "relations") < 0)
		return -1;
	return 0;
}

static int knowledge_write(const struct knowledge *k, const char *tmp)
{
	char path[4200];
	snprintf(path, sizeof path, "%s/knowledge", tmp);
	if (make_dir(path) < 0)
		return -1;
	snprintf(path, sizeof path, "%s/knowledge/entity2id.txt", tmp);
	if (openke_write_ids(path, (int32_t)k->sel.n_ent, k->ent_cui, k->ent_name) < 0)
		return -1;
	snprintf(path, sizeof path, "%s/knowledge/relation2id.txt", tmp);
	if (openke_write_ids(path, (int32_t)k->sel.n_rel, k->rel_name, NULL) < 0)
		return -1;
	snprintf(path, sizeof path, "%s/knowledge/train2id.txt", tmp);
	if (openke_write_triples(path, k->sel.edges, k->sel.n_edges) < 0)
		return -1;
	snprintf(path, sizeof path, "%s/knowledge/ent_embeddings.npy", tmp);
	if (npy_write(path, k->ent_vec, k->sel.n_ent, (size_t)k->dim, (size_t)k->dim) < 0)
		return -1;
	snprintf(path, sizeof path, "%s/knowledge/rel_embeddings.npy", tmp);
	if (npy_write(path, k->rel_vec, k->sel.n_rel, (size_t)k->dim, (size_t)k->dim) < 0)
		return -1;
	return 0;
}

/* The export in progress, for the steps after the samples. */
struct exporter {
	struct store *st;
	const struct export_options *o;
	struct export_stats *s;
	const struct knowledge *k;
	int grid;
	struct split_out out[N_SPLITS];
};

/* ------------------------------------------------------------ negatives */

static int write_negatives(struct exporter *x, const char *tmp)
{
	const int k = x->o->negatives;
	for (int sp = 0; sp < N_SPLITS; sp++) {
		struct split_out *so = &x->out[sp];
		size_t zero = 0;
		struct neg_input in = { so->n, so->n ? so->off : &zero, so->ents,
					(int32_t)x->k->sel.n_ent, so->keys, so->group };
		int32_t *rows = xmalloc((so->n ? so->n : 1) * (size_t)k * sizeof(int32_t));
		struct neg_stats ns;
		if (negatives_mine(&in, k, x->o->seed, 0, x->o->threads, rows, &ns) < 0) {
			free(rows);
			return -1;
		}
		x->s->neg.sampled += ns.sampled;
		x->s->neg.dense += ns.dense;
		x->s->neg.short_rows += ns.short_rows;
		x->s->neg.seconds += ns.seconds;
		char path[4200];
		snprintf(path, sizeof path, "%s/plans/%s_negatives.npy", tmp, split_names[sp]);
		int w = npy_write_i32(path, rows, so->n, (size_t)k);
		free(rows);
		if (w < 0)
			return -1;
	}
	return 0;
}

/* ------------------------------------------------------------ manifest */

/* Every file under dir, as paths relative to it, sorted. */
static const char *const export_files[] = {
	"knowledge/entity2id.txt",     "knowledge/relation2id.txt",
	"knowledge/train2id.txt",      "knowledge/ent_embeddings.npy",
	"knowledge/rel_embeddings.npy", "annotations/train.jsonl",
	"annotations/val.jsonl",       "annotations/test.jsonl",
	"plans/train.jsonl",           "plans/val.jsonl",
	"plans/test.jsonl",            "plans/train_negatives.npy",
	"plans/val_negatives.npy",     "plans/test_negatives.npy",
};

static int write_manifest(struct exporter *x, const char *tmp, const char *state,
			  const struct knowledge *k, json_t *sources)
{
	const struct export_options *o = x->o;
	const struct export_stats *s = x->s;
	json_t *m = json_object();
	json_object_set_new(m, "format", json_string(MANIFEST_FORMAT));
	json_object_set_new(m, "version", json_integer(MANIFEST_VERSION));
	json_object_set_new(m, "schema_version", json_integer(SCHEMA_VERSION));
	char now[32];
	utc_timestamp(now, sizeof now);
	json_object_set_new(m, "created", json_string(now));
	json_t *store = json_object();
	char *abs = realpath(x->st->path, NULL);
	json_object_set_new(store, "path", json_string(abs ? abs : x->st->path));
	free(abs);
	json_object_set_new(store, "state", json_string(state));
	struct buf fp = BUF_INIT;
	if (store_meta_get(x->st, META_KB_FINGERPRINT, &fp) == 1)
		json_object_set_new(store, "knowledge_fingerprint", json_string(buf_str(&fp)));
	buf_release(&fp);
	json_object_set_new(m, "store", store);
	json_t *model = json_object();
	json_object_set_new(model, "id", json_integer(k->model));
	json_object_set_new(model, "dim", json_integer(k->dim));
	json_object_set_new(model, "created", json_string(k->model_created));
	json_object_set_new(m, "model", model);
	json_t *p = json_object();
	params_json(o, x->grid, p);
	json_object_set_new(m, "parameters", p);
	json_t *c = json_object();
	json_object_set_new(c, "entities", json_integer((json_int_t)s->n_ent));
	json_object_set_new(c, "relations", json_integer((json_int_t)s->n_rel));
	json_object_set_new(c, "triples", json_integer((json_int_t)s->n_triples));
	json_object_set_new(c, "candidates", json_integer((json_int_t)s->n_candidates));
	json_object_set_new(c, "entities_kept_from_previous", json_integer((json_int_t)s->n_previous));
	json_object_set_new(c, "entities_retained_below_min_count",
			    json_integer((json_int_t)s->n_retained));
	json_t *samples = json_object();
	for (int i = 0; i < N_SPLITS; i++)
		json_object_set_new(samples, split_names[i], json_integer((json_int_t)s->samples[i]));
	json_object_set_new(c, "samples", samples);
	json_object_set_new(c, "reports", json_integer((json_int_t)s->reports));
	json_object_set_new(c, "images", json_integer((json_int_t)s->images));
	json_object_set_new(c, "reports_without_caption", json_integer((json_int_t)s->no_caption));
	json_object_set_new(c, "reports_without_images", json_integer((json_int_t)s->no_image));
	json_object_set_new(c, "splits_from_input", json_integer((json_int_t)s->splits_input));
	json_object_set_new(c, "splits_drawn", json_integer((json_int_t)s->splits_drawn));
	json_object_set_new(c, "mentions", json_integer((json_int_t)s->mentions));
	json_object_set_new(c, "mentions_exported", json_integer((json_int_t)s->mentions_kept));
	json_object_set_new(c, "mentions_outside_captions",
			    json_integer((json_int_t)s->mentions_outside));
	json_object_set_new(c, "mentions_of_other_concepts",
			    json_integer((json_int_t)s->mentions_other));
	json_object_set_new(c, "patch_sets_off_grid", json_integer((json_int_t)s->links_off_grid));
	if (o->plans) {
		json_object_set_new(c, "negatives_sampled", json_integer((json_int_t)s->neg.sampled));
		json_object_set_new(c, "negatives_dense", json_integer((json_int_t)s->neg.dense));
	}
	json_object_set_new(m, "counts", c);
	json_object_set_new(m, "sources", json_incref(sources));
	json_t *files = json_object();
	for (size_t i = 0; i < ARRAY_SIZE(export_files); i++) {
		char path[4200], hex[33];
		uint64_t bytes;
		snprintf(path, sizeof path, "%s/%s", tmp, export_files[i]);
		if (access(path, F_OK) != 0)
			continue;
		if (file_hash(path, hex, &bytes) < 0) {
			json_decref(files);
			json_decref(m);
			return -1;
		}
		json_t *f = json_object();
		json_object_set_new(f, "bytes", json_integer((json_int_t)bytes));
		json_object_set_new(f, "xxh3_128", json_string(hex));
		json_object_set_new(files, export_files[i], f);
	}
	json_object_set_new(m, "files", files);
	char path[4200];
	snprintf(path, sizeof path, "%s/%s", tmp, MANIFEST_NAME);
	int rc = 0;
	if (json_dump_file(m, path, JSON_INDENT(2) | JSON_REAL_PRECISION(10)) != 0)
		rc = error("%s: write failed", path);
	json_decref(m);
	return rc;
}

/* The input collections: reports per source and a hash of their ids and
 * content hashes. */
static json_t *sources_json(struct store *st)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT source, external_id, hash FROM reports ORDER BY "
					    "source, external_id");
	if (!s)
		return NULL;
	json_t *a = json_array();
	XXH3_state_t *h = XXH3_createState();
	char *cur = NULL;
	int64_t n = 0;
	for (int done = 0; !done;) {
		int r = sqlite3_step(s);
		const char *src = r == SQLITE_ROW ? (const char *)sqlite3_column_text(s, 0) : NULL;
		if (cur && (!src || strcmp(src, cur))) {
			char hex[17];
			snprintf(hex, sizeof hex, "%016llx", (unsigned long long)XXH3_64bits_digest(h));
			json_t *o = json_object();
			json_object_set_new(o, "source", json_string(cur));
			json_object_set_new(o, "reports", json_integer(n));
			json_object_set_new(o, "xxh3_64", json_string(hex));
			json_array_append_new(a, o);
			free(cur);
			cur = NULL;
		}
		if (!src) {
			done = 1;
			if (r != SQLITE_DONE) {
				store_error(st, "reading report sources");
				json_decref(a);
				a = NULL;
			}
			break;
		}
		if (!cur) {
			cur = xstrdup(src);
			n = 0;
			XXH3_64bits_reset(h);
		}
		n++;
		for (int c = 1; c <= 2; c++)
			XXH3_64bits_update(h, sqlite3_column_text(s, c),
					   (size_t)sqlite3_column_bytes(s, c) + 1);
	}
	free(cur);
	XXH3_freeState(h);
	sqlite3_finalize(s);
	return a;
}

/* ------------------------------------------------------------ the export */

/* Put the finished tmp directory in place of dir. @return 0 or -1. */
static int swap_into_place(const char *tmp, const char *dir, int exists)
{
	if (!exists) {
		if (rename(tmp, dir) != 0)
			return error("%s: cannot move the export into place: %s", dir, strerror(errno));
		return 0;
	}
#ifdef RENAME_EXCHANGE
	if (renameat2(AT_FDCWD, tmp, AT_FDCWD, dir, RENAME_EXCHANGE) == 0)
		return 0;
	if (errno != ENOSYS && errno != EINVAL)
		return error("%s: cannot swap in the new export: %s", dir, strerror(errno));
#endif
	/* no atomic exchange here: two renames */
	char old[4200];
	snprintf(old, sizeof old, "%s.old", tmp);
	if (rename(dir, old) != 0)
		return error("%s: cannot move the old export aside: %s", dir, strerror(errno));
	if (rename(tmp, dir) != 0) {
		rename(old, dir);
		return error("%s: cannot move the export into place: %s", dir, strerror(errno));
	}
	return rename(old, tmp) == 0 ? 0 : error("%s: %s", old, strerror(errno));
}

/* Update: files whose content did not change stay as they were: the new
 * copy is replaced by a hard link to the old file (the old export keeps it
 * until the swap, so a failure before then leaves it whole). */
static void keep_unchanged(const char *dir, const char *tmp, const struct manifest *old,
			   struct export_stats *s)
{
	for (size_t i = 0; i < ARRAY_SIZE(export_files); i++) {
		char np[4200], op[4200], hex[33];
		uint64_t bytes;
		snprintf(np, sizeof np, "%s/%s", tmp, export_files[i]);
		snprintf(op, sizeof op, "%s/%s", dir, export_files[i]);
		if (access(np, F_OK) != 0)
			continue;
		const struct manifest_file *f = manifest_find(old, export_files[i]);
		if (f && file_hash(np, hex, &bytes) == 0 && bytes == f->bytes && !strcmp(hex, f->hash)) {
			/* link under a temporary name, then rename over the new
			 * copy: if anything fails, the new copy stays */
			char oh[33], lp[4300];
			uint64_t ob;
			snprintf(lp, sizeof lp, "%s.link", np);
			if (file_hash(op, oh, &ob) == 0 && ob == bytes && !strcmp(oh, hex) &&
			    link(op, lp) == 0) {
				if (rename(lp, np) == 0) {
					s->files_kept++;
					continue;
				}
				unlink(lp);
			}
		}
		s->files_written++;
	}
}

int train_export(struct store *st, const char *dir_arg, const struct export_options *opt,
		 struct export_stats *s)
{
	double t0 = now_seconds();
	struct export_options o = *opt;
	struct manifest old = { 0 };
	struct knowledge k = { 0 };
	struct exporter x = { 0 };
	char **sections_owned = NULL, **prev_keys = NULL, **prev_rels = NULL;
	ssize_t n_prev = 0, n_prev_rel = 0;
	int64_t *prev_ent = NULL, *prev_rel = NULL;
	char *dir = NULL, *tmp = NULL;
	json_t *sources = NULL;
	struct buf state = BUF_INIT;
	int rc = -1, have_old = 0;
	memset(s, 0, sizeof(*s));

	/* the target: a fresh directory, or an export to update or replace */
	dir = xstrdup(dir_arg);
	for (size_t n = strlen(dir); n > 1 && dir[n - 1] == '/'; n--)
		dir[n - 1] = '\0';
	int ds = dir_state(dir);
	if (ds < 0)
		goto out;
	if (ds == 2 && o.force && !o.update) {
		char mp[4200];
		snprintf(mp, sizeof mp, "%s/%s", dir, MANIFEST_NAME);
		if (access(mp, F_OK) != 0) {
			error("%s: not empty and not a medkg export (no %s): --force replaces only an "
			      "export; remove it or choose another directory",
			      dir, MANIFEST_NAME);
			goto out;
		}
	} else if (ds == 2) {
		int m = manifest_read(dir, &old);
		if (o.update) {
			if (m == 0)
				error("%s: no %s: not a medkg export, nothing to update", dir,
				      MANIFEST_NAME);
			if (m <= 0)
				goto out;
		} else {
			if (m >= 0)
				error("%s: not empty: use --update to refresh the export, or --force to "
				      "replace it",
				      dir);
			goto out;
		}
		have_old = m == 1;
	} else if (o.update) {
		error("%s: no export to update%s", dir, ds == 0 ? " (no such directory)" : "");
		goto out;
	}
	if (o.update && params_inherit(dir, old.parameters, &o, &sections_owned) < 0)
		goto out;
	if (!o.sections)
		o.sections = sections_owned = strlist_parse("findings,impression");
	if (options_check(&o) < 0)
		goto out;

	/* the previous numbering, from files the manifest vouches for */
	if (o.update && !o.renumber) {
		static const char *const kf[] = { "knowledge/entity2id.txt", "knowledge/relation2id.txt" };
		for (size_t i = 0; i < ARRAY_SIZE(kf); i++) {
			char path[4200], hex[33];
			uint64_t bytes;
			snprintf(path, sizeof path, "%s/%s", dir, kf[i]);
			const struct manifest_file *f = manifest_find(&old, kf[i]);
			if (!f) {
				error("%s/%s: corrupted manifest: %s is not listed", dir, MANIFEST_NAME,
				      kf[i]);
				goto out;
			}
			if (file_hash(path, hex, &bytes) < 0)
				goto out;
			if (bytes != f->bytes || strcmp(hex, f->hash)) {
				error("%s: changed since the export (its hash differs from the "
				      "manifest's): re-export with --force, or --update --renumber",
				      path);
				goto out;
			}
		}
		char path[4200];
		snprintf(path, sizeof path, "%s/knowledge/entity2id.txt", dir);
		if ((n_prev = read_previous_ids(path, &prev_keys)) < 0 ||
		    resolve_previous(st, "SELECT id FROM concepts WHERE cui = ?", path, prev_keys,
				     (size_t)n_prev, &prev_ent) < 0)
			goto out;
		snprintf(path, sizeof path, "%s/knowledge/relation2id.txt", dir);
		if ((n_prev_rel = read_previous_ids(path, &prev_rels)) < 0 ||
		    resolve_previous(st, "SELECT id FROM relations WHERE name = ?", path, prev_rels,
				     (size_t)n_prev_rel, &prev_rel) < 0)
			goto out;
	}

	/* knowledge and vectors */
	if (export_store_state(st, &state) < 0)
		goto out;
	if (knowledge_select(st, &o, prev_ent, (size_t)n_prev, prev_rel, (size_t)n_prev_rel, &k) < 0 ||
	    knowledge_vectors(st, &o, &k) < 0)
		goto out;
	s->n_ent = k.sel.n_ent;
	s->n_rel = k.sel.n_rel;
	s->n_triples = k.sel.n_edges;
	s->n_candidates = k.sel.n_candidates;
	s->n_previous = k.sel.n_previous;
	s->n_retained = k.sel.n_retained;
	s->model = k.model;
	s->dim = k.dim;
	s->min_count = o.min_count;
	s->per_report = o.per_report;

	/* a temporary directory beside the target */
	{
		char *d1 = xstrdup(dir), *d2 = xstrdup(dir);
		struct buf t = BUF_INIT;
		buf_addf(&t, "%s/.%s.tmp-XXXXXX", dirname(d1), basename(d2));
		free(d1);
		free(d2);
		tmp = buf_detach(&t);
		if (!mkdtemp(tmp)) {
			error("%s: cannot create a temporary directory: %s", tmp, strerror(errno));
			free(tmp);
			tmp = NULL;
			goto out;
		}
		/* mkdtemp makes it private; the export gets the usual mode */
		mode_t mask = umask(0);
		umask(mask);
		chmod(tmp, 0777 & ~mask);
	}
	if (knowledge_write(&k, tmp) < 0)
		goto out;
	double t_knowledge = now_seconds();
	debug("knowledge: %.2f s", t_knowledge - t0);

	/* samples */
	x.st = st;
	x.o = &o;
	x.s = s;
	x.k = &k;
	x.grid = o.grid;
	if (x.grid == 0 && (x.grid = samples_stored_grid(st)) < 0)
		goto out;
	if (x.grid == 0)
		x.grid = 18;
	s->grid = x.grid;
	char path[4200];
	snprintf(path, sizeof path, "%s/annotations", tmp);
	if (make_dir(path) < 0)
		goto out;
	if (o.plans) {
		snprintf(path, sizeof path, "%s/plans", tmp);
		if (make_dir(path) < 0)
			goto out;
	}
	for (int i = 0; i < N_SPLITS; i++) {
		snprintf(path, sizeof path, "%s/annotations/%s.jsonl", tmp, split_names[i]);
		if (!(x.out[i].ann = fopen(path, "wb"))) {
			error("%s: cannot write: %s", path, strerror(errno));
			goto out;
		}
		if (o.plans) {
			snprintf(path, sizeof path, "%s/plans/%s.jsonl", tmp, split_names[i]);
			if (!(x.out[i].plan = fopen(path, "wb"))) {
				error("%s: cannot write: %s", path, strerror(errno));
				goto out;
			}
		}
	}
	if (samples_write(st, &o, k.ent_of, k.max_concept, x.grid, x.out, s) < 0)
		goto out;
	for (int i = 0; i < N_SPLITS; i++) {
		int bad = fclose(x.out[i].ann) != 0;
		x.out[i].ann = NULL;
		if (x.out[i].plan) {
			bad |= fclose(x.out[i].plan) != 0;
			x.out[i].plan = NULL;
		}
		if (bad) {
			error("%s: write failed: %s", tmp, strerror(errno));
			goto out;
		}
	}
	if (s->samples[SPLIT_TRAIN] + s->samples[SPLIT_VAL] + s->samples[SPLIT_TEST] == 0) {
		error("%s: nothing to export: %zu reports, %zu without the caption sections, %zu "
		      "without images%s",
		      st->path, s->reports, s->no_caption, s->no_image,
		      o.per_report ? "" : " (--per report exports reports without images)");
		goto out;
	}
	double t_samples = now_seconds();
	debug("samples: %.2f s", t_samples - t_knowledge);
	if (o.plans && write_negatives(&x, tmp) < 0)
		goto out;
	if (!(sources = sources_json(st)))
		goto out;
	if (have_old && o.update)
		keep_unchanged(dir, tmp, &old, s);
	double t_neg = now_seconds();
	if (write_manifest(&x, tmp, buf_str(&state), &k, sources) < 0)
		goto out;
	debug("negatives: %.2f s; sources, hashes and manifest: %.2f s", t_neg - t_samples,
	      now_seconds() - t_neg);
	if (swap_into_place(tmp, dir, ds > 0) < 0)
		goto out;
	if (ds > 0)
		rm_tree(tmp); /* the previous export, now at the temporary name */
	if (!o.update)
		for (size_t i = 0; i < ARRAY_SIZE(export_files); i++) {
			char p2[4200];
			snprintf(p2, sizeof p2, "%s/%s", dir, export_files[i]);
			s->files_written += access(p2, F_OK) == 0;
		}
	s->seconds = now_seconds() - t0;
	rc = 0;
out:
	for (int i = 0; i < N_SPLITS; i++) {
		if (x.out[i].ann)
			fclose(x.out[i].ann);
		if (x.out[i].plan)
			fclose(x.out[i].plan);
		split_out_release(&x.out[i]);
	}
	if (rc < 0 && tmp)
		rm_tree(tmp);
	knowledge_release(&k);
	manifest_release(&old);
	strlist_free(sections_owned);
	free_list(prev_keys, n_prev > 0 ? (size_t)n_prev : 0);
	free_list(prev_rels, n_prev_rel > 0 ? (size_t)n_prev_rel : 0);
	free(prev_ent);
	free(prev_rel);
	free(dir);
	free(tmp);
	json_decref(sources);
	buf_release(&state);
	return rc;
}
