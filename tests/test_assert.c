/* Radiology assertions end to end: sentences extracted with the demo
 * knowledge base, each expected mention checked in the store by its exact
 * span (text[start:end]), concept, polarity, hedge and hypothetical flag:
 * "clear of", lists under one trigger, hedge strengths, alternatives,
 * recommendations and conditions, predicative findings. */
#include "testhelp.h"
#include "tests.h"
#include "../common/buf.h"
#include "../extract/context.h"
#include "../extract/extract.h"
#include "../store/store.h"

#include <stdlib.h>

enum { ABSENT = -1 };

struct assert_case {
	const char *id, *text;
	const char *surface;     /* the mention's text: its first occurrence */
	const char *concept;     /* preferred name */
	int polarity;            /* enum polarity, or ABSENT: no such mention */
	int hedge;               /* enum hedge */
	int hyp;
};

#define A(id, text, surface, concept, pol, hedge, hyp) \
	{ id, text, surface, concept, pol, hedge, hyp }
#define D HEDGE_DEFINITE
#define PB HEDGE_PROBABLE
#define PS HEDGE_POSSIBLE
#define AFF POL_AFFIRMED
#define NEG POL_NEGATED
#define UNC POL_UNCERTAIN

static const struct assert_case cases[] = {
	/* "clear of": the whole list is negated, and the lungs' own state
	 * says there is no lung opacity */
	A("assert-clear-1.1", "The lungs are clear of focal airspace disease, pneumothorax, or pleural effusion.",
	  "airspace disease", "Airspace disease", NEG, D, 0),
	A("assert-clear-1.2", "The lungs are clear of focal airspace disease, pneumothorax, or pleural effusion.",
	  "pneumothorax", "Pneumothorax", NEG, D, 0),
	A("assert-clear-1.3", "The lungs are clear of focal airspace disease, pneumothorax, or pleural effusion.",
	  "pleural effusion", "Pleural effusion", NEG, D, 0),
	A("assert-clear-1.4", "The lungs are clear of focal airspace disease, pneumothorax, or pleural effusion.",
	  "clear", "Lung opacity", NEG, D, 0),
	A("assert-clear-1.5", "Lungs clear of infiltrates.", "infiltrates", "Pulmonary infiltrate", NEG, D, 0),
	/* lists under one trigger, however long */
	A("assert-list-1.1", "No pneumothorax, pleural effusion, or focal consolidation.", "consolidation",
	  "Lung consolidation", NEG, D, 0),
	A("assert-list-1.2", "No pneumonia, effusions, edema, pneumothorax, adenopathy, nodules or masses.",
	  "masses", "Mass", NEG, D, 0),
	A("assert-list-1.3", "No pneumonia, effusions, edema, pneumothorax, adenopathy, nodules or masses.",
	  "nodules", "Nodule", NEG, D, 0),
	A("assert-list-1.4", "Without evidence of focal airspace disease, pleural effusion, or pneumothorax.",
	  "pneumothorax", "Pneumothorax", NEG, D, 0),
	A("assert-list-1.5", "No pneumothorax or pleural effusion.", "pleural effusion", "Pleural effusion",
	  NEG, D, 0),
	/* hedges: probable ones keep the finding affirmed, possible ones do
	 * not */
	A("assert-hedge-1.1", "Opacity consistent with pneumonia.", "pneumonia", "Pneumonia", AFF, PB, 0),
	A("assert-hedge-1.2", "Opacity consistent with pneumonia.", "Opacity", "Opacity", AFF, D, 0),
	A("assert-hedge-1.3", "Findings most consistent with atelectasis.", "atelectasis", "Atelectasis",
	  AFF, PB, 0),
	A("assert-hedge-1.4", "Streaky opacity compatible with scarring.", "scarring", "Scarring", AFF, PB, 0),
	A("assert-hedge-1.5", "Pneumonia is likely.", "Pneumonia", "Pneumonia", AFF, PB, 0),
	A("assert-hedge-1.6", "Possible small left pleural effusion.", "left pleural effusion",
	  "Left pleural effusion", UNC, PS, 0),
	A("assert-hedge-1.7", "Probable right lower lobe pneumonia.", "right lower lobe pneumonia",
	  "Right lower lobe pneumonia", UNC, PS, 0),
	A("assert-hedge-1.8", "Pneumonia cannot be excluded.", "Pneumonia", "Pneumonia", UNC, PS, 0),
	A("assert-hedge-1.9", "Borderline cardiomegaly.", "cardiomegaly", "Cardiomegaly", UNC, PS, 0),
	/* alternatives */
	A("assert-alt-1.1", "Bibasilar atelectasis/airspace disease.", "airspace disease", "Airspace disease",
	  UNC, PS, 0),
	A("assert-alt-1.2", "Bibasilar atelectasis/airspace disease.", "Bibasilar atelectasis", "Bibasilar atelectasis",
	  UNC, PS, 0),
	A("assert-alt-1.3", "Scarring, atelectasis, or infiltrate in the left base.", "Scarring", "Scarring",
	  UNC, PS, 0),
	A("assert-alt-1.4", "Scarring, atelectasis, or infiltrate in the left base.", "infiltrate",
	  "Pulmonary infiltrate", UNC, PS, 0),
	A("assert-alt-1.5", "Atelectasis and/or small effusion.", "effusion", "Pleural effusion", UNC, PS, 0),
	A("assert-alt-1.6", "Atelectasis and effusion.", "effusion", "Pleural effusion", AFF, D, 0),
	/* recommendations and conditions */
	A("assert-hyp-1.1", "Correlate clinically for pneumonia.", "pneumonia", "Pneumonia", UNC, D, 1),
	A("assert-hyp-1.2", "Follow-up radiograph to exclude pneumonia is recommended.", "pneumonia",
	  "Pneumonia", UNC, D, 1),
	A("assert-hyp-1.3", "If symptoms persist, chest CT is recommended.", "chest CT", "CT of chest",
	  UNC, D, 1),
	A("assert-hyp-1.4", "Right lower lobe pneumonia. Recommend follow-up radiograph.",
	  "Right lower lobe pneumonia", "Right lower lobe pneumonia", AFF, D, 0),
	A("assert-hyp-1.5", "Right lower lobe pneumonia. Recommend follow-up radiograph.", "radiograph",
	  "Radiography", UNC, D, 1),
	/* a negation ends the scope of a recommendation */
	A("assert-hyp-1.6", "Evaluate for pneumonia, no effusion.", "effusion", "Pleural effusion", NEG, D, 0),
	A("assert-hyp-1.7", "Evaluate for pneumonia, no effusion.", "pneumonia", "Pneumonia", UNC, D, 1),
	/* predicative findings: the state phrase is the span */
	A("assert-pred-1.1", "The heart size is mildly enlarged.", "mildly enlarged", "Cardiomegaly", AFF, D, 0),
	A("assert-pred-1.2", "The heart is not enlarged.", "enlarged", "Cardiomegaly", NEG, D, 0),
	A("assert-pred-1.3", "Heart size may be mildly enlarged.", "mildly enlarged", "Cardiomegaly", UNC, PS, 0),
	A("assert-pred-1.4", "The heart size is upper limits of normal.", "upper limits of normal",
	  "Cardiomegaly", UNC, PS, 0),
	A("assert-pred-1.5", "Heart size and mediastinal contours are within normal limits.",
	  "within normal limits", "Cardiomegaly", NEG, D, 0),
	A("assert-pred-1.6", "Heart size and mediastinal contours are within normal limits.",
	  "within normal limits", "Enlarged cardiomediastinum", NEG, D, 0),
	A("assert-pred-1.7", "The heart, pulmonary XXXX and mediastinum are within normal limits.",
	  "within normal limits", "Cardiomegaly", NEG, D, 0),
	A("assert-pred-1.8", "Normal heart size.", "Normal", "Cardiomegaly", NEG, D, 0),
	A("assert-pred-1.9", "Normal heart size and mediastinal contours.", "Normal",
	  "Enlarged cardiomediastinum", NEG, D, 0),
	A("assert-pred-1.10", "Stable cardiomediastinal silhouette.", "Stable", "Enlarged cardiomediastinum",
	  UNC, PS, 0),
	A("assert-pred-2.1", "The lungs are hyperinflated.", "hyperinflated", "Hyperinflation", AFF, D, 0),
	A("assert-pred-2.2", "Lungs are mildly hyperexpanded but clear.", "hyperexpanded", "Hyperinflation",
	  AFF, D, 0),
	A("assert-pred-2.3", "Lungs are mildly hyperexpanded but clear.", "clear", "Lung opacity", NEG, D, 0),
	A("assert-pred-2.4", "Clear lungs.", "Clear", "Lung opacity", NEG, D, 0),
	A("assert-pred-2.5", "Normal cardiac silhouette and clear lungs.", "clear", "Lung opacity", NEG, D, 0),
	A("assert-pred-2.6", "The lungs are otherwise clear.", "clear", "Lung opacity", NEG, D, 0),
	A("assert-pred-2.7", "No effusion and the lungs are clear.", "clear", "Lung opacity", NEG, D, 0),
	A("assert-pred-2.8", "The lung volumes are low.", "low", "Low lung volumes", AFF, D, 0),
	A("assert-pred-3.1", "The costophrenic angles are blunted.", "blunted", "Blunting of costophrenic angle",
	  AFF, D, 0),
	A("assert-pred-3.2", "The costophrenic angles are sharp.", "sharp", "Pleural effusion", NEG, D, 0),
	A("assert-pred-3.3", "There is no focal consolidation and the heart is enlarged.", "enlarged",
	  "Cardiomegaly", AFF, D, 0),
	A("assert-pred-3.4", "Mild increase in perihilar markings.", "increase", "Interstitial markings",
	  AFF, D, 0),
	/* what gives no predicative finding: one lung only, a term that says
	 * it already, a state with no anatomy */
	A("assert-pred-4.1", "The right lung is clear.", "clear", "Lung opacity", ABSENT, D, 0),
	A("assert-pred-4.2", "The heart is enlarged but the lungs are clear.", "enlarged", "Lung opacity",
	  ABSENT, D, 0),
	A("assert-pred-4.3", "No large pleural effusion.", "large", "Cardiomegaly", ABSENT, D, 0),
};

#undef A
#undef D
#undef PB
#undef PS
#undef AFF
#undef NEG
#undef UNC

/* The reports as a CSV file: id, report (the case's index). */
static const char *write_reports(void)
{
	struct buf b = BUF_INIT;
	buf_adds(&b, "id,report\n");
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		buf_addf(&b, "r%zu,\"", i);
		for (const char *p = cases[i].text; *p; p++) {
			if (*p == '"')
				buf_addc(&b, '"');
			buf_addc(&b, *p);
		}
		buf_adds(&b, "\"\n");
	}
	const char *path = test_file("assert.csv", b.p, b.len, 0);
	buf_release(&b);
	return path;
}

void test_assert(void)
{
	struct store st;
	if (test_store_demo(&st, "assert") < 0) {
		CHECK("assert-0.1", 0);
		return;
	}
	struct extract_options o;
	memset(&o, 0, sizeof o);
	struct extract_stats s;
	char *in[] = { (char *)write_reports() };
	CHECK_INT("assert-0.2", extract_run(&st, in, 1, &o, &s), 0);
	free(s.dict.filters);
	CHECK_INT("assert-0.3", s.added, (long long)ARRAY_SIZE(cases));
	sqlite3_stmt *q = store_prepare(&st,
		"SELECT m.start, m.end, m.polarity, m.hedge, m.hypothetical, "
		"substr(r.text, m.start + 1, m.end - m.start) FROM mentions m JOIN reports r ON "
		"r.id = m.report JOIN concepts c ON c.id = m.concept WHERE r.external_id = ? AND "
		"c.name = ? ORDER BY m.start");
	for (size_t i = 0; q && i < ARRAY_SIZE(cases); i++) {
		const struct assert_case *c = &cases[i];
		char id[16];
		snprintf(id, sizeof id, "r%zu", i);
		const char *at = strstr(c->text, c->surface);
		long long want = at ? (long long)(at - c->text) : -1, start = -1, end = -1;
		int found = 0, pol = -1, hyp = -1;
		char hedge[16] = "", surface[128] = "";
		sqlite3_bind_text(q, 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_text(q, 2, c->concept, -1, SQLITE_STATIC);
		while (sqlite3_step(q) == SQLITE_ROW) {
			if (sqlite3_column_int64(q, 0) != want)
				continue;
			found = 1;
			start = sqlite3_column_int64(q, 0);
			end = sqlite3_column_int64(q, 1);
			const char *p = (const char *)sqlite3_column_text(q, 2);
			pol = !strcmp(p, "negated") ? POL_NEGATED : !strcmp(p, "uncertain") ? POL_UNCERTAIN
										     : POL_AFFIRMED;
			snprintf(hedge, sizeof hedge, "%s", (const char *)sqlite3_column_text(q, 3));
			hyp = sqlite3_column_int(q, 4);
			snprintf(surface, sizeof surface, "%s", (const char *)sqlite3_column_text(q, 5));
		}
		sqlite3_reset(q);
		if (c->polarity == ABSENT) {
			CHECK_INT(c->id, found, 0);
			continue;
		}
		CHECK_INT(test_id("%s.found", c->id), found, 1);
		if (!found)
			continue;
		/* text[start:end] is the surface, at its first occurrence */
		CHECK_STR(test_id("%s.span", c->id), surface, c->surface);
		CHECK_INT(test_id("%s.end", c->id), end - start, (long long)strlen(c->surface));
		CHECK_STR(c->id, polarity_name(pol), polarity_name(c->polarity));
		CHECK_STR(test_id("%s.hedge", c->id), hedge, hedge_name(c->hedge));
		CHECK_INT(test_id("%s.hyp", c->id), hyp, c->hyp);
	}
	sqlite3_finalize(q);
	/* a concept a predicative finding would give but the dictionary's
	 * filters leave out is not given: Lung opacity is T033, not T047 */
	struct store f;
	test_store_demo(&f, "assert-tui");
	char *types[] = { "T047", NULL };
	o.dict.types = types;
	CHECK_INT("assert-tui-1.1", extract_run(&f, in, 1, &o, &s), 0);
	free(s.dict.filters);
	CHECK_INT("assert-tui-1.2", test_q(&f, "SELECT count(*) FROM mentions m JOIN concepts c ON "
					   "c.id = m.concept WHERE c.name = 'Lung opacity'"), 0);
	CHECK("assert-tui-1.3", test_q(&f, "SELECT count(*) FROM mentions m JOIN concepts c ON "
					   "c.id = m.concept WHERE c.name = 'Cardiomegaly'") > 5);
	store_close(&f);
	store_close(&st);
}
