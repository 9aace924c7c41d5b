/* medkg extract, merge, mentions: concepts from reports into the store. */
#include "cli.h"
#include "../common/util.h"
#include "../extract/extract.h"
#include "../extract/extract_params.h"
#include "../extract/merge.h"
#include "../store/query.h"
#include "../store/store.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char extract_synopsis[] =
	"usage: medkg extract [options] INPUT...\n"
	"\n"
	"Find knowledge-base concepts in radiology reports, with their section,\n"
	"sentence, character offsets and context (affirmed, negated, uncertain;\n"
	"the hedge's strength; historical, hypothetical), and the findings said\n"
	"of a structure (\"the heart is enlarged\"); store reports, images and\n"
	"mentions. INPUT is an OpenI XML file or a directory of them, a\n"
	"directory tree of .txt reports (MIMIC-CXR layout; the id is the file\n"
	"name), a CSV file with a header, R2Gen/ARL annotation JSON, or JSON\n"
	"Lines; any file may be zstd-compressed. Incremental: an unchanged report\n"
	"is skipped, a changed one replaced, a new one added; each batch of\n"
	"reports is one transaction.\n"
	"\n";

static const char extract_footer[] =
	"  -d STORE              the store (default medkg.db); it must hold a\n"
	"                        knowledge base\n"
	"  -q, -v                quieter, more verbose\n"
	"\n"
	"Threads: OMP_NUM_THREADS (results are the same for any number); on a\n"
	"machine shared with other work, OMP_WAIT_POLICY=passive keeps idle\n"
	"threads from spinning.\n";

struct extract_cmd {
	int jsonl;
};

static const struct param cmd_rows[] = {
	P_BOOL("jsonl", offsetof(struct extract_cmd, jsonl),
	       "write the mentions to standard output as JSON Lines\n"
	       "instead of storing reports and mentions (the store\n"
	       "still caches the dictionary)", PARAM_CLI),
};

static void cmd_defaults(void *p)
{
	memset(p, 0, sizeof(struct extract_cmd));
}

static const struct param_table cmd_table = { "extract", cmd_rows, ARRAY_SIZE(cmd_rows),
					      sizeof(struct extract_cmd), cmd_defaults };

static void print_stats(const struct extract_options *o, const struct extract_stats *s)
{
	FILE *out = o->jsonl ? stderr : stdout;
	if (o->jsonl && log_level < 1)
		return;
	fprintf(out, "%s %lld reports in %.2f s (%.0f reports/s)\n",
		o->jsonl ? "extracted from" : "read", (long long)s->read, s->seconds,
		s->seconds > 0 ? (double)s->read / s->seconds : 0.0);
	if (!o->jsonl)
		fprintf(out, "  reports    %lld added, %lld changed, %lld unchanged\n",
			(long long)s->added, (long long)s->changed, (long long)s->unchanged);
	if (o->n_shards > 1)
		fprintf(out, "  shard      %d/%d: the reports that start in bytes %lld to %lld of %lld "
			"(the inputs end to end)\n", o->shard, o->n_shards, (long long)s->shard_lo,
			(long long)s->shard_hi, (long long)s->shard_total);
	if (s->empty || s->skipped || s->duplicates)
		fprintf(out, "  skipped    %lld empty, %lld bad (--lenient), %lld repeated ids\n",
			(long long)s->empty, (long long)s->skipped, (long long)s->duplicates);
	fprintf(out, "  mentions   %lld: %lld affirmed, %lld negated, %lld uncertain; %lld historical\n",
		(long long)s->mentions, (long long)s->polarity[0], (long long)s->polarity[1],
		(long long)s->polarity[2], (long long)s->historical);
	fprintf(out, "  dictionary %lld terms (%s), %s in %.2f s (%.2f s CPU)\n",
		(long long)s->dict.n_entries, s->dict.filters,
		s->dict.from_cache ? "from the store's cache" : "built and cached", s->dict.seconds,
		s->dict.cpu_seconds);
}

int cmd_extract(int argc, char **argv)
{
	struct extract_options o;
	struct extract_cmd x;
	extract_param_table.defaults(&o);
	cmd_defaults(&x);
	struct param_group g[] = { { NULL, &extract_param_table, &o, 0 }, { NULL, &cmd_table, &x, 0 } };
	char *extract_usage = cli_usage_text(extract_synopsis, g, ARRAY_SIZE(g), extract_footer);
	int rc = cli_parse(argc, argv, CLI_COMMON_SHORT, extract_usage, g, ARRAY_SIZE(g));
	if (rc)
		goto out;
	rc = 1;
	if (optind >= argc) {
		rc = cli_usage_error(extract_usage, "extract needs at least one INPUT");
		goto out;
	}
	if (x.jsonl)
		o.jsonl = stdout;
	o.progress = isatty(2) && log_level >= 1;
	struct store st;
	if (store_open(&st, cli.db, 0) < 0)
		goto out;
	struct extract_stats s;
	if (extract_run(&st, argv + optind, (size_t)(argc - optind), &o, &s) == 0) {
		rc = 0;
		print_stats(&o, &s);
	}
	free(s.dict.filters);
	store_close(&st);
out:
	params_release(&extract_param_table, &o);
	free(extract_usage);
	return rc;
}

static const char merge_usage[] =
	"usage: medkg merge OUT.db SHARD.db...   (-d, when given, must name OUT.db)\n"
	"\n"
	"Merge the stores of extraction shards ('medkg extract --shard I/N', one\n"
	"store each) into OUT.db, with exactly the reports and mentions a single\n"
	"run would have stored: give the shards in order (1/N first). OUT.db is\n"
	"created from the first shard's knowledge base when missing; every store\n"
	"must hold the same knowledge base (meta kb.fingerprint), else nothing is\n"
	"merged. Merging again changes nothing. Shards made together and given in\n"
	"order are copied as they are (the 'as is' line), the fastest way. A shard\n"
	"whose extraction did not finish, or one that would leave an earlier part\n"
	"of its run out of OUT.db, is refused; the 'parts' line says how many of\n"
	"a run's shards OUT.db holds.\n";

int cmd_merge(int argc, char **argv)
{
	static const struct option longopts[] = { CLI_COMMON_LONG, { 0, 0, 0, 0 } };
	int c;
	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORT, longopts, NULL)) != -1)
		cli_common_option(c, merge_usage);
	if (argc - optind < 2)
		return cli_usage_error(merge_usage, "merge needs OUT.db and at least one shard");
	/* medkg -d ALL.db merge S1.db S2.db would merge S2 into S1: refused */
	if (cli.db_option && strcmp(cli.db, argv[optind]))
		return cli_usage_error(merge_usage, "merge writes into its first argument (%s), "
				       "not into -d %s: give the output first, without -d",
				       argv[optind], cli.db);
	struct merge_stats s;
	if (merge_shards(argv[optind], argv + optind + 1, (size_t)(argc - optind - 1), &s) < 0)
		return 1;
	int n = argc - optind - 1;
	printf("merged %d shard%s into %s in %.2f s\n", n, n == 1 ? "" : "s", argv[optind],
	       s.seconds);
	printf("  reports    %lld read: %lld added, %lld changed, %lld unchanged\n",
	       (long long)s.reports, (long long)s.added, (long long)s.changed,
	       (long long)s.unchanged);
	printf("  copied     %lld mentions, %lld images\n", (long long)s.mentions,
	       (long long)s.images);
	printf("  as is      %lld of %d shard%s (their rows copied without moving ids)\n",
	       (long long)s.verbatim, n, n == 1 ? "" : "s");
	if (s.parts[0])
		printf("  parts      %s\n", s.parts);
	return 0;
}

static const char mentions_usage[] =
	"usage: medkg mentions [-d STORE] [--source NAME] REPORT_ID\n"
	"\n"
	"Print a report with its concept mentions marked [surface](n), then each\n"
	"mention: character offsets, section, sentence, polarity, hedge (probable,\n"
	"possible), hypothetical, historical, CUI and name. Mentions that share a\n"
	"span are listed, marked once. Reports of every source with that id are\n"
	"printed unless --source names one.\n";

int cmd_mentions(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_COMMON_LONG, { "source", required_argument, NULL, 's' }, { 0, 0, 0, 0 }
	};
	int c;
	const char *source = NULL;
	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORT, longopts, NULL)) != -1) {
		if (cli_common_option(c, mentions_usage))
			continue;
		if (c == 's')
			source = optarg;
	}
	if (optind + 1 != argc)
		return cli_usage_error(mentions_usage, "mentions needs one REPORT_ID");
	struct store st;
	if (store_open(&st, cli.db, STORE_READONLY) < 0)
		return 1;
	int n = 0, rc = query_mentions(&st, argv[optind], source, stdout, &n) < 0;
	if (!rc && !n) {
		error("%s: no report '%s'%s%s", cli.db, argv[optind], source ? " in source " : "",
		      source ? source : "");
		rc = 1;
	}
	store_close(&st);
	return rc;
}
