/* UMLS RRF rows (store/umls.h): the input replaces one file of a small
 * release (the first byte chooses MRCONSO, MRSTY, MRREL or MRSAB, and
 * lenient), which is loaded into a fresh store. */
#include "fuzz.h"
#include "../store/store.h"
#include "../store/umls.h"

#include <string.h>

FUZZ_TARGET(rrf)
{
	uint8_t opt = size ? data[0] : 0;
	const char *in = (const char *)data + (size > 0);
	size_t n = size - (size > 0);
	const char *text[4] = { fuzz_conso, fuzz_sty, fuzz_rel, fuzz_sab };
	size_t len[4] = { strlen(fuzz_conso), strlen(fuzz_sty), strlen(fuzz_rel), strlen(fuzz_sab) };
	text[opt & 3] = in;
	len[opt & 3] = n;
	const char *dir = fuzz_release("rrf", text[0], len[0], text[1], len[1], text[2], len[2],
				       text[3], len[3]);
	char path[4096];
	snprintf(path, sizeof path, "%s", dir);
	struct store st;
	if (fuzz_store(&st, NULL) < 0)
		return 0;
	struct umls_options o = { .lenient = (opt >> 2) & 1, .keep_suppressed = (opt >> 3) & 1 };
	struct umls_stats s;
	umls_load(&st, path, &o, &s);
	store_close(&st);
	return 0;
}
