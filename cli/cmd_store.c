/* medkg init, stats, show: create a store and look inside it. */
#include "cli.h"
#include "../common/number.h"
#include "../common/util.h"
#include "../embed/embed_store.h"
#include "../store/query.h"
#include "../store/store.h"

#include <stdlib.h>

static const char init_usage[] =
	"usage: medkg init [-d STORE]\n"
	"\n"
	"Create an empty store (default medkg.db), or migrate an existing one to\n"
	"this medkg's schema. Running it on an up-to-date store changes nothing.\n";

int cmd_init(int argc, char **argv)
{
	static const struct option longopts[] = { CLI_COMMON_LONG, { 0, 0, 0, 0 } };
	int c;
	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORT, longopts, NULL)) != -1)
		cli_common_option(c, init_usage);
	if (optind != argc)
		return cli_usage_error(init_usage, "init takes no arguments");
	struct store st;
	if (store_open(&st, cli.db, STORE_CREATE) < 0)
		return 1;
	printf("%s: medkg store, schema %d\n", cli.db, SCHEMA_VERSION);
	store_close(&st);
	return 0;
}

static const char stats_usage[] =
	"usage: medkg stats [-d STORE] [--top N]\n"
	"\n"
	"Summarize the store: rows per table, the knowledge loaded, sources with\n"
	"their term and triple counts, the most frequent semantic types and\n"
	"relations (--top, default 15).\n";

int cmd_stats(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_COMMON_LONG, { "top", required_argument, NULL, 't' }, { 0, 0, 0, 0 }
	};
	int c, top = 15;
	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORT, longopts, NULL)) != -1) {
		if (cli_common_option(c, stats_usage))
			continue;
		int64_t v;
		if (c == 't' && parse_i64(optarg, 1, 1000000, &v) < 0)
			return cli_usage_error(stats_usage, "--top needs a whole number from 1 to 1000000");
		if (c == 't')
			top = (int)v;
	}
	if (optind != argc)
		return cli_usage_error(stats_usage, "stats takes no arguments");
	struct store st;
	if (store_open(&st, cli.db, STORE_READONLY) < 0)
		return 1;
	int rc = query_stats(&st, stdout, top) < 0;
	store_close(&st);
	return rc;
}

static const char show_usage[] =
	"usage: medkg show [-d STORE] [--all] [--neighbors N] CUI|NAME\n"
	"\n"
	"Print a concept: preferred name, semantic types, every name with its\n"
	"source and term type, and its relations in both directions (the first\n"
	"20 each; --all for every one). A NAME is matched after normalization\n"
	"(case, punctuation, plurals), so 'pleural effusions' finds C0032227.\n"
	"--neighbors N also lists the N nearest concepts by the latest embedding\n"
	"model (medkg embed).\n";

int cmd_show(int argc, char **argv)
{
	static const struct option longopts[] = {
		CLI_COMMON_LONG, { "all", no_argument, NULL, 'a' },
		{ "neighbors", required_argument, NULL, 'n' }, { 0, 0, 0, 0 }
	};
	int c, max_rel = 20, neighbors = 0;
	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORT, longopts, NULL)) != -1) {
		if (cli_common_option(c, show_usage))
			continue;
		if (c == 'a')
			max_rel = 0;
		int64_t v;
		if (c == 'n' && parse_i64(optarg, 1, 10000, &v) < 0)
			return cli_usage_error(show_usage, "--neighbors needs a number from 1 to 10000");
		if (c == 'n')
			neighbors = (int)v;
	}
	if (optind + 1 != argc)
		return cli_usage_error(show_usage, "show needs one CUI or name");
	struct store st;
	if (store_open(&st, cli.db, STORE_READONLY) < 0)
		return 1;
	int64_t id = 0;
	int n = 0, rc = 1;
	int found = query_find_concept(&st, argv[optind], &id, stdout, &n);
	if (found < 0)
		goto out;
	if (!found) {
		if (n == 0)
			error("%s: no concept with CUI or name '%s'", cli.db, argv[optind]);
		goto out;
	}
	rc = query_show(&st, id, stdout, max_rel) < 0;
	if (!rc && neighbors)
		rc = embed_show_neighbors(&st, id, neighbors, stdout) < 0;
out:
	store_close(&st);
	return rc;
}
