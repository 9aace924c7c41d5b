/*
 * chexpert — the 14 CheXpert observations of a report, from its mentions:
 * the labels of MIMIC-CXR's mimic-cxr-2.0.0-chexpert.csv, from the store.
 *
 * A table (chexpert_rules, in chexpert.c) maps each observation to
 * concepts: real UMLS CUIs, and the demo knowledge base's concepts where it
 * has no real CUI (data/demo/kb_source.txt, C9000001-C9000999). A row may
 * take the concept's is-a descendants in the store too (relations isa and
 * CHD), may cap what the concept can say to "uncertain" (a blunted
 * costophrenic angle is a possible effusion), or may take a descendant out
 * of an observation (a calcified nodule is no lung lesion). A row naming
 * itself beats a row it inherits from.
 *
 * Labelling a report: every mention in its findings and impression (or its
 * one "report" section, when it has no headings) whose concept maps to an
 * observation gives that observation a value: affirmed 1, uncertain -1,
 * negated 0; a hypothetical mention (a recommendation, "if ...") counts as
 * uncertain unless negated. Within a report, positive wins over uncertain
 * over negative; an observation no mention names stays blank. No Finding is
 * derived, as CheXpert does: 1 when no observation but Support Devices is
 * positive or uncertain, blank otherwise (never 0).
 *
 * Does not: read report text (the mentions and their context come from
 * extraction), or propagate along the CheXpert hierarchy (pneumonia does
 * not imply lung opacity), as the CheXpert labeller does not.
 */
#ifndef MEDKG_TRAIN_CHEXPERT_H
#define MEDKG_TRAIN_CHEXPERT_H

#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "../store/store.h"

/* MIMIC-CXR's column order. */
enum chexpert_obs {
	CX_ATELECTASIS,
	CX_CARDIOMEGALY,
	CX_CONSOLIDATION,
	CX_EDEMA,
	CX_ENLARGED_CARDIOMEDIASTINUM,
	CX_FRACTURE,
	CX_LUNG_LESION,
	CX_LUNG_OPACITY,
	CX_NO_FINDING,
	CX_PLEURAL_EFFUSION,
	CX_PLEURAL_OTHER,
	CX_PNEUMONIA,
	CX_PNEUMOTHORAX,
	CX_SUPPORT_DEVICES,
	CHEXPERT_N
};

/* Label values. */
#define CHEXPERT_POSITIVE 1
#define CHEXPERT_NEGATIVE 0
#define CHEXPERT_UNCERTAIN (-1)
#define CHEXPERT_BLANK (-2)

/* "Atelectasis", ..., "Support Devices": the CSV's column names. */
extern const char *const chexpert_names[CHEXPERT_N];

/* One row of the concept table. */
enum {
	CXR_DESCENDANTS = 1,     /* the concept's is-a descendants too */
	CXR_UNCERTAIN = 2,       /* at most uncertain: affirmed counts as -1 */
	CXR_NONE = 4,            /* the concept is not this observation */
};
struct chexpert_rule {
	int obs;                 /* enum chexpert_obs */
	const char *cui;
	const char *name;        /* the concept's name, for people */
	unsigned flags;          /* CXR_* */
};
extern const struct chexpert_rule chexpert_rules[];
extern const size_t chexpert_n_rules;

/* Concepts of a store -> observations. */
struct chexpert_map {
	struct chexpert_entry {
		int64_t concept;
		uint8_t obs;
		int8_t cap;          /* CHEXPERT_POSITIVE, _UNCERTAIN, or _BLANK (none) */
		uint8_t own;         /* 1: from a row naming the concept itself */
	} *v;
	size_t n, cap_v;
	size_t n_rules_found;    /* rows whose CUI the store holds */
};

/* Resolve chexpert_rules against the store (CUIs to concept ids, with
 * descendants where a row asks), ready to label. Rows whose CUI the store
 * lacks are skipped. m is initialized here. @return 0, or -1 after
 * error(). */
int chexpert_map_load(struct chexpert_map *m, struct store *st);
/* Build a map by hand (tests, other tables): add entries to a zeroed map,
 * then finish it before labelling. Own entries beat inherited ones for the
 * same concept and observation. */
void chexpert_map_add(struct chexpert_map *m, int64_t concept, int obs, int cap, int own);
void chexpert_map_finish(struct chexpert_map *m);
void chexpert_map_release(struct chexpert_map *m);

/* A mention as the labeller sees it. polarity: enum polarity (context.h). */
struct chexpert_mention {
	int64_t concept;
	int polarity;
	int hypothetical;
};

/* The labels of one report from its mentions x[0..n) (those of the
 * sections that count, already chosen). out: CHEXPERT_N values. A loaded
 * or finished map is read only: threads may label at once. */
void chexpert_label(const struct chexpert_map *m, const struct chexpert_mention *x, size_t n,
		    signed char out[CHEXPERT_N]);

/* The labels of the report with store id report, from its stored mentions
 * in findings, impression and report sections. @return 0, or -1 after
 * error(). */
int chexpert_label_report(const struct chexpert_map *m, struct store *st, int64_t report,
			  signed char out[CHEXPERT_N]);

/* Counts of what a CSV received: per observation, positive / negative /
 * uncertain / blank. */
struct chexpert_counts {
	int64_t reports;
	int64_t v[CHEXPERT_N][4];  /* [obs][0 positive, 1 negative, 2 uncertain, 3 blank] */
};

/* Write the labels of every report of the store (of source only, when not
 * NULL), in report id order, as MIMIC-CXR's chexpert CSV: a header
 * "subject_id,study_id,<14 names>", then one line per report: subject_id
 * empty (the store does not know it), study_id the report's external id,
 * values 1.0, 0.0, -1.0 or empty. @return 0, or -1 after error() (a write
 * error included). */
int chexpert_write_csv(const struct chexpert_map *m, struct store *st, const char *source,
		       FILE *out, struct chexpert_counts *counts);

#endif
