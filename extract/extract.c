#define _GNU_SOURCE
#include "extract.h"
#include "context.h"
#include "recognize.h"
#include "sections.h"
#include "sentences.h"
#include "merge.h"
#include "../store/batch.h"
#include "../store/mentions.h"
#include "../common/buf.h"
#include "../common/normalize.h"
#include "../common/progress.h"
#include "../common/strmap.h"
#include "../common/util.h"
#include "../common/strlist.h"

#include <omp.h>
#include <stdlib.h>
#include <string.h>
#define XXH_STATIC_LINKING_ONLY /* XXH3_state_t on the stack */
#include <xxhash.h>

#define DEFAULT_BATCH 1000
#define MENTION_ROWS 32
/* WAL pages between the writer's own checkpoints (without a checkpointer) */
#define WRITER_CHECKPOINT_PAGES 16384
#define MENTION_COLS 18          /* every column */
#define PLAIN_COLS 13            /* a plain mention's: the others keep their defaults */

enum status { ST_NEW, ST_CHANGED, ST_UNCHANGED };

/* A mention of a report: what recognize.h found, and its offsets in
 * characters (the concept's span and the start of its modifiers). */
struct xmention {
	struct rec_mention r;
	uint32_t cstart, cend, mod_cstart;
};

struct item {
	struct report r;
	int source;              /* index into ctx->sources */
	int status;
	int64_t row;             /* the existing report's id (ST_CHANGED) */
	int64_t first;           /* its first mention's id (mentions.h) */
	char hash[33];
	struct buf sections;     /* JSON, character offsets */
	struct xmention *m;
	size_t n_m, cap_m;
};

struct report_batch {
	struct item *it;
	size_t n, cap;
};

/* Reports a source already holds: external id -> (row id, hash). */
struct known {
	char *source;
	struct strmap index;     /* external id -> position */
	int64_t *rows;
	char (*hash)[33];
	size_t n, cap;
	struct strmap seen;      /* ids read in this run */
};

/* Per-thread scratch, each on cache lines of its own (threads write their
 * counters on every sentence). */
struct scratch {
	_Alignas(128) char pad_;
	struct span *sent;
	size_t n_sent, cap_sent;
	struct rec_sentence *rs;
	size_t cap_rs;
	struct rec_mention *rm;
	size_t n_rm, cap_rm;
	struct rec_scratch rec;
};

struct ctx {
	struct store *st;
	const struct extract_options *o;
	struct extract_stats *s;
	struct dict dict;
	struct lexicon lex;
	struct term_rules rules;
	struct recognizer rec;
	char **sections;
	uint64_t settings;
	/* inputs */
	char *const *inputs;
	size_t n_inputs, next_input;
	struct reader *rd;
	int *input_source;       /* source index of each input */
	int cur_source;
	struct known *sources;
	size_t n_sources;
	int64_t (*window)[2];    /* --shard: each input's part, [lo, hi) in its bytes */
	int64_t *before;         /* --shard: each input's bytes in the parts before it */
	int64_t report_from;     /* the first id of a new report (shard_prefix; 0: after the
				  * store's last) */
	int64_t image_from;      /* and of a new image, likewise */
	int64_t image_next;      /* the id the next image takes (write_batch_once) */
	double t_read, t_analyse, t_write; /* seconds in each step of run_batches */
	int64_t cache_was;       /* the connection's cache_size before ctx_open (0: unset) */
	int shard_started;       /* --shard: a batch committed the part as started (keep_shard) */
	sqlite3 *ckpt;           /* checkpoints the WAL beside the writer (2 threads or more) */
	/* writing */
	sqlite3_stmt *ins_report, *upd_report, *del_mentions, *del_images, *ins_image,
		*concept_q, *find_report;
	struct batch mentions;   /* MENTION_ROWS to an INSERT */
	struct batch plain;      /* the same for plain mentions (is_plain), fewer columns */
	struct { char *cui, *name; } *concepts; /* names for JSON Lines, by id */
	size_t n_concepts;
	struct scratch *scratch;
	int n_threads;
	struct progress prog;
	struct buf line;
};

/* ---------------------------------------------------------------- items */

static void item_release(struct item *it)
{
	report_release(&it->r);
	buf_release(&it->sections);
	free(it->m);
	memset(it, 0, sizeof(*it));
}

static void report_batch_clear(struct report_batch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		struct item *it = &b->it[i];
		/* keep the buffers, drop the contents */
		struct report r = it->r;
		struct buf sj = it->sections;
		struct xmention *m = it->m;
		size_t cap_m = it->cap_m;
		report_release(&r);
		buf_reset(&sj);
		memset(it, 0, sizeof(*it));
		it->sections = sj;
		it->m = m;
		it->cap_m = cap_m;
	}
	b->n = 0;
}

static void report_batch_release(struct report_batch *b)
{
	for (size_t i = 0; i < b->cap; i++)
		item_release(&b->it[i]);
	free(b->it);
	memset(b, 0, sizeof(*b));
}

/* ---------------------------------------------------------------- sources */

static void known_release(struct known *k)
{
	free(k->source);
	strmap_release(&k->index);
	strmap_release(&k->seen);
	free(k->rows);
	free(k->hash);
}

static const char *source_of(const struct extract_options *o, const char *input, struct buf *tmp)
{
	if (o->source)
		return o->source;
	if (!strcmp(input, "-"))
		return "stdin";
	size_t n = strlen(input);
	while (n > 1 && input[n - 1] == '/')
		n--;
	const char *b = input + n;
	while (b > input && b[-1] != '/')
		b--;
	n = (size_t)(input + n - b);
	if (n > 4 && !memcmp(b + n - 4, ".zst", 4))
		n -= 4;
	buf_reset(tmp);
	buf_add(tmp, b, n);
	return tmp->p;
}

/* The index of a source, loading what the store holds for it. */
static int source_index(struct ctx *c, const char *name)
{
	for (size_t i = 0; i < c->n_sources; i++)
		if (!strcmp(c->sources[i].source, name))
			return (int)i;
	c->sources = xrealloc(c->sources, (c->n_sources + 1) * sizeof(*c->sources));
	struct known *k = &c->sources[c->n_sources];
	memset(k, 0, sizeof(*k));
	k->source = xstrdup(name);
	strmap_init(&k->index);
	strmap_init(&k->seen);
	c->n_sources++;
	if (c->o->jsonl)
		return (int)(c->n_sources - 1);
	sqlite3_stmt *q = store_prepare(c->st, "SELECT external_id, id, hash FROM reports "
					       "WHERE source = ?");
	if (!q)
		return -1;
	sqlite3_bind_text(q, 1, name, -1, SQLITE_STATIC);
	while (sqlite3_step(q) == SQLITE_ROW) {
		XGROW(k->rows, k->cap, k->n + 1);
		k->hash = xrealloc(k->hash, k->cap * sizeof(*k->hash));
		uint32_t pos = (uint32_t)k->n;
		strmap_put(&k->index, (const char *)sqlite3_column_text(q, 0),
			   (size_t)sqlite3_column_bytes(q, 0), &pos);
		k->rows[k->n] = sqlite3_column_int64(q, 1);
		snprintf(k->hash[k->n], sizeof k->hash[0], "%s", sqlite3_column_text(q, 2));
		k->n++;
	}
	sqlite3_finalize(q);
	return (int)(c->n_sources - 1);
}

/* ---------------------------------------------------------------- reading */

/* --shard I/N: the inputs laid end to end (reader_input_size), shard I
 * reads the reports that start in the I-th of N equal byte ranges, so the
 * shards in order read what one run reads, in its order (merge.h). An
 * input's window is that range less the input's offset, clipped to it.
 * @return 0 or -1. */
static int shard_windows(struct ctx *c)
{
	int64_t total = 0, *size = xcalloc(c->n_inputs ? c->n_inputs : 1, sizeof(*size));
	for (size_t i = 0; i < c->n_inputs; i++) {
		if (reader_input_size(c->inputs[i], &c->o->rd, &size[i]) < 0) {
			free(size);
			return -1;
		}
		total += size[i];
	}
	int k = c->o->shard - 1, n = c->o->n_shards;
	int64_t lo = total / n * k + total % n * k / n;
	int64_t hi = k == n - 1 ? INT64_MAX : total / n * (k + 1) + total % n * (k + 1) / n;
	c->s->shard_lo = lo;
	c->s->shard_hi = k == n - 1 ? total : hi;
	c->s->shard_total = total;
	c->window = xcalloc(c->n_inputs ? c->n_inputs : 1, sizeof(*c->window));
	c->before = xcalloc(c->n_inputs ? c->n_inputs : 1, sizeof(*c->before));
	int64_t at = 0;
	for (size_t i = 0; i < c->n_inputs; i++) {
		/* a unit at offset u of the input is read when lo <= at + u < hi,
		 * by an earlier shard when at + u < lo */
		c->before[i] = lo - at > 0 ? lo - at : 0;
		c->window[i][0] = lo - at;
		c->window[i][1] = hi == INT64_MAX ? INT64_MAX : hi - at;
		if (c->window[i][1] <= 0 || (size[i] > 0 && c->window[i][0] >= size[i]))
			c->window[i][0] = c->window[i][1] = 0; /* none of it */
		at += size[i];
	}
	free(size);
	return 0;
}

/* Forget the ids read so far (shard_prefix giving up). */
static void forget_seen(struct ctx *c)
{
	for (size_t i = 0; i < c->n_sources; i++) {
		strmap_release(&c->sources[i].seen);
		strmap_init(&c->sources[i].seen);
	}
}

/* The images a report names, each once: the rows write_item makes. */
static int64_t distinct_images(const struct report *r)
{
	int64_t n = 0;
	for (size_t i = 0; i < r->n_images; i++) {
		size_t j = 0;
		while (j < i && strcmp(r->images[j], r->images[i]))
			j++;
		n += j == i;
	}
	return n;
}

/* --shard I/N, I > 1: the ids of the reports in the parts before this one
 * (their text is not analysed). Those a single run would add (ids the
 * store does not hold, each once) take the report and image ids before
 * this part's first, which this shard then numbers as that run does
 * (report_from, image_from; its mentions follow, mentions.h), and an id
 * met there is a duplicate here as it would be there. Silent, the earlier
 * shards telling of what they read; standard input, which cannot be read
 * twice, or a part that does not read leaves the numbering to the merge.
 * @return 0 or -1. */
static int shard_prefix(struct ctx *c)
{
	int64_t fresh = 0, fresh_images = 0;
	double t0 = now_seconds();
	int ok = 1, was = log_level, quiet = error_quiet(1);
	log_level = -1;
	for (size_t i = 0; ok && i < c->n_inputs; i++) {
		if (c->before[i] <= 0)
			continue;
		if (!strcmp(c->inputs[i], "-")) {
			ok = 0;
			break;
		}
		struct reader_options ro = c->o->rd;
		ro.windowed = 1;
		ro.lo = 0;
		ro.hi = c->before[i];
		struct reader *rd = reader_open(c->inputs[i], &ro);
		struct known *k = &c->sources[c->input_source[i]];
		struct report r;
		memset(&r, 0, sizeof r);
		int got = 0;
		while (rd && (got = reader_next(rd, &r)) > 0) {
			size_t n = strlen(r.id);
			if (!strmap_put(&k->seen, r.id, n, NULL) ||
			    (k->n && strmap_get(&k->index, r.id, n, NULL)))
				continue;
			fresh++;
			fresh_images += distinct_images(&r);
		}
		report_release(&r);
		ok = rd && got == 0;
		reader_free(rd);
	}
	log_level = was;
	error_quiet(quiet);
	last_error_reset();
	if (!ok) {
		forget_seen(c);
		debug("shard %d/%d: the parts before it not read: the merge numbers its reports",
		      c->o->shard, c->o->n_shards);
		return 0;
	}
	int64_t last = store_int(c->st, "SELECT ifnull(max(id), 0) FROM reports", -1);
	if (last < 0)
		return store_error(c->st, "cannot read reports");
	int64_t images = store_int(c->st, "SELECT ifnull(max(id), 0) FROM images", -1);
	if (images < 0)
		return store_error(c->st, "cannot read images");
	c->report_from = last + 1 + fresh;
	c->image_from = images + 1 + fresh_images;
	debug("shard %d/%d: %lld new reports before it (read in %.2f s), its first report id %lld",
	      c->o->shard, c->o->n_shards, (long long)fresh, now_seconds() - t0,
	      (long long)c->report_from);
	return 0;
}

/* Fill b with up to batch reports. @return 1 if anything was read (or the
 * inputs are not finished), 0 at the end of all inputs, -1 on error. */
static int read_batch(struct ctx *c, struct report_batch *b)
{
	size_t want = c->o->batch ? c->o->batch : DEFAULT_BATCH;
	int rc = 0;
	double t = now_seconds();
	report_batch_clear(b);
	while (b->n < want) {
		if (!c->rd) {
			if (c->next_input >= c->n_inputs)
				break;
			const char *in = c->inputs[c->next_input++];
			struct reader_options ro = c->o->rd;
			if (c->window) {
				ro.windowed = 1;
				ro.lo = c->window[c->next_input - 1][0];
				ro.hi = c->window[c->next_input - 1][1];
				if (ro.hi <= ro.lo)
					continue; /* none of it */
			}
			if (!(c->rd = reader_open(in, &ro))) {
				rc = -1;
				goto out;
			}
			c->cur_source = c->input_source[c->next_input - 1];
		}
		if (b->n == b->cap) {
			size_t old = b->cap;
			XGROW(b->it, b->cap, b->n + 1);
			memset(b->it + old, 0, (b->cap - old) * sizeof(*b->it));
		}
		struct item *it = &b->it[b->n];
		int got = reader_next(c->rd, &it->r);
		if (got < 0) {
			rc = -1;
			goto out;
		}
		if (got == 0) {
			c->s->skipped += reader_skipped(c->rd);
			c->s->empty += reader_empty(c->rd);
			reader_free(c->rd);
			c->rd = NULL;
			continue;
		}
		struct known *k = &c->sources[c->cur_source];
		c->s->read++;
		if (!strmap_put(&k->seen, it->r.id, strlen(it->r.id), NULL)) {
			warning("%s%s%.0zu: report %s appears again in %s (kept the first)",
				it->r.file, it->r.line ? ":" : "", it->r.line, it->r.id, k->source);
			c->s->duplicates++;
			report_release(&it->r);
			continue;
		}
		it->source = c->cur_source;
		b->n++;
	}
	rc = b->n > 0 || c->rd || c->next_input < c->n_inputs;
out:
	c->t_read += now_seconds() - t;
	return rc;
}

/* ---------------------------------------------------------------- analysis */

static int section_searched(const struct ctx *c, const char *name)
{
	return !strcmp(name, "report") || strlist_has(c->sections, name);
}

static void add_uint(struct buf *b, uint32_t v)
{
	char tmp[12];
	int k = sizeof tmp;
	do
		tmp[--k] = (char)('0' + v % 10);
	while ((v /= 10));
	buf_add(b, tmp + k, sizeof tmp - (size_t)k);
}

/* Character offset of byte b, walking forward from a cursor (monotonic). */
static uint32_t char_at(const char *text, size_t *cb, uint32_t *cc, size_t b)
{
	while (*cb < b) {
		if (((unsigned char)text[*cb] & 0xC0) != 0x80)
			(*cc)++;
		(*cb)++;
	}
	return *cc;
}

static void analyse(struct ctx *c, struct item *it, struct scratch *w)
{
	struct report *r = &it->r;
	const char *text = r->text.p;
	size_t cb = 0;
	uint32_t cc = 0;
	/* [["findings",0,123],...]: every re-run formats it, so by hand */
	buf_reset(&it->sections);
	buf_addc(&it->sections, '[');
	for (size_t i = 0; i < r->n_sec; i++) {
		uint32_t a = char_at(text, &cb, &cc, r->sec[i].start);
		uint32_t e = char_at(text, &cb, &cc, r->sec[i].end);
		if (i)
			buf_addc(&it->sections, ',');
		buf_add(&it->sections, "[\"", 2);
		buf_adds(&it->sections, r->sec[i].name);
		buf_add(&it->sections, "\",", 2);
		add_uint(&it->sections, a);
		buf_addc(&it->sections, ',');
		add_uint(&it->sections, e);
		buf_addc(&it->sections, ']');
	}
	buf_addc(&it->sections, ']');

	XXH3_state_t h;
	XXH3_INITSTATE(&h);
	XXH3_128bits_reset(&h);
	XXH3_128bits_update(&h, &c->settings, sizeof c->settings);
	XXH3_128bits_update(&h, text, r->text.len + 1);
	XXH3_128bits_update(&h, it->sections.p, it->sections.len + 1);
	XXH3_128bits_update(&h, r->split ? r->split : "", r->split ? strlen(r->split) + 1 : 1);
	for (size_t i = 0; i < r->n_images; i++)
		XXH3_128bits_update(&h, r->images[i], strlen(r->images[i]) + 1);
	XXH128_hash_t hv = XXH3_128bits_digest(&h);
	static const char hex[] = "0123456789abcdef";
	for (int i = 0; i < 16; i++) {
		it->hash[i] = hex[(hv.high64 >> (60 - 4 * i)) & 15];
		it->hash[16 + i] = hex[(hv.low64 >> (60 - 4 * i)) & 15];
	}
	it->hash[32] = '\0';

	it->status = ST_NEW;
	const struct known *k = &c->sources[it->source];
	uint32_t pos;
	if (k->n && strmap_get(&k->index, r->id, strlen(r->id), &pos)) {
		if (!strcmp(k->hash[pos], it->hash)) {
			it->status = ST_UNCHANGED;
			return;
		}
		it->status = ST_CHANGED;
		it->row = k->rows[pos];
	}

	/* the sentences searched, then the document's mentions */
	it->n_m = 0;
	uint32_t sentence = 0;
	size_t n_rs = 0;
	for (size_t i = 0; i < r->n_sec; i++) {
		w->n_sent = 0;
		sentences_split(text, r->sec[i].start, r->sec[i].end, &w->sent, &w->n_sent, &w->cap_sent);
		if (!section_searched(c, r->sec[i].name)) {
			sentence += (uint32_t)w->n_sent;
			continue;
		}
		for (size_t j = 0; j < w->n_sent; j++) {
			XGROW(w->rs, w->cap_rs, n_rs + 1);
			w->rs[n_rs++] = (struct rec_sentence){ w->sent[j].start, w->sent[j].end,
							       sentence++, (uint16_t)i };
		}
	}
	w->n_rm = 0;
	recognize_document(&c->rec, text, w->rs, n_rs, &w->rec, &w->rm, &w->n_rm, &w->cap_rm);
	if (w->n_rm > it->cap_m) {
		it->cap_m = w->n_rm;
		it->m = xrealloc(it->m, it->cap_m * sizeof(*it->m));
	}
	cb = 0;
	cc = 0;
	for (size_t i = 0; i < w->n_rm; i++) {
		struct xmention *x = &it->m[i];
		x->r = w->rm[i];
		if (i && x->r.bstart == x[-1].r.bstart && x->r.bend == x[-1].r.bend) {
			/* predicative findings may share a span */
			x->cstart = x[-1].cstart;
			x->cend = x[-1].cend;
			x->mod_cstart = x[-1].mod_cstart;
			continue;
		}
		x->mod_cstart = char_at(text, &cb, &cc, x->r.mod_bstart);
		x->cstart = char_at(text, &cb, &cc, x->r.bstart);
		x->cend = char_at(text, &cb, &cc, x->r.bend);
	}
	it->n_m = w->n_rm;
}

static void analyse_batch(struct ctx *c, struct report_batch *b)
{
	size_t n = b->n;
	double t = now_seconds();
#pragma omp taskloop grainsize(8) shared(c, b)
	for (size_t i = 0; i < n; i++)
		analyse(c, &b->it[i], &c->scratch[omp_get_thread_num()]);
	c->t_analyse += now_seconds() - t;
}

/* ---------------------------------------------------------------- writing */

static int prepare(struct ctx *c)
{
	struct store *st = c->st;
	if (c->o->jsonl)
		return (c->concept_q = store_prepare(st, "SELECT cui, name FROM concepts WHERE id = ?"))
			? 0 : -1;
	return (c->ins_report = store_prepare(st,
			"INSERT INTO reports(source, external_id, hash, text, sections, split, ingested, "
			"mention_first, mention_count, id) "
			"VALUES (?,?,?,?,?,?,?,?,?,?) ON CONFLICT(source, external_id) DO NOTHING")) &&
	       (c->find_report = store_prepare(st,
			"SELECT id, hash FROM reports WHERE source = ? AND external_id = ?")) &&
	       (c->upd_report = store_prepare(st,
			"UPDATE reports SET hash = ?, text = ?, sections = ?, split = ?, ingested = ?, "
			"mention_first = ?, mention_count = ? WHERE id = ?")) &&
	       /* before the update: the range of the mentions it replaces */
	       (c->del_mentions = store_prepare(st, "DELETE FROM mentions WHERE id >= "
			"(SELECT mention_first FROM reports WHERE id = ?1) AND id < "
			"(SELECT mention_first + mention_count FROM reports WHERE id = ?1)")) &&
	       (c->del_images = store_prepare(st, "DELETE FROM images WHERE report = ?")) &&
	       (c->ins_image = store_prepare(st, "INSERT OR IGNORE INTO images(id, report, path) "
						 "VALUES (?,?,?)")) &&
	       batch_init(&c->mentions, st, "INSERT INTO mentions(id, report, concept, section, "
					    "sentence, start, end, surface, polarity, historical, term, "
					    "hedge, hypothetical, match, candidates, decided, modifiers, "
					    "modifiers_start)",
			  MENTION_COLS, MENTION_ROWS) == 0 &&
	       batch_init(&c->plain, st, "INSERT INTO mentions(id, report, concept, section, "
					 "sentence, start, end, surface, polarity, historical, term, "
					 "hedge, hypothetical)",
			  PLAIN_COLS, MENTION_ROWS) == 0
		? 0 : -1;
}

static void count_mentions(struct ctx *c, const struct item *it)
{
	c->s->mentions += (int64_t)it->n_m;
	for (size_t i = 0; i < it->n_m; i++) {
		c->s->polarity[it->m[i].r.polarity]++;
		c->s->historical += it->m[i].r.historical;
	}
}

static int concept_name(struct ctx *c, uint32_t id, const char **cui, const char **name)
{
	if (id >= c->n_concepts) {
		size_t n = c->n_concepts;
		c->n_concepts = (size_t)id + 1024;
		c->concepts = xrealloc(c->concepts, c->n_concepts * sizeof(*c->concepts));
		memset(c->concepts + n, 0, (c->n_concepts - n) * sizeof(*c->concepts));
	}
	if (!c->concepts[id].cui) {
		sqlite3_bind_int64(c->concept_q, 1, id);
		if (sqlite3_step(c->concept_q) != SQLITE_ROW) {
			sqlite3_reset(c->concept_q);
			return error("%s: no concept with id %u (the dictionary is stale)", c->st->path, id);
		}
		c->concepts[id].cui = xstrdup((const char *)sqlite3_column_text(c->concept_q, 0));
		c->concepts[id].name = xstrdup((const char *)sqlite3_column_text(c->concept_q, 1));
		sqlite3_reset(c->concept_q);
	}
	*cui = c->concepts[id].cui;
	*name = c->concepts[id].name;
	return 0;
}

static int write_jsonl(struct ctx *c, struct report_batch *b)
{
	struct buf *l = &c->line;
	for (size_t i = 0; i < b->n; i++) {
		struct item *it = &b->it[i];
		c->s->added++;
		count_mentions(c, it);
		for (size_t j = 0; j < it->n_m; j++) {
			const struct xmention *x = &it->m[j];
			const struct rec_mention *rm = &x->r;
			const char *cui = NULL, *name = NULL;
			if (concept_name(c, rm->concept, &cui, &name) < 0)
				return -1;
			buf_reset(l);
			buf_add_lit(l, "{\"report_id\":");
			buf_add_json_str(l, it->r.id, strlen(it->r.id));
			buf_add_lit(l, ",\"source\":");
			buf_add_json_str(l, c->sources[it->source].source,
					 strlen(c->sources[it->source].source));
			/* millions of lines: appended piece by piece, not printf'd */
			buf_add_lit(l, ",\"section\":\"");
			buf_adds(l, it->r.sec[rm->section].name);
			buf_add_lit(l, "\",\"sentence\":");
			add_uint(l, rm->sentence);
			buf_add_lit(l, ",\"start\":");
			add_uint(l, x->cstart);
			buf_add_lit(l, ",\"end\":");
			add_uint(l, x->cend);
			buf_add_lit(l, ",\"text\":");
			buf_add_json_str(l, it->r.text.p + rm->bstart, rm->bend - rm->bstart);
			buf_add_lit(l, ",\"cui\":");
			buf_add_json_str(l, cui, strlen(cui));
			buf_add_lit(l, ",\"name\":");
			buf_add_json_str(l, name, strlen(name));
			buf_add_lit(l, ",\"polarity\":\"");
			buf_adds(l, polarity_name(rm->polarity));
			buf_adds(l, rm->historical ? "\",\"historical\":true,\"hedge\":\""
						   : "\",\"historical\":false,\"hedge\":\"");
			buf_adds(l, hedge_name(rm->hedge));
			buf_adds(l, rm->hypothetical ? "\",\"hypothetical\":true,\"match\":\""
						     : "\",\"hypothetical\":false,\"match\":\"");
			if (rm->predicate)
				buf_add_lit(l, "predicate");
			else
				match_describe(rm->flags, rm->abbreviation, l);
			buf_add_lit(l, "\",\"candidates\":");
			add_uint(l, rm->candidates);
			buf_add_lit(l, ",\"decided\":\"");
			buf_adds(l, decided_name(rm->decided));
			buf_add_lit(l, "\",\"modifiers\":");
			buf_add_json_str(l, it->r.text.p + rm->mod_bstart, rm->mod_bend - rm->mod_bstart);
			buf_add_lit(l, ",\"modifiers_start\":");
			if (rm->mod_bend > rm->mod_bstart)
				add_uint(l, x->mod_cstart);
			else
				buf_add_lit(l, "null");
			buf_add(l, "}\n", 2);
			if (fwrite(l->p, 1, l->len, c->o->jsonl) != l->len)
				return error("cannot write the mentions: %s", "output error");
		}
	}
	return 0;
}

static int write_item(struct ctx *c, struct item *it, const char *now);

/* A new report that another process stored since this run read what the
 * store holds (two runs of one input at once): the same one is unchanged,
 * another replaces it. @return 0, 1 when the batch must start again with
 * foreign keys enforced (a replacement, which they cascade), or -1. */
static int stored_meanwhile(struct ctx *c, struct item *it, const char *now)
{
	sqlite3_stmt *q = c->find_report;
	sqlite3_bind_text(q, 1, c->sources[it->source].source, -1, SQLITE_STATIC);
	sqlite3_bind_text(q, 2, it->r.id, -1, SQLITE_STATIC);
	int r = sqlite3_step(q);
	int same = r == SQLITE_ROW && !strcmp((const char *)sqlite3_column_text(q, 1), it->hash);
	int64_t row = r == SQLITE_ROW ? sqlite3_column_int64(q, 0) : 0;
	sqlite3_reset(q);
	if (r != SQLITE_ROW)
		return store_error(c->st, "cannot read reports");
	it->status = same ? ST_UNCHANGED : ST_CHANGED;
	it->row = row;
	if (same) {
		c->s->unchanged++;
		return 0;
	}
	int fk = (int)store_int(c->st, "PRAGMA foreign_keys", 1);
	return fk ? write_item(c, it, now) : 1;
}

static int write_item(struct ctx *c, struct item *it, const char *now)
{
	struct store *st = c->st;
	const struct report *r = &it->r;
	int64_t row = it->row;
	if (it->status == ST_NEW) {
		sqlite3_stmt *s = c->ins_report;
		sqlite3_bind_text(s, 1, c->sources[it->source].source, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, r->id, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, it->hash, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 4, r->text.p ? r->text.p : "", (int)r->text.len, SQLITE_STATIC);
		sqlite3_bind_text(s, 5, it->sections.p, (int)it->sections.len, SQLITE_STATIC);
		if (r->split)
			sqlite3_bind_text(s, 6, r->split, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(s, 6);
		sqlite3_bind_text(s, 7, now, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 8, it->first);
		sqlite3_bind_int64(s, 9, (int64_t)it->n_m);
		sqlite3_bind_int64(s, 10, row);
		if (store_step_done(st, s) < 0)
			return -1;
		if (sqlite3_changes(st->db) == 0)
			return stored_meanwhile(c, it, now);
		c->s->added++;
	} else {
		sqlite3_stmt *s = c->upd_report;
		sqlite3_bind_text(s, 1, it->hash, -1, SQLITE_STATIC);
		sqlite3_bind_text(s, 2, r->text.p ? r->text.p : "", (int)r->text.len, SQLITE_STATIC);
		sqlite3_bind_text(s, 3, it->sections.p, (int)it->sections.len, SQLITE_STATIC);
		if (r->split)
			sqlite3_bind_text(s, 4, r->split, -1, SQLITE_STATIC);
		else
			sqlite3_bind_null(s, 4);
		sqlite3_bind_text(s, 5, now, -1, SQLITE_STATIC);
		sqlite3_bind_int64(s, 6, it->first);
		sqlite3_bind_int64(s, 7, (int64_t)it->n_m);
		sqlite3_bind_int64(s, 8, row);
		sqlite3_bind_int64(c->del_mentions, 1, row);
		sqlite3_bind_int64(c->del_images, 1, row);
		if (store_step_done(st, c->del_mentions) < 0 || store_step_done(st, c->del_images) < 0 ||
		    store_step_done(st, s) < 0)
			return -1;
		/* what an export holds of it is out of date (store.h) */
		if (c->s->changed++ == 0 && store_note_rewrite(st) < 0)
			return -1;
	}
	for (size_t i = 0; i < r->n_images; i++) {
		sqlite3_bind_int64(c->ins_image, 1, c->image_next);
		sqlite3_bind_int64(c->ins_image, 2, row);
		sqlite3_bind_text(c->ins_image, 3, r->images[i], -1, SQLITE_STATIC);
		if (store_step_done(st, c->ins_image) < 0)
			return -1;
		c->image_next += sqlite3_changes(st->db); /* 0: named twice */
	}
	it->row = row; /* its mentions follow, batch-wide */
	count_mentions(c, it);
	return 0;
}

/* Queue a mention of a report just written. Its text stays put until the
 * batch is written: the report's, of a batch that outlives write_mentions. */
/* A mention matched as a term, unambiguous, without modifiers: the
 * columns of how it was recognized keep their defaults. */
static int is_plain(const struct rec_mention *m)
{
	return !m->abbreviation && !m->predicate && !(m->flags & DICT_C_VARIANT) &&
	       m->candidates <= 1 && !m->decided && m->mod_bend == m->mod_bstart;
}

static int add_mention(struct batch *b, const struct item *it, size_t k)
{
	const struct report *r = &it->r;
	const struct xmention *x = &it->m[k];
	const struct rec_mention *m = &x->r;
	static const int pol_len[3] = { 8, 7, 9 }; /* affirmed, negated, uncertain */
	const char *sec = r->sec[m->section].name;
	batch_int(b, 0, it->first + (int64_t)k);
	batch_int(b, 1, it->row);
	batch_int(b, 2, m->concept);
	batch_text(b, 3, sec, (int)strnlen(sec, sizeof r->sec[0].name));
	batch_int(b, 4, m->sentence);
	batch_int(b, 5, x->cstart);
	batch_int(b, 6, x->cend);
	batch_text(b, 7, r->text.p + m->bstart, (int)(m->bend - m->bstart));
	batch_text(b, 8, polarity_name(m->polarity), pol_len[m->polarity]);
	batch_int(b, 9, m->historical);
	if (m->term)
		batch_int(b, 10, m->term);
	else
		batch_null(b, 10); /* a predicative finding matched no term */
	const char *hn = hedge_name(m->hedge);
	batch_text(b, 11, hn, (int)strlen(hn));
	batch_int(b, 12, m->hypothetical);
	if (b->cols == PLAIN_COLS)
		return batch_row(b);
	struct buf how = BUF_INIT;
	if (m->predicate)
		buf_adds(&how, "predicate");
	else
		match_describe(m->flags, m->abbreviation, &how);
	batch_text_copy(b, 13, how.p, how.len);
	buf_release(&how);
	batch_int(b, 14, m->candidates);
	const char *dn = decided_name(m->decided);
	batch_text(b, 15, dn, (int)strlen(dn));
	batch_text(b, 16, r->text.p + m->mod_bstart, (int)(m->mod_bend - m->mod_bstart));
	if (m->mod_bend > m->mod_bstart)
		batch_int(b, 17, x->mod_cstart);
	else
		batch_null(b, 17);
	return batch_row(b);
}

/* The mentions of the batch's written reports, in report order, MENTION_ROWS
 * to a statement (batch.h). */
static int write_mentions(struct ctx *c, struct report_batch *b)
{
	for (size_t i = 0; i < b->n; i++) {
		const struct item *it = &b->it[i];
		if (it->status == ST_UNCHANGED)
			continue;
		for (size_t j = 0; j < it->n_m; j++) {
			/* rows keep the text's order: the other kind's waiting rows
			 * go first */
			int plain = is_plain(&it->m[j].r);
			if (batch_flush(plain ? &c->mentions : &c->plain) < 0 ||
			    add_mention(plain ? &c->plain : &c->mentions, it, j) < 0)
				return -1;
		}
	}
	return batch_flush(&c->mentions) < 0 ? -1 : batch_flush(&c->plain);
}

/* --shard I/N: the store's record of its part (merge.h), started by the
 * run's first batch written, done in its last transaction. @return 0 or -1. */
static int keep_shard(struct ctx *c, int done)
{
	if (c->o->n_shards <= 1)
		return 0;
	struct shard_part p = { c->o->shard, c->o->n_shards, c->s->shard_total, done };
	return shard_part_keep(c->st, &p);
}

/* One transaction for the batch. @return 0, -1, or 1 when it was rolled back
 * to be written again with foreign keys enforced. */
static int write_batch_once(struct ctx *c, struct report_batch *b)
{
	size_t pending = 0;
	for (size_t i = 0; i < b->n; i++) {
		if (b->it[i].status == ST_UNCHANGED)
			c->s->unchanged++;
		else
			pending++;
	}
	if (!pending)
		return 0;
	char now[32];
	utc_timestamp(now, sizeof now);
	/* Foreign keys are checked only where SQLite must act on them: a batch
	 * that replaces reports deletes rows, and their dependents (regions,
	 * links) must go too. New rows reference only the report just inserted
	 * and concepts of the dictionary, which was built from this store's
	 * knowledge base (its key holds kb.fingerprint): checking them row by row
	 * would cost a third of the write time. */
	int replaces = 0;
	for (size_t i = 0; i < b->n; i++)
		replaces |= b->it[i].status == ST_CHANGED;
	if (store_exec(c->st, replaces ? "PRAGMA foreign_keys = ON" : "PRAGMA foreign_keys = OFF") < 0)
		return -1;
	if (store_begin(c->st) < 0)
		return -1;
	/* the batch's report and mention ids, handed out under the write lock:
	 * new reports and images after the store's last (or from report_from,
	 * image_from), each report's mentions where mentions_first puts them */
	int64_t next = 0, report = store_int(c->st, "SELECT ifnull(max(id), 0) + 1 FROM reports", -1);
	c->image_next = store_int(c->st, "SELECT ifnull(max(id), 0) + 1 FROM images", -1);
	int rc = report < 0 || c->image_next < 0 ? store_error(c->st, "cannot read reports")
						 : mentions_next_id(c->st, &next);
	if (report < c->report_from)
		report = c->report_from;
	if (c->image_next < c->image_from)
		c->image_next = c->image_from;
	for (size_t i = 0; i < b->n && !rc; i++) {
		struct item *it = &b->it[i];
		if (it->status == ST_UNCHANGED)
			continue;
		if (it->status == ST_NEW)
			it->row = report;
		it->first = mentions_first(it->row, next);
		rc = write_item(c, it, now);
		if (it->status == ST_NEW)
			report++; /* inserted (else another process had it: no new row) */
		next = it->first + (int64_t)it->n_m;
	}
	if (!rc)
		rc = write_mentions(c, b);
	if (!rc)
		rc = mentions_keep_next(c->st, next);
	if (!rc && !c->shard_started)
		rc = keep_shard(c, 0);
	if (rc != 0) {
		store_rollback(c->st);
		store_exec(c->st, "PRAGMA foreign_keys = ON");
		return rc;
	}
	rc = store_commit(c->st);
	c->shard_started |= rc == 0;
	if (store_exec(c->st, "PRAGMA foreign_keys = ON") < 0)
		rc = -1;
	return rc;
}

static int write_batch(struct ctx *c, struct report_batch *b)
{
	if (!b->n)
		return 0;
	c->s->batches++;
	if (c->o->jsonl) {
		for (size_t i = 0; i < b->n; i++)
			c->s->unchanged += b->it[i].status == ST_UNCHANGED;
		return write_jsonl(c, b);
	}
	/* a report another process stored meanwhile can make the batch a
	 * replacing one: then it starts again, with the writer's counts as they
	 * were (the reader's go on meanwhile) */
	struct extract_stats *s = c->s;
	int64_t was[] = { s->added, s->changed, s->unchanged, s->mentions, s->polarity[0],
			  s->polarity[1], s->polarity[2], s->historical };
	int rc;
	while ((rc = write_batch_once(c, b)) == 1) {
		int64_t *now[] = { &s->added, &s->changed, &s->unchanged, &s->mentions,
				   &s->polarity[0], &s->polarity[1], &s->polarity[2], &s->historical };
		for (size_t i = 0; i < ARRAY_SIZE(now); i++)
			*now[i] = was[i];
	}
	return rc;
}

/* ---------------------------------------------------------------- run */

static int log_run(struct ctx *c, struct ingest_entry *e)
{
	struct buf target = BUF_INIT, params = BUF_INIT, note = BUF_INIT;
	for (size_t i = 0; i < c->n_inputs; i++)
		buf_addf(&target, "%s%s", i ? " " : "", c->inputs[i]);
	buf_adds(&params, "{\"sections\":[");
	for (size_t i = 0; c->sections[i]; i++) {
		if (i)
			buf_addc(&params, ',');
		buf_add_json_str(&params, c->sections[i], strlen(c->sections[i]));
	}
	buf_adds(&params, "],\"dictionary\":");
	buf_add_json_str(&params, c->s->dict.key, strlen(c->s->dict.key));
	buf_adds(&params, ",\"filters\":");
	buf_add_json_str(&params, c->s->dict.filters, strlen(c->s->dict.filters));
	buf_adds(&params, ",\"lexicon\":");
	const char *lx = c->o->lexicon ? c->o->lexicon : "built-in";
	buf_add_json_str(&params, lx, strlen(lx));
	if (c->o->n_shards > 1)
		buf_addf(&params, ",\"shard\":\"%d/%d\"", c->o->shard, c->o->n_shards);
	buf_addc(&params, '}');
	buf_addf(&note, "%lld added, %lld changed, %lld unchanged, %lld mentions",
		 (long long)c->s->added, (long long)c->s->changed, (long long)c->s->unchanged,
		 (long long)c->s->mentions);
	e->target = target.p;
	e->params = params.p;
	e->note = note.p;
	e->rows_read = c->s->read;
	e->rows_written = c->s->added + c->s->changed;
	e->rows_skipped = c->s->skipped + c->s->empty + c->s->duplicates;
	int rc = store_begin(c->st);
	if (rc == 0 && (rc = keep_shard(c, 1)) == 0 && (rc = ingest_finish(c->st, e)) == 0)
		rc = store_commit(c->st);
	else
		store_rollback(c->st);
	buf_release(&target);
	buf_release(&params);
	buf_release(&note);
	return rc;
}

static void settings_hash(struct ctx *c)
{
	struct buf b = BUF_INIT;
	buf_addf(&b, "extractor %d|normalizer %d|dictionary %s|lexicon %016llx|sections",
		 EXTRACTOR_VERSION, NORMALIZER_VERSION, c->s->dict.key,
		 (unsigned long long)c->lex.hash);
	for (size_t i = 0; c->sections[i]; i++)
		buf_addf(&b, " %s", c->sections[i]);
	c->settings = XXH3_64bits(b.p, b.len);
	buf_release(&b);
}

/* The sections searched: the options', canonical and unique, else
 * findings and impression. @return 0 or -1. */
static int choose_sections(struct ctx *c)
{
	const struct extract_options *o = c->o;
	if (!o->sections) {
		c->sections = strlist_parse("findings,impression");
		return 0;
	}
	c->sections = xcalloc(1, sizeof(*c->sections));
	for (size_t i = 0; o->sections[i]; i++) {
		const char *name = section_canonical(o->sections[i], strlen(o->sections[i]));
		if (!name)
			return error("unknown section '%s' (findings, impression, indication, "
				     "comparison, technique, other, report)",
				     o->sections[i]);
		if (!strlist_has(c->sections, name))
			c->sections = strlist_add(c->sections, name);
	}
	return 0;
}

static int concept_by_cui(void *arg, const char *cui, uint32_t *id)
{
	sqlite3_stmt *q = arg;
	sqlite3_bind_text(q, 1, cui, -1, SQLITE_STATIC);
	int got = sqlite3_step(q);
	if (got == SQLITE_ROW)
		*id = (uint32_t)sqlite3_column_int64(q, 0);
	sqlite3_reset(q);
	return got == SQLITE_ROW ? 1 : got == SQLITE_DONE ? 0 : error("concepts: %s", "query failed");
}

/* The predicative findings' concepts, by CUI (context.h). @return 0 or -1. */
static int resolve_predicates(struct ctx *c)
{
	sqlite3_stmt *q = store_prepare(c->st, "SELECT id FROM concepts WHERE cui = ?");
	int rc = q ? lexicon_resolve(&c->lex, concept_by_cui, q) : -1;
	if (rc == 0)
		lexicon_restrict(&c->lex, &c->dict);
	sqlite3_finalize(q);
	return rc;
}

/* Everything the run needs before the first report: sections, lexicon,
 * dictionary, statements, every input's source, per-thread scratch.
 * @return 0 or -1. */
static int ctx_open(struct ctx *c)
{
	struct extract_stats *s = c->s;
	if (choose_sections(c) < 0 || lexicon_load(&c->lex, c->o->lexicon) < 0 ||
	    term_rules_load(&c->rules, c->o->dict.term_rules) < 0 ||
	    dict_open(c->st, &c->o->dict, &c->dict, &s->dict) < 0 || resolve_predicates(c) < 0)
		return -1;
	c->rec = (struct recognizer){ &c->dict, &c->rules, &c->lex };
	debug("dictionary: %lld terms, %lld trie nodes, %.1f MiB, %s in %.2f s",
	      (long long)s->dict.n_entries, (long long)s->dict.n_nodes, s->dict.bytes / 1048576.0,
	      s->dict.from_cache ? "read from the store's cache" : "built and cached",
	      s->dict.seconds);
	settings_hash(c);
	if (prepare(c) < 0)
		return -1;
	/* every source before the pipeline starts: the array stays put */
	c->input_source = xcalloc(c->n_inputs ? c->n_inputs : 1, sizeof(*c->input_source));
	for (size_t i = 0; i < c->n_inputs; i++) {
		struct buf tmp = BUF_INIT;
		c->input_source[i] = source_index(c, source_of(c->o, c->inputs[i], &tmp));
		buf_release(&tmp);
		if (c->input_source[i] < 0)
			return -1;
	}
	if (c->o->n_shards > 1 &&
	    (shard_windows(c) < 0 || (c->o->shard > 1 && !c->o->jsonl && shard_prefix(c) < 0)))
		return -1;
	/* Fewer, larger checkpoints (each one syncs the files), or none by the
	 * writer (below). A small page
	 * cache: the writer appends, and a cache that grows with the store
	 * (256 MiB before) costs page faults and lookups, not reads (the
	 * writer went 5.9 -> 4.8 s for 200k reports, bench/RESULTS.md). The
	 * CHECKs of mentions (polarity, hedge) are not evaluated: the writer
	 * takes those strings from its enums (polarity_name, hedge_name). */
	c->n_threads = omp_get_max_threads();
	if (!c->o->jsonl) {
		/* With a second thread, the WAL is copied into the store by the
		 * thread that reads and analyses, which waits for the writer
		 * otherwise, not by the writer as it commits (the critical
		 * path, run_batches). */
		if (c->n_threads > 1)
			c->ckpt = store_checkpointer(c->st);
		char sql[160];
		snprintf(sql, sizeof sql, "PRAGMA cache_size = -8192; PRAGMA temp_store = MEMORY; "
			 "PRAGMA wal_autocheckpoint = %d; PRAGMA ignore_check_constraints = ON",
			 c->ckpt ? 0 : WRITER_CHECKPOINT_PAGES);
		c->cache_was = store_int(c->st, "PRAGMA cache_size", 0);
		if (store_exec(c->st, sql) < 0)
			return -1;
	}
	c->scratch = xaligned_alloc(128, (size_t)c->n_threads * sizeof(*c->scratch));
	memset(c->scratch, 0, (size_t)c->n_threads * sizeof(*c->scratch));
	return 0;
}

static void ctx_release(struct ctx *c)
{
	/* the connection goes on (medkg run links next) with its cache and
	 * CHECKs as they were, and checkpoints itself again (the longer
	 * interval stays) */
	if (c->ckpt)
		sqlite3_close(c->ckpt);
	if (c->cache_was) {
		char sql[128];
		snprintf(sql, sizeof sql, "PRAGMA cache_size = %lld; PRAGMA ignore_check_constraints = OFF; "
			 "PRAGMA wal_autocheckpoint = %d", (long long)c->cache_was,
			 WRITER_CHECKPOINT_PAGES);
		sqlite3_exec(c->st->db, sql, NULL, NULL, NULL);
	}
	reader_free(c->rd);
	for (size_t i = 0; i < c->n_sources; i++)
		known_release(&c->sources[i]);
	free(c->sources);
	for (int i = 0; c->scratch && i < c->n_threads; i++) {
		struct scratch *w = &c->scratch[i];
		free(w->sent);
		free(w->rs);
		free(w->rm);
		recognize_scratch_release(&w->rec);
	}
	free(c->scratch);
	for (size_t i = 0; i < c->n_concepts; i++) {
		free(c->concepts[i].cui);
		free(c->concepts[i].name);
	}
	free(c->concepts);
	sqlite3_finalize(c->ins_report);
	sqlite3_finalize(c->find_report);
	sqlite3_finalize(c->upd_report);
	sqlite3_finalize(c->del_mentions);
	sqlite3_finalize(c->del_images);
	sqlite3_finalize(c->ins_image);
	batch_release(&c->mentions);
	batch_release(&c->plain);
	sqlite3_finalize(c->concept_q);
	buf_release(&c->line);
	dict_release(&c->dict);
	lexicon_release(&c->lex);
	term_rules_release(&c->rules);
	strlist_free(c->sections);
	free(c->input_source);
	free(c->window);
	free(c->before);
}

/* The pipeline: batch b + 1 is read and analysed (by every thread) while
 * batch b is written (by one task). @return 0 or -1. */
static int run_batches(struct ctx *c, struct report_batch b[2])
{
	int failed = 0;
	if (c->o->progress)
		progress_start(&c->prog, "extract", 0);
#pragma omp parallel shared(c, b, failed)
#pragma omp single
	{
		int cur = 0;
		int more = read_batch(c, &b[cur]);
		if (more < 0)
			failed = 1;
		else
			analyse_batch(c, &b[cur]);
		while (!failed && b[cur].n > 0) {
			int nxt = 1 - cur, wrc = 0;
			struct report_batch *wb = &b[cur];
#pragma omp task shared(c, wrc) firstprivate(wb)
			{
				double t = now_seconds();
				wrc = write_batch(c, wb);
				c->t_write += now_seconds() - t;
			}
			more = more > 0 ? read_batch(c, &b[nxt]) : (report_batch_clear(&b[nxt]), 0);
			if (more < 0)
				failed = 1;
			else
				analyse_batch(c, &b[nxt]);
			store_checkpoint(c->ckpt); /* what earlier batches committed */
#pragma omp taskwait
			if (wrc < 0)
				failed = 1;
			if (c->o->progress)
				progress_update(&c->prog, (uint64_t)c->s->read, 0);
			cur = nxt;
		}
	}
	if (c->o->progress)
		progress_end(&c->prog);
	/* with two threads or more the writing runs beside the other two: it is
	 * the critical path when its time is near the run's */
	debug("pipeline: reading %.2f s, analysis %.2f s, writing %.2f s",
	      c->t_read, c->t_analyse, c->t_write);
	return failed ? -1 : 0;
}

int extract_run(struct store *st, char *const *inputs, size_t n_inputs,
		const struct extract_options *o, struct extract_stats *s)
{
	struct ctx c;
	memset(&c, 0, sizeof c);
	memset(s, 0, sizeof(*s));
	c.st = st;
	c.o = o;
	c.s = s;
	c.inputs = inputs;
	c.n_inputs = n_inputs;
	struct report_batch b[2];
	memset(b, 0, sizeof b);
	struct ingest_entry log;
	ingest_start(&log, "extract");
	double t0 = now_seconds();
	int rc = -1;
	if (ctx_open(&c) < 0 || run_batches(&c, b) < 0)
		goto out;
	if (c.rd) {
		s->skipped += reader_skipped(c.rd);
		s->empty += reader_empty(c.rd);
	}
	s->seconds = now_seconds() - t0;
	if (!o->jsonl && log_run(&c, &log) < 0)
		goto out;
	rc = 0;
out:
	s->seconds = now_seconds() - t0;
	report_batch_release(&b[0]);
	report_batch_release(&b[1]);
	ctx_release(&c);
	return rc;
}
