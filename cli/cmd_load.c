/* medkg load umls|mesh|obo: knowledge bases into the store. */
#include "cli.h"
#include "../common/util.h"
#include "../common/strlist.h"
#include "../store/mesh.h"
#include "../store/obo.h"
#include "../store/store.h"
#include "../store/umls.h"

#include <stdlib.h>
#include <string.h>

static const char load_usage[] =
	"usage: medkg load umls [options] DIR\n"
	"       medkg load mesh [options] FILE.xml[.zst]\n"
	"       medkg load obo [options] FILE.obo[.zst]\n"
	"\n"
	"Load a knowledge base into the store: a UMLS release (umls), or, without\n"
	"a UMLS licence, MeSH descriptors (mesh) and OBO ontologies (obo). Every\n"
	"load is one transaction: on any error the store is left as it was.\n"
	"'medkg load KIND --help' describes the options of each.\n";

static const char umls_usage[] =
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
		if (cli_common_option(c, umls_usage))
			continue;
		switch (c) {
		case O_SAB: o.sab = strlist_add_csv(o.sab, optarg); break;
		case O_LANG: lang = strlist_add_csv(lang, optarg); break;
		case O_TUI: o.types = strlist_add_csv(o.types, optarg); break;
		case O_SUPP: o.keep_suppressed = 1; break;
		case O_SELF: o.keep_self = 1; break;
		case O_LENIENT: o.lenient = 1; break;
		case O_REPLACE: o.replace = 1; break;
		}
	}
	if (optind + 1 != argc) {
		rc = cli_usage_error(umls_usage, "load umls needs one directory");
		goto out;
	}
	if (!lang)
		lang = strlist_add_csv(NULL, "ENG");
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

static const char mesh_usage[] =
	"usage: medkg load mesh [options] FILE.xml[.zst]\n"
	"\n"
	"Load MeSH descriptors (NLM's desc20XX.xml, plain or zstd-compressed),\n"
	"streamed. Each DescriptorRecord becomes a concept (its DescriptorUI, source\n"
	"MSH); DescriptorName and every Term String become terms; tree numbers give\n"
	"'isa' triples and, by their letter, the concept's category (a semantic type\n"
	"'MSH:C' Diseases, 'MSH:A' Anatomy, ...).\n"
	"\n"
	"  --lenient         skip bad records (counted and reported) instead of failing\n"
	"  --replace         replace the MeSH file already in the store\n"
	"  -d STORE          the store (default medkg.db; created if missing)\n"
	"  -q, -v            quieter, more verbose\n";

static int load_mesh(int argc, char **argv)
{
	enum { O_LENIENT = 256, O_REPLACE };
	static const struct option longopts[] = {
		CLI_COMMON_LONG,
		{ "lenient", no_argument, NULL, O_LENIENT },
		{ "replace", no_argument, NULL, O_REPLACE },
		{ 0, 0, 0, 0 }
	};
	struct mesh_options o = { 0 };
	int c;
	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORT, longopts, NULL)) != -1) {
		if (cli_common_option(c, mesh_usage))
			continue;
		if (c == O_LENIENT)
			o.lenient = 1;
		else if (c == O_REPLACE)
			o.replace = 1;
	}
	if (optind + 1 != argc)
		return cli_usage_error(mesh_usage, "load mesh needs one file");
	struct store st;
	if (store_open(&st, cli.db, STORE_CREATE) < 0)
		return 1;
	struct mesh_stats s;
	int rc = mesh_load(&st, argv[optind], &o, &s) < 0;
	if (!rc && !s.already_loaded) {
		printf("loaded %s into %s in %.2f s\n", argv[optind], cli.db, s.seconds);
		printf("  records     %lld read, %lld concepts (%lld new), %lld terms\n",
		       (long long)s.records, (long long)s.concepts, (long long)s.new_concepts,
		       (long long)s.terms);
		printf("  trees       %lld tree numbers, %lld distinct isa triples, %lld without a "
		       "parent in the file\n", (long long)s.tree_numbers, (long long)s.triples,
		       (long long)s.orphan_trees);
		printf("  categories  %lld concept categories\n", (long long)s.categories);
		if (s.malformed)
			printf("  skipped     %lld bad records (--lenient)\n", (long long)s.malformed);
	}
	store_close(&st);
	return rc;
}

static const char obo_usage[] =
	"usage: medkg load obo [options] FILE.obo[.zst]\n"
	"\n"
	"Load an ontology in the OBO format (1.2 or 1.4; e.g. doid.obo, hp.obo,\n"
	"mondo.obo), plain or zstd-compressed. Each [Term] becomes a concept; its\n"
	"name and synonyms (scope kept: EXACT, RELATED, BROAD, NARROW) become terms,\n"
	"is_a and relationship lines triples, xref lines cross-references.\n"
	"\n"
	"  --map-xrefs LIST  xref kinds that place a term on an existing or shared\n"
	"                    concept, in order of preference: umls (a UMLS CUI xref),\n"
	"                    mesh (a MeSH descriptor xref), none (default: umls)\n"
	"  --sab NAME        the source name (default: the file's 'ontology' tag,\n"
	"                    upper-cased, e.g. DOID)\n"
	"  --keep-obsolete   load terms marked is_obsolete too (default: skip them)\n"
	"  --lenient         skip bad lines and stanzas (counted and reported)\n"
	"  --replace         replace another version of this ontology in the store\n"
	"  -d STORE          the store (default medkg.db; created if missing)\n"
	"  -q, -v            quieter, more verbose\n";

static int load_obo(int argc, char **argv)
{
	enum { O_MAP = 256, O_SAB, O_OBSOLETE, O_LENIENT, O_REPLACE };
	static const struct option longopts[] = {
		CLI_COMMON_LONG,
		{ "map-xrefs", required_argument, NULL, O_MAP },
		{ "sab", required_argument, NULL, O_SAB },
		{ "keep-obsolete", no_argument, NULL, O_OBSOLETE },
		{ "lenient", no_argument, NULL, O_LENIENT },
		{ "replace", no_argument, NULL, O_REPLACE },
		{ 0, 0, 0, 0 }
	};
	struct obo_options o = { 0 };
	char **map = NULL;
	int c, rc = 1, map_given = 0;
	while ((c = getopt_long(argc, argv, CLI_COMMON_SHORT, longopts, NULL)) != -1) {
		if (cli_common_option(c, obo_usage))
			continue;
		switch (c) {
		case O_MAP: map = strlist_add_csv(map, optarg); map_given = 1; break;
		case O_SAB: o.sab = optarg; break;
		case O_OBSOLETE: o.keep_obsolete = 1; break;
		case O_LENIENT: o.lenient = 1; break;
		case O_REPLACE: o.replace = 1; break;
		}
	}
	if (optind + 1 != argc) {
		rc = cli_usage_error(obo_usage, "load obo needs one file");
		goto out;
	}
	if (!map_given)
		map = strlist_add_csv(NULL, "umls");
	for (size_t i = 0; map && map[i]; i++) {
		if (strcmp(map[i], "umls") && strcmp(map[i], "mesh") &&
		    !(strcmp(map[i], "none") == 0 && strlist_len(map) == 1)) {
			rc = cli_usage_error(obo_usage, "--map-xrefs takes umls, mesh or none, not '%s'",
					     map[i]);
			goto out;
		}
	}
	if (!strlist_has(map, "none"))
		o.map = map;

	struct store st;
	if (store_open(&st, cli.db, STORE_CREATE) < 0)
		goto out;
	struct obo_stats s;
	rc = obo_load(&st, argv[optind], &o, &s) < 0;
	if (!rc && !s.already_loaded) {
		printf("loaded %s into %s as %s in %.2f s\n", argv[optind], cli.db, s.sab, s.seconds);
		printf("  stanzas     %lld read, %lld terms, %lld obsolete skipped\n",
		       (long long)s.stanzas, (long long)s.terms_read, (long long)s.obsolete);
		printf("  concepts    %lld (%lld new), %lld mapped by xref\n", (long long)s.concepts,
		       (long long)s.new_concepts, (long long)s.mapped);
		printf("  names       %lld, synonyms %lld exact, %lld related, %lld broad, %lld "
		       "narrow\n", (long long)s.names, (long long)s.synonyms[OBO_EXACT],
		       (long long)s.synonyms[OBO_RELATED], (long long)s.synonyms[OBO_BROAD],
		       (long long)s.synonyms[OBO_NARROW]);
		printf("  relations   %lld is_a, %lld relationship, %lld distinct triples, %lld "
		       "targets outside the file\n", (long long)s.is_a, (long long)s.relationships,
		       (long long)s.triples, (long long)s.unresolved);
		printf("  xrefs       %lld\n", (long long)s.xrefs);
		if (s.malformed)
			printf("  skipped     %lld bad lines or stanzas (--lenient)\n",
			       (long long)s.malformed);
	}
	store_close(&st);
out:
	strlist_free(map);
	return rc;
}

int cmd_load(int argc, char **argv)
{
	if (argc < 2 || argv[1][0] == '-') {
		if (argc >= 2 && (!strcmp(argv[1], "-h") || !strcmp(argv[1], "--help"))) {
			fputs(load_usage, stdout);
			return 0;
		}
		return cli_usage_error(load_usage,
				       "load needs a kind of knowledge base (umls, mesh, obo)");
	}
	if (!strcmp(argv[1], "umls"))
		return load_umls(argc - 1, argv + 1);
	if (!strcmp(argv[1], "mesh"))
		return load_mesh(argc - 1, argv + 1);
	if (!strcmp(argv[1], "obo"))
		return load_obo(argc - 1, argv + 1);
	return cli_usage_error(load_usage, "unknown knowledge base '%s'", argv[1]);
}
