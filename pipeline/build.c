#define _DEFAULT_SOURCE
#define _XOPEN_SOURCE 700
#include "build.h"
#include "../store/mentions.h"
#include "../train/export.h"
#include "../common/fingerprint.h"
#include "../common/util.h"
#include "../common/walk.h"
#include "../embed/embed_store.h"
#include "../embed/embed_train.h"
#include "../embed/npy.h"
#include "../common/strmap.h"
#include "../extract/extract.h"
#include "../extract/extract_params.h"
#include "../embed/embed_params.h"
#include "../link/link_params.h"
#include "../store/load_params.h"
#include "../train/arl.h"
#include "../train/export_params.h"
#include "../link/link.h"
#include "../store/mesh.h"
#include "../store/obo.h"
#include "../store/umls.h"

#include <dirent.h>
#include <errno.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <xxhash.h>

/* ------------------------------------------------------------ fingerprints */

/* What a walk over input files found. */
struct fingerprint {
	int64_t files, bytes;
	XXH3_state_t *h;         /* over "relative path, size, content hash" of each file */
};

enum { FP_CONTENT, FP_NAMES };   /* hash contents, or only names and sizes */

/* Files up to FP_WHOLE_MAX are hashed whole; larger ones by their size and
 * their first and last MiB (as the knowledge loaders fingerprint theirs). */
#define FP_WHOLE_MAX ((int64_t)64 << 20)

static int skip_entry(const struct dirent *e)
{
	return strcmp(e->d_name, ".") && strcmp(e->d_name, "..");
}

struct fp_walk {
	struct fingerprint *fp;
	int mode;
};

/* One file of an input into the hash: its name under the input, size and
 * content hash. */
static int fp_file(void *arg, const char *path, const char *rel, const struct stat *sb)
{
	struct fp_walk *w = arg;
	if (!sb || !S_ISREG(sb->st_mode))
		return 0;
	uint64_t h = 0;
	if (w->mode == FP_CONTENT &&
	    file_fingerprint(path, FP_WHOLE_MAX, FINGERPRINT_SIZE, &h, NULL) < 0)
		return -1;
	int64_t size = (int64_t)sb->st_size;
	XXH3_64bits_update(w->fp->h, rel, strlen(rel) + 1);
	XXH3_64bits_update(w->fp->h, &size, sizeof size);
	XXH3_64bits_update(w->fp->h, &h, sizeof h);
	w->fp->files++;
	w->fp->bytes += size;
	return 0;
}

/* Walk path (a file, or a directory in sorted order, recursively: loops and
 * repeats skipped, common/walk.h) into fp. rel is the name the hash sees for
 * path. Quiet: extraction, which reads the same tree, says what it skips. */
static int fp_walk(struct fingerprint *fp, const char *path, const char *rel, int mode)
{
	struct fp_walk w = { fp, mode };
	return walk_tree(path, rel, WALK_HIDDEN | WALK_QUIET, fp_file, &w);
}

static const char *base_name(const char *path)
{
	size_t n = strlen(path);
	while (n > 1 && path[n - 1] == '/')
		n--;
	const char *s = path + n;
	while (s > path && s[-1] != '/')
		s--;
	return s;
}

/* One line "label NAME: N files, B bytes, xxh3 H" for an input path. */
static int fp_line(struct buf *out, const char *label, const char *path, int mode)
{
	struct fingerprint fp = { 0, 0, XXH3_createState() };
	XXH3_64bits_reset(fp.h);
	size_t n = strlen(path);
	while (n > 1 && path[n - 1] == '/')
		n--;
	int rc = fp_walk(&fp, path, ".", mode);
	if (rc == 0)
		buf_addf(out, "%s %.*s: %lld files, %lld bytes, %s %016llx\n", label,
			 (int)(path + n - base_name(path)), base_name(path), (long long)fp.files,
			 (long long)fp.bytes, mode == FP_NAMES ? "names" : "xxh3",
			 (unsigned long long)XXH3_64bits_digest(fp.h));
	XXH3_freeState(fp.h);
	return rc;
}

/* A UMLS release: the MR*.RRF[.zst] files of its directory (or of META). */
static int fp_umls(struct buf *out, const char *dir)
{
	struct buf meta = BUF_INIT;
	const char *d = dir;
	struct stat sb;
	buf_addf(&meta, "%s/MRCONSO.RRF", dir);
	if (stat(meta.p, &sb) != 0) {
		buf_adds(&meta, ".zst");
		if (stat(meta.p, &sb) != 0) {
			buf_reset(&meta);
			buf_addf(&meta, "%s/META", dir);
			if (stat(meta.p, &sb) == 0 && S_ISDIR(sb.st_mode))
				d = meta.p;
		}
	}
	struct dirent **list;
	int n = scandir(d, &list, skip_entry, alphasort);
	if (n < 0) {
		buf_release(&meta);
		return error("%s: cannot read: %s", d, strerror(errno));
	}
	struct fingerprint fp = { 0, 0, XXH3_createState() };
	XXH3_64bits_reset(fp.h);
	int rc = 0;
	for (int i = 0; i < n; i++) {
		const char *name = list[i]->d_name;
		if (rc == 0 && !strncmp(name, "MR", 2) && strstr(name, ".RRF")) {
			struct buf p = BUF_INIT;
			buf_addf(&p, "%s/%s", d, name);
			rc = fp_walk(&fp, p.p, name, FP_CONTENT);
			buf_release(&p);
		}
		free(list[i]);
	}
	free(list);
	if (rc == 0)
		buf_addf(out, "umls %s: %lld files, %lld bytes, xxh3 %016llx\n", base_name(dir),
			 (long long)fp.files, (long long)fp.bytes,
			 (unsigned long long)XXH3_64bits_digest(fp.h));
	XXH3_freeState(fp.h);
	buf_release(&meta);
	return rc;
}

/* ------------------------------------------------------------ stage settings */

/* A path setting of a stage: the fingerprint of what it names (image
 * directories by names and sizes: their headers are what linking reads). */
static int path_line(struct buf *out, const char *name, const char *path)
{
	return fp_line(out, name, path, strcmp(name, "images_dir") ? FP_CONTENT : FP_NAMES);
}

static int load_inputs(const struct pipeline_config *c, struct buf *b)
{
	if (c->umls && fp_umls(b, c->umls) < 0)
		return -1;
	if (c->mesh && fp_line(b, "mesh", c->mesh, FP_CONTENT) < 0)
		return -1;
	for (size_t i = 0; c->obo && c->obo[i]; i++)
		if (fp_line(b, "obo", c->obo[i], FP_CONTENT) < 0)
			return -1;
	if (params_key(&umls_param_table, &c->load, b, path_line) < 0)
		return -1;
	return params_key(&obo_param_table, &c->obo_opt, b, path_line);
}

/* The extraction settings (not the inputs). */
static int extract_settings(const struct pipeline_config *c, struct buf *b)
{
	buf_addf(b, "extractor %d\n", EXTRACTOR_VERSION);
	return params_key(&extract_param_table, &c->extract, b, path_line);
}

static int extract_inputs(const struct pipeline_config *c, struct buf *b)
{
	for (size_t i = 0; c->inputs && c->inputs[i]; i++)
		if (fp_line(b, "input", c->inputs[i], FP_CONTENT) < 0)
			return -1;
	return extract_settings(c, b);
}

static int link_inputs(const struct pipeline_config *c, struct buf *b)
{
	return params_key(&link_param_table, &c->link, b, path_line);
}

/* One setting a line, so a plan can say which changed. */
static int embed_inputs(const struct pipeline_config *c, struct buf *b)
{
	if (params_key(&transe_param_table, &c->p, b, NULL) < 0)
		return -1;
	/* the ARL layout chooses the entities by its own settings */
	if (c->export.layout == EXPORT_LAYOUT_ARL) {
		buf_adds(b, "entities arl\n");
		return params_key(&export_arl_table, &c->export.arl, b, path_line);
	}
	return params_key(&embed_select_table, &c->sel, b, NULL);
}

static int export_inputs(const struct pipeline_config *c, struct buf *b)
{
	buf_addf(b, "dir %s\n", c->export_dir ? c->export_dir : "default");
	if (params_key(&export_param_table, &c->export, b, NULL) < 0)
		return -1;
	return params_key(&export_arl_table, &c->export.arl, b, path_line);
}

/* ------------------------------------------------------------ running */

struct run_ctx {
	struct store *st;
	const struct pipeline_config *c;
	int ingest;
	char *const *inputs;
	size_t n_inputs;
	struct pipeline_result *r;
	struct stage_result *s;
};

static int run_load(struct run_ctx *x)
{
	const struct pipeline_config *c = x->c;
	struct stage_result *s = x->s;
	buf_adds(&s->summary, "{");
	if (c->umls) {
		struct umls_options o = c->load;
		o.replace = 1; /* the configuration says what the store holds */
		struct umls_stats us;
		if (umls_load(x->st, c->umls, &o, &us) < 0)
			return -1;
		if (us.already_loaded)
			buf_addf(&s->said, "umls %s: already loaded\n", c->umls);
		else
			buf_addf(&s->said, "umls %s: %lld concepts (%lld new), %lld terms, %lld triples\n",
				 c->umls, (long long)us.concepts, (long long)us.new_concepts,
				 (long long)us.conso_kept, (long long)us.triples);
		buf_addf(&s->summary, "\"umls\": {\"concepts\": %lld, \"new\": %lld, \"terms\": %lld, "
				      "\"triples\": %lld, \"already_loaded\": %d}",
			 (long long)us.concepts, (long long)us.new_concepts, (long long)us.conso_kept,
			 (long long)us.triples, us.already_loaded);
	}
	if (c->mesh) {
		struct mesh_options o = { c->load.lenient, 1 };
		struct mesh_stats ms;
		if (mesh_load(x->st, c->mesh, &o, &ms) < 0)
			return -1;
		if (ms.already_loaded)
			buf_addf(&s->said, "mesh %s: already loaded\n", c->mesh);
		else
			buf_addf(&s->said, "mesh %s: %lld concepts (%lld new), %lld terms, %lld triples\n",
				 c->mesh, (long long)ms.concepts, (long long)ms.new_concepts,
				 (long long)ms.terms, (long long)ms.triples);
		buf_addf(&s->summary, "%s\"mesh\": {\"concepts\": %lld, \"terms\": %lld, "
				      "\"triples\": %lld, \"already_loaded\": %d}",
			 s->summary.len > 1 ? ", " : "", (long long)ms.concepts, (long long)ms.terms,
			 (long long)ms.triples, ms.already_loaded);
	}
	for (size_t i = 0; c->obo && c->obo[i]; i++) {
		struct obo_options o = c->obo_opt;
		o.lenient = c->load.lenient;
		o.replace = 1;
		struct obo_stats os;
		if (obo_load(x->st, c->obo[i], &o, &os) < 0)
			return -1;
		if (os.already_loaded)
			buf_addf(&s->said, "obo %s: already loaded\n", c->obo[i]);
		else
			buf_addf(&s->said, "obo %s: %s, %lld concepts (%lld new), %lld triples\n",
				 c->obo[i], os.sab, (long long)os.concepts,
				 (long long)os.new_concepts, (long long)os.triples);
		buf_addf(&s->summary, "%s\"obo %s\": {\"concepts\": %lld, \"triples\": %lld, "
				      "\"already_loaded\": %d}",
			 s->summary.len > 1 ? ", " : "", os.sab, (long long)os.concepts,
			 (long long)os.triples, os.already_loaded);
	}
	buf_adds(&s->summary, "}");
	return 0;
}

static int run_extract(struct run_ctx *x)
{
	const struct pipeline_config *c = x->c;
	struct stage_result *s = x->s;
	struct extract_options o = c->extract;
	struct extract_stats es;
	int rc = extract_run(x->st, x->inputs, x->n_inputs, &o, &es);
	free(es.dict.filters);
	if (rc < 0)
		return -1;
	/* the mentions per concept the embed and export stages count: kept,
	 * so that the next time only the mentions after these are read */
	if (store_begin(x->st) < 0)
		return -1;
	if (mentions_counts_keep(x->st) < 0 || store_commit(x->st) < 0) {
		store_rollback(x->st);
		return -1;
	}
	struct pipeline_result *r = x->r;
	r->reports_read += es.read;
	r->reports_added += es.added;
	r->reports_changed += es.changed;
	r->reports_unchanged += es.unchanged;
	r->mentions += es.mentions;
	buf_addf(&s->said, "%lld reports read: %lld added, %lld changed, %lld unchanged; %lld "
			   "mentions (%lld affirmed, %lld negated, %lld uncertain)\n",
		 (long long)es.read, (long long)es.added, (long long)es.changed,
		 (long long)es.unchanged, (long long)es.mentions, (long long)es.polarity[0],
		 (long long)es.polarity[1], (long long)es.polarity[2]);
	buf_addf(&s->summary, "{\"read\": %lld, \"added\": %lld, \"changed\": %lld, "
			      "\"unchanged\": %lld, \"mentions\": %lld}",
		 (long long)es.read, (long long)es.added, (long long)es.changed,
		 (long long)es.unchanged, (long long)es.mentions);
	return 0;
}

static int run_link(struct run_ctx *x)
{
	const struct pipeline_config *c = x->c;
	struct stage_result *s = x->s;
	struct link_options o = c->link;
	/* patch sets of another grid are computed again (the store's patch
	 * sets are all on the grid link.grid names: link refuses a second) */
	int64_t stored;
	if (store_meta_get_int(x->st, META_LINK_GRID, &stored) < 0)
		return -1;
	o.regrid = o.grid && stored && stored != o.grid &&
		   store_int(x->st, "SELECT EXISTS (SELECT 1 FROM mention_patches)", 0);
	struct link_stats ls;
	if (link_run(x->st, &o, &ls) < 0)
		return -1;
	x->r->links += ls.region_links;
	buf_addf(&s->said, "%lld findings in %lld reports linked: %lld by sentence, %lld kb, %lld "
			   "lexicon, %lld default; %lld region links\n",
		 (long long)ls.findings, (long long)ls.reports, (long long)ls.by_method[METHOD_SENTENCE],
		 (long long)ls.by_method[METHOD_KB], (long long)ls.by_method[METHOD_LEXICON],
		 (long long)ls.by_method[METHOD_DEFAULT], (long long)ls.region_links);
	if (ls.images_listed || ls.images_sized)
		buf_addf(&s->said, "images: %lld listed%s (%lld new or changed), %lld sized, %lld files "
				   "not found\n",
			 (long long)ls.images_listed,
			 ls.images_list_from ? " after the rows read before" : "",
			 (long long)ls.images_new, (long long)ls.images_sized,
			 (long long)ls.images_missing);
	if (ls.images_bad)
		buf_addf(&s->said, "images: %lld that cannot be sized skipped (lenient)\n",
			 (long long)ls.images_bad);
	if (o.grid)
		buf_addf(&s->said, "patches: %lld patch sets on %lld images (%d x %d grid)%s\n",
			 (long long)ls.patch_sets, (long long)ls.patch_images, o.grid, o.grid,
			 o.regrid ? ", after a change of grid" : "");
	buf_addf(&s->summary, "{\"findings\": %lld, \"region_links\": %lld, \"images\": %lld, "
			      "\"patch_sets\": %lld, \"regrid\": %d}",
		 (long long)ls.findings, (long long)ls.region_links, (long long)ls.images_listed,
		 (long long)ls.patch_sets, o.regrid);
	return 0;
}

/* A model trained for this key by an earlier run that was killed before it
 * could record the stage. @return its id, 0 if none, -1 on error. */
static int64_t model_of_key(struct store *st, const char *key)
{
	sqlite3_stmt *q = store_prepare(st, "SELECT max(id) FROM embedding_models WHERE "
					    "json_extract(params, '$.build') = ?");
	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, key, -1, SQLITE_STATIC);
	int64_t id = 0;
	int rc = sqlite3_step(q);
	if (rc == SQLITE_ROW)
		id = sqlite3_column_int64(q, 0);
	else if (rc != SQLITE_DONE)
		id = store_error(st, "looking for a trained model");
	sqlite3_finalize(q);
	return id;
}

static int run_embed(struct run_ctx *x)
{
	const struct pipeline_config *c = x->c;
	struct stage_result *s = x->s;
	struct pipeline_result *r = x->r;
	struct embed_train_options o = { 0 };
	o.p = c->p;
	o.sel = c->sel;
	o.sel.seed = c->p.seed;
	struct buf tag = BUF_INIT;
	if (!x->ingest) {
		int64_t found = model_of_key(x->st, s->key);
		if (found < 0)
			return -1;
		if (found > 0) {
			r->model = found;
			buf_addf(&s->said, "model %lld (trained for these inputs by an earlier run)\n",
				 (long long)found);
			buf_addf(&s->summary, "{\"model\": %lld, \"found\": true}", (long long)found);
			return 0;
		}
		buf_addf(&tag, "\"build\": \"%s\"", s->key);
		o.tag = tag.p;
	} else {
		o.incremental = 1;
	}
	struct embed_train_result er;
	int64_t *listed = NULL;
	int rc = 0;
	if (c->export.layout == EXPORT_LAYOUT_ARL) {
		/* exactly the entities the ARL layout will export */
		struct arl_options a = c->export.arl;
		if (!a.images)
			a.images = c->link.images_dir;
		rc = arl_entities(x->st, &a, &listed, &o.sel.n_concepts);
		o.sel.mentioned = EMBED_LISTED;
		o.sel.concepts = listed;
		o.sel.threshold = a.threshold;
	}
	if (rc == 0)
		rc = embed_train_store(x->st, &o, &er);
	free(listed);
	buf_release(&tag);
	if (rc < 0)
		return -1;
	r->model = er.model;
	r->parent = er.parent;
	if (x->ingest && !er.model) {
		buf_addf(&s->said, "no new entity: model %lld has a vector for each of the %d "
				   "selected entities\n", (long long)er.parent, er.n_ent);
		buf_addf(&s->summary, "{\"model\": 0, \"parent\": %lld, \"entities\": %d}",
			 (long long)er.parent, er.n_ent);
		return 0;
	}
	if (x->ingest)
		r->new_entities = er.n_ent - (int64_t)er.n_ent_found;
	buf_addf(&s->said, "model %lld: TransE dim %d, L%d, %d entities, %d relations, %zu triples, "
			   "%d epochs in %.1f s\n",
		 (long long)er.model, er.p.dim, er.p.norm, er.n_ent, er.n_rel, er.n_train,
		 er.p.epochs, er.seconds);
	if (x->ingest)
		buf_addf(&s->said, "extends model %lld with %lld new entities\n", (long long)er.parent,
			 (long long)r->new_entities);
	if (er.evaluated)
		buf_addf(&s->said, "held-out triples %zu: filtered MRR %.4f, Hits@10 %.4f\n", er.n_test,
			 er.holdout.filtered[LP_BOTH].mrr, er.holdout.filtered[LP_BOTH].hits10);
	buf_addf(&s->summary, "{\"model\": %lld, \"parent\": %lld, \"entities\": %d, "
			      "\"relations\": %d, \"triples\": %zu, \"new_entities\": %lld}",
		 (long long)er.model, (long long)er.parent, er.n_ent, er.n_rel, er.n_train,
		 (long long)r->new_entities);
	return 0;
}

/* The trainer's export (train/export.h): ARL's knowledge files, the
 * annotations and, by default, the pretext-task plans, from the model the
 * embed stage left. An export already in the directory is updated: its
 * entity and relation ids are kept and new ones follow, unchanged files
 * stay, and the new export replaces the old in one rename. */
static int run_export(struct run_ctx *x)
{
	const struct pipeline_config *c = x->c;
	struct stage_result *s = x->s;
	struct pipeline_result *r = x->r;
	struct export_options o;
	struct export_stats es;
	struct buf manifest = BUF_INIT;
	free(r->export_dir);
	r->export_dir = pipeline_export_dir(c, x->st->path);
	const char *dir = r->export_dir;
	o = c->export;
	if (!o.arl.images)
		o.arl.images = c->link.images_dir;
	o.min_count = c->sel.min_count;
	o.model = r->model ? r->model : r->parent;
	o.grid = c->link.grid;
	o.seed = c->p.seed;
	o.threads = c->p.threads;
	o.sections = c->extract.sections;
	/* reports without images (none listed, none in the inputs) are exported
	 * one sample each, unless the configuration asked for images */
	if (o.layout == EXPORT_LAYOUT_ARL) {
		/* ARL draws its own masks: the plans are medkg's */
		o.plans = 0;
		o.given_arl = ~0ull;
	} else if (!o.per_report && !config_line(c, "export", "per") &&
		   store_int(x->st, "SELECT EXISTS (SELECT 1 FROM images)", 0) == 0) {
		o.per_report = 1;
		buf_adds(&s->said, "the store holds no images: one sample per report\n");
	}
	o.given = EXPORT_GIVEN(EXPORT_P_LAYOUT) | EXPORT_GIVEN_MIN_COUNT | EXPORT_GIVEN_PER |
		  EXPORT_GIVEN_DROP_NEGATED | EXPORT_GIVEN_PLANS | EXPORT_GIVEN_NEGATIVES |
		  EXPORT_GIVEN_GRID | EXPORT_GIVEN_SEED | EXPORT_GIVEN_SECTIONS;
	buf_addf(&manifest, "%s/manifest.json", dir);
	struct stat sb;
	o.update = stat(manifest.p, &sb) == 0;
	buf_release(&manifest);
	if (train_export(x->st, dir, &o, &es) < 0)
		return -1;
	r->files_written = es.files_written;
	r->files_kept = es.files_kept;
	size_t samples = es.samples[0] + es.samples[1] + es.samples[2];
	buf_addf(&s->said, "%s: model %lld, %zu entities, %zu relations, %zu triples, %zu samples "
			   "(%zu train, %zu val, %zu test)%s\n",
		 dir, (long long)es.model, es.n_ent, es.n_rel, es.n_triples, samples, es.samples[0],
		 es.samples[1], es.samples[2],
		 o.layout == EXPORT_LAYOUT_ARL ? ", ARL's layout" : o.plans ? ", with plans" : "");
	if (o.update)
		buf_addf(&s->said, "updated: %zu files written, %zu unchanged; %zu entities kept their "
				   "ids\n", es.files_written, es.files_kept, es.n_previous);
	if (o.update && es.rewrite_reason)
		buf_addf(&s->said, "every sample written again: %s\n", es.rewrite_reason);
	else if (o.update)
		buf_addf(&s->said, "%zu samples appended to the export's\n", es.appended);
	buf_addf(&s->summary, "{\"model\": %lld, \"entities\": %zu, \"relations\": %zu, "
			      "\"triples\": %zu, \"samples\": %zu, \"update\": %d, "
			      "\"written\": %zu, \"unchanged\": %zu}",
		 (long long)es.model, es.n_ent, es.n_rel, es.n_triples, samples, o.update,
		 es.files_written, es.files_kept);
	return 0;
}

/* ------------------------------------------------------------ the stage table */

struct stage {
	const char *name;
	/* what the key hashes besides the key before it, one line each */
	int (*inputs)(const struct pipeline_config *c, struct buf *out);
	/* NULL: not in this build of medkg */
	int (*run)(struct run_ctx *x);
};

static const struct stage stages[N_STAGES] = {
	[STAGE_LOAD] = { "load", load_inputs, run_load },
	[STAGE_EXTRACT] = { "extract", extract_inputs, run_extract },
	[STAGE_LINK] = { "link", link_inputs, run_link },
	[STAGE_EMBED] = { "embed", embed_inputs, run_embed },
	[STAGE_EXPORT] = { "export", export_inputs, run_export },
};

char *pipeline_export_dir(const struct pipeline_config *c, const char *store_path)
{
	if (c->export_dir)
		return xstrdup(c->export_dir);
	size_t n = strlen(store_path);
	if (n > 3 && !strcmp(store_path + n - 3, ".db"))
		n -= 3;
	struct buf b = BUF_INIT;
	buf_addf(&b, "%.*s-export", (int)n, store_path);
	return buf_detach(&b);
}

static void make_key(char out[17], const char *name, const struct buf *inputs, const char *prev)
{
	XXH3_state_t *h = XXH3_createState();
	XXH3_64bits_reset(h);
	XXH3_64bits_update(h, name, strlen(name) + 1);
	XXH3_64bits_update(h, buf_str(inputs), inputs->len);
	XXH3_64bits_update(h, prev, strlen(prev) + 1);
	snprintf(out, 17, "%016llx", (unsigned long long)XXH3_64bits_digest(h));
	XXH3_freeState(h);
}

/* The label of an inputs line: up to its first ':' or space. */
static size_t label_len(const char *line, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (line[i] == ':' || line[i] == ' ')
			return i;
	return n;
}

/* Say which lines of old and now differ (at most three). */
static void explain_change(struct buf *reason, const char *old, const char *now)
{
	int said = 0;
	for (const char *p = now; *p && said < 3;) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		int same = 0;
		const char *was = NULL;
		size_t was_n = 0, ln = label_len(p, n);
		for (const char *q = old; *q;) {
			const char *f = strchr(q, '\n');
			size_t m = f ? (size_t)(f - q) : strlen(q);
			if (m == n && !memcmp(p, q, n))
				same = 1;
			if (label_len(q, m) == ln && !memcmp(p, q, ln))
				was = q, was_n = m;
			q = f ? f + 1 : q + m;
		}
		if (!same) {
			buf_addf(reason, "%s%.*s", said ? "; " : "changed: ", (int)n, p);
			if (was)
				buf_addf(reason, " (was%.*s)", (int)(was_n - ln), was + ln);
			said++;
		}
		p = e ? e + 1 : p + n;
	}
	if (!said)
		buf_adds(reason, "changed: a setting was removed");
}

void pipeline_result_release(struct pipeline_result *r)
{
	for (int i = 0; i < N_STAGES; i++) {
		buf_release(&r->stage[i].inputs);
		buf_release(&r->stage[i].reason);
		buf_release(&r->stage[i].said);
		buf_release(&r->stage[i].summary);
	}
	free(r->export_dir);
	memset(r, 0, sizeof(*r));
}

int pipeline_plan(struct store *st, const struct pipeline_config *c, struct pipeline_result *r)
{
	memset(r, 0, sizeof(*r));
	sqlite3_stmt *q = NULL;
	if (st) {
		q = store_prepare(st, "SELECT key, inputs, finished FROM stage_runs WHERE stage = ? "
				      "AND command = 'build' ORDER BY id DESC LIMIT 1");
		if (!q)
			return -1;
	}
	const char *prev = "";
	int upstream_runs = -1;
	for (int i = 0; i < N_STAGES; i++) {
		struct stage_result *s = &r->stage[i];
		s->name = stages[i].name;
		s->available = stages[i].run != NULL;
		if (stages[i].inputs(c, &s->inputs) < 0)
			goto fail;
		make_key(s->key, s->name, &s->inputs, prev);
		prev = s->key;
		if (!s->available) {
			buf_adds(&s->reason, "not available in this build of medkg");
			continue;
		}
		int found = 0;
		if (q) {
			sqlite3_bind_text(q, 1, s->name, -1, SQLITE_STATIC);
			int rc = sqlite3_step(q);
			if (rc == SQLITE_ROW) {
				found = 1;
				const char *key = (const char *)sqlite3_column_text(q, 0);
				const char *old = (const char *)sqlite3_column_text(q, 1);
				const char *when = (const char *)sqlite3_column_text(q, 2);
				if (!strcmp(key, s->key)) {
					buf_addf(&s->reason, "done: unchanged since %s", when);
				} else {
					s->run = 1;
					if (strcmp(old, buf_str(&s->inputs)))
						explain_change(&s->reason, old, buf_str(&s->inputs));
					else if (upstream_runs >= 0)
						buf_addf(&s->reason, "after %s", stages[upstream_runs].name);
					else
						buf_adds(&s->reason, "an earlier stage changed");
				}
			} else if (rc != SQLITE_DONE) {
				store_error(st, "reading stage_runs");
				goto fail;
			}
			sqlite3_reset(q);
		}
		if (!found) {
			s->run = 1;
			buf_adds(&s->reason, st ? "never completed" : "new store");
		}
		if (s->run && upstream_runs < 0)
			upstream_runs = i;
	}
	sqlite3_finalize(q);
	return 0;
fail:
	sqlite3_finalize(q);
	pipeline_result_release(r);
	return -1;
}

static int record(struct store *st, const char *command, const struct stage_result *s,
		  const char *config, const char *started)
{
	char finished[32];
	utc_timestamp(finished, sizeof finished);
	if (store_begin(st) < 0)
		return -1;
	sqlite3_stmt *q = store_prepare(st, "INSERT INTO stage_runs(command, stage, key, inputs, "
					    "config, started, finished, seconds, summary) "
					    "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)");
	int rc = -1;
	if (!q)
		goto out;
	sqlite3_bind_text(q, 1, command, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, s->name, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 3, s->key, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 4, buf_str(&s->inputs), -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 5, config, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 6, started, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 7, finished, -1, SQLITE_STATIC);
	sqlite3_bind_double(q, 8, s->seconds);
	sqlite3_bind_text(q, 9, s->summary.len ? s->summary.p : "{}", -1, SQLITE_STATIC);
	if (store_step_done(st, q) < 0)
		goto out;
	rc = store_commit(st);
out:
	sqlite3_finalize(q);
	if (rc < 0)
		store_rollback(st);
	return rc;
}

static int run_stage(struct run_ctx *x, int i, const char *command)
{
	char started[32];
	utc_timestamp(started, sizeof started);
	double t0 = now_seconds();
	if (stages[i].run(x) < 0)
		return -1;
	x->s->seconds = now_seconds() - t0;
	x->s->done = 1;
	return record(x->st, command, x->s, x->c->file, started);
}

int pipeline_build(struct store *st, const struct pipeline_config *c, pipeline_stage_fn fn,
		   void *ctx, struct pipeline_result *r)
{
	double t0 = now_seconds();
	if (store_hold(st) < 0 || pipeline_plan(st, c, r) < 0)
		return -1;
	struct run_ctx x = { st, c, 0, c->inputs, strlist_len(c->inputs), r, NULL };
	int rc = 0;
	for (int i = 0; i < N_STAGES && rc == 0; i++) {
		x.s = &r->stage[i];
		if (x.s->run && x.s->available)
			rc = run_stage(&x, i, "build");
		if (rc == 0 && fn)
			fn(ctx, x.s);
	}
	r->seconds = now_seconds() - t0;
	return rc;
}

int pipeline_ingest(struct store *st, const struct pipeline_config *c, char *const *inputs,
		    size_t n, pipeline_stage_fn fn, void *ctx, struct pipeline_result *r)
{
	double t0 = now_seconds();
	if (store_hold(st) < 0 || pipeline_plan(st, c, r) < 0)
		return -1;
	for (int i = 0; i < N_STAGES; i++) {
		struct stage_result *s = &r->stage[i];
		if (s->available && s->run) {
			error("%s: the store is not built with %s as it is now (stage %s: %s): run "
			      "'medkg build %s' first",
			      st->path, c->file, s->name, buf_str(&s->reason), c->file);
			pipeline_result_release(r);
			return -1;
		}
	}
	/* the ingest's keys: the new inputs on top of the build's keys */
	struct buf fp = BUF_INIT;
	for (size_t i = 0; i < n; i++)
		if (fp_line(&fp, "input", inputs[i], FP_CONTENT) < 0) {
			buf_release(&fp);
			pipeline_result_release(r);
			return -1;
		}
	struct run_ctx x = { st, c, 1, inputs, n, r, NULL };
	int rc = 0;
	for (int i = 0; i < N_STAGES && rc == 0; i++) {
		struct stage_result *s = &r->stage[i];
		x.s = s;
		char build_key[17];
		memcpy(build_key, s->key, sizeof build_key);
		buf_reset(&s->inputs);
		buf_add(&s->inputs, fp.p, fp.len);
		make_key(s->key, s->name, &s->inputs, build_key);
		buf_reset(&s->reason);
		s->run = s->available && i != STAGE_LOAD;
		buf_adds(&s->reason, !s->available ? "not available in this build of medkg"
				     : i == STAGE_LOAD ? "the knowledge is loaded" : "new reports");
		if (s->run)
			rc = run_stage(&x, i, "ingest");
		if (rc == 0 && fn)
			fn(ctx, s);
	}
	buf_release(&fp);
	r->seconds = now_seconds() - t0;
	return rc;
}
