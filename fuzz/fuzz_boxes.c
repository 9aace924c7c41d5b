/* A per-image boxes CSV (link --boxes): read, checked and stored by the
 * link stage's own step (link/link_int.h: boxes_import, inside the run's
 * transaction, rolled back), in a fresh store that holds a report with a
 * finding and three sized images. */
#include "fuzz.h"
#include "../link/link_int.h"
#include "../store/store.h"

#include <stdlib.h>

static int setup(struct store *st)
{
	return store_exec(st,
		"INSERT INTO concepts(id, cui, name) VALUES (1, 'C0029053', 'Opacity');"
		"INSERT INTO reports(id, source, external_id, hash, text, sections, ingested) "
		"VALUES (1, 's', 'R1', 'h', 'Left lower lobe opacity.', '[[\"findings\",0,24]]', 'now');"
		"INSERT INTO mentions(report, concept, section, sentence, start, end, surface, "
		"polarity) VALUES (1, 1, 'findings', 0, 16, 23, 'opacity', 'affirmed');"
		"INSERT INTO images(id, report, path, view, width, height) VALUES "
		"(1, 1, 'img1.png', 'PA', 288, 288), (2, 1, 'lat/img2.png', 'LATERAL', 1000, 800), "
		"(3, 1, 'files/3_IM-0001-4001.dcm.png', 'AP', 512, 512);");
}

FUZZ_TARGET(boxes)
{
	/* one store: each run is rolled back */
	static struct store st;
	if (!st.db && fuzz_store(&st, setup) < 0)
		return 0;
	const char *path = fuzz_write("boxes.csv", data, size);
	struct link_options o = { .boxes = (char *)path, .grid = 18 };
	struct link_stats s = { 0 };
	struct link_ctx c = { .st = &st, .o = &o, .stats = &s };
	if (store_begin(&st) == 0) {
		boxes_import(&c, path);
		store_rollback(&st);
	}
	free(c.redo); /* the images it would queue for patch sets */
	return 0;
}
