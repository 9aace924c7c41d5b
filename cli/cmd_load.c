/* medkg load umls|mesh|obo: knowledge bases into the store. */
#include "cli.h"
#include "../common/util.h"
#include "../common/strlist.h"
#include "../store/load_params.h"
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

static const char umls_synopsis[] =
	"usage: medkg load umls [options] DIR\n"
	"\n"
	"Load a UMLS release: DIR is its META directory (or the directory that\n"
	"holds META), with MRCONSO.RRF and optionally MRSTY.RRF, MRREL.RRF and\n"
	"MRSAB.RRF, each plain or zstd-compressed (.RRF.zst). The load is one\n"
	"transaction: on any error the store is left as it was.\n"
	"\n";

static const char common_footer[] =
	"  -d STORE              the store (default medkg.db; created if missing)\n"
	"  -q, -v                quieter, more verbose\n";

/* Parse the options of one kind of load into opts. @return 0, or the exit
 * status; *usage is the usage text, for the caller to free. */
static int parse_load(int argc, char **argv, const char *synopsis, const struct param_table *t,
		      void *opts, char **usage)
{
	struct param_group g = { NULL, t, opts, 0 };
	t->defaults(opts);
	*usage = cli_usage_text(synopsis, &g, 1, common_footer);
	return cli_parse(argc, argv, CLI_COMMON_SHORT, *usage, &g, 1);
}

static int load_umls(int argc, char **argv)
{
	struct umls_options o;
	char *usage;
	int rc = parse_load(argc, argv, umls_synopsis, &umls_param_table, &o, &usage);
	if (rc)
		goto out;
	rc = 1;
	if (optind + 1 != argc) {
		rc = cli_usage_error(usage, "load umls needs one directory");
		goto out;
	}
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
	params_release(&umls_param_table, &o);
	free(usage);
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
	"\n";

static int load_mesh(int argc, char **argv)
{
	struct mesh_options o;
	char *usage;
	int rc = parse_load(argc, argv, mesh_usage, &mesh_param_table, &o, &usage);
	if (rc)
		goto out;
	if (optind + 1 != argc) {
		rc = cli_usage_error(usage, "load mesh needs one file");
		goto out;
	}
	struct store st;
	rc = 1;
	if (store_open(&st, cli.db, STORE_CREATE) < 0)
		goto out;
	struct mesh_stats s;
	rc = mesh_load(&st, argv[optind], &o, &s) < 0;
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
out:
	free(usage);
	return rc;
}

static const char obo_usage[] =
	"usage: medkg load obo [options] FILE.obo[.zst]\n"
	"\n"
	"Load an ontology in the OBO format (1.2 or 1.4; e.g. doid.obo, hp.obo,\n"
	"mondo.obo), plain or zstd-compressed. Each [Term] becomes a concept; its\n"
	"name and synonyms (scope kept: EXACT, RELATED, BROAD, NARROW) become terms,\n"
	"is_a and relationship lines triples, xref lines cross-references.\n"
	"\n";

static int load_obo(int argc, char **argv)
{
	struct obo_options o;
	char *usage;
	int rc = parse_load(argc, argv, obo_usage, &obo_param_table, &o, &usage);
	if (rc)
		goto out;
	rc = 1;
	if (optind + 1 != argc) {
		rc = cli_usage_error(usage, "load obo needs one file");
		goto out;
	}
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
	params_release(&obo_param_table, &o);
	free(usage);
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
