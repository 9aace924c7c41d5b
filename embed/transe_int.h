/*
 * transe_int — what transe.c and transe_openke.c share and nobody else
 * needs: the recipes' training loops behind transe_train.
 */
#ifndef MEDKG_TRANSE_INT_H
#define MEDKG_TRANSE_INT_H

#include "transe.h"

/* transe_train for p->recipe == TRANSE_OPENKE (parameters checked). */
int transe_train_openke(struct transe *m, const struct transe_params *p, const struct triple *tr,
			size_t n, transe_epoch_fn fn, void *ctx);

/* After an epoch: a loss that is not finite is an error (training
 * diverged); else the callback's answer (t0: when training began).
 * @return 0 go on, 1 stop, -1 after error(). */
int transe_epoch_end(int epoch, double loss, double t0, transe_epoch_fn fn, void *ctx);

#endif
