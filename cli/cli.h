/*
 * cli — what the command front ends share. Front ends (cmd_*.c) are the only
 * code that parses argv, prints usage or decides the exit status:
 * 0 success, 1 failure, 2 usage error.
 */
#ifndef MEDKG_CLI_H
#define MEDKG_CLI_H

#include <getopt.h>
#include <stdio.h>
#include "../common/params.h"
/* option values that are comma lists (--sab A,B) become strlists */
#include "../common/strlist.h"

#define EXIT_USAGE 2

/* Settings given before the command (medkg -d PATH -q <command>), which a
 * command's own -d/-q/-v may override. */
struct cli {
	const char *db;          /* store path; default "medkg.db" or $MEDKG_DB */
	int db_given;            /* -d or $MEDKG_DB chose it */
	int db_option;           /* -d chose it (on the command line) */
};

extern struct cli cli;

/* Options every command takes: -d/--db, -q/--quiet, -v/--verbose, -h/--help. */
#define CLI_COMMON_SHORT "d:qvh"
#define CLI_COMMON_LONG                                   \
	{ "db", required_argument, NULL, 'd' },           \
	{ "quiet", no_argument, NULL, 'q' },              \
	{ "verbose", no_argument, NULL, 'v' },            \
	{ "help", no_argument, NULL, 'h' }

/* Handle a common option c (from getopt_long). @return 1 if handled, 0 if
 * not a common option. 'h' prints help (the command's usage text) and exits
 * 0; an unknown option prints the usage to stderr and exits 2. */
int cli_common_option(int c, const char *usage);
/* Print "medkg: <msg>" and the usage to stderr. @return EXIT_USAGE. */
int cli_usage_error(const char *usage, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* The usage text: synopsis, then the groups' options (params_usage), then
 * footer (or NULL). Caller frees. */
char *cli_usage_text(const char *synopsis, const struct param_group *g, size_t ng,
		     const char *footer);
/* Parse the options of argv (getopt_long from optind, short options
 * shortopts: CLI_COMMON_SHORT, with a leading '+' to stop at the first
 * operand) into the groups; the common options are handled as
 * cli_common_option does. @return 0 (optind is the first operand), or
 * EXIT_USAGE after the problem and the usage went to stderr. */
int cli_parse(int argc, char **argv, const char *shortopts, const char *usage,
	      struct param_group *g, size_t ng);
/* Flush stdout and report a write failure. @return 0 or 1. */
int cli_finish(int rc);

/* The commands (medkg.c holds the table). */
int cmd_init(int argc, char **argv);
int cmd_load(int argc, char **argv);
int cmd_stats(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_embed(int argc, char **argv);
int cmd_extract(int argc, char **argv);
int cmd_merge(int argc, char **argv);
int cmd_mentions(int argc, char **argv);
int cmd_labels(int argc, char **argv);
int cmd_link(int argc, char **argv);
int cmd_train(int argc, char **argv);
int cmd_build(int argc, char **argv);
int cmd_ingest(int argc, char **argv);
int cmd_report(int argc, char **argv);

#endif
