#include "embedded.h"

#include <string.h>

/* Every embedded file, once: X(symbol, path from the top of the tree). */
#define EMBEDDED_FILES(X) \
	X(schema_sql, "umls_schema.sql") \
	X(context_lexicon, "data/context_lexicon.tsv") \
	X(anatomy_lexicon, "data/lexicon/anatomy.txt") \
	X(arl_prepare, "train/python/arl_prepare.py") \
	X(predicate_table, "data/lexicon/predicates.txt") \
	X(term_rules, "data/lexicon/term_rules.tsv")

/* The assembler's .incbin reads the file at build time; make runs from the
 * top of the tree, so paths are relative to it. */
#define EMBED(sym, file)                                      \
	__asm__(".section .rodata\n"                          \
		".balign 16\n"                                \
		".global " #sym "_start\n" #sym "_start:\n"   \
		".incbin \"" file "\"\n"                      \
		".global " #sym "_stop\n" #sym "_stop:\n"     \
		".byte 0\n"                                   \
		".previous\n");                               \
	extern const char sym##_start[], sym##_stop[];
EMBEDDED_FILES(EMBED)

struct entry {
	const char *name, *start, *stop;
};
#define ENTRY(sym, file) { file, sym##_start, sym##_stop },
static const struct entry entries[] = { EMBEDDED_FILES(ENTRY) };

const struct embedded_file *embedded_get(const char *name)
{
	static struct embedded_file out[sizeof entries / sizeof entries[0]];
	for (size_t i = 0; i < sizeof entries / sizeof entries[0]; i++) {
		if (!strcmp(entries[i].name, name)) {
			out[i].name = entries[i].name;
			out[i].data = entries[i].start;
			out[i].size = (size_t)(entries[i].stop - entries[i].start);
			return &out[i];
		}
	}
	return NULL;
}
