#include "samples.h"
#include "../store/mentions.h"
#include "plans.h"
#include "../common/rng.h"
#include "../common/buf.h"
#include "../common/fingerprint.h"
#include "../common/strmap.h"
#include "../common/util.h"
#include "../common/strlist.h"

#include <errno.h>
#include <jansson.h>
#include <omp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <xxhash.h>

#define BATCH 1024          /* reports read while the previous batch is built */
#define CHUNK 32            /* reports per task */
#define MAX_SECTIONS 32

static const char *const polarity_names[] = { "affirmed", "negated", "uncertain" };
enum { POL_AFFIRMED, POL_NEGATED, POL_UNCERTAIN };

void split_out_release(struct split_out *so)
{
	free(so->off);
	free(so->ents);
	free(so->keys);
	free(so->group);
	neg_state_release(&so->neg);
	so->off = NULL;
	so->ents = NULL;
	so->keys = NULL;
	so->group = NULL;
	so->n = so->cap = so->cap_ents = 0;
}

static const char pool_magic[8] = { 'M', 'K', 'G', 'P', 'O', 'O', 'L', '2' };

/* fwrite of n items, none being no call (p may then be NULL). */
static int put(const void *p, size_t size, size_t n, FILE *f)
{
	return n == 0 || fwrite(p, size, n, f) == n;
}

int split_out_save(const struct split_out *so, const char *path)
{
	FILE *f = fopen(path, "wb");
	if (!f)
		return error("%s: cannot write: %s", path, strerror(errno));
	const size_t zero = 0;
	const size_t *off = so->n ? so->off : &zero;
	const struct neg_state *ns = &so->neg;
	const uint64_t n_ring = ns->ring ? ns->n_ring : 0, n_deep = ns->ring ? ns->n_deep : 0;
	uint64_t head[4] = { so->n, off[so->n], n_ring, n_deep };
	int bad = !put(pool_magic, 1, sizeof pool_magic, f) || !put(head, sizeof(uint64_t), 4, f) ||
		  !put(so->keys, sizeof(uint64_t), so->n, f) ||
		  !put(so->group, sizeof(uint32_t), so->n, f);
	_Static_assert(sizeof(size_t) == sizeof(uint64_t), "offsets are saved as they are held");
	bad = bad || !put(off, sizeof(uint64_t), so->n + 1, f) ||
	      !put(so->ents, sizeof(int32_t), off[so->n], f) ||
	      !put(ns->ring, sizeof(int32_t), n_ring, f) || !put(ns->deep, sizeof(int32_t), n_deep, f);
	if (fclose(f) != 0 || bad)
		return error("%s: write failed: %s", path, strerror(errno));
	return 0;
}

/* Read n items of size bytes from f into a new array of cap items, adding
 * them to the file's hash h. @return it, or NULL when the file is short. */
static void *take(FILE *f, size_t n, size_t size, size_t cap, XXH3_state_t *h)
{
	void *v = xmalloc((cap ? cap : 1) * size);
	if (n && fread(v, size, n, f) != n) {
		free(v);
		return NULL;
	}
	XXH3_128bits_update(h, v, n * size);
	return v;
}

int split_out_load(struct split_out *so, const char *path, int32_t n_ent, char hex[33])
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return error("%s: cannot open: %s", path, strerror(errno));
	struct stat sb;
	XXH3_state_t *h = XXH3_createState();
	XXH3_128bits_reset(h);
	char magic[sizeof pool_magic];
	uint64_t head[4];
	int rc = -1;
	if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode) ||
	    fread(magic, 1, sizeof magic, f) != sizeof magic ||
	    memcmp(magic, pool_magic, sizeof magic) || fread(head, sizeof(uint64_t), 4, f) != 4) {
		error("%s: not a sample pool (of this medkg)", path);
		goto out;
	}
	XXH3_128bits_update(h, magic, sizeof magic);
	XXH3_128bits_update(h, head, sizeof head);
	const uint64_t n = head[0], n_ents = head[1], n_ring = head[2], n_deep = head[3];
	const uint64_t size = (uint64_t)sb.st_size;
	if (n > UINT32_MAX || n_ents > UINT32_MAX * 64ull || (n_ring != 0 && n_ring != n) ||
	    n_deep > n_ring ||
	    size != sizeof pool_magic + sizeof head + n * 8 + n * 4 + (n + 1) * 8 + n_ents * 4 +
			    n_ring * 4 + n_deep * 4) {
		error("%s: %llu samples and %llu entities do not fit its %llu bytes", path,
		      (unsigned long long)n, (unsigned long long)n_ents, (unsigned long long)size);
		goto out;
	}
	/* room for the samples an append adds */
	const size_t cap = (size_t)n + (size_t)n / 16 + 1024;
	const size_t cap_ents = (size_t)n_ents + (size_t)n_ents / 16 + 8192;
	so->n = (size_t)n;
	so->cap = cap;
	so->cap_ents = cap_ents;
	int bad = !(so->keys = take(f, n, sizeof(uint64_t), cap, h)) ||
		  !(so->group = take(f, n, sizeof(uint32_t), cap, h)) ||
		  !(so->off = take(f, n + 1, sizeof(size_t), cap + 1, h)) ||
		  !(so->ents = take(f, n_ents, sizeof(int32_t), cap_ents, h));
	if (!bad && n_ring) {
		so->neg.n_ring = (size_t)n_ring;
		so->neg.n_deep = (size_t)n_deep;
		bad = !(so->neg.ring = take(f, n_ring, sizeof(int32_t), n_ring, h)) ||
		      !(so->neg.deep = take(f, n_deep, sizeof(int32_t), n_deep, h));
	}
	if (bad) {
		error("%s: cannot read: %s", path, ferror(f) ? strerror(errno) : "the file shrank");
		goto out;
	}
	bad = so->off[0] != 0 || so->off[n] != n_ents;
	for (uint64_t i = 1; !bad && i <= n; i++)
		bad = so->off[i] < so->off[i - 1];
	for (uint64_t i = 0; !bad && i < n_ents; i++)
		bad = so->ents[i] < 0 || so->ents[i] >= n_ent;
	/* each sample's entities sorted and unique, as mining takes them */
	for (uint64_t i = 0; !bad && i < n; i++)
		for (size_t x = so->off[i] + 1; !bad && x < so->off[i + 1]; x++)
			bad = so->ents[x] <= so->ents[x - 1];
	if (bad) {
		error("%s: malformed sample pool (offsets or entity ids out of range, or a "
		      "sample's entities not sorted and unique)", path);
		goto out;
	}
	if (hex) {
		XXH128_hash_t d = XXH3_128bits_digest(h);
		hash128_hex(d.high64, d.low64, hex);
	}
	rc = 0;
out:
	XXH3_freeState(h);
	fclose(f);
	if (rc < 0)
		split_out_release(so);
	return rc;
}

int samples_stored_grid(struct store *st)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT 1 FROM sqlite_master WHERE type = 'table' AND "
					    "name = 'mention_patches'");
	if (!s)
		return -1;
	int have = sqlite3_step(s) == SQLITE_ROW;
	sqlite3_finalize(s);
	if (!have)
		return 0;
	return (int)store_int(st,
			      "SELECT grid FROM mention_patches GROUP BY grid ORDER BY count(*) DESC, "
			      "grid LIMIT 1",
			      0);
}

/* ------------------------------------------------------------ formatting */

static void add_int(struct buf *b, int64_t v)
{
	char tmp[24];
	int n = 0;
	uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
	do {
		tmp[n++] = (char)('0' + u % 10);
		u /= 10;
	} while (u);
	buf_reserve(b, (size_t)n + 2);
	if (v < 0)
		b->p[b->len++] = '-';
	while (n)
		b->p[b->len++] = tmp[--n];
	b->p[b->len] = '\0';
}

/* Append "a,b,c" for n non-negative integers (patch indexes, the bulk of
 * the output): one reservation, no call per number. */
static void add_ints(struct buf *b, const int32_t *v, size_t n)
{
	buf_reserve(b, n * 11 + 1);
	char *p = b->p + b->len;
	for (size_t i = 0; i < n; i++) {
		if (i)
			*p++ = ',';
		uint32_t u = (uint32_t)v[i];
		if (u < 10) {
			*p++ = (char)('0' + u);
		} else if (u < 100) {
			*p++ = (char)('0' + u / 10);
			*p++ = (char)('0' + u % 10);
		} else if (u < 1000) {
			*p++ = (char)('0' + u / 100);
			*p++ = (char)('0' + u / 10 % 10);
			*p++ = (char)('0' + u % 10);
		} else {
			char tmp[12];
			int k = 0;
			do {
				tmp[k++] = (char)('0' + u % 10);
				u /= 10;
			} while (u);
			while (k)
				*p++ = tmp[--k];
		}
	}
	b->len = (size_t)(p - b->p);
	b->p[b->len] = '\0';
}

/* The last path component without its extension: an image's id. */
static void add_image_id(struct buf *b, const char *path)
{
	const char *base = strrchr(path, '/');
	base = base ? base + 1 : path;
	const char *dot = strrchr(base, '.');
	size_t n = dot && dot != base ? (size_t)(dot - base) : strlen(base);
	buf_add_json_str(b, base, n);
}

static int cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	return (x > y) - (x < y);
}

static size_t sort_unique_i32(int32_t *a, size_t n)
{
	if (n > 1)
		qsort(a, n, sizeof(int32_t), cmp_i32);
	size_t k = 0;
	for (size_t i = 0; i < n; i++)
		if (k == 0 || a[k - 1] != a[i])
			a[k++] = a[i];
	return k;
}

/* ------------------------------------------------------------ reports */

/* A mention as stored: character offsets into the report's text. */
struct raw_mention {
	int64_t id, concept;
	int32_t start, end;
	int pol;
};

/* A mention kept for the caption: offsets into the caption. */
struct mention {
	int64_t id;
	int32_t ent;
	int32_t start, end;
	int pol;
};

struct region {
	int64_t mention;
	size_t name;            /* offset into the report's pool */
};

struct patchset {
	int64_t mention, image;
	int whole;              /* no localization: whole image, or every patch */
	size_t idx, n;          /* patch indexes: rep->patch_pool[idx .. idx + n) */
};

struct image {
	int64_t id;
	size_t path;            /* offset into the pool */
};

/* One report as read, and what its samples produce. Reused batch after
 * batch: buffers keep their memory. */
struct rep {
	int64_t id;
	size_t ordinal;         /* the report's place in the export: negatives' group */
	struct buf pool;        /* source, external id, split, image paths, region names */
	size_t source, ext, split_name;  /* offsets into pool; split_name (size_t)-1: none */
	struct buf text, sections;
	struct image *img;
	size_t n_img, cap_img;
	struct raw_mention *raw;
	size_t n_raw, cap_raw;
	struct region *reg;
	size_t n_reg, cap_reg;
	struct patchset *pat;
	size_t n_pat, cap_pat;
	int32_t *patch_pool;
	size_t n_patch_pool, cap_patch_pool;
	/* outputs */
	int bad;                /* the sections value is malformed */
	int split, drawn, no_caption;
	size_t kept, outside, other;
	struct buf ann, plan;
	size_t n_samples;
	int32_t *aff;           /* the samples' affirmed entities, one after another */
	size_t n_aff, cap_aff;
	size_t *aff_end;        /* (n_samples) where each sample's ends in aff */
	uint64_t *keys;         /* (n_samples) */
	size_t cap_samples;
};

static void rep_clear(struct rep *r)
{
	buf_reset(&r->pool);
	buf_reset(&r->text);
	buf_reset(&r->sections);
	buf_reset(&r->ann);
	buf_reset(&r->plan);
	r->n_img = r->n_raw = r->n_reg = r->n_pat = r->n_patch_pool = 0;
	r->bad = r->drawn = r->no_caption = 0;
	r->kept = r->outside = r->other = 0;
	r->n_samples = r->n_aff = 0;
}

static void rep_release(struct rep *r)
{
	buf_release(&r->pool);
	buf_release(&r->text);
	buf_release(&r->sections);
	buf_release(&r->ann);
	buf_release(&r->plan);
	free(r->img);
	free(r->raw);
	free(r->reg);
	free(r->pat);
	free(r->patch_pool);
	free(r->aff);
	free(r->aff_end);
	free(r->keys);
}

/* Add a NUL-terminated string to the pool. @return its offset. */
static size_t pool_add(struct buf *pool, const void *s, size_t n)
{
	size_t at = pool->len;
	buf_add(pool, s, n);
	buf_addc(pool, '\0');
	return at;
}

#define POOL(r, off) ((r)->pool.p + (off))

/* ------------------------------------------------------------ building */

struct ctx {
	const struct export_options *o;
	const int32_t *ent_of;
	int64_t max_concept;
	int grid;
	size_t n_patches;
};

/* Scratch of one thread. */
struct worker {
	struct mention *men;
	size_t n_men, cap_men;
	struct buf caption;
	int32_t *ids;
	size_t cap_ids;
	uint8_t *mark;          /* (n_patches) */
	int32_t *patches;       /* (n_patches) */
	struct span *ents, *mspans;
	size_t cap_spans;
	size_t *boff;
	size_t cap_boff;
};

static void worker_release(struct worker *w)
{
	free(w->men);
	buf_release(&w->caption);
	free(w->ids);
	free(w->mark);
	free(w->patches);
	free(w->ents);
	free(w->mspans);
	free(w->boff);
}

static void ids_push(struct worker *w, size_t *n, int32_t v)
{
	XGROW(w->ids, w->cap_ids, *n + 1);
	w->ids[(*n)++] = v;
}

struct section {
	int32_t start, end;     /* characters of the report text */
	int32_t at;             /* where it begins in the caption */
};

/* The caption of a report: its selected sections, in text order, joined by
 * one space. @return the sections used (0: no caption), or -1 when the
 * sections value is malformed. */
static int build_caption(const struct ctx *c, struct worker *w, const struct rep *r,
			 struct section *secs)
{
	const char *text = r->text.p ? r->text.p : "";
	const size_t len = r->text.len;
	/* character -> byte offsets */
	XGROW(w->boff, w->cap_boff, len + 1);
	size_t n_chars = 0;
	for (size_t b = 0; b < len; b++)
		if (((unsigned char)text[b] & 0xc0) != 0x80)
			w->boff[n_chars++] = b;
	w->boff[n_chars] = len;
	buf_reset(&w->caption);
	json_t *a = json_loadb(r->sections.p ? r->sections.p : "", r->sections.len, 0, NULL);
	int n = 0;
	if (!json_is_array(a)) {
		json_decref(a);
		return -1;
	}
	if (json_array_size(a) == 0) {
		/* no sections recorded: the whole text */
		if (n_chars > 0) {
			secs[0] = (struct section){ 0, (int32_t)n_chars, 0 };
			buf_add(&w->caption, text, len);
			n = 1;
		}
		json_decref(a);
		return n;
	}
	size_t i;
	json_t *s;
	int32_t at = 0;
	json_array_foreach(a, i, s)
	{
		json_t *name = json_array_get(s, 0);
		json_t *js = json_array_get(s, 1), *je = json_array_get(s, 2);
		if (!json_is_string(name) || !json_is_integer(js) || !json_is_integer(je) ||
		    json_integer_value(js) < 0 || json_integer_value(je) < json_integer_value(js) ||
		    (size_t)json_integer_value(je) > n_chars) {
			json_decref(a);
			return -1;
		}
		const char *nm = json_string_value(name);
		if (strcmp(nm, "report") && !strlist_has(c->o->sections, nm))
			continue;
		if (n == MAX_SECTIONS)
			break;
		int32_t cs = (int32_t)json_integer_value(js), ce = (int32_t)json_integer_value(je);
		if (ce == cs)
			continue;
		if (n > 0) {
			buf_addc(&w->caption, ' ');
			at++;
		}
		secs[n] = (struct section){ cs, ce, at };
		buf_add(&w->caption, text + w->boff[cs], w->boff[ce] - w->boff[cs]);
		at += ce - cs;
		n++;
	}
	json_decref(a);
	return n;
}

static int cmp_mention(const void *a, const void *b)
{
	const struct mention *x = a, *y = b;
	if (x->start != y->start)
		return x->start < y->start ? -1 : 1;
	if (x->end != y->end)
		return x->end < y->end ? -1 : 1;
	return (x->ent > y->ent) - (x->ent < y->ent);
}

/* img_ents: the entities of the caption (not only negated, with
 * --drop-negated), sorted and unique, into w->ids. @return how many. */
static size_t img_entities(const struct ctx *c, struct worker *w)
{
	size_t n = 0;
	for (size_t i = 0; i < w->n_men; i++)
		if (!c->o->drop_negated || w->men[i].pol != POL_NEGATED)
			ids_push(w, &n, w->men[i].ent);
	return sort_unique_i32(w->ids, n);
}

/* "image_id": the image's, or the report's for a sample per report. */
static void add_sample_id(struct buf *b, const struct rep *r, const struct image *img)
{
	buf_adds(b, "{\"image_id\":");
	if (img)
		add_image_id(b, POOL(r, img->path));
	else
		buf_add_json_str(b, POOL(r, r->ext), strlen(POOL(r, r->ext)));
}

/* The annotation up to its regions: ids, path, caption, img_ents and the
 * caption's entities with their polarity. */
static void add_annotation_head(struct buf *b, const struct worker *w, const struct rep *r,
				const struct image *img, size_t n_img_ents)
{
	const char *report_id = POOL(r, r->ext);
	add_sample_id(b, r, img);
	buf_adds(b, ",\"image_path\":");
	const char *path = img ? POOL(r, img->path) : r->n_img ? POOL(r, r->img[0].path) : NULL;
	if (path)
		buf_add_json_str(b, path, strlen(path));
	else
		buf_adds(b, "null");
	buf_adds(b, ",\"report_id\":");
	buf_add_json_str(b, report_id, strlen(report_id));
	buf_adds(b, ",\"captions\":[");
	buf_add_json_str(b, w->caption.p ? w->caption.p : "", w->caption.len);
	buf_adds(b, "],\"img_ents\":[");
	add_ints(b, w->ids, n_img_ents);
	buf_adds(b, "],\"txt_ents\":[[");
	for (size_t i = 0; i < w->n_men; i++) {
		buf_adds(b, i ? ",[" : "[");
		add_int(b, w->men[i].start);
		buf_addc(b, ',');
		add_int(b, w->men[i].end);
		buf_addc(b, ',');
		add_int(b, w->men[i].ent);
		buf_addc(b, ']');
	}
	buf_adds(b, "]],\"txt_ents_polarity\":[[");
	for (size_t i = 0; i < w->n_men; i++) {
		buf_adds(b, i ? ",\"" : "\"");
		buf_adds(b, polarity_names[w->men[i].pol]);
		buf_addc(b, '"');
	}
	buf_adds(b, "]]");
}

/* The region names of entity ent's mentions that are not negated, sorted
 * and unique (at most 64), as a JSON array. */
static void add_entity_regions(struct buf *b, const struct worker *w, const struct rep *r,
			       int32_t ent)
{
	const char *names[64];
	size_t n_names = 0;
	for (size_t i = 0; i < w->n_men; i++) {
		if (w->men[i].ent != ent || w->men[i].pol == POL_NEGATED)
			continue;
		for (size_t g = 0; g < r->n_reg; g++) {
			if (r->reg[g].mention != w->men[i].id)
				continue;
			const char *nm = POOL(r, r->reg[g].name);
			size_t q = 0;
			while (q < n_names && strcmp(names[q], nm))
				q++;
			if (q == n_names && n_names < ARRAY_SIZE(names))
				names[n_names++] = nm;
		}
	}
	for (size_t i = 1; i < n_names; i++)
		for (size_t j = i; j > 0 && strcmp(names[j - 1], names[j]) > 0; j--) {
			const char *t = names[j];
			names[j] = names[j - 1];
			names[j - 1] = t;
		}
	buf_addc(b, '[');
	for (size_t i = 0; i < n_names; i++) {
		if (i)
			buf_addc(b, ',');
		buf_add_json_str(b, names[i], strlen(names[i]));
	}
	buf_addc(b, ']');
}

/* The patches of entity ent's mentions that are not negated, on image
 * pimg, as a JSON array of patch indexes. */
static void add_entity_patches(struct buf *b, const struct ctx *c, struct worker *w,
			       const struct rep *r, int32_t ent, int64_t pimg)
{
	memset(w->mark, 0, c->n_patches);
	for (size_t i = 0; i < w->n_men; i++) {
		if (w->men[i].ent != ent || w->men[i].pol == POL_NEGATED)
			continue;
		for (size_t p = 0; p < r->n_pat; p++)
			if (r->pat[p].mention == w->men[i].id && r->pat[p].image == pimg)
				for (size_t q = 0; q < r->pat[p].n; q++)
					w->mark[r->patch_pool[r->pat[p].idx + q]] = 1;
	}
	size_t n_on = 0;
	for (size_t q = 0; q < c->n_patches; q++)
		if (w->mark[q])
			w->patches[n_on++] = (int32_t)q;
	buf_addc(b, '[');
	add_ints(b, w->patches, n_on);
	buf_addc(b, ']');
}

/* Keep the sample's affirmed entities and key, for negative mining. */
static void record_affirmed(struct worker *w, struct rep *r, uint64_t key)
{
	size_t n_aff = 0;
	for (size_t i = 0; i < w->n_men; i++)
		if (w->men[i].pol == POL_AFFIRMED)
			ids_push(w, &n_aff, w->men[i].ent);
	n_aff = sort_unique_i32(w->ids, n_aff);
	if (r->n_samples == r->cap_samples) {
		r->cap_samples = r->cap_samples ? 2 * r->cap_samples : 4;
		r->aff_end = xrealloc(r->aff_end, r->cap_samples * sizeof(size_t));
		r->keys = xrealloc(r->keys, r->cap_samples * sizeof(uint64_t));
	}
	if (n_aff) {
		XGROW(r->aff, r->cap_aff, r->n_aff + n_aff);
		memcpy(r->aff + r->n_aff, w->ids, n_aff * sizeof(int32_t));
	}
	r->n_aff += n_aff;
	r->aff_end[r->n_samples] = r->n_aff;
	r->keys[r->n_samples] = key;
	r->n_samples++;
}

/* Masked language modelling over the caption's words: "mlm" spans. */
static void add_mlm_plan(struct buf *pl, const struct ctx *c, struct worker *w, struct rng *rg)
{
	struct span *words = NULL;
	size_t n_words = text_words(w->caption.p ? w->caption.p : "", w->caption.len, &words);
	if (n_words + w->n_men > w->cap_spans) {
		w->cap_spans = n_words + w->n_men + 16;
		w->ents = xrealloc(w->ents, w->cap_spans * sizeof(struct span));
		w->mspans = xrealloc(w->mspans, w->cap_spans * sizeof(struct span));
	}
	for (size_t i = 0; i < w->n_men; i++)
		w->ents[i] = (struct span){ w->men[i].start, w->men[i].end };
	size_t n_masked;
	size_t n_spans = mlm_plan(words, n_words, w->ents, w->n_men, c->o->mlm_mode,
				  c->o->mlm_ratio, rg, w->mspans, &n_masked);
	free(words);
	buf_adds(pl, ",\"mlm\":[[");
	for (size_t i = 0; i < n_spans; i++) {
		buf_adds(pl, i ? ",[" : "[");
		add_int(pl, w->mspans[i].start);
		buf_addc(pl, ',');
		add_int(pl, w->mspans[i].end);
		buf_addc(pl, ']');
	}
	buf_adds(pl, "]]");
}

/* Masked image modelling: the localized patches of affirmed findings on
 * image pimg first, then the rest ("mim"). */
static void add_mim_plan(struct buf *pl, const struct ctx *c, struct worker *w,
			 const struct rep *r, int64_t pimg, struct rng *rg)
{
	size_t n_prio = 0;
	for (size_t i = 0; i < w->n_men; i++) {
		if (w->men[i].pol != POL_AFFIRMED)
			continue;
		for (size_t p = 0; p < r->n_pat; p++)
			if (!r->pat[p].whole && r->pat[p].mention == w->men[i].id &&
			    r->pat[p].image == pimg)
				for (size_t q = 0; q < r->pat[p].n; q++)
					ids_push(w, &n_prio, r->patch_pool[r->pat[p].idx + q]);
	}
	size_t n_from_prio;
	size_t n_mim = mim_plan(c->n_patches, w->ids, n_prio, c->o->mim_ratio, rg, w->patches,
				&n_from_prio);
	buf_adds(pl, ",\"mim\":[");
	add_ints(pl, w->patches, n_mim);
	buf_adds(pl, "]}\n");
}

/* Write one sample of report r: of image img, or the whole report when img
 * is NULL; patch_img is the image whose patch sets are used (NULL: none). */
static void write_sample(const struct ctx *c, struct worker *w, struct rep *r,
			 const struct image *img, const struct image *patch_img, uint64_t key)
{
	const int64_t pimg = patch_img ? patch_img->id : -1;
	struct buf *b = &r->ann;
	size_t n_img_ents = img_entities(c, w);
	add_annotation_head(b, w, r, img, n_img_ents);
	/* regions and patches per entity of img_ents, from its mentions that
	 * are not negated */
	buf_adds(b, ",\"regions\":[");
	for (size_t e = 0; e < n_img_ents; e++) {
		if (e)
			buf_addc(b, ',');
		add_entity_regions(b, w, r, w->ids[e]);
	}
	buf_adds(b, "],\"patch_masks\":[");
	for (size_t e = 0; e < n_img_ents; e++) {
		if (e)
			buf_addc(b, ',');
		add_entity_patches(b, c, w, r, w->ids[e], pimg);
	}
	buf_adds(b, "]}\n");
	/* the affirmed entities: negatives and the image masking plan (ids is
	 * reused from here on) */
	record_affirmed(w, r, key);
	if (!c->o->plans)
		return;
	struct rng rg;
	rng_seed(&rg, c->o->seed, key);
	add_sample_id(&r->plan, r, img);
	add_mlm_plan(&r->plan, c, w, &rg);
	add_mim_plan(&r->plan, c, w, r, pimg, &rg);
}

/* Build every sample of one report. */
static void build_report(const struct ctx *c, struct worker *w, struct rep *r)
{
	const struct export_options *o = c->o;
	struct section secs[MAX_SECTIONS];
	int n_secs = build_caption(c, w, r, secs);
	if (n_secs < 0) {
		r->bad = 1;
		return;
	}
	w->n_men = 0;
	for (size_t i = 0; i < r->n_raw; i++) {
		const struct raw_mention *m = &r->raw[i];
		int32_t ent = m->concept >= 0 && m->concept <= c->max_concept ? c->ent_of[m->concept]
									       : -1;
		if (ent < 0) {
			r->other++;
			continue;
		}
		int q = 0;
		while (q < n_secs && !(m->start >= secs[q].start && m->end <= secs[q].end))
			q++;
		if (q == n_secs || m->end <= m->start) {
			r->outside++;
			continue;
		}
		XGROW(w->men, w->cap_men, w->n_men + 1);
		w->men[w->n_men++] = (struct mention){ m->id, ent,
						       m->start - secs[q].start + secs[q].at,
						       m->end - secs[q].start + secs[q].at, m->pol };
	}
	if (n_secs == 0) {
		r->no_caption = 1;
		return;
	}
	if (w->n_men > 1)
		qsort(w->men, w->n_men, sizeof(*w->men), cmp_mention);
	r->kept = w->n_men;

	/* split: the input's, else drawn from the report's key */
	struct buf key = BUF_INIT;
	buf_adds(&key, POOL(r, r->source));
	buf_addc(&key, '\x1f');
	buf_adds(&key, POOL(r, r->ext));
	r->split = r->split_name == (size_t)-1 ? -1 : split_from_name(POOL(r, r->split_name));
	if (r->split < 0) {
		r->split = split_draw(o->split, o->seed, key.p, key.len);
		r->drawn = 1;
	}
	if (o->per_report) {
		const struct image *pi = NULL;
		for (size_t i = 0; i < r->n_img && !pi; i++)
			for (size_t p = 0; p < r->n_pat && !pi; p++)
				if (r->pat[p].image == r->img[i].id)
					pi = &r->img[i];
		write_sample(c, w, r, NULL, pi, hash_bytes(key.p, key.len));
	} else {
		for (size_t i = 0; i < r->n_img; i++) {
			size_t at = key.len;
			buf_addc(&key, '\x1f');
			buf_adds(&key, POOL(r, r->img[i].path));
			write_sample(c, w, r, &r->img[i], &r->img[i], hash_bytes(key.p, key.len));
			key.len = at;
		}
	}
	buf_release(&key);
}

/* ------------------------------------------------------------ reading */

struct reader {
	struct store *st;
	sqlite3_stmt *qr, *qi, *qm, *qg, *qp;
	int ri, rm, rg, rp;     /* the last step of each cursor */
	int done;               /* every report read (a finished statement must
	                           not be stepped again: it would start over) */
	int grid;
	size_t n_patches;
	size_t ordinal;
};

static int polarity_code(const char *p)
{
	if (!strcmp(p, "affirmed"))
		return POL_AFFIRMED;
	if (!strcmp(p, "negated"))
		return POL_NEGATED;
	return POL_UNCERTAIN;
}

/* Read up to BATCH reports into reps. @return how many, or -1 after
 * error(). */
static int read_batch(struct reader *rd, struct rep *reps, struct export_stats *s)
{
	struct store *st = rd->st;
	int n = 0;
	while (n < BATCH && !rd->done) {
		int rr = sqlite3_step(rd->qr);
		if (rr == SQLITE_DONE) {
			rd->done = 1;
			break;
		}
		if (rr != SQLITE_ROW)
			return store_error(st, "reading reports");
		struct rep *r = &reps[n++];
		rep_clear(r);
		int64_t report = r->id = sqlite3_column_int64(rd->qr, 0);
		r->ordinal = rd->ordinal++;
		r->source = pool_add(&r->pool, sqlite3_column_text(rd->qr, 1),
				     (size_t)sqlite3_column_bytes(rd->qr, 1));
		r->ext = pool_add(&r->pool, sqlite3_column_text(rd->qr, 2),
				  (size_t)sqlite3_column_bytes(rd->qr, 2));
		buf_add(&r->text, sqlite3_column_text(rd->qr, 3), (size_t)sqlite3_column_bytes(rd->qr, 3));
		buf_add(&r->sections, sqlite3_column_text(rd->qr, 4),
			(size_t)sqlite3_column_bytes(rd->qr, 4));
		r->split_name = sqlite3_column_type(rd->qr, 5) == SQLITE_NULL
					? (size_t)-1
					: pool_add(&r->pool, sqlite3_column_text(rd->qr, 5),
						   (size_t)sqlite3_column_bytes(rd->qr, 5));
		s->reports++;

		/* the cursors advance in report order */
		for (; rd->ri == SQLITE_ROW && sqlite3_column_int64(rd->qi, 0) <= report;
		     rd->ri = sqlite3_step(rd->qi))
			if (sqlite3_column_int64(rd->qi, 0) == report) {
				XGROW(r->img, r->cap_img, r->n_img + 1);
				r->img[r->n_img].id = sqlite3_column_int64(rd->qi, 1);
				r->img[r->n_img].path =
					pool_add(&r->pool, sqlite3_column_text(rd->qi, 2),
						 (size_t)sqlite3_column_bytes(rd->qi, 2));
				r->n_img++;
			}
		for (; rd->rm == SQLITE_ROW && sqlite3_column_int64(rd->qm, 0) <= report;
		     rd->rm = sqlite3_step(rd->qm)) {
			if (sqlite3_column_int64(rd->qm, 0) != report)
				continue;
			XGROW(r->raw, r->cap_raw, r->n_raw + 1);
			r->raw[r->n_raw++] = (struct raw_mention){
				sqlite3_column_int64(rd->qm, 1), sqlite3_column_int64(rd->qm, 2),
				sqlite3_column_int(rd->qm, 3), sqlite3_column_int(rd->qm, 4),
				polarity_code((const char *)sqlite3_column_text(rd->qm, 5))
			};
		}
		for (; rd->rg == SQLITE_ROW && sqlite3_column_int64(rd->qg, 0) <= report;
		     rd->rg = sqlite3_step(rd->qg))
			if (sqlite3_column_int64(rd->qg, 0) == report) {
				XGROW(r->reg, r->cap_reg, r->n_reg + 1);
				r->reg[r->n_reg].mention = sqlite3_column_int64(rd->qg, 1);
				r->reg[r->n_reg].name = pool_add(&r->pool, sqlite3_column_text(rd->qg, 2),
								 (size_t)sqlite3_column_bytes(rd->qg, 2));
				r->n_reg++;
			}
		for (; rd->rp == SQLITE_ROW && sqlite3_column_int64(rd->qp, 0) <= report;
		     rd->rp = sqlite3_step(rd->qp)) {
			if (sqlite3_column_int64(rd->qp, 0) != report)
				continue;
			if (sqlite3_column_int(rd->qp, 4) != rd->grid) {
				s->links_off_grid++;
				continue;
			}
			const uint8_t *bits = sqlite3_column_blob(rd->qp, 5);
			if ((size_t)sqlite3_column_bytes(rd->qp, 5) < (rd->n_patches + 7) / 8)
				return error("%s: mention_patches: mention %lld, image %lld: %d bytes for "
					     "a %dx%d grid",
					     st->path, (long long)sqlite3_column_int64(rd->qp, 1),
					     (long long)sqlite3_column_int64(rd->qp, 2),
					     sqlite3_column_bytes(rd->qp, 5), rd->grid, rd->grid);
			XGROW(r->pat, r->cap_pat, r->n_pat + 1);
			struct patchset *p = &r->pat[r->n_pat++];
			p->mention = sqlite3_column_int64(rd->qp, 1);
			p->image = sqlite3_column_int64(rd->qp, 2);
			p->idx = r->n_patch_pool;
			XGROW(r->patch_pool, r->cap_patch_pool, r->n_patch_pool + rd->n_patches);
			for (size_t i = 0; i < rd->n_patches; i++)
				if ((bits[i >> 3] >> (i & 7)) & 1)
					r->patch_pool[r->n_patch_pool++] = (int32_t)i;
			p->n = r->n_patch_pool - p->idx;
			p->whole = p->n == rd->n_patches ||
				   !strcmp((const char *)sqlite3_column_text(rd->qp, 3), "whole");
		}
	}
	if ((rd->ri != SQLITE_ROW && rd->ri != SQLITE_DONE) ||
	    (rd->rm != SQLITE_ROW && rd->rm != SQLITE_DONE) ||
	    (rd->rg != SQLITE_ROW && rd->rg != SQLITE_DONE) ||
	    (rd->rp != SQLITE_ROW && rd->rp != SQLITE_DONE))
		return store_error(st, "reading images, mentions and their regions");
	return n;
}

/* ------------------------------------------------------------ writing */

static int write_batch(struct rep *reps, int n, struct split_out out[N_SPLITS],
		       struct export_stats *s)
{
	for (int k = 0; k < n; k++) {
		struct rep *r = &reps[k];
		s->mentions += r->n_raw;
		s->mentions_other += r->other;
		s->mentions_outside += r->outside;
		if (r->bad)
			return error("report %lld (%s): sections is not a JSON array of [name, start, "
				     "end] within the text",
				     (long long)r->id, POOL(r, r->ext));
		if (r->no_caption) {
			s->no_caption++;
			continue;
		}
		s->mentions_kept += r->kept;
		s->images += r->n_img;
		if (!s->per_report && r->n_img == 0)
			s->no_image++;
		if (r->drawn)
			s->splits_drawn++;
		else
			s->splits_input++;
		struct split_out *so = &out[r->split];
		if (r->ann.len && fwrite(r->ann.p, 1, r->ann.len, so->ann) != r->ann.len)
			return error("write failed: %s", strerror(errno));
		if (so->plan && r->plan.len && fwrite(r->plan.p, 1, r->plan.len, so->plan) != r->plan.len)
			return error("write failed: %s", strerror(errno));
		if (so->n + r->n_samples >= so->cap) {
			while (so->n + r->n_samples >= so->cap)
				so->cap = so->cap ? 2 * so->cap : 1024;
			so->keys = xrealloc(so->keys, so->cap * sizeof(uint64_t));
			so->group = xrealloc(so->group, so->cap * sizeof(uint32_t));
			so->off = xrealloc(so->off, (so->cap + 1) * sizeof(size_t));
		}
		if (so->n == 0)
			so->off[0] = 0;
		if (r->n_aff) {
			XGROW(so->ents, so->cap_ents, so->off[so->n] + r->n_aff);
			memcpy(so->ents + so->off[so->n], r->aff, r->n_aff * sizeof(int32_t));
		}
		const size_t base = so->off[so->n];
		for (size_t i = 0; i < r->n_samples; i++) {
			so->keys[so->n] = r->keys[i];
			so->group[so->n] = (uint32_t)r->ordinal;
			so->off[so->n + 1] = base + r->aff_end[i];
			so->n++;
		}
		s->samples[r->split] += r->n_samples;
	}
	return 0;
}

/* ------------------------------------------------------------ the whole */

int samples_write(struct store *st, const struct export_options *o, const int32_t *ent_of,
		  int64_t max_concept, int grid, int64_t after, struct split_out out[N_SPLITS],
		  struct export_stats *s)
{
	/* the reports counted already come first: the ordinals follow theirs */
	struct reader rd = { .st = st, .grid = grid, .n_patches = (size_t)grid * (size_t)grid,
			     .ordinal = s->reports };
	struct ctx c = { o, ent_of, max_concept, grid, (size_t)grid * (size_t)grid };
	struct rep *reps = xcalloc(2 * BATCH, sizeof(struct rep));
	int threads = o->threads > 0 ? o->threads : omp_get_max_threads();
	struct worker *workers = xcalloc((size_t)threads, sizeof(struct worker));
	int rc = -1;
	int have_patches = store_int(st, "SELECT count(*) FROM sqlite_master WHERE type = 'table' "
					 "AND name = 'mention_patches'", 0) > 0;
	int have_file = store_int(st, "SELECT count(*) FROM pragma_table_info('images') WHERE "
				      "name = 'file'", 0) > 0;
	for (int t = 0; t < threads; t++) {
		workers[t].mark = xmalloc(c.n_patches ? c.n_patches : 1);
		workers[t].patches = xmalloc((c.n_patches ? c.n_patches : 1) * sizeof(int32_t));
	}
	s->per_report = o->per_report;
	rd.qr = store_prepare(st, "SELECT id, source, external_id, text, sections, split FROM reports "
				  "WHERE id > ?1 ORDER BY id");
	rd.qi = store_prepare(st, have_file ? "SELECT report, id, coalesce(file, path) FROM images "
					      "WHERE report > ?1 ORDER BY report, id"
					    : "SELECT report, id, path FROM images WHERE report > ?1 "
					      "ORDER BY report, id");
	/* CROSS JOIN: walk the reports, each one's mentions as a range of
	 * their key (mentions.h), and look their links up, rather than sort
	 * every row */
	rd.qm = store_prepare(st, "SELECT q.id, m.id, m.concept, m.start, m.end, m.polarity "
				  "FROM reports q CROSS JOIN mentions m ON " MENTIONS_OF("q", "m")
				  " WHERE q.id > ?1 ORDER BY q.id, m.id");
	rd.qg = store_prepare(st, "SELECT q.id, r.mention, r.region FROM reports q CROSS JOIN "
				  "mentions m ON " MENTIONS_OF("q", "m") " CROSS JOIN "
				  "mention_regions r ON r.mention = m.id WHERE q.id > ?1 "
				  "ORDER BY q.id, m.id");
	if (have_patches)
		rd.qp = store_prepare(st, "SELECT q.id, p.mention, p.image, p.geometry, p.grid, "
					  "p.patches FROM reports q CROSS JOIN mentions m ON "
					  MENTIONS_OF("q", "m") " CROSS JOIN mention_patches p ON "
					  "p.mention = m.id WHERE q.id > ?1 "
					  "ORDER BY q.id, m.id, p.image");
	if (!rd.qr || !rd.qi || !rd.qm || !rd.qg || (have_patches && !rd.qp))
		goto out;
	sqlite3_stmt *const cursors[] = { rd.qr, rd.qi, rd.qm, rd.qg, rd.qp };
	for (size_t i = 0; i < ARRAY_SIZE(cursors); i++)
		if (cursors[i])
			sqlite3_bind_int64(cursors[i], 1, after);
	rd.ri = sqlite3_step(rd.qi);
	rd.rm = sqlite3_step(rd.qm);
	rd.rg = sqlite3_step(rd.qg);
	rd.rp = rd.qp ? sqlite3_step(rd.qp) : SQLITE_DONE;

	/* read batch b + 1 while the threads build batch b */
	int failed = 0;
	int n_cur = read_batch(&rd, reps, s);
	if (n_cur < 0)
		goto out;
	struct rep *cur = reps, *next = reps + BATCH;
#pragma omp parallel num_threads(threads)
#pragma omp single
	{
		while (n_cur > 0 && !failed) {
			for (int k = 0; k < n_cur; k += CHUNK) {
#pragma omp task firstprivate(k) shared(c, workers, cur, n_cur)
				{
					struct worker *w = &workers[omp_get_thread_num()];
					for (int q = k; q < k + CHUNK && q < n_cur; q++)
						build_report(&c, w, &cur[q]);
				}
			}
			int n_next = read_batch(&rd, next, s);
#pragma omp taskwait
			if (n_next < 0 || write_batch(cur, n_cur, out, s) < 0) {
				failed = 1;
			} else {
				struct rep *t = cur;
				cur = next;
				next = t;
				n_cur = n_next;
			}
		}
	}
	if (failed)
		goto out;
	rc = 0;
out:
	for (int i = 0; i < 2 * BATCH; i++)
		rep_release(&reps[i]);
	free(reps);
	for (int t = 0; t < threads; t++)
		worker_release(&workers[t]);
	free(workers);
	sqlite3_finalize(rd.qr);
	sqlite3_finalize(rd.qi);
	sqlite3_finalize(rd.qm);
	sqlite3_finalize(rd.qg);
	sqlite3_finalize(rd.qp);
	return rc;
}
