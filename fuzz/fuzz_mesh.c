/* A MeSH descriptor file (store/mesh.h), loaded into a fresh store; the
 * first byte chooses lenient. */
#include "fuzz.h"
#include "../store/mesh.h"
#include "../store/store.h"

FUZZ_TARGET(mesh)
{
	uint8_t opt;
	const char *path = fuzz_options(data, size, "desc.xml", &opt);
	struct store st;
	if (fuzz_store(&st, NULL) < 0)
		return 0;
	struct mesh_options o = { .lenient = opt & 1 };
	struct mesh_stats s;
	mesh_load(&st, path, &o, &s);
	store_close(&st);
	return 0;
}
