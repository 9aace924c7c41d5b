/* medkg train export, medkg train run: hand the store to a trainer. */
#define _XOPEN_SOURCE 700
#include "cli.h"
#include "../common/embedded.h"
#include "../common/util.h"
#include "../embed/embed_store.h"
#include "../store/store.h"
#include "../train/export.h"
#include "../train/export_params.h"
#include "../train/launch.h"
#include "../train/manifest.h"
#include "../train/plans.h"

#include <errno.h>
#include <jansson.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <stddef.h>
#include <sys/wait.h>
#include <unistd.h>

static const char train_usage[] =
	"usage: medkg train export [options] OUT\n"
	"       medkg train run [--allow-stale] OUT -- COMMAND [ARGS...]\n"
	"\n"
	"export writes what a knowledge-enhanced vision-and-language trainer (ARL's\n"
	"layout) consumes into the directory OUT; run checks that an export is\n"
	"complete and current and executes the trainer with MEDKG_EXPORT=OUT.\n"
	"'medkg train export --help' and 'medkg train run --help' say more.\n";

static const char export_synopsis[] =
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
	"\n";

static const char export_footer[] =
	"  -d STORE              the store (default medkg.db)\n"
	"  -q, -v                quieter, more verbose\n";

static const char run_synopsis[] =
	"usage: medkg train run [--allow-stale] [--arl ARL_DIR [--python PY]] OUT -- COMMAND [ARGS...]\n"
	"\n"
	"Check that the export in OUT is complete (every file its manifest lists,\n"
	"with its size and hash) and current (its store has not changed since),\n"
	"then execute COMMAND with its arguments as given (no shell), with\n"
	"MEDKG_EXPORT set to OUT's absolute path. With --arl (an export in ARL's\n"
	"layout): link ARL_DIR/data/knowledge and ARL_DIR/data/pretrain_arrows_umls\n"
	"to the export's, write ARL's checkpoint and arrows with ARL's own\n"
	"make_arrow (arl_prepare.py, run by PY) when they are missing or older than\n"
	"the export, and execute COMMAND in ARL_DIR.\n"
	"\n";

struct run_opts {
	int allow_stale;
	char *arl, *python;
};

#define R(field) offsetof(struct run_opts, field)

static const struct param run_rows[] = {
	P_BOOL("allow-stale", R(allow_stale), "run even if the store changed since the export",
	       PARAM_CLI),
	P_PATH("arl", R(arl), "ARL_DIR",
	       "ARL's checkout (github.com/zhjohnchan/ARL): link the export\n"
	       "into its data/, prepare the checkpoint and arrows, run there", PARAM_CLI),
	P_STR("python", R(python), "PY",
	      "the Python of ARL's environment, which runs arl_prepare.py",
	      PARAM_CLI, .def = "COMMAND when it is a python, else python3"),
};

static void run_defaults(void *p)
{
	memset(p, 0, sizeof(struct run_opts));
}

static const struct param_table run_table = { "train", run_rows, ARRAY_SIZE(run_rows),
					      sizeof(struct run_opts), run_defaults };


/* What an export in ARL's layout wrote. */
static void print_arl(const struct export_options *o, const struct export_stats *s,
		      const char *dir)
{
	const struct arl_stats *a = &s->arl;
	printf("exported %s into %s in %.2f s (ARL's layout)\n", cli.db, dir, s->seconds);
	printf("  knowledge  %zu entities, %zu relations, %zu triples (%zu concepts mentioned "
	       "more than %lld times)\n",
	       s->n_ent, s->n_rel, s->n_triples, s->n_candidates, (long long)o->arl.threshold);
	if (s->n_previous)
		printf("             %zu ids kept from the export, %zu of them retained below the "
		       "threshold\n", s->n_previous, s->n_retained);
	printf("  vectors    model %lld, dimension %d\n", (long long)s->model, s->dim);
	printf("  samples    %s: train %zu, val %zu, test %zu, one per frontal image\n",
	       arl_dataset(&o->arl), a->written[SPLIT_TRAIN], a->written[SPLIT_VAL], a->written[SPLIT_TEST]);
	printf("  reports    %zu read, %zu without an impression or findings of 3 words or more; "
	       "%zu texts kept, %zu under 3 words\n",
	       a->reports, a->no_text, a->texts, a->texts_short);
	printf("  images     %zu, %zu frontal; left out: %zu without a file", a->images, a->frontal,
	       a->no_file);
	if (o->arl.chexpert)
		printf(", %zu of studies without labels", a->no_chexpert);
	printf("\n  splits     %zu from the input, %zu from the split file, %zu drawn\n",
	       a->splits_input, a->splits_file, a->splits_drawn);
	printf("  mentions   %zu read, %zu counted (per text and image), %zu of one character "
	       "dropped\n", a->mentions, a->kept, a->single);
	for (int i = 0; i < N_SPLITS; i++)
		if (!a->written[i])
			warning("%s: the %s split is empty: ARL's make_arrow needs train, val and test "
				"samples (change --split or the split file)", dir, split_names[i]);
	if (a->uniform_chexpert)
		warning("%s: %zu split%s whose samples all have the same chexpert list: ARL's "
			"MIMIC-CXR dataset draws its false images from other lists, and finds none",
			dir, a->uniform_chexpert, a->uniform_chexpert > 1 ? "s" : "");
	printf("  files      %zu written%s\n", s->files_written,
	       o->update ? "" : "");
}

static int train_export_cmd(int argc, char **argv)
{
	struct export_options o;
	export_options_default(&o);
	struct param_group g[] = { { NULL, &export_param_table, &o, 0 },
				   { "the ARL layout (--layout arl)", &export_arl_table, &o.arl, 0 } };
	char *export_usage = cli_usage_text(export_synopsis, g, ARRAY_SIZE(g), export_footer);
	int rc = cli_parse(argc, argv, CLI_COMMON_SHORT, export_usage, g, ARRAY_SIZE(g));
	if (rc)
		goto out;
	rc = 1;
	o.given = (unsigned)g[0].given & (EXPORT_GIVEN(N_EXPORT_INHERITED) - 1);
	o.given_arl = g[1].given;
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
	/* a fresh export without --min-count selects what its model was trained
	 * on: the count of a model of mentioned entities */
	if (!o.update && !(o.given & EXPORT_GIVEN_MIN_COUNT)) {
		struct embed_model_info info = { 0 };
		if (embed_model_info(&st, o.model, &info) == 1 && info.sel.mentioned)
			o.min_count = info.sel.min_count;
		embed_model_info_release(&info);
	}
	struct export_stats s;
	if (o.layout == EXPORT_LAYOUT_ARL) {
		if (train_export(&st, dir, &o, &s) == 0) {
			rc = 0;
			print_arl(&o, &s, dir);
		}
	} else if (train_export(&st, dir, &o, &s) == 0) {
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
		if (s.neg.old_rows)
			printf("  plans      grid %dx%d; negatives extended: %zu of %zu old rows took a "
			       "new sample, %.2f s\n",
			       s.grid, s.grid, s.neg.updated, s.neg.old_rows, s.neg.seconds);
		else if (s.neg.sampled + s.neg.dense > 0)
			printf("  plans      grid %dx%d; negatives: %zu samples by walks, %zu ranked "
			       "through the index, %.2f s\n",
			       s.grid, s.grid, s.neg.sampled, s.neg.dense, s.neg.seconds);
		if (o.update && s.rewrite_reason)
			printf("  samples    every one written again: %s\n", s.rewrite_reason);
		else if (o.update)
			printf("  samples    %zu appended to the export's\n", s.appended);
		if (o.update)
			printf("  files      %zu written, %zu unchanged\n", s.files_written, s.files_kept);
		else
			printf("  files      %zu written\n", s.files_written);
	}
	store_close(&st);
out:
	params_release(&export_param_table, &o);
	params_release(&export_arl_table, &o.arl);
	free(export_usage);
	return rc;
}

/* The Python that runs arl_prepare.py: --python, else the trainer's
 * command when it is a python, else python3. */
static const char *prepare_python(const struct run_opts *r, char **cmd)
{
	if (r->python)
		return r->python;
	const char *base = strrchr(cmd[0], '/');
	base = base ? base + 1 : cmd[0];
	return !strncmp(base, "python", 6) ? cmd[0] : "python3";
}

/* Run the embedded arl_prepare.py on the export with python. @return 0 or
 * -1 after error(). */
static int run_prepare(const char *python, const char *dir, const char *arl)
{
	const struct embedded_file *f = embedded_get("train/python/arl_prepare.py");
	const char *tmp = getenv("TMPDIR");
	char path[4096];
	snprintf(path, sizeof path, "%s/medkg-arl_prepare-XXXXXX", tmp && *tmp ? tmp : "/tmp");
	int fd = mkstemp(path);
	if (fd < 0)
		return error("cannot write a temporary file: %s", strerror(errno));
	int bad = write(fd, f->data, f->size) != (ssize_t)f->size;
	bad |= close(fd) != 0;
	if (bad) {
		unlink(path);
		return error("%s: write failed", path);
	}
	info("%s: preparing ARL's checkpoint and arrows: %s arl_prepare.py %s --arl %s", dir, python,
	     dir, arl);
	fflush(stdout);
	fflush(stderr);
	pid_t pid = fork();
	if (pid == 0) {
		char *args[] = { (char *)python, path, (char *)dir, "--arl", (char *)arl, NULL };
		execvp(python, args);
		fprintf(stderr, "medkg: error: cannot run %s: %s\n", python, strerror(errno));
		_exit(127);
	}
	int status = 0;
	if (pid < 0 || waitpid(pid, &status, 0) < 0) {
		unlink(path);
		return error("cannot run %s: %s", python, strerror(errno));
	}
	unlink(path);
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		return error("%s: arl_prepare.py failed (status %d): ARL's checkpoint and arrows are "
			     "not ready", dir, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	return 0;
}

/* --arl: links, and the checkpoint and arrows when missing or stale. */
static int prepare_arl(const struct run_opts *r, const char *dir, char **cmd)
{
	struct manifest m;
	if (manifest_read(dir, &m) <= 0)
		return -1;
	json_t *layout = json_object_get(m.parameters, "layout");
	int arl = json_is_string(layout) && !strcmp(json_string_value(layout), "arl");
	manifest_release(&m);
	if (!arl)
		return error("%s: not an export in ARL's layout: export with 'medkg train export "
			     "--layout arl %s'", dir, dir);
	if (launch_arl_link(dir, r->arl) < 0)
		return -1;
	int stale = launch_arl_stale(dir);
	if (stale < 0)
		return -1;
	if (stale && run_prepare(prepare_python(r, cmd), dir, r->arl) < 0)
		return -1;
	if (chdir(r->arl) != 0)
		return error("%s: %s", r->arl, strerror(errno));
	return 0;
}

static int train_run_cmd(int argc, char **argv)
{
	struct run_opts r;
	run_defaults(&r);
	struct param_group g = { NULL, &run_table, &r, 0 };
	static const char footer[] = "  -q, -v                quieter, more verbose\n";
	char *run_usage = cli_usage_text(run_synopsis, &g, 1, footer);
	/* '+': stop at OUT, so the trainer's own options are never read here */
	int rc = cli_parse(argc, argv, "+" CLI_COMMON_SHORT, run_usage, &g, 1);
	if (rc)
		goto out;
	rc = 1;
	if (optind + 2 >= argc || strcmp(argv[optind + 1], "--")) {
		rc = cli_usage_error(run_usage, "train run needs OUT -- COMMAND [ARGS...]");
		goto out;
	}
	const char *dir = argv[optind];
	char **cmd = argv + optind + 2;
	struct launch_check chk;
	if (launch_check(dir, r.allow_stale, &chk) < 0)
		goto out;
	char *abs = realpath(dir, NULL);
	if (!abs) {
		error("%s: %s", dir, strerror(errno));
		goto out;
	}
	if (!chk.store_checked)
		warning("%s: the store %s is not here: the export was not compared with it", dir,
			chk.store_path);
	info("%s: export complete (%zu files verified)%s; running %s", dir, chk.n_files,
	     chk.store_checked ? " and current" : "", cmd[0]);
	if (setenv("MEDKG_EXPORT", abs, 1) != 0) {
		error("cannot set MEDKG_EXPORT: %s", strerror(errno));
		free(abs);
		goto out;
	}
	int bad = r.arl && prepare_arl(&r, abs, cmd) < 0;
	free(abs);
	if (bad || cli_finish(0) != 0)
		goto out;
	fflush(stderr);
	execvp(cmd[0], cmd);
	error("cannot run %s: %s", cmd[0], strerror(errno));
out:
	params_release(&run_table, &r);
	free(run_usage);
	return rc;
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
