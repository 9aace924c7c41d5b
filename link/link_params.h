/*
 * link_params — the link stage's parameter table (common/params.h) over
 * struct link_options: the images, their boxes, the lexicon and the
 * trainer's patch grid. 'medkg link' takes its options from it, the
 * configuration's [link] section its keys and the pipeline its stage key.
 *
 * Does not: link (link.h).
 */
#ifndef MEDKG_LINK_PARAMS_H
#define MEDKG_LINK_PARAMS_H

#include "../common/params.h"
#include "link.h"

/* Over struct link_options; defaults: an 18 x 18 grid, the built-in
 * lexicon, no images or boxes. */
extern const struct param_table link_param_table;

#endif
