#include "split.h"
#include "../common/rng.h"
#include "../common/strmap.h"
#include "../common/util.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *const split_names[N_SPLITS] = { "train", "val", "test" };

int split_parse(const char *s, double frac[N_SPLITS])
{
	const char *p = s;
	double sum = 0;
	for (int i = 0; i < N_SPLITS; i++) {
		char *end;
		errno = 0;
		double v = strtod(p, &end);
		if (end == p || errno || !isfinite(v) || v < 0 || v > 1)
			return error("--split '%s': expected three fractions like 0.9,0.05,0.05", s);
		frac[i] = v;
		sum += v;
		p = end;
		if (i < N_SPLITS - 1) {
			if (*p != ',')
				return error("--split '%s': expected three fractions like 0.9,0.05,0.05",
					     s);
			p++;
		}
	}
	if (*p)
		return error("--split '%s': unexpected '%s' after the third fraction", s, p);
	if (fabs(sum - 1.0) > 1e-6)
		return error("--split '%s': fractions sum to %g, not 1", s, sum);
	return 0;
}

int split_from_name(const char *name)
{
	static const struct {
		const char *name;
		int split;
	} names[] = {
		{ "train", SPLIT_TRAIN }, { "training", SPLIT_TRAIN }, { "val", SPLIT_VAL },
		{ "valid", SPLIT_VAL },   { "validation", SPLIT_VAL }, { "validate", SPLIT_VAL },
		{ "dev", SPLIT_VAL },
		{ "test", SPLIT_TEST },   { "testing", SPLIT_TEST },
	};
	if (!name)
		return -1;
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		if (!strcasecmp(name, names[i].name))
			return names[i].split;
	return -1;
}

int split_draw(const double frac[N_SPLITS], uint64_t seed, const char *key, size_t len)
{
	struct rng r;
	rng_seed(&r, seed ^ 0x73706c6974ull /* "split" */, hash_bytes(key, len));
	double u = rng_unit(&r);
	if (u < frac[SPLIT_TRAIN])
		return SPLIT_TRAIN;
	if (u < frac[SPLIT_TRAIN] + frac[SPLIT_VAL])
		return SPLIT_VAL;
	/* rounding: a zero test fraction must never be drawn */
	return frac[SPLIT_TEST] > 0 ? SPLIT_TEST : frac[SPLIT_VAL] > 0 ? SPLIT_VAL : SPLIT_TRAIN;
}
