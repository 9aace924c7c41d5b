/*
 * export_params — the export stage's parameter table (common/params.h) over
 * struct export_options, its rows in the order of enum export_param:
 * 'medkg train export' takes its options from it, the configuration's
 * [export] section its keys, the manifest its parameters (written, and read
 * back by an update for the options not given again) and the pipeline its
 * stage key.
 *
 * Does not: export (export.h).
 */
#ifndef MEDKG_EXPORT_PARAMS_H
#define MEDKG_EXPORT_PARAMS_H

#include "../common/params.h"
#include "export.h"

/* Over struct export_options; defaults: export_options_default. */
extern const struct param_table export_param_table;
/* Over struct arl_options (export_options.arl); defaults: arl_options_default. */
extern const struct param_table export_arl_table;

#endif
