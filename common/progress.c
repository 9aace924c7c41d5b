#define _POSIX_C_SOURCE 200809L
#include "progress.h"
#include "util.h"

#include <stdio.h>
#include <unistd.h>

void progress_start(struct progress *p, const char *label, uint64_t total_bytes)
{
	p->label = label;
	p->total = total_bytes;
	p->t0 = p->last = now_seconds();
	p->enabled = log_level >= 1 && isatty(2);
	p->drawn = 0;
}

static void human(char *out, size_t n, double v)
{
	if (v >= 1e6)
		snprintf(out, n, "%.1fM", v / 1e6);
	else if (v >= 1e3)
		snprintf(out, n, "%.1fk", v / 1e3);
	else
		snprintf(out, n, "%.0f", v);
}

void progress_update(struct progress *p, uint64_t rows, uint64_t bytes_done)
{
	if (!p->enabled || (rows & 0x3FFF))
		return;
	double t = now_seconds();
	if (t - p->last < 0.2)
		return;
	p->last = t;
	double el = t - p->t0;
	char r[32], rate[32];
	human(r, sizeof r, (double)rows);
	human(rate, sizeof rate, el > 0 ? rows / el : 0);
	if (p->total && bytes_done) {
		double f = (double)bytes_done / (double)p->total;
		double eta = f > 0 ? el / f - el : 0;
		fprintf(stderr, "\r%s: %s rows, %s rows/s, %3.0f%%, ETA %.0fs   ", p->label, r, rate,
			f * 100, eta);
	} else {
		fprintf(stderr, "\r%s: %s rows, %s rows/s   ", p->label, r, rate);
	}
	p->drawn = 1;
}

void progress_end(struct progress *p)
{
	if (p->drawn)
		fprintf(stderr, "\r\033[K");
	p->drawn = 0;
}
