/*
 * mesh — load MeSH descriptors (NLM's desc20XX.xml, plain or .zst) into the
 * store, for users without a UMLS licence. Each DescriptorRecord becomes a
 * concept whose identifier is its DescriptorUI (D011030), in source MSH of
 * kb 'mesh'. Its names become terms: the DescriptorName (term type MH, the
 * preferred name) and the String of every Term of every Concept (PEP for a
 * concept's preferred term, PM for a permuted term, ET otherwise; code is the
 * DescriptorUI). Terms of the preferred concept have scope EXACT; terms of
 * the other concepts take the scope of their ConceptRelation to it (NRW ->
 * NARROW, BRD -> BROAD, REL -> RELATED). TreeNumbers give 'isa' triples from
 * a descriptor to the holder of each parent tree number (C08.528.652 ->
 * C08.528), and the letter of each tree gives the concept a category, stored
 * as a semantic type of kb 'mesh' (tui "MSH:C", name "Diseases").
 *
 * The file is streamed with libxml2's xmlTextReader: memory holds one
 * record and the tree numbers, never the document. The load is one
 * transaction; the rules are those of the UMLS loader: malformed XML,
 * invalid UTF-8, a truncated .zst, an empty or missing file are errors
 * naming the file (and line); a bad record (no DescriptorUI or name, a
 * repeated DescriptorUI or tree number, a malformed tree number) is an error
 * too, or skipped and counted with lenient. Loading the same file again
 * changes nothing; another file is refused unless replace is set.
 *
 * Does not: read the qualifier or supplementary-concept files, the
 * pharmacological actions or see-related links, scope notes, or other
 * languages' translations; map descriptors to UMLS CUIs (MeSH XML has none).
 * A tree number whose parent is not in the file gives no triple (counted).
 */
#ifndef MEDKG_MESH_H
#define MEDKG_MESH_H

#include <stdint.h>
#include "store.h"

struct mesh_options {
	int lenient;         /* skip bad records, count them */
	int replace;         /* replace another MeSH file already loaded */
};

struct mesh_stats {
	int64_t records;         /* DescriptorRecords read */
	int64_t concepts, new_concepts;
	int64_t terms;
	int64_t tree_numbers, triples, orphan_trees; /* orphan: parent not in the file */
	int64_t categories;      /* concept-category rows */
	int64_t malformed;       /* records skipped (lenient) */
	int already_loaded;      /* the same file was loaded before: nothing done */
	double seconds;
};

/* Load the descriptor file at path. @return 0, or -1 after error() naming
 * the file and line at fault (the store is then unchanged). */
int mesh_load(struct store *st, const char *path, const struct mesh_options *opt,
	      struct mesh_stats *stats);

#endif
