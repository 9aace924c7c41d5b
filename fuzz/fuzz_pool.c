/* An export's sample pool (train/samples.h), read, and its mining state
 * handed to an extension of the negatives mined for it (the state must be
 * checked, not trusted); an int32 .npy (the negatives' rows) read. */
#include "fuzz.h"
#include "../embed/npy.h"
#include "../train/negatives.h"
#include "../train/samples.h"

#include <stdlib.h>
#include <string.h>

FUZZ_TARGET(pool)
{
	uint8_t opt;
	const char *path = fuzz_options(data, size, "p.bin", &opt);
	if (opt & 1) {
		int32_t *rows = NULL;
		size_t r, c;
		if (npy_read_i32(path, &rows, &r, &c) == 0)
			free(rows);
		return 0;
	}
	struct split_out so;
	memset(&so, 0, sizeof so);
	char hex[33];
	if (split_out_load(&so, path, 64, hex) < 0 || so.n > 4096)
		goto out;
	size_t zero = 0;
	struct neg_input in = { so.n, so.n ? so.off : &zero, so.ents, 64, so.keys, so.group };
	const int k = 2;
	int32_t *rows = malloc((so.n ? so.n : 1) * (size_t)k * sizeof(int32_t));
	int32_t *ext = malloc((so.n ? so.n : 1) * (size_t)k * sizeof(int32_t));
	struct neg_stats ns;
	struct neg_state now = { 0 };
	/* the first half's rows, extended to all with the pool's state */
	struct neg_input half = in;
	half.n = so.n / 2;
	if (rows && ext && negatives_mine(&half, k, 1, 0, 1, rows, &ns, NULL) == 0)
		negatives_extend(&in, half.n, rows, &so.neg, k, 1, 0, 1, ext, &ns, &now);
	neg_state_release(&now);
	free(rows);
	free(ext);
out:
	split_out_release(&so);
	return 0;
}
