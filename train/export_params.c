#include "export_params.h"
#include "plans.h"
#include "../common/util.h"
#include "../extract/extract_params.h"

#include <math.h>
#include <stddef.h>
#include <string.h>

#define X(field) offsetof(struct export_options, field)
/* recorded in the manifest, and inherited by an update */
#define KEPT (PARAM_CLI | PARAM_JSON)

static const struct param_choice layouts[] = { { "medkg", EXPORT_LAYOUT_MEDKG },
					       { "arl", EXPORT_LAYOUT_ARL },
					       { NULL, 0 } };
static const struct param_choice pers[] = { { "image", 0 }, { "report", 1 }, { NULL, 0 } };
static const struct param_choice mlm_plans[] = { { "entity-first", MLM_ENTITY_FIRST },
						 { "random", MLM_RANDOM },
						 { NULL, 0 } };

/* F,F,F: train, val and test fractions summing to 1 */
static int parse_split(const char *s, void *field, struct buf *why)
{
	return split_parse(s, field, why);
}

static void format_split(const void *field, struct buf *out)
{
	const double *f = field;
	buf_addf(out, "%g,%g,%g", f[0], f[1], f[2]);
}

static const struct param rows[N_EXPORT_PARAMS] = {
	[EXPORT_P_LAYOUT] = P_ENUM("layout", X(layout), layouts, "medkg|arl",
				   "medkg: annotations, patch masks and plans; arl: what ARL's\n"
				   "prepro leaves before make_arrow (knowledge/, pretrain_data/)",
				   KEPT | PARAM_CONF | PARAM_KEY),
	[EXPORT_P_MIN_COUNT] = P_I64("min-count", X(min_count), 1, 2147483647, "N",
				     "drop entities mentioned fewer than N times", KEPT,
				     .def = "the count the model's entities were selected with, or 20"),
	[EXPORT_P_PER] = P_ENUM("per", X(per_report), pers, "image|report",
				"one sample per image or per report",
				KEPT | PARAM_CONF | PARAM_KEY),
	[EXPORT_P_SECTIONS] = P_LIST("sections", X(sections), "LIST", "caption sections",
				     KEPT | PARAM_LOWER, .parse = extract_check_sections,
				     .def = "findings,impression"),
	[EXPORT_P_DROP_NEGATED] = P_BOOL("drop-negated", X(drop_negated),
					 "leave entities that are only negated out of img_ents",
					 KEPT | PARAM_CONF | PARAM_KEY),
	[EXPORT_P_SPLIT] = P_CUSTOM("split", X(split), parse_split, format_split, "F,F,F",
				    "train,val,test fractions for reports whose input gave\n"
				    "no split", KEPT | PARAM_CONF | PARAM_KEY),
	[EXPORT_P_SEED] = P_U64("seed", X(seed), 0, 9.2e18, "N", "seed of the splits and plans",
				KEPT),
	[EXPORT_P_PLANS] = P_BOOL("plans", X(plans),
				  "write the pretext-task plans (masking, hard negatives)",
				  KEPT | PARAM_CONF | PARAM_KEY),
	[EXPORT_P_MLM] = P_ENUM("mlm-plan", X(mlm_mode), mlm_plans, "entity-first|random",
				"plans: mask whole entities first within the budget,\n"
				"or draw among entities and words alike (ARL)", KEPT),
	[EXPORT_P_MLM_RATIO] = P_DOUBLE("mlm-ratio", X(mlm_ratio), 0, 1, "R",
					"plans: masked-language-modelling budget, of words",
					KEPT | PARAM_GT),
	[EXPORT_P_MIM_RATIO] = P_DOUBLE("mim-ratio", X(mim_ratio), 0, 1, "R",
					"plans: masked image patches, affirmed findings'\n"
					"regions first", KEPT),
	[EXPORT_P_NEGATIVES] = P_INT("negatives", X(negatives), 1, 1024, "K",
				     "plans: hard negatives for image-text matching per sample",
				     KEPT | PARAM_CONF | PARAM_KEY),
	[EXPORT_P_GRID] = P_INT("grid", X(grid), 0, 256, "N", "patches per side", KEPT,
				.def = "the grid of the stored links, or 18"),
	[EXPORT_P_MODEL] = P_I64("model", X(model), 0, 9.2e18, "ID", "the embedding model",
				 PARAM_CLI, .def = "the latest"),
	[EXPORT_P_UPDATE] = P_BOOL("update", X(update),
				   "refresh an existing export: unchanged files stay, entity\n"
				   "ids stay, options not given are those of the export", PARAM_CLI),
	[EXPORT_P_RENUMBER] = P_BOOL("renumber", X(renumber),
				     "with --update: number the entities afresh", PARAM_CLI),
	[EXPORT_P_FORCE] = P_BOOL("force", X(force), "replace an existing export", PARAM_CLI),
	[EXPORT_P_THREADS] = P_INT("threads", X(threads), 0, 1024, "N",
				   "threads building samples and mining negatives", PARAM_CLI,
				   .def = "all processors"),
};

static void defaults(void *p)
{
	export_options_default(p);
}

#define A(field) offsetof(struct arl_options, field)

/* The ARL layout's settings; the embed stage's ARL selection (--entities
 * arl) takes threshold, views and chexpert from them too. */
static const struct param arl_rows[] = {
	P_I64("threshold", A(threshold), 0, 2147483647, "N",
	      "arl: entities are concepts mentioned more than N times,\n"
	      "counted once per text of every frontal image (ARL's rule)",
	      KEPT | PARAM_CONF | PARAM_KEY),
	P_LIST("views", A(views), "LIST",
	       "arl: the image views exported (exactly as stored; Frontal is\n"
	       "the IU X-ray collection's PA or AP)", KEPT | PARAM_CONF | PARAM_KEY,
	       .def = "PA,AP,Frontal"),
	P_STR("dataset", A(dataset), "NAME",
	      "arl: ARL's dataset name: mimic_cxr (with the chexpert\n"
	      "column), roco or medicat", KEPT | PARAM_CONF | PARAM_KEY, .def = "mimic_cxr"),
	P_PATH("images", A(images), "DIR",
	       "arl: where the image files are, for images the link stage\n"
	       "did not find", KEPT | PARAM_DIR, .def = "the files the link stage found"),
	P_PATH("chexpert", A(chexpert), "CSV",
	       "arl: MIMIC-CXR's mimic-cxr-2.0.0-chexpert.csv for the\n"
	       "chexpert column", KEPT | PARAM_CONF | PARAM_KEY | PARAM_FILE,
	       .def = "medkg's own labels"),
	P_PATH("splits", A(splits), "CSV",
	       "arl: a split CSV (study_id and split columns: MIMIC-CXR's\n"
	       "mimic-cxr-2.0.0-split.csv) for reports without a split",
	       KEPT | PARAM_CONF | PARAM_KEY | PARAM_FILE),
};

static void arl_defaults(void *p)
{
	arl_options_default(p);
}

const struct param_table export_arl_table = { "export", arl_rows, ARRAY_SIZE(arl_rows),
					      sizeof(struct arl_options), arl_defaults };

const struct param_table export_param_table = { "export", rows, N_EXPORT_PARAMS,
						sizeof(struct export_options), defaults };
