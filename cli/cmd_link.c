/* medkg link: tie finding mentions to image regions and patch grids. */
#include "cli.h"
#include "../common/util.h"
#include "../link/grid.h"
#include "../link/link.h"
#include "../store/store.h"

#include <stdlib.h>
#include <string.h>

static const char link_usage[] =
	"usage: medkg link [-d STORE] [--image-list CSV] [--images DIR] [--boxes CSV]\n"
	"                  [--grid N | --image-size PX --patch-size PX | --no-patches]\n"
	"                  [--assume-frontal] [--regrid] [--replace] [--lexicon FILE]\n"
	"       medkg link [-d STORE] --draw IMAGE OUT.png\n"
	"\n"
	"Tie every finding mention of the store that has no link yet to anatomical\n"
	"regions (the 29 Chest ImaGenome regions, or the whole image): anatomy named\n"
	"in its sentence, else its finding site from the knowledge base or the\n"
	"anatomy lexicon, else the whole image. Then, for each image of its report,\n"
	"store the patches of the trainer's grid that those regions cover. Running\n"
	"it again adds nothing; new reports, mentions or images are linked when it\n"
	"next runs.\n"
	"\n"
	"  --image-list CSV   images of the reports: report_id,image_path,view (or the\n"
	"                     IU X-ray projections.csv: uid,filename,projection)\n"
	"  --images DIR       read width and height from the PNG/JPEG headers of the\n"
	"                     images found in DIR (by path, name, or name + .png/.jpg)\n"
	"  --boxes CSV        per-image region boxes in pixels:\n"
	"                     image_id,region,x1,y1,x2,y2; they replace the atlas\n"
	"  --grid N           patches per side (default 18: 288-pixel images,\n"
	"                     16-pixel patches)\n"
	"  --image-size PX --patch-size PX\n"
	"                     the grid from the trainer's image and patch sizes\n"
	"  --no-patches       regions only\n"
	"  --assume-frontal   images of unknown view use the frontal atlas (else\n"
	"                     they, like lateral views, map to the whole image)\n"
	"  --regrid           recompute every patch set on a new grid\n"
	"  --replace          drop every link and link everything again\n"
	"  --lexicon FILE     anatomy lexicon (default: the built-in one)\n"
	"  --draw IMAGE OUT.png\n"
	"                     draw the image (id, path or name) with its linked\n"
	"                     regions outlined and labelled, and print the legend\n";

static int positive(const char *s, int *out)
{
	char *end;
	long v = strtol(s, &end, 10);
	if (!*s || *end || v <= 0 || v > 1 << 20)
		return 0;
	*out = (int)v;
	return 1;
}

static void print_stats(const struct link_stats *s, const struct link_options *o)
{
	printf("linked %s in %.2f s\n", cli.db, s->seconds);
	if (o->image_list)
		printf("  images     %lld listed, %lld new or changed, %lld for reports not in the store\n",
		       (long long)s->images_listed, (long long)s->images_new,
		       (long long)s->images_unknown_report);
	if (o->images_dir) {
		double rate = s->sec_headers > 0 ? (double)s->images_sized / s->sec_headers : 0;
		printf("  headers    %lld images sized in %.3f s (%.0f images/s), %lld not found\n",
		       (long long)s->images_sized, s->sec_headers, rate,
		       (long long)s->images_missing);
	}
	if (o->boxes)
		printf("  boxes      %lld read for %lld images, %lld images with new boxes\n",
		       (long long)s->boxes_read, (long long)s->boxes_images,
		       (long long)s->boxes_changed);
	if (s->dropped)
		printf("  dropped    %lld earlier links or patch sets\n", (long long)s->dropped);
	printf("  mentions   %lld without links read, %lld findings in %lld reports linked "
	       "in %.2f s\n", (long long)s->mentions_read, (long long)s->findings,
	       (long long)s->reports, s->sec_text);
	printf("  method     %lld sentence, %lld kb, %lld lexicon, %lld default\n",
	       (long long)s->by_method[METHOD_SENTENCE], (long long)s->by_method[METHOD_KB],
	       (long long)s->by_method[METHOD_LEXICON], (long long)s->by_method[METHOD_DEFAULT]);
	const int64_t *p = s->positive_by_method;
	int64_t pos = p[METHOD_SENTENCE] + p[METHOD_KB] + p[METHOD_LEXICON] + p[METHOD_DEFAULT];
	if (pos)
		printf("  affirmed   %lld: %.1f%% sentence, %.1f%% kb, %.1f%% lexicon, %.1f%% default\n",
		       (long long)pos, 100.0 * p[METHOD_SENTENCE] / pos, 100.0 * p[METHOD_KB] / pos,
		       100.0 * p[METHOD_LEXICON] / pos, 100.0 * p[METHOD_DEFAULT] / pos);
	printf("  regions    %lld links\n", (long long)s->region_links);
	if (o->grid)
		printf("  patches    %lld patch sets on %lld images (%d x %d grid) in %.2f s\n",
		       (long long)s->patch_sets, (long long)s->patch_images, o->grid, o->grid,
		       s->sec_patches);
}

int cmd_link(int argc, char **argv)
{
	enum { O_LIST = 256, O_IMAGES, O_BOXES, O_GRID, O_ISIZE, O_PSIZE, O_NOPATCH, O_FRONT,
	       O_REGRID, O_REPLACE, O_LEX, O_DRAW };
	static const struct option longopts[] = {
		CLI_COMMON_LONG,
		{ "image-list", required_argument, NULL, O_LIST },
		{ "images", required_argument, NULL, O_IMAGES },
		{ "boxes", required_argument, NULL, O_BOXES },
		{ "grid", required_argument, NULL, O_GRID },
		{ "image-size", required_argument, NULL, O_ISIZE },
		{ "patch-size", required_argument, NULL, O_PSIZE },
		{ "no-patches", no_argument, NULL, O_NOPATCH },
		{ "assume-frontal", no_argument, NULL, O_FRONT },
		{ "regrid", no_argument, NULL, O_REGRID },
		{ "replace", no_argument, NULL, O_REPLACE },
		{ "lexicon", required_argument, NULL, O_LEX },
		{ "draw", required_argument, NULL, O_DRAW },
		{ 0, 0, 0, 0 }
	};
	struct link_options o = { .grid = 18 };
	int c, grid = 0, isize = 0, psize = 0, no_patches = 0;
	const char *draw = NULL;
	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORT, longopts, NULL)) != -1) {
		if (cli_common_option(c, link_usage))
			continue;
		switch (c) {
		case O_LIST: o.image_list = optarg; break;
		case O_IMAGES: o.images_dir = optarg; break;
		case O_BOXES: o.boxes = optarg; break;
		case O_GRID:
			if (!positive(optarg, &grid) || grid > GRID_MAX)
				return cli_usage_error(link_usage, "--grid needs 1 to %d", GRID_MAX);
			break;
		case O_ISIZE:
			if (!positive(optarg, &isize))
				return cli_usage_error(link_usage, "--image-size needs a positive number");
			break;
		case O_PSIZE:
			if (!positive(optarg, &psize))
				return cli_usage_error(link_usage, "--patch-size needs a positive number");
			break;
		case O_NOPATCH: no_patches = 1; break;
		case O_FRONT: o.assume_frontal = 1; break;
		case O_REGRID: o.regrid = 1; break;
		case O_REPLACE: o.replace = 1; break;
		case O_LEX: o.lexicon = optarg; break;
		case O_DRAW: draw = optarg; break;
		}
	}
	if (draw) {
		if (optind + 1 != argc)
			return cli_usage_error(link_usage, "--draw needs an image and an output file");
		if (o.image_list || o.images_dir || o.boxes || grid || isize || psize)
			return cli_usage_error(link_usage, "--draw only draws: link first");
		struct store st;
		if (store_open(&st, cli.db, STORE_READONLY) < 0)
			return 1;
		int rc = link_draw(&st, draw, argv[optind], stdout) < 0;
		store_close(&st);
		return rc;
	}
	if (optind != argc)
		return cli_usage_error(link_usage, "link takes no arguments (options only)");
	if (!isize != !psize)
		return cli_usage_error(link_usage, "--image-size and --patch-size go together");
	if (isize && grid)
		return cli_usage_error(link_usage, "give --grid or --image-size/--patch-size, not both");
	if (isize) {
		if (isize % psize || isize / psize > GRID_MAX)
			return cli_usage_error(link_usage,
				"--image-size must be a multiple of --patch-size (at most %d patches)",
				GRID_MAX);
		grid = isize / psize;
	}
	if (no_patches && (grid || o.regrid))
		return cli_usage_error(link_usage, "--no-patches takes no grid");
	if (grid)
		o.grid = grid;
	if (no_patches)
		o.grid = 0;
	struct store st;
	if (store_open(&st, cli.db, 0) < 0)
		return 1;
	struct link_stats s;
	int rc = link_run(&st, &o, &s);
	store_close(&st);
	if (rc < 0)
		return 1;
	if (log_level >= 0)
		print_stats(&s, &o);
	return 0;
}
