#include "extract_params.h"
#include "sections.h"
#include "../common/util.h"

#include <stddef.h>
#include <stdio.h>
#include <string.h>

#define E(field) offsetof(struct extract_options, field)
/* what the stage stores depends on it */
#define SETTING (PARAM_CLI | PARAM_CONF | PARAM_KEY)

static const struct param_choice formats[] = {
	{ "auto", FORMAT_AUTO }, { "xml", FORMAT_XML },   { "text", FORMAT_TEXT },
	{ "csv", FORMAT_CSV },   { "json", FORMAT_JSON }, { "jsonl", FORMAT_JSONL },
	{ NULL, 0 }
};

int extract_check_sections(const char *s, void *field, struct buf *why)
{
	(void)s;
	char **list = *(char ***)field;
	for (size_t i = 0; list && list[i]; i++)
		if (!section_canonical(list[i], strlen(list[i]))) {
			buf_addf(why, "names an unknown section '%s' (findings, impression, "
				      "indication, comparison, technique, other, report)", list[i]);
			return -1;
		}
	return 0;
}

/* I/N: the field is the whole options struct */
static int parse_shard(const char *s, void *field, struct buf *why)
{
	struct extract_options *o = field;
	int i, n;
	char end;
	if (sscanf(s, "%d/%d%c", &i, &n, &end) != 2 || n < 1 || i < 1 || i > n) {
		buf_addf(why, "needs I/N with 1 <= I <= N, not '%s'", s);
		return -1;
	}
	o->shard = i;
	o->n_shards = n;
	return 0;
}

static void format_shard(const void *field, struct buf *out)
{
	const struct extract_options *o = field;
	if (o->n_shards)
		buf_addf(out, "%d/%d", o->shard, o->n_shards);
}

static const struct param rows[] = {
	P_ENUM("format", E(rd.format), formats, "F",
	       "xml, text, csv, json, jsonl, or auto: from the name\n"
	       "or the content", SETTING),
	P_STR("id-col", E(rd.id_col), "NAME",
	      "CSV column or JSON key of the report id (default id,\n"
	      "uid, report_id or study_id; JSON: id)", SETTING),
	P_LIST("text-col", E(rd.text_cols), "NAME",
	       "CSV column or JSON key of the text, repeatable; a name\n"
	       "like findings or impression is that section (default\n"
	       "findings and impression, else report or text)", SETTING),
	P_LIST("sections", E(sections), "LIST",
	       "sections searched; a report without any heading is\n"
	       "searched whole", SETTING | PARAM_LOWER, .parse = extract_check_sections,
	       .def = "findings,impression"),
	P_LIST("tui", E(dict.types), "LIST",
	       "only concepts of these semantic types, by TUI or\n"
	       "name, each with its descendants (repeatable)", SETTING, .alias = "sty",
	       .def = "all"),
	P_LIST("sab", E(dict.sab), "LIST",
	       "only terms of these sources; ties between concepts\n"
	       "sharing a term go to preferred names, then to the\n"
	       "sources in this order", SETTING, .def = "all"),
	P_LIST("prefer-tui", E(dict.prefer), "LIST",
	       "semantic types, by TUI or name, each with its\n"
	       "descendants, that win when a string names several\n"
	       "concepts and the report does not decide", SETTING, .alias = "prefer-sty",
	       .def = "none"),
	P_PATH("term-rules", E(dict.term_rules), "FILE",
	       "word lists: never a concept alone (function words,\n"
	       "units, numerals, generic head words), and modifiers", SETTING | PARAM_FILE,
	       .def = "built in: data/lexicon/term_rules.tsv"),
	P_PATH("lexicon", E(lexicon), "FILE", "context triggers", SETTING | PARAM_FILE,
	       .def = "built in: data/context_lexicon.tsv"),
	P_STR("source", E(source), "NAME", "source label of the reports", SETTING,
	      .def = "each input's name"),
	P_CUSTOM("shard", 0, parse_shard, format_shard, "I/N",
		 "read the I-th of N equal byte ranges of the inputs (1..N; README)", PARAM_CLI),
	P_SIZE("batch", E(batch), 1, 1e9, "N", "reports per transaction", PARAM_CLI | PARAM_CONF),
	P_SIZE("max-bytes", E(rd.max_bytes), 1, 1e12, "N", "longest report accepted", SETTING),
	P_BOOL("lenient", E(rd.lenient), "skip bad reports and malformed files (counted)", SETTING),
};

static void defaults(void *p)
{
	struct extract_options *o = p;
	memset(o, 0, sizeof(*o));
	o->batch = 1000;
	o->rd.max_bytes = 1 << 20;
}

const struct param_table extract_param_table = { "reports", rows, ARRAY_SIZE(rows),
						 sizeof(struct extract_options), defaults };
