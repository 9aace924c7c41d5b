/* params: parameter tables — parsing, bounds, formatting, JSON, stage keys,
 * command-line options and usage, derived from one table. */
#define _POSIX_C_SOURCE 200809L
#include "testhelp.h"
#include "tests.h"
#include "../common/buf.h"
#include "../common/params.h"
#include "../common/strlist.h"
#include "../common/util.h"
#include "../embed/embed_params.h"

#include <getopt.h>
#include <math.h>
#include <stddef.h>
#include <stdlib.h>

struct toy {
	int flag, n, choice;
	int64_t big;
	uint64_t seed;
	size_t size;
	float rate;
	double frac;
	char *name, *path;
	char **list;
};

#define T(f) offsetof(struct toy, f)
static const struct param_choice colours[] = { { "red", 1 }, { "green", 2 }, { NULL, 0 } };

static const struct param toy_rows[] = {
	P_BOOL("flag", T(flag), "a flag", PARAM_ALL),
	P_INT("n", T(n), 1, 10, "N", "a count", PARAM_ALL),
	P_ENUM("colour", T(choice), colours, "red|green", "a choice", PARAM_ALL),
	P_I64("big", T(big), -5, 9e18, "N", "a large number", PARAM_ALL),
	P_U64("seed", T(seed), 0, 9.2e18, "N", "a seed", PARAM_ALL),
	P_SIZE("size", T(size), 1, 1e12, "N", "a size", PARAM_CLI | PARAM_CONF),
	P_FLOAT("rate", T(rate), 0, 2, "X", "a rate\nabove zero", PARAM_ALL | PARAM_GT),
	P_DOUBLE("frac", T(frac), 0, 0.5, "F", "a fraction", PARAM_ALL),
	P_STR("name", T(name), "NAME", "a name", PARAM_ALL, .def = "none given"),
	P_PATH("in-file", T(path), "FILE", "a path", PARAM_ALL | PARAM_FILE, .key = "infile"),
	P_LIST("items", T(list), "LIST", "a list", PARAM_ALL | PARAM_LOWER, .alias = "item"),
};

static void toy_defaults(void *p)
{
	struct toy *t = p;
	memset(t, 0, sizeof(*t));
	t->n = 3;
	t->choice = 1;
	t->rate = 0.5f;
	t->size = 7;
	t->list = strlist_parse("a,b");
}

static const struct param_table toy = { "toy", toy_rows, ARRAY_SIZE(toy_rows), sizeof(struct toy),
					toy_defaults };

static void set_cases(void)
{
	static const struct {
		const char *id, *name, *value, *want; /* want: the formatted value, or the reason */
		int ok;
	} cases[] = {
		{ "params-1.1", "flag", "yes", "yes", 1 },
		{ "params-1.2", "flag", "OFF", "no", 1 },
		{ "params-1.3", "flag", "perhaps", "is yes or no, not 'perhaps'", 0 },
		{ "params-1.4", "n", "10", "10", 1 },
		{ "params-1.5", "n", "11", "needs a whole number from 1 to 10, not '11'", 0 },
		{ "params-1.6", "n", "2.5", "needs a whole number from 1 to 10, not '2.5'", 0 },
		{ "params-1.7", "n", "", "needs a whole number", 0 },
		{ "params-1.8", "colour", "green", "green", 1 },
		{ "params-1.9", "colour", "blue", "is one of red, green, not 'blue'", 0 },
		{ "params-1.10", "big", "-5", "-5", 1 },
		/* seeds are exact beyond a double's 53 bits */
		{ "params-1.11", "seed", "9000000000000000001", "9000000000000000001", 1 },
		{ "params-1.12", "seed", "-1", "needs a whole number", 0 },
		{ "params-1.13", "rate", "0", "needs a number above 0, up to 2, not '0'", 0 },
		{ "params-1.14", "rate", "1.5", "1.5", 1 },
		{ "params-1.15", "rate", "nan", "needs a number above 0", 0 },
		{ "params-1.16", "frac", "0.5", "0.5", 1 },
		{ "params-1.17", "frac", "0.6", "needs a number from 0 to 0.5, not '0.6'", 0 },
		{ "params-1.18", "name", "x y", "x y", 1 },
		{ "params-1.19", "name", "", "needs a value", 0 },
		{ "params-1.20", "items", "C, D", "a,b,c,d", 1 }, /* appends, lower-cased */
		{ "params-1.21", "items", " , ", "needs a comma separated list", 0 },
		{ "params-1.22", "size", "0", "needs a whole number from 1 to 1000000000000, not '0'", 0 },
	};
	for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
		struct toy t;
		toy_defaults(&t);
		const struct param *p = params_find(&toy, cases[i].name);
		struct buf why = BUF_INIT, got = BUF_INIT;
		int rc = param_set(p, &t, cases[i].value, &why);
		if (cases[i].ok) {
			param_format(p, &t, &got);
			CHECK_INT(test_id("%s.rc", cases[i].id), rc, 0);
			CHECK_STR(cases[i].id, buf_str(&got), cases[i].want);
		} else {
			CHECK_INT(test_id("%s.rc", cases[i].id), rc, -1);
			CHECK(cases[i].id, strstr(buf_str(&why), cases[i].want) != NULL);
			if (!strstr(buf_str(&why), cases[i].want))
				fprintf(stderr, "    reason \"%s\", want \"%s\"\n", buf_str(&why),
					cases[i].want);
		}
		buf_release(&why);
		buf_release(&got);
		params_release(&toy, &t);
	}
}

static void names_and_checks(void)
{
	char key[64];
	CHECK("params-2.1", params_find(&toy, "in_file") == &toy_rows[9]);
	CHECK_STR("params-2.2", param_key(&toy_rows[9], key, sizeof key), "infile");
	CHECK("params-2.3", params_find_key(&toy, "infile") == &toy_rows[9]);
	CHECK("params-2.4", params_find_key(&toy, "in_file") == NULL);
	CHECK("params-2.5", params_find(&toy, "nothing") == NULL);

	struct toy t;
	toy_defaults(&t);
	CHECK_INT("params-2.6", params_check(&toy, &t), 0);
	t.frac = 0.7;
	last_error_reset();
	CHECK_INT("params-2.7", params_check(&toy, &t), -1);
	CHECK_STR("params-2.8", last_error(),
		  "toy setting 'frac' needs a number from 0 to 0.5, not 0.7");
	t.frac = 0;
	t.choice = 9;
	CHECK_INT("params-2.9", params_check(&toy, &t), -1);
	CHECK_STR("params-2.10", last_error(), "toy setting 'colour' is one of red, green, not 9");
	params_release(&toy, &t);
}

static int fake_fingerprint(struct buf *out, const char *name, const char *path)
{
	buf_addf(out, "%s fingerprint of %s\n", name, path);
	return 0;
}

static void json_and_key(void)
{
	struct toy a, b;
	toy_defaults(&a);
	toy_defaults(&b);
	struct buf why = BUF_INIT;
	param_set(params_find(&toy, "name"), &a, "he said \"hi\"", &why);
	param_set(params_find(&toy, "seed"), &a, "9000000000000000001", &why);
	param_set(params_find(&toy, "flag"), &a, "yes", &why);
	param_set(params_find(&toy, "colour"), &a, "green", &why);
	a.frac = 0.125;
	a.big = -3;
	struct buf j = BUF_INIT;
	buf_addc(&j, '{');
	params_json(&toy, &a, PARAM_JSON, &j);
	buf_addc(&j, '}');
	CHECK_STR("params-3.1", buf_str(&j),
		  "{\"flag\": true, \"n\": 3, \"colour\": \"green\", \"big\": -3, "
		  "\"seed\": 9000000000000000001, \"rate\": 0.5, \"frac\": 0.125, "
		  "\"name\": \"he said \\\"hi\\\"\", \"infile\": null, \"items\": [\"a\", \"b\"]}");
	/* and back (jansson refuses integers past INT64_MAX: no seed here) */
	CHECK_INT("params-3.2",
		  params_from_json(&toy, &b, PARAM_JSON, 0,
				   "{\"flag\": true, \"n\": 3, \"colour\": \"green\", \"big\": -3,"
				   " \"rate\": 0.5, \"frac\": 0.125, \"name\": \"he said \\\"hi\\\"\","
				   " \"items\": [\"x\"], \"size\": 99}"),
		  0);
	CHECK("params-3.3", b.flag == 1 && b.n == 3 && b.choice == 2 && b.big == -3 &&
				    b.frac == 0.125 && !strcmp(b.name, a.name));
	CHECK("params-3.4", strlist_len(b.list) == 1 && !strcmp(b.list[0], "x"));
	CHECK_INT("params-3.5", (long long)b.size, 7); /* size is not a JSON row */
	last_error_reset();
	CHECK_INT("params-3.6", params_from_json(&toy, &b, PARAM_JSON, 0, "{\"n\": 12}"), -1);
	CHECK_STR("params-3.7", last_error(),
		  "toy parameters: 'n' needs a whole number from 1 to 10, not '12'");
	CHECK_INT("params-3.8", params_from_json(&toy, &b, PARAM_JSON, 0, "[1]"), -1);
	CHECK_INT("params-3.9", params_from_json(&toy, &b, PARAM_JSON, 0, "{\"n\": [1]}"), -1);

	struct buf k = BUF_INIT;
	CHECK_INT("params-3.10", params_key(&toy, &a, &k, fake_fingerprint), 0);
	CHECK_STR("params-3.11", buf_str(&k),
		  "flag yes\nn 3\ncolour green\nbig -3\nseed 9000000000000000001\nrate 0.5\n"
		  "frac 0.125\nname he said \"hi\"\ninfile none\nitems a,b\n");
	buf_reset(&k);
	param_set(params_find(&toy, "in-file"), &a, "/x/y", &why);
	params_key(&toy, &a, &k, fake_fingerprint);
	CHECK("params-3.12", strstr(buf_str(&k), "\ninfile fingerprint of /x/y\n") != NULL);
	buf_release(&k);
	buf_release(&j);
	buf_release(&why);
	params_release(&toy, &a);
	params_release(&toy, &b);
}

static void command_line(void)
{
	struct toy t;
	toy_defaults(&t);
	struct param_group g = { "toys", &toy, &t, 0 };
	static const struct option extra[] = { { "help", no_argument, NULL, 'h' }, { 0, 0, 0, 0 } };
	struct option *o = params_longopts(&g, 1, extra);
	size_t n = 0;
	while (o[n].name)
		n++;
	CHECK_INT("params-4.1", n, 1 + ARRAY_SIZE(toy_rows) + 1); /* + the alias */
	char *argv[] = { "medkg", "--flag", "--n", "4", "--item", "X", "--items", "y",
			 "--colour=green", "rest", NULL };
	int argc = 10, c, handled = 0, bad = 0;
	optind = 1;
	struct buf why = BUF_INIT;
	while ((c = getopt_long(argc, argv, "h", o, NULL)) != -1) {
		int r = params_option(&g, 1, c, optarg, &why);
		handled += r == 1;
		bad += r < 0;
	}
	CHECK_INT("params-4.2", handled, 5);
	CHECK_INT("params-4.3", bad, 0);
	CHECK_INT("params-4.4", optind, 9);
	/* a list given replaces its default, then appends */
	CHECK("params-4.5", t.flag == 1 && t.n == 4 && t.choice == 2 && strlist_len(t.list) == 2 &&
				    !strcmp(t.list[0], "x") && !strcmp(t.list[1], "y"));
	CHECK_INT("params-4.6", params_given(&g, "n"), 1);
	CHECK_INT("params-4.7", params_given(&g, "rate"), 0);
	char *argv2[] = { "medkg", "--n", "0", NULL };
	optind = 1;
	c = getopt_long(3, argv2, "h", o, NULL);
	CHECK_INT("params-4.8", params_option(&g, 1, c, optarg, &why), -1);
	CHECK_STR("params-4.9", buf_str(&why), "--n needs a whole number from 1 to 10, not '0'");
	CHECK_INT("params-4.10", params_option(&g, 1, 'h', NULL, &why), 0);
	free(o);

	struct buf u = BUF_INIT;
	params_usage(&u, &g, 1);
	CHECK("params-4.11", strstr(u.p, "\ntoys:\n") != NULL);
	CHECK("params-4.12", strstr(u.p, "  --n N                 a count (3)\n") != NULL);
	CHECK("params-4.13", strstr(u.p, "  --flag                a flag\n") != NULL);
	CHECK("params-4.14", strstr(u.p, "  --rate X              a rate\n"
					  "                        above zero (0.5)\n") != NULL);
	CHECK("params-4.15", strstr(u.p, "  --items, --item LIST  a list (a,b)\n") != NULL);
	CHECK("params-4.16", strstr(u.p, "  --name NAME           a name (none given)\n") != NULL);
	buf_release(&u);
	buf_release(&why);
	params_release(&toy, &t);
}

/* The embed stage's table: the defaults pass their own check, and every
 * row's default survives format then parse (the key lines are faithful). */
static void stage_tables(void)
{
	struct transe_params p, q;
	transe_params_default(&p);
	CHECK_INT("params-5.1", transe_params_check(&p), 0);
	memset(&q, 0xff, sizeof q);
	struct buf v = BUF_INIT, why = BUF_INIT;
	int ok = 1;
	for (size_t i = 0; i < transe_param_table.n; i++) {
		const struct param *r = &transe_param_table.v[i];
		buf_reset(&v);
		param_format(r, &p, &v);
		ok &= param_set(r, &q, buf_str(&v), &why) == 0;
	}
	CHECK_INT("params-5.2", ok, 1);
	CHECK("params-5.3", q.dim == p.dim && q.norm == p.norm && q.margin == p.margin &&
				    q.lr == p.lr && q.seed == p.seed && q.bern == p.bern &&
				    q.entity_norm == p.entity_norm && q.nbatches == p.nbatches);
	buf_release(&v);
	buf_release(&why);
}

void test_params(void)
{
	set_cases();
	names_and_checks();
	json_and_key();
	command_line();
	stage_tables();
}
