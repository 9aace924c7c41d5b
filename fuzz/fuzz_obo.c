/* An OBO ontology (store/obo.h), loaded into a fresh store; the first byte
 * chooses lenient, obsolete terms and the xref mapping. */
#include "fuzz.h"
#include "../store/obo.h"
#include "../store/store.h"

FUZZ_TARGET(obo)
{
	uint8_t opt;
	const char *path = fuzz_options(data, size, "onto.obo", &opt);
	struct store st;
	if (fuzz_store(&st, NULL) < 0)
		return 0;
	char *umls[] = { "umls", "mesh", NULL }, *mesh[] = { "mesh", NULL };
	struct obo_options o = { .lenient = opt & 1, .keep_obsolete = (opt >> 1) & 1,
				 .map = opt & 4 ? umls : opt & 8 ? mesh : NULL };
	struct obo_stats s;
	obo_load(&st, path, &o, &s);
	store_close(&st);
	return 0;
}
