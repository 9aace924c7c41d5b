#include "load_params.h"
#include "../common/util.h"
#include "../common/strlist.h"

#include <stddef.h>
#include <string.h>

#define U(field) offsetof(struct umls_options, field)
#define O(field) offsetof(struct obo_options, field)
#define M(field) offsetof(struct mesh_options, field)
/* what the store holds depends on it */
#define FILTER (PARAM_CLI | PARAM_CONF | PARAM_KEY)

/* lang all: every language (no list) */
static int every_language(const char *s, void *field, struct buf *why)
{
	(void)s, (void)why;
	char ***list = field;
	if (strlist_has(*list, "all")) {
		strlist_free(*list);
		*list = NULL;
	}
	return 0;
}

static const struct param umls_rows[] = {
	P_LIST("sab", U(sab), "LIST", "keep only these sources (comma separated, repeatable)", FILTER,
	       .def = "all"),
	P_LIST("lang", U(lang), "LIST", "keep these languages ('all' keeps every one)", FILTER,
	       .parse = every_language),
	P_LIST("tui", U(types), "LIST",
	       "keep concepts of these semantic types, by TUI (T047) or\n"
	       "name (\"Disease or Syndrome\"), each with its descendants", FILTER, .alias = "sty",
	       .def = "all"),
	P_BOOL("keep-suppressed", U(keep_suppressed),
	       "keep rows marked suppressible (SUPPRESS O, E or Y)", FILTER),
	P_BOOL("keep-self", U(keep_self), "keep relations of a concept to itself", FILTER),
	P_BOOL("lenient", U(lenient),
	       "skip malformed rows (counted and reported) instead of failing", FILTER),
	P_BOOL("replace", U(replace), "replace the UMLS release already in the store", PARAM_CLI),
};

static void umls_defaults(void *p)
{
	struct umls_options *o = p;
	memset(o, 0, sizeof(*o));
	o->lang = strlist_parse("ENG");
}

const struct param_table umls_param_table = { "knowledge", umls_rows, ARRAY_SIZE(umls_rows),
					      sizeof(struct umls_options), umls_defaults };

/* map-xrefs: umls and mesh in order of preference, or none (no list) */
static int xref_kinds(const char *s, void *field, struct buf *why)
{
	(void)s;
	char ***list = field;
	for (size_t i = 0; *list && (*list)[i]; i++) {
		const char *k = (*list)[i];
		if (strcmp(k, "umls") && strcmp(k, "mesh") && strcmp(k, "none")) {
			buf_addf(why, "takes umls, mesh or none, not '%s'", k);
			return -1;
		}
	}
	if (strlist_has(*list, "none")) {
		strlist_free(*list);
		*list = NULL;
	}
	return 0;
}

static const struct param obo_rows[] = {
	P_LIST("map-xrefs", O(map), "LIST",
	       "xref kinds that place a term on an existing or shared\n"
	       "concept, in order of preference: umls (a UMLS CUI xref),\n"
	       "mesh (a MeSH descriptor xref), none", FILTER, .parse = xref_kinds),
	P_STR("sab", O(sab), "NAME",
	      "the source name (default: the file's 'ontology' tag,\n"
	      "upper-cased, e.g. DOID)", PARAM_CLI),
	P_BOOL("keep-obsolete", O(keep_obsolete), "load terms marked is_obsolete too", FILTER),
	P_BOOL("lenient", O(lenient), "skip bad lines and stanzas (counted and reported)", PARAM_CLI),
	P_BOOL("replace", O(replace), "replace another version of this ontology in the store",
	       PARAM_CLI),
};

static void obo_defaults(void *p)
{
	struct obo_options *o = p;
	memset(o, 0, sizeof(*o));
	o->map = strlist_parse("umls");
}

const struct param_table obo_param_table = { "knowledge", obo_rows, ARRAY_SIZE(obo_rows),
					     sizeof(struct obo_options), obo_defaults };

static const struct param mesh_rows[] = {
	P_BOOL("lenient", M(lenient), "skip bad records (counted and reported) instead of failing",
	       PARAM_CLI),
	P_BOOL("replace", M(replace), "replace the MeSH file already in the store", PARAM_CLI),
};

static void mesh_defaults(void *p)
{
	memset(p, 0, sizeof(struct mesh_options));
}

const struct param_table mesh_param_table = { "knowledge", mesh_rows, ARRAY_SIZE(mesh_rows),
					      sizeof(struct mesh_options), mesh_defaults };
