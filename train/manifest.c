#define _XOPEN_SOURCE 700 /* realpath */
#include "manifest.h"
#include "export_params.h"
#include "plans.h"
#include "../common/buf.h"
#include "../common/strlist.h"
#include "../common/util.h"

#include <errno.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

void manifest_release(struct manifest *m)
{
	if (!m)
		return;
	json_decref(m->root);
	free(m->files);
	memset(m, 0, sizeof(*m));
}

static int is_hex32(const char *s)
{
	size_t i = 0;
	for (; s[i]; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return 0;
	return i == 32;
}

/* A relative path that stays inside the export: no leading '/', no "..". */
static int safe_relative(const char *p)
{
	if (!*p || *p == '/')
		return 0;
	for (const char *s = p; *s;) {
		const char *e = strchr(s, '/');
		size_t n = e ? (size_t)(e - s) : strlen(s);
		if (n == 0 || (n == 1 && s[0] == '.') || (n == 2 && s[0] == '.' && s[1] == '.'))
			return 0;
		s += n + (e != NULL);
	}
	return 1;
}

/* The "append" object: a name and an int64_t field of struct export_base. */
#define BASE(field) offsetof(struct export_base, field)
static const struct {
	const char *name;
	size_t off;
} base_fields[] = {
	{ "reports_through", BASE(reports) },      { "images_through", BASE(images) },
	{ "mentions_through", BASE(mentions) },    { "regions_through", BASE(regions_through) },
	{ "patches_through", BASE(patches_through) }, { "images_settled", BASE(images_through) },
	{ "rewrites", BASE(rewrites) },            { "kb_generation", BASE(kb_generation) },
	{ "log", BASE(log) },                      { "log_hash", BASE(log_hash) },
	{ "negatives_version", BASE(negatives) },
};
#undef BASE

/* manifest_read of the file at path (m zeroed). */
static int manifest_parse(const char *path, struct manifest *m)
{
	FILE *f = fopen(path, "rb");
	if (!f) {
		if (errno == ENOENT)
			return 0;
		return error("%s: cannot open: %s", path, strerror(errno));
	}
	json_error_t je;
	m->root = json_loadf(f, JSON_REJECT_DUPLICATES, &je);
	fclose(f);
	if (!m->root)
		return error("%s:%d: corrupted manifest: %s", path, je.line, je.text);
	const char *what = NULL;
	json_t *format = json_object_get(m->root, "format");
	json_t *version = json_object_get(m->root, "version");
	json_t *store = json_object_get(m->root, "store");
	json_t *files = json_object_get(m->root, "files");
	m->parameters = json_object_get(m->root, "parameters");
	if (!json_is_object(m->root))
		what = "not a JSON object";
	else if (!json_is_string(format) || strcmp(json_string_value(format), MANIFEST_FORMAT))
		what = "\"format\" is not \"" MANIFEST_FORMAT "\"";
	else if (!json_is_integer(version))
		what = "\"version\" is missing";
	else if (json_integer_value(version) != MANIFEST_VERSION)
		what = "written by another medkg (manifest version differs)";
	else if (!json_is_object(store) || !json_is_string(json_object_get(store, "path")) ||
		 !json_is_string(json_object_get(store, "state")))
		what = "\"store\" needs \"path\" and \"state\" strings";
	else if (!json_is_object(m->parameters))
		what = "\"parameters\" is missing";
	else if (!json_is_object(files) || json_object_size(files) == 0)
		what = "\"files\" is missing or empty";
	if (what) {
		error("%s: corrupted manifest: %s", path, what);
		manifest_release(m);
		return -1;
	}
	json_t *base = json_object_get(m->root, "append");
	if (json_is_object(base)) {
		m->has_base = 1;
		for (size_t i = 0; i < ARRAY_SIZE(base_fields); i++) {
			json_t *v = json_object_get(base, base_fields[i].name);
			int64_t n = json_integer_value(v);
			m->has_base &= json_is_integer(v);
			memcpy((char *)&m->base + base_fields[i].off, &n, sizeof n);
		}
	}
	m->schema_version = json_integer_value(json_object_get(m->root, "schema_version"));
	m->store_path = json_string_value(json_object_get(store, "path"));
	m->store_state = json_string_value(json_object_get(store, "state"));
	m->files = xcalloc(json_object_size(files), sizeof(*m->files));
	const char *key;
	json_t *v;
	json_object_foreach(files, key, v)
	{
		json_t *bytes = json_object_get(v, "bytes");
		json_t *hash = json_object_get(v, "xxh3_128");
		if (!safe_relative(key) || !json_is_integer(bytes) || json_integer_value(bytes) < 0 ||
		    !json_is_string(hash) || !is_hex32(json_string_value(hash))) {
			error("%s: corrupted manifest: bad entry for file \"%s\"", path, key);
			manifest_release(m);
			return -1;
		}
		m->files[m->n_files++] = (struct manifest_file){
			key, (uint64_t)json_integer_value(bytes), json_string_value(hash),
			json_string_value(json_object_get(v, "xxh3_state")) };
	}
	return 1;
}

int manifest_read(const char *dir, struct manifest *m)
{
	memset(m, 0, sizeof(*m));
	struct buf pb = BUF_INIT;
	buf_addf(&pb, "%s/%s", dir, MANIFEST_NAME);
	int rc = manifest_parse(pb.p, m);
	buf_release(&pb);
	return rc;
}

const struct manifest_file *manifest_find(const struct manifest *m, const char *path)
{
	for (size_t i = 0; i < m->n_files; i++)
		if (!strcmp(m->files[i].path, path))
			return &m->files[i];
	return NULL;
}

int manifest_verify(const char *dir, const struct manifest *m)
{
	struct buf path = BUF_INIT;
	int rc = 0;
	for (size_t i = 0; i < m->n_files && rc == 0; i++) {
		char hex[33];
		uint64_t bytes;
		buf_reset(&path);
		buf_addf(&path, "%s/%s", dir, m->files[i].path);
		struct stat sb;
		if (stat(path.p, &sb) != 0 || !S_ISREG(sb.st_mode))
			rc = error("%s: the export is incomplete: %s is listed in its manifest but "
				   "missing",
				   dir, m->files[i].path);
		else if (file_hash(path.p, hex, &bytes) < 0)
			rc = -1;
		else if (bytes != m->files[i].bytes || strcmp(hex, m->files[i].hash))
			rc = error("%s: %s changed since the export (%llu bytes, hash %s; the "
				   "manifest says %llu bytes, hash %s)",
				   dir, m->files[i].path, (unsigned long long)bytes, hex,
				   (unsigned long long)m->files[i].bytes, m->files[i].hash);
	}
	buf_release(&path);
	return rc;
}

/* ------------------------------------------------------------ writing */

static const char *const knowledge_files[] = {
	"knowledge/entity2id.txt",     "knowledge/relation2id.txt",
	"knowledge/train2id.txt",      "knowledge/ent_embeddings.npy",
	"knowledge/rel_embeddings.npy",
};
static const char *const medkg_files[] = {
	"annotations/train.jsonl",     "annotations/val.jsonl",
	"annotations/test.jsonl",      "plans/train.jsonl",
	"plans/val.jsonl",             "plans/test.jsonl",
	"plans/train_negatives.npy",   "plans/val_negatives.npy",
	"plans/test_negatives.npy",    "plans/train_pool.bin",
	"plans/val_pool.bin",          "plans/test_pool.bin",
};

char **export_file_list(const struct export_options *o)
{
	char **l = NULL;
	for (size_t i = 0; i < ARRAY_SIZE(knowledge_files); i++)
		l = strlist_add(l, knowledge_files[i]);
	if (o->layout == EXPORT_LAYOUT_MEDKG) {
		for (size_t i = 0; i < ARRAY_SIZE(medkg_files); i++)
			l = strlist_add(l, medkg_files[i]);
		return l;
	}
	struct buf b = BUF_INIT;
	buf_addf(&b, "pretrain_data/%s.json", arl_dataset(&o->arl));
	l = strlist_add(l, b.p);
	buf_reset(&b);
	buf_addf(&b, "pretrain_data/%s_chexpert.csv", arl_dataset(&o->arl));
	l = strlist_add(l, b.p);
	buf_release(&b);
	return l;
}

/* The options as the manifest's "parameters", from the export's parameter
 * table, with the grid as used (manifest_inherit reads them back). */
static json_t *params_json_of(const struct export_options *o, int grid)
{
	struct export_options w = *o;
	w.grid = grid;
	struct buf b = BUF_INIT;
	buf_addc(&b, '{');
	params_json(&export_param_table, &w, PARAM_JSON, &b);
	buf_adds(&b, ", ");
	params_json(&export_arl_table, &w.arl, PARAM_JSON, &b);
	buf_addc(&b, '}');
	json_t *p = json_loads(b.p, 0, NULL);
	buf_release(&b);
	return p ? p : json_object();
}

static json_t *store_json(struct store *st, const char *state)
{
	json_t *store = json_object();
	char *abs = realpath(st->path, NULL);
	json_object_set_new(store, "path", json_string(abs ? abs : st->path));
	free(abs);
	json_object_set_new(store, "state", json_string(state));
	struct buf fp = BUF_INIT;
	if (store_meta_get(st, META_KB_FINGERPRINT, &fp) == 1)
		json_object_set_new(store, "knowledge_fingerprint", json_string(buf_str(&fp)));
	buf_release(&fp);
	return store;
}

/* The manifest's counts in their order: a name and a size_t field of
 * export_stats; "samples" is the object of per-split counts. Of the
 * knowledge, counted again by every export; of the samples, which an append
 * adds to (manifest_counts); of the negatives, written with --plans only. */
#define STAT(field) offsetof(struct export_stats, field)
enum count_kind { COUNT_KNOWLEDGE, COUNT_SAMPLES, COUNT_NEGATIVES };
static const struct {
	const char *name;
	size_t off;           /* SIZE_MAX: the samples object */
	int kind;             /* enum count_kind */
} counts[] = {
	{ "entities", STAT(n_ent), COUNT_KNOWLEDGE },
	{ "relations", STAT(n_rel), COUNT_KNOWLEDGE },
	{ "triples", STAT(n_triples), COUNT_KNOWLEDGE },
	{ "candidates", STAT(n_candidates), COUNT_KNOWLEDGE },
	{ "entities_kept_from_previous", STAT(n_previous), COUNT_KNOWLEDGE },
	{ "entities_retained_below_min_count", STAT(n_retained), COUNT_KNOWLEDGE },
	{ "samples", SIZE_MAX, COUNT_SAMPLES },
	{ "reports", STAT(reports), COUNT_SAMPLES },
	{ "images", STAT(images), COUNT_SAMPLES },
	{ "reports_without_caption", STAT(no_caption), COUNT_SAMPLES },
	{ "reports_without_images", STAT(no_image), COUNT_SAMPLES },
	{ "splits_from_input", STAT(splits_input), COUNT_SAMPLES },
	{ "splits_drawn", STAT(splits_drawn), COUNT_SAMPLES },
	{ "mentions", STAT(mentions), COUNT_SAMPLES },
	{ "mentions_exported", STAT(mentions_kept), COUNT_SAMPLES },
	{ "mentions_outside_captions", STAT(mentions_outside), COUNT_SAMPLES },
	{ "mentions_of_other_concepts", STAT(mentions_other), COUNT_SAMPLES },
	{ "patch_sets_off_grid", STAT(links_off_grid), COUNT_SAMPLES },
	{ "negatives_sampled", STAT(neg.sampled), COUNT_NEGATIVES },
	{ "negatives_dense", STAT(neg.dense), COUNT_NEGATIVES },
};
#undef STAT

static json_t *size_json(size_t v)
{
	return json_integer((json_int_t)v);
}

static json_t *counts_json(const struct export_options *o, const struct export_stats *s)
{
	json_t *c = json_object();
	for (size_t i = 0; i < ARRAY_SIZE(counts); i++) {
		if (counts[i].kind == COUNT_NEGATIVES && !o->plans)
			continue;
		if (counts[i].off != SIZE_MAX) {
			size_t v;
			memcpy(&v, (const char *)s + counts[i].off, sizeof v);
			json_object_set_new(c, counts[i].name, size_json(v));
			continue;
		}
		json_t *samples = json_object();
		for (int k = 0; k < N_SPLITS; k++)
			json_object_set_new(samples, split_names[k], size_json(s->samples[k]));
		json_object_set_new(c, counts[i].name, samples);
	}
	return c;
}

int manifest_counts(const struct manifest *m, struct export_stats *s)
{
	json_t *c = json_object_get(m->root, "counts");
	for (size_t i = 0; i < ARRAY_SIZE(counts); i++) {
		if (counts[i].kind != COUNT_SAMPLES)
			continue;
		json_t *v = json_object_get(c, counts[i].name);
		if (counts[i].off == SIZE_MAX) {
			for (int k = 0; k < N_SPLITS; k++) {
				json_t *n = json_object_get(v, split_names[k]);
				if (!json_is_integer(n) || json_integer_value(n) < 0)
					return error("corrupted manifest: counts.samples.%s",
						     split_names[k]);
				s->samples[k] = (size_t)json_integer_value(n);
			}
			continue;
		}
		if (!json_is_integer(v) || json_integer_value(v) < 0)
			return error("corrupted manifest: counts.%s", counts[i].name);
		size_t n = (size_t)json_integer_value(v);
		memcpy((char *)s + counts[i].off, &n, sizeof n);
	}
	return 0;
}

int manifest_same_parameters(const struct manifest *m, const struct export_options *o, int grid)
{
	json_t *now = params_json_of(o, grid);
	int same = now && json_equal(now, m->parameters);
	json_decref(now);
	return same;
}

static json_t *base_json(const struct export_base *b)
{
	json_t *o = json_object();
	for (size_t i = 0; i < ARRAY_SIZE(base_fields); i++) {
		int64_t n;
		memcpy(&n, (const char *)b + base_fields[i].off, sizeof n);
		json_object_set_new(o, base_fields[i].name, json_integer(n));
	}
	return o;
}

/* Size and hash of every file of the list present in dir, and the hash's
 * state of the growable ones (resumed from resume's). @return a new object,
 * or NULL after error(). */
static json_t *files_json(const char *dir, char *const *export_files, char *const *growable,
			  const struct manifest *resume)
{
	json_t *files = json_object();
	struct buf path = BUF_INIT, state = BUF_INIT;
	for (size_t i = 0; export_files[i]; i++) {
		char hex[33];
		uint64_t bytes;
		buf_reset(&path);
		buf_addf(&path, "%s/%s", dir, export_files[i]);
		if (access(path.p, F_OK) != 0)
			continue;
		int grows = growable && strlist_has(growable, export_files[i]);
		const struct manifest_file *was = grows && resume ? manifest_find(resume,
										  export_files[i])
								  : NULL;
		buf_reset(&state);
		if (file_hash_resume(path.p, UINT64_MAX, was ? was->state : NULL,
				     was ? was->bytes : 0, hex, &bytes, grows ? &state : NULL) < 0) {
			json_decref(files);
			files = NULL;
			break;
		}
		json_t *f = json_object();
		json_object_set_new(f, "bytes", json_integer((json_int_t)bytes));
		json_object_set_new(f, "xxh3_128", json_string(hex));
		if (grows)
			json_object_set_new(f, "xxh3_state", json_string(buf_str(&state)));
		json_object_set_new(files, export_files[i], f);
	}
	buf_release(&path);
	buf_release(&state);
	return files;
}

int manifest_write(const char *dir, struct store *st, const char *state,
		   const struct export_options *o, const struct export_stats *s,
		   const char *model_created, json_t *sources, char *const *growable,
		   const struct manifest *resume)
{
	char **list = export_file_list(o);
	json_t *files = files_json(dir, list, growable, resume);
	strlist_free(list);
	if (!files)
		return -1;
	json_t *m = json_object();
	json_object_set_new(m, "format", json_string(MANIFEST_FORMAT));
	json_object_set_new(m, "version", json_integer(MANIFEST_VERSION));
	json_object_set_new(m, "schema_version", json_integer(SCHEMA_VERSION));
	char now[32];
	utc_timestamp(now, sizeof now);
	json_object_set_new(m, "created", json_string(now));
	json_object_set_new(m, "store", store_json(st, state));
	json_t *model = json_object();
	json_object_set_new(model, "id", json_integer(s->model));
	json_object_set_new(model, "dim", json_integer(s->dim));
	json_object_set_new(model, "created", json_string(model_created));
	json_object_set_new(m, "model", model);
	json_object_set_new(m, "parameters", params_json_of(o, s->grid));
	json_object_set_new(m, "counts", counts_json(o, s));
	json_object_set_new(m, "append", base_json(&s->base));
	json_object_set_new(m, "sources", json_incref(sources));
	json_object_set_new(m, "files", files);
	struct buf path = BUF_INIT;
	buf_addf(&path, "%s/%s", dir, MANIFEST_NAME);
	int rc = 0;
	if (json_dump_file(m, path.p, JSON_INDENT(2) | JSON_REAL_PRECISION(10)) != 0)
		rc = error("%s: write failed", path.p);
	json_decref(m);
	buf_release(&path);
	return rc;
}

int manifest_inherit(const char *path, json_t *p, struct export_options *o)
{
	char *text = p ? json_dumps(p, 0) : NULL;
	int rc = 0;
	if (text && (params_from_json(&export_param_table, o, PARAM_JSON, o->given, text) < 0 ||
		     params_from_json(&export_arl_table, &o->arl, PARAM_JSON, o->given_arl, text) < 0))
		rc = error("%s: corrupted manifest: %s", path, last_error());
	free(text);
	return rc;
}

#define SOURCES_HASH_KEY "xxh3_64_sum"

/* The sums of one source, for manifest_sources. */
struct source_sum {
	char *name;
	int64_t reports;
	uint64_t sum;
};

/* The entry of source name in v (added when new). */
static struct source_sum *source_sum_of(struct source_sum **v, size_t *n, size_t *cap,
					const char *name)
{
	for (size_t i = 0; i < *n; i++)
		if (!strcmp((*v)[i].name, name))
			return &(*v)[i];
	if (*n == *cap)
		*v = xrealloc(*v, (*cap = *cap ? 2 * *cap : 4) * sizeof(**v));
	(*v)[*n] = (struct source_sum){ xstrdup(name), 0, 0 };
	return &(*v)[(*n)++];
}

static int cmp_source_sum(const void *a, const void *b)
{
	return strcmp(((const struct source_sum *)a)->name, ((const struct source_sum *)b)->name);
}

/* An earlier manifest's sources into v. @return 0, or -1 when one is not
 * in this form (the caller counts from scratch). */
static int sources_from(const json_t *from, struct source_sum **v, size_t *n, size_t *cap)
{
	size_t i;
	json_t *o;
	json_array_foreach(from, i, o) {
		const char *name = json_string_value(json_object_get(o, "source"));
		const char *hex = json_string_value(json_object_get(o, SOURCES_HASH_KEY));
		json_t *k = json_object_get(o, "reports");
		char *end;
		if (!name || !hex || strlen(hex) != 16 || !json_is_integer(k))
			return -1;
		uint64_t sum = strtoull(hex, &end, 16);
		if (*end)
			return -1;
		struct source_sum *e = source_sum_of(v, n, cap, name);
		e->reports = json_integer_value(k);
		e->sum = sum;
	}
	return 0;
}

json_t *manifest_sources(struct store *st, const json_t *from, int64_t after)
{
	struct source_sum *v = NULL;
	size_t n = 0, cap = 0;
	if (!from || after <= 0 || sources_from(from, &v, &n, &cap) < 0) {
		for (size_t i = 0; i < n; i++)
			free(v[i].name);
		n = 0;
		after = 0;
	}
	sqlite3_stmt *s = store_prepare(st, "SELECT source, external_id, hash FROM reports "
					    "WHERE id > ?");
	json_t *a = NULL;
	if (!s)
		goto out;
	sqlite3_bind_int64(s, 1, after);
	XXH3_state_t *h = XXH3_createState();
	int r;
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		struct source_sum *e = source_sum_of(&v, &n, &cap,
						     (const char *)sqlite3_column_text(s, 0));
		XXH3_64bits_reset(h);
		for (int c = 1; c <= 2; c++)
			XXH3_64bits_update(h, sqlite3_column_text(s, c),
					   (size_t)sqlite3_column_bytes(s, c) + 1);
		e->reports++;
		e->sum += XXH3_64bits_digest(h);
	}
	XXH3_freeState(h);
	sqlite3_finalize(s);
	if (r != SQLITE_DONE) {
		store_error(st, "reading report sources");
		goto out;
	}
	qsort(v, n, sizeof(*v), cmp_source_sum);
	a = json_array();
	for (size_t i = 0; i < n; i++) {
		char hex[17];
		snprintf(hex, sizeof hex, "%016llx", (unsigned long long)v[i].sum);
		json_t *o = json_object();
		json_object_set_new(o, "source", json_string(v[i].name));
		json_object_set_new(o, "reports", json_integer(v[i].reports));
		json_object_set_new(o, SOURCES_HASH_KEY, json_string(hex));
		json_array_append_new(a, o);
	}
out:
	for (size_t i = 0; i < n; i++)
		free(v[i].name);
	free(v);
	return a;
}
