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

/* each report names its range of mention ids (store/mentions.h) */
#define RANGES "UPDATE reports SET mention_first = s.first, mention_count = s.n FROM (SELECT report, " \
	"min(id) AS first, max(id) - min(id) + 1 AS n FROM mentions GROUP BY report) s " \
	"WHERE s.report = reports.id;"

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

/* Concepts: the mentionable ones, then others only the graph knows. */
static void write_concepts(int n_concepts)
{
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
}

/* Triples: finding sites, a finding hierarchy both ways, associations,
 * device locations, and a hierarchy among the other concepts. @return them
 * (caller frees), their count in *n_out. */
static struct triple *write_triples(int n_concepts, size_t *n_out)
{
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
	*n_out = n_tr;
	return tr;
}

#define GRID_BYTES ((GRID * GRID + 7) / 8)

/* The patches of each region on the grid (an atlas of boxes), and of the
 * whole image. */
struct atlas {
	uint8_t region[SY_REGIONS][GRID_BYTES];
	uint8_t whole[GRID_BYTES];
};

static void make_atlas(struct atlas *a)
{
	for (int g = 0; g < SY_REGIONS; g++) {
		double x1 = (g % 5) * 0.17, y1 = (g / 5) * 0.14, x2 = x1 + 0.32, y2 = y1 + 0.26;
		memset(a->region[g], 0, sizeof a->region[g]);
		for (int p = 0; p < GRID * GRID; p++) {
			double cx = (p % GRID + 0.5) / GRID, cy = (p / GRID + 0.5) / GRID;
			if (cx >= x1 && cx < x2 && cy >= y1 && cy < y2)
				a->region[g][p >> 3] |= (uint8_t)(1u << (p & 7));
		}
	}
	memset(a->whole, 0, sizeof a->whole);
	for (int p = 0; p < GRID * GRID; p++)
		a->whole[p >> 3] |= (uint8_t)(1u << (p & 7));
}

/* The corpus being written: statements, ids, mention counts per concept. */
struct corpus {
	sqlite3_stmt *ir, *ii, *im, *ig, *ip;
	struct atlas atlas;
	int64_t *mentions;          /* (n_concepts + 1) */
	int64_t mention_id, image_id;
	uint64_t s;                 /* the stream */
};

static void corpus_open(struct corpus *c, int n_concepts, uint64_t seed)
{
	c->ir = prep("INSERT INTO reports(id, source, external_id, hash, text, sections, split, "
		     "ingested) VALUES (?, 'synthetic', ?, ?, ?, ?, ?, '2026-01-01T00:00:00Z')");
	c->ii = prep("INSERT INTO images(id, report, path, view) VALUES (?, ?, ?, ?)");
	c->im = prep("INSERT INTO mentions(id, report, concept, section, sentence, start, end, "
		     "surface, polarity) VALUES (?, ?, ?, ?, 0, ?, ?, ?, ?)");
	c->ig = prep("INSERT OR IGNORE INTO mention_regions(mention, region, method) VALUES (?, ?, "
		     "'sentence')");
	c->ip = prep("INSERT INTO mention_patches(mention, image, geometry, grid, n_patches, "
		     "patches) VALUES (?, ?, ?, ?, ?, ?)");
	make_atlas(&c->atlas);
	c->mentions = calloc((size_t)n_concepts + 1, sizeof(int64_t));
	c->mention_id = c->image_id = 0;
	c->s = seed;
}

static void corpus_close(struct corpus *c)
{
	sqlite3_finalize(c->ir);
	sqlite3_finalize(c->ii);
	sqlite3_finalize(c->im);
	sqlite3_finalize(c->ig);
	sqlite3_finalize(c->ip);
}

/* The report row and its images; half the reports carry the input's split
 * (MIMIC's proportions). */
static void write_report_row(struct corpus *c, long rid, const struct sy_report *rep)
{
	static const char *const splits[] = { "train", "validate", "test" };
	char ext[32], hash[32], sections[160];
	snprintf(ext, sizeof ext, "s%08ld", rid);
	snprintf(hash, sizeof hash, "%016llx", (unsigned long long)sy_next(&c->s));
	snprintf(sections, sizeof sections,
		 "[[\"indication\",12,%d],[\"findings\",%d,%d],[\"impression\",%d,%d]]",
		 rep->findings_start - 11, rep->findings_start, rep->findings_end,
		 rep->impression_start, rep->impression_end);
	sqlite3_bind_int64(c->ir, 1, rid);
	sqlite3_bind_text(c->ir, 2, ext, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(c->ir, 3, hash, -1, SQLITE_TRANSIENT);
	sqlite3_bind_text(c->ir, 4, rep->text, rep->len, SQLITE_TRANSIENT);
	sqlite3_bind_text(c->ir, 5, sections, -1, SQLITE_TRANSIENT);
	double u = sy_unit(&c->s);
	if (u < 0.5)
		sqlite3_bind_text(c->ir, 6, splits[u < 0.49 ? 0 : u < 0.495 ? 1 : 2], -1,
				  SQLITE_STATIC);
	else
		sqlite3_bind_null(c->ir, 6);
	done(c->ir);
	for (int k = 0; k < rep->n_images; k++) {
		char path[96];
		snprintf(path, sizeof path, "files/p%02ld/p%08ld/%s/%016llx.jpg", rid % 20, rid, ext,
			 (unsigned long long)sy_next(&c->s));
		sqlite3_bind_int64(c->ii, 1, ++c->image_id);
		sqlite3_bind_int64(c->ii, 2, rid);
		sqlite3_bind_text(c->ii, 3, path, -1, SQLITE_TRANSIENT);
		sqlite3_bind_text(c->ii, 4, k == 1 ? "LATERAL" : "PA", -1, SQLITE_STATIC);
		done(c->ii);
	}
}

/* A finding's region links, and its patch set on each image of the report
 * (first_image ..): the atlas on frontal views, the whole image on the
 * lateral. */
static void write_links(struct corpus *c, const struct sy_mention *m, int n_images,
			int64_t first_image)
{
	uint8_t bits[GRID_BYTES];
	memset(bits, 0, sizeof bits);
	for (int g = 0; g < m->n_regions; g++) {
		sqlite3_bind_int64(c->ig, 1, c->mention_id);
		sqlite3_bind_text(c->ig, 2, region_names[m->region[g]], -1, SQLITE_STATIC);
		done(c->ig);
		for (size_t b = 0; b < sizeof bits; b++)
			bits[b] |= c->atlas.region[m->region[g]][b];
	}
	int count = 0;
	for (int p = 0; p < GRID * GRID; p++)
		count += (bits[p >> 3] >> (p & 7)) & 1;
	for (int k = 0; k < n_images; k++) {
		int lateral = k == 1;
		sqlite3_bind_int64(c->ip, 1, c->mention_id);
		sqlite3_bind_int64(c->ip, 2, first_image + k);
		sqlite3_bind_text(c->ip, 3, lateral ? "whole" : "atlas", -1, SQLITE_STATIC);
		sqlite3_bind_int(c->ip, 4, GRID);
		sqlite3_bind_int(c->ip, 5, lateral ? GRID * GRID : count);
		sqlite3_bind_blob(c->ip, 6, lateral ? c->atlas.whole : bits, (int)sizeof bits,
				  SQLITE_STATIC);
		done(c->ip);
	}
}

static void write_report(struct corpus *c, long rid, const struct sy_report *rep)
{
	static const char *const pol[] = { "affirmed", "negated", "uncertain" };
	int64_t first_image = c->image_id + 1;
	write_report_row(c, rid, rep);
	for (int i = 0; i < rep->n; i++) {
		const struct sy_mention *m = &rep->m[i];
		const char *section = m->start < rep->findings_start     ? "indication"
				      : m->start < rep->impression_start ? "findings"
									 : "impression";
		sqlite3_bind_int64(c->im, 1, ++c->mention_id);
		sqlite3_bind_int64(c->im, 2, rid);
		sqlite3_bind_int(c->im, 3, m->concept);
		sqlite3_bind_text(c->im, 4, section, -1, SQLITE_STATIC);
		sqlite3_bind_int(c->im, 5, m->start);
		sqlite3_bind_int(c->im, 6, m->end);
		sqlite3_bind_text(c->im, 7, rep->text + m->start, m->end - m->start, SQLITE_TRANSIENT);
		sqlite3_bind_text(c->im, 8, pol[m->polarity], -1, SQLITE_STATIC);
		done(c->im);
		c->mentions[m->concept]++;
		if (m->finding)
			write_links(c, m, rep->n_images, first_image);
	}
}

/* The model: ARL's selection at --min-count 20, random vectors. */
static void write_model(struct corpus *c, const struct triple *tr, size_t n_tr, int n_concepts,
			int *n_ent, int *n_rel)
{
	uint8_t *ent = calloc((size_t)n_concepts + 1, 1);
	int rel[6] = { 0 };
	for (size_t i = 0; i < n_tr; i++)
		if (c->mentions[tr[i].h] >= 20 && c->mentions[tr[i].t] >= 20)
			ent[tr[i].h] = ent[tr[i].t] = 1, rel[tr[i].r] = 1;
	if (sqlite3_exec(db,
			 "INSERT INTO embedding_models(id, kind, dim, norm, params, entities, created) "
			 "VALUES (1, 'transe', 256, 'l1', '{\"synthetic\": true}', '{\"select\": "
			 "\"mentioned\", \"min_count\": 20, \"hops\": 0}', '2026-01-01T00:00:00Z')",
			 NULL, NULL, NULL) != SQLITE_OK)
		die("model");
	sqlite3_stmt *iv = prep("INSERT INTO embeddings(model, kind, item, vector) VALUES (1, ?, ?, ?)");
	float vec[DIM];
	*n_ent = *n_rel = 0;
	for (int k = 0; k <= n_concepts + 5; k++) {
		int is_rel = k > n_concepts;
		int item = is_rel ? k - n_concepts : k;
		if (is_rel ? !rel[item] : !ent[item])
			continue;
		for (int d = 0; d < DIM; d++)
			vec[d] = (float)(sy_unit(&c->s) * 2 - 1) / 16;
		sqlite3_bind_text(iv, 1, is_rel ? "r" : "e", -1, SQLITE_STATIC);
		sqlite3_bind_int(iv, 2, item);
		sqlite3_bind_blob(iv, 3, vec, (int)sizeof vec, SQLITE_TRANSIENT);
		done(iv);
		*n_ent += !is_rel;
		*n_rel += is_rel;
	}
	sqlite3_finalize(iv);
	free(ent);
}

static const char schema[] =
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
	"(5, 'located_in', 'RO');";

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
	if (sqlite3_exec(db, schema, NULL, NULL, NULL) != SQLITE_OK)
		die("schema");
	const int n_concepts = SY_MENTIONABLE + EXTRA_CONCEPTS;
	write_concepts(n_concepts);
	size_t n_tr;
	struct triple *tr = write_triples(n_concepts, &n_tr);
	static struct corpus c;
	corpus_open(&c, n_concepts, seed);
	struct sy_zipf z;
	sy_zipf_init(&z, SY_FINDINGS);
	struct sy_report rep;
	for (long rid = 1; rid <= n_reports; rid++) {
		sy_report(&rep, &z, &c.s);
		write_report(&c, rid, &rep);
	}
	corpus_close(&c);
	int n_ent, n_rel;
	write_model(&c, tr, n_tr, n_concepts, &n_ent, &n_rel);
	if (sqlite3_exec(db, RANGES "COMMIT; PRAGMA wal_checkpoint(TRUNCATE);", NULL, NULL, NULL) !=
	    SQLITE_OK)
		die("commit");
	printf("gen_train: %ld reports, %lld images, %lld mentions; model 1 on %d entities, %d "
	       "relations\n",
	       n_reports, (long long)c.image_id, (long long)c.mention_id, n_ent, n_rel);
	sqlite3_close(db);
	free(tr);
	free(c.mentions);
	return 0;
}
