#include "split.h"
#include "../common/number.h"
#include "../common/rng.h"
#include "../common/strlist.h"
#include "../common/strmap.h"
#include "../common/util.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

const char *const split_names[N_SPLITS] = { "train", "val", "test" };

int split_parse(const char *s, double frac[N_SPLITS], struct buf *why)
{
	char **items = strlist_parse(s);
	double f[N_SPLITS], sum = 0;
	int rc = 0;
	size_t n = 0;
	while (items[n])
		n++;
	for (size_t i = 0; i < n && i < N_SPLITS && rc == 0; i++) {
		rc = parse_f64(items[i], 0, 1, &f[i]);
		sum += rc ? 0 : f[i];
	}
	strlist_free(items);
	if (n != N_SPLITS || rc < 0) {
		buf_addf(why, "needs three fractions train,val,test like 0.9,0.05,0.05, not '%s'", s);
		return -1;
	}
	if (fabs(sum - 1.0) > 1e-6) {
		buf_addf(why, "fractions sum to %g, not 1", sum);
		return -1;
	}
	memcpy(frac, f, sizeof f);
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
