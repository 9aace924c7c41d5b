/*
 * chexpert — the 14 CheXpert observations of a report from its mentions
 * (provisional: the mapping table and the labeler's rules are refined with
 * the radiology assertions).
 */
#ifndef MEDKG_TRAIN_CHEXPERT_H
#define MEDKG_TRAIN_CHEXPERT_H

#include <stdint.h>
#include "../store/store.h"

#define CHEXPERT_N 14
#define CHEXPERT_BLANK 2 /* not mentioned */

/* The observations' concepts in one store. */
struct chexpert_map {
	int64_t *concept;       /* (n) concept ids */
	signed char *obs;       /* (n) their observation */
	size_t n;
};

int chexpert_map_load(struct chexpert_map *m, struct store *st);
void chexpert_map_release(struct chexpert_map *m);
/* The labels of report id: 1, 0, -1 or CHEXPERT_BLANK each. @return 0 or -1. */
int chexpert_label_report(const struct chexpert_map *m, struct store *st, int64_t report,
			  signed char out[CHEXPERT_N]);

#endif
