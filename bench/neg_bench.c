/*
 * neg_bench — hard-negative mining (train/negatives.c) on N samples whose
 * affirmed-entity sets are those of bench/train_synth.h's reports (anatomy
 * in most of them, Zipf-distributed findings), one sample per report.
 * With --universal, every sample also holds entity 0 (no two samples are
 * disjoint: every sample is ranked through the index, the worst case).
 * Prints the mining time, how many samples were answered by walks along the ring and how
 * many through the index, and checks R random samples against every pair
 * scored (the K lowest Jaccard similarities must be those returned).
 *
 *   neg_bench [--threads T] [--k K] [--check R] [--universal 1] N
 */
#include "train_synth.h"
#include "../train/negatives.h"
#include "../common/util.h"

#include <stdlib.h>

static int cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;
	return (x > y) - (x < y);
}

static int cmp_i32(const void *a, const void *b)
{
	int32_t x = *(const int32_t *)a, y = *(const int32_t *)b;
	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	int threads = 0, k = 4, check = 200, universal = 0;
	int a = 1;
	for (; a + 1 < argc && argv[a][0] == '-'; a += 2) {
		if (!strcmp(argv[a], "--threads"))
			threads = atoi(argv[a + 1]);
		else if (!strcmp(argv[a], "--k"))
			k = atoi(argv[a + 1]);
		else if (!strcmp(argv[a], "--check"))
			check = atoi(argv[a + 1]);
		else if (!strcmp(argv[a], "--universal"))
			universal = atoi(argv[a + 1]);
	}
	if (a + 1 != argc) {
		fprintf(stderr, "usage: neg_bench [--threads T] [--k K] [--check R] [--universal 1] "
				"N\n");
		return 2;
	}
	size_t n = (size_t)atol(argv[a]);
	struct sy_zipf z;
	sy_zipf_init(&z, SY_FINDINGS);
	uint64_t s = 1;
	size_t *off = xmalloc((n + 1) * sizeof(size_t));
	int32_t *ents = xmalloc(n * (SY_MAX_MENTIONS + 1) * sizeof(int32_t));
	uint64_t *keys = xmalloc(n * sizeof(uint64_t));
	struct sy_report r;
	size_t total = 0;
	for (size_t i = 0; i < n; i++) {
		sy_report(&r, &z, &s);
		off[i] = total;
		size_t m = 0;
		int32_t *e = ents + total;
		if (universal)
			e[m++] = 0;
		for (int q = 0; q < r.n; q++)
			if (r.m[q].polarity == SY_AFFIRMED)
				e[m++] = r.m[q].concept - 1;
		qsort(e, m, sizeof(int32_t), cmp_i32);
		size_t u = 0;
		for (size_t q = 0; q < m; q++)
			if (u == 0 || e[u - 1] != e[q])
				e[u++] = e[q];
		total += u;
		keys[i] = sy_next(&s);
	}
	off[n] = total;
	struct neg_input in = { n, off, ents, SY_MENTIONABLE, keys, NULL };
	int32_t *out = xmalloc(n * (size_t)k * sizeof(int32_t));
	struct neg_stats st;
	if (negatives_mine(&in, k, 42, 0, threads, out, &st, NULL) < 0)
		return 1;
	printf("samples %zu%s, entities per sample %.2f, k %d, threads %d: %.3f s (%zu by walks, "
	       "%zu through the index)\n",
	       n, universal ? " (one entity in all)" : "", (double)total / (double)n, k, threads,
	       st.seconds, st.sampled, st.dense);

	/* the reference on random samples */
	double *all = xmalloc(n * sizeof(double)), got[64], maxdiff = 0;
	for (int c = 0; c < check; c++) {
		size_t i = (size_t)(sy_next(&s) % n), m = 0;
		for (size_t j = 0; j < n; j++)
			if (j != i)
				all[m++] = jaccard(ents + off[i], off[i + 1] - off[i], ents + off[j],
						   off[j + 1] - off[j]);
		qsort(all, m, sizeof(double), cmp_double);
		for (int q = 0; q < k; q++) {
			int32_t j = out[i * (size_t)k + q];
			got[q] = jaccard(ents + off[i], off[i + 1] - off[i], ents + off[j],
					 off[j + 1] - off[j]);
		}
		qsort(got, (size_t)k, sizeof(double), cmp_double);
		for (int q = 0; q < k; q++)
			maxdiff = fabs(got[q] - all[q]) > maxdiff ? fabs(got[q] - all[q]) : maxdiff;
	}
	printf("checked %d samples against every pair: max |J - J_reference| = %g\n", check, maxdiff);
	free(all);
	free(off);
	free(ents);
	free(keys);
	free(out);
	return maxdiff > 1e-12;
}
