/*
 * report — one self-contained HTML page of what the store holds, its
 * charts drawn as inline SVG ('medkg report'): the 30 most frequent
 * concepts, mentions by section and polarity, distinct entities per report,
 * links by anatomical region on a chest outline (the atlas boxes of the
 * regions table, shaded by how many links each has), the latest embedding
 * model's loss curve (embedding_epochs) with its link-prediction metrics,
 * and the seconds each pipeline stage took (stage_runs).
 *
 * The page needs nothing else: no script, no stylesheet or font fetched.
 * Every chart is an <svg> with an id (chart-concepts, chart-polarity,
 * chart-entities, chart-regions, chart-loss, chart-stages); every mark
 * carries its numbers as data-* attributes and a <title> (the tooltip), so
 * a program can read the page back and check it against the store.
 *
 * Does not: write to the store (it is opened read-only), or draw images.
 */
#ifndef MEDKG_PIPELINE_REPORT_H
#define MEDKG_PIPELINE_REPORT_H

#include <stddef.h>
#include "../common/buf.h"
#include "../store/store.h"

struct report_stats {
	int charts;              /* charts drawn with data */
	size_t bytes;            /* size of the page */
};

/* Render the page into out. @return 0, or -1 after error() (a query failed). */
int report_render(struct store *st, struct buf *out, struct report_stats *s);

/* Render and write to path (through a temporary file beside it, renamed
 * into place). @return 0 or -1 after error(). */
int report_write(struct store *st, const char *path, struct report_stats *s);

#endif
