/* Linking findings to regions: the lexicon, the rule on single sentences
 * (laterality, lists, implied sites, coordination, negation). */
#include "testhelp.h"
#include "tests.h"
#include "../common/buf.h"
#include "../common/util.h"
#include "../link/csvfile.h"
#include "../link/atlas.h"
#include "../link/grid.h"
#include "../link/anatomy_lexicon.h"
#include "../link/linker.h"

#include <stdlib.h>

/* "right lung; left lung" -> mask (test input, names must exist). */
static regmask regions(const char *list)
{
	regmask m = 0;
	const char *p = list;
	while (p && *p) {
		const char *semi = strchr(p, ';');
		size_t n = semi ? (size_t)(semi - p) : strlen(p);
		while (n && p[0] == ' ')
			p++, n--;
		while (n && p[n - 1] == ' ')
			n--;
		int i = atlas_find(p, n);
		if (i < 0) {
			fprintf(stderr, "test: unknown region '%.*s'\n", (int)n, p);
			exit(1);
		}
		m |= ATLAS_BIT(i);
		p = semi ? semi + 1 : NULL;
	}
	return m;
}

static void test_atlas(void)
{
	CHECK_INT("link-atlas-1.1", ATLAS_N, 30);
	CHECK_INT("link-atlas-1.2", atlas_find("whole image", 11), ATLAS_WHOLE);
	CHECK_INT("link-atlas-1.3", atlas_find("svc", 3), 23);
	CHECK_INT("link-atlas-1.4", atlas_find("right lungs", 11), -1);
	int sided = 0, ok_boxes = 1, ok_mirror = 1;
	for (int i = 0; i < ATLAS_N; i++) {
		const struct atlas_region *r = &atlas[i];
		if (!(r->x1 >= 0 && r->x1 < r->x2 && r->x2 <= 1 && r->y1 >= 0 && r->y1 < r->y2 &&
		      r->y2 <= 1))
			ok_boxes = 0;
		if (r->side) {
			sided++;
			const struct atlas_region *o = &atlas[r->mirror];
			/* the mirror is on the other side, and on the other half of the image */
			if (o->mirror != i || o->side == r->side ||
			    (r->side == 'R') != (r->x1 + r->x2 < o->x1 + o->x2))
				ok_mirror = 0;
		}
		/* a side in the name is the side of the region (the right atrium aside) */
		int named_r = !strncmp(r->name, "right ", 6), named_l = !strncmp(r->name, "left ", 5);
		if (i != 26)
			CHECK("link-atlas-1.5", (named_r == (r->side == 'R')) && (named_l == (r->side == 'L')));
		CHECK("link-atlas-1.6", !!(ATLAS_RIGHT & ATLAS_BIT(i)) == (r->side == 'R'));
		CHECK("link-atlas-1.7", !!(ATLAS_LEFT & ATLAS_BIT(i)) == (r->side == 'L'));
	}
	CHECK("link-atlas-1.8", ok_boxes);
	CHECK("link-atlas-1.9", ok_mirror);
	CHECK_INT("link-atlas-1.10", sided, 18);
	regmask base = regions("right lower lung zone; left lower lung zone");
	CHECK("link-atlas-2.1", atlas_sideable(base));
	CHECK_INT("link-atlas-2.2", atlas_apply_side(base, SIDE_LEFT), regions("left lower lung zone"));
	CHECK_INT("link-atlas-2.3", atlas_apply_side(base, SIDE_BOTH), base);
	CHECK_INT("link-atlas-2.4", atlas_apply_side(regions("cardiac silhouette"), SIDE_RIGHT),
		  regions("cardiac silhouette"));

	/* areas: exact union areas against a count of the centres of a
	 * 1000 x 1000 raster (exact too: every box edge is a multiple of 0.01) */
	static const struct {
		const char *id, *regions;
		double want; /* by hand, or < 0: the raster's */
	} areas[] = {
		{ "link-atlas-3.1", "whole image", 1 },
		{ "link-atlas-3.2", "right lung", 0.42 * 0.73 },
		/* a zone inside its lung adds nothing; the lungs meet at the midline */
		{ "link-atlas-3.3", "right lung; right lower lung zone", 0.42 * 0.73 },
		{ "link-atlas-3.4", "right lung; left lung", 0.42 * 0.73 + 0.42 * 0.75 },
		/* overlapping: 0.1332 + 0.1904 - 0.1008 */
		{ "link-atlas-3.5", "cardiac silhouette; mediastinum", 0.2228 },
		{ "link-atlas-3.6", "right upper lung zone; left upper lung zone; right mid lung zone; "
				    "left mid lung zone; right lower lung zone; left lower lung zone", -1 },
		{ "link-atlas-3.7", "right costophrenic angle; right hemidiaphragm; spine; abdomen; "
				    "svc; right atrium; cavoatrial junction", -1 },
	};
	CHECK_NEAR("link-atlas-3.0", atlas_area(0), 0, 0);
	for (size_t k = 0; k < ARRAY_SIZE(areas); k++) {
		regmask m = regions(areas[k].regions);
		long in = 0;
		for (int y = 0; y < 1000; y++)
			for (int x = 0; x < 1000; x++) {
				float px = (x + 0.5f) / 1000, py = (y + 0.5f) / 1000;
				for (int i = 0; i < ATLAS_N; i++)
					if ((m & ATLAS_BIT(i)) && atlas[i].x1 <= px && px <= atlas[i].x2 &&
					    atlas[i].y1 <= py && py <= atlas[i].y2) {
						in++;
						break;
					}
			}
		CHECK_NEAR(test_id("%s.raster", areas[k].id), atlas_area(m), in / 1e6, 1e-6);
		if (areas[k].want >= 0)
			CHECK_NEAR(areas[k].id, atlas_area(m), areas[k].want, 1e-6);
	}
}

/* The lateral atlas, and the views that choose an atlas. */
static void test_lateral(void)
{
	int ok = 1, n_named = 0;
	for (int i = 0; i < LATERAL_N; i++) {
		const struct lateral_region *r = &atlas_lateral[i];
		size_t n = strlen(r->name);
		if (!(r->x1 >= 0 && r->x1 < r->x2 && r->x2 <= 1 && r->y1 >= 0 && r->y1 < r->y2 &&
		      r->y2 <= 1))
			ok = 0;
		/* its names are its own: never a frontal region's, found again */
		n_named += n > 15 && !strcmp(r->name + n - 15, " (lateral view)") &&
			   atlas_find(r->name, n) < 0 && atlas_lateral_find(r->name, n) == i;
	}
	CHECK("link-lateral-1.1", ok);
	CHECK_INT("link-lateral-1.2", n_named, LATERAL_N);
	CHECK_INT("link-lateral-1.3", atlas_lateral_find("spine", 5), -1);
	/* front on the left: the sternum's side before the spine's */
	int rs = atlas_lateral_find("retrosternal space (lateral view)", 33);
	int sp = atlas_lateral_find("spine (lateral view)", 20);
	int ac = atlas_lateral_find("anterior costophrenic sulcus (lateral view)", 43);
	int pc = atlas_lateral_find("posterior costophrenic sulcus (lateral view)", 44);
	CHECK("link-lateral-1.4", rs >= 0 && sp >= 0 && atlas_lateral[rs].x2 < atlas_lateral[sp].x1);
	/* the posterior sulcus is the lowest point of the pleura */
	CHECK("link-lateral-1.5", ac >= 0 && pc >= 0 && atlas_lateral[pc].y2 > atlas_lateral[ac].y2 &&
				  atlas_lateral[pc].x1 > atlas_lateral[ac].x2);

	static const struct {
		const char *view;
		enum view want;
	} views[] = {
		{ "PA", VIEW_FRONTAL },      { "AP", VIEW_FRONTAL },     { "ap supine", VIEW_FRONTAL },
		{ "Frontal", VIEW_FRONTAL }, { "LATERAL", VIEW_LATERAL }, { "Lateral", VIEW_LATERAL },
		{ "LL", VIEW_LATERAL },      { "rl", VIEW_LATERAL },     { "", VIEW_UNKNOWN },
		{ "LAO", VIEW_UNKNOWN },
	};
	for (size_t k = 0; k < ARRAY_SIZE(views); k++)
		CHECK_INT(test_id("link-lateral-2.%zu", k + 1), atlas_view(views[k].view),
			  views[k].want);

	/* the lexicon maps every frontal region but the whole image; sides fall
	 * on one another */
	struct anatomy_lexicon lx;
	CHECK_INT("link-lateral-3.1", anatomy_lexicon_load(&lx, NULL), 0);
	CHECK_INT("link-lateral-3.2", lx.has_lateral, ATLAS_ALL & ~ATLAS_BIT(ATLAS_WHOLE));
	latmask a = 0, b = 0;
	CHECK("link-lateral-3.3", anatomy_lexicon_lateral(&lx, atlas_find("right costophrenic angle", 24), &a));
	CHECK("link-lateral-3.4", anatomy_lexicon_lateral(&lx, atlas_find("left costophrenic angle", 23), &b));
	CHECK_INT("link-lateral-3.5", a, ATLAS_BIT(ac) | ATLAS_BIT(pc));
	CHECK_INT("link-lateral-3.6", b, a);
	CHECK_INT("link-lateral-3.7", anatomy_lexicon_lateral(&lx, ATLAS_WHOLE, &a), 0);
	anatomy_lexicon_release(&lx);
}

static void test_lexicon(void)
{
	struct anatomy_lexicon lx;
	CHECK_INT("link-lexicon-1.1", anatomy_lexicon_load(&lx, NULL), 0);
	regmask m = 0;
	/* phrases are normalized: "apices" and "apex" are one key */
	CHECK("link-lexicon-1.2", anatomy_lexicon_phrase(&lx, "apex", 4, &m));
	CHECK_INT("link-lexicon-1.3", m, regions("right apical zone; left apical zone"));
	CHECK("link-lexicon-1.4", anatomy_lexicon_phrase(&lx, "costophrenic angle", 18, &m));
	enum side sd = SIDE_NONE;
	CHECK("link-lexicon-1.5", anatomy_lexicon_side(&lx, "bilateral", 9, &sd));
	CHECK_INT("link-lexicon-1.5.side", sd, SIDE_BOTH);
	CHECK_INT("link-lexicon-1.6", anatomy_lexicon_break(&lx, "and", 3), 2);
	CHECK_INT("link-lexicon-1.7", anatomy_lexicon_break(&lx, "with", 4), 1);
	CHECK("link-lexicon-1.8", anatomy_lexicon_site(&lx, "C0018800", 8, &m));
	CHECK_INT("link-lexicon-1.8.regions", m, regions("cardiac silhouette"));
	CHECK("link-lexicon-1.9", anatomy_lexicon_concept(&lx, "C0032226", &m));
	CHECK_INT("link-lexicon-1.9.regions", m, 0);
	CHECK("link-lexicon-1.10", lx.max_words >= 3);
	/* the sites chosen on the ChestX-ray14 boxes (data/lexicon/anatomy.txt) */
	static const char *const mid_lower = "right mid lung zone; left mid lung zone; "
					     "right lower lung zone; left lower lung zone";
	static const struct {
		const char *id, *key, *regions;
	} sites[] = {
		{ "link-lexicon-3.1", "C0032227", "right mid lung zone; left mid lung zone; right lower "
			"lung zone; left lower lung zone; right costophrenic angle; left costophrenic angle" },
		{ "link-lexicon-3.2", "pleural effusion", "right mid lung zone; left mid lung zone; right "
			"lower lung zone; left lower lung zone; right costophrenic angle; left costophrenic angle" },
		{ "link-lexicon-3.3", "C0032326", "right upper lung zone; left upper lung zone; "
						 "right mid lung zone; left mid lung zone" },
		{ "link-lexicon-3.4", "C0004144", mid_lower },
		{ "link-lexicon-3.5", "C0032285", mid_lower },
		{ "link-lexicon-3.6", "C9000103", mid_lower },
		{ "link-lexicon-3.7", "nodule", "right upper lung zone; left upper lung zone; right mid "
			"lung zone; left mid lung zone; right lower lung zone; left lower lung zone" },
		{ "link-lexicon-3.8", "C0577559", "right upper lung zone; left upper lung zone; right mid "
			"lung zone; left mid lung zone; right lower lung zone; left lower lung zone; mediastinum" },
		{ "link-lexicon-3.9", "cardiomegaly", "cardiac silhouette" },
	};
	for (size_t k = 0; k < ARRAY_SIZE(sites); k++) {
		m = 0;
		CHECK(test_id("%s.found", sites[k].id),
		      anatomy_lexicon_site(&lx, sites[k].key, strlen(sites[k].key), &m));
		CHECK_INT(sites[k].id, m, regions(sites[k].regions));
	}
	anatomy_lexicon_release(&lx);

	static const struct {
		const char *id, *text, *err;
	} bad[] = {
		{ "link-lexicon-2.1", "anatomy | base | right lower zone\n", "x.txt:1: unknown region 'right lower zone'" },
		{ "link-lexicon-2.2", "# c\nanatomy | base\n", "x.txt:2: expected 'KIND | KEY | VALUE', found 2 fields" },
		{ "link-lexicon-2.3", "anatomy | lung | right lung\nspot | x | y\n", "x.txt:2: unknown kind 'spot'" },
		{ "link-lexicon-2.4", "anatomy | lung | right lung\nanatomy | Lungs | left lung\n", "x.txt:2: 'lung' is already defined differently" },
		{ "link-lexicon-2.5", "anatomy | lung | right lung\nside | right | up\n", "x.txt:2: side must be right, left or both, not 'up'" },
		{ "link-lexicon-2.6", "anatomy | lung | right lung\nconcept | lung | right lung\n", "x.txt:2: expected a CUI (C0000000), found 'lung'" },
		{ "link-lexicon-2.7", "side | right | right\n", "x.txt: no anatomy phrases" },
		{ "link-lexicon-2.12", "anatomy | lung | right lung\nlateral | right lungs | spine (lateral view)\n",
		  "x.txt:2: unknown region 'right lungs'" },
		{ "link-lexicon-2.13", "anatomy | lung | right lung\nlateral | spine | spine\n",
		  "x.txt:2: unknown lateral region 'spine'" },
		{ "link-lexicon-2.10", "anatomy | lung | right lung\nlateral | spine | none\n",
		  "x.txt:2: a lateral entry needs a lateral region" },
		{ "link-lexicon-2.11", "anatomy | lung | right lung\nlateral | spine | spine (lateral view)\n"
				       "lateral | spine | trachea (lateral view)\n",
		  "x.txt:3: 'spine' is already defined differently" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
		last_error_reset();
		CHECK_INT(test_id("%s.rc", bad[i].id),
			  anatomy_lexicon_parse(&lx, "x.txt", bad[i].text, strlen(bad[i].text)), -1);
		CHECK_ERR(bad[i].id, bad[i].err);
	}
	const char *ok = "anatomy | lung | right lung\nanatomy | Lungs | right lung # same\n";
	CHECK_INT("link-lexicon-2.8", anatomy_lexicon_parse(&lx, "x.txt", ok, strlen(ok)), 0);
	anatomy_lexicon_release(&lx);
	CHECK_INT("link-lexicon-2.9", anatomy_lexicon_load(&lx, "/nonexistent/lexicon.txt"), -1);
}

/* A mention in a rule case: the first occurrence of its surface text (or,
 * with "@N", the N-th), its kind, and for findings the implied site. */
struct case_mention {
	const char *surface;
	enum mention_kind kind;
	const char *site;          /* regions; NULL: none */
	enum link_method site_method;
	const char *anatomy;       /* KIND_ANATOMY: regions */
	/* expected, for findings */
	const char *want;
	enum link_method want_method;
};

struct rule_case {
	const char *id, *text;
	struct case_mention m[6];
};

#define F(surface, site, smethod, want, wmethod) \
	{ surface, KIND_FINDING, site, smethod, NULL, want, wmethod }
#define A(surface, regions) { surface, KIND_ANATOMY, NULL, METHOD_NONE, regions, NULL, METHOD_NONE }

static const char *EFF = "right costophrenic angle; left costophrenic angle";
static const char *LUNGS = "right lung; left lung";

static void run_rule_cases(const struct anatomy_lexicon *lx, const struct rule_case *cases, size_t n_cases)
{
	struct link_scratch s = { 0 };
	for (size_t c = 0; c < n_cases; c++) {
		const struct rule_case *rc = &cases[c];
		struct link_mention m[6];
		size_t n = 0;
		for (; n < 6 && rc->m[n].surface; n++) {
			const struct case_mention *cm = &rc->m[n];
			memset(&m[n], 0, sizeof m[n]);
			const char *p = strstr(rc->text, cm->surface);
			if (!p) {
				fprintf(stderr, "test %s: '%s' not in text\n", rc->id, cm->surface);
				exit(1);
			}
			m[n].start = (uint32_t)(p - rc->text);
			m[n].end = m[n].start + (uint32_t)strlen(cm->surface);
			m[n].kind = cm->kind;
			m[n].site = cm->site ? regions(cm->site) : 0;
			m[n].site_method = cm->site_method;
			m[n].anatomy = cm->anatomy ? regions(cm->anatomy) : 0;
		}
		link_sentence(lx, rc->text, 0, strlen(rc->text), m, n, &s);
		for (size_t j = 0; j < n; j++) {
			const struct case_mention *cm = &rc->m[j];
			char id[64];
			snprintf(id, sizeof id, "%s.%zu", rc->id, j + 1);
			if (cm->kind != KIND_FINDING) {
				CHECK_INT(id, m[j].method, METHOD_NONE);
				continue;
			}
			CHECK_INT(id, m[j].regions, regions(cm->want));
			CHECK_STR(test_id("%s.method", id), link_method_name(m[j].method),
				  link_method_name(cm->want_method));
		}
	}
	link_scratch_release(&s);
}

static void test_rule(void)
{
	struct anatomy_lexicon lx;
	if (anatomy_lexicon_load(&lx, NULL) < 0) {
		CHECK("link-rule-0", 0);
		return;
	}
	const struct rule_case cases[] = {
		/* laterality bound to the nearest anatomy; a bare side to the finding */
		{ "link-rule-1", "Left lower lobe opacity and right effusion.",
		  { F("opacity", NULL, 0, "left lower lung zone", METHOD_SENTENCE),
		    F("effusion", EFF, METHOD_LEXICON, "right costophrenic angle", METHOD_LEXICON) } },
		/* lists: one word, both sides */
		{ "link-rule-2", "Bibasilar atelectasis.",
		  { F("atelectasis", LUNGS, METHOD_KB,
		      "right lower lung zone; left lower lung zone", METHOD_SENTENCE) } },
		/* the pre-coordinated mention holds its own anatomy */
		{ "link-rule-3", "Bibasilar atelectasis.",
		  { F("Bibasilar atelectasis", "right lower lung zone; left lower lung zone", METHOD_KB,
		      "right lower lung zone; left lower lung zone", METHOD_SENTENCE) } },
		/* negated findings are linked like any other */
		{ "link-rule-4", "No effusion at the left base.",
		  { F("effusion", EFF, METHOD_LEXICON, "left lower lung zone", METHOD_SENTENCE) } },
		/* implied sites */
		{ "link-rule-5", "Mild cardiomegaly.",
		  { F("cardiomegaly", "cardiac silhouette", METHOD_LEXICON, "cardiac silhouette",
		      METHOD_LEXICON) } },
		{ "link-rule-6", "Small pleural effusion.",
		  { F("pleural effusion", EFF, METHOD_LEXICON, EFF, METHOD_LEXICON) } },
		{ "link-rule-7", "No pneumothorax.",
		  { F("pneumothorax", "right apical zone; left apical zone", METHOD_KB,
		      "right apical zone; left apical zone", METHOD_KB) } },
		/* nothing known: the whole image */
		{ "link-rule-8", "Findings suggest a granuloma.",
		  { F("granuloma", NULL, 0, "whole image", METHOD_DEFAULT) } },
		/* a laterality word after the finding; a side that a site cannot take */
		{ "link-rule-9", "Effusion on the right. Cardiomegaly on the left.",
		  { F("Effusion", EFF, METHOD_LEXICON, "right costophrenic angle", METHOD_LEXICON),
		    F("Cardiomegaly", "cardiac silhouette", METHOD_LEXICON, "cardiac silhouette",
		      METHOD_LEXICON) } },
		/* coordinated clauses share their anatomy; the heart keeps its own site */
		{ "link-rule-10", "Atelectasis and small effusion at the right base.",
		  { F("Atelectasis", LUNGS, METHOD_KB, "right lower lung zone", METHOD_SENTENCE),
		    F("effusion", EFF, METHOD_LEXICON, "right lower lung zone", METHOD_SENTENCE) } },
		{ "link-rule-11", "Mild cardiomegaly and opacity at the right base.",
		  { F("cardiomegaly", "cardiac silhouette", METHOD_LEXICON, "cardiac silhouette",
		      METHOD_LEXICON),
		    F("opacity", LUNGS, METHOD_LEXICON, "right lower lung zone", METHOD_SENTENCE) } },
		/* "with" is no coordination */
		{ "link-rule-12", "Pneumonia with effusion in the left lower lobe.",
		  { F("Pneumonia", LUNGS, METHOD_KB, LUNGS, METHOD_KB),
		    F("effusion", EFF, METHOD_LEXICON, "left lower lung zone", METHOD_SENTENCE) } },
		/* coordinated anatomy */
		{ "link-rule-13", "Opacities in the lingula and left lower lobe.",
		  { F("Opacities", NULL, 0, "left mid lung zone; left lower lung zone",
		      METHOD_SENTENCE) } },
		/* sides coordinated: "right and left" */
		{ "link-rule-14", "Patchy opacity at the right and left bases.",
		  { F("opacity", LUNGS, METHOD_LEXICON, "right lower lung zone; left lower lung zone",
		      METHOD_SENTENCE) } },
		/* a phrase holding a side word is anatomy, not laterality */
		{ "link-rule-15", "Catheter tip in the right atrium.",
		  { F("Catheter", "svc", METHOD_KB, "right atrium", METHOD_SENTENCE) } },
		/* nearest anatomy in the clause wins */
		{ "link-rule-16", "Right upper lobe consolidation and a left apical pneumothorax.",
		  { F("consolidation", LUNGS, METHOD_KB, "right upper lung zone", METHOD_SENTENCE),
		    F("pneumothorax", "right apical zone; left apical zone", METHOD_LEXICON,
		      "left apical zone", METHOD_SENTENCE) } },
		/* an anatomy concept mention that no phrase covers */
		{ "link-rule-17", "Opacity projecting over the RML.",
		  { F("Opacity", LUNGS, METHOD_LEXICON, "right mid lung zone", METHOD_SENTENCE),
		    A("RML", "right mid lung zone") } },
		{ "link-rule-18", "Opacity projecting over the XYZ region.",
		  { F("Opacity", LUNGS, METHOD_LEXICON, "right upper lung zone", METHOD_SENTENCE),
		    A("XYZ region", "right upper lung zone") } },
		/* several findings in a negated list share a site only by coordination */
		{ "link-rule-19", "No pneumothorax, pleural effusion, or focal consolidation.",
		  { F("pneumothorax", "right apical zone; left apical zone", METHOD_LEXICON,
		      "right apical zone; left apical zone", METHOD_LEXICON),
		    F("pleural effusion", EFF, METHOD_LEXICON, EFF, METHOD_LEXICON),
		    F("consolidation", LUNGS, METHOD_KB, LUNGS, METHOD_KB) } },
		/* a side across a finding goes to the anatomy */
		{ "link-rule-20", "Right effusion at the base.",
		  { F("effusion", EFF, METHOD_LEXICON, "right lower lung zone", METHOD_SENTENCE) } },
		/* bilateral */
		{ "link-rule-21", "Bilateral pleural effusions.",
		  { F("pleural effusions", EFF, METHOD_LEXICON, EFF, METHOD_LEXICON) } },
		{ "link-rule-23", "Opacity at the base of the left lung.",
		  { F("Opacity", LUNGS, METHOD_LEXICON, "left lower lung zone", METHOD_SENTENCE) } },
		/* coordinated anatomy stops at anatomy that names another finding's place */
		{ "link-rule-24", "Patchy atelectasis in the right base and lingular scarring.",
		  { F("atelectasis", LUNGS, METHOD_KB, "right lower lung zone", METHOD_SENTENCE),
		    F("scarring", LUNGS, METHOD_LEXICON, "left mid lung zone", METHOD_SENTENCE) } },
		{ "link-rule-22", "Retrocardiac opacity.",
		  { F("Retrocardiac opacity", NULL, 0, "left lower lung zone", METHOD_SENTENCE) } },
	};
	run_rule_cases(&lx, cases, ARRAY_SIZE(cases));

	struct link_scratch s = { 0 };
	static const struct {
		const char *id, *text, *want;
	} names[] = {
		{ "link-anatomy-1", "Right lung base", "right lower lung zone" },
		{ "link-anatomy-2", "Left hemithorax", "left lung" },
		{ "link-anatomy-3", "Apex of lung", "right apical zone; left apical zone" },
		{ "link-anatomy-4", "Pleural cavity", "" },
		{ "link-anatomy-5", "Heart", "cardiac silhouette" },
		{ "link-anatomy-6", "Right atrium", "right atrium" },
		{ "link-anatomy-7", "Left costophrenic angle", "left costophrenic angle" },
		{ "link-anatomy-8", "Base of the right lung", "right lower lung zone" },
		{ "link-anatomy-9", "Lower lobe of left lung", "left lower lung zone" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(names); i++)
		CHECK_INT(names[i].id,
			  link_text_anatomy(&lx, names[i].text, strlen(names[i].text), &s),
			  regions(names[i].want));
	link_scratch_release(&s);
	anatomy_lexicon_release(&lx);
}

/* Patch sets with exact expected indices. Boxes are in pixels of a
 * size x size image, normalized here as the linker does. */
static void test_grid(void)
{
	static const struct {
		const char *id;
		int grid, size;
		double x1, y1, x2, y2;
		int want[24]; /* patch indices, -1 terminated */
	} cases[] = {
		/* 288-pixel images, 16-pixel patches: ARL's 18 x 18 grid */
		{ "link-grid-1", 18, 288, 0, 0, 16, 16, { 0, -1 } },
		{ "link-grid-2", 18, 288, 16, 16, 48, 32, { 19, 20, -1 } },
		/* exactly half of patch 1 counts; 7/16 of it does not */
		{ "link-grid-3", 18, 288, 0, 0, 24, 16, { 0, 1, -1 } },
		{ "link-grid-4", 18, 288, 0, 0, 23, 16, { 0, -1 } },
		/* a box over four patch corners covers none by half: the first most covered */
		{ "link-grid-5", 18, 288, 8, 8, 24, 24, { 0, -1 } },
		/* small box inside one patch */
		{ "link-grid-6", 18, 288, 100, 200, 103, 202, { 12 * 18 + 6, -1 } },
		/* the last row and column */
		{ "link-grid-7", 18, 288, 272, 272, 288, 288, { 323, -1 } },
		/* 64-pixel image, 4 x 4 grid: the atlas's right lung (0.08..0.50 x 0.07..0.80)
		 * covers columns 0-1 by 0.68 and 1, rows 0-3 by 0.72, 1, 1, 0.2 */
		{ "link-grid-8", 4, 64, 0.08 * 64, 0.07 * 64, 0.50 * 64, 0.80 * 64, { 1, 4, 5, 8, 9, -1 } },
		/* a box wider than a patch but thinner than half of one: the most covered */
		{ "link-grid-9", 4, 64, 0, 17, 64, 23, { 4, -1 } },
	};
	for (size_t k = 0; k < ARRAY_SIZE(cases); k++) {
		uint8_t bits[GRID_MAX * GRID_MAX / 8] = { 0 };
		double s = cases[k].size;
		int n = grid_box(cases[k].grid, cases[k].x1 / s, cases[k].y1 / s, cases[k].x2 / s,
				 cases[k].y2 / s, bits);
		int want_n = 0, ok = 1;
		for (; cases[k].want[want_n] >= 0; want_n++)
			if (!grid_has(bits, cases[k].want[want_n]))
				ok = 0;
		CHECK_INT(test_id("%s.n", cases[k].id), n, want_n);
		CHECK_INT(test_id("%s.count", cases[k].id), grid_count(cases[k].grid, bits), want_n);
		CHECK(cases[k].id, ok);
	}
	uint8_t bits[GRID_MAX * GRID_MAX / 8] = { 0 };
	CHECK_INT("link-grid-10.1", grid_bytes(18), 41);
	CHECK_INT("link-grid-10.2", grid_box(18, 0, 0, 1, 1, bits), 324);
	CHECK_INT("link-grid-10.3", bits[40], 0x0f);  /* 324 = 40 * 8 + 4 bits */
	memset(bits, 0, sizeof bits);
	CHECK_INT("link-grid-10.4", grid_box(18, 0.5, 0.5, 0.5, 0.9, bits), 0);
	/* clipped to the image; a sliver of one column: its first patch */
	CHECK_INT("link-grid-10.5", grid_box(18, -0.2, -1, 0.01, 2, bits), 1);
	CHECK("link-grid-10.6", grid_has(bits, 0));
	CHECK_INT("link-grid-10.7", grid_box(18, -0.2, -1, 0.03, 2, bits), 18);
	/* every atlas region has patches on the 18 x 18 grid, and sits inside the whole image */
	for (int i = 0; i < ATLAS_N; i++) {
		memset(bits, 0, sizeof bits);
		const struct atlas_region *r = &atlas[i];
		CHECK("link-grid-11", grid_box(18, r->x1, r->y1, r->x2, r->y2, bits) > 0);
	}
}

/* The records csvfile_pick passes to its callback, as "line:offset:fields|". */
struct picked {
	struct buf out;
	uint64_t offset;
};

static int pick_record(void *ctx, char **f, size_t n, size_t line)
{
	struct picked *p = ctx;
	buf_addf(&p->out, "%zu:%llu:", line, (unsigned long long)p->offset);
	for (size_t i = 0; i < n; i++)
		buf_addf(&p->out, "%s%s", i ? "," : "", f[i]);
	buf_addc(&p->out, '|');
	return 0;
}

/* csvfile_pick reads the header, the records at the offsets asked for and
 * every one from an offset on; a quoted field over two lines is one record
 * wherever it lies, and line numbers count every line. */
static void test_csv_pick(void)
{
	const char *csv = "a,b\n"            /* 0 */
			  "1,\"x\ny\"\n"       /* 4: two lines */
			  "2,z\n"               /* 12 */
			  "\n"                  /* 16: blank */
			  "3,\"w\n\"\n"        /* 17 */
			  "4,v\n";              /* 24 */
	const char *path = test_path("pick.csv");
	write_file(path, csv, strlen(csv));
	static const struct {
		uint64_t from;
		uint64_t at[3];
		size_t n;
		const char *want;
	} cases[] = {
		{ 0, { 0 }, 0,
		  "1:0:a,b|3:4:1,x\ny|4:12:2,z|7:17:3,w\n|8:24:4,v|" },
		{ 24, { 4, 17 }, 2, "1:0:a,b|3:4:1,x\ny|7:17:3,w\n|8:24:4,v|" },
		{ 17, { 12 }, 1, "1:0:a,b|4:12:2,z|7:17:3,w\n|8:24:4,v|" },
		{ 1000, { 0 }, 0, "1:0:a,b|" },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct picked p = { BUF_INIT, 0 };
		const struct csv_pick pick = { cases[i].from, cases[i].at, cases[i].n, &p.offset };
		CHECK_INT(test_id("csv-pick-%zu.rc", i + 1), csvfile_pick(path, &pick, pick_record, &p),
			  0);
		CHECK_STR(test_id("csv-pick-%zu", i + 1), p.out.p, cases[i].want);
		buf_release(&p.out);
	}
}

void test_link(void)
{
	test_csv_pick();
	test_grid();
	test_atlas();
	test_lateral();
	test_lexicon();
	test_rule();
}
