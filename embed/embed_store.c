#include "embed_store.h"
#include "../store/mentions.h"
#include "openke.h"
#include "../common/util.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>

static int little_endian(void)
{
	const uint16_t one = 1;
	return *(const uint8_t *)&one == 1;
}

/* ------------------------------------------------------------ selection */

/* Is the triple held out? A hash of its identity and the seed, so the split
 * does not move when other triples come and go. */
static int held_out(uint64_t seed, int64_t h, int64_t r, int64_t t, double fraction)
{
	if (!(fraction > 0))
		return 0;
	uint64_t x = seed * 0x9E3779B97F4A7C15ull;
	int64_t v[3] = { h, r, t };
	for (int i = 0; i < 3; i++) {
		x ^= (uint64_t)v[i] + 0x9E3779B97F4A7C15ull + (x << 6) + (x >> 2);
		x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
		x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
		x ^= x >> 31;
	}
	return (double)(x >> 11) / 9007199254740992.0 < fraction;
}

struct raw_triple {
	int32_t h, r, t;   /* store ids */
};

static int load_triples(struct store *st, struct raw_triple **out, size_t *n_out)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT DISTINCT head, relation, tail FROM triples");
	if (!s)
		return -1;
	struct raw_triple *a = NULL;
	size_t n = 0, cap = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t h = sqlite3_column_int64(s, 0), r = sqlite3_column_int64(s, 1),
			t = sqlite3_column_int64(s, 2);
		if (h <= 0 || t <= 0 || r <= 0 || h > INT32_MAX || t > INT32_MAX || r > INT32_MAX) {
			sqlite3_finalize(s);
			free(a);
			return error("%s: triple (%lld, %lld, %lld) has an id out of range", st->path,
				     (long long)h, (long long)r, (long long)t);
		}
		XGROW(a, cap, n + 1);
		a[n++] = (struct raw_triple){ (int32_t)h, (int32_t)r, (int32_t)t };
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE) {
		free(a);
		return store_error(st, "reading triples");
	}
	*out = a;
	*n_out = n;
	return 0;
}

/* Mark the concepts mentioned at least min_count times, then grow the set
 * by hops steps along the triples. @return the number of seeds, or -1. */
static int64_t select_mentioned(struct store *st, const struct embed_select *sel,
				const struct raw_triple *tr, size_t n, uint8_t *mark, int64_t max_id)
{
	if (store_int(st, "SELECT count(*) FROM (SELECT 1 FROM mentions LIMIT 1)", 0) == 0)
		return error("%s: the store has no mentions: extract concepts from reports first, "
			     "or use --entities all",
			     st->path);
	int64_t *counts = NULL, n_counts = 0, seeds = 0;
	if (mentions_by_concept(st, &counts, &n_counts) < 0)
		return -1;
	for (int64_t c = 1; c < n_counts && c <= max_id; c++) {
		if (counts[c] > 0 && counts[c] >= sel->min_count) {
			mark[c] = 1;
			seeds++;
		}
	}
	free(counts);
	if (!seeds)
		return error("%s: no concept is mentioned %d or more times (lower --min-count)",
			     st->path, sel->min_count);
	/* level k marks 1 + k; a triple with one end at the previous level
	 * brings in the other end */
	for (int k = 1; k <= sel->hops; k++) {
		for (size_t i = 0; i < n; i++) {
			if (mark[tr[i].h] == k && !mark[tr[i].t])
				mark[tr[i].t] = (uint8_t)(k + 1);
			else if (mark[tr[i].t] == k && !mark[tr[i].h])
				mark[tr[i].h] = (uint8_t)(k + 1);
		}
	}
	return seeds;
}

/* A graph being loaded: the store's triples and what is kept of them. */
struct graph_load {
	struct raw_triple *tr;     /* (n) the store's distinct triples; the kept first */
	size_t n, kept;
	int64_t max_c, max_r;      /* the largest concept and relation ids */
	uint8_t *mark;             /* (max_c + 1) selected concepts */
	int32_t *ent_map;          /* (max_c + 1) concept id -> entity, or -1 */
	int32_t *rel_map;          /* (max_r + 1) relation id -> relation, or -1 */
};

static void graph_load_release(struct graph_load *gl)
{
	free(gl->tr);
	free(gl->mark);
	free(gl->ent_map);
	free(gl->rel_map);
}

/* Mark the selected concepts: those mentioned (and their neighbours) or
 * every concept in a triple. @return 0 or -1. */
static int mark_concepts(struct store *st, const struct embed_select *sel, struct graph_load *gl,
			 struct embed_graph *g)
{
	for (size_t i = 0; i < gl->n; i++) {
		gl->max_c = gl->tr[i].h > gl->max_c ? gl->tr[i].h : gl->max_c;
		gl->max_c = gl->tr[i].t > gl->max_c ? gl->tr[i].t : gl->max_c;
		gl->max_r = gl->tr[i].r > gl->max_r ? gl->tr[i].r : gl->max_r;
	}
	gl->mark = xcalloc((size_t)gl->max_c + 1, 1);
	if (sel->mentioned == EMBED_LISTED) {
		for (size_t i = 0; i < sel->n_concepts; i++)
			if (sel->concepts[i] > 0 && sel->concepts[i] <= gl->max_c) {
				gl->mark[sel->concepts[i]] = 1;
				g->n_seeds++;
			}
		if (!g->n_seeds)
			return error("%s: no entity is listed to train", st->path);
		return 0;
	}
	if (!sel->mentioned) {
		for (size_t i = 0; i < gl->n; i++)
			gl->mark[gl->tr[i].h] = gl->mark[gl->tr[i].t] = 1;
		return 0;
	}
	int64_t seeds = select_mentioned(st, sel, gl->tr, gl->n, gl->mark, gl->max_c);
	if (seeds < 0)
		return -1;
	g->n_seeds = (size_t)seeds;
	return 0;
}

/* Number densely, in id order, the values of map[0..n) set to 0 (to 0, 1,
 * ...), their ids into *ids. @return how many. */
static int32_t number_marked(int32_t *map, int64_t n, int64_t **ids)
{
	int32_t k = 0;
	for (int64_t i = 0; i < n; i++)
		k += map[i] == 0;
	*ids = xmalloc((size_t)k * sizeof(int64_t));
	k = 0;
	for (int64_t i = 0; i < n; i++)
		if (map[i] == 0) {
			(*ids)[k] = i;
			map[i] = k++;
		}
	return k;
}

/* Keep the triples among marked concepts; number entities and relations
 * densely in id order. @return 0 or -1. */
static int number_graph(struct store *st, struct graph_load *gl, struct embed_graph *g)
{
	gl->ent_map = xmalloc(((size_t)gl->max_c + 1) * sizeof(int32_t));
	gl->rel_map = xmalloc(((size_t)gl->max_r + 1) * sizeof(int32_t));
	for (int64_t i = 0; i <= gl->max_c; i++)
		gl->ent_map[i] = -1;
	for (int64_t i = 0; i <= gl->max_r; i++)
		gl->rel_map[i] = -1;
	struct raw_triple *tr = gl->tr;
	gl->kept = 0;
	for (size_t i = 0; i < gl->n; i++)
		if (gl->mark[tr[i].h] && gl->mark[tr[i].t]) {
			gl->ent_map[tr[i].h] = gl->ent_map[tr[i].t] = 0;
			gl->rel_map[tr[i].r] = 0;
			tr[gl->kept++] = tr[i];
		}
	if (gl->kept == 0)
		return error("%s: no triple joins two selected concepts (%zu selected as "
			     "mentioned; try --hops 1 or a lower --min-count)",
			     st->path, g->n_seeds);
	g->kg.n_ent = number_marked(gl->ent_map, gl->max_c + 1, &g->ent_ids);
	g->kg.n_rel = number_marked(gl->rel_map, gl->max_r + 1, &g->rel_ids);
	return 0;
}

/* Split: training triples, then held-out ones whose ends and relation
 * occur in training. @return 0 or -1. */
static int split_graph(struct store *st, const struct embed_select *sel,
		       const struct graph_load *gl, struct embed_graph *g)
{
	const struct raw_triple *tr = gl->tr;
	const size_t kept = gl->kept;
	size_t n_held = 0;
	for (size_t i = 0; i < kept; i++)
		n_held += held_out(sel->seed, tr[i].h, tr[i].r, tr[i].t, sel->holdout);
	struct triple *train = xmalloc((kept - n_held ? kept - n_held : 1) * sizeof(struct triple));
	struct triple *test = xmalloc((n_held ? n_held : 1) * sizeof(struct triple));
	size_t n_train = 0, n_test = 0;
	for (size_t i = 0; i < kept; i++) {
		struct triple x = { gl->ent_map[tr[i].h], gl->ent_map[tr[i].t], gl->rel_map[tr[i].r] };
		if (held_out(sel->seed, tr[i].h, tr[i].r, tr[i].t, sel->holdout))
			test[n_test++] = x;
		else
			train[n_train++] = x;
	}
	uint8_t *in_train_e = xcalloc((size_t)g->kg.n_ent, 1);
	uint8_t *in_train_r = xcalloc((size_t)g->kg.n_rel, 1);
	for (size_t i = 0; i < n_train; i++) {
		in_train_e[train[i].h] = in_train_e[train[i].t] = 1;
		in_train_r[train[i].r] = 1;
	}
	size_t k = 0;
	for (size_t i = 0; i < n_test; i++)
		if (in_train_e[test[i].h] && in_train_e[test[i].t] && in_train_r[test[i].r])
			test[k++] = test[i];
	free(in_train_e);
	free(in_train_r);
	g->n_dropped = n_test - k;
	g->kg.split[KG_TRAIN] = train;
	g->kg.n[KG_TRAIN] = n_train;
	g->kg.split[KG_TEST] = test;
	g->kg.n[KG_TEST] = k;
	if (n_train == 0)
		return error("%s: every selected triple is held out: lower --holdout", st->path);
	return 0;
}

/* names[map[id]] for the rows (id, name) of sql (ids up to max, of
 * map[id] >= 0 and, with mark, marked); "?" for those without. */
static int name_items(struct store *st, const char *sql, int64_t max, const int32_t *map,
		      const uint8_t *mark, char **names, int32_t n)
{
	sqlite3_stmt *s = store_prepare(st, sql);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, max);
	while (sqlite3_step(s) == SQLITE_ROW) {
		int64_t id = sqlite3_column_int64(s, 0);
		if (id > 0 && id <= max && map[id] >= 0 && (!mark || mark[id]))
			names[map[id]] = xstrdup((const char *)sqlite3_column_text(s, 1));
	}
	sqlite3_finalize(s);
	for (int32_t i = 0; i < n; i++)
		if (!names[i])
			names[i] = xstrdup("?");
	return 0;
}

int embed_graph_load(struct store *st, const struct embed_select *sel, struct embed_graph *g)
{
	struct graph_load gl = { 0 };
	int rc = -1;
	memset(g, 0, sizeof(*g));
	if (sel->hops > 250)
		return error("--hops %d is too large", sel->hops);
	if (load_triples(st, &gl.tr, &gl.n) < 0)
		return -1;
	if (gl.n == 0) {
		error("%s: the store has no triples: load a knowledge base first (medkg load umls DIR)",
		      st->path);
		goto out;
	}
	if (mark_concepts(st, sel, &gl, g) < 0 || number_graph(st, &gl, g) < 0 ||
	    split_graph(st, sel, &gl, g) < 0)
		goto out;
	/* CUIs and relation names */
	g->kg.ent_names = xcalloc((size_t)g->kg.n_ent, sizeof(char *));
	g->kg.rel_names = xcalloc((size_t)g->kg.n_rel, sizeof(char *));
	if (name_items(st, "SELECT id, cui FROM concepts WHERE id <= ?", gl.max_c, gl.ent_map,
		       gl.mark, g->kg.ent_names, g->kg.n_ent) < 0 ||
	    name_items(st, "SELECT id, name FROM relations WHERE id <= ?", gl.max_r, gl.rel_map,
		       NULL, g->kg.rel_names, g->kg.n_rel) < 0)
		goto out;
	rc = 0;
out:
	graph_load_release(&gl);
	if (rc < 0)
		embed_graph_release(g);
	return rc;
}

void embed_graph_release(struct embed_graph *g)
{
	if (!g)
		return;
	kg_release(&g->kg);
	free(g->ent_ids);
	free(g->rel_ids);
	memset(g, 0, sizeof(*g));
}

void embed_select_json(const struct embed_select *sel, const struct embed_graph *g,
		       struct buf *out)
{
	if (sel->mentioned == EMBED_LISTED)
		buf_addf(out, "{\"select\": \"arl\", \"threshold\": %lld, \"listed\": %zu, ",
			 (long long)sel->threshold, sel->n_concepts);
	else if (sel->mentioned)
		buf_addf(out, "{\"select\": \"mentioned\", \"min_count\": %d, \"hops\": %d, "
			      "\"seeds\": %zu, ",
			 sel->min_count, sel->hops, g->n_seeds);
	else
		buf_adds(out, "{\"select\": \"all\", ");
	buf_addf(out, "\"entities\": %d, \"relations\": %d, \"triples\": %zu, \"held_out\": %zu}",
		 g->kg.n_ent, g->kg.n_rel, g->kg.n[KG_TRAIN], g->kg.n[KG_TEST]);
}

/* ------------------------------------------------------------ models */

static char *col_dup(sqlite3_stmt *s, int i)
{
	const unsigned char *t = sqlite3_column_text(s, i);
	return t ? xstrdup((const char *)t) : NULL;
}

int embed_model_entities(struct store *st, int64_t model, int64_t **ids, size_t *n)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT item FROM embeddings WHERE model = ? AND "
					    "kind = 'e' ORDER BY item");
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, model);
	size_t cap = 0;
	*ids = NULL;
	*n = 0;
	int r;
	while ((r = sqlite3_step(s)) == SQLITE_ROW) {
		XGROW(*ids, cap, *n + 1);
		(*ids)[(*n)++] = sqlite3_column_int64(s, 0);
	}
	sqlite3_finalize(s);
	if (r != SQLITE_DONE) {
		free(*ids);
		*ids = NULL;
		return store_error(st, "reading a model's entities");
	}
	return 0;
}

int embed_model_info(struct store *st, int64_t model, struct embed_model_info *info)
{
	memset(info, 0, sizeof(*info));
	const char *cols =
		"SELECT id, dim, norm, params, entities, metrics, coalesce(parent, 0), created, "
		"coalesce(json_extract(params, '$.reciprocal'), 0), "
		"CASE json_extract(entities, '$.select') WHEN 'mentioned' THEN 1 "
		"WHEN 'arl' THEN 2 ELSE 0 END, "
		"coalesce(json_extract(entities, '$.min_count'), 1), "
		"coalesce(json_extract(entities, '$.hops'), 0), "
		"coalesce(json_extract(params, '$.holdout'), 0), "
		"coalesce(json_extract(params, '$.seed'), 1) FROM embedding_models ";
	char sql[1024];
	snprintf(sql, sizeof sql, "%s%s", cols,
		 model ? "WHERE id = ? AND kind = 'transe'"
		       : "WHERE kind = 'transe' ORDER BY id DESC LIMIT 1");
	sqlite3_stmt *s = store_prepare(st, sql);
	if (!s)
		return -1;
	if (model)
		sqlite3_bind_int64(s, 1, model);
	int rc = sqlite3_step(s);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(s);
		return rc == SQLITE_DONE ? 0 : store_error(st, "reading embedding models");
	}
	info->id = sqlite3_column_int64(s, 0);
	info->dim = sqlite3_column_int(s, 1);
	const char *norm = (const char *)sqlite3_column_text(s, 2);
	info->norm = norm && !strcmp(norm, "l2") ? 2 : 1;
	info->params = col_dup(s, 3);
	info->entities = col_dup(s, 4);
	info->metrics = col_dup(s, 5);
	info->parent = sqlite3_column_int64(s, 6);
	info->created = col_dup(s, 7);
	info->reciprocal = sqlite3_column_int(s, 8) != 0;
	info->sel.mentioned = sqlite3_column_int(s, 9);
	info->sel.min_count = sqlite3_column_int(s, 10);
	info->sel.hops = sqlite3_column_int(s, 11);
	info->sel.holdout = sqlite3_column_double(s, 12);
	info->sel.seed = (uint64_t)sqlite3_column_int64(s, 13);
	sqlite3_finalize(s);
	if (info->dim <= 0 || info->dim > 65536) {
		embed_model_info_release(info);
		return error("%s: model %lld has dimension out of range", st->path,
			     (long long)model);
	}
	return 1;
}

void embed_model_info_release(struct embed_model_info *info)
{
	if (!info)
		return;
	free(info->params);
	free(info->entities);
	free(info->metrics);
	free(info->created);
	memset(info, 0, sizeof(*info));
}

int64_t embed_model_save(struct store *st, const struct embed_graph *g, const struct transe *m,
			 int norm, const char *params_json, const char *entities_json,
			 const char *metrics_json, int64_t parent)
{
	return embed_model_save_curve(st, g, m, norm, params_json, entities_json, metrics_json,
				      parent, NULL, 0);
}

int64_t embed_model_save_curve(struct store *st, const struct embed_graph *g,
			       const struct transe *m, int norm, const char *params_json,
			       const char *entities_json, const char *metrics_json, int64_t parent,
			       const double *loss, int n_epochs)
{
	sqlite3_stmt *ins = NULL, *vec = NULL, *ep = NULL;
	int64_t id = -1;
	if (!little_endian())
		return error("storing vectors needs a little-endian machine");
	struct ingest_entry log;
	ingest_start(&log, parent ? "embed --incremental" : "embed");
	if (store_begin(st) < 0)
		return -1;
	char created[32];
	utc_timestamp(created, sizeof created);
	ins = store_prepare(st, "INSERT INTO embedding_models(kind, dim, norm, params, entities, "
				"metrics, parent, created) VALUES ('transe', ?, ?, ?, ?, ?, ?, ?)");
	if (!ins)
		goto out;
	sqlite3_bind_int(ins, 1, m->dim);
	sqlite3_bind_text(ins, 2, norm == 2 ? "l2" : "l1", -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 3, params_json, -1, SQLITE_STATIC);
	sqlite3_bind_text(ins, 4, entities_json, -1, SQLITE_STATIC);
	if (metrics_json)
		sqlite3_bind_text(ins, 5, metrics_json, -1, SQLITE_STATIC);
	else
		sqlite3_bind_null(ins, 5);
	if (parent)
		sqlite3_bind_int64(ins, 6, parent);
	else
		sqlite3_bind_null(ins, 6);
	sqlite3_bind_text(ins, 7, created, -1, SQLITE_STATIC);
	if (store_step_done(st, ins) < 0)
		goto out;
	int64_t model = sqlite3_last_insert_rowid(st->db);
	/* an extended model first takes its parent's vectors as they are stored,
	 * so existing vectors stay byte-identical */
	if (parent) {
		sqlite3_stmt *cp = store_prepare(st, "INSERT INTO embeddings(model, kind, item, vector) "
						     "SELECT ?, kind, item, vector FROM embeddings "
						     "WHERE model = ?");
		if (!cp)
			goto out;
		sqlite3_bind_int64(cp, 1, model);
		sqlite3_bind_int64(cp, 2, parent);
		int rc = store_step_done(st, cp);
		sqlite3_finalize(cp);
		if (rc < 0)
			goto out;
		log.rows_written += sqlite3_changes(st->db);
	}
	vec = store_prepare(st, "INSERT OR IGNORE INTO embeddings(model, kind, item, vector) "
				"VALUES (?, ?, ?, ?)");
	if (!vec)
		goto out;
	const int32_t n_base = g->kg.n_rel;
	const size_t bytes = (size_t)m->dim * sizeof(float);
	for (int kind = 0; kind < 2; kind++) {
		int32_t rows = kind ? m->n_rel : m->n_ent;
		for (int32_t i = 0; i < rows; i++) {
			int64_t item;
			const float *v;
			if (kind) {
				item = i < n_base ? g->rel_ids[i] : -g->rel_ids[i - n_base];
				v = m->rel + (size_t)i * m->stride;
			} else {
				item = g->ent_ids[i];
				v = m->ent + (size_t)i * m->stride;
			}
			sqlite3_bind_int64(vec, 1, model);
			sqlite3_bind_text(vec, 2, kind ? "r" : "e", 1, SQLITE_STATIC);
			sqlite3_bind_int64(vec, 3, item);
			sqlite3_bind_blob(vec, 4, v, (int)bytes, SQLITE_STATIC);
			if (store_step_done(st, vec) < 0)
				goto out;
			log.rows_written += sqlite3_changes(st->db);
		}
	}
	if (n_epochs > 0) {
		ep = store_prepare(st, "INSERT INTO embedding_epochs(model, epoch, loss) "
				       "VALUES (?, ?, ?)");
		if (!ep)
			goto out;
		for (int e = 0; e < n_epochs; e++) {
			sqlite3_bind_int64(ep, 1, model);
			sqlite3_bind_int(ep, 2, e + 1);
			sqlite3_bind_double(ep, 3, loss[e]);
			if (store_step_done(st, ep) < 0)
				goto out;
		}
	}
	log.target = st->path;
	log.params = params_json;
	log.rows_read = (int64_t)g->kg.n[KG_TRAIN];
	if (ingest_finish(st, &log) < 0 || store_commit(st) < 0)
		goto out;
	id = model;
out:
	sqlite3_finalize(ins);
	sqlite3_finalize(vec);
	sqlite3_finalize(ep);
	if (id < 0)
		store_rollback(st);
	return id;
}

static int64_t find_id(const int64_t *ids, int64_t n, int64_t key)
{
	int64_t lo = 0, hi = n;
	while (lo < hi) {
		int64_t mid = lo + (hi - lo) / 2;
		if (ids[mid] < key)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < n && ids[lo] == key ? lo : -1;
}

int embed_model_load(struct store *st, int64_t model, const struct embed_graph *g,
		     struct transe *m, size_t *n_ent_found, size_t *n_rel_found)
{
	if (!little_endian())
		return error("reading vectors needs a little-endian machine");
	sqlite3_stmt *s = store_prepare(st, "SELECT kind, item, vector FROM embeddings WHERE model = ?");
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, model);
	if (!m->ent_frozen)
		m->ent_frozen = xcalloc((size_t)m->n_ent, 1);
	if (!m->rel_frozen)
		m->rel_frozen = xcalloc((size_t)m->n_rel, 1);
	const int32_t n_base = g->kg.n_rel;
	const size_t bytes = (size_t)m->dim * sizeof(float);
	size_t fe = 0, fr = 0;
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		const char *kind = (const char *)sqlite3_column_text(s, 0);
		int64_t item = sqlite3_column_int64(s, 1);
		const void *blob = sqlite3_column_blob(s, 2);
		if ((size_t)sqlite3_column_bytes(s, 2) != bytes) {
			sqlite3_finalize(s);
			return error("%s: model %lld: vector of %s %lld has %d bytes, expected %zu",
				     st->path, (long long)model, kind, (long long)item,
				     sqlite3_column_bytes(s, 2), bytes);
		}
		float *row;
		if (kind[0] == 'e') {
			int64_t i = find_id(g->ent_ids, g->kg.n_ent, item);
			if (i < 0)
				continue;
			row = m->ent + (size_t)i * m->stride;
			m->ent_frozen[i] = 1;
			fe++;
		} else {
			int64_t i = find_id(g->rel_ids, g->kg.n_rel, item < 0 ? -item : item);
			if (i < 0 || (item < 0 && m->n_rel == n_base))
				continue;
			if (item < 0)
				i += n_base;
			row = m->rel + (size_t)i * m->stride;
			m->rel_frozen[i] = 1;
			fr++;
		}
		memcpy(row, blob, bytes);
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_error(st, "reading embeddings");
	*n_ent_found = fe;
	*n_rel_found = fr;
	return 0;
}

static int cmp_pair(const void *a, const void *b)
{
	const int64_t *x = a, *y = b;
	return (x[0] > y[0]) - (x[0] < y[0]);
}

int embed_model_rows(struct store *st, int64_t model, int dim, char kind, const int64_t *ids,
		     size_t n, float *out, size_t *missing_out, size_t *extra_out)
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
		int64_t p = find_id(sorted, (int64_t)n, item);
		if (p < 0) {
			extra++;
			continue;
		}
		if ((size_t)sqlite3_column_bytes(s, 1) != bytes) {
			error("%s: embedding model %lld: the vector of %s %lld has %d bytes, expected "
			      "%zu",
			      st->path, (long long)model, kind == 'e' ? "entity" : "relation",
			      (long long)item,
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
	*missing_out = missing;
	*extra_out = extra;
	rc = 0;
out:
	sqlite3_finalize(s);
	free(pairs);
	free(sorted);
	free(seen);
	return rc;
}

/* ------------------------------------------------------------ export */

/* A name fit for one tab-separated field. */
static char *field(const unsigned char *s)
{
	char *x = xstrdup(s ? (const char *)s : "");
	for (char *p = x; *p; p++)
		if (*p == '\t' || *p == '\n' || *p == '\r')
			*p = ' ';
	return x;
}

struct rows {
	int64_t *ids;
	char **keys, **names;
	float *vec;          /* (n, dim) */
	size_t n, cap;
};

static void rows_release(struct rows *r, int has_names)
{
	for (size_t i = 0; i < r->n; i++) {
		free(r->keys[i]);
		if (has_names)
			free(r->names[i]);
	}
	free(r->ids);
	free(r->keys);
	free(r->names);
	free(r->vec);
}

static int read_rows(struct store *st, const char *sql, int64_t model, int dim, struct rows *r,
		     int has_names)
{
	sqlite3_stmt *s = store_prepare(st, sql);
	if (!s)
		return -1;
	sqlite3_bind_int64(s, 1, model);
	const size_t bytes = (size_t)dim * sizeof(float);
	int rc;
	while ((rc = sqlite3_step(s)) == SQLITE_ROW) {
		if ((size_t)sqlite3_column_bytes(s, 3) != bytes) {
			sqlite3_finalize(s);
			return error("%s: model %lld: a vector has %d bytes, expected %zu", st->path,
				     (long long)model, sqlite3_column_bytes(s, 3), bytes);
		}
		if (r->n == r->cap) {
			r->cap = r->cap ? 2 * r->cap : 1024;
			r->ids = xrealloc(r->ids, r->cap * sizeof(*r->ids));
			r->keys = xrealloc(r->keys, r->cap * sizeof(*r->keys));
			r->names = xrealloc(r->names, r->cap * sizeof(*r->names));
			r->vec = xrealloc(r->vec, r->cap * bytes);
		}
		r->ids[r->n] = sqlite3_column_int64(s, 0);
		r->keys[r->n] = field(sqlite3_column_text(s, 1));
		r->names[r->n] = has_names ? field(sqlite3_column_text(s, 2)) : NULL;
		memcpy(r->vec + r->n * (size_t)dim, sqlite3_column_blob(s, 3), bytes);
		r->n++;
	}
	sqlite3_finalize(s);
	if (rc != SQLITE_DONE)
		return store_error(st, "reading embeddings");
	return 0;
}

int embed_export(struct store *st, int64_t model, const char *dir, size_t *n_ent, size_t *n_rel,
		 size_t *n_triples)
{
	struct embed_model_info info;
	struct rows e = { 0 }, r = { 0 };
	struct raw_triple *tr = NULL;
	struct triple *out = NULL;
	size_t n = 0, k = 0;
	int rc = -1;
	if (!little_endian())
		return error("reading vectors needs a little-endian machine");
	int found = embed_model_info(st, model, &info);
	if (found <= 0)
		return found == 0 ? error("%s: no embedding model %lld", st->path, (long long)model) : -1;
	if (read_rows(st, "SELECT e.item, c.cui, c.name, e.vector FROM embeddings e JOIN concepts c "
			  "ON c.id = e.item WHERE e.model = ? AND e.kind = 'e' ORDER BY e.item",
		      model, info.dim, &e, 1) < 0 ||
	    read_rows(st, "SELECT e.item, r.name, NULL, e.vector FROM embeddings e JOIN relations r "
			  "ON r.id = e.item WHERE e.model = ? AND e.kind = 'r' ORDER BY e.item",
		      model, info.dim, &r, 0) < 0)
		goto out;
	if (e.n == 0) {
		error("%s: model %lld has no entity vectors", st->path, (long long)model);
		goto out;
	}
	if (load_triples(st, &tr, &n) < 0)
		goto out;
	out = xmalloc((n ? n : 1) * sizeof(*out));
	for (size_t i = 0; i < n; i++) {
		int64_t h = find_id(e.ids, (int64_t)e.n, tr[i].h);
		int64_t t = find_id(e.ids, (int64_t)e.n, tr[i].t);
		int64_t x = find_id(r.ids, (int64_t)r.n, tr[i].r);
		if (h >= 0 && t >= 0 && x >= 0)
			out[k++] = (struct triple){ (int32_t)h, (int32_t)t, (int32_t)x };
	}
	struct openke_model om = { (int32_t)e.n, (int32_t)r.n, e.keys, e.names, r.keys, out, k,
				   e.vec, r.vec, info.dim };
	if (openke_write_model(dir, &om) < 0)
		goto out;
	*n_ent = e.n;
	*n_rel = r.n;
	*n_triples = k;
	rc = 0;
out:
	embed_model_info_release(&info);
	rows_release(&e, 1);
	rows_release(&r, 0);
	free(tr);
	free(out);
	return rc;
}

/* ------------------------------------------------------------ neighbours */

int embed_neighbors(struct store *st, int64_t model, int64_t concept, int k,
		    struct embed_neighbor *out)
{
	struct embed_model_info info;
	float *q = NULL, *v = NULL;
	int rc = -1, have = 0;
	int found = embed_model_info(st, model, &info);
	if (found <= 0)
		return found == 0 ? error("%s: no embedding model%s", st->path,
					  model ? " with that id" : "s: run 'medkg embed' first")
				  : -1;
	const size_t bytes = (size_t)info.dim * sizeof(float);
	sqlite3_stmt *s = store_prepare(st, "SELECT vector FROM embeddings WHERE model = ? AND "
					    "kind = 'e' AND item = ?");
	if (!s)
		goto out;
	sqlite3_bind_int64(s, 1, info.id);
	sqlite3_bind_int64(s, 2, concept);
	if (sqlite3_step(s) != SQLITE_ROW || (size_t)sqlite3_column_bytes(s, 0) != bytes) {
		sqlite3_finalize(s);
		error("%s: the concept has no vector in embedding model %lld", st->path,
		      (long long)info.id);
		goto out;
	}
	q = xmalloc(bytes);
	v = xmalloc(bytes);
	memcpy(q, sqlite3_column_blob(s, 0), bytes);
	sqlite3_finalize(s);
	s = store_prepare(st, "SELECT item, vector FROM embeddings WHERE model = ? AND kind = 'e'");
	if (!s)
		goto out;
	sqlite3_bind_int64(s, 1, info.id);
	int step;
	while ((step = sqlite3_step(s)) == SQLITE_ROW) {
		int64_t item = sqlite3_column_int64(s, 0);
		if (item == concept || (size_t)sqlite3_column_bytes(s, 1) != bytes)
			continue;
		memcpy(v, sqlite3_column_blob(s, 1), bytes);
		float d = 0;
		for (int j = 0; j < info.dim; j++) {
			float x = q[j] - v[j];
			d += info.norm == 1 ? fabsf(x) : x * x;
		}
		if (info.norm == 2)
			d = sqrtf(d);
		/* insertion into the sorted top k */
		if (have == k && !(d < out[k - 1].distance))
			continue;
		int i = have < k ? have++ : k - 1;
		while (i > 0 && out[i - 1].distance > d) {
			out[i] = out[i - 1];
			i--;
		}
		out[i] = (struct embed_neighbor){ item, d };
	}
	sqlite3_finalize(s);
	if (step != SQLITE_DONE) {
		store_error(st, "reading embeddings");
		goto out;
	}
	rc = have;
out:
	free(q);
	free(v);
	embed_model_info_release(&info);
	return rc;
}

int embed_show_neighbors(struct store *st, int64_t concept, int k, FILE *out)
{
	struct embed_model_info info;
	int found = embed_model_info(st, 0, &info);
	if (found <= 0)
		return found == 0 ? error("%s: no embedding models: run 'medkg embed' first", st->path)
				  : -1;
	struct embed_neighbor *nb = xmalloc((size_t)k * sizeof(*nb));
	int n = embed_neighbors(st, info.id, concept, k, nb);
	sqlite3_stmt *s = n >= 0 ? store_prepare(st, "SELECT cui, name FROM concepts WHERE id = ?") : NULL;
	int rc = -1;
	if (!s)
		goto out;
	fprintf(out, "nearest by embedding (model %lld, TransE dim %d, L%d distance)\n",
		(long long)info.id, info.dim, info.norm);
	for (int i = 0; i < n; i++) {
		sqlite3_bind_int64(s, 1, nb[i].concept);
		if (sqlite3_step(s) == SQLITE_ROW)
			fprintf(out, "  %8.4f  %s  %s\n", nb[i].distance, sqlite3_column_text(s, 0),
				sqlite3_column_text(s, 1));
		sqlite3_reset(s);
	}
	rc = 0;
out:
	sqlite3_finalize(s);
	free(nb);
	embed_model_info_release(&info);
	return rc;
}
