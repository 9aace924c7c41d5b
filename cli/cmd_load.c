/* medkg load umls: knowledge bases into the store. */
#include "cli.h"
#include "../common/util.h"
#include "../store/store.h"
#include "../store/umls.h"

#include <stdlib.h>
#include <string.h>

static const char load_usage[] =
	"usage: medkg load umls [options] DIR\n"
	"\n"
	"Load a UMLS release: DIR is its META directory (or the directory that\n"
	"holds META), with MRCONSO.RRF and optionally MRSTY.RRF, MRREL.RRF and\n"
	"MRSAB.RRF, each plain or zstd-compressed (.RRF.zst). The load is one\n"
	"transaction: on any error the store is left as it was.\n"
	"\n"
	"  --sab LIST        keep only these sources (comma separated, repeatable)\n"
	"  --lang LIST       keep these languages (default ENG; 'all' keeps every one)\n"
	"  --tui LIST        keep concepts of these semantic types, by TUI (T047) or\n"
	"  --sty LIST        name (\"Disease or Syndrome\"), each with its descendants\n"
	"  --keep-suppressed keep rows marked suppressible (SUPPRESS O, E or Y)\n"
	"  --keep-self       keep relations of a concept to itself\n"
	"  --lenient         skip malformed rows (counted and reported) instead of failing\n"
	"  --replace         replace the UMLS release already in the store\n"
	"  -d STORE          the store (default medkg.db; created if missing)\n"
	"  -q, -v            quieter, more verbose\n";

static char **add_list(char **list, const char *arg)
{
	char **items = strlist_parse(arg);
	if (!list)
		list = xcalloc(1, sizeof(*list));
	for (size_t i = 0; items[i]; i++)
		list = strlist_add(list, items[i]);
	strlist_free(items);
	return list;
}

static int load_umls(int argc, char **argv)
{
	enum { O_SAB = 256, O_LANG, O_TUI, O_SUPP, O_SELF, O_LENIENT, O_REPLACE };
	static const struct option longopts[] = {
		CLI_COMMON_LONG,
		{ "sab", required_argument, NULL, O_SAB },
		{ "lang", required_argument, NULL, O_LANG },
		{ "tui", required_argument, NULL, O_TUI },
		{ "sty", required_argument, NULL, O_TUI },
		{ "keep-suppressed", no_argument, NULL, O_SUPP },
		{ "keep-self", no_argument, NULL, O_SELF },
		{ "lenient", no_argument, NULL, O_LENIENT },
		{ "replace", no_argument, NULL, O_REPLACE },
		{ 0, 0, 0, 0 }
	};
	struct umls_options o;
	memset(&o, 0, sizeof o);
	char **lang = NULL;
	int c, rc = 1;
	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORT, longopts, NULL)) != -1) {
		if (cli_common_option(c, load_usage))
			continue;
		switch (c) {
		case O_SAB: o.sab = add_list(o.sab, optarg); break;
		case O_LANG: lang = add_list(lang, optarg); break;
		case O_TUI: o.types = add_list(o.types, optarg); break;
		case O_SUPP: o.keep_suppressed = 1; break;
		case O_SELF: o.keep_self = 1; break;
		case O_LENIENT: o.lenient = 1; break;
		case O_REPLACE: o.replace = 1; break;
		}
	}
	if (optind + 1 != argc) {
		rc = cli_usage_error(load_usage, "load umls needs one directory");
		goto out;
	}
	if (!lang)
		lang = add_list(NULL, "ENG");
	if (!strlist_has(lang, "all"))
		o.lang = lang;

	struct store st;
	if (store_open(&st, cli.db, STORE_CREATE) < 0)
		goto out;
	struct umls_stats s;
	if (umls_load(&st, argv[optind], &o, &s) == 0) {
		rc = 0;
		if (!s.already_loaded) {
			printf("loaded %s into %s in %.2f s\n", argv[optind], cli.db, s.seconds);
			printf("  MRCONSO  %lld rows read, %lld terms kept, %lld concepts (%lld new)\n",
			       (long long)s.conso_rows, (long long)s.conso_kept, (long long)s.concepts,
			       (long long)s.new_concepts);
			printf("  MRSTY    %lld rows read, %lld concept types\n", (long long)s.sty_rows,
			       (long long)s.concept_types);
			printf("  MRREL    %lld rows read, %lld kept, %lld distinct triples\n",
			       (long long)s.rel_rows, (long long)s.rel_kept, (long long)s.triples);
			printf("  sources  %lld\n", (long long)s.sources);
			if (s.malformed)
				printf("  skipped  %lld malformed rows (--lenient)\n", (long long)s.malformed);
			fflush(stdout);
			debug("phases: MRCONSO %.2f s, MRSTY %.2f s, MRREL %.2f s, indexes and "
			      "commit %.2f s", s.sec_conso, s.sec_sty, s.sec_rel, s.sec_commit);
		}
	}
	store_close(&st);
out:
	strlist_free(o.sab);
	strlist_free(o.types);
	strlist_free(lang);
	return rc;
}

int cmd_load(int argc, char **argv)
{
	if (argc < 2 || argv[1][0] == '-') {
		if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
			fputs(load_usage, stdout);
			return 0;
		}
		return cli_usage_error(load_usage, "load needs a kind of knowledge base (umls)");
	}
	if (!strcmp(argv[1], "umls"))
		return load_umls(argc - 1, argv + 1);
	return cli_usage_error(load_usage, "unknown knowledge base '%s'", argv[1]);
}
