#define _POSIX_C_SOURCE 200809L /* getline */
#include "select.h"
#include "../store/mentions.h"
#include "../common/number.h"
#include "../common/buf.h"
#include "../common/util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/types.h>

void selection_release(struct selection *sel)
{
	if (!sel)
		return;
	free(sel->ent);
	free(sel->ent_freq);
	free(sel->rel);
	free(sel->edges);
	memset(sel, 0, sizeof(*sel));
}

/* qsort contexts: qsort_r is not C11, and the tables are small next to the
 * triples, so a file-scope pointer is enough (select_entities is not called
 * from several threads). */
static const struct sel_concept *sort_concepts;
static const int32_t *sort_concept_idx;
static const int64_t *sort_freq;
static const char *const *sort_rel_name;
static int sort_ties;   /* 1: ties ascending (medkg), -1: descending (ARL) */

/* Entities: frequency descending, then CUI. a and b are concept ids. */
static int cmp_new_entity(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	if (sort_freq[x] != sort_freq[y])
		return sort_freq[x] > sort_freq[y] ? -1 : 1;
	return sort_ties * strcmp(sort_concepts[sort_concept_idx[x]].cui,
				  sort_concepts[sort_concept_idx[y]].cui);
}

/* Relations: frequency descending, then name. */
static int cmp_new_relation(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	if (sort_freq[x] != sort_freq[y])
		return sort_freq[x] > sort_freq[y] ? -1 : 1;
	return sort_ties * strcmp(sort_rel_name[x], sort_rel_name[y]);
}

static int cmp_edge(const void *a, const void *b)
{
	const struct triple *x = a, *y = b;
	if (x->h != y->h)
		return x->h < y->h ? -1 : 1;
	if (x->t != y->t)
		return x->t < y->t ? -1 : 1;
	return (x->r > y->r) - (x->r < y->r);
}

/* What select_entities keeps by store id: concept ids 0..nc-1, relation
 * ids 0..nr-1. */
struct sel_tables {
	size_t nc, nr;
	int32_t *cidx;          /* concept id -> index in concepts, or -1 */
	int64_t *cfreq;         /* occurrences in the kept triples */
	int32_t *cnum;          /* concept id -> entity id, or -1 */
	uint8_t *kept;          /* a candidate: mentioned enough, or carried over */
	const char **rname;     /* relation id -> name, or NULL */
	int64_t *rfreq;
	int32_t *rnum;          /* relation id -> relation number, or -1 */
};

static int64_t max64(int64_t a, int64_t b)
{
	return a > b ? a : b;
}

static void tables_init(struct sel_tables *t, const struct sel_concept *concepts, size_t n_concepts,
			const struct sel_triple *triples, size_t n_triples,
			const struct sel_relation *relations, size_t n_relations,
			const int64_t *prev_ent, size_t n_prev_ent, const int64_t *prev_rel,
			size_t n_prev_rel)
{
	int64_t max_c = 0, max_r = 0;
	for (size_t i = 0; i < n_concepts; i++)
		max_c = max64(max_c, concepts[i].id);
	for (size_t i = 0; i < n_triples; i++) {
		max_c = max64(max_c, max64(triples[i].h, triples[i].t));
		max_r = max64(max_r, triples[i].r);
	}
	for (size_t i = 0; i < n_prev_ent; i++)
		max_c = max64(max_c, prev_ent[i]);
	for (size_t i = 0; i < n_relations; i++)
		max_r = max64(max_r, relations[i].id);
	for (size_t i = 0; i < n_prev_rel; i++)
		max_r = max64(max_r, prev_rel[i]);
	const size_t nc = t->nc = (size_t)max_c + 1, nr = t->nr = (size_t)max_r + 1;
	t->cidx = xmalloc(nc * sizeof(int32_t));
	t->cfreq = xcalloc(nc, sizeof(int64_t));
	t->cnum = xmalloc(nc * sizeof(int32_t));
	t->kept = xcalloc(nc, 1);
	t->rname = xcalloc(nr, sizeof(char *));
	t->rfreq = xcalloc(nr, sizeof(int64_t));
	t->rnum = xmalloc(nr * sizeof(int32_t));
	for (size_t i = 0; i < nc; i++)
		t->cidx[i] = t->cnum[i] = -1;
	for (size_t i = 0; i < nr; i++)
		t->rnum[i] = -1;
	for (size_t i = 0; i < n_relations; i++)
		if (relations[i].id >= 0)
			t->rname[relations[i].id] = relations[i].name;
}

static void tables_release(struct sel_tables *t)
{
	free(t->cidx);
	free(t->cfreq);
	free(t->cnum);
	free(t->kept);
	free(t->rname);
	free(t->rfreq);
	free(t->rnum);
}

/* The concepts, and the candidates among them. @return 0 or -1. */
static int index_concepts(struct sel_tables *t, const struct sel_concept *concepts, size_t n,
			  int64_t min_count, struct selection *sel)
{
	for (size_t i = 0; i < n; i++) {
		if (concepts[i].id < 0 || t->cidx[concepts[i].id] >= 0)
			return error("concept id %lld is negative or listed twice",
				     (long long)concepts[i].id);
		t->cidx[concepts[i].id] = (int32_t)i;
		if (concepts[i].mentions >= min_count) {
			t->kept[concepts[i].id] = 1;
			sel->n_candidates++;
		}
	}
	return 0;
}

/* The previous numbering keeps its ids, and its entities count as kept.
 * @return 0 or -1. */
static int carry_previous(struct sel_tables *t, const int64_t *prev_ent, size_t n_prev_ent,
			  const int64_t *prev_rel, size_t n_prev_rel, struct selection *sel)
{
	for (size_t i = 0; i < n_prev_ent; i++) {
		int64_t c = prev_ent[i];
		if (c < 0 || t->cidx[c] < 0)
			return error("entity %zu of the previous export is no longer in the store "
				     "(use --renumber)",
				     i);
		if (t->cnum[c] >= 0)
			return error("entity %zu of the previous export repeats entity %d", i,
				     t->cnum[c]);
		t->cnum[c] = (int32_t)i;
		if (!t->kept[c])
			sel->n_retained++;
		t->kept[c] = 1;
	}
	for (size_t i = 0; i < n_prev_rel; i++) {
		int64_t r = prev_rel[i];
		if (r < 0 || !t->rname[r] || t->rnum[r] >= 0)
			return error("relation %zu of the previous export is no longer in the store "
				     "(use --renumber)",
				     i);
		t->rnum[r] = (int32_t)i;
	}
	sel->n_previous = n_prev_ent;
	return 0;
}

static int triple_kept(const struct sel_tables *t, const struct sel_triple *x)
{
	return x->h >= 0 && x->t >= 0 && x->r >= 0 && t->kept[x->h] && t->kept[x->t];
}

/* How often each concept and relation occurs in the kept triples.
 * @return the kept triples, or -1 after error(). */
static ssize_t count_triples(struct sel_tables *t, const struct sel_triple *triples, size_t n)
{
	size_t n_kept = 0;
	for (size_t i = 0; i < n; i++) {
		const struct sel_triple *x = &triples[i];
		if (!triple_kept(t, x))
			continue;
		if (t->cidx[x->h] < 0 || t->cidx[x->t] < 0 || !t->rname[x->r])
			return error("triple (%lld, %lld, %lld) names an unknown concept or relation",
				     (long long)x->h, (long long)x->r, (long long)x->t);
		t->cfreq[x->h]++;
		t->cfreq[x->t]++;
		t->rfreq[x->r]++;
		n_kept++;
	}
	return (ssize_t)n_kept;
}

/* Number the ids of [0, n) that occur (freq > 0) and have no number yet
 * after the n_prev previous ones, in cmp's order, into *ids (n_prev + the
 * new ones, allocated) and num. @return the count. */
static size_t number_fresh(const int64_t *freq, int32_t *num, size_t n, const int64_t *prev,
			   size_t n_prev, int (*cmp)(const void *, const void *), int64_t *fresh,
			   int64_t **ids)
{
	size_t n_fresh = 0;
	for (size_t c = 0; c < n; c++)
		if (freq[c] > 0 && num[c] < 0)
			fresh[n_fresh++] = (int64_t)c;
	qsort(fresh, n_fresh, sizeof(int64_t), cmp);
	size_t total = n_prev + n_fresh;
	*ids = xmalloc((total ? total : 1) * sizeof(int64_t));
	for (size_t i = 0; i < n_prev; i++)
		(*ids)[i] = prev[i];
	for (size_t i = 0; i < n_fresh; i++) {
		(*ids)[n_prev + i] = fresh[i];
		num[fresh[i]] = (int32_t)(n_prev + i);
	}
	return total;
}

/* The kept triples in the selection's ids: in their order (ARL's rule: the
 * knowledge base's), or sorted by (h, t, r), unique (medkg's). */
static void collect_edges(const struct sel_tables *t, const struct sel_triple *triples, size_t n,
			  size_t n_kept, int kb_order, struct selection *sel)
{
	sel->edges = xmalloc((n_kept ? n_kept : 1) * sizeof(struct triple));
	for (size_t i = 0; i < n; i++) {
		const struct sel_triple *x = &triples[i];
		if (triple_kept(t, x))
			sel->edges[sel->n_edges++] =
				(struct triple){ t->cnum[x->h], t->cnum[x->t], t->rnum[x->r] };
	}
	if (kb_order)
		return;
	qsort(sel->edges, sel->n_edges, sizeof(struct triple), cmp_edge);
	size_t k = 0;
	for (size_t i = 0; i < sel->n_edges; i++)
		if (k == 0 || cmp_edge(&sel->edges[k - 1], &sel->edges[i]) != 0)
			sel->edges[k++] = sel->edges[i];
	sel->n_edges = k;
}

int select_entities(const struct sel_concept *concepts, size_t n_concepts,
		    const struct sel_triple *triples, size_t n_triples,
		    const struct sel_relation *relations, size_t n_relations,
		    const struct select_rule *rule, const int64_t *prev_ent, size_t n_prev_ent,
		    const int64_t *prev_rel, size_t n_prev_rel, struct selection *sel)
{
	const int64_t min_count = rule->min_count;
	struct sel_tables t;
	int64_t *fresh = NULL;
	ssize_t n_kept;
	int rc = -1;
	memset(sel, 0, sizeof(*sel));
	tables_init(&t, concepts, n_concepts, triples, n_triples, relations, n_relations, prev_ent,
		    n_prev_ent, prev_rel, n_prev_rel);
	if (index_concepts(&t, concepts, n_concepts, min_count, sel) < 0 ||
	    carry_previous(&t, prev_ent, n_prev_ent, prev_rel, n_prev_rel, sel) < 0)
		goto out;
	if (sel->n_candidates == 0 && n_prev_ent == 0) {
		if (rule->arl)
			error("no concept is mentioned more than %lld times (lower --threshold)",
			      (long long)min_count - 1);
		else
			error("no concept is mentioned %lld or more times (lower --min-count)",
			      (long long)min_count);
		goto out;
	}
	if ((n_kept = count_triples(&t, triples, n_triples)) < 0)
		goto out;
	if (n_kept == 0 && n_prev_ent == 0) {
		if (rule->arl)
			error("no triple joins two of the %zu concepts mentioned more than %lld times "
			      "(lower --threshold)",
			      sel->n_candidates, (long long)min_count - 1);
		else
			error("no triple joins two of the %zu concepts mentioned %lld or more times "
			      "(lower --min-count)",
			      sel->n_candidates, (long long)min_count);
		goto out;
	}
	/* entities: the previous ones in their order, then the new ones by
	 * frequency and CUI; relations likewise, by frequency and name */
	fresh = xmalloc((t.nc > t.nr ? t.nc : t.nr) * sizeof(int64_t));
	sort_ties = rule->arl ? -1 : 1;
	sort_concepts = concepts;
	sort_concept_idx = t.cidx;
	sort_freq = t.cfreq;
	sel->n_ent = number_fresh(t.cfreq, t.cnum, t.nc, prev_ent, n_prev_ent, cmp_new_entity,
				  fresh, &sel->ent);
	sel->ent_freq = xmalloc((sel->n_ent ? sel->n_ent : 1) * sizeof(int64_t));
	for (size_t i = 0; i < sel->n_ent; i++)
		sel->ent_freq[i] = t.cfreq[sel->ent[i]];
	sort_freq = t.rfreq;
	sort_rel_name = t.rname;
	sel->n_rel = number_fresh(t.rfreq, t.rnum, t.nr, prev_rel, n_prev_rel, cmp_new_relation,
				  fresh, &sel->rel);
	collect_edges(&t, triples, n_triples, (size_t)n_kept, rule->arl, sel);
	rc = 0;
out:
	sort_concepts = NULL;
	sort_concept_idx = NULL;
	sort_freq = NULL;
	sort_rel_name = NULL;
	tables_release(&t);
	free(fresh);
	if (rc < 0)
		selection_release(sel);
	return rc;
}

/* ------------------------------------------------------------ from the store */

static void free_list(char **l, size_t n)
{
	if (!l)
		return;
	for (size_t i = 0; i < n; i++)
		free(l[i]);
	free(l);
}

void previous_release(struct previous *p)
{
	free_list(p->ent_keys, p->n_ent);
	free_list(p->rel_keys, p->n_rel);
	free(p->ent);
	free(p->rel);
	memset(p, 0, sizeof(*p));
}

/* Read entity2id.txt or relation2id.txt of a previous export: the first
 * column of each line, in id order, into *out (n strings). @return 0 or -1. */
static int read_previous_ids(const char *path, char ***out, size_t *n_out)
{
	FILE *f = fopen(path, "rb");
	if (!f)
		return error("%s: cannot open: %s", path, strerror(errno));
	char *line = NULL;
	size_t cap = 0, lineno = 0;
	ssize_t len, n = -1, got = 0;
	size_t cap_ids = 0;
	char **ids = NULL;
	int rc = -1;
	while ((len = getline(&line, &cap, f)) > 0) {
		lineno++;
		if (line[len - 1] == '\n')
			line[--len] = '\0';
		if (lineno == 1) {
			int64_t count;
			if (parse_i64(line, 0, INT32_MAX, &count) < 0) {
				error("%s:1: expected the count", path);
				goto out;
			}
			/* the list grows as lines arrive: the count is only compared */
			n = (ssize_t)count;
			continue;
		}
		char *tab = strchr(line, '\t'), *end;
		long id = tab ? strtol(tab + 1, &end, 10) : -1;
		if (!tab || id != got || (*end && *end != '\t')) {
			error("%s:%zu: expected \"key<TAB>%zd\"", path, lineno, got);
			goto out;
		}
		if (got >= n) {
			error("%s:%zu: more lines than the count %zd", path, lineno, n);
			goto out;
		}
		XGROW(ids, cap_ids, (size_t)got + 1);
		ids[got++] = xstrndup(line, (size_t)(tab - line));
	}
	if (n < 0 || got != n) {
		error("%s: %zd lines for a count of %zd", path, got, n);
		goto out;
	}
	*out = ids ? ids : xcalloc(1, sizeof(char *));
	*n_out = (size_t)n;
	ids = NULL;
	rc = 0;
out:
	free_list(ids, got > 0 ? (size_t)got : 0);
	free(line);
	fclose(f);
	return rc;
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

/* The file is in the manifest with its size and hash. @return 0 or -1. */
static int vouched_for(const char *dir, const struct manifest *m, const char *file,
		       const char *path)
{
	char hex[33];
	uint64_t bytes;
	const struct manifest_file *f = manifest_find(m, file);
	if (!f)
		return error("%s/%s: corrupted manifest: %s is not listed", dir, MANIFEST_NAME,
			     file);
	if (file_hash(path, hex, &bytes) < 0)
		return -1;
	if (bytes != f->bytes || strcmp(hex, f->hash))
		return error("%s: changed since the export (its hash differs from the manifest's): "
			     "re-export with --force, or --update --renumber",
			     path);
	return 0;
}

int previous_read(struct store *st, const char *dir, const struct manifest *m,
		  struct previous *p)
{
	static const char *const file[] = { "knowledge/entity2id.txt", "knowledge/relation2id.txt" };
	static const char *const sql[] = { "SELECT id FROM concepts WHERE cui = ?",
					   "SELECT id FROM relations WHERE name = ?" };
	char ***keys[] = { &p->ent_keys, &p->rel_keys };
	size_t *n[] = { &p->n_ent, &p->n_rel };
	int64_t **ids[] = { &p->ent, &p->rel };
	struct buf path[2] = { BUF_INIT, BUF_INIT };
	int rc = -1;
	memset(p, 0, sizeof(*p));
	for (int i = 0; i < 2; i++) {
		buf_addf(&path[i], "%s/%s", dir, file[i]);
		if (vouched_for(dir, m, file[i], path[i].p) < 0)
			goto out;
	}
	for (int i = 0; i < 2; i++)
		if (read_previous_ids(path[i].p, keys[i], n[i]) < 0 ||
		    resolve_previous(st, sql[i], path[i].p, *keys[i], *n[i], ids[i]) < 0)
			goto out;
	rc = 0;
out:
	buf_release(&path[0]);
	buf_release(&path[1]);
	if (rc < 0)
		previous_release(p);
	return rc;
}

void knowledge_release(struct knowledge *k)
{
	selection_release(&k->sel);
	arena_release(&k->names);
	free(k->ent_cui);
	free(k->ent_name);
	free(k->rel_name);
	free(k->ent_of);
	memset(k, 0, sizeof(*k));
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

/* What knowledge_select reads before selecting. */
struct sel_input {
	struct sel_concept *con;
	size_t n_con, cap_con;
	struct sel_triple *tr;
	size_t n_tr, cap_tr;
	struct sel_relation *rel;
	size_t n_rel, cap_rel;
	int64_t max_c;             /* the largest concept id of con */
	uint8_t *cand;             /* (max_c + 1) */
};

static void sel_input_release(struct sel_input *in)
{
	free(in->con);
	free(in->tr);
	free(in->rel);
	free(in->cand);
}

static char *col_str(struct arena *a, sqlite3_stmt *s, int i)
{
	return arena_strdup(a, (const char *)sqlite3_column_text(s, i),
			    (size_t)sqlite3_column_bytes(s, i));
}

/* Every mentioned concept with its count: the store's mentions, or the
 * rule's counts. */
static int read_mentioned(struct store *st, struct arena *names, const struct select_rule *rule,
			  struct sel_input *in)
{
	int64_t *own = NULL, n_counts = rule->n_counts;
	const int64_t *counts = rule->counts;
	if (!counts) {
		if (mentions_by_concept(st, &own, &n_counts) < 0)
			return -1;
		counts = own;
	}
	sqlite3_stmt *s = store_prepare(st, "SELECT id, cui FROM concepts WHERE id = ?");
	for (int64_t id = 0; s && id < n_counts; id++) {
		if (counts[id] <= 0)
			continue;
		sqlite3_reset(s);
		sqlite3_bind_int64(s, 1, id);
		if (sqlite3_step(s) != SQLITE_ROW)
			continue;
		XGROW(in->con, in->cap_con, in->n_con + 1);
		struct sel_concept *c = &in->con[in->n_con++];
		c->id = id;
		c->cui = col_str(names, s, 1);
		c->mentions = counts[id];
		in->max_c = c->id > in->max_c ? c->id : in->max_c;
	}
	free(own);
	if (!s || sqlite3_finalize(s) != SQLITE_OK)
		return s ? store_error(st, "counting mentions") : -1;
	return 0;
}

/* The previous entities that are not mentioned now, as concepts with no
 * mention. */
static int add_previous(struct store *st, struct arena *names, const int64_t *prev, size_t n,
			struct sel_input *in)
{
	for (size_t i = 0; i < n; i++)
		in->max_c = prev[i] > in->max_c ? prev[i] : in->max_c;
	in->cand = xcalloc((size_t)in->max_c + 1, 1);
	for (size_t i = 0; i < in->n_con; i++)
		in->cand[in->con[i].id] = 1;
	sqlite3_stmt *s = store_prepare(st, "SELECT cui FROM concepts WHERE id = ?");
	if (!s)
		return -1;
	int rc = 0;
	for (size_t i = 0; i < n && rc == 0; i++) {
		if (in->cand[prev[i]])
			continue;
		in->cand[prev[i]] = 1;
		sqlite3_bind_int64(s, 1, prev[i]);
		if (sqlite3_step(s) != SQLITE_ROW) {
			rc = error("%s: concept %lld vanished while exporting", st->path,
				   (long long)prev[i]);
			break;
		}
		XGROW(in->con, in->cap_con, in->n_con + 1);
		in->con[in->n_con++] = (struct sel_concept){ prev[i], col_str(names, s, 0), 0 };
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
	return rc;
}

/* The distinct triples among the candidates (kept by the count, or carried
 * over): a range scan of the triples' primary key per candidate head, not
 * a pass over every triple. */
static int read_triples(struct store *st, int64_t min_count, const int64_t *prev, size_t n_prev,
			struct sel_input *in)
{
	const int64_t max_c = in->max_c;
	memset(in->cand, 0, (size_t)max_c + 1);
	for (size_t i = 0; i < in->n_con; i++)
		if (in->con[i].mentions >= min_count)
			in->cand[in->con[i].id] = 1;
	for (size_t i = 0; i < n_prev; i++)
		in->cand[prev[i]] = 1;
	sqlite3_stmt *s = store_prepare(st, "SELECT DISTINCT relation, tail FROM triples WHERE "
					    "head = ? ORDER BY relation, tail");
	if (!s)
		return -1;
	int rc = 0;
	for (int64_t c = 1; c <= max_c && rc == 0; c++) {
		if (!in->cand[c])
			continue;
		sqlite3_bind_int64(s, 1, c);
		while (sqlite3_step(s) == SQLITE_ROW) {
			int64_t t = sqlite3_column_int64(s, 1);
			if (t < 1 || t > max_c || !in->cand[t])
				continue;
			XGROW(in->tr, in->cap_tr, in->n_tr + 1);
			in->tr[in->n_tr++] = (struct sel_triple){ c, sqlite3_column_int64(s, 0), t };
		}
		if (sqlite3_reset(s) != SQLITE_OK)
			rc = store_error(st, "reading triples");
	}
	sqlite3_finalize(s);
	return rc;
}

static int read_relations(struct store *st, struct arena *names, struct sel_input *in)
{
	sqlite3_stmt *s = store_prepare(st, "SELECT id, name FROM relations");
	if (!s)
		return -1;
	while (sqlite3_step(s) == SQLITE_ROW) {
		XGROW(in->rel, in->cap_rel, in->n_rel + 1);
		in->rel[in->n_rel].id = sqlite3_column_int64(s, 0);
		in->rel[in->n_rel].name = col_str(names, s, 1);
		in->n_rel++;
	}
	sqlite3_finalize(s);
	return 0;
}

/* Names of the selected entities and relations, and concept id -> entity. */
static int name_selection(struct store *st, const struct sel_input *in, struct knowledge *k)
{
	const int64_t max_c = in->max_c;
	k->max_concept = max_c;
	k->ent_of = xmalloc(((size_t)max_c + 1) * sizeof(int32_t));
	for (int64_t c = 0; c <= max_c; c++)
		k->ent_of[c] = -1;
	k->ent_cui = xmalloc((k->sel.n_ent + 1) * sizeof(char *));
	k->ent_name = xmalloc((k->sel.n_ent + 1) * sizeof(char *));
	k->rel_name = xmalloc((k->sel.n_rel + 1) * sizeof(char *));
	sqlite3_stmt *s = store_prepare(st, "SELECT cui, name FROM concepts WHERE id = ?");
	if (!s)
		return -1;
	int rc = 0;
	for (size_t i = 0; i < k->sel.n_ent && rc == 0; i++) {
		k->ent_of[k->sel.ent[i]] = (int32_t)i;
		sqlite3_bind_int64(s, 1, k->sel.ent[i]);
		if (sqlite3_step(s) != SQLITE_ROW) {
			rc = error("%s: concept %lld vanished while exporting", st->path,
				   (long long)k->sel.ent[i]);
			break;
		}
		k->ent_cui[i] = clean_name(&k->names, (const char *)sqlite3_column_text(s, 0));
		k->ent_name[i] = clean_name(&k->names, (const char *)sqlite3_column_text(s, 1));
		sqlite3_reset(s);
	}
	sqlite3_finalize(s);
	for (size_t i = 0; i < k->sel.n_rel; i++)
		for (size_t j = 0; j < in->n_rel; j++)
			if (in->rel[j].id == k->sel.rel[i])
				k->rel_name[i] = clean_name(&k->names, in->rel[j].name);
	return rc;
}

int knowledge_select(struct store *st, const struct select_rule *rule,
		     const struct previous *prev, struct knowledge *k)
{
	const int64_t min_count = rule->min_count;
	static const struct previous none;
	const struct previous *p = prev ? prev : &none;
	struct sel_input in = { 0 };
	int rc = -1;
	memset(k, 0, sizeof(*k));
	arena_init(&k->names);
	if (read_mentioned(st, &k->names, rule, &in) < 0)
		goto out;
	if (in.n_con == 0 && p->n_ent == 0) {
		error("%s: the store has no mentions: extract concepts from reports first "
		      "(medkg extract)",
		      st->path);
		goto out;
	}
	if (add_previous(st, &k->names, p->ent, p->n_ent, &in) < 0 ||
	    read_triples(st, min_count, p->ent, p->n_ent, &in) < 0 ||
	    read_relations(st, &k->names, &in) < 0)
		goto out;
	if (select_entities(in.con, in.n_con, in.tr, in.n_tr, in.rel, in.n_rel, rule, p->ent,
			    p->n_ent, p->rel, p->n_rel, &k->sel) < 0)
		goto out;
	rc = name_selection(st, &in, k);
out:
	sel_input_release(&in);
	return rc;
}
