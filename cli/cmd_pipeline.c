/* medkg build, ingest, report: the whole pipeline from one configuration
 * file, new reports into a built store, and a page of what was built. */
#define _POSIX_C_SOURCE 200809L
#include "cli.h"
#include "../common/buf.h"
#include "../common/util.h"
#include "../pipeline/build.h"
#include "../pipeline/config.h"
#include "../pipeline/report.h"
#include "../store/store.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

static const char build_synopsis[] =
	"usage: medkg build [-d STORE] [--dry-run] CONFIG\n"
	"\n"
	"Run the pipeline that CONFIG describes, in order: load the knowledge\n"
	"sources, extract concepts from the reports, link them to image regions,\n"
	"train embeddings, and export for the trainer (data/demo/medkg.conf is a\n"
	"commented example). A stage whose inputs (file fingerprints) and settings\n"
	"have not changed since it last completed is skipped, so an interrupted\n"
	"build resumes from the first stage that did not complete, and a build of\n"
	"an unchanged configuration does nothing. The configuration is checked\n"
	"whole before any stage runs.\n"
	"\n"
	"  --dry-run         print the plan (which stages would run, and why) and\n"
	"                    change nothing\n"
	"  -d STORE          the store (default: [build] store, else medkg.db)\n"
	"  -q, -v            quieter, more verbose\n"
	"\n"
	"Configuration keys (lists are comma separated; relative paths are\n"
	"relative to the configuration's directory):\n";

static const char ingest_usage[] =
	"usage: medkg ingest [-d STORE] CONFIG NEW_INPUT...\n"
	"\n"
	"Add new reports to a store built with CONFIG ('medkg build CONFIG'):\n"
	"extract them (reports already held, by content hash, are skipped), link\n"
	"the new mentions, train vectors for the entities that crossed the\n"
	"selection threshold (the others stay as they are), and update the\n"
	"export. Inputs are read with CONFIG's [reports] settings. Prints what\n"
	"changed. Running it again after an interruption completes it.\n"
	"\n"
	"  -d STORE          the store (default: [build] store, else medkg.db)\n"
	"  -q, -v            quieter, more verbose\n";

static const char report_usage[] =
	"usage: medkg report [-d STORE] OUT.html\n"
	"\n"
	"Write a self-contained HTML page (no scripts, nothing fetched) with\n"
	"charts drawn as inline SVG of what the store holds: the 30 most frequent\n"
	"concepts, mentions by polarity and section, entities per report, links\n"
	"by region on a chest outline, the embedding model's loss curve and\n"
	"link-prediction metrics, and the time each pipeline stage took.\n"
	"\n"
	"  -d STORE          the store (default medkg.db)\n";

/* The store a pipeline command uses: -d, else the configuration's, else
 * the default. */
static const char *store_path(const struct pipeline_config *c)
{
	return cli.db_given || !c->store ? cli.db : c->store;
}

static void print_stage(void *ctx, const struct stage_result *s)
{
	(void)ctx;
	if (s->done)
		printf("%-8s ran in %.2f s (%s)\n", s->name, s->seconds, buf_str(&s->reason));
	else
		printf("%-8s skipped: %s\n", s->name, buf_str(&s->reason));
	const char *p = buf_str(&s->said);
	while (*p) {
		const char *e = strchr(p, '\n');
		size_t n = e ? (size_t)(e - p) : strlen(p);
		printf("  %.*s\n", (int)n, p);
		p += n + (e != NULL);
	}
	fflush(stdout);
}

static int parse(int argc, char **argv, const char *usage, int *dry_run)
{
	static const struct option longopts[] = {
		CLI_COMMON_LONG, { "dry-run", no_argument, NULL, 'n' }, { 0, 0, 0, 0 }
	};
	int c;
	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORT, longopts, NULL)) != -1) {
		if (cli_common_option(c, usage))
			continue;
		if (c == 'n' && dry_run)
			*dry_run = 1;
		else
			return cli_usage_error(usage, "unexpected option");
	}
	return 0;
}

static char *build_usage_text(void)
{
	struct buf b = BUF_INIT;
	buf_adds(&b, build_synopsis);
	config_describe(&b);
	return buf_detach(&b);
}

static int build(int argc, char **argv, const char *build_usage);

int cmd_build(int argc, char **argv)
{
	char *usage = build_usage_text();
	int rc = build(argc, argv, usage);
	free(usage);
	return rc;
}

static int build(int argc, char **argv, const char *build_usage)
{
	int dry_run = 0;
	int u = parse(argc, argv, build_usage, &dry_run);
	if (u)
		return u;
	if (optind + 1 != argc)
		return cli_usage_error(build_usage, "build needs one CONFIG file");
	struct pipeline_config c;
	if (config_read(&c, argv[optind]) < 0)
		return 1;
	const char *db = store_path(&c);
	struct store st = { 0 };
	struct pipeline_result r;
	int rc = 1;
	if (dry_run) {
		struct stat sb;
		int exists = stat(db, &sb) == 0;
		if (exists && store_open(&st, db, STORE_READONLY) < 0)
			goto out;
		if (pipeline_plan(exists ? &st : NULL, &c, &r) < 0)
			goto out;
		printf("plan for %s from %s%s\n", db, c.file, exists ? "" : " (a new store)");
		for (int i = 0; i < N_STAGES; i++) {
			const struct stage_result *s = &r.stage[i];
			printf("  %-8s %-5s %s\n", s->name, s->run ? "run" : "skip",
			       buf_str(&s->reason));
			debug("%s key %s", s->name, s->key);
		}
		pipeline_result_release(&r);
		rc = 0;
		goto out;
	}
	if (store_open(&st, db, STORE_CREATE) < 0)
		goto out;
	int ok = pipeline_build(&st, &c, print_stage, NULL, &r) == 0;
	if (ok) {
		int ran = 0;
		for (int i = 0; i < N_STAGES; i++)
			ran += r.stage[i].done;
		printf("built %s in %.2f s: %d of %d stages ran", db, r.seconds, ran, N_STAGES);
		if (r.export_dir)
			printf("; export in %s", r.export_dir);
		printf("\n");
		rc = 0;
	}
	pipeline_result_release(&r);
out:
	store_close(&st);
	config_release(&c);
	return rc;
}

int cmd_ingest(int argc, char **argv)
{
	int u = parse(argc, argv, ingest_usage, NULL);
	if (u)
		return u;
	if (argc - optind < 2)
		return cli_usage_error(ingest_usage, "ingest needs CONFIG and at least one NEW_INPUT");
	for (int i = optind + 1; i < argc; i++) {
		struct stat sb;
		if (stat(argv[i], &sb) != 0) {
			error("%s: %s", argv[i], strerror(errno));
			return 1;
		}
	}
	struct pipeline_config c;
	if (config_read(&c, argv[optind]) < 0)
		return 1;
	const char *db = store_path(&c);
	struct store st = { 0 };
	struct pipeline_result r;
	int rc = 1;
	if (store_open(&st, db, 0) < 0)
		goto out;
	if (pipeline_ingest(&st, &c, argv + optind + 1, (size_t)(argc - optind - 1), print_stage,
			    NULL, &r) == 0) {
		printf("ingested %d input%s into %s in %.2f s\n", argc - optind - 1,
		       argc - optind - 1 == 1 ? "" : "s", db, r.seconds);
		printf("  reports   %lld added, %lld changed, %lld unchanged\n",
		       (long long)r.reports_added, (long long)r.reports_changed,
		       (long long)r.reports_unchanged);
		printf("  mentions  %lld\n", (long long)r.mentions);
		if (r.model)
			printf("  entities  %lld new (model %lld extends model %lld)\n",
			       (long long)r.new_entities, (long long)r.model, (long long)r.parent);
		else
			printf("  entities  0 new (model %lld unchanged)\n", (long long)r.parent);
		if (r.export_dir)
			printf("  export    %s: %zu files rewritten, %zu unchanged\n", r.export_dir,
			       r.files_written, r.files_kept);
		rc = 0;
	}
	pipeline_result_release(&r);
out:
	store_close(&st);
	config_release(&c);
	return rc;
}

int cmd_report(int argc, char **argv)
{
	int u = parse(argc, argv, report_usage, NULL);
	if (u)
		return u;
	if (optind + 1 != argc)
		return cli_usage_error(report_usage, "report needs one OUT.html");
	struct store st;
	if (store_open(&st, cli.db, STORE_READONLY) < 0)
		return 1;
	struct report_stats s;
	int rc = report_write(&st, argv[optind], &s) < 0;
	if (!rc)
		printf("wrote %s: %d charts, %zu bytes\n", argv[optind], s.charts, s.bytes);
	store_close(&st);
	return rc;
}
