/* medkg extract, merge, mentions: concepts from reports into the store. */
#include "cli.h"
#include "../common/util.h"
#include "../extract/extract.h"
#include "../extract/merge.h"
#include "../store/query.h"
#include "../store/store.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>

static const char extract_usage[] =
	"usage: medkg extract [options] INPUT...\n"
	"\n"
	"Find knowledge-base concepts in radiology reports, with their section,\n"
	"sentence, character offsets and context (affirmed, negated, uncertain;\n"
	"historical), and store reports, images and mentions. INPUT is an OpenI\n"
	"XML file or a directory of them, a directory tree of .txt reports\n"
	"(MIMIC-CXR layout; the id is the file name), a CSV file with a header,\n"
	"R2Gen/ARL annotation JSON, or JSON Lines; any file may be\n"
	"zstd-compressed. Incremental: an unchanged report is skipped, a changed\n"
	"one replaced, a new one added; each batch of reports is one transaction.\n"
	"\n"
	"  --format F        xml, text, csv, json or jsonl (default: from the name\n"
	"                    or the content)\n"
	"  --id-col NAME     CSV column or JSON key of the report id (default id,\n"
	"                    uid, report_id or study_id; JSON: id)\n"
	"  --text-col NAME   CSV column or JSON key of the text, repeatable; a name\n"
	"                    like findings or impression is that section (default\n"
	"                    findings and impression, else report or text)\n"
	"  --sections LIST   sections searched (default findings,impression); a\n"
	"                    report without any heading is searched whole\n"
	"  --tui LIST        only concepts of these semantic types, by TUI or\n"
	"  --sty LIST        name, each with its descendants (repeatable)\n"
	"  --sab LIST        only terms of these sources; ties between concepts\n"
	"                    sharing a term go to preferred names, then to the\n"
	"                    sources in this order\n"
	"  --lexicon FILE    context triggers (default: the built-in lexicon,\n"
	"                    data/context_lexicon.tsv)\n"
	"  --source NAME     source label of the reports (default: the input's\n"
	"                    file or directory name)\n"
	"  --shard I/N       keep every N-th report, starting with the I-th (1..N)\n"
	"  --batch N         reports per transaction (default 1000)\n"
	"  --max-bytes N     longest report accepted (default 1048576)\n"
	"  --jsonl           write the mentions to standard output as JSON Lines\n"
	"                    instead of storing reports and mentions (the store\n"
	"                    still caches the dictionary)\n"
	"  --lenient         skip bad reports and malformed files (counted)\n"
	"  -d STORE          the store (default medkg.db); it must hold a\n"
	"                    knowledge base\n"
	"  -q, -v            quieter, more verbose\n"
	"\n"
	"Threads: OMP_NUM_THREADS (results are the same for any number); on a\n"
	"machine shared with other work, OMP_WAIT_POLICY=passive keeps idle\n"
	"threads from spinning.\n";

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
	if (s->other_shards)
		fprintf(out, "  shard      %d/%d: %lld reports left to other shards\n", o->shard,
			o->n_shards, (long long)s->other_shards);
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
	enum { O_FORMAT = 256, O_IDCOL, O_TEXTCOL, O_SECTIONS, O_TUI, O_SAB, O_LEXICON, O_SOURCE,
	       O_SHARD, O_BATCH, O_MAXB, O_JSONL, O_LENIENT };
	static const struct option longopts[] = {
		CLI_COMMON_LONG,
		{ "format", required_argument, NULL, O_FORMAT },
		{ "id-col", required_argument, NULL, O_IDCOL },
		{ "text-col", required_argument, NULL, O_TEXTCOL },
		{ "sections", required_argument, NULL, O_SECTIONS },
		{ "tui", required_argument, NULL, O_TUI },
		{ "sty", required_argument, NULL, O_TUI },
		{ "sab", required_argument, NULL, O_SAB },
		{ "lexicon", required_argument, NULL, O_LEXICON },
		{ "source", required_argument, NULL, O_SOURCE },
		{ "shard", required_argument, NULL, O_SHARD },
		{ "batch", required_argument, NULL, O_BATCH },
		{ "max-bytes", required_argument, NULL, O_MAXB },
		{ "jsonl", no_argument, NULL, O_JSONL },
		{ "lenient", no_argument, NULL, O_LENIENT },
		{ 0, 0, 0, 0 }
	};
	struct extract_options o;
	memset(&o, 0, sizeof o);
	int c, rc = 1, jsonl = 0;
	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORT, longopts, NULL)) != -1) {
		if (cli_common_option(c, extract_usage))
			continue;
		char *end;
		int f;
		switch (c) {
		case O_FORMAT:
			if ((f = report_format_parse(optarg)) < 0) {
				rc = cli_usage_error(extract_usage, "unknown format '%s'", optarg);
				goto out;
			}
			o.rd.format = (enum report_format)f;
			break;
		case O_IDCOL: o.rd.id_col = optarg; break;
		case O_TEXTCOL: o.rd.text_cols = strlist_add_csv(o.rd.text_cols, optarg); break;
		case O_SECTIONS: o.sections = strlist_add_csv(o.sections, optarg); break;
		case O_TUI: o.dict.types = strlist_add_csv(o.dict.types, optarg); break;
		case O_SAB: o.dict.sab = strlist_add_csv(o.dict.sab, optarg); break;
		case O_LEXICON: o.lexicon = optarg; break;
		case O_SOURCE: o.source = optarg; break;
		case O_SHARD:
			if (sscanf(optarg, "%d/%d", &o.shard, &o.n_shards) != 2 || o.n_shards < 1 ||
			    o.shard < 1 || o.shard > o.n_shards) {
				rc = cli_usage_error(extract_usage, "--shard needs I/N with 1 <= I <= N, "
						     "not '%s'", optarg);
				goto out;
			}
			break;
		case O_BATCH:
		case O_MAXB: {
			long long v = strtoll(optarg, &end, 10);
			if (*end || v <= 0) {
				rc = cli_usage_error(extract_usage, "%s needs a positive number",
						     c == O_BATCH ? "--batch" : "--max-bytes");
				goto out;
			}
			if (c == O_BATCH)
				o.batch = (size_t)v;
			else
				o.rd.max_bytes = (size_t)v;
			break;
		}
		case O_JSONL: jsonl = 1; break;
		case O_LENIENT: o.rd.lenient = 1; break;
		}
	}
	if (optind >= argc) {
		rc = cli_usage_error(extract_usage, "extract needs at least one INPUT");
		goto out;
	}
	if (jsonl)
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
	strlist_free(o.rd.text_cols);
	strlist_free(o.sections);
	strlist_free(o.dict.types);
	strlist_free(o.dict.sab);
	return rc;
}

static const char merge_usage[] =
	"usage: medkg merge OUT.db SHARD.db...\n"
	"\n"
	"Merge the stores of extraction shards ('medkg extract --shard I/N', one\n"
	"store each) into OUT.db, with exactly the reports and mentions a single\n"
	"run would have stored: give the shards in order (1/N first). OUT.db is\n"
	"created from the first shard's knowledge base when missing; every store\n"
	"must hold the same knowledge base (meta kb.fingerprint), else nothing is\n"
	"merged. Merging again changes nothing.\n";

int cmd_merge(int argc, char **argv)
{
	static const struct option longopts[] = { CLI_COMMON_LONG, { 0, 0, 0, 0 } };
	int c;
	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORT, longopts, NULL)) != -1)
		cli_common_option(c, merge_usage);
	if (argc - optind < 2)
		return cli_usage_error(merge_usage, "merge needs OUT.db and at least one shard");
	struct merge_stats s;
	if (merge_shards(argv[optind], argv + optind + 1, (size_t)(argc - optind - 1), &s) < 0)
		return 1;
	printf("merged %d shards into %s in %.2f s\n", argc - optind - 1, argv[optind], s.seconds);
	printf("  reports    %lld read: %lld added, %lld changed, %lld unchanged\n",
	       (long long)s.reports, (long long)s.added, (long long)s.changed,
	       (long long)s.unchanged);
	printf("  copied     %lld mentions, %lld images\n", (long long)s.mentions,
	       (long long)s.images);
	return 0;
}

static const char mentions_usage[] =
	"usage: medkg mentions [-d STORE] [--source NAME] REPORT_ID\n"
	"\n"
	"Print a report with its concept mentions marked [surface](n), then each\n"
	"mention: character offsets, section, sentence, polarity, historical,\n"
	"CUI and name. Reports of every source with that id are printed unless\n"
	"--source names one.\n";

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
