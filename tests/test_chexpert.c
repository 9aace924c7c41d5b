/* The CheXpert labeller on hand-made mention sets, its concept table on
 * the demo knowledge base, and the CSV it writes. */
#define _GNU_SOURCE /* open_memstream */
#include "testhelp.h"
#include "tests.h"
#include "../common/buf.h"
#include "../extract/context.h"
#include "../extract/extract.h"
#include "../train/chexpert.h"

#include <stdlib.h>

/* Labels as 14 characters in CSV column order: '+' 1.0, '0' 0.0, '?' -1.0,
 * '.' blank. */
static void labels_text(const signed char v[CHEXPERT_N], char out[CHEXPERT_N + 1])
{
	for (int k = 0; k < CHEXPERT_N; k++)
		out[k] = v[k] == CHEXPERT_POSITIVE ? '+' : v[k] == CHEXPERT_NEGATIVE ? '0'
			: v[k] == CHEXPERT_UNCERTAIN ? '?' : '.';
	out[CHEXPERT_N] = '\0';
}

enum { ATEL = 1, CARDIO, BLUNT, DEVICE, NODULE, CALC_NODULE, MIXED, UNKNOWN = 99 };

static void test_label(void)
{
	/* a hand-made map: concept ids 1..7 */
	struct chexpert_map m;
	memset(&m, 0, sizeof m);
	chexpert_map_add(&m, ATEL, CX_ATELECTASIS, CHEXPERT_POSITIVE, 1);
	chexpert_map_add(&m, CARDIO, CX_CARDIOMEGALY, CHEXPERT_POSITIVE, 1);
	chexpert_map_add(&m, BLUNT, CX_PLEURAL_EFFUSION, CHEXPERT_UNCERTAIN, 1);
	chexpert_map_add(&m, DEVICE, CX_SUPPORT_DEVICES, CHEXPERT_POSITIVE, 1);
	chexpert_map_add(&m, NODULE, CX_LUNG_LESION, CHEXPERT_POSITIVE, 1);
	/* inherited from the nodule, taken out by a row of its own */
	chexpert_map_add(&m, CALC_NODULE, CX_LUNG_LESION, CHEXPERT_POSITIVE, 0);
	chexpert_map_add(&m, CALC_NODULE, CX_LUNG_LESION, CHEXPERT_BLANK, 1);
	/* inherited twice: the less restrictive wins */
	chexpert_map_add(&m, MIXED, CX_EDEMA, CHEXPERT_UNCERTAIN, 0);
	chexpert_map_add(&m, MIXED, CX_EDEMA, CHEXPERT_POSITIVE, 0);
	chexpert_map_finish(&m);
	enum { A = POL_AFFIRMED, N = POL_NEGATED, U = POL_UNCERTAIN };
	static const struct {
		const char *id;
		struct chexpert_mention x[4];
		size_t n;
		const char *want; /* Atel Card Cons Edem ECM Frac LLes LOpa NoFi PlEf PlOt Pneu Ptx SDev */
	} cases[] = {
		{ "cx-label-1.1", { { 0, 0, 0 } }, 0, "........+....." },
		{ "cx-label-1.2", { { ATEL, A, 0 } }, 1, "+............." },
		{ "cx-label-1.3", { { ATEL, N, 0 }, { ATEL, U, 0 } }, 2, "?............." },
		{ "cx-label-1.4", { { ATEL, U, 0 }, { ATEL, A, 0 }, { ATEL, N, 0 } }, 3, "+............." },
		{ "cx-label-1.5", { { ATEL, N, 0 } }, 1, "0.......+....." },
		{ "cx-label-1.6", { { BLUNT, A, 0 } }, 1, ".........?...." },
		{ "cx-label-1.7", { { BLUNT, N, 0 } }, 1, "........+0...." },
		{ "cx-label-1.8", { { DEVICE, A, 0 } }, 1, "........+....+" },
		{ "cx-label-1.9", { { DEVICE, A, 0 }, { CARDIO, N, 0 } }, 2, ".0......+....+" },
		{ "cx-label-1.10", { { CARDIO, A, 1 } }, 1, ".?............" },
		{ "cx-label-1.11", { { CARDIO, N, 1 } }, 1, ".0......+....." },
		{ "cx-label-1.12", { { CALC_NODULE, A, 0 } }, 1, "........+....." },
		{ "cx-label-1.13", { { NODULE, U, 0 } }, 1, "......?......." },
		{ "cx-label-1.14", { { MIXED, A, 0 } }, 1, "...+.........." },
		{ "cx-label-1.15", { { UNKNOWN, A, 0 } }, 1, "........+....." },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		signed char v[CHEXPERT_N];
		char got[CHEXPERT_N + 1];
		chexpert_label(&m, cases[i].x, cases[i].n, v);
		labels_text(v, got);
		CHECK_STR(cases[i].id, got, cases[i].want);
	}
	chexpert_map_release(&m);
	CHECK_STR("cx-names-1.1", chexpert_names[CX_ENLARGED_CARDIOMEDIASTINUM], "Enlarged Cardiomediastinum");
	CHECK_STR("cx-names-1.2", chexpert_names[CHEXPERT_N - 1], "Support Devices");
}

/* The label of a demo concept alone, affirmed. */
static void label_of(const struct chexpert_map *m, struct store *st, const char *name,
		     char out[CHEXPERT_N + 1])
{
	char sql[256];
	snprintf(sql, sizeof sql, "SELECT id FROM concepts WHERE name = '%s'", name);
	struct chexpert_mention x = { test_q(st, sql), POL_AFFIRMED, 0 };
	signed char v[CHEXPERT_N];
	chexpert_label(m, &x, 1, v);
	labels_text(v, out);
}

static void test_demo(void)
{
	struct store st;
	if (test_store_demo(&st, "cx-demo") < 0) {
		CHECK("cx-demo-0.1", 0);
		return;
	}
	struct chexpert_map m;
	CHECK_INT("cx-demo-1.1", chexpert_map_load(&m, &st), 0);
	/* every CUI of the table is in the demo knowledge base */
	CHECK_INT("cx-demo-1.2", (long long)m.n_rules_found, (long long)chexpert_n_rules);
	static const struct {
		const char *id, *name, *want;
	} cases[] = {
		/* own rows */
		{ "cx-demo-2.1", "Cardiomegaly", ".+............" },
		{ "cx-demo-2.2", "Blunting of costophrenic angle", ".........?...." },
		{ "cx-demo-2.3", "Pulmonary vascular congestion", "...?.........." },
		/* is-a descendants */
		{ "cx-demo-2.4", "Bronchopneumonia", "...........+.." },
		{ "cx-demo-2.5", "Peripherally inserted central catheter", "........+....+" },
		{ "cx-demo-2.6", "Hydropneumothorax", ".........+..+." },
		{ "cx-demo-2.7", "Congestive heart failure", "...+.........." },
		{ "cx-demo-2.8", "Lung collapse", "+............." },
		/* taken out, or never in */
		{ "cx-demo-2.9", "Calcified nodule", "........+....." },
		{ "cx-demo-2.10", "Calcified granuloma", "........+....." },
		{ "cx-demo-2.11", "Breast implant", "........+....." },
		{ "cx-demo-2.12", "Tuberculosis", "........+....." },
		/* no propagation along the CheXpert hierarchy */
		{ "cx-demo-2.13", "Pneumonia", "...........+.." },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		char got[CHEXPERT_N + 1];
		label_of(&m, &st, cases[i].name, got);
		CHECK_STR(cases[i].id, got, cases[i].want);
	}

	/* the labels of extracted reports, and the CSV */
	struct extract_options o;
	memset(&o, 0, sizeof o);
	struct extract_stats s;
	char *in[] = { "data/demo/reports" };
	CHECK_INT("cx-csv-1.1", extract_run(&st, in, 1, &o, &s), 0);
	free(s.dict.filters);
	signed char v[CHEXPERT_N];
	char got[CHEXPERT_N + 1];
	int64_t id = test_q(&st, "SELECT id FROM reports WHERE external_id = 'CXR9004'");
	CHECK_INT("cx-csv-1.2", chexpert_label_report(&m, &st, id, v), 0);
	labels_text(v, got);
	/* atelectasis, retrocardiac opacity, no pneumothorax, tubes and lines */
	CHECK_STR("cx-csv-1.3", got, "+......+....0+");
	/* a study id that needs quotes */
	CHECK_INT("cx-csv-1.4", store_exec(&st, "INSERT INTO reports(source, external_id, hash, text, "
						"ingested) VALUES ('x', 'a,\"b\"', '', '', '')"), 0);
	char *csv = NULL;
	size_t len = 0;
	FILE *f = open_memstream(&csv, &len);
	struct chexpert_counts c;
	CHECK_INT("cx-csv-2.1", chexpert_write_csv(&m, &st, NULL, f, &c), 0);
	fclose(f);
	CHECK_INT("cx-csv-2.2", c.reports, 52);
	CHECK("cx-csv-2.3", csv && !strncmp(csv, "subject_id,study_id,Atelectasis,Cardiomegaly,Consolidation,"
				     "Edema,Enlarged Cardiomediastinum,Fracture,Lung Lesion,Lung Opacity,No "
				     "Finding,Pleural Effusion,Pleural Other,Pneumonia,Pneumothorax,Support "
				     "Devices\n", 202));
	CHECK("cx-csv-2.4", csv && strstr(csv, "\n,CXR9004,1.0,,,,,,,1.0,,,,,0.0,1.0\n"));
	CHECK("cx-csv-2.5", csv && strstr(csv, "\n,\"a,\"\"b\"\"\",,,,,,,,,1.0,,,,,\n"));
	size_t lines = 0;
	for (size_t i = 0; csv && i < len; i++)
		lines += csv[i] == '\n';
	CHECK_INT("cx-csv-2.6", (long long)lines, 53);
	int64_t sum = 0;
	for (int k = 0; k < 4; k++)
		sum += c.v[CX_PNEUMOTHORAX][k];
	CHECK_INT("cx-csv-2.7", sum, 52);
	free(csv);
	/* one source only */
	csv = NULL;
	f = open_memstream(&csv, &len);
	CHECK_INT("cx-csv-3.1", chexpert_write_csv(&m, &st, "x", f, &c), 0);
	fclose(f);
	CHECK_INT("cx-csv-3.2", c.reports, 1);
	free(csv);
	chexpert_map_release(&m);
	store_close(&st);
}

void test_chexpert(void)
{
	test_label();
	test_demo();
}
