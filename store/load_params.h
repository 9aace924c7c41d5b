/*
 * load_params — the load stage's parameter tables (common/params.h): the
 * UMLS filters (struct umls_options), the OBO loader's settings (struct
 * obo_options) and MeSH's (struct mesh_options). 'medkg load' takes its
 * options from them, the configuration's [knowledge] section its keys and
 * the pipeline its stage key.
 *
 * Does not: load anything (umls.h, obo.h, mesh.h).
 */
#ifndef MEDKG_LOAD_PARAMS_H
#define MEDKG_LOAD_PARAMS_H

#include "../common/params.h"
#include "mesh.h"
#include "obo.h"
#include "umls.h"

/* Over struct umls_options; defaults: English terms, nothing else kept out. */
extern const struct param_table umls_param_table;
/* Over struct obo_options; defaults: terms placed on concepts by UMLS xrefs. */
extern const struct param_table obo_param_table;
/* Over struct mesh_options. */
extern const struct param_table mesh_param_table;

#endif
