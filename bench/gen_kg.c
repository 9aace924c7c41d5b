/*
 * gen_kg — write a synthetic knowledge graph in the OpenKE layout, for the
 * embedding memory and speed benchmarks at sizes no public benchmark has
 * (about UMLS's: 4M entities, 30M triples).
 *
 *   bench/gen_kg N_ENTITIES N_RELATIONS N_TRIPLES DIR [SEED]
 *
 * Heads and tails are drawn from a skewed (Zipf-like) distribution, as the
 * degrees of real graphs are, relations uniformly. Duplicates may occur;
 * the trainer does not care. Writes entity2id.txt, relation2id.txt and
 * train2id.txt (no valid or test split).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <math.h>

static uint64_t state = 88172645463325252ull;
static uint64_t next(void)
{
	state ^= state << 13;
	state ^= state >> 7;
	state ^= state << 17;
	return state;
}

/* approximately Zipf(1) over [0, n): exp of a uniform log */
static uint64_t skewed(uint64_t n)
{
	double u = (double)(next() >> 11) / 9007199254740992.0;
	uint64_t x = (uint64_t)exp(u * log((double)n + 1)) - 1;
	/* scatter the popular ids over the range */
	return (x * 0x9E3779B97F4A7C15ull) % n;
}

int main(int argc, char **argv)
{
	if (argc < 5) {
		fprintf(stderr, "usage: gen_kg N_ENTITIES N_RELATIONS N_TRIPLES DIR [SEED]\n");
		return 2;
	}
	uint64_t ne = strtoull(argv[1], NULL, 10), nr = strtoull(argv[2], NULL, 10);
	uint64_t nt = strtoull(argv[3], NULL, 10);
	const char *dir = argv[4];
	if (argc > 5)
		state ^= strtoull(argv[5], NULL, 10) * 0x9E3779B97F4A7C15ull;
	if (!ne || !nr || !nt)
		return 2;
	char path[4096];
	static char buf[1 << 20];
	snprintf(path, sizeof path, "%s/entity2id.txt", dir);
	FILE *f = fopen(path, "w");
	if (!f)
		return perror(path), 1;
	setvbuf(f, buf, _IOFBF, sizeof buf);
	fprintf(f, "%llu\n", (unsigned long long)ne);
	for (uint64_t i = 0; i < ne; i++)
		fprintf(f, "E%llu\t%llu\n", (unsigned long long)i, (unsigned long long)i);
	if (fclose(f))
		return perror(path), 1;
	snprintf(path, sizeof path, "%s/relation2id.txt", dir);
	f = fopen(path, "w");
	if (!f)
		return perror(path), 1;
	fprintf(f, "%llu\n", (unsigned long long)nr);
	for (uint64_t i = 0; i < nr; i++)
		fprintf(f, "R%llu\t%llu\n", (unsigned long long)i, (unsigned long long)i);
	if (fclose(f))
		return perror(path), 1;
	snprintf(path, sizeof path, "%s/train2id.txt", dir);
	f = fopen(path, "w");
	if (!f)
		return perror(path), 1;
	setvbuf(f, buf, _IOFBF, sizeof buf);
	fprintf(f, "%llu\n", (unsigned long long)nt);
	for (uint64_t i = 0; i < nt; i++)
		fprintf(f, "%llu %llu %llu\n", (unsigned long long)skewed(ne),
			(unsigned long long)skewed(ne), (unsigned long long)(next() % nr));
	if (fclose(f))
		return perror(path), 1;
	return 0;
}
