/*
 * gen_link — data for the link benchmarks (bench/link.sh).
 *
 *   gen_link reports STORE N [--no-images]
 *       add N synthetic chest radiograph reports to STORE (which must hold
 *       the demo knowledge base), with the mentions an extractor finds in
 *       them (character offsets, sentence numbers, polarity) and two images
 *       each (PA and LATERAL, 2048 x 2500) unless --no-images. Reports are
 *       R1..RN, drawn from the sentence templates below with a fixed seed.
 *   gen_link images DIR N
 *       write N image files into DIR, alternately PNG (libspng) and JPEG
 *       (libjpeg), 256 x 256 grey, and DIR/list.csv naming them as the
 *       images of reports R1..R(N/2), two each.
 */
#include <spng.h>
#include <sqlite3.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
/* jpeglib.h needs size_t and FILE declared first */
#include <jpeglib.h>

/* each report names its range of mention ids (store/mentions.h) */
#define RANGES "UPDATE reports SET mention_first = s.first, mention_count = s.n FROM (SELECT report, " \
	"min(id) AS first, max(id) - min(id) + 1 AS n FROM mentions GROUP BY report) s " \
	"WHERE s.report = reports.id;"

/* Sentences: [surface|CUI] marks a mention (affirmed), [surface|CUI|n] a
 * negated one, [surface|CUI|u] an uncertain one. */
static const char *const templates[] = {
	"[Left lower lobe|C9000011] [opacity|C9000096] and [right|C0205090] [effusion|C0032227].",
	"The heart size is normal.",
	"[Mild|C9000278] [cardiomegaly|C0018800].",
	"No [pneumothorax|C0032326|n].",
	"No focal [consolidation|C0521530|n], [pleural effusion|C0032227|n], or [pneumothorax|C0032326|n].",
	"[Bibasilar atelectasis|C9000115].",
	"Small [right pleural effusion|C9000126].",
	"[Retrocardiac opacity|C9000098] may represent [atelectasis|C0004144|u] or [pneumonia|C0032285|u].",
	"The [lungs|C0024109] are clear.",
	"[Atelectasis|C0004144] and small [effusion|C0032227] at the left base.",
	"There is [pulmonary vascular congestion|C9000149] with [interstitial edema|C9000147].",
	"[Endotracheal tube|C9000228] terminates 4 cm above the [carina|C9000038].",
	"Degenerative changes of the [thoracic spine|C9000079].",
	"[Calcified granuloma|C9000170] in the [right upper lobe|C9000007].",
	"No acute cardiopulmonary abnormality.",
	"[Low lung volumes|C9000122] with [bibasilar|C9000299] [atelectasis|C0004144].",
	"[Right apical pneumothorax|C9000137], decreased since the prior study.",
	"Patchy [opacity|C9000096] in the [lingula|C9000012] and [left lower lobe|C9000011], concerning for [pneumonia|C0032285|u].",
	"The [cardiomediastinal silhouette|C9000049] is within normal limits.",
	"[Tortuous aorta|C9000185].",
	"No [pleural effusion|C0032227|n] at the [right costophrenic angle|C9000042].",
	"[Hyperinflation|C9000156] consistent with [COPD|C0024117].",
	"[Pulmonary nodule|C0034079] in the [left mid lung zone|C9000021].",
	"[Sternotomy wires|C9000249] are intact.",
};

static uint64_t rng = 0x9e3779b97f4a7c15ull;
static uint32_t next_rand(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 11);
}

static int die(sqlite3 *db, const char *what)
{
	fprintf(stderr, "gen_link: %s: %s\n", what, db ? sqlite3_errmsg(db) : "");
	exit(1);
}

struct mention {
	int64_t concept;
	int sentence, start, end;
	const char *polarity;
	char surface[96];
};

static int64_t concept_id(sqlite3 *db, sqlite3_stmt *q, const char *cui)
{
	sqlite3_reset(q);
	sqlite3_bind_text(q, 1, cui, -1, SQLITE_TRANSIENT);
	if (sqlite3_step(q) != SQLITE_ROW) {
		fprintf(stderr, "gen_link: CUI %s is not in the store (load data/demo first)\n", cui);
		exit(1);
	}
	(void)db;
	return sqlite3_column_int64(q, 0);
}

/* Append template t as sentence s to text; mentions to m. */
static void expand(sqlite3 *db, sqlite3_stmt *qc, const char *t, int s, char *text, size_t *len,
		   struct mention *m, int *n)
{
	for (const char *p = t; *p;) {
		if (*p != '[') {
			text[(*len)++] = *p++;
			continue;
		}
		const char *bar = strchr(p, '|'), *end = strchr(p, ']');
		char cui[16] = "", pol = 'a';
		const char *bar2 = memchr(bar + 1, '|', (size_t)(end - bar - 1));
		size_t cl = (size_t)((bar2 ? bar2 : end) - bar - 1);
		memcpy(cui, bar + 1, cl);
		if (bar2)
			pol = bar2[1];
		struct mention *x = &m[(*n)++];
		x->concept = concept_id(db, qc, cui);
		x->sentence = s;
		x->start = (int)*len;
		memcpy(text + *len, p + 1, (size_t)(bar - p - 1));
		*len += (size_t)(bar - p - 1);
		x->end = (int)*len;
		snprintf(x->surface, sizeof x->surface, "%.*s", (int)(bar - p - 1), p + 1);
		x->polarity = pol == 'n' ? "negated" : pol == 'u' ? "uncertain" : "affirmed";
		p = end + 1;
	}
}

static void gen_reports(const char *path, long n, int images)
{
	sqlite3 *db;
	if (sqlite3_open(path, &db) != SQLITE_OK)
		die(db, path);
	sqlite3_exec(db, "PRAGMA journal_mode = WAL; PRAGMA synchronous = OFF; BEGIN", 0, 0, 0);
	sqlite3_stmt *qc, *ir, *im, *ii;
	if (sqlite3_prepare_v2(db, "SELECT id FROM concepts WHERE cui = ?", -1, &qc, 0) ||
	    sqlite3_prepare_v2(db, "INSERT INTO reports(source, external_id, hash, text, sections, "
				   "ingested) VALUES ('bench', ?, ?, ?, ?, 'now')", -1, &ir, 0) ||
	    sqlite3_prepare_v2(db, "INSERT INTO mentions(report, concept, section, sentence, start, "
				   "end, surface, polarity) VALUES (?, ?, ?, ?, ?, ?, ?, ?)", -1, &im, 0) ||
	    sqlite3_prepare_v2(db, "INSERT INTO images(report, path, view, width, height) "
				   "VALUES (?, ?, ?, 2048, 2500)", -1, &ii, 0))
		die(db, "prepare");
	char text[8192], id[32], sections[128];
	struct mention m[256];
	long n_mentions = 0;
	for (long r = 1; r <= n; r++) {
		size_t len = 0;
		int nm = 0, s = 0, nt = (int)(sizeof templates / sizeof templates[0]);
		memcpy(text, "FINDINGS: ", 10);
		len = 10;
		int nf = 4 + (int)(next_rand() % 4), ni = 1 + (int)(next_rand() % 3);
		for (int k = 0; k < nf; k++, s++) {
			if (k)
				text[len++] = ' ';
			expand(db, qc, templates[next_rand() % (uint32_t)nt], s, text, &len, m, &nm);
		}
		size_t fend = len;
		memcpy(text + len, "\n\nIMPRESSION: ", 14);
		len += 14;
		size_t istart = len;
		for (int k = 0; k < ni; k++, s++) {
			if (k)
				text[len++] = ' ';
			expand(db, qc, templates[next_rand() % (uint32_t)nt], s, text, &len, m, &nm);
		}
		text[len] = '\0';
		snprintf(id, sizeof id, "R%ld", r);
		snprintf(sections, sizeof sections, "[[\"findings\",10,%zu],[\"impression\",%zu,%zu]]",
			 fend, istart, len);
		sqlite3_reset(ir);
		sqlite3_bind_text(ir, 1, id, -1, SQLITE_STATIC);
		sqlite3_bind_text(ir, 2, id, -1, SQLITE_STATIC);
		sqlite3_bind_text(ir, 3, text, (int)len, SQLITE_STATIC);
		sqlite3_bind_text(ir, 4, sections, -1, SQLITE_STATIC);
		if (sqlite3_step(ir) != SQLITE_DONE)
			die(db, "insert report");
		int64_t rid = sqlite3_last_insert_rowid(db);
		for (int k = 0; k < nm; k++) {
			sqlite3_reset(im);
			sqlite3_bind_int64(im, 1, rid);
			sqlite3_bind_int64(im, 2, m[k].concept);
			sqlite3_bind_text(im, 3, (size_t)m[k].start < fend ? "findings" : "impression",
					  -1, SQLITE_STATIC);
			sqlite3_bind_int(im, 4, m[k].sentence);
			sqlite3_bind_int(im, 5, m[k].start);
			sqlite3_bind_int(im, 6, m[k].end);
			sqlite3_bind_text(im, 7, m[k].surface, -1, SQLITE_STATIC);
			sqlite3_bind_text(im, 8, m[k].polarity, -1, SQLITE_STATIC);
			if (sqlite3_step(im) != SQLITE_DONE)
				die(db, "insert mention");
		}
		n_mentions += nm;
		for (int k = 0; images && k < 2; k++) {
			char img[48];
			snprintf(img, sizeof img, "%s_IM-%d", id, k + 1);
			sqlite3_reset(ii);
			sqlite3_bind_int64(ii, 1, rid);
			sqlite3_bind_text(ii, 2, img, -1, SQLITE_TRANSIENT);
			sqlite3_bind_text(ii, 3, k ? "LATERAL" : "PA", -1, SQLITE_STATIC);
			if (sqlite3_step(ii) != SQLITE_DONE)
				die(db, "insert image");
		}
	}
	sqlite3_finalize(qc);
	sqlite3_finalize(ir);
	sqlite3_finalize(im);
	sqlite3_finalize(ii);
	if (sqlite3_exec(db, RANGES "COMMIT", 0, 0, 0) != SQLITE_OK)
		die(db, "commit");
	sqlite3_close(db);
	printf("%ld reports, %ld mentions, %ld images\n", n, n_mentions, images ? 2 * n : 0);
}

static void write_png(const char *path, const uint8_t *px, int w, int h)
{
	FILE *f = fopen(path, "wb");
	spng_ctx *ctx = spng_ctx_new(SPNG_CTX_ENCODER);
	struct spng_ihdr ihdr = { .width = (uint32_t)w, .height = (uint32_t)h, .bit_depth = 8,
				  .color_type = SPNG_COLOR_TYPE_GRAYSCALE };
	if (!f || !ctx || spng_set_png_file(ctx, f) || spng_set_ihdr(ctx, &ihdr) ||
	    spng_encode_image(ctx, px, (size_t)w * (size_t)h, SPNG_FMT_PNG, SPNG_ENCODE_FINALIZE)) {
		fprintf(stderr, "gen_link: cannot write %s\n", path);
		exit(1);
	}
	spng_ctx_free(ctx);
	fclose(f);
}

static void write_jpeg(const char *path, const uint8_t *px, int w, int h)
{
	FILE *f = fopen(path, "wb");
	struct jpeg_compress_struct c;
	struct jpeg_error_mgr e;
	if (!f) {
		fprintf(stderr, "gen_link: cannot write %s\n", path);
		exit(1);
	}
	c.err = jpeg_std_error(&e);
	jpeg_create_compress(&c);
	jpeg_stdio_dest(&c, f);
	c.image_width = (JDIMENSION)w;
	c.image_height = (JDIMENSION)h;
	c.input_components = 1;
	c.in_color_space = JCS_GRAYSCALE;
	jpeg_set_defaults(&c);
	jpeg_set_quality(&c, 85, TRUE);
	jpeg_start_compress(&c, TRUE);
	while (c.next_scanline < c.image_height) {
		JSAMPROW row = (JSAMPROW)(px + (size_t)c.next_scanline * (size_t)w);
		jpeg_write_scanlines(&c, &row, 1);
	}
	jpeg_finish_compress(&c);
	jpeg_destroy_compress(&c);
	fclose(f);
}

static void gen_images(const char *dir, long n)
{
	enum { W = 256, H = 256 };
	static uint8_t px[W * H];
	for (int y = 0; y < H; y++)
		for (int x = 0; x < W; x++)
			px[y * W + x] = (uint8_t)((x * 3 + y * 5 + (x * y) % 7) & 0xff);
	char path[1024];
	snprintf(path, sizeof path, "%s/list.csv", dir);
	FILE *list = fopen(path, "w");
	if (!list) {
		fprintf(stderr, "gen_link: cannot write %s\n", path);
		exit(1);
	}
	fprintf(list, "report_id,image_path,view\n");
	for (long i = 0; i < n; i++) {
		const char *ext = i % 2 ? "jpg" : "png";
		snprintf(path, sizeof path, "%s/R%ld_IM-%ld.%s", dir, i / 2 + 1, i % 2 + 1, ext);
		if (i % 2)
			write_jpeg(path, px, W, H);
		else
			write_png(path, px, W, H);
		fprintf(list, "R%ld,R%ld_IM-%ld.%s,%s\n", i / 2 + 1, i / 2 + 1, i % 2 + 1, ext,
			i % 2 ? "LATERAL" : "PA");
	}
	fclose(list);
	printf("%ld images in %s\n", n, dir);
}

int main(int argc, char **argv)
{
	if (argc >= 4 && !strcmp(argv[1], "reports")) {
		gen_reports(argv[2], atol(argv[3]), !(argc > 4 && !strcmp(argv[4], "--no-images")));
		return 0;
	}
	if (argc == 4 && !strcmp(argv[1], "images")) {
		gen_images(argv[2], atol(argv[3]));
		return 0;
	}
	fprintf(stderr, "usage: gen_link reports STORE N [--no-images] | gen_link images DIR N\n");
	return 2;
}
