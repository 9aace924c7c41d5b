/*
 * obo — load an ontology in the OBO flat-file format (1.2 and 1.4: the
 * Human Disease Ontology, HPO, MONDO, ...; plain or .zst) into the store,
 * for users without a UMLS licence. The ontology becomes one source of kb
 * 'obo' (SAB: the header's "ontology" tag upper-cased, e.g. DOID, unless
 * given), and each [Term] stanza a concept:
 *
 *   id            the concept's identifier (DOID:1324), and every term's code
 *   name          a term of type PT, the concept's preferred name
 *   synonym       a term of type SY (AB when the synonym type names an
 *                 abbreviation or acronym) with its scope kept in terms.scope:
 *                 EXACT, RELATED (also when omitted), BROAD or NARROW; the
 *                 OBO 1.0 tags exact_synonym, related_synonym, ... too
 *   is_a          a triple "term isa parent"
 *   relationship  a triple "term TYPE target"; a TYPE that is an identifier
 *                 (RO:0002573) is named by its [Typedef] stanza when there is one
 *   xref          a row of the xrefs table (UMLS_CUI:C0032285 and UMLS:...
 *                 are both stored as UMLS:C0032285, MSH: as MESH:)
 *   alt_id        another identifier that is_a/relationship targets may use
 *   is_obsolete   the stanza is skipped (unless keep_obsolete)
 *
 * Mapping: with map "umls" (the default), a term with a UMLS CUI xref
 * becomes, or joins, the concept whose identifier is that CUI, so that a
 * UMLS release, other ontologies and extracted mentions meet on the same
 * concept; with "mesh", likewise for a MeSH descriptor xref (the concept
 * 'load mesh' creates). The first xref of the first kind listed wins. A
 * concept that already exists keeps its name: only a concept this ontology
 * names by its own id is renamed by a reload.
 *
 * The load is one transaction, with the UMLS loader's rules: a syntax error
 * (a line that is not "tag: value", an unterminated quote, an unknown
 * synonym scope, a stanza without id or name, a repeated id), invalid UTF-8,
 * a truncated .zst, an empty or missing file are errors naming the file and
 * line, leaving the store unchanged; with lenient the bad line or stanza is
 * skipped and counted. Loading the same file again changes nothing; another
 * version of the same ontology is refused unless replace is set, which
 * replaces that ontology only. Targets outside the file (other ontologies,
 * obsolete terms) give no triple and are counted.
 *
 * Does not: read [Instance] stanzas, def/comment/subset/property_value,
 * intersection_of/union_of logical definitions, or OWL files.
 */
#ifndef MEDKG_OBO_H
#define MEDKG_OBO_H

#include <stdint.h>
#include "store.h"

struct obo_options {
	char *sab;           /* source abbreviation; NULL: from the header or file name */
	char **map;          /* xref kinds that choose the concept, in order: "umls",
				"mesh"; NULL or empty: every term is its own concept */
	int keep_obsolete;   /* load obsolete terms too */
	int lenient;         /* skip bad lines and stanzas, count them */
	int replace;         /* replace another version of this ontology */
};

enum { OBO_EXACT, OBO_RELATED, OBO_BROAD, OBO_NARROW, OBO_SCOPES };

struct obo_stats {
	char sab[64];            /* the source it was loaded as */
	int64_t lines, stanzas, terms_read; /* terms_read: [Term] stanzas */
	int64_t obsolete;        /* obsolete terms skipped */
	int64_t concepts, new_concepts, mapped; /* mapped: joined a UMLS/MeSH concept */
	int64_t names, synonyms[OBO_SCOPES]; /* term rows: names (PT) and synonyms by scope */
	int64_t is_a, relationships, triples, unresolved;
	int64_t xrefs;
	int64_t malformed;       /* lines and stanzas skipped (lenient) */
	int already_loaded;
	double seconds;
};

/* Load the ontology at path. @return 0, or -1 after error() naming the file
 * and line at fault (the store is then unchanged). */
int obo_load(struct store *st, const char *path, const struct obo_options *opt,
	     struct obo_stats *stats);

#endif
