/* The tokenizer and normalizer shared by knowledge loading and extraction. */
#include "testhelp.h"
#include "tests.h"
#include "../common/normalize.h"
#include "../common/util.h"

static void test_text(void)
{
	static const struct {
		const char *id, *in, *want;
	} cases[] = {
		{ "norm-1.1", "Pleural Effusions", "pleural effusion" },
		{ "norm-1.2", "Opacities", "opacity" },
		{ "norm-1.3", "Crohn's disease", "crohn disease" },
		{ "norm-1.4", "Crohn\xe2\x80\x99s disease", "crohn disease" },
		{ "norm-1.5", "air-space  disease", "air space disease" },
		{ "norm-1.6", "  PTX.  ", "ptx" },
		{ "norm-1.7", "Masses", "mass" },
		{ "norm-1.8", "atelectasis", "atelectasis" },
		{ "norm-1.9", "process", "process" },
		{ "norm-1.10", "bronchi", "bronchus" },
		{ "norm-1.11", "hila", "hilum" },
		{ "norm-1.12", "apices", "apex" },
		{ "norm-1.13", "Lungs", "lung" },
		{ "norm-1.14", "3.5 cm nodule", "3.5 cm nodule" },
		{ "norm-1.15", "T11-T12", "t11 t12" },
		{ "norm-1.16", "and/or", "and or" },
		{ "norm-1.17", "headaches", "headache" },
		{ "norm-1.18", "branches", "branch" },
		{ "norm-1.19", "granulomas", "granuloma" },
		{ "norm-1.20", "pancreas", "pancreas" },
		{ "norm-1.21", "SINUS", "sinus" },
		{ "norm-1.22", "(131)I-Macroaggregated Albumin", "131 i macroaggregated albumin" },
		{ "norm-1.23", "1,2-Dipalmitoylphosphatidylcholine", "1,2 dipalmitoylphosphatidylcholine" },
		{ "norm-1.24", "\xc3\x89PANCHEMENT pleural", "\xc3\xa9panchement pleural" },
		{ "norm-1.25", "37\xc2\xb0" "C", "37 c" },
		{ "norm-1.26", "", "" },
		{ "norm-1.27", "--- ...", "" },
		{ "norm-1.28", "vertebrae", "vertebra" },
		{ "norm-1.29", "series", "series" },
		{ "norm-1.30", "patient's", "patient" },
		{ "norm-1.31", "ribs", "rib" },
		{ "norm-1.32", "gas", "gas" },
		/* first, last and scattered entries of the sorted exception tables */
		{ "norm-1.33", "alveoli", "alveolus" },
		{ "norm-1.34", "women", "woman" },
		{ "norm-1.35", "pneumothoraces", "pneumothorax" },
		{ "norm-1.36", "feet teeth", "foot tooth" },
		{ "norm-1.37", "AIDS whereas diabetes", "aids whereas diabetes" },
		{ "norm-1.38", "Thoraces hila", "thorax hilum" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct buf b = BUF_INIT;
		text_normalize(cases[i].in, strlen(cases[i].in), &b);
		CHECK_STR(cases[i].id, buf_str(&b), cases[i].want);
		buf_release(&b);
	}
}

static void test_tokens(void)
{
	/* offsets index the original text exactly */
	const char *s = "No pneumothorax, effusion (3.5 cm) at T11-T12; Crohn's.";
	static const char *const want[] = { "No", "pneumothorax", "effusion", "3.5", "cm", "at",
					    "T11", "T12", "Crohn's" };
	size_t pos = 0, k = 0;
	struct token t;
	int ok = 1;
	while (token_next(s, strlen(s), &pos, &t)) {
		if (k >= ARRAY_SIZE(want) || strlen(want[k]) != t.end - t.start ||
		    memcmp(s + t.start, want[k], t.end - t.start))
			ok = 0;
		k++;
	}
	CHECK("norm-token-1.1", ok);
	CHECK_INT("norm-token-1.2", k, ARRAY_SIZE(want));
	/* a trailing apostrophe or a number's final period is not part of a token */
	const char *s2 = "patients' 12.";
	pos = 0;
	token_next(s2, strlen(s2), &pos, &t);
	CHECK_INT("norm-token-1.3", t.end - t.start, 8);
	token_next(s2, strlen(s2), &pos, &t);
	CHECK_INT("norm-token-1.4", t.end - t.start, 2);
	CHECK("norm-token-1.5", !token_next(s2, strlen(s2), &pos, &t));
}

void test_normalize(void)
{
	test_text();
	test_tokens();
}
