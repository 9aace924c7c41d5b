/*
 * gen_train — fill a fresh medkg store (made by 'medkg init') with a
 * synthetic corpus for the export benchmark (bench/train_export.sh):
 * concepts and triples, N reports with sections and splits, their images,
 * mentions (character offsets, polarity), region links and 18x18 patch sets,
 * and one TransE-shaped embedding model (random vectors, dimension 256) on
 * exactly the entities that 'medkg train export' selects with --min-count 20.
 * The reports are those of bench/train_synth.h.
 *
 *   gen_train [--seed S] N STORE
 */
#include "train_synth.h"

#include <sqlite3.h>
#include <stdlib.h>

#define GRID 18
#define EXTRA_CONCEPTS 5000
#define DIM 256

static const char *const region_names[SY_REGIONS] = {
	"right lung", "left lung", "right upper lung zone", "left upper lung zone",
	"right mid lung zone", "left mid lung zone", "right lower lung zone",
	"left lower lung zone", "right hilar structures", "left hilar structures",
	"right apical zone", "left apical zone", "right costophrenic angle",
	"left costophrenic angle", "right hemidiaphragm", "left hemidiaphragm", "trachea",
	"spine", "right clavicle", "left clavicle", "aortic arch", "mediastinum",
	"upper mediastinum", "svc", "cardiac silhouette", "cavoatrial junction",
	"right atrium", "carina", "abdomen",
};

static sqlite3 *db;

static void die(const char *what)
{
	fprintf(stderr, "gen_train: %s: %s\n", what, sqlite3_errmsg(db));
	exit(1);
}

static sqlite3_stmt *prep(const char *sql)
{
	sqlite3_stmt *s;
	if (sqlite3_prepare_v2(db, sql, -1, &s, NULL) != SQLITE_OK)
		die(sql);
	return s;
}

static void done(sqlite3_stmt *s)
{
	if (sqlite3_step(s) != SQLITE_DONE)
		die("insert");
	sqlite3_reset(s);
}

struct triple {
	int h, r, t;
};

int main(int argc, char **argv)
{
	uint64_t seed = 1;
	int a = 1;
	if (a + 1 < argc && !strcmp(argv[a], "--seed")) {
		seed = strtoull(argv[a + 1], NULL, 10);
		a += 2;
	}
	if (a + 2 != argc) {
		fprintf(stderr, "usage: gen_train [--seed S] N STORE\n");
		return 2;
	}
	long n_reports = atol(argv[a]);
	if (sqlite3_open(argv[a + 1], &db) != SQLITE_OK)
		die(argv[a + 1]);
	if (sqlite3_exec(db,
			 "PRAGMA synchronous = OFF; BEGIN;"
			 "CREATE TABLE IF NOT EXISTS mention_patches (mention INTEGER NOT NULL "
			 "REFERENCES mentions(id) ON DELETE CASCADE, image INTEGER NOT NULL REFERENCES "
			 "images(id) ON DELETE CASCADE, geometry TEXT NOT NULL CHECK (geometry IN "
			 "('atlas', 'boxes', 'whole', 'mixed')), grid INTEGER NOT NULL, n_patches "
			 "INTEGER NOT NULL, patches BLOB NOT NULL, PRIMARY KEY (mention, image)) "
			 "WITHOUT ROWID;"
			 "INSERT INTO sources(id, sab, kb) VALUES (1, 'SYNTH', 'umls');"
			 "INSERT INTO relations(id, name, rel) VALUES (1, 'has_finding_site', 'RO'), "
			 "(2, 'isa', 'PAR'), (3, 'inverse_isa', 'CHD'), (4, 'associated_with', 'RO'), "
			 "(5, 'located_in', 'RO');",
			 NULL, NULL, NULL) != SQLITE_OK)
		die("schema");

	/* concepts: the mentionable ones, then others only the graph knows */
	const int n_concepts = SY_MENTIONABLE + EXTRA_CONCEPTS;
	sqlite3_stmt *ic = prep("INSERT INTO concepts(id, cui, name) VALUES (?, ?, ?)");
	for (int c = 1; c <= n_concepts; c++) {
		char cui[16], name[32];
		snprintf(cui, sizeof cui, "C%07d", 9000000 + c);
		if (c <= SY_MENTIONABLE)
			sy_name(c, name, sizeof name);
		else
			snprintf(name, sizeof name, "concept%d", c);
		sqlite3_bind_int(ic, 1, c);
		sqlite3_bind_text(ic, 2, cui, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ic, 3, name, -1, SQLITE_TRANSIENT);
		done(ic);
	}
	sqlite3_finalize(ic);

	/* triples: finding sites, a finding hierarchy both ways, associations,
	 * device locations, and a hierarchy among the other concepts */
	struct triple *tr = malloc(16 * (size_t)n_concepts * sizeof(*tr));
	size_t n_tr = 0;
	for (int f = 0; f < SY_FINDINGS; f++) {
		tr[n_tr++] = (struct triple){ SY_FIND(f), 1, SY_ANAT(f % SY_ANATOMY) };
		tr[n_tr++] = (struct triple){ SY_FIND(f), 1, SY_ANAT((f * 13 + 5) % SY_ANATOMY) };
		if (f > 0) {
			tr[n_tr++] = (struct triple){ SY_FIND(f), 2, SY_FIND(f / 2) };
			tr[n_tr++] = (struct triple){ SY_FIND(f / 2), 3, SY_FIND(f) };
		}
		tr[n_tr++] = (struct triple){ SY_FIND(f), 4, SY_FIND((f * 7 + 3) % SY_FINDINGS) };
	}
	for (int d = 0; d < SY_DEVICES; d++)
		tr[n_tr++] = (struct triple){ SY_DEV(d), 5, SY_ANAT(d % 10) };
	for (int c = SY_MENTIONABLE + 2; c <= n_concepts; c++) {
		tr[n_tr++] = (struct triple){ c, 2, SY_MENTIONABLE + 1 + (c - SY_MENTIONABLE) / 2 };
		tr[n_tr++] = (struct triple){ c, 4, SY_FIND(c % SY_FINDINGS) };
	}
	sqlite3_stmt *it = prep("INSERT OR IGNORE INTO triples(head, relation, tail, source) "
				"VALUES (?, ?, ?, 1)");
	for (size_t i = 0; i < n_tr; i++) {
		sqlite3_bind_int(it, 1, tr[i].h);
		sqlite3_bind_int(it, 2, tr[i].r);
		sqlite3_bind_int(it, 3, tr[i].t);
		done(it);
	}
	sqlite3_finalize(it);

	/* the patches of each region on the grid: an atlas of boxes */
	uint8_t region_bits[SY_REGIONS][(GRID * GRID + 7) / 8];
	int region_count[SY_REGIONS];
	for (int g = 0; g < SY_REGIONS; g++) {
		double x1 = (g % 5) * 0.17, y1 = (g / 5) * 0.14, x2 = x1 + 0.32, y2 = y1 + 0.26;
		memset(region_bits[g], 0, sizeof region_bits[g]);
		region_count[g] = 0;
		for (int p = 0; p < GRID * GRID; p++) {
			double cx = (p % GRID + 0.5) / GRID, cy = (p / GRID + 0.5) / GRID;
			if (cx >= x1 && cx < x2 && cy >= y1 && cy < y2) {
				region_bits[g][p >> 3] |= (uint8_t)(1u << (p & 7));
				region_count[g]++;
			}
		}
	}
	uint8_t whole[(GRID * GRID + 7) / 8];
	memset(whole, 0, sizeof whole);
	for (int p = 0; p < GRID * GRID; p++)
		whole[p >> 3] |= (uint8_t)(1u << (p & 7));

	sqlite3_stmt *ir = prep("INSERT INTO reports(id, source, external_id, hash, text, sections, "
				"split, ingested) VALUES (?, 'synthetic', ?, ?, ?, ?, ?, "
				"'2026-01-01T00:00:00Z')");
	sqlite3_stmt *ii = prep("INSERT INTO images(id, report, path, view) VALUES (?, ?, ?, ?)");
	sqlite3_stmt *im = prep("INSERT INTO mentions(id, report, concept, section, sentence, start, "
				"end, surface, polarity) VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?)");
	sqlite3_stmt *ig = prep("INSERT OR IGNORE INTO mention_regions(mention, region, method) "
				"VALUES (?, ?, 'sentence')");
	sqlite3_stmt *ip = prep("INSERT INTO mention_patches(mention, image, geometry, grid, "
				"n_patches, patches) VALUES (?, ?, ?, ?, ?, ?)");
	static const char *const pol[] = { "affirmed", "negated", "uncertain" };
	static const char *const splits[] = { "train", "validate", "test" };
	int64_t *mentions = calloc((size_t)n_concepts + 1, sizeof(int64_t));
	struct sy_zipf z;
	sy_zipf_init(&z, SY_FINDINGS);
	uint64_t s = seed;
	int64_t mention_id = 0, image_id = 0;
	struct sy_report rep;
	for (long rid = 1; rid <= n_reports; rid++) {
		sy_report(&rep, &z, &s);
		char ext[32], hash[32], sections[160];
		snprintf(ext, sizeof ext, "s%08ld", rid);
		snprintf(hash, sizeof hash, "%016llx", (unsigned long long)sy_next(&s));
		snprintf(sections, sizeof sections,
			 "[[\"indication\",12,%d],[\"findings\",%d,%d],[\"impression\",%d,%d]]",
			 rep.findings_start - 11, rep.findings_start, rep.findings_end,
			 rep.impression_start, rep.impression_end);
		sqlite3_bind_int64(ir, 1, rid);
		sqlite3_bind_text(ir, 2, ext, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ir, 3, hash, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(ir, 4, rep.text, rep.len, SQLITE_TRANSIENT);
		sqlite3_bind_text(ir, 5, sections, -1, SQLITE_TRANSIENT);
		/* half the reports carry the input's split (MIMIC's proportions) */
		double u = sy_unit(&s);
		if (u < 0.5)
			sqlite3_bind_text(ir, 6, splits[u < 0.49 ? 0 : u < 0.495 ? 1 : 2], -1,
					  SQLITE_STATIC);
		else
			sqlite3_bind_null(ir, 6);
		done(ir);
		int64_t first_image = image_id + 1;
		for (int k = 0; k < rep.n_images; k++) {
			char path[96];
			snprintf(path, sizeof path, "files/p%02ld/p%08ld/%s/%016llx.jpg", rid % 20, rid,
				 ext, (unsigned long long)sy_next(&s));
			sqlite3_bind_int64(ii, 1, ++image_id);
			sqlite3_bind_int64(ii, 2, rid);
			sqlite3_bind_text(ii, 3, path, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(ii, 4, k == 1 ? "LATERAL" : "PA", -1, SQLITE_STATIC);
			done(ii);
		}
		for (int i = 0; i < rep.n; i++) {
			const struct sy_mention *m = &rep.m[i];
			const char *section = m->start < rep.findings_start ? "indication"
					      : m->start < rep.impression_start ? "findings"
										  : "impression";
			sqlite3_bind_int64(im, 1, ++mention_id);
			sqlite3_bind_int64(im, 2, rid);
			sqlite3_bind_int(im, 3, m->concept);
			sqlite3_bind_text(im, 4, section, -1, SQLITE_STATIC);
			sqlite3_bind_int(im, 5, m->start);
			sqlite3_bind_int(im, 6, m->end);
			sqlite3_bind_text(im, 7, rep.text + m->start, m->end - m->start, SQLITE_TRANSIENT);
			sqlite3_bind_text(im, 8, pol[m->polarity], -1, SQLITE_STATIC);
			done(im);
			mentions[m->concept]++;
			if (!m->finding)
				continue;
			uint8_t bits[(GRID * GRID + 7) / 8];
			memset(bits, 0, sizeof bits);
			for (int g = 0; g < m->n_regions; g++) {
				sqlite3_bind_int64(ig, 1, mention_id);
				sqlite3_bind_text(ig, 2, region_names[m->region[g]], -1, SQLITE_STATIC);
				done(ig);
				for (size_t b = 0; b < sizeof bits; b++)
					bits[b] |= region_bits[m->region[g]][b];
			}
			int count = 0;
			for (int p = 0; p < GRID * GRID; p++)
				count += (bits[p >> 3] >> (p & 7)) & 1;
			for (int k = 0; k < rep.n_images; k++) {
				int lateral = k == 1;
				sqlite3_bind_int64(ip, 1, mention_id);
				sqlite3_bind_int64(ip, 2, first_image + k);
				sqlite3_bind_text(ip, 3, lateral ? "whole" : "atlas", -1, SQLITE_STATIC);
				sqlite3_bind_int(ip, 4, GRID);
				sqlite3_bind_int(ip, 5, lateral ? GRID * GRID : count);
				sqlite3_bind_blob(ip, 6, lateral ? whole : bits, (int)sizeof bits,
						  SQLITE_STATIC);
				done(ip);
			}
		}
	}
	sqlite3_finalize(ir);
	sqlite3_finalize(ii);
	sqlite3_finalize(im);
	sqlite3_finalize(ig);
	sqlite3_finalize(ip);

	/* the model: ARL's selection at --min-count 20, random vectors */
	uint8_t *ent = calloc((size_t)n_concepts + 1, 1);
	int rel[6] = { 0 };
	for (size_t i = 0; i < n_tr; i++)
		if (mentions[tr[i].h] >= 20 && mentions[tr[i].t] >= 20)
			ent[tr[i].h] = ent[tr[i].t] = 1, rel[tr[i].r] = 1;
	if (sqlite3_exec(db,
			 "INSERT INTO embedding_models(id, kind, dim, norm, params, entities, created) "
			 "VALUES (1, 'transe', 256, 'l1', '{\"synthetic\": true}', '{\"select\": "
			 "\"mentioned\", \"min_count\": 20, \"hops\": 0}', '2026-01-01T00:00:00Z')",
			 NULL, NULL, NULL) != SQLITE_OK)
		die("model");
	sqlite3_stmt *iv = prep("INSERT INTO embeddings(model, kind, item, vector) VALUES (1, ?, ?, ?)");
	float vec[DIM];
	int n_ent = 0, n_rel = 0;
	for (int c = 0; c <= n_concepts + 5; c++) {
		int is_rel = c > n_concepts;
		int item = is_rel ? c - n_concepts : c;
		if (is_rel ? !rel[item] : !ent[item])
			continue;
		for (int d = 0; d < DIM; d++)
			vec[d] = (float)(sy_unit(&s) * 2 - 1) / 16;
		sqlite3_bind_text(iv, 1, is_rel ? "r" : "e", -1, SQLITE_STATIC);
		sqlite3_bind_int(iv, 2, item);
		sqlite3_bind_blob(iv, 3, vec, (int)sizeof vec, SQLITE_TRANSIENT);
		done(iv);
		n_ent += !is_rel;
		n_rel += is_rel;
	}
	sqlite3_finalize(iv);
	if (sqlite3_exec(db, "COMMIT; PRAGMA wal_checkpoint(TRUNCATE);", NULL, NULL, NULL) !=
	    SQLITE_OK)
		die("commit");
	printf("gen_train: %ld reports, %lld images, %lld mentions; model 1 on %d entities, %d "
	       "relations\n",
	       n_reports, (long long)image_id, (long long)mention_id, n_ent, n_rel);
	sqlite3_close(db);
	free(tr);
	free(mentions);
	free(ent);
	return 0;
}
