/* The link stage over a store: the demo knowledge base, reports and
 * mentions written with plain SQL, images and boxes from files; links,
 * methods, patch sets, incremental runs, and bad input leaving the store as
 * it was. */
#define _POSIX_C_SOURCE 200809L
#include "testhelp.h"
#include "../store/mentions.h"
#include "tests.h"
#include "../common/buf.h"
#include "../common/util.h"
#include "../link/grid.h"
#include "../link/image.h"
#include "../link/link.h"
#include "../store/store.h"

#include <stdio.h>
#include <sys/stat.h>
#include <stdlib.h>
#include <jpeglib.h>

static char *q_text(struct store *st, const char *sql, int64_t arg)
{
	sqlite3_stmt *s = store_prepare(st, sql);
	char *out = NULL;
	if (!s)
		return xstrdup("(error)");
	sqlite3_bind_int64(s, 1, arg);
	if (sqlite3_step(s) == SQLITE_ROW)
		out = xstrdup(sqlite3_column_text(s, 0) ? (const char *)sqlite3_column_text(s, 0) : "");
	sqlite3_finalize(s);
	return out ? out : xstrdup("");
}

/* Everything the link stage writes, as one string; the ingest log's size
 * last. */
static const char *const link_tables[] = {
	"SELECT group_concat(mention || region || method, ';') FROM mention_regions",
	"SELECT group_concat(mention || '.' || image || geometry || grid || hex(patches), ';') "
	"FROM mention_patches",
	"SELECT group_concat(id || path || ifnull(view, '') || ifnull(width, '') || "
	"ifnull(height, '') || ifnull(file, ''), ';') FROM images",
	"SELECT group_concat(name || ifnull(image, '') || x1 || y1 || x2 || y2, ';') FROM regions",
	"SELECT group_concat(key || '=' || value, ';') FROM meta",
	"SELECT count(*) FROM ingest_log",
};


static int64_t add_report(struct store *st, const char *ext, const char *text)
{
	sqlite3_stmt *s = store_prepare(st,
		"INSERT INTO reports(source, external_id, hash, text, ingested) "
		"VALUES ('test', ?, 'h', ?, 'now')");
	sqlite3_bind_text(s, 1, ext, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 2, text, -1, SQLITE_STATIC);
	sqlite3_step(s);
	sqlite3_finalize(s);
	return sqlite3_last_insert_rowid(st->db);
}

/* Code points in s[0..n). */
static int64_t chars(const char *s, size_t n)
{
	int64_t k = 0;
	for (size_t i = 0; i < n; i++)
		k += ((unsigned char)s[i] & 0xc0) != 0x80;
	return k;
}

/* A mention of the first occurrence of surface at or after byte from. */
static int64_t add_mention(struct store *st, int64_t report, const char *text, const char *cui,
			   const char *surface, size_t from, int sentence, const char *polarity)
{
	const char *p = strstr(text + from, surface);
	if (!p) {
		fprintf(stderr, "test: '%s' not in '%s'\n", surface, text);
		exit(1);
	}
	sqlite3_stmt *s = store_prepare(st,
		"INSERT INTO mentions(report, concept, section, sentence, start, end, surface, polarity) "
		"SELECT ?, id, 'findings', ?, ?, ?, ?, ? FROM concepts WHERE cui = ?");
	int64_t start = chars(text, (size_t)(p - text));
	sqlite3_bind_int64(s, 1, report);
	sqlite3_bind_int(s, 2, sentence);
	sqlite3_bind_int64(s, 3, start);
	sqlite3_bind_int64(s, 4, start + chars(surface, strlen(surface)));
	sqlite3_bind_text(s, 5, surface, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 6, polarity, -1, SQLITE_STATIC);
	sqlite3_bind_text(s, 7, cui, -1, SQLITE_STATIC);
	if (sqlite3_step(s) != SQLITE_DONE || sqlite3_changes(st->db) != 1) {
		fprintf(stderr, "test: cannot add mention of %s\n", cui);
		exit(1);
	}
	sqlite3_finalize(s);
	int64_t id = sqlite3_last_insert_rowid(st->db);
	if (mentions_set_ranges(st) < 0) {
		fprintf(stderr, "test: cannot name the reports' mention ranges\n");
		exit(1);
	}
	return id;
}

static char *links_of(struct store *st, int64_t mention)
{
	return q_text(st,
		"SELECT group_concat(region || ':' || method, ';') FROM "
		"(SELECT region, method FROM mention_regions WHERE mention = ? ORDER BY region)",
		mention);
}

struct mcase {
	const char *cui, *surface;
	int sentence;
	const char *polarity;
	const char *want; /* regions:method, by region name; "" for no link */
};

static const struct {
	const char *id, *text;
	struct mcase m[4];
} cases[] = {
	{ "lstore-1", "FINDINGS: Left lower lobe opacity and right effusion.",
	  { { "C9000096", "opacity", 0, "affirmed", "left lower lung zone:sentence" },
	    { "C0032227", "effusion", 0, "affirmed",
	      "right costophrenic angle:lexicon;right lower lung zone:lexicon;"
	      "right mid lung zone:lexicon" } } },
	{ "lstore-2", "Bibasilar atelectasis.",
	  { { "C9000115", "Bibasilar atelectasis", 0, "affirmed",
	      "left lower lung zone:sentence;right lower lung zone:sentence" } } },
	{ "lstore-3", "Heart size normal. No effusion at the left base.",
	  { { "C0032227", "effusion", 1, "negated", "left lower lung zone:sentence" } } },
	/* implied sites: the knowledge base where it is at least as precise as
	 * the lexicon (the same cardiac silhouette here), else the lexicon */
	{ "lstore-4", "Mild cardiomegaly.",
	  { { "C0018800", "cardiomegaly", 0, "affirmed", "cardiac silhouette:kb" } } },
	{ "lstore-5", "No pneumothorax.",
	  { { "C0032326", "pneumothorax", 0, "negated",
	      "left mid lung zone:lexicon;left upper lung zone:lexicon;"
	      "right mid lung zone:lexicon;right upper lung zone:lexicon" } } },
	/* the knowledge base's right hemithorax and costophrenic angle cover more
	 * than the right half of the effusion's lexicon site: the lexicon's wins,
	 * on the knowledge base's side */
	{ "lstore-6", "Small right pleural effusion.",
	  { { "C9000126", "right pleural effusion", 0, "affirmed",
	      "right costophrenic angle:lexicon;right lower lung zone:lexicon;"
	      "right mid lung zone:lexicon" } } },
	/* sites inherited through is-a (Plate-like atelectasis isa Atelectasis):
	 * the ancestor's lexicon site is more precise than its lungs */
	{ "lstore-7", "Plate-like atelectasis.",
	  { { "C9000114", "Plate-like atelectasis", 0, "uncertain",
	      "left lower lung zone:lexicon;left mid lung zone:lexicon;"
	      "right lower lung zone:lexicon;right mid lung zone:lexicon" } } },
	{ "lstore-8", "Possible tension pneumothorax.",
	  { { "C9000139", "tension pneumothorax", 0, "uncertain",
	      "left lower lung zone:lexicon;left mid lung zone:lexicon;left upper lung zone:lexicon;"
	      "right lower lung zone:lexicon;right mid lung zone:lexicon;"
	      "right upper lung zone:lexicon" } } },
	{ "lstore-9", "Calcification.",
	  { { "C0006663", "Calcification", 0, "affirmed", "whole image:default" } } },
	/* anatomy and symptoms are not linked themselves */
	{ "lstore-10", "The left lung is clear. Fever.",
	  { { "C0225730", "left lung", 0, "affirmed", "" },
	    { "C0015967", "Fever", 1, "affirmed", "" } } },
	/* offsets count characters: six two-byte characters come first */
	{ "lstore-11", "Angles 12\xc2\xb0 12\xc2\xb0 12\xc2\xb0 12\xc2\xb0 12\xc2\xb0 12\xc2\xb0. "
		      "Nodule at the right apex.",
	  { { "C0028259", "Nodule", 1, "affirmed", "right apical zone:sentence" } } },
	/* abbreviations through the anatomy concept the extractor found */
	{ "lstore-12", "Opacity in the RLL and LUL.",
	  { { "C9000096", "Opacity", 0, "affirmed",
	      "left upper lung zone:sentence;right lower lung zone:sentence" },
	    { "C9000009", "RLL", 0, "affirmed", "" } } },
	/* a sentence's own anatomy wins over every implied site */
	{ "lstore-16", "Left basilar atelectasis.",
	  { { "C9000117", "Left basilar atelectasis", 0, "affirmed", "left lower lung zone:sentence" } } },
};

static void test_links(struct store *st)
{
	int64_t ids[ARRAY_SIZE(cases)][4];
	for (size_t c = 0; c < ARRAY_SIZE(cases); c++) {
		int64_t rep = add_report(st, cases[c].id, cases[c].text);
		for (int k = 0; k < 4 && cases[c].m[k].cui; k++) {
			const struct mcase *m = &cases[c].m[k];
			ids[c][k] = add_mention(st, rep, cases[c].text, m->cui, m->surface,
						0, m->sentence,
						m->polarity);
		}
	}
	struct link_options o = { .grid = 18 };
	struct link_stats s;
	CHECK_INT("lstore-0.1", link_run(st, &o, &s), 0);
	for (size_t c = 0; c < ARRAY_SIZE(cases); c++) {
		for (int k = 0; k < 4 && cases[c].m[k].cui; k++) {
			char id[64];
			snprintf(id, sizeof id, "%s.%d", cases[c].id, k + 1);
			char *got = links_of(st, ids[c][k]);
			CHECK_STR(id, got, cases[c].m[k].want);
			free(got);
		}
	}
	/* negated findings keep their polarity */
	CHECK_INT("lstore-0.2", test_q(st, "SELECT count(*) FROM mention_regions r JOIN mentions m ON "
				     "m.id = r.mention WHERE m.polarity = 'negated'"), 5);
	CHECK_INT("lstore-0.3", s.findings, 13);
	CHECK_INT("lstore-0.4", s.by_method[METHOD_SENTENCE] + s.by_method[METHOD_KB] +
				       s.by_method[METHOD_LEXICON] + s.by_method[METHOD_DEFAULT],
		  13);
	CHECK_INT("lstore-0.5", s.by_method[METHOD_DEFAULT], 1);
	CHECK_INT("lstore-0.6", s.positive_by_method[METHOD_SENTENCE], 5);
	/* the frontal atlas and the lateral one */
	CHECK_INT("lstore-0.7", test_q(st, "SELECT count(*) FROM regions WHERE image IS NULL"),
		  ATLAS_N + LATERAL_N);
	CHECK_INT("lstore-0.8", test_q(st, "SELECT count(*) FROM ingest_log WHERE command = 'link'"), 1);

	/* incremental: a second run adds nothing; a new mention alone is linked */
	size_t n_written = ARRAY_SIZE(link_tables) - 1; /* all but the ingest log */
	char *before = test_digest(st, link_tables, n_written);
	long long logged = test_q(st, "SELECT count(*) FROM ingest_log");
	CHECK_INT("lstore-0.9", link_run(st, &o, &s), 0);
	CHECK_INT("lstore-0.10", s.findings + s.region_links + s.patch_sets, 0);
	char *after = test_digest(st, link_tables, n_written);
	/* only the ingest log grew */
	CHECK_STR("lstore-0.11", after, before);
	CHECK_INT("lstore-0.11.log", test_q(st, "SELECT count(*) FROM ingest_log"), logged + 1);
	CHECK_INT("lstore-0.12", test_q(st, "SELECT count(*) FROM mention_regions"), 30);
	int64_t rep = add_report(st, "lstore-13", "Right upper lobe pneumonia.");
	int64_t m = add_mention(st, rep, "Right upper lobe pneumonia.", "C9000108",
				"Right upper lobe pneumonia", 0, 0, "affirmed");
	CHECK_INT("lstore-13.1", link_run(st, &o, &s), 0);
	CHECK_INT("lstore-13.2", s.findings, 1);
	char *got = links_of(st, m);
	CHECK_STR("lstore-13.3", got, "right upper lung zone:sentence");
	free(got);
	free(before);
	free(after);

	/* --replace links everything again, to the same result */
	before = q_text(st, "SELECT group_concat(mention || region || method, ';') FROM "
			    "(SELECT * FROM mention_regions ORDER BY 1, 2)", 0);
	o.replace = 1;
	CHECK_INT("lstore-14.1", link_run(st, &o, &s), 0);
	CHECK_INT("lstore-14.2", s.dropped, 31);
	after = q_text(st, "SELECT group_concat(mention || region || method, ';') FROM "
			   "(SELECT * FROM mention_regions ORDER BY 1, 2)", 0);
	CHECK_STR("lstore-14.3", after, before);
	free(before);
	free(after);

	/* offsets outside the report are an error, and change nothing */
	rep = add_report(st, "lstore-15", "Short.");
	store_exec(st, "INSERT INTO mentions(report, concept, section, sentence, start, end, surface, "
		       "polarity) SELECT max(id), (SELECT id FROM concepts WHERE cui = 'C0018800'), "
		       "'findings', 0, 2, 40, 'x', 'affirmed' FROM reports");
	mentions_set_ranges(st);
	before = test_digest(st, link_tables, ARRAY_SIZE(link_tables));
	o.replace = 0;
	last_error_reset();
	CHECK_INT("lstore-15.1", link_run(st, &o, &s), -1);
	CHECK_ERR("lstore-15.2", "offsets 2-40 outside its report (6 characters)");
	after = test_digest(st, link_tables, ARRAY_SIZE(link_tables));
	CHECK_STR("lstore-15.3", after, before);
	free(before);
	free(after);
	store_exec(st, "DELETE FROM mentions WHERE end = 40");
}

/* ------------------------------------------------------------ images */

static void write_jpeg(const char *path, int w, int h, size_t app_bytes)
{
	struct jpeg_compress_struct c;
	struct jpeg_error_mgr e;
	unsigned char *mem = NULL;
	unsigned long size = 0;
	c.err = jpeg_std_error(&e);
	jpeg_create_compress(&c);
	jpeg_mem_dest(&c, &mem, &size);
	c.image_width = (JDIMENSION)w;
	c.image_height = (JDIMENSION)h;
	c.input_components = 1;
	c.in_color_space = JCS_GRAYSCALE;
	jpeg_set_defaults(&c);
	jpeg_start_compress(&c, TRUE);
	/* a large application segment before the frame header, as EXIF data is */
	unsigned char *app = xcalloc(1, app_bytes + 1);
	for (size_t done = 0; done < app_bytes; done += 65000)
		jpeg_write_marker(&c, JPEG_APP0 + 1, app,
				  (unsigned)(app_bytes - done < 65000 ? app_bytes - done : 65000));
	free(app);
	unsigned char *row = xcalloc(1, (size_t)w);
	while (c.next_scanline < c.image_height)
		jpeg_write_scanlines(&c, &row, 1);
	jpeg_finish_compress(&c);
	jpeg_destroy_compress(&c);
	write_file(path, (const char *)mem, size);
	free(row);
	free(mem);
}

static uint32_t crc32_of(const unsigned char *p, size_t n)
{
	uint32_t c = 0xffffffffu;
	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0xedb88320u & (0u - (c & 1)));
	}
	return c ^ 0xffffffffu;
}

/* A PNG signature and IHDR chunk only (a correct CRC), of any size. */
static void write_png_header(const char *path, uint32_t w, uint32_t h)
{
	unsigned char b[33] = { 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13,
				'I', 'H', 'D', 'R' };
	for (int i = 0; i < 4; i++) {
		b[16 + i] = (unsigned char)(w >> (24 - 8 * i));
		b[20 + i] = (unsigned char)(h >> (24 - 8 * i));
	}
	b[24] = 8, b[25] = 0;
	uint32_t crc = crc32_of(b + 12, 17);
	for (int i = 0; i < 4; i++)
		b[29 + i] = (unsigned char)(crc >> (24 - 8 * i));
	write_file(path, (const char *)b, sizeof b);
}

static void test_headers(void)
{
	uint8_t *rgb = xcalloc(3, 40 * 30);
	CHECK_INT("lstore-image-1.1", image_write_png(test_path("a.png"), rgb, 40, 30), 0);
	free(rgb);
	int w = 0, h = 0;
	CHECK_INT("lstore-image-1.2", image_size(test_path("a.png"), &w, &h), IMAGE_PNG);
	CHECK_INT("lstore-image-1.3", w, 40);
	CHECK_INT("lstore-image-1.3.height", h, 30);
	write_jpeg(test_path("b.jpg"), 33, 17, 0);
	CHECK_INT("lstore-image-1.4", image_size(test_path("b.jpg"), &w, &h), IMAGE_JPEG);
	CHECK_INT("lstore-image-1.5", w, 33);
	CHECK_INT("lstore-image-1.5.height", h, 17);
	/* a header past the first 16 KiB */
	write_jpeg(test_path("c.jpg"), 21, 9, 40000);
	CHECK_INT("lstore-image-1.6", image_size(test_path("c.jpg"), &w, &h), IMAGE_JPEG);
	CHECK_INT("lstore-image-1.7", w, 21);
	CHECK_INT("lstore-image-1.7.height", h, 9);
	write_png_header(test_path("d.png"), 3000, 2500);
	CHECK_INT("lstore-image-1.8", image_size(test_path("d.png"), &w, &h), IMAGE_PNG);
	CHECK_INT("lstore-image-1.9", w, 3000);
	CHECK_INT("lstore-image-1.9.height", h, 2500);
	w = h = 0;
	uint8_t *px = image_decode_rgb(test_path("b.jpg"), &w, &h);
	CHECK("lstore-image-1.10", px && px[0] == 0); /* decoded, black */
	CHECK_INT("lstore-image-1.10.width", w, 33);
	CHECK_INT("lstore-image-1.10.height", h, 17);
	free(px);

	static const struct {
		const char *id, *name, *err;
	} bad[] = {
		{ "lstore-image-2.1", "trunc.png", "trunc.png: not a readable PNG header" },
		{ "lstore-image-2.2", "trunc.jpg", "trunc.jpg: not a readable JPEG header" },
		{ "lstore-image-2.3", "text.png", "text.png: not a PNG or JPEG file" },
		{ "lstore-image-2.4", "empty.jpg", "empty.jpg: not a PNG or JPEG file (empty)" },
		{ "lstore-image-2.5", "zero.png", "zero.png: not a readable PNG header" },
		{ "lstore-image-2.6", "missing.png", "missing.png: cannot open" },
	};
	char *full;
	size_t n;
	FILE *f = fopen(test_path("a.png"), "rb");
	full = xmalloc(1 << 16);
	n = fread(full, 1, 1 << 16, f);
	fclose(f);
	write_file(test_path("trunc.png"), full, 20);
	f = fopen(test_path("b.jpg"), "rb");
	n = fread(full, 1, 1 << 16, f);
	fclose(f);
	write_file(test_path("trunc.jpg"), full, n > 60 ? 60 : n);
	free(full);
	write_file(test_path("text.png"), "hello, world\n", 13);
	write_file(test_path("empty.jpg"), "", 0);
	write_png_header(test_path("zero.png"), 0, 10);
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		last_error_reset();
		CHECK_INT(test_id("%s.rc", bad[i].id), image_size(test_path(bad[i].name), &w, &h), -1);
		CHECK_ERR(bad[i].id, bad[i].err);
	}
}

/* A JPEG whose frame header claims w x h (a small image, patched). */
static void write_jpeg_claiming(const char *path, unsigned w, unsigned h)
{
	write_jpeg(path, 8, 8, 0);
	size_t n;
	char *b = test_read(path, &n);
	for (size_t i = 0; b && i + 9 < n; i++)
		if ((unsigned char)b[i] == 0xff && (unsigned char)b[i + 1] == 0xc0) {
			b[i + 5] = (char)(h >> 8), b[i + 6] = (char)h;
			b[i + 7] = (char)(w >> 8), b[i + 8] = (char)w;
			break;
		}
	write_file(path, b, n);
	free(b);
}

/* Headers that claim more than IMAGE_MAX_SIDE are refused before anything
 * is allocated, naming the file and the size; the limit itself is fine. */
static void test_header_limits(void)
{
	static const struct {
		const char *id, *name;
		unsigned w, h;
		int want;
	} lim[] = {
		{ "lstore-image-3.1", "huge.png", 503316496, 16, IMAGE_TOO_LARGE },
		{ "lstore-image-3.2", "wide.png", 16385, 10, IMAGE_TOO_LARGE },
		{ "lstore-image-3.3", "tall.png", 10, 16385, IMAGE_TOO_LARGE },
		{ "lstore-image-3.4", "limit.png", 16384, 16384, IMAGE_PNG },
		{ "lstore-image-3.5", "huge.jpg", 60000, 60000, IMAGE_TOO_LARGE },
		{ "lstore-image-3.6", "wide.jpg", 16385, 8, IMAGE_TOO_LARGE },
		{ "lstore-image-3.7", "limit.jpg", 16384, 8, IMAGE_JPEG },
	};
	for (size_t i = 0; i < ARRAY_SIZE(lim); i++) {
		const char *path = test_path(lim[i].name);
		if (strstr(lim[i].name, ".png"))
			write_png_header(path, lim[i].w, lim[i].h);
		else
			write_jpeg_claiming(path, lim[i].w, lim[i].h);
		int w = 0, h = 0;
		last_error_reset();
		CHECK_INT(lim[i].id, image_size(path, &w, &h), lim[i].want);
		if (lim[i].want == IMAGE_TOO_LARGE) {
			char msg[256];
			snprintf(msg, sizeof msg, "%s: image of %u x %u pixels is over the limit of "
				 "16384 x 16384", lim[i].name, lim[i].w, lim[i].h);
			CHECK_ERR(test_id("%s.err", lim[i].id), msg);
			/* nor is it decoded */
			CHECK(test_id("%s.decode", lim[i].id), image_decode_rgb(path, &w, &h) == NULL);
		} else {
			CHECK_INT(test_id("%s.size", lim[i].id), (long long)w * 100000 + h,
				  (long long)lim[i].w * 100000 + lim[i].h);
		}
	}
}

/* The expected bitset of a normalized box, as hex. */
static char *hex_box(int grid, double x1, double y1, double x2, double y2)
{
	uint8_t bits[GRID_MAX * GRID_MAX / 8] = { 0 };
	grid_box(grid, x1, y1, x2, y2, bits);
	struct buf b = BUF_INIT;
	for (size_t i = 0; i < grid_bytes(grid); i++)
		buf_addf(&b, "%02X", bits[i]);
	return buf_detach(&b);
}

/* Case id: link_run with o fails (id.rc) with err (id) and leaves the
 * store as it was (id.store). */
static void fails_unchanged(const char *id, struct store *st, const struct link_options *o,
			    const char *err)
{
	struct link_stats s;
	char *before = test_digest(st, link_tables, ARRAY_SIZE(link_tables));
	last_error_reset();
	CHECK_INT(test_id("%s.rc", id), link_run(st, o, &s), -1);
	CHECK_ERR(id, err);
	char *after = test_digest(st, link_tables, ARRAY_SIZE(link_tables));
	CHECK_STR(test_id("%s.store", id), after, before);
	free(before);
	free(after);
}

static void test_images(struct store *st)
{
	const char *text = "Mild cardiomegaly.";
	int64_t rep = add_report(st, "IMG1", text);
	int64_t m = add_mention(st, rep, text, "C0018800", "cardiomegaly", 0, 0, "affirmed");
	add_report(st, "IMG2", "Nothing.");
	const int64_t rewrites = test_q(st, "SELECT ifnull((SELECT value FROM meta WHERE key = 'store.rewrites'), 0)");
	/* the IU projections.csv layout; one row for a report not in the store */
	const char *list = "uid,filename,projection\n"
			   "IMG1,IMG1_IM-1-1001.dcm.png,Frontal\n"
			   "IMG1,lat/IMG1_IM-1-2001.png,Lateral\n"
			   "IMG1,IMG1_IM-1-3001,\n"
			   "IMG9,IMG9_IM-9-1001.png,Frontal\n";
	write_file(test_path("list.csv"), list, strlen(list));
	uint8_t *rgb = xcalloc(3, 288 * 288);
	image_write_png(test_path("IMG1_IM-1-1001.dcm.png"), rgb, 288, 288);
	free(rgb);
	write_jpeg(test_path("IMG1_IM-1-2001.jpg"), 200, 240, 0);

	struct link_options o = { .grid = 18, .image_list = (char *)test_path("list.csv"),
				  .images_dir = (char *)test_tmpdir() };
	struct link_stats s;
	CHECK_INT("lstore-images-1.1", link_run(st, &o, &s), 0);
	CHECK_INT("lstore-images-1.2", s.images_listed, 4);
	CHECK_INT("lstore-images-1.3", s.images_new, 3);
	CHECK_INT("lstore-images-1.4", s.images_unknown_report, 1);
	CHECK_INT("lstore-images-1.5", s.images_sized, 2);
	CHECK_INT("lstore-images-1.6", s.images_missing, 1);
	/* new images, sized: nothing the store held changed (store.h) */
	CHECK_INT("lstore-images-1.6.rewrites", test_q(st, "SELECT ifnull((SELECT value FROM meta WHERE key = 'store.rewrites'), 0)"), rewrites);
	CHECK_INT("lstore-images-1.7", test_q(st, "SELECT width * 1000 + height FROM images "
				      "WHERE path = 'lat/IMG1_IM-1-2001.png'"), 200240);
	/* frontal: the atlas; lateral and unknown: the whole image */
	char *want = hex_box(18, atlas[24].x1, atlas[24].y1, atlas[24].x2, atlas[24].y2);
	char *got = q_text(st, "SELECT geometry || ' ' || hex(patches) FROM mention_patches p JOIN "
			       "images i ON i.id = p.image WHERE i.view = 'Frontal' AND mention = ?", m);
	struct buf b = BUF_INIT;
	buf_addf(&b, "atlas %s", want);
	CHECK_STR("lstore-images-1.8", got, b.p);
	free(got);
	/* lateral: the lateral view's cardiac silhouette, which the lexicon maps
	 * the frontal one to; unknown: the whole image */
	const struct lateral_region *heart = &atlas_lateral[atlas_lateral_find(
		"cardiac silhouette (lateral view)", 33)];
	char *lat = hex_box(18, heart->x1, heart->y1, heart->x2, heart->y2);
	got = q_text(st, "SELECT geometry || ' ' || hex(patches) FROM mention_patches p JOIN "
			 "images i ON i.id = p.image WHERE i.view = 'Lateral' AND mention = ?", m);
	buf_reset(&b);
	buf_addf(&b, "atlas %s", lat);
	CHECK_STR("lstore-images-1.9", got, b.p);
	free(got);
	free(lat);
	got = q_text(st, "SELECT group_concat(geometry || n_patches, ',') FROM mention_patches p "
			 "JOIN images i ON i.id = p.image WHERE i.view IS NULL AND p.mention = ?", m);
	CHECK_STR("lstore-images-1.10", got, "whole324");
	free(got);

	/* a view that changes recomputes the image's patch sets */
	const char *list3 = "uid,filename,projection\nIMG1,IMG1_IM-1-3001,PA\n";
	write_file(test_path("list3.csv"), list3, strlen(list3));
	struct link_options ov = { .grid = 18, .image_list = (char *)test_path("list3.csv") };
	CHECK_INT("lstore-images-1.11", link_run(st, &ov, &s), 0);
	CHECK_INT("lstore-images-1.12", s.images_new, 1);
	CHECK_INT("lstore-images-1.13", s.patch_sets, 1);
	CHECK_INT("lstore-images-1.13.rewrites", test_q(st, "SELECT ifnull((SELECT value FROM meta WHERE key = 'store.rewrites'), 0)"), rewrites + 1);
	got = q_text(st, "SELECT geometry FROM mention_patches p JOIN images i ON i.id = p.image "
			 "WHERE i.path = 'IMG1_IM-1-3001' AND p.mention = ?", m);
	CHECK_STR("lstore-images-1.14", got, "atlas");
	free(got);
	CHECK_INT("lstore-images-1.15", link_run(st, &ov, &s), 0);
	CHECK_INT("lstore-images-1.16", s.images_new + s.patch_sets, 0);
	CHECK_INT("lstore-images-1.16.rewrites", test_q(st, "SELECT ifnull((SELECT value FROM meta WHERE key = 'store.rewrites'), 0)"), rewrites + 1);

	/* boxes override the atlas for their image */
	const char *boxes = "image_id,region,x1,y1,x2,y2\n"
			    "IMG1_IM-1-1001,Cardiac silhouette,96,144,192,240\n";
	write_file(test_path("boxes.csv"), boxes, strlen(boxes));
	struct link_options ob = { .grid = 18, .boxes = (char *)test_path("boxes.csv") };
	CHECK_INT("lstore-boxes-1.1", link_run(st, &ob, &s), 0);
	CHECK_INT("lstore-boxes-1.2", s.boxes_read, 1);
	CHECK_INT("lstore-boxes-1.3", s.boxes_changed, 1);
	CHECK_INT("lstore-boxes-1.4", s.patch_sets, 1);
	CHECK_INT("lstore-boxes-1.4.rewrites", test_q(st, "SELECT ifnull((SELECT value FROM meta WHERE key = 'store.rewrites'), 0)"), rewrites + 2);
	got = q_text(st, "SELECT geometry || ' ' || hex(patches) FROM mention_patches p JOIN "
			 "images i ON i.id = p.image WHERE i.view = 'Frontal' AND mention = ?", m);
	free(want);
	want = hex_box(18, 96 / 288.0, 144 / 288.0, 192 / 288.0, 240 / 288.0);
	buf_reset(&b);
	buf_addf(&b, "boxes %s", want);
	CHECK_STR("lstore-boxes-1.5", got, b.p);
	free(got);
	/* the same boxes again: nothing to do */
	CHECK_INT("lstore-boxes-1.6", link_run(st, &ob, &s), 0);
	CHECK_INT("lstore-boxes-1.7", s.boxes_changed + s.patch_sets, 0);
	CHECK_INT("lstore-boxes-1.7.rewrites", test_q(st, "SELECT ifnull((SELECT value FROM meta WHERE key = 'store.rewrites'), 0)"), rewrites + 2);
	/* a header alone: no boxes, nothing changes */
	write_file(test_path("header.csv"), "image_id,region,x1,y1,x2,y2\n", 28);
	struct link_options oh = { .grid = 18, .boxes = (char *)test_path("header.csv") };
	CHECK_INT("lstore-boxes-1.8", link_run(st, &oh, &s), 0);
	CHECK_INT("lstore-boxes-1.9", s.boxes_read + s.boxes_changed + s.patch_sets, 0);

	static const struct {
		const char *id, *csv, *err;
	} bad[] = {
		{ "lstore-boxes-2.1", "IMG1_IM-1-1001,left lungs,0,0,10,10\n", "bad.csv:1: unknown region 'left lungs'" },
		{ "lstore-boxes-2.2", "IMG1_IM-1-1001,left lung,0,0,10,10\nIMG1_IM-1-1001,left lung,0,0,10,10\n",
		  "bad.csv:2: duplicate row: image 'IMG1_IM-1-1001' region 'left lung' is on line 1 too" },
		{ "lstore-boxes-2.3", "image_id,region,x1,y1,x2,y2\nIMG1_IM-1-1001,left lung,100,0,300,10\n",
		  "bad.csv:2: box (100,0)-(300,10) outside the image (288 x 288)" },
		{ "lstore-boxes-2.4", "IMG1_IM-1-1001,left lung,10,0,10,10\n", "bad.csv:1: empty box" },
		{ "lstore-boxes-2.5", "IMG1_IM-1-3001,left lung,0,0,10,10\n",
		  "bad.csv:1: size of image 'IMG1_IM-1-3001' unknown" },
		{ "lstore-boxes-2.6", "IMG5,left lung,0,0,10,10\n", "bad.csv:1: unknown image 'IMG5'" },
		{ "lstore-boxes-2.7", "IMG1_IM-1-1001,left lung,0,0,1O,10\n", "bad.csv:1: '1O' is not a number" },
		{ "lstore-boxes-2.8", "IMG1_IM-1-1001,left lung,0,0,10\n", "bad.csv:1: expected 6 fields" },
		{ "lstore-boxes-2.9", "IMG1_IM-1-1001,left lung,0,0,10,10\n\"unterminated,\n",
		  "bad.csv:2: malformed CSV" },
		{ "lstore-boxes-2.10", "", "bad.csv: empty boxes file" },
		{ "lstore-boxes-2.11", "\n\n", "bad.csv: empty boxes file" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		write_file(test_path("bad.csv"), bad[i].csv, strlen(bad[i].csv));
		struct link_options ox = { .grid = 18, .boxes = (char *)test_path("bad.csv") };
		fails_unchanged(bad[i].id, st, &ox, bad[i].err);
	}
	static const struct {
		const char *id, *csv, *err;
	} bad_list[] = {
		{ "lstore-images-2.1", "report,file\nIMG1,x.png\nIMG1,x.png\n",
		  "bad.csv:3: duplicate row: image 'x.png' of report 'IMG1' is on line 2 too" },
		{ "lstore-images-2.2", "name,file\nIMG1,x.png\n", "bad.csv:1: expected a header naming" },
		{ "lstore-images-2.3", "report_id,image_path,view\nIMG1,x.png\n", "bad.csv:2: expected 3 fields, found 2" },
		{ "lstore-images-2.4", "report_id,image_path\nIMG1,\n", "bad.csv:2: empty image path" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad_list); i++) {
		write_file(test_path("bad.csv"), bad_list[i].csv, strlen(bad_list[i].csv));
		struct link_options ox = { .grid = 18, .image_list = (char *)test_path("bad.csv") };
		fails_unchanged(bad_list[i].id, st, &ox, bad_list[i].err);
	}
	/* a bad image file stops the run, naming it */
	const char *list2 = "report_id,image_path,view\nIMG2,broken.png,PA\n";
	write_file(test_path("list2.csv"), list2, strlen(list2));
	write_file(test_path("broken.png"), "\x89PNG\r\n\x1a\n\0\0", 10);
	struct link_options ox = { .grid = 18, .image_list = (char *)test_path("list2.csv"),
				   .images_dir = (char *)test_tmpdir() };
	fails_unchanged("lstore-images-3.1", st, &ox, "broken.png: not a readable PNG header");
	/* as does an image too large, and with lenient both are skipped, counted */
	const char *list4 = "report_id,image_path,view\nIMG2,broken.png,PA\nIMG2,huge.png,PA\n";
	write_file(test_path("list4.csv"), list4, strlen(list4));
	write_png_header(test_path("huge.png"), 503316496, 16);
	const char *list5 = "report_id,image_path,view\nIMG2,huge.png,PA\n";
	write_file(test_path("list5.csv"), list5, strlen(list5));
	ox.image_list = (char *)test_path("list5.csv");
	fails_unchanged("lstore-images-3.2", st, &ox,
			"huge.png: image of 503316496 x 16 pixels is over the limit of 16384 x 16384");
	ox.lenient = 1;
	ox.image_list = (char *)test_path("list4.csv");
	CHECK_INT("lstore-images-3.3", link_run(st, &ox, &s), 0);
	CHECK_INT("lstore-images-3.4", s.images_bad, 2);
	CHECK_INT("lstore-images-3.5", s.images_sized, 0);
	CHECK_INT("lstore-images-3.6", test_q(st, "SELECT count(*) FROM images WHERE report = "
				     "(SELECT id FROM reports WHERE external_id = 'IMG2') AND "
				     "width IS NULL"), 2);

	/* another grid needs --regrid, which recomputes every patch set */
	struct link_options og = { .grid = 16 };
	fails_unchanged("lstore-grid-20.1", st, &og, "use --regrid to recompute them");
	og.regrid = 1;
	int64_t sets = test_q(st, "SELECT count(*) FROM mention_patches");
	CHECK_INT("lstore-grid-20.2", link_run(st, &og, &s), 0);
	CHECK_INT("lstore-grid-20.3", s.patch_sets, sets);
	CHECK_INT("lstore-grid-20.4", test_q(st, "SELECT count(*) FROM mention_patches WHERE grid = 16 AND "
				     "length(patches) = 32"), sets);
	lat = hex_box(16, heart->x1, heart->y1, heart->x2, heart->y2);
	got = q_text(st, "SELECT hex(patches) FROM mention_patches p JOIN images i ON "
			 "i.id = p.image WHERE i.view = 'Lateral' AND mention = ?", m);
	CHECK_STR("lstore-grid-20.5", got, lat);
	free(got);
	free(lat);
	free(want);
	buf_release(&b);
}

static void test_draw(struct store *st)
{
	FILE *legend = fopen(test_path("legend.txt"), "w");
	CHECK_INT("lstore-draw-1.1", link_draw(st, "IMG1_IM-1-1001", NULL, test_path("draw.png"), legend), 0);
	CHECK_INT("lstore-draw-1.2", link_draw(st, "IMG1_IM-1-3001", NULL, test_path("blank.png"), legend), 0);
	fclose(legend);
	int w, h;
	CHECK_INT("lstore-draw-1.3", image_size(test_path("draw.png"), &w, &h), IMAGE_PNG);
	CHECK_INT("lstore-draw-1.4", w, 288);
	CHECK_INT("lstore-draw-1.4.height", h, 288);
	/* the canvas of an image whose file was not found */
	CHECK_INT("lstore-draw-1.5", image_size(test_path("blank.png"), &w, &h), IMAGE_PNG);
	CHECK_INT("lstore-draw-1.6", w, 512);
	CHECK_INT("lstore-draw-1.6.height", h, 512);
	char *text = NULL;
	size_t n;
	FILE *f = fopen(test_path("legend.txt"), "r");
	text = xcalloc(1, 4096);
	n = fread(text, 1, 4095, f);
	fclose(f);
	CHECK("lstore-draw-1.7", n > 0 && strstr(text, "red      cardiac silhouette         boxes  "
						"Cardiomegaly (kb)"));
	CHECK("lstore-draw-1.8", strstr(text, "blank canvas: size unknown") != NULL);
	free(text);
	/* the drawn picture has the region's colour on its outline: (96,144) */
	uint8_t *px = image_decode_rgb(test_path("draw.png"), &w, &h);
	CHECK_INT("lstore-draw-1.9", px ? px[(144 * 288 + 150) * 3] : -1, 230);
	CHECK_INT("lstore-draw-1.9.green", px ? px[(144 * 288 + 150) * 3 + 1] : -1, 40);
	free(px);
	last_error_reset();
	CHECK_INT("lstore-draw-1.10", link_draw(st, "nope", NULL, test_path("x.png"), stderr), -1);
	CHECK_ERR("lstore-draw-1.11", "no image 'nope'");

	/* a lateral view: the lateral atlas's cardiac silhouette, tinted, and
	 * nothing drawn where no region is (the top right corner) */
	legend = fopen(test_path("legend.txt"), "w");
	CHECK_INT("lstore-draw-3.1", link_draw(st, "lat/IMG1_IM-1-2001.png", NULL,
					       test_path("lat.png"), legend), 0);
	fclose(legend);
	f = fopen(test_path("legend.txt"), "r");
	text = xcalloc(1, 4096);
	n = fread(text, 1, 4095, f);
	fclose(f);
	CHECK("lstore-draw-3.2", n > 0 && strstr(text, "red      cardiac silhouette (lateral view) atlas  "
						"Cardiomegaly (kb)"));
	free(text);
	int ow, oh;
	uint8_t *orig = image_decode_rgb(test_path("IMG1_IM-1-2001.jpg"), &ow, &oh);
	px = image_decode_rgb(test_path("lat.png"), &w, &h);
	const struct lateral_region *heart = &atlas_lateral[atlas_lateral_find(
		"cardiac silhouette (lateral view)", 33)];
	size_t in = ((size_t)((heart->y1 + heart->y2) / 2 * h) * (size_t)w +
		     (size_t)((heart->x1 + heart->x2) / 2 * w)) * 3;
	size_t out = ((size_t)(0.02 * h) * (size_t)w + (size_t)(0.95 * w)) * 3;
	CHECK("lstore-draw-3.3", orig && px && ow == w && oh == h && memcmp(orig + in, px + in, 3));
	CHECK("lstore-draw-3.4", orig && px && !memcmp(orig + out, px + out, 3));
	free(orig);
	free(px);
}

/* PA and AP mirror the same way, the patient's right on the image's left:
 * "right lower lung" is tinted on the left half of both pictures, on black
 * images, and nowhere on their right half. */
static void test_draw_sides(struct store *st)
{
	const char *text = "Opacity in the right lower lung.";
	int64_t rep = add_report(st, "SIDES1", text);
	add_mention(st, rep, text, "C9000096", "Opacity", 0, 0, "affirmed");
	const char *list = "report_id,image_path,view\nSIDES1,sides_pa.png,PA\n"
			   "SIDES1,sides_ap.png,AP\n";
	write_file(test_path("sides.csv"), list, strlen(list));
	enum { W = 160, H = 120 };
	uint8_t *black = xcalloc(3, W * H);
	/* a directory of their own: other cases leave broken images beside */
	mkdir(test_path("sides"), 0777);
	image_write_png(test_path("sides/sides_pa.png"), black, W, H);
	image_write_png(test_path("sides/sides_ap.png"), black, W, H);
	free(black);
	struct buf dir = BUF_INIT;
	buf_adds(&dir, test_path("sides"));
	struct link_options o = { .grid = 16, .image_list = (char *)test_path("sides.csv"),
				  .images_dir = dir.p };
	struct link_stats s;
	last_error_reset();
	CHECK_INT("lstore-draw-2.1", link_run(st, &o, &s), 0);
	CHECK_STR("lstore-draw-2.1.err", last_error(), "");
	static const char *const images[] = { "sides_pa.png", "sides_ap.png" };
	for (int v = 0; v < 2; v++) {
		FILE *legend = fopen(test_path("sides.txt"), "w");
		CHECK_INT(test_id("lstore-draw-2.%d", v + 2),
			  link_draw(st, images[v], NULL, test_path("sides_out.png"), legend), 0);
		fclose(legend);
		int w = 0, h = 0;
		uint8_t *px = image_decode_rgb(test_path("sides_out.png"), &w, &h);
		long left = 0, right = 0;
		for (int y = 0; px && y < h; y++)
			for (int x = 0; x < w; x++) {
				const uint8_t *p = px + ((size_t)y * (size_t)w + (size_t)x) * 3;
				if (p[0] | p[1] | p[2])
					*(x < w / 2 ? &left : &right) += 1;
			}
		CHECK_INT(test_id("lstore-draw-2.%d.size", v + 2), w * 1000 + h, W * 1000 + H);
		/* the zone is 0.42 x 0.24 of the image */
		CHECK(test_id("lstore-draw-2.%d.left", v + 2), left > W * H / 16);
		CHECK_INT(test_id("lstore-draw-2.%d.right", v + 2), right, 0);
		free(px);
	}
	buf_release(&dir);
}

static void test_lexicon_file(struct store *st)
{
	/* a lexicon of one's own: here "cardiomegaly" means the mediastinum */
	const char *lx = "anatomy | heart | cardiac silhouette\n"
			 "site | C0018800 | mediastinum\n"
			 "concept | C0018787 | none\n"
			 "concept | C9000050 | none\n";
	write_file(test_path("lex.txt"), lx, strlen(lx));
	struct link_options o = { .lexicon = (char *)test_path("lex.txt"), .replace = 1 };
	struct link_stats s;
	CHECK_INT("lstore-lexfile-1.1", link_run(st, &o, &s), 0);
	CHECK_INT("lstore-lexfile-1.2", test_q(st, "SELECT count(*) FROM mention_regions r JOIN mentions m ON "
				       "m.id = r.mention WHERE m.surface = 'cardiomegaly' AND "
				       "r.region = 'mediastinum' AND r.method = 'lexicon'"), 2);
	write_file(test_path("lex.txt"), "anatomy | heart | heart\n", 24);
	fails_unchanged("lstore-lexfile-1.3", st, &o, "lex.txt:1: unknown region 'heart'");
}

/* An image list read before is read from where it ended while it only
 * grows; its old rows are read again when a report they name arrives, or
 * when its first bytes change. */
static void test_image_list_again(struct store *st)
{
	add_report(st, "MEMO1", "Nothing.");
	const char *list = "report_id,image_path,view\n"
			   "MEMO1,memo/MEMO1_a.png,PA\n"
			   "MEMO2,memo/MEMO2_a.png,PA\n";
	const char *path = test_path("memo.csv");
	write_file(path, list, strlen(list));
	/* the regions alone: the store's patch sets are on another grid */
	struct link_options o = { .grid = 0, .image_list = (char *)path };
	struct link_stats s;
	CHECK_INT("lstore-memo-1.1", link_run(st, &o, &s), 0);
	CHECK_INT("lstore-memo-1.2", (int64_t)s.images_list_from, 0);
	CHECK_INT("lstore-memo-1.3", s.images_new, 1);
	CHECK_INT("lstore-memo-1.4", s.images_unknown_report, 1);
	/* rows appended: only they are read */
	struct buf b = BUF_INIT;
	buf_addf(&b, "%sMEMO1,memo/MEMO1_b.png,LATERAL\n", list);
	write_file(path, b.p, b.len);
	CHECK_INT("lstore-memo-2.1", link_run(st, &o, &s), 0);
	CHECK_INT("lstore-memo-2.2", (int64_t)s.images_list_from, (int64_t)strlen(list));
	CHECK_INT("lstore-memo-2.3", s.images_listed, 1);
	CHECK_INT("lstore-memo-2.4", s.images_new, 1);
	/* nothing new: nothing read */
	CHECK_INT("lstore-memo-3.1", link_run(st, &o, &s), 0);
	CHECK_INT("lstore-memo-3.2", s.images_listed + s.images_new, 0);
	/* a report an old row names arrives: that row is read again, alone */
	add_report(st, "MEMO2", "Nothing.");
	CHECK_INT("lstore-memo-4.1", link_run(st, &o, &s), 0);
	CHECK_INT("lstore-memo-4.2", (int64_t)s.images_list_from, (int64_t)b.len);
	CHECK_INT("lstore-memo-4.3", s.images_listed, 1);
	CHECK_INT("lstore-memo-4.4", s.images_new, 1);
	CHECK_INT("lstore-memo-4.5", test_q(st, "SELECT count(*) FROM images i JOIN reports r ON "
					   "r.id = i.report WHERE r.external_id = 'MEMO2'"), 1);
	/* an old row changed (the same size): read whole, the view updated */
	buf_reset(&b);
	buf_addf(&b, "report_id,image_path,view\nMEMO1,memo/MEMO1_a.png,AP\n"
		     "MEMO2,memo/MEMO2_a.png,PA\nMEMO1,memo/MEMO1_b.png,LATERAL\n");
	write_file(path, b.p, b.len);
	CHECK_INT("lstore-memo-5.1", link_run(st, &o, &s), 0);
	CHECK_INT("lstore-memo-5.2", (int64_t)s.images_list_from, 0);
	CHECK_INT("lstore-memo-5.3", s.images_new, 1);
	CHECK_INT("lstore-memo-5.4", test_q(st, "SELECT count(*) FROM images WHERE "
					   "path = 'memo/MEMO1_a.png' AND view = 'AP'"), 1);
	/* the store's images rewritten (store.rewrites): read whole */
	CHECK_INT("lstore-memo-6.1", store_note_rewrite(st), 0);
	CHECK_INT("lstore-memo-6.2", link_run(st, &o, &s), 0);
	CHECK_INT("lstore-memo-6.3", (int64_t)s.images_list_from, 0);
	CHECK_INT("lstore-memo-6.4", s.images_listed, 3);
	/* a remembered row list it cannot read: read whole */
	CHECK_INT("lstore-memo-7.1", store_meta_set(st, META_LINK_IMAGE_LIST_UNKNOWN, "12ab:x"), 0);
	CHECK_INT("lstore-memo-7.2", link_run(st, &o, &s), 0);
	CHECK_INT("lstore-memo-7.3", (int64_t)s.images_list_from, 0);
	CHECK_INT("lstore-memo-7.4", s.images_listed, 3);
	/* a row read after the old ones meets a report id two sources have */
	CHECK_INT("lstore-memo-8.1", store_exec(st, "INSERT INTO reports(source, external_id, hash, "
						 "text, ingested) VALUES ('other', 'MEMO1', 'h', "
						 "'Nothing.', 'now')"), 0);
	CHECK_INT("lstore-memo-8.2", link_run(st, &o, &s), 0); /* no old row names it */
	CHECK_INT("lstore-memo-8.2.rows", s.images_listed, 0);
	buf_addf(&b, "MEMO1,memo/MEMO1_c.png,PA\n");
	write_file(path, b.p, b.len);
	fails_unchanged("lstore-memo-8.3", st, &o, "report id 'MEMO1' names reports of several "
						   "sources");
	buf_release(&b);
}

void test_link_store(void)
{
	struct store st;
	if (test_store_demo(&st, "link") < 0) {
		CHECK("lstore-0", 0);
		return;
	}
	test_links(&st);
	test_headers();
	test_header_limits();
	test_images(&st);
	test_image_list_again(&st);
	test_draw(&st);
	test_draw_sides(&st);
	test_lexicon_file(&st);
	store_close(&st);
}
