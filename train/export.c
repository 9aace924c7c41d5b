#define _XOPEN_SOURCE 700 /* truncate */
#include "export.h"
#include "export_params.h"
#include "manifest.h"
#include "plans.h"
#include "publish.h"
#include "samples.h"
#include "select.h"
#include "../common/buf.h"
#include "../common/strlist.h"
#include "../common/strmap.h"
#include "../common/util.h"
#include "../embed/embed_store.h"
#include "../embed/npy.h"
#include "../embed/openke.h"

#include <errno.h>
#include <jansson.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

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
	arl_options_default(&o->arl);
}

int export_store_state(struct store *st, struct buf *out)
{
	/* each read is O(1) or O(log n): launch reads it before every run */
	static const char *const q[] = {
		"SELECT coalesce(max(id), 0) FROM ingest_log",
		"SELECT coalesce(max(id), 0) FROM reports",
		"SELECT coalesce(max(id), 0) FROM mentions",
		"SELECT coalesce(max(id), 0) FROM embedding_models",
	};
	int64_t v[ARRAY_SIZE(q)], links, rewrites;
	for (size_t i = 0; i < ARRAY_SIZE(q); i++)
		if ((v[i] = store_int(st, q[i], -1)) < 0)
			return store_error(st, "reading the store's state");
	if (store_meta_get_int(st, META_LINK_REGIONS_THROUGH, &links) < 0 ||
	    store_meta_get_int(st, META_STORE_REWRITES, &rewrites) < 0)
		return -1;
	buf_addf(out, "log %lld, reports %lld, mentions %lld, links through %lld, rewrites %lld, "
		 "models %lld", (long long)v[0], (long long)v[1], (long long)v[2], (long long)links,
		 (long long)rewrites, (long long)v[3]);
	return 0;
}

/* A hash of log row id (command and times; 0: no such row): the same row in
 * the same store or in a copy of it. */
static int64_t log_hash_of(struct store *st, int64_t id)
{
	sqlite3_stmt *q = store_prepare(st, "SELECT command || '|' || started || '|' || "
					    "ifnull(finished, '') FROM ingest_log WHERE id = ?");
	int64_t h = 0;
	if (!q)
		return 0;
	sqlite3_bind_int64(q, 1, id);
	if (sqlite3_step(q) == SQLITE_ROW)
		h = (int64_t)hash_bytes(sqlite3_column_text(q, 0), (size_t)sqlite3_column_bytes(q, 0));
	sqlite3_finalize(q);
	return h;
}

/* What the store holds now, for the manifest's "append". @return 0 or -1. */
static int read_base(struct store *st, struct export_base *b)
{
	b->reports = store_int(st, "SELECT ifnull(max(id), 0) FROM reports", -1);
	b->images = store_int(st, "SELECT ifnull(max(id), 0) FROM images", -1);
	b->mentions = store_int(st, "SELECT ifnull(max(id), 0) FROM mentions", -1);
	if (b->reports < 0 || b->images < 0 || b->mentions < 0)
		return store_error(st, "reading the store's state");
	if (store_meta_get_int(st, META_LINK_REGIONS_THROUGH, &b->regions_through) < 0 ||
	    store_meta_get_int(st, META_LINK_PATCHES_THROUGH, &b->patches_through) < 0 ||
	    store_meta_get_int(st, META_LINK_IMAGES_THROUGH, &b->images_through) < 0 ||
	    store_meta_get_int(st, META_STORE_REWRITES, &b->rewrites) < 0 ||
	    store_meta_get_int(st, META_KB_GENERATION, &b->kb_generation) < 0)
		return -1;
	b->log = store_int(st, "SELECT ifnull(max(id), 0) FROM ingest_log", 0);
	b->log_hash = log_hash_of(st, b->log);
	b->negatives = NEGATIVES_VERSION;
	return 0;
}

/* ------------------------------------------------------------ vectors */

/* The vectors of the selection, from one stored model. */
struct vectors {
	float *ent, *rel;          /* (n_ent, dim), (n_rel, dim) */
	int dim;
	int64_t model;
	char *created;
};

static void vectors_release(struct vectors *v)
{
	free(v->ent);
	free(v->rel);
	free(v->created);
}

/* Model o->model (0: the latest): its id, dimension and creation time. */
static int vectors_model(struct store *st, const struct export_options *o, struct vectors *v)
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
	v->dim = sqlite3_column_int(s, 0);
	v->created = xstrdup((const char *)sqlite3_column_text(s, 1));
	sqlite3_finalize(s);
	v->model = model;
	if (v->dim < 1 || v->dim > 65536)
		return error("%s: embedding model %lld has dimension %d", st->path, (long long)model,
			     v->dim);
	return 0;
}

/* The model's rows of one kind for ids[0..n) into out: every id must have a
 * vector, and no other item may. */
static int vectors_kind(struct store *st, const struct vectors *v, char kind, const int64_t *ids,
			size_t n, float *out)
{
	const char *whats = kind == 'e' ? "entities" : "relations";
	size_t missing, extra;
	if (embed_model_rows(st, v->model, v->dim, kind, ids, n, out, &missing, &extra) < 0)
		return -1;
	if (missing || extra)
		return error("%s: embedding model %lld was trained on another %s set: %zu of the "
			     "%zu exported %s have no vector and it has %zu %s the export does not "
			     "select; train embeddings on this selection (medkg embed --entities "
			     "mentioned --min-count N) or choose another --model",
			     st->path, (long long)v->model, kind == 'e' ? "entity" : "relation",
			     missing, n, whats, extra, whats);
	return 0;
}

static int vectors_read(struct store *st, const struct export_options *o,
			const struct selection *sel, struct vectors *v)
{
	if (vectors_model(st, o, v) < 0)
		return -1;
	v->ent = xmalloc((sel->n_ent ? sel->n_ent : 1) * (size_t)v->dim * sizeof(float));
	v->rel = xmalloc((sel->n_rel ? sel->n_rel : 1) * (size_t)v->dim * sizeof(float));
	if (vectors_kind(st, v, 'e', sel->ent, sel->n_ent, v->ent) < 0 ||
	    vectors_kind(st, v, 'r', sel->rel, sel->n_rel, v->rel) < 0)
		return -1;
	return 0;
}

/* ------------------------------------------------------------ writing */

/* The export in progress. */
struct exporter {
	struct store *st;
	struct export_options o;      /* as given, completed by an update's manifest */
	struct export_stats *s;
	char *dir, *tmp;              /* the target, and the directory written */
	int target;                   /* enum publish_state of dir */
	struct manifest old;          /* update: the previous export's */
	int have_old;
	struct previous prev;
	struct arl_corpus *corpus;    /* the ARL layout's samples */
	struct knowledge k;
	struct vectors v;
	struct split_out out[N_SPLITS];
	char **files;                 /* the files of the layout (manifest.h) */
	/* an append: the export's split files it extends in place, and their
	 * sizes before (a failure cuts them back) */
	char *grown[2 * N_SPLITS];
	uint64_t grown_from[2 * N_SPLITS];
	size_t n_grown;
	int64_t after;                /* an append: the last report of the old export */
	size_t old_samples[N_SPLITS]; /* and its samples per split */
};

/* tmp/name into path. */
static const char *tmp_path(struct exporter *x, struct buf *path, const char *name)
{
	buf_reset(path);
	buf_addf(path, "%s/%s", x->tmp, name);
	return path->p;
}

static int knowledge_write(struct exporter *x)
{
	const struct selection *sel = &x->k.sel;
	struct openke_model m = { (int32_t)sel->n_ent, (int32_t)sel->n_rel, x->k.ent_cui,
				  x->k.ent_name, x->k.rel_name, sel->edges, sel->n_edges,
				  x->v.ent, x->v.rel, x->v.dim };
	struct buf p = BUF_INIT;
	int rc = publish_mkdir(tmp_path(x, &p, "knowledge")) < 0 ? -1
		 : openke_write_model(p.p, &m);
	buf_release(&p);
	return rc;
}

/* Open tmp/DIR/SPLIT.jsonl for writing. @return it, or NULL after error(). */
static FILE *open_split(struct exporter *x, struct buf *path, const char *sub, int split)
{
	buf_reset(path);
	buf_addf(path, "%s/%s/%s.jsonl", x->tmp, sub, split_names[split]);
	FILE *f = fopen(path->p, "wb");
	if (!f)
		error("%s: cannot write: %s", path->p, strerror(errno));
	return f;
}

static int open_splits(struct exporter *x)
{
	struct buf p = BUF_INIT;
	int rc = -1;
	if (publish_mkdir(tmp_path(x, &p, "annotations")) < 0 ||
	    (x->o.plans && publish_mkdir(tmp_path(x, &p, "plans")) < 0))
		goto out;
	for (int i = 0; i < N_SPLITS; i++) {
		if (!(x->out[i].ann = open_split(x, &p, "annotations", i)))
			goto out;
		if (x->o.plans && !(x->out[i].plan = open_split(x, &p, "plans", i)))
			goto out;
	}
	rc = 0;
out:
	buf_release(&p);
	return rc;
}

static int close_splits(struct exporter *x)
{
	for (int i = 0; i < N_SPLITS; i++) {
		int bad = fclose(x->out[i].ann) != 0;
		x->out[i].ann = NULL;
		if (x->out[i].plan) {
			bad |= fclose(x->out[i].plan) != 0;
			x->out[i].plan = NULL;
		}
		if (bad)
			return error("%s: write failed: %s", x->tmp, strerror(errno));
	}
	return 0;
}

/* ARL's samples (and medkg's CheXpert labels of their reports). */
static int write_arl(struct exporter *x)
{
	struct buf p = BUF_INIT;
	const char *ds = arl_dataset(&x->o.arl);
	int rc = -1;
	if (publish_mkdir(tmp_path(x, &p, "pretrain_data")) < 0)
		goto out;
	buf_reset(&p);
	buf_addf(&p, "%s/pretrain_data/%s.json", x->tmp, ds);
	if (arl_write_samples(x->corpus, p.p, x->k.ent_of, x->k.max_concept, &x->s->arl) < 0)
		goto out;
	buf_reset(&p);
	buf_addf(&p, "%s/pretrain_data/%s_chexpert.csv", x->tmp, ds);
	if (!strcmp(ds, "mimic_cxr") && arl_write_labels(x->corpus, p.p) < 0)
		goto out;
	for (int i = 0; i < N_SPLITS; i++)
		x->s->samples[i] = x->s->arl.written[i];
	rc = 0;
out:
	buf_release(&p);
	return rc;
}

/* ------------------------------------------------------------ appending */

/* The files of split sp an append extends: its annotations, its plans and
 * its sample pool (with --plans), relative to the export; NULL ends. */
static void split_files(const struct exporter *x, int sp, struct buf *ann, struct buf *plan,
			struct buf *pool)
{
	buf_reset(ann);
	buf_reset(plan);
	buf_reset(pool);
	buf_addf(ann, "annotations/%s.jsonl", split_names[sp]);
	if (x->o.plans) {
		buf_addf(plan, "plans/%s.jsonl", split_names[sp]);
		buf_addf(pool, "plans/%s_pool.bin", split_names[sp]);
	}
}

/* Whether dir/rel is there with the size the old manifest gives it; one
 * longer is what an append killed before its end leaves (it extends the
 * files in place), and is cut back to that size. */
static int file_as_listed(const struct exporter *x, const char *rel)
{
	const struct manifest_file *f = manifest_find(&x->old, rel);
	struct buf p = BUF_INIT;
	struct stat sb;
	buf_addf(&p, "%s/%s", x->dir, rel);
	int ok = f && stat(p.p, &sb) == 0 && S_ISREG(sb.st_mode) &&
		 ((uint64_t)sb.st_size == f->bytes ||
		  ((uint64_t)sb.st_size > f->bytes && truncate(p.p, (off_t)f->bytes) == 0));
	buf_release(&p);
	return ok;
}

/* Why the update cannot append the new reports' samples to the export's
 * (a static string), or NULL when it can: the export was written with these
 * parameters and entities from this store (or a copy), and since then the
 * store has only grown (store.h META_STORE_REWRITES), with no new image or
 * mention of a report it holds and no link of a mention it holds; its files
 * are there. Then the old lines are exactly what a fresh export would
 * write, and the new reports (ids after the last one exported) follow. */
static const char *append_refusal(struct exporter *x, const struct export_base *now, int grid)
{
	const struct manifest *m = &x->old;
	const struct export_base *b = &m->base;
	struct store *st = x->st;
	json_t *ents = json_object_get(json_object_get(m->root, "counts"), "entities");
	struct export_stats counts = { 0 };
	if (x->o.renumber)
		return "--renumber numbers the entities afresh";
	if (!m->has_base || m->schema_version != SCHEMA_VERSION)
		return "the export was written by another medkg";
	int quiet = error_quiet(1);
	int counted = manifest_counts(m, &counts);
	error_quiet(quiet);
	if (counted < 0)
		return "its manifest's counts are incomplete";
	if (!manifest_same_parameters(m, &x->o, grid))
		return "its parameters changed";
	if (!json_is_integer(ents) || (size_t)json_integer_value(ents) != x->k.sel.n_ent ||
	    x->k.sel.n_previous != x->k.sel.n_ent)
		return "the entities changed";
	if (now->log < b->log || log_hash_of(st, b->log) != b->log_hash)
		return "the store is not the one it was exported from, nor a copy of it";
	if (now->rewrites != b->rewrites)
		return "reports it holds changed since (re-extracted, or images or links redone)";
	if (now->kb_generation != b->kb_generation)
		return "the knowledge changed since";
	if (b->negatives != NEGATIVES_VERSION)
		return "its negatives were mined another way";
	if ((b->regions_through < b->mentions && now->regions_through != b->regions_through) ||
	    (b->patches_through < b->mentions && now->patches_through != b->patches_through))
		return "mentions it holds were linked since";
	if (b->images_through < b->images && now->images_through != b->images_through)
		return "images it holds were listed, sized or boxed since";
	/* the new rows by rowid ('+report': not through the index on report,
	 * which would visit every old image) */
	sqlite3_stmt *q = store_prepare(st,
		"SELECT EXISTS (SELECT 1 FROM images WHERE id > ?1 AND +report <= ?3) OR "
		"EXISTS (SELECT 1 FROM mentions WHERE id > ?2 AND +report <= ?3)");
	if (!q)
		return "the store cannot be read";
	sqlite3_bind_int64(q, 1, b->images);
	sqlite3_bind_int64(q, 2, b->mentions);
	sqlite3_bind_int64(q, 3, b->reports);
	int grew = sqlite3_step(q) != SQLITE_ROW || sqlite3_column_int(q, 0);
	sqlite3_finalize(q);
	if (grew)
		return "reports it holds have new images or mentions";
	struct buf f[3] = { BUF_INIT, BUF_INIT, BUF_INIT };
	const char *why = NULL;
	for (int sp = 0; sp < N_SPLITS && !why; sp++) {
		split_files(x, sp, &f[0], &f[1], &f[2]);
		for (int k = 0; k < 3 && !why; k++)
			if (f[k].len && !file_as_listed(x, f[k].p))
				why = "a file of it is missing or not the size its manifest records";
	}
	/* the old samples' pools, for the negatives (append_open keeps them) */
	struct buf p = BUF_INIT;
	for (int sp = 0; sp < N_SPLITS && !why && x->o.plans; sp++) {
		split_files(x, sp, &f[0], &f[1], &f[2]);
		buf_reset(&p);
		buf_addf(&p, "%s/%s", x->dir, f[2].p);
		quiet = error_quiet(1);
		/* the pool, the mining's state with it, as the manifest lists it */
		char hex[33];
		const struct manifest_file *mf = manifest_find(m, f[2].p);
		if (split_out_load(&x->out[sp], p.p, (int32_t)x->k.sel.n_ent, hex) < 0 || !mf ||
		    strcmp(hex, mf->hash) || x->out[sp].n != counts.samples[sp])
			why = "its sample pools do not hold its samples";
		error_quiet(quiet);
	}
	for (int sp = 0; sp < N_SPLITS; sp++) {
		x->old_samples[sp] = why ? 0 : x->out[sp].n;
		if (why)
			split_out_release(&x->out[sp]);
	}
	buf_release(&p);
	for (int k = 0; k < 3; k++)
		buf_release(&f[k]);
	return why;
}

/* Start an append: the old split files linked into the new directory and
 * opened at their end (they grow in place: x->grown), the old counts taken
 * back (append_refusal loaded the old samples' pools). @return 0 or -1. */
static int append_open(struct exporter *x)
{
	struct buf f[3] = { BUF_INIT, BUF_INIT, BUF_INIT }, from = BUF_INIT, to = BUF_INIT;
	int rc = -1;
	if (publish_mkdir(tmp_path(x, &to, "annotations")) < 0 ||
	    (x->o.plans && publish_mkdir(tmp_path(x, &to, "plans")) < 0) ||
	    manifest_counts(&x->old, x->s) < 0)
		goto out;
	for (int sp = 0; sp < N_SPLITS; sp++) {
		split_files(x, sp, &f[0], &f[1], &f[2]);
		for (int k = 0; k < 2; k++) {
			if (!f[k].len)
				continue;
			buf_reset(&from);
			buf_addf(&from, "%s/%s", x->dir, f[k].p);
			if (link(from.p, tmp_path(x, &to, f[k].p)) < 0) {
				error("%s: cannot link to %s: %s", from.p, to.p, strerror(errno));
				goto out;
			}
			FILE **fp = k ? &x->out[sp].plan : &x->out[sp].ann;
			if (!(*fp = fopen(to.p, "ab"))) {
				error("%s: cannot write: %s", to.p, strerror(errno));
				goto out;
			}
			x->grown_from[x->n_grown] = manifest_find(&x->old, f[k].p)->bytes;
			x->grown[x->n_grown++] = xstrdup(to.p);
		}
	}
	rc = 0;
out:
	for (int k = 0; k < 3; k++)
		buf_release(&f[k]);
	buf_release(&from);
	buf_release(&to);
	return rc;
}

/* Annotations (and plans) of every sample, or ARL's samples: on update,
 * the new reports' appended to the old where that gives what a fresh export
 * would (append_refusal). */
static int write_samples(struct exporter *x, const struct export_base *now)
{
	struct export_stats *s = x->s;
	if (x->o.layout == EXPORT_LAYOUT_ARL)
		return write_arl(x);
	int grid = x->o.grid;
	if (grid == 0 && (grid = samples_stored_grid(x->st)) < 0)
		return -1;
	s->grid = grid ? grid : 18;
	double t0 = now_seconds();
	if (x->have_old && x->o.update) {
		s->rewrite_reason = append_refusal(x, now, s->grid);
		if (!s->rewrite_reason)
			x->after = x->old.base.reports;
	}
	const int64_t after = x->after;
	double t1 = now_seconds();
	if ((after ? append_open(x) : open_splits(x)) < 0)
		return -1;
	if (after)
		debug("append: checks and pools %.2f s, links %.2f s", t1 - t0, now_seconds() - t1);
	const size_t old = s->samples[SPLIT_TRAIN] + s->samples[SPLIT_VAL] + s->samples[SPLIT_TEST];
	if (samples_write(x->st, &x->o, x->k.ent_of, x->k.max_concept, s->grid, after, x->out,
			  s) < 0 ||
	    close_splits(x) < 0)
		return -1;
	if (after)
		s->appended = s->samples[SPLIT_TRAIN] + s->samples[SPLIT_VAL] +
			      s->samples[SPLIT_TEST] - old;
	if (s->samples[SPLIT_TRAIN] + s->samples[SPLIT_VAL] + s->samples[SPLIT_TEST] == 0)
		return error("%s: nothing to export: %zu reports, %zu without the caption sections, "
			     "%zu without images%s",
			     x->st->path, s->reports, s->no_caption, s->no_image,
			     x->o.per_report ? "" : " (--per report exports reports without images)");
	return 0;
}

/* The old export's negatives of split sp, when an append can extend them:
 * the file its manifest lists (size and hash), of the old samples' rows.
 * @return the rows (caller frees), or NULL (mined afresh). */
static int32_t *old_negatives(struct exporter *x, int sp)
{
	if (!x->after)
		return NULL;
	struct buf rel = BUF_INIT, path = BUF_INIT;
	buf_addf(&rel, "plans/%s_negatives.npy", split_names[sp]);
	buf_addf(&path, "%s/%s", x->dir, rel.p);
	const struct manifest_file *mf = manifest_find(&x->old, rel.p);
	int32_t *rows = NULL;
	size_t n = 0, k = 0;
	char hex[33];
	uint64_t bytes;
	int quiet = error_quiet(1);
	int ok = mf && file_hash(path.p, hex, &bytes) == 0 && bytes == mf->bytes &&
		 !strcmp(hex, mf->hash) && npy_read_i32(path.p, &rows, &n, &k) == 0 &&
		 n == x->old_samples[sp] && k == (size_t)x->o.negatives;
	error_quiet(quiet);
	if (!ok) {
		debug("%s: not the negatives listed: mined again", path.p);
		free(rows);
		rows = NULL;
	}
	buf_release(&rel);
	buf_release(&path);
	return rows;
}

static int write_negatives(struct exporter *x)
{
	const int k = x->o.negatives;
	struct buf path = BUF_INIT;
	int rc = 0;
	/* an append extends every split's old rows, or mines them all afresh */
	int32_t *old[N_SPLITS];
	int extend = x->after != 0;
	for (int sp = 0; sp < N_SPLITS; sp++)
		extend &= (old[sp] = old_negatives(x, sp)) != NULL;
	if (extend) {
		/* the old rows count as they were first found */
		json_t *c = json_object_get(x->old.root, "counts");
		x->s->neg.sampled = (size_t)json_integer_value(json_object_get(c, "negatives_sampled"));
		x->s->neg.dense = (size_t)json_integer_value(json_object_get(c, "negatives_dense"));
	}
	for (int sp = 0; sp < N_SPLITS && rc == 0; sp++) {
		struct split_out *so = &x->out[sp];
		size_t zero = 0;
		struct neg_input in = { so->n, so->n ? so->off : &zero, so->ents,
					(int32_t)x->k.sel.n_ent, so->keys, so->group };
		int32_t *rows = xmalloc((so->n ? so->n : 1) * (size_t)k * sizeof(int32_t));
		struct neg_stats ns;
		struct neg_state next = { 0 };
		rc = extend ? negatives_extend(&in, x->old_samples[sp], old[sp], &so->neg, k,
					       x->o.seed, 0, x->o.threads, rows, &ns, &next)
			    : negatives_mine(&in, k, x->o.seed, 0, x->o.threads, rows, &ns, &next);
		neg_state_release(&so->neg);
		so->neg = next;
		if (rc == 0) {
			x->s->neg.sampled += ns.sampled;
			x->s->neg.dense += ns.dense;
			x->s->neg.short_rows += ns.short_rows;
			x->s->neg.old_rows += ns.old_rows;
			x->s->neg.updated += ns.updated;
			x->s->neg.seconds += ns.seconds;
			buf_reset(&path);
			buf_addf(&path, "%s/plans/%s_negatives.npy", x->tmp, split_names[sp]);
			rc = npy_write_i32(path.p, rows, so->n, (size_t)k);
			buf_reset(&path);
			buf_addf(&path, "%s/plans/%s_pool.bin", x->tmp, split_names[sp]);
			if (rc == 0)
				rc = split_out_save(so, path.p);
		}
		free(rows);
	}
	for (int sp = 0; sp < N_SPLITS; sp++)
		free(old[sp]);
	buf_release(&path);
	return rc;
}

/* ------------------------------------------------------------ the export */

/* What is at the target, and on update its manifest: a fresh directory, or
 * an export to update or to replace (--force). @return 0 or -1. */
static int open_target(struct exporter *x)
{
	const char *dir = x->dir;
	const int update = x->o.update;
	if ((x->target = publish_dir_state(dir)) < 0)
		return -1;
	if (x->target == PUBLISH_MISSING || x->target == PUBLISH_EMPTY) {
		if (update)
			return error("%s: no export to update%s", dir,
				     x->target == PUBLISH_MISSING ? " (no such directory)" : "");
		return 0;
	}
	if (x->o.force && !update) {
		struct buf mp = BUF_INIT;
		buf_addf(&mp, "%s/%s", dir, MANIFEST_NAME);
		int there = access(mp.p, F_OK) == 0;
		buf_release(&mp);
		if (!there)
			return error("%s: not empty and not a medkg export (no %s): --force replaces "
				     "only an export; remove it or choose another directory",
				     dir, MANIFEST_NAME);
		return 0;
	}
	int m = manifest_read(dir, &x->old);
	if (!update) {
		if (m >= 0)
			error("%s: not empty: use --update to refresh the export, or --force to "
			      "replace it",
			      dir);
		return -1;
	}
	if (m == 0)
		error("%s: no %s: not a medkg export, nothing to update", dir, MANIFEST_NAME);
	x->have_old = m == 1;
	return m == 1 ? 0 : -1;
}

/* The options (an update's completed from its manifest), checked, and the
 * previous numbering unless renumbering. @return 0 or -1. */
static int settle_options(struct exporter *x)
{
	struct export_options *o = &x->o;
	if (o->update && manifest_inherit(x->dir, x->old.parameters, o) < 0)
		return -1;
	if (!o->sections)
		o->sections = strlist_parse("findings,impression");
	/* the manifest names what was used */
	if (!o->arl.views)
		o->arl.views = strlist_parse("PA,AP,Frontal");
	if (!o->arl.dataset)
		o->arl.dataset = xstrdup("mimic_cxr");
	if (params_check(&export_param_table, o) < 0 || params_check(&export_arl_table, &o->arl) < 0)
		return -1;
	if (o->layout == EXPORT_LAYOUT_ARL && (o->plans || o->per_report))
		return error("%s goes with the medkg layout: ARL's samples are one per frontal "
			     "image, and ARL draws its own masks", o->plans ? "--plans" : "--per report");
	if (o->update && !o->renumber && previous_read(x->st, x->dir, &x->old, &x->prev) < 0)
		return -1;
	return 0;
}

/* The entities, their numbering and their vectors, into the counts. */
static int select_knowledge(struct exporter *x)
{
	struct export_stats *s = x->s;
	struct select_rule rule = { x->o.min_count, 0, NULL, 0 };
	if (x->o.layout == EXPORT_LAYOUT_ARL) {
		if (arl_corpus_read(x->st, &x->o.arl, x->o.split, x->o.seed, 1, &x->corpus,
				    &s->arl) < 0)
			return -1;
		rule.min_count = x->o.arl.threshold + 1;
		rule.arl = 1;
		rule.counts = arl_corpus_counts(x->corpus, &rule.n_counts);
	}
	if (knowledge_select(x->st, &rule, &x->prev, &x->k) < 0 ||
	    vectors_read(x->st, &x->o, &x->k.sel, &x->v) < 0)
		return -1;
	/* ARL's knowledge layer is 256 wide (bert_model.py: knowledge_config) */
	if (x->o.layout == EXPORT_LAYOUT_ARL && x->v.dim != 256)
		return error("%s: embedding model %lld has dimension %d, and ARL's knowledge layer "
			     "takes 256: train with dim 256 (medkg embed --dim 256, or [embed] dim = "
			     "256)",
			     x->st->path, (long long)x->v.model, x->v.dim);
	s->n_ent = x->k.sel.n_ent;
	s->n_rel = x->k.sel.n_rel;
	s->n_triples = x->k.sel.n_edges;
	s->n_candidates = x->k.sel.n_candidates;
	s->n_previous = x->k.sel.n_previous;
	s->n_retained = x->k.sel.n_retained;
	s->model = x->v.model;
	s->dim = x->v.dim;
	s->min_count = x->o.min_count;
	s->per_report = x->o.per_report;
	return 0;
}

/* Negatives, manifest, and the swap into place. @return 0 or -1. */
static int finish(struct exporter *x, const char *state, double t_samples)
{
	const int replaces = x->target != PUBLISH_MISSING;
	json_t *sources = NULL;
	int rc = -1;
	if (x->o.layout == EXPORT_LAYOUT_MEDKG && x->o.plans && write_negatives(x) < 0)
		goto out;
	if (!(sources = manifest_sources(x->st, json_object_get(x->old.root, "sources"), x->after)))
		goto out;
	if (x->have_old && x->o.update)
		publish_keep_unchanged(x->dir, x->tmp, (const char *const *)x->files,
				       strlist_len(x->files), &x->old, &x->s->files_kept,
				       &x->s->files_written);
	double t_neg = now_seconds();
	/* the split files, which an append extends: their hash's state is kept */
	char *growable[2 * N_SPLITS + 1] = { NULL };
	struct buf f[3] = { BUF_INIT, BUF_INIT, BUF_INIT };
	for (int sp = 0, n = 0; sp < N_SPLITS && x->o.layout == EXPORT_LAYOUT_MEDKG; sp++) {
		split_files(x, sp, &f[0], &f[1], &f[2]);
		for (int k = 0; k < 2; k++)
			if (f[k].len)
				growable[n++] = xstrdup(f[k].p);
	}
	int written = manifest_write(x->tmp, x->st, state, &x->o, x->s, x->v.created, sources,
				     growable, x->after ? &x->old : NULL);
	for (int k = 0; k < 3; k++)
		buf_release(&f[k]);
	for (int i = 0; growable[i]; i++)
		free(growable[i]);
	if (written < 0)
		goto out;
	debug("negatives: %.2f s; sources, hashes and manifest: %.2f s", t_neg - t_samples,
	      now_seconds() - t_neg);
	if (publish_swap(x->tmp, x->dir, replaces) < 0)
		goto out;
	if (replaces)
		publish_remove(x->tmp); /* the previous export, now at the temporary name */
	rc = 0;
out:
	json_decref(sources);
	return rc;
}

/* A fresh export: every file written counts. */
static void count_written(struct exporter *x)
{
	struct buf p = BUF_INIT;
	for (size_t i = 0; x->files[i]; i++) {
		buf_reset(&p);
		buf_addf(&p, "%s/%s", x->dir, x->files[i]);
		x->s->files_written += access(p.p, F_OK) == 0;
	}
	buf_release(&p);
}

static void exporter_release(struct exporter *x, int failed)
{
	for (int i = 0; i < N_SPLITS; i++) {
		if (x->out[i].ann)
			fclose(x->out[i].ann);
		if (x->out[i].plan)
			fclose(x->out[i].plan);
		split_out_release(&x->out[i]);
	}
	/* a failed append: the export's files as they were */
	for (size_t i = 0; i < x->n_grown; i++) {
		if (failed && truncate(x->grown[i], (off_t)x->grown_from[i]) < 0)
			warning("%s: cannot cut it back to %llu bytes: %s", x->grown[i],
				(unsigned long long)x->grown_from[i], strerror(errno));
		free(x->grown[i]);
	}
	if (failed && x->tmp)
		publish_remove(x->tmp);
	knowledge_release(&x->k);
	arl_corpus_free(x->corpus);
	strlist_free(x->files);
	vectors_release(&x->v);
	previous_release(&x->prev);
	manifest_release(&x->old);
	params_release(&export_param_table, &x->o);
	params_release(&export_arl_table, &x->o.arl);
	free(x->dir);
	free(x->tmp);
}

int train_export(struct store *st, const char *dir, const struct export_options *opt,
		 struct export_stats *s)
{
	double t0 = now_seconds();
	struct exporter x = { .st = st, .s = s };
	/* owned: an update replaces its lists */
	params_copy(&export_param_table, &x.o, opt);
	params_copy(&export_arl_table, &x.o.arl, &opt->arl);
	struct buf state = BUF_INIT;
	int rc = -1;
	memset(s, 0, sizeof(*s));
	x.dir = xstrdup(dir);
	for (size_t n = strlen(x.dir); n > 1 && x.dir[n - 1] == '/'; n--)
		x.dir[n - 1] = '\0';
	if (open_target(&x) < 0 || settle_options(&x) < 0 || export_store_state(st, &state) < 0 ||
	    read_base(st, &s->base) < 0 ||
	    !(x.files = export_file_list(&x.o)) ||
	    select_knowledge(&x) < 0 || !(x.tmp = publish_tmpdir(x.dir)) || knowledge_write(&x) < 0)
		goto out;
	double t_knowledge = now_seconds();
	debug("knowledge: %.2f s", t_knowledge - t0);
	if (write_samples(&x, &s->base) < 0)
		goto out;
	double t_samples = now_seconds();
	debug("samples: %.2f s", t_samples - t_knowledge);
	if (finish(&x, buf_str(&state), t_samples) < 0)
		goto out;
	if (!x.o.update)
		count_written(&x);
	s->seconds = now_seconds() - t0;
	rc = 0;
out:
	exporter_release(&x, rc < 0);
	buf_release(&state);
	return rc;
}
