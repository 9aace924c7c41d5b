/* Embeddings in the store: entity selection, saving, incremental training
 * with existing vectors byte-identical, export in ARL's layout, nearest
 * neighbours, and bad input, on the demo knowledge base. */
#include "testhelp.h"
#include "../store/mentions.h"
#include "tests.h"
#include "../common/util.h"
#include "../common/zio.h"
#include "../embed/embed_store.h"
#include "../embed/npy.h"
#include "../store/umls.h"

#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static void small_params(struct transe_params *p)
{
	transe_params_default(p);
	p->dim = 16;
	p->epochs = 3;
	p->threads = 1;
	p->neg = 4;
}

void test_embed_store(void)
{
	char path[512], dir[512];
	snprintf(path, sizeof path, "%s/emb.db", test_tmpdir());
	struct store st;
	struct embed_select sel = { .mentioned = 0, .min_count = 1, .seed = 1 };
	struct embed_graph g;
	CHECK_INT("estore-1.1", store_open(&st, path, STORE_CREATE), 0);
	last_error_reset();
	CHECK_INT("estore-1.2", embed_graph_load(&st, &sel, &g), -1);
	CHECK_ERR("estore-1.3", "the store has no triples");

	struct umls_options o = { 0 };
	struct umls_stats us;
	int rc = umls_load(&st, "data/demo", &o, &us);
	CHECK_INT("estore-1.4", rc, 0);
	if (rc < 0) {
		store_close(&st);
		return;
	}
	CHECK_INT("estore-2.1", embed_graph_load(&st, &sel, &g), 0);
	CHECK_INT("estore-2.2", g.kg.n_ent,
		  test_q(&st, "SELECT count(*) FROM (SELECT head FROM triples UNION SELECT tail FROM triples)"));
	CHECK_INT("estore-2.3", g.kg.n_rel, test_q(&st, "SELECT count(DISTINCT relation) FROM triples"));
	CHECK_INT("estore-2.4", (int64_t)g.kg.n[KG_TRAIN],
		  test_q(&st, "SELECT count(*) FROM (SELECT DISTINCT head, relation, tail FROM triples)"));
	CHECK("estore-2.5", g.kg.ent_names[0][0] == 'C' && g.ent_ids[0] < g.ent_ids[1]);

	/* train, save, read back */
	struct transe_params p;
	small_params(&p);
	struct transe m;
	transe_init(&m, g.kg.n_ent, g.kg.n_rel, &p);
	CHECK_INT("estore-3.1", transe_train(&m, &p, g.kg.split[KG_TRAIN], g.kg.n[KG_TRAIN], NULL, NULL), 0);
	int64_t id1 = embed_model_save(&st, &g, &m, 1, "{\"dim\": 16, \"norm\": \"l1\"}",
				       "{\"select\": \"all\"}", NULL, 0);
	CHECK("estore-3.2", id1 > 0);
	CHECK_INT("estore-3.3", test_q(&st, "SELECT count(*) FROM embeddings WHERE kind = 'e'"), g.kg.n_ent);
	CHECK_INT("estore-3.4", test_q(&st, "SELECT count(*) FROM embeddings WHERE kind = 'r'"), g.kg.n_rel);
	CHECK_INT("estore-3.5", test_q(&st, "SELECT min(length(vector)) = max(length(vector)) AND "
					   "max(length(vector)) = 64 FROM embeddings"), 1);
	CHECK_INT("estore-3.6", test_q(&st, "SELECT count(*) FROM ingest_log WHERE command = 'embed'"), 1);
	struct transe back;
	transe_init(&back, g.kg.n_ent, g.kg.n_rel, &p);
	size_t fe = 0, fr = 0;
	CHECK_INT("estore-3.7", embed_model_load(&st, id1, &g, &back, &fe, &fr), 0);
	CHECK_INT("estore-3.8", fe, g.kg.n_ent);
	CHECK_INT("estore-3.8.relations", fr, g.kg.n_rel);
	CHECK("estore-3.9", !memcmp(back.ent, m.ent, (size_t)m.n_ent * m.stride * sizeof(float)));
	transe_release(&back);

	/* nearest neighbours: sorted, self excluded, distances recomputed */
	struct embed_neighbor nb[5];
	int64_t c0 = g.ent_ids[0];
	CHECK_INT("estore-4.1", embed_neighbors(&st, id1, c0, 5, nb), 5);
	int sorted = 1;
	for (int i = 1; i < 5; i++)
		sorted &= nb[i - 1].distance <= nb[i].distance && nb[i].concept != c0;
	CHECK("estore-4.2", sorted && nb[0].concept != c0);
	int64_t best = -1;
	double bestd = INFINITY;
	for (int32_t i = 1; i < m.n_ent; i++) {
		double d = 0;
		for (int j = 0; j < m.dim; j++)
			d += fabs((double)m.ent[j] - m.ent[(size_t)i * m.stride + j]);
		if (d < bestd)
			bestd = d, best = g.ent_ids[i];
	}
	CHECK_INT("estore-4.3", nb[0].concept, best);
	CHECK_NEAR("estore-4.3.distance", nb[0].distance, bestd, 1e-4);
	last_error_reset();
	CHECK_INT("estore-4.4", embed_neighbors(&st, id1, 999999, 5, nb), -1);
	CHECK_ERR("estore-4.5", "has no vector");

	/* export in ARL's layout */
	snprintf(dir, sizeof dir, "%s/export", test_tmpdir());
	CHECK_INT("estore-5.0", mkdir(dir, 0777), 0);
	size_t xe, xr, xt;
	CHECK_INT("estore-5.1", embed_export(&st, id1, dir, &xe, &xr, &xt), 0);
	CHECK_INT("estore-5.2", xe, g.kg.n_ent);
	CHECK_INT("estore-5.2.relations", xr, g.kg.n_rel);
	CHECK_INT("estore-5.2.triples", xt, g.kg.n[KG_TRAIN]);
	char f[700], *text = NULL;
	size_t len;
	snprintf(f, sizeof f, "%s/entity2id.txt", dir);
	zfile_slurp(f, &text, &len, 0);
	char want[128];
	snprintf(want, sizeof want, "%d\n%s\t0\t", g.kg.n_ent, g.kg.ent_names[0]);
	CHECK("estore-5.3", text && !strncmp(text, want, strlen(want)));
	free(text);
	snprintf(f, sizeof f, "%s/train2id.txt", dir);
	zfile_slurp(f, &text, &len, 0);
	snprintf(want, sizeof want, "%zu\n", g.kg.n[KG_TRAIN]);
	CHECK("estore-5.4", text && !strncmp(text, want, strlen(want)) && strchr(text + strlen(want), '\t'));
	free(text);
	float *ev = NULL;
	size_t er, ec;
	snprintf(f, sizeof f, "%s/ent_embeddings.npy", dir);
	CHECK_INT("estore-5.5", npy_read(f, &ev, &er, &ec), 0);
	CHECK_INT("estore-5.6", er, g.kg.n_ent);
	CHECK_INT("estore-5.6.cols", ec, 16);
	CHECK("estore-5.6.row", ev && er > 3 && !memcmp(ev + 16 * 3, m.ent + (size_t)3 * m.stride, 64));
	free(ev);

	/* incremental: a new concept with two triples; old vectors unchanged */
	CHECK_INT("estore-6.1", store_exec(&st,
		"INSERT INTO concepts(cui, name) VALUES ('CNEW0001', 'New finding');"
		"INSERT INTO triples(head, relation, tail, source) SELECT "
		"(SELECT id FROM concepts WHERE cui = 'CNEW0001'), relation, tail, source "
		"FROM triples ORDER BY head, relation, tail LIMIT 2;"), 0);
	struct embed_graph g2;
	CHECK_INT("estore-6.2", embed_graph_load(&st, &sel, &g2), 0);
	CHECK_INT("estore-6.3", g2.kg.n_ent, g.kg.n_ent + 1);
	struct transe m2;
	transe_init(&m2, g2.kg.n_ent, g2.kg.n_rel, &p);
	CHECK_INT("estore-6.4", embed_model_load(&st, id1, &g2, &m2, &fe, &fr), 0);
	CHECK_INT("estore-6.5", fe, g.kg.n_ent);
	CHECK_INT("estore-6.5.new", m2.ent_frozen[g2.kg.n_ent - 1], 0);
	CHECK_INT("estore-6.6", transe_train(&m2, &p, g2.kg.split[KG_TRAIN], g2.kg.n[KG_TRAIN], NULL, NULL), 0);
	int64_t id2 = embed_model_save(&st, &g2, &m2, 1, "{\"dim\": 16}", "{\"select\": \"all\"}",
				       NULL, id1);
	CHECK_INT("estore-6.7", id2, id1 + 1);
	char sql[512];
	snprintf(sql, sizeof sql,
		 "SELECT count(*) FROM embeddings a JOIN embeddings b ON a.kind = b.kind AND "
		 "a.item = b.item WHERE a.model = %lld AND b.model = %lld AND a.vector = b.vector",
		 (long long)id1, (long long)id2);
	CHECK_INT("estore-6.8", test_q(&st, sql), g.kg.n_ent + g.kg.n_rel);
	snprintf(sql, sizeof sql, "SELECT count(*) FROM embeddings WHERE model = %lld AND kind = 'e'",
		 (long long)id2);
	CHECK_INT("estore-6.9", test_q(&st, sql), g.kg.n_ent + 1);
	snprintf(sql, sizeof sql, "SELECT parent FROM embedding_models WHERE id = %lld", (long long)id2);
	CHECK_INT("estore-6.10", test_q(&st, sql), id1);
	transe_release(&m2);
	embed_graph_release(&g2);

	/* holdout: a stable fraction, every held-out triple's ends trained */
	struct embed_select hs = { .mentioned = 0, .min_count = 1, .holdout = 0.1, .seed = 7 };
	CHECK_INT("estore-7.1", embed_graph_load(&st, &hs, &g2), 0);
	size_t n_all = g2.kg.n[KG_TRAIN] + g2.kg.n[KG_TEST] + g2.n_dropped;
	CHECK("estore-7.2", g2.kg.n[KG_TEST] > n_all / 20 && g2.kg.n[KG_TEST] < n_all / 6);
	embed_graph_release(&g2);

	/* mentioned: none yet is an error; then seeds, hops */
	sel.mentioned = 1;
	last_error_reset();
	CHECK_INT("estore-8.1", embed_graph_load(&st, &sel, &g2), -1);
	CHECK_ERR("estore-8.2", "the store has no mentions");
	CHECK_INT("estore-8.3", store_exec(&st,
		"INSERT INTO reports(source, external_id, hash, text, ingested) VALUES "
		"('t', 'r1', 'h', 'text', 'now');"
		"INSERT INTO mentions(report, concept, section, sentence, start, end, surface, polarity) "
		"SELECT 1, c.id, 'findings', 0, 0, 1, 'x', 'affirmed' FROM concepts c, "
		"(SELECT 1 UNION ALL SELECT 2) WHERE c.cui IN ('C0032326', 'C0024109', 'C0032227');"
		"INSERT INTO mentions(report, concept, section, sentence, start, end, surface, polarity) "
		"SELECT 1, id, 'findings', 0, 0, 1, 'x', 'affirmed' FROM concepts WHERE cui = 'C0018802';"),
		0);
	CHECK_INT("estore-8.3.ranges", mentions_set_ranges(&st), 0);
	/* the three concepts mentioned twice share no triple of the demo: with
	 * no hops, nothing to train */
	sel.min_count = 2;
	last_error_reset();
	CHECK_INT("estore-8.4", embed_graph_load(&st, &sel, &g2), -1);
	CHECK_ERR("estore-8.5", "no triple joins two selected concepts (3 selected as mentioned");
	sel.hops = 1;
	CHECK_INT("estore-8.6", embed_graph_load(&st, &sel, &g2), 0);
	CHECK_INT("estore-8.7", g2.n_seeds, 3);
	CHECK("estore-8.7.entities", g2.kg.n_ent > 3 && g2.kg.n_ent < g.kg.n_ent);
	int32_t n1 = g2.kg.n_ent;
	embed_graph_release(&g2);
	sel.hops = 2;
	CHECK_INT("estore-8.8", embed_graph_load(&st, &sel, &g2), 0);
	CHECK("estore-8.9", g2.kg.n_ent > n1);
	embed_graph_release(&g2);
	sel.min_count = 5;
	last_error_reset();
	CHECK_INT("estore-8.10", embed_graph_load(&st, &sel, &g2), -1);
	CHECK_ERR("estore-8.11", "no concept is mentioned 5 or more times");
	store_close(&st);

	/* a failed save writes nothing */
	CHECK_INT("estore-9.1", store_open(&st, path, STORE_READONLY), 0);
	int64_t models = test_q(&st, "SELECT count(*) FROM embedding_models");
	CHECK("estore-9.2", embed_model_save(&st, &g, &m, 1, "{}", "{}", NULL, 0) < 0);
	CHECK_INT("estore-9.3", test_q(&st, "SELECT count(*) FROM embedding_models"), models);
	store_close(&st);
	transe_release(&m);
	embed_graph_release(&g);
}
