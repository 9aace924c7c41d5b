/* medkg link: tie finding mentions to image regions and patch grids. */
#include "cli.h"
#include "../common/util.h"
#include "../link/grid.h"
#include "../link/link.h"
#include "../link/link_params.h"
#include "../store/store.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static const char link_synopsis[] =
	"usage: medkg link [-d STORE] [--image-list CSV] [--images DIR] [--boxes CSV]\n"
	"                  [--grid N | --image-size PX --patch-size PX | --no-patches]\n"
	"                  [--assume-frontal] [--lenient] [--regrid] [--replace]\n"
	"                  [--lexicon FILE]\n"
	"       medkg link [-d STORE] --draw IMAGE OUT.png [--lexicon FILE]\n"
	"\n"
	"Tie every finding mention of the store that has no link yet to anatomical\n"
	"regions (the 29 Chest ImaGenome regions, or the whole image): anatomy named\n"
	"in its sentence, else its finding site from the knowledge base or the\n"
	"anatomy lexicon, else the whole image. Then, for each image of its report,\n"
	"store the patches of the trainer's grid that those regions cover. Running\n"
	"it again adds nothing; new reports, mentions or images are linked when it\n"
	"next runs.\n"
	"\n";

struct link_cmd {
	int image_size, patch_size, no_patches;
	char *draw;
};

#define X(field) offsetof(struct link_cmd, field)

static const struct param cmd_rows[] = {
	P_INT("image-size", X(image_size), 1, 1 << 20, "PX",
	      "with --patch-size: the grid from the trainer's image\n"
	      "and patch sizes", PARAM_CLI, .def = ""),
	P_INT("patch-size", X(patch_size), 1, 1 << 20, "PX", "see --image-size", PARAM_CLI,
	      .def = ""),
	P_BOOL("no-patches", X(no_patches), "regions only (--grid 0)", PARAM_CLI),
	P_STR("draw", X(draw), "IMAGE",
	      "draw the image (id, path or name) into OUT.png with its\n"
	      "linked regions outlined and labelled, and print the legend", PARAM_CLI),
};

static void cmd_defaults(void *p)
{
	memset(p, 0, sizeof(struct link_cmd));
}

static const struct param_table cmd_table = { "link", cmd_rows, ARRAY_SIZE(cmd_rows),
					      sizeof(struct link_cmd), cmd_defaults };

static void print_stats(const struct link_stats *s, const struct link_options *o)
{
	printf("linked %s in %.2f s\n", cli.db, s->seconds);
	if (o->image_list)
		printf("  images     %lld listed, %lld new or changed, %lld for reports not in the "
		       "store%s\n",
		       (long long)s->images_listed, (long long)s->images_new,
		       (long long)s->images_unknown_report,
		       s->images_list_from ? " (after the rows read before)" : "");
	if (o->images_dir) {
		double rate = s->sec_headers > 0 ? (double)s->images_sized / s->sec_headers : 0;
		printf("  headers    %lld images sized in %.3f s (%.0f images/s), %lld not found\n",
		       (long long)s->images_sized, s->sec_headers, rate,
		       (long long)s->images_missing);
		if (s->images_bad)
			printf("  skipped    %lld images that cannot be sized (--lenient)\n",
			       (long long)s->images_bad);
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

/* The grid from --grid, --image-size/--patch-size or --no-patches.
 * @return 0 or a usage error's status. */
static int choose_grid(const char *usage, const struct param_group *g, struct link_options *o,
		       const struct link_cmd *x)
{
	int grid_given = params_given(&g[0], "grid");
	if (!x->image_size != !x->patch_size)
		return cli_usage_error(usage, "--image-size and --patch-size go together");
	if (x->image_size && grid_given)
		return cli_usage_error(usage, "give --grid or --image-size/--patch-size, not both");
	if (x->image_size) {
		if (x->image_size % x->patch_size || x->image_size / x->patch_size > GRID_MAX)
			return cli_usage_error(usage,
				"--image-size must be a multiple of --patch-size (at most %d patches)",
				GRID_MAX);
		o->grid = x->image_size / x->patch_size;
	}
	if (x->no_patches && (grid_given || x->image_size || o->regrid))
		return cli_usage_error(usage, "--no-patches takes no grid");
	if (x->no_patches)
		o->grid = 0;
	return 0;
}

static int draw(const char *usage, int argc, char **argv, const struct param_group *g,
		const struct link_cmd *x)
{
	if (optind + 1 != argc)
		return cli_usage_error(usage, "--draw needs an image and an output file");
	/* --lexicon alone may come along: it names a lateral view's regions */
	uint64_t others = g[0].given;
	for (size_t i = 0; i < g[0].t->n; i++)
		if (!strcmp(g[0].t->v[i].name, "lexicon"))
			others &= ~((uint64_t)1 << i);
	if (others || x->image_size || x->patch_size)
		return cli_usage_error(usage, "--draw only draws: link first");
	const struct link_options *o = g[0].opts;
	struct store st;
	if (store_open(&st, cli.db, STORE_READONLY) < 0)
		return 1;
	int rc = link_draw(&st, x->draw, o->lexicon, argv[optind], stdout) < 0;
	store_close(&st);
	return rc;
}

static int run_link(const struct link_options *o)
{
	struct store st;
	if (store_open(&st, cli.db, 0) < 0)
		return 1;
	struct link_stats s;
	int rc = link_run(&st, o, &s);
	store_close(&st);
	if (rc < 0)
		return 1;
	if (log_level >= 0)
		print_stats(&s, o);
	return 0;
}

int cmd_link(int argc, char **argv)
{
	struct link_options o;
	struct link_cmd x;
	link_param_table.defaults(&o);
	cmd_defaults(&x);
	struct param_group g[] = { { NULL, &link_param_table, &o, 0 }, { NULL, &cmd_table, &x, 0 } };
	char *usage = cli_usage_text(link_synopsis, g, ARRAY_SIZE(g), NULL);
	int rc = cli_parse(argc, argv, CLI_COMMON_SHORT, usage, g, ARRAY_SIZE(g));
	if (rc)
		goto out;
	if (x.draw) {
		rc = draw(usage, argc, argv, g, &x);
		goto out;
	}
	if (optind != argc)
		rc = cli_usage_error(usage, "link takes no arguments (options only)");
	else if ((rc = choose_grid(usage, g, &o, &x)) == 0)
		rc = run_link(&o);
out:
	params_release(&link_param_table, &o);
	params_release(&cmd_table, &x);
	free(usage);
	return rc;
}
