/*
 * train_synth — synthetic chest X-ray reports for the train benchmarks
 * (bench/gen_train.c writes them into a store, bench/neg_bench.c mines hard
 * negatives over their affirmed-entity sets), shaped like MIMIC-CXR after
 * extraction:
 *   - anatomy named in most reports ("The lungs are clear", "Heart size is
 *     normal": lung in ~85% of reports, heart in ~75%), so a few entities
 *     are in most affirmed sets;
 *   - findings drawn from a Zipf law (s = 1.1) over 1,200 finding concepts:
 *     about two affirmed, two negated and some uncertain per report;
 *   - support devices in a quarter of the reports;
 *   - one to three images per report (1.7 on average), each finding linked
 *     to one or two of the 29 regions.
 * Everything is drawn from a seeded generator: the same seed gives the same
 * corpus.
 */
#ifndef MEDKG_BENCH_TRAIN_SYNTH_H
#define MEDKG_BENCH_TRAIN_SYNTH_H

#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#define SY_ANATOMY 60
#define SY_FINDINGS 1200
#define SY_DEVICES 100
#define SY_OTHER 400
#define SY_MENTIONABLE (SY_ANATOMY + SY_FINDINGS + SY_DEVICES + SY_OTHER)
#define SY_REGIONS 29
#define SY_MAX_MENTIONS 64

/* concept ids: 1.. anatomy, then findings, devices, other */
#define SY_ANAT(i) (1 + (i))
#define SY_FIND(i) (1 + SY_ANATOMY + (i))
#define SY_DEV(i) (1 + SY_ANATOMY + SY_FINDINGS + (i))
#define SY_OTH(i) (1 + SY_ANATOMY + SY_FINDINGS + SY_DEVICES + (i))

static inline uint64_t sy_next(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ull);
	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ull;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebull;
	return z ^ (z >> 31);
}

static inline double sy_unit(uint64_t *s)
{
	return (double)(sy_next(s) >> 11) / 9007199254740992.0;
}

/* Zipf(1.1) over n items by inverse transform on a precomputed table. */
struct sy_zipf {
	double cdf[SY_FINDINGS];
	int n;
};

static inline void sy_zipf_init(struct sy_zipf *z, int n)
{
	double sum = 0;
	z->n = n;
	for (int i = 0; i < n; i++)
		sum += 1.0 / pow(i + 1, 1.1);
	double acc = 0;
	for (int i = 0; i < n; i++) {
		acc += 1.0 / pow(i + 1, 1.1) / sum;
		z->cdf[i] = acc;
	}
}

static inline int sy_zipf(const struct sy_zipf *z, uint64_t *s)
{
	double u = sy_unit(s);
	int lo = 0, hi = z->n - 1;
	while (lo < hi) {
		int mid = (lo + hi) / 2;
		if (z->cdf[mid] < u)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

enum { SY_AFFIRMED, SY_NEGATED, SY_UNCERTAIN };

struct sy_mention {
	int concept;
	int start, end;       /* characters (the text is ASCII) */
	int polarity;
	int finding;          /* linked to regions */
	int region[2], n_regions;
};

struct sy_report {
	char text[4096];
	int len;
	int findings_start, findings_end, impression_start, impression_end;
	struct sy_mention m[SY_MAX_MENTIONS];
	int n;
	int n_images;
};

/* The name written for a concept (also its preferred name in the store). */
static inline void sy_name(int c, char *out, size_t n)
{
	if (c <= SY_ANATOMY)
		snprintf(out, n, "anatomy%d", c - 1);
	else if (c <= SY_ANATOMY + SY_FINDINGS)
		snprintf(out, n, "finding%d", c - 1 - SY_ANATOMY);
	else if (c <= SY_ANATOMY + SY_FINDINGS + SY_DEVICES)
		snprintf(out, n, "device%d", c - 1 - SY_ANATOMY - SY_FINDINGS);
	else
		snprintf(out, n, "qualifier%d", c - 1 - SY_ANATOMY - SY_FINDINGS - SY_DEVICES);
}

static inline void sy_add(struct sy_report *r, const char *s)
{
	int n = (int)strlen(s);
	if (r->len + n < (int)sizeof(r->text) - 1) {
		memcpy(r->text + r->len, s, (size_t)n);
		r->len += n;
		r->text[r->len] = '\0';
	}
}

/* Write "<prefix><name of c><suffix>" and record the mention of c. */
static inline void sy_mention(struct sy_report *r, const char *prefix, int c, const char *suffix,
			      int polarity, int finding, uint64_t *s)
{
	char name[32];
	sy_name(c, name, sizeof name);
	sy_add(r, prefix);
	if (r->n < SY_MAX_MENTIONS) {
		struct sy_mention *m = &r->m[r->n++];
		m->concept = c;
		m->start = r->len;
		m->end = r->len + (int)strlen(name);
		m->polarity = polarity;
		m->finding = finding;
		m->n_regions = finding ? 1 + (sy_unit(s) < 0.3) : 0;
		/* a finding's usual regions, by its id, sometimes another */
		for (int k = 0; k < m->n_regions; k++)
			m->region[k] = sy_unit(s) < 0.8 ? (c * 7 + k * 3) % SY_REGIONS
							: (int)(sy_next(s) % SY_REGIONS);
	}
	sy_add(r, name);
	sy_add(r, suffix);
}

/* One report: INDICATION, FINDINGS, IMPRESSION. */
static inline void sy_report(struct sy_report *r, const struct sy_zipf *z, uint64_t *s)
{
	memset(r, 0, sizeof(*r));
	sy_add(r, "INDICATION: ");
	sy_mention(r, "", SY_OTH((int)(sy_next(s) % SY_OTHER)), " follow-up.\n", SY_AFFIRMED, 0, s);
	sy_add(r, "FINDINGS: ");
	r->findings_start = r->len;
	if (sy_unit(s) < 0.85)
		sy_mention(r, "The ", SY_ANAT(0), " are clear of consolidation. ", SY_AFFIRMED, 0, s);
	if (sy_unit(s) < 0.75)
		sy_mention(r, "", SY_ANAT(1), " size is normal. ", SY_AFFIRMED, 0, s);
	if (sy_unit(s) < 0.5)
		sy_mention(r, "The ", SY_ANAT(2), " contours are stable. ", SY_AFFIRMED, 0, s);
	if (sy_unit(s) < 0.4)
		sy_mention(r, "The ", SY_ANAT(3 + (int)(sy_next(s) % (SY_ANATOMY - 3))),
			   " is unremarkable. ", SY_AFFIRMED, 0, s);
	int n_pos = (int)(-log(1 - sy_unit(s)) * 1.6);
	for (int i = 0; i < n_pos && i < 8; i++) {
		sy_mention(r, "There is a ", SY_OTH((int)(sy_next(s) % SY_OTHER)), " ", SY_AFFIRMED, 0,
			   s);
		sy_mention(r, "", SY_FIND(sy_zipf(z, s)), " at the base. ", SY_AFFIRMED, 1, s);
	}
	int n_neg = (int)(sy_unit(s) * 4);
	for (int i = 0; i < n_neg; i++)
		sy_mention(r, "No ", SY_FIND(sy_zipf(z, s)), ". ", SY_NEGATED, 1, s);
	if (sy_unit(s) < 0.3)
		sy_mention(r, "Possible ", SY_FIND(sy_zipf(z, s)), ". ", SY_UNCERTAIN, 1, s);
	if (sy_unit(s) < 0.25) {
		int n_dev = 1 + (sy_unit(s) < 0.4);
		for (int i = 0; i < n_dev; i++)
			sy_mention(r, "A ", SY_DEV((int)(sy_next(s) % SY_DEVICES) % 30),
				   " is in place. ", SY_AFFIRMED, 1, s);
	}
	r->findings_end = r->len > r->findings_start ? r->len - 1 : r->len; /* the trailing space */
	sy_add(r, "\nIMPRESSION: ");
	r->impression_start = r->len;
	int first_pos = -1;
	for (int i = 0; i < r->n; i++)
		if (r->m[i].finding && r->m[i].polarity == SY_AFFIRMED) {
			first_pos = r->m[i].concept;
			break;
		}
	if (first_pos > 0)
		sy_mention(r, "", first_pos, ", new since the prior study.", SY_AFFIRMED, 1, s);
	else
		sy_add(r, "No acute cardiopulmonary process.");
	r->impression_end = r->len;
	r->n_images = 1 + (sy_unit(s) < 0.55) + (sy_unit(s) < 0.15);
}

#endif
