/* medkg labels: the CheXpert labels of every report, as MIMIC-CXR's CSV. */
#include "cli.h"
#include "../common/util.h"
#include "../store/store.h"
#include "../train/chexpert.h"

#include <errno.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

static const char labels_synopsis[] =
	"usage: medkg labels [-d STORE] [--source NAME] OUT.csv\n"
	"\n"
	"Write the 14 CheXpert labels of every report of the store to OUT.csv ('-':\n"
	"standard output), in the layout of MIMIC-CXR's mimic-cxr-2.0.0-chexpert.csv:\n"
	"subject_id (empty), study_id (the report's id), then 1.0 positive, 0.0\n"
	"negative, -1.0 uncertain or empty (not mentioned) per observation. The\n"
	"labels come from the report's mentions in its findings and impression\n"
	"(medkg extract): positive beats uncertain beats negative; No Finding is\n"
	"1.0 when nothing but Support Devices is positive or uncertain.\n"
	"\n";

static const char labels_footer[] =
	"  -d STORE              the store (default medkg.db)\n"
	"  -q                    no summary of the counts\n";

struct labels_cmd {
	char *source;
};

static const struct param cmd_rows[] = {
	P_STR("source", offsetof(struct labels_cmd, source), "NAME",
	      "only the reports of this source", PARAM_CLI, .def = "every source"),
};

static void cmd_defaults(void *p)
{
	memset(p, 0, sizeof(struct labels_cmd));
}

static const struct param_table cmd_table = { "labels", cmd_rows, ARRAY_SIZE(cmd_rows),
					      sizeof(struct labels_cmd), cmd_defaults };

/* The counts, one line per observation. */
static void print_counts(FILE *out, const char *path, const struct chexpert_counts *c,
			 const struct chexpert_map *m)
{
	fprintf(out, "labelled %lld reports into %s (%zu of %zu table concepts in the store, "
		"%zu with descendants)\n", (long long)c->reports, path, m->n_rules_found,
		chexpert_n_rules, m->n);
	fprintf(out, "  %-27s %8s %8s %8s %8s\n", "observation", "1.0", "0.0", "-1.0", "blank");
	for (int k = 0; k < CHEXPERT_N; k++)
		fprintf(out, "  %-27s %8lld %8lld %8lld %8lld\n", chexpert_names[k],
			(long long)c->v[k][0], (long long)c->v[k][1], (long long)c->v[k][2],
			(long long)c->v[k][3]);
}

static int run(const char *path, const struct labels_cmd *x)
{
	struct store st;
	if (store_open(&st, cli.db, STORE_READONLY) < 0)
		return 1;
	int to_stdout = !strcmp(path, "-");
	FILE *out = to_stdout ? stdout : fopen(path, "w");
	struct chexpert_map m;
	memset(&m, 0, sizeof m);
	struct chexpert_counts counts;
	int rc = 1;
	if (!out) {
		error("%s: cannot create: %s", path, strerror(errno));
		goto out;
	}
	if (chexpert_map_load(&m, &st) < 0 || chexpert_write_csv(&m, &st, x->source, out,
								   &counts) < 0)
		goto out;
	if (!to_stdout && fclose(out) != 0) {
		out = NULL;
		error("%s: cannot write: %s", path, strerror(errno));
		goto out;
	}
	out = NULL;
	if (log_level >= 1)
		print_counts(to_stdout ? stderr : stdout, path, &counts, &m);
	rc = 0;
out:
	if (out && !to_stdout)
		fclose(out);
	chexpert_map_release(&m);
	store_close(&st);
	return rc;
}

int cmd_labels(int argc, char **argv)
{
	struct labels_cmd x;
	cmd_defaults(&x);
	struct param_group g[] = { { NULL, &cmd_table, &x, 0 } };
	char *usage = cli_usage_text(labels_synopsis, g, ARRAY_SIZE(g), labels_footer);
	int rc = cli_parse(argc, argv, CLI_COMMON_SHORT, usage, g, ARRAY_SIZE(g));
	if (rc)
		goto out;
	if (optind + 1 != argc)
		rc = cli_usage_error(usage, "labels needs one OUT.csv");
	else
		rc = run(argv[optind], &x);
out:
	params_release(&cmd_table, &x);
	free(usage);
	return rc;
}
