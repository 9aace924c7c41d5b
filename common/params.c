#define _POSIX_C_SOURCE 200809L
#include "params.h"
#include "number.h"
#include "util.h"
#include "strlist.h"

#include <jansson.h>
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

/* getopt_long's value of row i of group g: above every character and
 * above the front ends' own option values (256 and up). */
#define OPT_BASE 0x10000
#define OPT_VAL(g, i) (OPT_BASE + (int)(g) * 64 + (int)(i))

/* a name in both spellings: "min-count" matches "min_count" */
static int same_name(const char *a, const char *b)
{
	for (; *a && *b; a++, b++)
		if (*a != *b && !((*a == '-' || *a == '_') && (*b == '-' || *b == '_')))
			return 0;
	return !*a && !*b;
}

const struct param *params_find(const struct param_table *t, const char *name)
{
	for (size_t i = 0; i < t->n; i++)
		if (same_name(t->v[i].name, name))
			return &t->v[i];
	return NULL;
}

const char *param_key(const struct param *p, char *out, size_t n)
{
	const char *name = p->key ? p->key : p->name;
	size_t i = 0;
	for (; name[i] && i + 1 < n; i++)
		out[i] = name[i] == '-' ? '_' : name[i];
	out[i] = 0;
	return out;
}

const struct param *params_find_key(const struct param_table *t, const char *key)
{
	char name[64];
	for (size_t i = 0; i < t->n; i++)
		if (!strcmp(param_key(&t->v[i], name, sizeof name), key))
			return &t->v[i];
	return NULL;
}

void *param_field(const struct param *p, void *opts)
{
	return (char *)opts + p->offset;
}

static const void *cfield(const struct param *p, const void *opts)
{
	return (const char *)opts + p->offset;
}

static int is_whole(const struct param *p)
{
	return p->type == PARAM_INT || p->type == PARAM_I64 || p->type == PARAM_U64 ||
	       p->type == PARAM_SIZE;
}

static int is_number(const struct param *p)
{
	return is_whole(p) || p->type == PARAM_FLOAT || p->type == PARAM_DOUBLE;
}

static void add_bound(struct buf *why, int whole, double x)
{
	if (whole)
		buf_addf(why, "%.0f", x);
	else
		buf_addf(why, "%g", x);
}

/* "a whole number from 1 to 65536", "a number above 0" */
static void range_phrase(const struct param *p, struct buf *why)
{
	int whole = is_whole(p), open = !!(p->flags & PARAM_GT);
	buf_adds(why, whole ? "a whole number " : "a number ");
	if (p->hi >= 1e300) {
		buf_adds(why, open ? "above " : "of at least ");
		add_bound(why, whole, p->lo);
		return;
	}
	buf_adds(why, open ? "above " : "from ");
	add_bound(why, whole, p->lo);
	buf_adds(why, open ? ", up to " : " to ");
	add_bound(why, whole, p->hi);
}

static int in_range(const struct param *p, double x)
{
	if (!isfinite(x) || x > p->hi)
		return 0;
	return (p->flags & PARAM_GT) ? x > p->lo : x >= p->lo;
}

static void choices_phrase(const struct param *p, struct buf *why)
{
	buf_adds(why, "is one of ");
	for (const struct param_choice *c = p->choices; c->name; c++)
		buf_addf(why, "%s%s", c == p->choices ? "" : ", ", c->name);
}

static int parse_bool(const char *v, int *out)
{
	static const char *const yes[] = { "yes", "true", "on", "1" };
	static const char *const no[] = { "no", "false", "off", "0" };
	for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
		if (!strcasecmp(v, yes[i]))
			return *out = 1, 0;
		if (!strcasecmp(v, no[i]))
			return *out = 0, 0;
	}
	return -1;
}

/* A whole number, exactly (seeds go beyond a double's 53 bits). */
static int parse_whole(const struct param *p, const char *v, void *field)
{
	if (p->type == PARAM_U64 || p->type == PARAM_SIZE) {
		uint64_t x;
		if (parse_u64(v, UINT64_MAX, &x) < 0 || !in_range(p, (double)x))
			return -1;
		if (p->type == PARAM_U64)
			*(uint64_t *)field = x;
		else
			*(size_t *)field = (size_t)x;
		return 0;
	}
	int64_t x;
	if (parse_i64(v, INT64_MIN, INT64_MAX, &x) < 0 || !in_range(p, (double)x))
		return -1;
	if (p->type == PARAM_INT)
		*(int *)field = (int)x;
	else
		*(int64_t *)field = x;
	return 0;
}

static int parse_real(const struct param *p, const char *v, void *field)
{
	double x;
	if (parse_f64(v, -HUGE_VAL, HUGE_VAL, &x) < 0 || !in_range(p, x))
		return -1;
	if (p->type == PARAM_FLOAT) {
		if (!isfinite((float)x))
			return -1;
		*(float *)field = (float)x;
	} else {
		*(double *)field = x;
	}
	return 0;
}

static char **list_add(const struct param *p, char **list, const char *value)
{
	size_t from = strlist_len(list);
	list = strlist_add_csv(list, value);
	if (p->flags & PARAM_LOWER)
		for (size_t i = from; list && list[i]; i++)
			for (char *c = list[i]; *c; c++)
				if (*c >= 'A' && *c <= 'Z')
					*c = (char)(*c - 'A' + 'a');
	return list;
}

int param_set(const struct param *p, void *opts, const char *value, struct buf *why)
{
	void *field = param_field(p, opts);
	int rc = 0;
	switch (p->type) {
	case PARAM_BOOL:
		if (parse_bool(value, (int *)field) < 0) {
			buf_addf(why, "is yes or no, not '%s'", value);
			return -1;
		}
		break;
	case PARAM_INT:
	case PARAM_I64:
	case PARAM_U64:
	case PARAM_SIZE:
	case PARAM_FLOAT:
	case PARAM_DOUBLE:
		rc = is_whole(p) ? parse_whole(p, value, field) : parse_real(p, value, field);
		if (rc < 0) {
			buf_adds(why, "needs ");
			range_phrase(p, why);
			buf_addf(why, ", not '%s'", value);
			return -1;
		}
		break;
	case PARAM_ENUM: {
		const struct param_choice *c = p->choices;
		while (c->name && strcmp(c->name, value))
			c++;
		if (!c->name) {
			choices_phrase(p, why);
			buf_addf(why, ", not '%s'", value);
			return -1;
		}
		*(int *)field = c->value;
		break;
	}
	case PARAM_STR:
	case PARAM_PATH:
		if (!*value) {
			buf_adds(why, "needs a value");
			return -1;
		}
		free(*(char **)field);
		*(char **)field = xstrdup(value);
		break;
	case PARAM_LIST: {
		char ***list = field;
		size_t before = strlist_len(*list);
		*list = list_add(p, *list, value);
		if (strlist_len(*list) == before) {
			buf_adds(why, "needs a comma separated list");
			return -1;
		}
		break;
	}
	case PARAM_CUSTOM:
		return p->parse(value, field, why);
	}
	if (p->parse)
		return p->parse(value, field, why);
	return 0;
}

void param_clear(const struct param *p, void *opts)
{
	void *field = param_field(p, opts);
	if (p->type == PARAM_STR || p->type == PARAM_PATH) {
		free(*(char **)field);
		*(char **)field = NULL;
	} else if (p->type == PARAM_LIST) {
		strlist_free(*(char ***)field);
		*(char ***)field = NULL;
	}
}

void param_format(const struct param *p, const void *opts, struct buf *out)
{
	const void *field = cfield(p, opts);
	switch (p->type) {
	case PARAM_BOOL:
		buf_adds(out, *(const int *)field ? "yes" : "no");
		break;
	case PARAM_INT:
		buf_addf(out, "%d", *(const int *)field);
		break;
	case PARAM_I64:
		buf_addf(out, "%lld", (long long)*(const int64_t *)field);
		break;
	case PARAM_U64:
		buf_addf(out, "%llu", (unsigned long long)*(const uint64_t *)field);
		break;
	case PARAM_SIZE:
		buf_addf(out, "%zu", *(const size_t *)field);
		break;
	case PARAM_FLOAT:
		buf_addf(out, "%g", (double)*(const float *)field);
		break;
	case PARAM_DOUBLE:
		buf_addf(out, "%g", *(const double *)field);
		break;
	case PARAM_ENUM: {
		int v = *(const int *)field;
		const struct param_choice *c = p->choices;
		while (c->name && c->value != v)
			c++;
		if (c->name)
			buf_adds(out, c->name);
		else
			buf_addf(out, "%d", v);
		break;
	}
	case PARAM_STR:
	case PARAM_PATH: {
		const char *s = *(char *const *)field;
		buf_adds(out, s ? s : "");
		break;
	}
	case PARAM_LIST: {
		char *const *list = *(char **const *)field;
		for (size_t i = 0; list && list[i]; i++)
			buf_addf(out, "%s%s", i ? "," : "", list[i]);
		break;
	}
	case PARAM_CUSTOM:
		p->format(field, out);
		break;
	}
}

/* The value of a number field as a double. */
static double number_of(const struct param *p, const void *field)
{
	switch (p->type) {
	case PARAM_INT: return *(const int *)field;
	case PARAM_I64: return (double)*(const int64_t *)field;
	case PARAM_U64: return (double)*(const uint64_t *)field;
	case PARAM_SIZE: return (double)*(const size_t *)field;
	case PARAM_FLOAT: return *(const float *)field;
	default: return *(const double *)field;
	}
}

int params_check(const struct param_table *t, const void *opts)
{
	for (size_t i = 0; i < t->n; i++) {
		const struct param *p = &t->v[i];
		const void *field = cfield(p, opts);
		struct buf why = BUF_INIT, val = BUF_INIT;
		int bad = 0;
		if (is_number(p) && !in_range(p, number_of(p, field))) {
			param_format(p, opts, &val);
			buf_adds(&why, "needs ");
			range_phrase(p, &why);
			buf_addf(&why, ", not %s", buf_str(&val));
			bad = 1;
		} else if (p->type == PARAM_ENUM) {
			const struct param_choice *c = p->choices;
			while (c->name && c->value != *(const int *)field)
				c++;
			if (!c->name) {
				choices_phrase(p, &why);
				buf_addf(&why, ", not %d", *(const int *)field);
				bad = 1;
			}
		}
		if (bad) {
			char name[64];
			error("%s setting '%s' %s", t->stage, param_key(p, name, sizeof name),
			      buf_str(&why));
		}
		buf_release(&why);
		buf_release(&val);
		if (bad)
			return -1;
	}
	return 0;
}

static void json_value(const struct param *p, const void *opts, struct buf *out)
{
	const void *field = cfield(p, opts);
	struct buf v = BUF_INIT;
	switch (p->type) {
	case PARAM_BOOL:
		buf_adds(out, *(const int *)field ? "true" : "false");
		break;
	case PARAM_INT:
	case PARAM_I64:
	case PARAM_U64:
	case PARAM_SIZE:
	case PARAM_FLOAT:
	case PARAM_DOUBLE:
		param_format(p, opts, out);
		break;
	case PARAM_STR:
	case PARAM_PATH:
		if (!*(char *const *)field) {
			buf_adds(out, "null");
			break;
		}
		/* fall through */
	case PARAM_ENUM:
	case PARAM_CUSTOM:
		param_format(p, opts, &v);
		buf_add_json_str(out, buf_str(&v), v.len);
		break;
	case PARAM_LIST: {
		char *const *list = *(char **const *)field;
		if (!list) {
			buf_adds(out, "null");
			break;
		}
		buf_addc(out, '[');
		for (size_t i = 0; list[i]; i++) {
			if (i)
				buf_adds(out, ", ");
			buf_add_json_str(out, list[i], strlen(list[i]));
		}
		buf_addc(out, ']');
		break;
	}
	}
	buf_release(&v);
}

void params_json(const struct param_table *t, const void *opts, unsigned flag, struct buf *out)
{
	int first = 1;
	for (size_t i = 0; i < t->n; i++) {
		const struct param *p = &t->v[i];
		if (!(p->flags & flag))
			continue;
		char name[64];
		buf_addf(out, "%s\"%s\": ", first ? "" : ", ", param_key(p, name, sizeof name));
		json_value(p, opts, out);
		first = 0;
	}
}

/* A JSON value as the text a configuration would give. @return 0, 1 for
 * null (clear the field), -1 for a kind no row takes. */
static int json_text(json_t *v, struct buf *out)
{
	switch (json_typeof(v)) {
	case JSON_TRUE: buf_adds(out, "yes"); return 0;
	case JSON_FALSE: buf_adds(out, "no"); return 0;
	case JSON_INTEGER: buf_addf(out, "%lld", (long long)json_integer_value(v)); return 0;
	case JSON_REAL: buf_addf(out, "%.17g", json_real_value(v)); return 0;
	case JSON_STRING: buf_add(out, json_string_value(v), json_string_length(v)); return 0;
	case JSON_NULL: return 1;
	case JSON_ARRAY:
		for (size_t i = 0; i < json_array_size(v); i++) {
			json_t *s = json_array_get(v, i);
			if (!json_is_string(s))
				return -1;
			buf_addf(out, "%s%s", i ? "," : "", json_string_value(s));
		}
		return 0;
	default:
		return -1;
	}
}

int params_from_json(const struct param_table *t, void *opts, unsigned flag, uint64_t keep,
		     const char *json)
{
	json_error_t jerr;
	json_t *root = json_loads(json, 0, &jerr);
	if (!root || !json_is_object(root)) {
		json_decref(root);
		return error("%s parameters: not a JSON object (%s)", t->stage,
			     root ? "another value" : jerr.text);
	}
	int rc = 0;
	for (size_t i = 0; i < t->n && rc == 0; i++) {
		const struct param *p = &t->v[i];
		char name[64];
		json_t *v = json_object_get(root, param_key(p, name, sizeof name));
		if (!(p->flags & flag) || !v || (keep & (1ull << i)))
			continue;
		struct buf text = BUF_INIT, why = BUF_INIT;
		int kind = json_text(v, &text);
		if (kind < 0) {
			rc = error("%s parameters: '%s' has a value of the wrong kind", t->stage, name);
		} else if (kind == 1 || p->type == PARAM_LIST) {
			param_clear(p, opts);
		}
		if (rc == 0 && kind == 0 && (p->type != PARAM_LIST || text.len) &&
		    param_set(p, opts, buf_str(&text), &why) < 0)
			rc = error("%s parameters: '%s' %s", t->stage, name, buf_str(&why));
		buf_release(&text);
		buf_release(&why);
	}
	json_decref(root);
	return rc;
}

int params_key(const struct param_table *t, const void *opts, struct buf *out,
	       int (*path_line)(struct buf *out, const char *name, const char *path))
{
	for (size_t i = 0; i < t->n; i++) {
		const struct param *p = &t->v[i];
		if (!(p->flags & PARAM_KEY))
			continue;
		char name[64];
		param_key(p, name, sizeof name);
		if (p->type == PARAM_PATH || (p->type == PARAM_LIST && (p->flags & PARAM_PATHS))) {
			char *one[2] = { NULL, NULL };
			char *const *paths = p->type == PARAM_LIST ? *(char **const *)cfield(p, opts) : one;
			one[0] = *(char *const *)cfield(p, opts);
			if (!paths || !paths[0] || !path_line)
				buf_addf(out, "%s none\n", name);
			for (size_t k = 0; path_line && paths && paths[k]; k++) {
				int rc = path_line(out, name, paths[k]);
				if (rc < 0)
					return rc;
			}
			continue;
		}
		buf_addf(out, "%s ", name);
		size_t at = out->len;
		param_format(p, opts, out);
		if (out->len == at)
			buf_adds(out, p->def && *p->def ? p->def : "none");
		buf_addc(out, '\n');
	}
	return 0;
}

void params_copy(const struct param_table *t, void *dst, const void *src)
{
	memcpy(dst, src, t->size);
	for (size_t i = 0; i < t->n; i++) {
		const struct param *p = &t->v[i];
		void *field = param_field(p, dst);
		if ((p->type == PARAM_STR || p->type == PARAM_PATH) && *(char **)field) {
			*(char **)field = xstrdup(*(char **)field);
		} else if (p->type == PARAM_LIST && *(char ***)field) {
			char **from = *(char ***)field, **to = NULL;
			for (size_t k = 0; from[k]; k++)
				to = strlist_add(to, from[k]);
			*(char ***)field = to;
		}
	}
}

void params_release(const struct param_table *t, void *opts)
{
	for (size_t i = 0; i < t->n; i++)
		param_clear(&t->v[i], opts);
}

/* ------------------------------------------------------------ command line */

struct option *params_longopts(const struct param_group *g, size_t ng, const struct option *extra)
{
	size_t n_extra = 0, n = 0;
	while (extra && extra[n_extra].name)
		n_extra++;
	for (size_t k = 0; k < ng; k++)
		for (size_t i = 0; i < g[k].t->n; i++)
			if (g[k].t->v[i].flags & PARAM_CLI)
				n += g[k].t->v[i].alias ? 2 : 1;
	struct option *o = xcalloc(n_extra + n + 1, sizeof(*o));
	if (n_extra)
		memcpy(o, extra, n_extra * sizeof(*o));
	size_t at = n_extra;
	for (size_t k = 0; k < ng; k++)
		for (size_t i = 0; i < g[k].t->n; i++) {
			const struct param *p = &g[k].t->v[i];
			if (!(p->flags & PARAM_CLI))
				continue;
			int has_arg = p->arg ? required_argument : no_argument;
			o[at++] = (struct option){ p->name, has_arg, NULL, OPT_VAL(k, i) };
			if (p->alias)
				o[at++] = (struct option){ p->alias, has_arg, NULL, OPT_VAL(k, i) };
		}
	return o;
}

int params_option(struct param_group *g, size_t ng, int c, const char *optarg, struct buf *why)
{
	if (c < OPT_BASE)
		return 0;
	size_t k = (size_t)(c - OPT_BASE) / 64, i = (size_t)(c - OPT_BASE) % 64;
	if (k >= ng || i >= g[k].t->n)
		return 0;
	const struct param *p = &g[k].t->v[i];
	if (!p->arg) {
		/* a flag (a boolean row without a value's name) */
		*(int *)param_field(p, g[k].opts) = 1;
	} else {
		if (p->type == PARAM_LIST && !(g[k].given & (1ull << i)))
			param_clear(p, g[k].opts);
		struct buf w = BUF_INIT;
		if (param_set(p, g[k].opts, optarg, &w) < 0) {
			buf_addf(why, "--%s %s", p->name, buf_str(&w));
			buf_release(&w);
			return -1;
		}
		buf_release(&w);
	}
	g[k].given |= 1ull << i;
	return 1;
}

int params_given(const struct param_group *g, const char *name)
{
	const struct param *p = params_find(g->t, name);
	return p && (g->given & (1ull << (size_t)(p - g->t->v)));
}

/* The help text, its later lines indented to the help column. */
static void add_help(struct buf *out, const char *help, const char *def)
{
	for (const char *s = help; *s; s++) {
		buf_addc(out, *s);
		if (*s == '\n')
			buf_adds(out, "                        ");
	}
	if (def && *def)
		buf_addf(out, " (%s)", def);
	buf_addc(out, '\n');
}

void params_usage(struct buf *out, const struct param_group *g, size_t ng)
{
	for (size_t k = 0; k < ng; k++) {
		const struct param_table *t = g[k].t;
		void *defaults = xcalloc(1, t->size);
		if (t->defaults)
			t->defaults(defaults);
		if (g[k].title)
			buf_addf(out, "\n%s:\n", g[k].title);
		for (size_t i = 0; i < t->n; i++) {
			const struct param *p = &t->v[i];
			if (!(p->flags & PARAM_CLI))
				continue;
			size_t at = out->len;
			buf_addf(out, "  --%s", p->name);
			if (p->alias)
				buf_addf(out, ", --%s", p->alias);
			if (p->arg)
				buf_addf(out, " %s", p->arg);
			if (out->len - at < 23)
				buf_addf(out, "%*s", (int)(24 - (out->len - at)), "");
			else
				buf_adds(out, "\n                        ");
			struct buf def = BUF_INIT;
			if (p->def)
				buf_adds(&def, p->def);
			else if (p->arg)
				param_format(p, defaults, &def);
			add_help(out, p->help, buf_str(&def));
			buf_release(&def);
		}
		params_release(t, defaults);
		free(defaults);
	}
}
