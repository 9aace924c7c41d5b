/* medkg train export, medkg train run: hand the store to a trainer. */
#define _XOPEN_SOURCE 700
#include "cli.h"
#include "../common/util.h"
#include "../store/store.h"
#include "../train/export.h"
#include "../train/launch.h"
#include "../train/plans.h"

#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char train_usage[] =
	"usage: medkg train export [options] OUT\n"
	"       medkg train run [--allow-stale] OUT -- COMMAND [ARGS...]\n"
	"\n"
	"export writes what a knowledge-enhanced vision-and-language trainer (ARL's\n"
	"layout) consumes into the directory OUT; run checks that an export is\n"
	"complete and current and executes the trainer with MEDKG_EXPORT=OUT.\n"
	"'medkg train export --help' and 'medkg train run --help' say more.\n";

static const char export_usage[] =
	"usage: medkg train export [options] OUT\n"
	"\n"
	"Write, from the store alone, into the directory OUT (new or empty):\n"
	"  knowledge/   entity2id.txt, relation2id.txt, train2id.txt (ARL's layout and\n"
	"               numbering), ent_embeddings.npy, rel_embeddings.npy (float32)\n"
	"  annotations/ train.jsonl, val.jsonl, test.jsonl: one sample per image\n"
	"               (image_id, image_path, captions, img_ents, txt_ents with\n"
	"               character offsets, txt_ents_polarity, regions, patch_masks)\n"
	"  plans/       (--plans) masking plans and hard negatives per sample\n"
	"  manifest.json counts, parameters, store state, hashes of every file\n"
	"Entities: concepts mentioned at least --min-count times, kept when a triple\n"
	"joins two of them, numbered by frequency in those triples (ties by CUI).\n"
	"The vectors come from an embedding model trained on exactly that set.\n"
	"\n"
	"  --min-count N     drop entities mentioned fewer than N times (20)\n"
	"  --model ID        the embedding model (default: the latest)\n"
	"  --per image|report  one sample per image (default) or per report\n"
	"  --sections LIST   caption sections (default findings,impression)\n"
	"  --drop-negated    leave entities that are only negated out of img_ents\n"
	"  --split F,F,F     train,val,test fractions for reports whose input gave\n"
	"                    no split (0.9,0.05,0.05)\n"
	"  --seed N          seed of the splits and plans (42)\n"
	"  --plans           write the pretext-task plans:\n"
	"    --mlm-plan entity-first|random  mask whole entities first within the\n"
	"                    budget (default), or draw among entities and words\n"
	"                    alike (ARL)\n"
	"    --mlm-ratio R   masked-language-modelling budget, of words (0.15)\n"
	"    --mim-ratio R   masked image patches, affirmed findings' regions first (0.75)\n"
	"    --negatives K   hard negatives for image-text matching per sample (4)\n"
	"  --grid N          patches per side (default: the grid of the stored links, or 18)\n"
	"  --update          refresh an existing export: unchanged files stay, entity\n"
	"                    ids stay, options not given are those of the export\n"
	"  --renumber        with --update: number the entities afresh\n"
	"  --force           replace an existing export\n"
	"  --threads N       threads building samples and mining negatives (default: all)\n"
	"  -d STORE          the store (default medkg.db)\n"
	"  -q, -v            quieter, more verbose\n";

static const char run_usage[] =
	"usage: medkg train run [--allow-stale] OUT -- COMMAND [ARGS...]\n"
	"\n"
	"Check that the export in OUT is complete (every file its manifest lists,\n"
	"with its size and hash) and current (its store has not changed since),\n"
	"then execute COMMAND with its arguments as given (no shell), with\n"
	"MEDKG_EXPORT set to OUT's absolute path.\n"
	"\n"
	"  --allow-stale     run even if the store changed since the export\n"
	"  -q, -v            quieter, more verbose\n";

static int parse_long(const char *s, long long lo, long long hi, long long *out)
{
	char *end;
	errno = 0;
	long long v = strtoll(s, &end, 10);
	if (end == s || *end || errno || v < lo || v > hi)
		return -1;
	*out = v;
	return 0;
}

static int parse_ratio(const char *s, double *out)
{
	char *end;
	errno = 0;
	double v = strtod(s, &end);
	if (end == s || *end || errno || !(v >= 0 && v <= 1))
		return -1;
	*out = v;
	return 0;
}

static int train_export_cmd(int argc, char **argv)
{
	enum {
		O_MIN = 256, O_MODEL, O_PER, O_SECTIONS, O_DROP, O_SPLIT, O_SEED, O_PLANS, O_MLM,
		O_MLM_RATIO, O_MIM_RATIO, O_NEG, O_GRID, O_UPDATE, O_RENUMBER, O_FORCE, O_THREADS
	};
	static const struct option longopts[] = {
		CLI_COMMON_LONG,
		{ "min-count", required_argument, NULL, O_MIN },
		{ "model", required_argument, NULL, O_MODEL },
		{ "per", required_argument, NULL, O_PER },
		{ "sections", required_argument, NULL, O_SECTIONS },
		{ "drop-negated", no_argument, NULL, O_DROP },
		{ "split", required_argument, NULL, O_SPLIT },
		{ "seed", required_argument, NULL, O_SEED },
		{ "plans", no_argument, NULL, O_PLANS },
		{ "mlm-plan", required_argument, NULL, O_MLM },
		{ "mlm-ratio", required_argument, NULL, O_MLM_RATIO },
		{ "mim-ratio", required_argument, NULL, O_MIM_RATIO },
		{ "negatives", required_argument, NULL, O_NEG },
		{ "grid", required_argument, NULL, O_GRID },
		{ "update", no_argument, NULL, O_UPDATE },
		{ "renumber", no_argument, NULL, O_RENUMBER },
		{ "force", no_argument, NULL, O_FORCE },
		{ "threads", required_argument, NULL, O_THREADS },
		{ 0, 0, 0, 0 }
	};
	struct export_options o;
	export_options_default(&o);
	char **sections = NULL;
	long long v;
	int c, rc = 1;
	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORT, longopts, NULL)) != -1) {
		if (cli_common_option(c, export_usage))
			continue;
		switch (c) {
		case O_MIN:
			if (parse_long(optarg, 1, INT_MAX, &v) < 0) {
				rc = cli_usage_error(export_usage, "--min-count needs a positive number");
				goto out;
			}
			o.min_count = v;
			o.given |= EXPORT_GIVEN_MIN_COUNT;
			break;
		case O_MODEL:
			if (parse_long(optarg, 1, LLONG_MAX, &v) < 0) {
				rc = cli_usage_error(export_usage, "--model needs a model id");
				goto out;
			}
			o.model = v;
			break;
		case O_PER:
			if (strcmp(optarg, "image") && strcmp(optarg, "report")) {
				rc = cli_usage_error(export_usage, "--per takes image or report");
				goto out;
			}
			o.per_report = !strcmp(optarg, "report");
			o.given |= EXPORT_GIVEN_PER;
			break;
		case O_SECTIONS:
			strlist_free(sections);
			sections = strlist_parse(optarg);
			if (!sections[0]) {
				rc = cli_usage_error(export_usage, "--sections needs section names");
				goto out;
			}
			for (size_t i = 0; sections[i]; i++)
				for (char *p = sections[i]; *p; p++)
					*p = (char)(*p >= 'A' && *p <= 'Z' ? *p - 'A' + 'a' : *p);
			o.sections = sections;
			o.given |= EXPORT_GIVEN_SECTIONS;
			break;
		case O_DROP:
			o.drop_negated = 1;
			o.given |= EXPORT_GIVEN_DROP_NEGATED;
			break;
		case O_SPLIT:
			if (split_parse(optarg, o.split) < 0) {
				rc = EXIT_USAGE;
				fputs(export_usage, stderr);
				goto out;
			}
			o.given |= EXPORT_GIVEN_SPLIT;
			break;
		case O_SEED:
			if (parse_long(optarg, 0, LLONG_MAX, &v) < 0) {
				rc = cli_usage_error(export_usage, "--seed needs a non-negative number");
				goto out;
			}
			o.seed = (uint64_t)v;
			o.given |= EXPORT_GIVEN_SEED;
			break;
		case O_PLANS:
			o.plans = 1;
			o.given |= EXPORT_GIVEN_PLANS;
			break;
		case O_MLM:
			if (strcmp(optarg, "entity-first") && strcmp(optarg, "random")) {
				rc = cli_usage_error(export_usage, "--mlm-plan takes entity-first or random");
				goto out;
			}
			o.mlm_mode = !strcmp(optarg, "random") ? MLM_RANDOM : MLM_ENTITY_FIRST;
			o.given |= EXPORT_GIVEN_MLM;
			break;
		case O_MLM_RATIO:
			if (parse_ratio(optarg, &o.mlm_ratio) < 0 || o.mlm_ratio == 0) {
				rc = cli_usage_error(export_usage, "--mlm-ratio needs a number in (0, 1]");
				goto out;
			}
			o.given |= EXPORT_GIVEN_MLM_RATIO;
			break;
		case O_MIM_RATIO:
			if (parse_ratio(optarg, &o.mim_ratio) < 0) {
				rc = cli_usage_error(export_usage, "--mim-ratio needs a number in [0, 1]");
				goto out;
			}
			o.given |= EXPORT_GIVEN_MIM_RATIO;
			break;
		case O_NEG:
			if (parse_long(optarg, 1, 1024, &v) < 0) {
				rc = cli_usage_error(export_usage, "--negatives needs a number from 1 to 1024");
				goto out;
			}
			o.negatives = (int)v;
			o.given |= EXPORT_GIVEN_NEGATIVES;
			break;
		case O_GRID:
			if (parse_long(optarg, 1, 256, &v) < 0) {
				rc = cli_usage_error(export_usage, "--grid needs a number from 1 to 256");
				goto out;
			}
			o.grid = (int)v;
			o.given |= EXPORT_GIVEN_GRID;
			break;
		case O_UPDATE: o.update = 1; break;
		case O_RENUMBER: o.renumber = 1; break;
		case O_FORCE: o.force = 1; break;
		case O_THREADS:
			if (parse_long(optarg, 1, 1024, &v) < 0) {
				rc = cli_usage_error(export_usage, "--threads needs a number from 1 to 1024");
				goto out;
			}
			o.threads = (int)v;
			break;
		}
	}
	if (optind + 1 != argc) {
		rc = cli_usage_error(export_usage, "train export needs one output directory");
		goto out;
	}
	if (o.update && o.force) {
		rc = cli_usage_error(export_usage, "--update and --force do not go together");
		goto out;
	}
	if (o.renumber && !o.update) {
		rc = cli_usage_error(export_usage, "--renumber goes with --update");
		goto out;
	}
	const char *dir = argv[optind];
	struct store st;
	if (store_open(&st, cli.db, STORE_READONLY) < 0)
		goto out;
	struct export_stats s;
	if (train_export(&st, dir, &o, &s) == 0) {
		rc = 0;
		printf("exported %s into %s in %.2f s\n", cli.db, dir, s.seconds);
		printf("  knowledge  %zu entities, %zu relations, %zu triples (%zu concepts "
		       "mentioned >= %lld times",
		       s.n_ent, s.n_rel, s.n_triples, s.n_candidates, (long long)s.min_count);
		if (s.n_previous)
			printf("; %zu ids kept from the export, %zu of them retained below the count",
			       s.n_previous, s.n_retained);
		printf(")\n");
		printf("  vectors    model %lld, dimension %d\n", (long long)s.model, s.dim);
		printf("  samples    train %zu, val %zu, test %zu, one per %s (%zu reports, %zu "
		       "images; splits: %zu from the input, %zu drawn)\n",
		       s.samples[SPLIT_TRAIN], s.samples[SPLIT_VAL], s.samples[SPLIT_TEST],
		       s.per_report ? "report" : "image", s.reports, s.images, s.splits_input,
		       s.splits_drawn);
		if (s.no_caption || (s.no_image && !s.per_report))
			printf("  skipped    %zu reports without the caption sections, %zu without "
			       "images\n",
			       s.no_caption, s.per_report ? 0 : s.no_image);
		printf("  mentions   %zu read, %zu exported, %zu outside the captions, %zu of "
		       "concepts outside the entity set\n",
		       s.mentions, s.mentions_kept, s.mentions_outside, s.mentions_other);
		if (s.links_off_grid)
			printf("  patches    %zu patch sets on another grid than %dx%d left out\n",
			       s.links_off_grid, s.grid, s.grid);
		if (s.neg.sampled + s.neg.dense > 0)
			printf("  plans      grid %dx%d; negatives: %zu samples by draws, %zu ranked "
			       "through the index, %.2f s\n",
			       s.grid, s.grid, s.neg.sampled, s.neg.dense, s.neg.seconds);
		if (o.update)
			printf("  files      %zu written, %zu unchanged\n", s.files_written, s.files_kept);
		else
			printf("  files      %zu written\n", s.files_written);
	}
	store_close(&st);
out:
	strlist_free(sections);
	return rc;
}

static int train_run_cmd(int argc, char **argv)
{
	enum { O_STALE = 256 };
	static const struct option longopts[] = {
		CLI_COMMON_LONG,
		{ "allow-stale", no_argument, NULL, O_STALE },
		{ 0, 0, 0, 0 }
	};
	int c, allow_stale = 0;
	/* '+': stop at OUT, so the trainer's own options are never read here */
	while ((c = getopt_long(argc, argv, "+" CLI_COMMON_SHORT, longopts, NULL)) != -1) {
		if (cli_common_option(c, run_usage))
			continue;
		if (c == O_STALE)
			allow_stale = 1;
	}
	if (optind + 2 >= argc || strcmp(argv[optind + 1], "--"))
		return cli_usage_error(run_usage, "train run needs OUT -- COMMAND [ARGS...]");
	const char *dir = argv[optind];
	char **cmd = argv + optind + 2;
	struct launch_check chk;
	if (launch_check(dir, allow_stale, &chk) < 0)
		return 1;
	char *abs = realpath(dir, NULL);
	if (!abs) {
		error("%s: %s", dir, strerror(errno));
		return 1;
	}
	if (!chk.store_checked)
		warning("%s: the store %s is not here: the export was not compared with it", dir,
			chk.store_path);
	info("%s: export complete (%zu files verified)%s; running %s", dir, chk.n_files,
	     chk.store_checked ? " and current" : "", cmd[0]);
	if (setenv("MEDKG_EXPORT", abs, 1) != 0) {
		error("cannot set MEDKG_EXPORT: %s", strerror(errno));
		free(abs);
		return 1;
	}
	free(abs);
	if (cli_finish(0) != 0)
		return 1;
	fflush(stderr);
	execvp(cmd[0], cmd);
	error("cannot run %s: %s", cmd[0], strerror(errno));
	return 1;
}

int cmd_train(int argc, char **argv)
{
	if (argc < 2 || argv[1][0] == '-') {
		if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
			fputs(train_usage, stdout);
			return 0;
		}
		return cli_usage_error(train_usage, "train needs a subcommand (export, run)");
	}
	if (!strcmp(argv[1], "export"))
		return train_export_cmd(argc - 1, argv + 1);
	if (!strcmp(argv[1], "run"))
		return train_run_cmd(argc - 1, argv + 1);
	return cli_usage_error(train_usage, "unknown train subcommand '%s'", argv[1]);
}
