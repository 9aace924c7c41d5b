/* Sections, sentences, the dictionary trie and the context rules, on
 * hand-written cases, and negation on the NegEx test set. */
#include "testhelp.h"
#include "tests.h"
#include "../common/normalize.h"
#include "../common/util.h"
#include "../extract/context.h"
#include "../extract/dict.h"
#include "../extract/readers.h"
#include "../extract/sections.h"
#include "../extract/sentences.h"

#include <stdlib.h>

static void test_sections(void)
{
	static const struct {
		const char *id, *text, *want; /* want: "name:text|name:text" */
	} cases[] = {
		{ "ctx-sections-1.1", "FINDINGS: Clear lungs. IMPRESSION: Normal.",
		  "findings:Clear lungs.|impression:Normal." },
		{ "ctx-sections-1.2", "Findings:\nClear lungs.\n\nImpression:\nNormal.",
		  "findings:Clear lungs.|impression:Normal." },
		{ "ctx-sections-1.3", "FINDINGS\nClear lungs.\nIMPRESSION\nNormal.",
		  "findings:Clear lungs.|impression:Normal." },
		{ "ctx-sections-1.4", "EXAMINATION: CHEST PA AND LAT\nINDICATION: Cough.\nTECHNIQUE: PA.\n"
		  "COMPARISON: None.\nFINDINGS: No effusion.\nIMPRESSION: Normal.",
		  "technique:CHEST PA AND LAT|indication:Cough.|technique:PA.|comparison:None.|"
		  "findings:No effusion.|impression:Normal." },
		{ "ctx-sections-1.5", "FINAL REPORT\nClinical History: fever.\nFindings: clear.",
		  "other:FINAL REPORT|indication:fever.|findings:clear." },
		{ "ctx-sections-1.6", "The lungs are clear. No effusion.", "report:The lungs are clear. No effusion." },
		/* a heading word inside a sentence is no heading */
		{ "ctx-sections-1.7", "Findings are consistent with edema.",
		  "report:Findings are consistent with edema." },
		{ "ctx-sections-1.8", "FINDINGS: x.\nNOTIFICATION: called.\nIMPRESSION: y.",
		  "findings:x.|other:called.|impression:y." },
		{ "ctx-sections-1.9", "findings: lower case is not a heading.",
		  "report:findings: lower case is not a heading." },
		{ "ctx-sections-1.10", "REASON FOR EXAMINATION: pain\nFINDINGS: none",
		  "indication:pain|findings:none" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct report r;
		memset(&r, 0, sizeof r);
		report_add_part(&r, NULL, cases[i].text, strlen(cases[i].text));
		struct buf got = BUF_INIT;
		for (size_t k = 0; k < r.n_sec; k++)
			buf_addf(&got, "%s%s:%.*s", k ? "|" : "", r.sec[k].name,
				 (int)(r.sec[k].end - r.sec[k].start), r.text.p + r.sec[k].start);
		CHECK_STR(cases[i].id, buf_str(&got), cases[i].want);
		buf_release(&got);
		report_release(&r);
	}
	CHECK_STR("ctx-sections-2.1", section_canonical("Clinical History:", 17), "indication");
	CHECK_STR("ctx-sections-2.2", section_canonical("IMPRESSION", 10), "impression");
	CHECK("ctx-sections-2.3", section_canonical("PLAN", 4) == NULL);
}

static void test_sentences(void)
{
	static const struct {
		const char *id, *text, *want; /* sentences joined by '|' */
	} cases[] = {
		{ "ctx-sent-1.1", "No acute cardiopulmonary process.", "No acute cardiopulmonary process." },
		{ "ctx-sent-1.2", "Heart normal. Lungs clear.", "Heart normal.|Lungs clear." },
		{ "ctx-sent-1.3", "1. No effusion. 2. Stable cardiomegaly.", "1. No effusion.|2. Stable cardiomegaly." },
		{ "ctx-sent-1.4", "1. No effusion 2. Stable cardiomegaly", "1. No effusion|2. Stable cardiomegaly" },
		{ "ctx-sent-1.5", "Tip approx. 3 cm above the carina.", "Tip approx. 3 cm above the carina." },
		{ "ctx-sent-1.6", "Devices, e.g. a pacemaker, are seen. Lungs clear.",
		  "Devices, e.g. a pacemaker, are seen.|Lungs clear." },
		{ "ctx-sent-1.7", "A 3.5 cm nodule at T11-T12. No effusion.",
		  "A 3.5 cm nodule at T11-T12.|No effusion." },
		{ "ctx-sent-1.8", "XXXX-year-old with ___ pain. XXXX lungs.", "XXXX-year-old with ___ pain.|XXXX lungs." },
		{ "ctx-sent-1.9", "Right apex.There is scarring.", "Right apex.|There is scarring." },
		{ "ctx-sent-1.10", "Line one\ncontinues here.\n\nNew paragraph", "Line one\ncontinues here.|New paragraph" },
		{ "ctx-sent-1.11", "Findings:\n- effusion\n- edema", "Findings:|- effusion|- edema" },
		{ "ctx-sent-1.12", "Is there fluid? No! Clear.", "Is there fluid?|No!|Clear." },
		{ "ctx-sent-1.13", "Atelectasis vs. pneumonia. Clear.", "Atelectasis vs. pneumonia.|Clear." },
		{ "ctx-sent-1.14", "  ", "" },
		{ "ctx-sent-1.15", "DIAGNOSIS:  1) polyp  2) hernia", "DIAGNOSIS:|1) polyp|2) hernia" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		const char *t = cases[i].text;
		struct span *s = NULL;
		size_t n = 0, cap = 0;
		sentences_split(t, 0, strlen(t), &s, &n, &cap);
		struct buf got = BUF_INIT;
		for (size_t k = 0; k < n; k++)
			buf_addf(&got, "%s%.*s", k ? "|" : "", (int)(s[k].end - s[k].start), t + s[k].start);
		CHECK_STR(cases[i].id, buf_str(&got), cases[i].want);
		buf_release(&got);
		free(s);
	}
	const char *g = "a, b; c-d (e)";
	CHECK_INT("ctx-gap-1.1", gap_classify(g, 1, 3), GAP_COMMA);
	CHECK_INT("ctx-gap-1.2", gap_classify(g, 4, 6), GAP_STOP);
	CHECK_INT("ctx-gap-1.3", gap_classify(g, 7, 8), GAP_JOIN);
	CHECK_INT("ctx-gap-1.4", gap_classify(g, 9, 11), GAP_PUNCT);
	CHECK_INT("ctx-gap-1.5", gap_classify("a  b", 1, 3), GAP_SPACE);
}

/* Normalize text into token ids of d, with the join flags of its gaps. */
static size_t ids_of(const struct dict *d, const char *text, uint32_t *ids, uint8_t *join, size_t max)
{
	size_t pos = 0, n = 0, prev = 0;
	struct token t;
	char norm[256];
	while (n < max && token_next(text, strlen(text), &pos, &t)) {
		size_t k = token_normalize(text + t.start, t.end - t.start, norm);
		ids[n] = dict_token(d, norm, k);
		join[n] = gap_classify(text, prev, t.start) <= GAP_JOIN;
		prev = t.end;
		n++;
	}
	return n;
}

static void test_dict(void)
{
	struct dict_builder b;
	dict_builder_init(&b);
	dict_builder_add(&b, "pleural effusion", 16, 10, 5);
	dict_builder_add(&b, "effusion", 8, 11, 5);
	dict_builder_add(&b, "left pleural effusion", 21, 12, 5);
	dict_builder_add(&b, "pleural", 7, 13, 5);
	/* one string, three concepts: lowest rank wins, then lowest payload */
	dict_builder_add(&b, "ptx", 3, 30, 7);
	dict_builder_add(&b, "ptx", 3, 21, 2);
	dict_builder_add(&b, "ptx", 3, 20, 2);
	dict_builder_add(&b, "air space disease", 17, 40, 1);
	struct dict d;
	dict_builder_finish(&b, &d);
	dict_builder_release(&b);
	CHECK_INT("ctx-dict-1.1", d.n_entries, 6);
	uint32_t ids[16], p;
	uint8_t join[16];
	size_t n = ids_of(&d, "Left pleural effusions", ids, join, 16);
	CHECK_INT("ctx-dict-1.2", dict_longest(&d, ids, join, n, &p), 3);
	CHECK_INT("ctx-dict-1.3", p, 12);
	n = ids_of(&d, "pleural thickening", ids, join, 16);
	CHECK_INT("ctx-dict-1.4", dict_longest(&d, ids, join, n, &p), 1);
	CHECK_INT("ctx-dict-1.5", p, 13);
	n = ids_of(&d, "PTX", ids, join, 16);
	dict_longest(&d, ids, join, n, &p);
	CHECK_INT("ctx-dict-1.6", p, 20);
	/* a term continues across a hyphen, never across a comma */
	n = ids_of(&d, "air-space disease", ids, join, 16);
	CHECK_INT("ctx-dict-1.7", dict_longest(&d, ids, join, n, &p), 3);
	n = ids_of(&d, "pleural, effusion", ids, join, 16);
	CHECK_INT("ctx-dict-1.8", dict_longest(&d, ids, join, n, &p), 1);
	CHECK_INT("ctx-dict-1.9", p, 13);
	/* token boundaries: "effusions" is a token, "effusionx" is not */
	n = ids_of(&d, "effusionx", ids, join, 16);
	CHECK_INT("ctx-dict-1.10", dict_longest(&d, ids, join, n, &p), 0);
	/* the block round-trips */
	void *copy = xmalloc(d.size);
	memcpy(copy, d.block, d.size);
	struct dict e;
	CHECK_INT("ctx-dict-2.1", dict_from_block(&e, copy, d.size), 0);
	n = ids_of(&e, "left pleural effusion", ids, join, 16);
	CHECK_INT("ctx-dict-2.2", dict_longest(&e, ids, join, n, &p), 3);
	dict_release(&e);
	copy = xmalloc(d.size);
	memcpy(copy, d.block, d.size);
	((char *)copy)[0] ^= 1;
	CHECK_INT("ctx-dict-2.3", dict_from_block(&e, copy, d.size), -1);
	copy = xmalloc(d.size);
	memcpy(copy, d.block, d.size);
	CHECK_INT("ctx-dict-2.4", dict_from_block(&e, copy, d.size - 8), -1);
	dict_release(&d);
}

static void test_rules(void)
{
	struct lexicon lx;
	CHECK_INT("ctx-0.1", lexicon_load(&lx, NULL), 0);
	static const struct {
		const char *id, *sentence, *phrase;
		int polarity, historical;
	} cases[] = {
		/* negation before */
		{ "ctx-1.1", "No pneumothorax.", "pneumothorax", POL_NEGATED, 0 },
		{ "ctx-1.2", "Lungs are clear without focal consolidation.", "consolidation", POL_NEGATED, 0 },
		{ "ctx-1.3", "Negative for acute fracture.", "fracture", POL_NEGATED, 0 },
		{ "ctx-1.4", "The lungs are free of focal airspace disease.", "airspace disease", POL_NEGATED, 0 },
		{ "ctx-1.5", "No evidence of pneumothorax.", "pneumothorax", POL_NEGATED, 0 },
		{ "ctx-1.6", "Resolved left pleural effusion.", "pleural effusion", POL_NEGATED, 0 },
		/* negation after */
		{ "ctx-2.1", "A pneumothorax is not seen.", "pneumothorax", POL_NEGATED, 0 },
		{ "ctx-2.2", "The left effusion has resolved.", "effusion", POL_NEGATED, 0 },
		{ "ctx-2.3", "Pleural effusions are absent.", "pleural effusion", POL_NEGATED, 0 },
		{ "ctx-2.4", "The consolidation resolved.", "consolidation", POL_NEGATED, 0 },
		/* uncertainty */
		{ "ctx-3.1", "Opacity may represent atelectasis.", "atelectasis", POL_UNCERTAIN, 0 },
		{ "ctx-3.2", "Pneumonia cannot be excluded.", "pneumonia", POL_UNCERTAIN, 0 },
		{ "ctx-3.3", "Possible small effusion.", "effusion", POL_UNCERTAIN, 0 },
		/* a probable hedge: affirmed (context.h) */
		{ "ctx-3.4", "Findings likely reflect edema.", "edema", POL_AFFIRMED, 0 },
		{ "ctx-3.5", "Opacity suggestive of pneumonia.", "pneumonia", POL_UNCERTAIN, 0 },
		{ "ctx-3.6", "Atelectasis versus pneumonia.", "atelectasis", POL_UNCERTAIN, 0 },
		{ "ctx-3.7", "Atelectasis versus pneumonia.", "pneumonia", POL_UNCERTAIN, 0 },
		/* historical */
		{ "ctx-4.1", "History of tuberculosis.", "tuberculosis", POL_AFFIRMED, 1 },
		{ "ctx-4.2", "Prior sternotomy.", "sternotomy", POL_AFFIRMED, 1 },
		{ "ctx-4.3", "No prior pneumothorax.", "pneumothorax", POL_NEGATED, 1 },
		{ "ctx-4.4", "History of asthma, now with pneumonia.", "pneumonia", POL_AFFIRMED, 0 },
		/* pseudo-triggers */
		{ "ctx-5.1", "No increase in the left effusion.", "effusion", POL_AFFIRMED, 0 },
		{ "ctx-5.2", "There is not only effusion but edema.", "effusion", POL_AFFIRMED, 0 },
		{ "ctx-5.3", "No interval change in cardiomegaly.", "cardiomegaly", POL_AFFIRMED, 0 },
		/* scope ends */
		{ "ctx-6.1", "No effusion but there is edema.", "edema", POL_AFFIRMED, 0 },
		{ "ctx-6.2", "No effusion, however edema persists.", "edema", POL_AFFIRMED, 0 },
		{ "ctx-6.3", "No effusion; mild edema.", "edema", POL_AFFIRMED, 0 },
		{ "ctx-6.4", "No fracture, although there is scoliosis.", "scoliosis", POL_AFFIRMED, 0 },
		{ "ctx-6.5", "Opacity which may be atelectasis.", "opacity", POL_AFFIRMED, 0 },
		{ "ctx-6.6", "No pneumothorax, the heart is enlarged.", "heart", POL_AFFIRMED, 0 },
		{ "ctx-6.7", "No pneumothorax. Effusion.", "effusion", POL_AFFIRMED, 0 },
		{ "ctx-6.8", "No effusion is seen in this patient who was admitted with a history of "
		  "recurrent bouts of severe pneumonia", "pneumonia", POL_AFFIRMED, 1 },
		/* list distribution */
		{ "ctx-7.1", "No pneumothorax, effusion, or consolidation.", "pneumothorax", POL_NEGATED, 0 },
		{ "ctx-7.2", "No pneumothorax, effusion, or consolidation.", "effusion", POL_NEGATED, 0 },
		{ "ctx-7.3", "No pneumothorax, effusion, or consolidation.", "consolidation", POL_NEGATED, 0 },
		{ "ctx-7.4", "Effusion, edema and consolidation are absent.", "effusion", POL_NEGATED, 0 },
		{ "ctx-7.5", "No focal airspace consolidation, pleural effusion, pneumothorax, or acute "
		  "displaced rib fracture.", "rib fracture", POL_NEGATED, 0 },
		/* affirmed */
		{ "ctx-8.1", "Small left pleural effusion.", "pleural effusion", POL_AFFIRMED, 0 },
		{ "ctx-8.2", "The heart is not enlarged.", "heart", POL_NEGATED, 0 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		int pol = -1, hist = -1;
		int found = context_of_phrase(&lx, cases[i].sentence, strlen(cases[i].sentence),
					      cases[i].phrase, strlen(cases[i].phrase), &pol, &hist);
		CHECK_INT(test_id("%s.found", cases[i].id), found, 1);
		CHECK_STR(cases[i].id, polarity_name(pol), polarity_name(cases[i].polarity));
		CHECK_INT(test_id("%s.historical", cases[i].id), hist, cases[i].historical);
	}
	int pol, hist;
	CHECK_INT("ctx-9.1", context_of_phrase(&lx, "No effusion.", 12, "edema", 5, &pol, &hist), 0);
	lexicon_release(&lx);

	/* a lexicon file: its errors name file and line */
	char path[512];
	snprintf(path, sizeof path, "%s/lex.tsv", test_tmpdir());
	const char *bad = "# triggers\nnever\tnegated-pre\nmaybe\tperhaps\n";
	write_file(path, bad, strlen(bad));
	CHECK_INT("ctx-10.1", lexicon_load(&lx, path), -1);
	CHECK_ERR("ctx-10.2", "lex.tsv:3: unknown class 'perhaps'");
	const char *dup = "no\tnegated-pre\nNo\tnegated-post\n";
	write_file(path, dup, strlen(dup));
	CHECK_INT("ctx-10.3", lexicon_load(&lx, path), -1);
	CHECK_ERR("ctx-10.4", "lex.tsv:2: 'No' is already a trigger (line 1)");
	const char *own = "never\tnegated-pre\n";
	write_file(path, own, strlen(own));
	CHECK_INT("ctx-10.5", lexicon_load(&lx, path), 0);
	CHECK_INT("ctx-10.6", context_of_phrase(&lx, "Never smoked.", 13, "smoked", 6, &pol, &hist), 1);
	CHECK_INT("ctx-10.7", pol, POL_NEGATED);
	CHECK_INT("ctx-10.8", context_of_phrase(&lx, "No smoke.", 9, "smoke", 5, &pol, &hist), 1);
	CHECK_INT("ctx-10.9", pol, POL_AFFIRMED);
	lexicon_release(&lx);
}

/* The NegEx test set: targets F1 >= 0.95 and precision >= 0.95 on both
 * halves (the odd rows were used to tune the lexicon, the even rows not). */
static void test_negex(void)
{
	const char *dir = shared_data("negex");
	if (!dir)
		return;
	char path[1024];
	snprintf(path, sizeof path, "%s/negation/negex_rsAnnotations.tsv", dir);
	struct lexicon lx;
	lexicon_load(&lx, NULL);
	struct negation_score h[2];
	CHECK_INT("ctx-negex-1.1", negation_evaluate(&lx, path, h, NULL, 0), 0);
	CHECK_INT("ctx-negex-1.2", h[0].tp + h[0].fp + h[0].fn + h[0].tn + h[1].tp + h[1].fp + h[1].fn +
		  h[1].tn, 2376);
	for (int i = 0; i < 2; i++) {
		CHECK(i ? "ctx-negex-2.1" : "ctx-negex-3.1", h[i].precision >= 0.95);
		CHECK(i ? "ctx-negex-2.2" : "ctx-negex-3.2", h[i].f1 >= 0.95);
	}
	lexicon_release(&lx);
}

void test_context(void)
{
	test_sections();
	test_sentences();
	test_dict();
	test_rules();
	test_negex();
}
