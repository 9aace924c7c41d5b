/*
 * embed_params — the embed stage's parameter tables (common/params.h):
 * every TransE training setting (struct transe_params) and the entity
 * selection (struct embed_select). 'medkg embed' takes its options from
 * them, the configuration's [embed] section its keys, the stored model its
 * parameters JSON and the pipeline its stage key.
 *
 * Does not: train (transe.h) or select (embed_store.h).
 */
#ifndef MEDKG_EMBED_PARAMS_H
#define MEDKG_EMBED_PARAMS_H

#include "../common/params.h"
#include "embed_store.h"
#include "transe.h"

/* Over struct transe_params; defaults: transe_params_default. */
extern const struct param_table transe_param_table;
/* Over struct embed_select; defaults: every concept in a triple, at least
 * one mention, no hops, nothing held out. */
extern const struct param_table embed_select_table;

#endif
