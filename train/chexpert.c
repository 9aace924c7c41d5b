#include "chexpert.h"
#include "../store/mentions.h"
#include "../common/buf.h"
#include "../common/util.h"
#include "../extract/context.h"

#include <stdlib.h>
#include <string.h>

const char *const chexpert_names[CHEXPERT_N] = {
	"Atelectasis", "Cardiomegaly", "Consolidation", "Edema", "Enlarged Cardiomediastinum",
	"Fracture", "Lung Lesion", "Lung Opacity", "No Finding", "Pleural Effusion",
	"Pleural Other", "Pneumonia", "Pneumothorax", "Support Devices",
};

#define D CXR_DESCENDANTS
#define U CXR_UNCERTAIN
#define NONE CXR_NONE

/*
 * Observation -> concepts. CUIs outside C9000001-C9000999 are real UMLS
 * CUIs; the others are the demo knowledge base's own (data/demo: concepts
 * it knows no real CUI for), so that the demo store labels like a real
 * one. What each observation covers follows the CheXpert labeller's
 * mention phrases (and the conventions of tests/fixtures/iu_chexpert):
 *
 *   Atelectasis       atelectasis and its kinds, collapse
 *   Cardiomegaly      cardiomegaly, enlarged heart or cardiac silhouette,
 *                     chamber enlargement
 *   Consolidation     consolidation
 *   Edema             edema, pulmonary edema; heart failure (CHF);
 *                     vascular congestion at most uncertain
 *   Enlarged Card.    enlarged cardiomediastinum, widened mediastinum,
 *                     mediastinal adenopathy
 *   Fracture          fractures of every kind
 *   Lung Lesion       nodule, mass, neoplasm, cavitary lesion; not a
 *                     calcified nodule or granuloma
 *   Lung Opacity      opacity, density, infiltrate, airspace disease,
 *                     interstitial markings, scarring, bronchial wall
 *                     thickening
 *   Pleural Effusion  pleural effusion and its kinds; a blunted
 *                     costophrenic angle at most uncertain
 *   Pleural Other     pleural thickening, plaque, calcification; fibrosis
 *   Pneumonia         pneumonia and its kinds, infection (the concept
 *                     alone: not tuberculosis or sepsis)
 *   Pneumothorax      pneumothorax and its kinds
 *   Support Devices   every support device (tubes, lines, catheters,
 *                     pacemakers, wires, clips, hardware, valves, leads);
 *                     sternotomy, CABG and valve replacement (the
 *                     wires, clips and valves they leave)
 *
 * No Finding has no concepts: it is derived (chexpert.h).
 */
const struct chexpert_rule chexpert_rules[] = {
	{ CX_ATELECTASIS, "C0004144", "Atelectasis", D },
	{ CX_CARDIOMEGALY, "C0018800", "Cardiomegaly", D },
	{ CX_CONSOLIDATION, "C0521530", "Lung consolidation", D },
	{ CX_EDEMA, "C0013604", "Edema", D },
	{ CX_EDEMA, "C0034063", "Pulmonary edema", D },
	{ CX_EDEMA, "C0018801", "Heart failure", D },
	{ CX_EDEMA, "C9000149", "Pulmonary vascular congestion", D | U },
	{ CX_ENLARGED_CARDIOMEDIASTINUM, "C9000090", "Enlarged cardiomediastinum", D },
	{ CX_ENLARGED_CARDIOMEDIASTINUM, "C9000092", "Mediastinal widening", D },
	{ CX_ENLARGED_CARDIOMEDIASTINUM, "C9000180", "Mediastinal lymphadenopathy", D },
	{ CX_FRACTURE, "C0016658", "Fracture", D },
	{ CX_LUNG_LESION, "C9000095", "Lung lesion", D },
	{ CX_LUNG_LESION, "C0028259", "Nodule", D },
	{ CX_LUNG_LESION, "C0034079", "Pulmonary nodule", D },
	{ CX_LUNG_LESION, "C0577559", "Mass", D },
	{ CX_LUNG_LESION, "C0027651", "Neoplasm", D },
	{ CX_LUNG_LESION, "C9000176", "Cavitation", D },
	{ CX_LUNG_LESION, "C9000169", "Calcified nodule", NONE },
	{ CX_LUNG_LESION, "C9000155", "Pulmonary bulla", NONE },
	{ CX_LUNG_LESION, "C9000175", "Lung cyst", NONE },
	{ CX_LUNG_OPACITY, "C9000097", "Lung opacity", D },
	{ CX_LUNG_OPACITY, "C9000096", "Opacity", 0 },
	{ CX_LUNG_OPACITY, "C9000102", "Airspace disease", D },
	{ CX_LUNG_OPACITY, "C9000103", "Pulmonary infiltrate", D },
	{ CX_LUNG_OPACITY, "C9000160", "Interstitial markings", D },
	{ CX_LUNG_OPACITY, "C0008767", "Scarring", D },
	{ CX_LUNG_OPACITY, "C9000159", "Bronchial wall thickening", D },
	{ CX_PLEURAL_EFFUSION, "C0032227", "Pleural effusion", D },
	{ CX_PLEURAL_EFFUSION, "C9000146", "Blunting of costophrenic angle", D | U },
	{ CX_PLEURAL_OTHER, "C9000140", "Pleural other", D },
	{ CX_PLEURAL_OTHER, "C0016059", "Fibrosis", D },
	{ CX_PNEUMONIA, "C0032285", "Pneumonia", D },
	{ CX_PNEUMONIA, "C9000105", "Infection", 0 },
	{ CX_PNEUMOTHORAX, "C0032326", "Pneumothorax", D },
	{ CX_SUPPORT_DEVICES, "C9000226", "Support device", D },
	{ CX_SUPPORT_DEVICES, "C0030163", "Artificial cardiac pacemaker", D },
	{ CX_SUPPORT_DEVICES, "C0038257", "Stent", D },
	{ CX_SUPPORT_DEVICES, "C9000267", "Median sternotomy", D },
	{ CX_SUPPORT_DEVICES, "C0010055", "Coronary artery bypass surgery", D },
	{ CX_SUPPORT_DEVICES, "C9000271", "Heart valve replacement", D },
};
const size_t chexpert_n_rules = ARRAY_SIZE(chexpert_rules);

#undef D
#undef U
#undef NONE

void chexpert_map_add(struct chexpert_map *m, int64_t concept, int obs, int cap, int own)
{
	XGROW(m->v, m->cap_v, m->n + 1);
	m->v[m->n++] = (struct chexpert_entry){ concept, (uint8_t)obs, (int8_t)cap, (uint8_t)own };
}

void chexpert_map_release(struct chexpert_map *m)
{
	free(m->v);
	memset(m, 0, sizeof(*m));
}

static int entry_cmp(const void *a, const void *b)
{
	const struct chexpert_entry *x = a, *y = b;
	if (x->concept != y->concept)
		return x->concept < y->concept ? -1 : 1;
	if (x->obs != y->obs)
		return x->obs - y->obs;
	return y->own - x->own; /* own first */
}

/* Sort by (concept, observation) and keep one entry per pair: the own one,
 * else the least restrictive inherited one. */
void chexpert_map_finish(struct chexpert_map *m)
{
	qsort(m->v, m->n, sizeof(*m->v), entry_cmp);
	size_t k = 0;
	for (size_t i = 0; i < m->n; i++) {
		struct chexpert_entry *e = &m->v[i];
		if (k && m->v[k - 1].concept == e->concept && m->v[k - 1].obs == e->obs) {
			struct chexpert_entry *kept = &m->v[k - 1];
			if (!kept->own && !e->own && e->cap > kept->cap)
				kept->cap = e->cap;
			continue;
		}
		m->v[k++] = *e;
	}
	m->n = k;
}

int chexpert_map_load(struct chexpert_map *m, struct store *st)
{
	memset(m, 0, sizeof(*m));
	int rc = -1;
	sqlite3_stmt *id_q = store_prepare(st, "SELECT id FROM concepts WHERE cui = ?");
	/* is-a descendants: "child isa parent" (and UMLS CHD rows without a
	 * RELA) are triples head = child, tail = parent */
	sqlite3_stmt *desc_q = store_prepare(st,
		"WITH RECURSIVE rel(id) AS (SELECT id FROM relations WHERE name = 'isa' OR "
		"name = 'CHD'), d(id) AS (SELECT ?1 UNION SELECT t.head FROM triples t JOIN d "
		"ON t.tail = d.id WHERE t.relation IN (SELECT id FROM rel)) "
		"SELECT id FROM d WHERE id <> ?1");
	if (!id_q || !desc_q)
		goto out;
	for (size_t i = 0; i < chexpert_n_rules; i++) {
		const struct chexpert_rule *r = &chexpert_rules[i];
		sqlite3_bind_text(id_q, 1, r->cui, -1, SQLITE_STATIC);
		int got = sqlite3_step(id_q);
		int64_t id = got == SQLITE_ROW ? sqlite3_column_int64(id_q, 0) : 0;
		sqlite3_reset(id_q);
		if (got != SQLITE_ROW && got != SQLITE_DONE) {
			store_error(st, "chexpert concepts");
			goto out;
		}
		if (got != SQLITE_ROW)
			continue;
		m->n_rules_found++;
		int cap = r->flags & CXR_NONE ? CHEXPERT_BLANK
			: r->flags & CXR_UNCERTAIN ? CHEXPERT_UNCERTAIN : CHEXPERT_POSITIVE;
		chexpert_map_add(m, id, r->obs, cap, 1);
		if (!(r->flags & CXR_DESCENDANTS))
			continue;
		sqlite3_bind_int64(desc_q, 1, id);
		while ((got = sqlite3_step(desc_q)) == SQLITE_ROW)
			chexpert_map_add(m, sqlite3_column_int64(desc_q, 0), r->obs, cap, 0);
		sqlite3_reset(desc_q);
		if (got != SQLITE_DONE) {
			store_error(st, "chexpert descendants");
			goto out;
		}
	}
	chexpert_map_finish(m);
	rc = 0;
out:
	sqlite3_finalize(id_q);
	sqlite3_finalize(desc_q);
	if (rc < 0)
		chexpert_map_release(m);
	return rc;
}

/* The entries of a concept: m->v[*first .. *first + n). */
static size_t map_find(const struct chexpert_map *m, int64_t concept, size_t *first)
{
	size_t lo = 0, hi = m->n;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;
		if (m->v[mid].concept < concept)
			lo = mid + 1;
		else
			hi = mid;
	}
	size_t k = lo;
	while (k < m->n && m->v[k].concept == concept)
		k++;
	*first = lo;
	return k - lo;
}

/* Rank of a value within a report: positive > uncertain > negative > blank. */
static int rank(int v)
{
	switch (v) {
	case CHEXPERT_POSITIVE: return 3;
	case CHEXPERT_UNCERTAIN: return 2;
	case CHEXPERT_NEGATIVE: return 1;
	default: return 0;
	}
}

void chexpert_label(const struct chexpert_map *m, const struct chexpert_mention *x, size_t n,
		    signed char out[CHEXPERT_N])
{
	for (int k = 0; k < CHEXPERT_N; k++)
		out[k] = CHEXPERT_BLANK;
	for (size_t i = 0; i < n; i++) {
		size_t first, ne = map_find(m, x[i].concept, &first);
		int v = x[i].polarity == POL_NEGATED ? CHEXPERT_NEGATIVE
			: x[i].polarity == POL_UNCERTAIN || x[i].hypothetical ? CHEXPERT_UNCERTAIN
			: CHEXPERT_POSITIVE;
		for (size_t k = first; k < first + ne; k++) {
			const struct chexpert_entry *e = &m->v[k];
			if (e->cap == CHEXPERT_BLANK)
				continue;
			int w = v == CHEXPERT_POSITIVE && e->cap == CHEXPERT_UNCERTAIN ? CHEXPERT_UNCERTAIN : v;
			if (rank(w) > rank(out[e->obs]))
				out[e->obs] = (signed char)w;
		}
	}
	int finding = 0;
	for (int k = 0; k < CHEXPERT_N; k++)
		if (k != CX_NO_FINDING && k != CX_SUPPORT_DEVICES &&
		    (out[k] == CHEXPERT_POSITIVE || out[k] == CHEXPERT_UNCERTAIN))
			finding = 1;
	out[CX_NO_FINDING] = finding ? CHEXPERT_BLANK : CHEXPERT_POSITIVE;
}

/* The mentions that count, of one report (statement bound by the caller). */
#define MENTIONS_SQL                                                                      \
	"SELECT m.concept, m.polarity, m.hypothetical FROM reports p CROSS JOIN mentions m "  \
	"ON " MENTIONS_OF("p", "m") " WHERE p.id = ? AND (m.section = 'findings' "          \
	"OR m.section = 'impression' OR m.section = 'report')"

static int polarity_of(const unsigned char *s)
{
	if (s && !strcmp((const char *)s, "negated"))
		return POL_NEGATED;
	if (s && !strcmp((const char *)s, "uncertain"))
		return POL_UNCERTAIN;
	return POL_AFFIRMED;
}

static int label_with(const struct chexpert_map *m, struct store *st, sqlite3_stmt *q,
		      int64_t report, struct chexpert_mention **x, size_t *cap,
		      signed char out[CHEXPERT_N])
{
	size_t n = 0;
	int got;
	sqlite3_bind_int64(q, 1, report);
	while ((got = sqlite3_step(q)) == SQLITE_ROW) {
		XGROW(*x, *cap, n + 1);
		(*x)[n++] = (struct chexpert_mention){ sqlite3_column_int64(q, 0),
						       polarity_of(sqlite3_column_text(q, 1)),
						       sqlite3_column_int(q, 2) };
	}
	sqlite3_reset(q);
	if (got != SQLITE_DONE)
		return store_error(st, "mentions");
	chexpert_label(m, *x, n, out);
	return 0;
}

int chexpert_label_report(const struct chexpert_map *m, struct store *st, int64_t report,
			  signed char out[CHEXPERT_N])
{
	sqlite3_stmt *q = store_prepare(st, MENTIONS_SQL);
	if (!q)
		return -1;
	struct chexpert_mention *x = NULL;
	size_t cap = 0;
	int rc = label_with(m, st, q, report, &x, &cap, out);
	free(x);
	sqlite3_finalize(q);
	return rc;
}

/* A CSV field: quoted when it holds a comma, a quote or a line break. */
static void add_field(struct buf *b, const char *s)
{
	if (!strpbrk(s, ",\"\r\n")) {
		buf_adds(b, s);
		return;
	}
	buf_addc(b, '"');
	for (; *s; s++) {
		if (*s == '"')
			buf_addc(b, '"');
		buf_addc(b, *s);
	}
	buf_addc(b, '"');
}

int chexpert_write_csv(const struct chexpert_map *m, struct store *st, const char *source,
		       FILE *out, struct chexpert_counts *counts)
{
	memset(counts, 0, sizeof(*counts));
	struct buf line = BUF_INIT;
	struct chexpert_mention *x = NULL;
	size_t cap = 0;
	int rc = -1, got;
	sqlite3_stmt *r = store_prepare(st, "SELECT id, external_id FROM reports WHERE "
					    "?1 IS NULL OR source = ?1 ORDER BY id");
	sqlite3_stmt *q = store_prepare(st, MENTIONS_SQL);
	if (!r || !q)
		goto out;
	if (source)
		sqlite3_bind_text(r, 1, source, -1, SQLITE_STATIC);
	buf_adds(&line, "subject_id,study_id");
	for (int k = 0; k < CHEXPERT_N; k++)
		buf_addf(&line, ",%s", chexpert_names[k]);
	buf_addc(&line, '\n');
	while ((got = sqlite3_step(r)) == SQLITE_ROW) {
		signed char v[CHEXPERT_N];
		if (label_with(m, st, q, sqlite3_column_int64(r, 0), &x, &cap, v) < 0)
			goto out;
		buf_addc(&line, ',');
		add_field(&line, (const char *)sqlite3_column_text(r, 1));
		for (int k = 0; k < CHEXPERT_N; k++) {
			static const char *const text[] = { "", "-1.0", "0.0", "1.0" };
			buf_addc(&line, ',');
			buf_adds(&line, text[v[k] + 2]);
			counts->v[k][v[k] == CHEXPERT_POSITIVE ? 0 : v[k] == CHEXPERT_NEGATIVE ? 1
				     : v[k] == CHEXPERT_UNCERTAIN ? 2 : 3]++;
		}
		buf_addc(&line, '\n');
		counts->reports++;
		if (fwrite(line.p, 1, line.len, out) != line.len) {
			error("cannot write the labels: output error");
			goto out;
		}
		buf_reset(&line);
	}
	if (got != SQLITE_DONE) {
		store_error(st, "reports");
		goto out;
	}
	if (line.len && fwrite(line.p, 1, line.len, out) != line.len) {
		error("cannot write the labels: output error");
		goto out;
	}
	rc = 0;
out:
	buf_release(&line);
	free(x);
	sqlite3_finalize(r);
	sqlite3_finalize(q);
	return rc;
}
