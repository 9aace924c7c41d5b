#include "select.h"
#include "../common/util.h"

#include <stdlib.h>
#include <string.h>

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

/* Entities: frequency descending, then CUI. a and b are concept ids. */
static int cmp_new_entity(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	if (sort_freq[x] != sort_freq[y])
		return sort_freq[x] > sort_freq[y] ? -1 : 1;
	return strcmp(sort_concepts[sort_concept_idx[x]].cui, sort_concepts[sort_concept_idx[y]].cui);
}

/* Relations: frequency descending, then name. */
static int cmp_new_relation(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;
	if (sort_freq[x] != sort_freq[y])
		return sort_freq[x] > sort_freq[y] ? -1 : 1;
	return strcmp(sort_rel_name[x], sort_rel_name[y]);
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

int select_entities(const struct sel_concept *concepts, size_t n_concepts,
		    const struct sel_triple *triples, size_t n_triples,
		    const struct sel_relation *relations, size_t n_relations, int64_t min_count,
		    const int64_t *prev_ent, size_t n_prev_ent, const int64_t *prev_rel,
		    size_t n_prev_rel, struct selection *sel)
{
	memset(sel, 0, sizeof(*sel));
	int rc = -1;
	int64_t max_c = 0, max_r = 0;
	for (size_t i = 0; i < n_concepts; i++)
		max_c = concepts[i].id > max_c ? concepts[i].id : max_c;
	for (size_t i = 0; i < n_triples; i++) {
		max_c = triples[i].h > max_c ? triples[i].h : max_c;
		max_c = triples[i].t > max_c ? triples[i].t : max_c;
		max_r = triples[i].r > max_r ? triples[i].r : max_r;
	}
	for (size_t i = 0; i < n_prev_ent; i++)
		max_c = prev_ent[i] > max_c ? prev_ent[i] : max_c;
	for (size_t i = 0; i < n_relations; i++)
		max_r = relations[i].id > max_r ? relations[i].id : max_r;
	for (size_t i = 0; i < n_prev_rel; i++)
		max_r = prev_rel[i] > max_r ? prev_rel[i] : max_r;
	const size_t nc = (size_t)max_c + 1, nr = (size_t)max_r + 1;

	int32_t *cidx = xmalloc(nc * sizeof(int32_t));    /* concept id -> concepts[] */
	int64_t *cfreq = xcalloc(nc, sizeof(int64_t));     /* occurrences in kept triples */
	int32_t *cnum = xmalloc(nc * sizeof(int32_t));     /* concept id -> entity id */
	uint8_t *kept = xcalloc(nc, 1);
	const char **rname = xcalloc(nr, sizeof(char *));
	int64_t *rfreq = xcalloc(nr, sizeof(int64_t));
	int32_t *rnum = xmalloc(nr * sizeof(int32_t));
	int64_t *fresh = NULL;
	for (size_t i = 0; i < nc; i++)
		cidx[i] = cnum[i] = -1;
	for (size_t i = 0; i < nr; i++)
		rnum[i] = -1;
	for (size_t i = 0; i < n_concepts; i++) {
		if (concepts[i].id < 0 || cidx[concepts[i].id] >= 0) {
			error("concept id %lld is negative or listed twice", (long long)concepts[i].id);
			goto out;
		}
		cidx[concepts[i].id] = (int32_t)i;
		if (concepts[i].mentions >= min_count) {
			kept[concepts[i].id] = 1;
			sel->n_candidates++;
		}
	}
	for (size_t i = 0; i < n_relations; i++)
		if (relations[i].id >= 0)
			rname[relations[i].id] = relations[i].name;
	for (size_t i = 0; i < n_prev_ent; i++) {
		int64_t c = prev_ent[i];
		if (c < 0 || cidx[c] < 0) {
			error("entity %zu of the previous export is no longer in the store (use --renumber)",
			      i);
			goto out;
		}
		if (cnum[c] >= 0) {
			error("entity %zu of the previous export repeats entity %d", i, cnum[c]);
			goto out;
		}
		cnum[c] = (int32_t)i;
		if (!kept[c])
			sel->n_retained++;
		kept[c] = 1;
	}
	for (size_t i = 0; i < n_prev_rel; i++) {
		int64_t r = prev_rel[i];
		if (r < 0 || !rname[r] || rnum[r] >= 0) {
			error("relation %zu of the previous export is no longer in the store (use "
			      "--renumber)",
			      i);
			goto out;
		}
		rnum[r] = (int32_t)i;
	}
	sel->n_previous = n_prev_ent;
	if (sel->n_candidates == 0 && n_prev_ent == 0) {
		error("no concept is mentioned %lld or more times (lower --min-count)",
		      (long long)min_count);
		goto out;
	}

	size_t n_kept = 0;
	for (size_t i = 0; i < n_triples; i++) {
		const struct sel_triple *x = &triples[i];
		if (x->h < 0 || x->t < 0 || x->r < 0 || !kept[x->h] || !kept[x->t])
			continue;
		if (cidx[x->h] < 0 || cidx[x->t] < 0 || !rname[x->r]) {
			error("triple (%lld, %lld, %lld) names an unknown concept or relation",
			      (long long)x->h, (long long)x->r, (long long)x->t);
			goto out;
		}
		cfreq[x->h]++;
		cfreq[x->t]++;
		rfreq[x->r]++;
		n_kept++;
	}
	if (n_kept == 0 && n_prev_ent == 0) {
		error("no triple joins two of the %zu concepts mentioned %lld or more times (lower "
		      "--min-count)",
		      sel->n_candidates, (long long)min_count);
		goto out;
	}

	/* entities: the previous ones in their order, then the new ones */
	size_t n_fresh = 0;
	fresh = xmalloc((nc > nr ? nc : nr) * sizeof(int64_t));
	for (size_t c = 0; c < nc; c++)
		if (cfreq[c] > 0 && cnum[c] < 0)
			fresh[n_fresh++] = (int64_t)c;
	sort_concepts = concepts;
	sort_concept_idx = cidx;
	sort_freq = cfreq;
	qsort(fresh, n_fresh, sizeof(int64_t), cmp_new_entity);
	sel->n_ent = n_prev_ent + n_fresh;
	sel->ent = xmalloc((sel->n_ent ? sel->n_ent : 1) * sizeof(int64_t));
	sel->ent_freq = xmalloc((sel->n_ent ? sel->n_ent : 1) * sizeof(int64_t));
	for (size_t i = 0; i < n_prev_ent; i++)
		sel->ent[i] = prev_ent[i];
	for (size_t i = 0; i < n_fresh; i++) {
		sel->ent[n_prev_ent + i] = fresh[i];
		cnum[fresh[i]] = (int32_t)(n_prev_ent + i);
	}
	for (size_t i = 0; i < sel->n_ent; i++)
		sel->ent_freq[i] = cfreq[sel->ent[i]];

	/* relations likewise */
	n_fresh = 0;
	for (size_t r = 0; r < nr; r++)
		if (rfreq[r] > 0 && rnum[r] < 0)
			fresh[n_fresh++] = (int64_t)r;
	sort_freq = rfreq;
	sort_rel_name = rname;
	qsort(fresh, n_fresh, sizeof(int64_t), cmp_new_relation);
	sel->n_rel = n_prev_rel + n_fresh;
	sel->rel = xmalloc((sel->n_rel ? sel->n_rel : 1) * sizeof(int64_t));
	for (size_t i = 0; i < n_prev_rel; i++)
		sel->rel[i] = prev_rel[i];
	for (size_t i = 0; i < n_fresh; i++) {
		sel->rel[n_prev_rel + i] = fresh[i];
		rnum[fresh[i]] = (int32_t)(n_prev_rel + i);
	}

	sel->edges = xmalloc((n_kept ? n_kept : 1) * sizeof(struct triple));
	for (size_t i = 0; i < n_triples; i++) {
		const struct sel_triple *x = &triples[i];
		if (x->h < 0 || x->t < 0 || x->r < 0 || !kept[x->h] || !kept[x->t])
			continue;
		sel->edges[sel->n_edges++] = (struct triple){ cnum[x->h], cnum[x->t], rnum[x->r] };
	}
	qsort(sel->edges, sel->n_edges, sizeof(struct triple), cmp_edge);
	size_t k = 0;
	for (size_t i = 0; i < sel->n_edges; i++)
		if (k == 0 || cmp_edge(&sel->edges[k - 1], &sel->edges[i]) != 0)
			sel->edges[k++] = sel->edges[i];
	sel->n_edges = k;
	rc = 0;
out:
	sort_concepts = NULL;
	sort_concept_idx = NULL;
	sort_freq = NULL;
	sort_rel_name = NULL;
	free(cidx);
	free(cfreq);
	free(cnum);
	free(kept);
	free(rname);
	free(rfreq);
	free(rnum);
	free(fresh);
	if (rc < 0)
		selection_release(sel);
	return rc;
}
