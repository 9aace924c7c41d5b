/*
 * progress — a one-line progress display for long loads on stderr: rows,
 * rows/s, percentage and ETA from bytes consumed. Drawn only when stderr is a
 * terminal and the log level is normal or higher; never on pipes or in tests.
 */
#ifndef MEDKG_PROGRESS_H
#define MEDKG_PROGRESS_H

#include <stdint.h>

struct progress {
	const char *label;
	uint64_t total;      /* bytes expected, 0 if unknown */
	double t0, last;
	int enabled;
	int drawn;
};

void progress_start(struct progress *p, const char *label, uint64_t total_bytes);
/* Cheap to call per row: redraws at most 5 times a second. */
void progress_update(struct progress *p, uint64_t rows, uint64_t bytes_done);
/* Clear the line. */
void progress_end(struct progress *p);

#endif
