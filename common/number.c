#include "number.h"

#include <errno.h>
#include <math.h>
#include <stdlib.h>

int parse_i64(const char *s, int64_t lo, int64_t hi, int64_t *out)
{
	char *end;
	errno = 0;
	long long x = strtoll(s, &end, 10);
	if (errno || end == s || *end || *s == ' ' || *s == '\t' || x < lo || x > hi)
		return -1;
	*out = (int64_t)x;
	return 0;
}

int parse_u64(const char *s, uint64_t hi, uint64_t *out)
{
	char *end;
	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	unsigned long long x = strtoull(s, &end, 10);
	if (errno || *end || x > hi)
		return -1;
	*out = (uint64_t)x;
	return 0;
}

int parse_f64(const char *s, double lo, double hi, double *out)
{
	char *end;
	errno = 0;
	double x = strtod(s, &end);
	if (errno || end == s || *end || *s == ' ' || *s == '\t' || !isfinite(x) || x < lo ||
	    x > hi)
		return -1;
	*out = x;
	return 0;
}
