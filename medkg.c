/*
 * medkg — builds the knowledge store for knowledge-enhanced medical
 * vision-and-language pre-training, in one SQLite file.
 *
 * This file is the command table and main(). Adding a new command:
 *   1. Write cmd_<name>(argc, argv) in cli/cmd_<group>.c: parse options with
 *      getopt_long and CLI_COMMON_SHORT/CLI_COMMON_LONG, print its usage on
 *      -h (stdout, exit 0) and on a usage error (stderr, exit 2), call stage
 *      code (which never exits nor prints results), print results to stdout,
 *      return 0 on success and 1 on failure.
 *   2. Declare it in cli/cli.h and add a row to the table below.
 *   3. Add a command-line test in tests/cli.sh (success, --help, a usage
 *      error and a failure), and a section with real output in README.md.
 */
#include "cli/cli.h"
#include "common/number.h"
#include "common/util.h"
#include "store/store.h"

#include <stdlib.h>
#include <string.h>

#define MEDKG_VERSION "0.1.0"

struct command {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *help;
};

static const struct command commands[] = {
	{ "init", cmd_init, "create or migrate a store" },
	{ "load", cmd_load, "load a knowledge base (umls DIR, mesh FILE, obo FILE)" },
	{ "stats", cmd_stats, "summarize what the store holds" },
	{ "show", cmd_show, "print a concept: names, types, relations" },
	{ "embed", cmd_embed, "train TransE embeddings; eval, export (embed --help)" },
	{ "extract", cmd_extract, "find concepts in reports, with context" },
	{ "merge", cmd_merge, "merge extraction shard stores into one" },
	{ "mentions", cmd_mentions, "print a report with its concept mentions" },
	{ "labels", cmd_labels, "write the CheXpert labels of every report (MIMIC-CXR CSV)" },
	{ "link", cmd_link, "tie findings to image regions and patch grids" },
	{ "train", cmd_train, "export for a trainer, and launch it (train --help)" },
	{ "build", cmd_build, "run every stage from a configuration file, resumably" },
	{ "ingest", cmd_ingest, "add new reports to a built store, incrementally" },
	{ "report", cmd_report, "write an HTML page of charts of what the store holds" },
};

static void usage(FILE *out)
{
	fprintf(out,
		"usage: medkg [-d STORE] [-q|-v] <command> [options] [args]\n"
		"\n"
		"medkg builds the knowledge store for knowledge-enhanced medical\n"
		"vision-and-language pre-training, in one SQLite file (default medkg.db).\n"
		"\n"
		"commands:\n");
	for (size_t i = 0; i < ARRAY_SIZE(commands); i++)
		fprintf(out, "  %-10s %s\n", commands[i].name, commands[i].help);
	fprintf(out,
		"\n"
		"'medkg <command> --help' describes a command. Exit status: 0 success,\n"
		"1 failure, 2 usage error.\n");
}

int main(int argc, char **argv)
{
	/* SQLite's memory statistics take a global mutex on every allocation;
	 * medkg never reads them (before any database is opened). */
	sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
	const char *env = getenv("MEDKG_DB");
	if (env && *env) {
		cli.db = env;
		cli.db_given = 1;
	}
	/* how long a writer waits for another's lock on the store, in seconds */
	env = getenv("MEDKG_WAIT");
	int64_t wait;
	if (env && *env) {
		if (parse_i64(env, 0, INT32_MAX, &wait) < 0) {
			error("MEDKG_WAIT: expected a number of seconds, not '%s'", env);
			return EXIT_USAGE;
		}
		store_busy_timeout_s = (int)wait;
	}
	int i = 1;
	for (; i < argc && argv[i][0] == '-'; i++) {
		const char *a = argv[i];
		if (!strcmp(a, "-h") || !strcmp(a, "--help")) {
			usage(stdout);
			return cli_finish(0);
		} else if (!strcmp(a, "--version")) {
			printf("medkg %s (store schema %d)\n", MEDKG_VERSION, SCHEMA_VERSION);
			return cli_finish(0);
		} else if (!strcmp(a, "-q") || !strcmp(a, "--quiet")) {
			log_level = 0;
		} else if (!strcmp(a, "-v") || !strcmp(a, "--verbose")) {
			log_level = 2;
		} else if ((!strcmp(a, "-d") || !strcmp(a, "--db")) && i + 1 < argc) {
			cli.db = argv[++i];
			cli.db_given = cli.db_option = 1;
		} else if (!strncmp(a, "--db=", 5)) {
			cli.db = a + 5;
			cli.db_given = cli.db_option = 1;
		} else {
			fprintf(stderr, "medkg: unknown option '%s'\n", a);
			usage(stderr);
			return EXIT_USAGE;
		}
	}
	if (i >= argc) {
		usage(stderr);
		return EXIT_USAGE;
	}
	for (size_t k = 0; k < ARRAY_SIZE(commands); k++) {
		if (!strcmp(argv[i], commands[k].name)) {
			optind = 1;
			return cli_finish(commands[k].fn(argc - i, argv + i));
		}
	}
	fprintf(stderr, "medkg: unknown command '%s' (see 'medkg --help')\n", argv[i]);
	return EXIT_USAGE;
}
