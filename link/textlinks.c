/* textlinks — the regions of finding mentions, sentence by sentence, as
 * linker.h decides them (link_int.h). */
#include "link_int.h"
#include "../extract/sentences.h"
#include "../store/batch.h"
#include "../common/util.h"

#include <stdlib.h>
#include <string.h>

struct pending {
	int64_t id, concept;
	int64_t sentence, start, end;   /* character offsets until converted */
	int affirmed;
	struct cinfo info;
};

/* The sentence holding bytes [a, b): the spans of sentences_split (sorted,
 * disjoint) that contain a and b - 1, and everything between; [a, b) itself
 * when no span holds it. */
static void sentence_around(const struct span *sp, size_t n_sp, size_t a, size_t b, size_t *sa,
			    size_t *sb)
{
	size_t lo = 0, hi = n_sp;
	while (lo < hi) { /* first span ending after a */
		size_t mid = (lo + hi) / 2;
		if (sp[mid].end <= a)
			lo = mid + 1;
		else
			hi = mid;
	}
	*sa = lo < n_sp && sp[lo].start <= a ? sp[lo].start : a;
	size_t k = lo;
	while (k < n_sp && sp[k].start < b)
		k++;
	*sb = k > lo && sp[k - 1].end > b ? sp[k - 1].end : b;
}

/* Character offsets -> byte offsets, for text that is not ASCII. */
static size_t *char_to_byte(const char *t, size_t n, size_t *n_chars)
{
	size_t *map = xmalloc((n + 1) * sizeof *map), k = 0;
	for (size_t i = 0; i < n; i++)
		if (((unsigned char)t[i] & 0xc0) != 0x80)
			map[k++] = i;
	map[k] = n;
	*n_chars = k;
	return map;
}

static int cmp_pending(const void *a, const void *b)
{
	const struct pending *x = a, *y = b;
	if (x->sentence != y->sentence)
		return x->sentence < y->sentence ? -1 : 1;
	return (x->start > y->start) - (x->start < y->start);
}

struct text_state {
	struct pending *p;
	size_t n, cap;
	struct span *sp;          /* the report's sentences (extract/sentences.h) */
	size_t n_sp, cap_sp;
	struct link_mention *lm;
	size_t cap_lm;
	sqlite3_stmt *q_text;
	struct batch ins;         /* mention_regions(mention, region, method) */
};

/* Link the pending mentions of one report. */
static int link_report(struct link_ctx *c, struct text_state *ts, int64_t report)
{
	struct link_stats *s = c->stats;
	int any = 0;
	for (size_t i = 0; i < ts->n; i++) {
		if (sites_info(&c->sites, ts->p[i].concept, &ts->p[i].info) < 0)
			return -1;
		any |= ts->p[i].info.kind == KIND_FINDING;
	}
	if (!any)
		return 0;
	s->reports++;
	sqlite3_bind_int64(ts->q_text, 1, report);
	if (sqlite3_step(ts->q_text) != SQLITE_ROW) {
		sqlite3_reset(ts->q_text);
		return store_error(c->st, "cannot read a report");
	}
	const char *text = (const char *)sqlite3_column_text(ts->q_text, 0);
	size_t n = (size_t)sqlite3_column_bytes(ts->q_text, 0);
	size_t n_chars = (size_t)sqlite3_column_int64(ts->q_text, 1);
	size_t *map = n_chars != n ? char_to_byte(text, n, &n_chars) : NULL;
	int rc = -1;
	qsort(ts->p, ts->n, sizeof *ts->p, cmp_pending);
	XGROW(ts->lm, ts->cap_lm, ts->n);
	/* the sentences as extraction found them */
	ts->n_sp = 0;
	sentences_split(text, 0, n, &ts->sp, &ts->n_sp, &ts->cap_sp);
	for (size_t i = 0; i < ts->n; i++) {
		struct pending *p = &ts->p[i];
		if (p->start < 0 || p->start > p->end || (size_t)p->end > n_chars) {
			error("%s: mention %lld: offsets %lld-%lld outside its report (%zu characters)",
			      c->st->path, (long long)p->id, (long long)p->start, (long long)p->end,
			      n_chars);
			goto out;
		}
		if (map) {
			p->start = (int64_t)map[p->start];
			p->end = (int64_t)map[p->end];
		}
	}
	for (size_t i = 0; i < ts->n;) {
		size_t j = i;
		size_t a = (size_t)ts->p[i].start, b = (size_t)ts->p[i].end;
		int finding = 0;
		while (j < ts->n && ts->p[j].sentence == ts->p[i].sentence) {
			if ((size_t)ts->p[j].end > b)
				b = (size_t)ts->p[j].end;
			finding |= ts->p[j].info.kind == KIND_FINDING;
			j++;
		}
		if (finding) {
			size_t sa, sb;
			sentence_around(ts->sp, ts->n_sp, a, b, &sa, &sb);
			for (size_t k = i; k < j; k++) {
				struct link_mention *m = &ts->lm[k - i];
				memset(m, 0, sizeof *m);
				m->start = (uint32_t)ts->p[k].start;
				m->end = (uint32_t)ts->p[k].end;
				const struct cinfo *in = &ts->p[k].info;
				m->kind = in->kind;
				m->anatomy = in->anatomy;
				m->site = in->site;
				m->site_method = in->site_method;
			}
			link_sentence(&c->lx, text, sa, sb, ts->lm, j - i, &c->scratch);
			for (size_t k = i; k < j; k++) {
				const struct link_mention *m = &ts->lm[k - i];
				if (m->kind != KIND_FINDING)
					continue;
				s->findings++;
				s->by_method[m->method]++;
				if (ts->p[k].affirmed)
					s->positive_by_method[m->method]++;
				for (int r = 0; r < ATLAS_N; r++) {
					if (!(m->regions & ATLAS_BIT(r)))
						continue;
					batch_int(&ts->ins, 0, ts->p[k].id);
					batch_text(&ts->ins, 1, atlas[r].name, -1);
					batch_text(&ts->ins, 2, link_method_name(m->method), -1);
					if (batch_row(&ts->ins) < 0)
						goto out;
					s->region_links++;
				}
			}
		}
		i = j;
	}
	rc = 0;
out:
	sqlite3_reset(ts->q_text);
	free(map);
	return rc;
}

int textlinks_run(struct link_ctx *c)
{
	struct text_state ts = { 0 };
	int rc = -1, r;
	int64_t mark = 0;
	if (store_meta_get_int(c->st, META_LINK_REGIONS_THROUGH, &mark) < 0)
		return -1;
	/* the mentions after the mark, a report's together (its ids are
	 * consecutive); those with links already (a merged shard's, a store
	 * from before the marks) are skipped */
	sqlite3_stmt *q = store_prepare(c->st,
		"SELECT m.id, m.report, m.concept, m.sentence, m.start, m.end, "
		"m.polarity = 'affirmed' FROM mentions m WHERE m.id > ?1 "
		"AND NOT EXISTS (SELECT 1 FROM mention_regions r WHERE r.mention = m.id) "
		"ORDER BY m.id");
	ts.q_text = store_prepare(c->st, "SELECT text, length(text) FROM reports WHERE id = ?");
	if (batch_init(&ts.ins, c->st, "INSERT INTO mention_regions(mention, region, method)", 3,
		       LINK_ROWS) < 0)
		goto out;
	if (!q || !ts.q_text)
		goto out;
	sqlite3_bind_int64(q, 1, mark);
	int64_t report = -1;
	while ((r = sqlite3_step(q)) == SQLITE_ROW) {
		int64_t rep = sqlite3_column_int64(q, 1);
		if (rep != report && ts.n) {
			if (link_report(c, &ts, report) < 0)
				goto out;
			ts.n = 0;
		}
		report = rep;
		XGROW(ts.p, ts.cap, ts.n + 1);
		struct pending *p = &ts.p[ts.n++];
		p->id = sqlite3_column_int64(q, 0);
		p->concept = sqlite3_column_int64(q, 2);
		p->sentence = sqlite3_column_int64(q, 3);
		p->start = sqlite3_column_int64(q, 4);
		p->end = sqlite3_column_int64(q, 5);
		p->affirmed = sqlite3_column_int(q, 6);
		c->stats->mentions_read++;
	}
	if (r != SQLITE_DONE) {
		store_error(c->st, "cannot read mentions");
		goto out;
	}
	if (ts.n && link_report(c, &ts, report) < 0)
		goto out;
	if (batch_flush(&ts.ins) < 0 || link_mark_set(c, META_LINK_REGIONS_THROUGH) < 0)
		goto out;
	rc = 0;
out:
	sqlite3_finalize(q);
	sqlite3_finalize(ts.q_text);
	batch_release(&ts.ins);
	free(ts.p);
	free(ts.lm);
	free(ts.sp);
	return rc;
}
