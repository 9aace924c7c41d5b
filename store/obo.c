#define _POSIX_C_SOURCE 200809L
#include "obo.h"
#include "kbload.h"
#include "../common/arena.h"
#include "../common/normalize.h"
#include "../common/progress.h"
#include "../common/strmap.h"
#include "../common/util.h"
#include "../common/utf8.h"
#include "../common/zio.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define NONE ((size_t)-1)

static const char *const scope_names[OBO_SCOPES] = { "EXACT", "RELATED", "BROAD", "NARROW" };

enum kind { ST_HEADER, ST_TERM, ST_TYPEDEF, ST_OTHER };

/* One stanza as read; strings are offsets into text, each NUL terminated. */
struct synonym {
	size_t str;
	int scope;
	int abbreviation;
};
struct link {
	size_t type;         /* NONE for is_a */
	size_t target;
};
struct stanza {
	enum kind kind;
	size_t line;
	struct buf text;
	size_t id, name;
	int obsolete;
	size_t *alt;
	size_t n_alt, cap_alt;
	struct synonym *syn;
	size_t n_syn, cap_syn;
	struct link *links;
	size_t n_links, cap_links;
	size_t *xrefs;       /* normalized: UMLS:C0032285, MESH:D011014, as given otherwise */
	size_t n_xrefs, cap_xrefs;
};

/* A relation waiting for the whole file: its target may come later. */
struct pending {
	uint32_t head;
	const char *type;    /* NULL for is_a */
	const char *target;
};

struct loader {
	struct store *st;
	const char *path;
	const struct obo_options *opt;
	struct obo_stats *stats;
	struct kbload kb;
	struct lineio r;
	struct stanza s;

	char *ontology, *data_version;
	struct strmap term_ids;   /* id -> line of its stanza (duplicates) */
	struct strmap targets;    /* id or alt_id -> concept id */
	struct strmap typedefs;   /* typedef id -> index into typedef_names */
	const char **typedef_names;
	size_t n_typedefs, cap_typedefs;
	struct pending *pending;
	size_t n_pending, cap_pending;
	struct arena strings;
	uint8_t *seen;            /* by concept id: named in this load */
	size_t seen_cap;
	uint32_t source_id;

	struct buf norm, value;
	sqlite3_stmt *ins_xref;
	struct progress prog;

	/* the load's identity (kbload_identity) */
	struct buf params, key, release;
	char fphex[17];
};

static int bad_line(struct loader *l, size_t line, const char *fmt, ...) MK_PRINTF(3, 4);

/* A bad line or stanza: an error, or (lenient) a warning and a count.
 * @return 0 to go on (skipping it), -1 to stop. */
static int bad_line(struct loader *l, size_t line, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (!l->opt->lenient)
		return error("%s:%zu: %s", l->path, line, msg);
	if (l->stats->malformed++ < 5)
		warning("%s:%zu: %s (skipped)", l->path, line, msg);
	return 0;
}

/* ---------------------------------------------------------------- lines */

static int is_space(char c)
{
	return c == ' ' || c == '\t';
}

/* Remove the comment (from an unescaped '!' outside quotes) and a trailing
 * modifier block ("{source=...}") from a value, and surrounding blanks.
 * @return 0, or -1 when a quoted string is not closed. */
static int clean_value(char *v, size_t *len)
{
	size_t n = *len, brace = NONE;
	int quoted = 0;
	for (size_t i = 0; i < n; i++) {
		if (v[i] == '\\' && i + 1 < n) {
			i++;
		} else if (v[i] == '"') {
			quoted = !quoted;
		} else if (!quoted && v[i] == '!') {
			n = i;
			break;
		} else if (!quoted && v[i] == '{') {
			brace = i;
		}
	}
	if (quoted)
		return -1;
	while (n && is_space(v[n - 1]))
		n--;
	if (n && v[n - 1] == '}' && brace != NONE) {
		n = brace;
		while (n && is_space(v[n - 1]))
			n--;
	}
	v[n] = '\0';
	*len = n;
	return 0;
}

/* Append s[0..n) to out with OBO escapes resolved (\n, \t and \W become a
 * space; any other escaped character stands for itself). */
static void unescape(const char *s, size_t n, struct buf *out)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (c == '\\' && i + 1 < n) {
			c = s[++i];
			if (c == 'n' || c == 't' || c == 'W')
				c = ' ';
		}
		buf_addc(out, c);
	}
}

static size_t st_add(struct stanza *s, const char *p, size_t n)
{
	return buf_add_str0(&s->text, p, n);
}

static const char *st_str(const struct stanza *s, size_t off)
{
	return off == NONE ? NULL : s->text.p + off;
}

/* The first blank-separated token of v. */
static size_t token_len(const char *v)
{
	size_t n = 0;
	while (v[n] && !is_space(v[n]))
		n++;
	return n;
}

static int is_cui(const char *s, size_t n)
{
	if (n != 8 || s[0] != 'C')
		return 0;
	for (size_t i = 1; i < 8; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

/* A synonym value: "text" [SCOPE [TYPE]] [xrefs]. scope is -1 for the
 * "synonym" tag (read from the value), else fixed by an OBO 1.0 tag. */
static int parse_synonym(struct loader *l, size_t line, const char *v, int scope)
{
	struct stanza *s = &l->s;
	if (v[0] != '"')
		return bad_line(l, line, "synonym text must be quoted");
	size_t i = 1;
	while (v[i] && v[i] != '"')
		i += v[i] == '\\' && v[i + 1] ? 2 : 1;
	if (v[i] != '"')
		return bad_line(l, line, "unterminated quoted string");
	buf_reset(&l->value);
	unescape(v + 1, i - 1, &l->value);
	if (!l->value.len)
		return bad_line(l, line, "empty synonym");
	const char *rest = v + i + 1;
	while (is_space(*rest))
		rest++;
	int abbreviation = 0;
	if (scope < 0) {
		scope = OBO_RELATED; /* OBO 1.4: an omitted scope is RELATED */
		if (*rest && *rest != '[') {
			size_t n = token_len(rest);
			scope = -1;
			for (int k = 0; k < OBO_SCOPES; k++)
				if (strlen(scope_names[k]) == n && !strncmp(rest, scope_names[k], n))
					scope = k;
			if (scope < 0)
				return bad_line(l, line, "unknown synonym scope '%.*s' (EXACT, RELATED, "
						"BROAD or NARROW)", (int)n, rest);
			rest += n;
			while (is_space(*rest))
				rest++;
			if (*rest && *rest != '[') {
				n = token_len(rest);
				for (size_t k = 0; k + 6 <= n && !abbreviation; k++)
					abbreviation = !strncasecmp(rest + k, "abbrev", 6) ||
						       !strncasecmp(rest + k, "acronym", 7);
			}
		}
	}
	XGROW(s->syn, s->cap_syn, s->n_syn + 1);
	s->syn[s->n_syn++] = (struct synonym){ st_add(s, l->value.p, l->value.len), scope,
					       abbreviation };
	return 0;
}

static int parse_xref(struct loader *l, size_t line, const char *v)
{
	struct stanza *s = &l->s;
	size_t n = 0;
	while (v[n] && !is_space(v[n]) && v[n] != '"')
		n++;
	if (!n)
		return bad_line(l, line, "empty xref");
	const char *colon = memchr(v, ':', n);
	size_t pl = colon ? (size_t)(colon - v) : 0;
	buf_reset(&l->value);
	if (colon && ((pl == 4 && !strncasecmp(v, "UMLS", 4)) ||
		      (pl == 8 && !strncasecmp(v, "UMLS_CUI", 8)))) {
		if (!is_cui(colon + 1, n - pl - 1))
			return bad_line(l, line, "xref '%.*s' does not name a UMLS CUI", (int)n, v);
		buf_adds(&l->value, "UMLS:");
	} else if (colon && ((pl == 4 && !strncasecmp(v, "MESH", 4)) ||
			     (pl == 3 && !strncasecmp(v, "MSH", 3)))) {
		buf_adds(&l->value, "MESH:");
	} else {
		buf_add(&l->value, v, pl);
		if (colon)
			buf_addc(&l->value, ':');
	}
	if (colon)
		buf_add(&l->value, colon + 1, n - pl - 1);
	XGROW(s->xrefs, s->cap_xrefs, s->n_xrefs + 1);
	s->xrefs[s->n_xrefs++] = st_add(s, l->value.p, l->value.len);
	return 0;
}

/* One "tag: value" line of a stanza. @return 0 or -1. */
static int stanza_line(struct loader *l, char *line, size_t len)
{
	struct stanza *s = &l->s;
	size_t ln = l->r.lineno;
	char *colon = memchr(line, ':', len);
	size_t tl = colon ? (size_t)(colon - line) : 0;
	if (!colon || !tl || memchr(line, ' ', tl) || memchr(line, '\t', tl))
		return bad_line(l, ln, "expected 'tag: value'");
	char *v = colon + 1;
	size_t vl = len - tl - 1;
	while (vl && is_space(*v))
		v++, vl--;
	if (clean_value(v, &vl) < 0)
		return bad_line(l, ln, "unterminated quoted string");
	line[tl] = '\0';
	const char *tag = line;
	if (s->kind == ST_HEADER) {
		char **dst = !strcmp(tag, "ontology") ? &l->ontology
			     : !strcmp(tag, "data-version") ? &l->data_version : NULL;
		if (dst && !*dst)
			*dst = xstrdup(v);
		return 0;
	}
	if (s->kind == ST_OTHER)
		return 0;
	if (!strcmp(tag, "id")) {
		if (s->id != NONE)
			return bad_line(l, ln, "second id in one stanza");
		if (!vl || token_len(v) != vl)
			return bad_line(l, ln, "malformed id '%s'", v);
		s->id = st_add(s, v, vl);
	} else if (!strcmp(tag, "name")) {
		if (s->name != NONE)
			return bad_line(l, ln, "second name in one stanza");
		buf_reset(&l->value);
		unescape(v, vl, &l->value);
		if (!l->value.len)
			return bad_line(l, ln, "empty name");
		s->name = st_add(s, l->value.p, l->value.len);
	} else if (s->kind == ST_TYPEDEF) {
		return 0;
	} else if (!strcmp(tag, "synonym")) {
		return parse_synonym(l, ln, v, -1);
	} else if (!strcmp(tag, "exact_synonym")) {
		return parse_synonym(l, ln, v, OBO_EXACT);
	} else if (!strcmp(tag, "related_synonym")) {
		return parse_synonym(l, ln, v, OBO_RELATED);
	} else if (!strcmp(tag, "broad_synonym")) {
		return parse_synonym(l, ln, v, OBO_BROAD);
	} else if (!strcmp(tag, "narrow_synonym")) {
		return parse_synonym(l, ln, v, OBO_NARROW);
	} else if (!strcmp(tag, "is_a")) {
		size_t n = token_len(v);
		if (!n)
			return bad_line(l, ln, "is_a without a target");
		XGROW(s->links, s->cap_links, s->n_links + 1);
		s->links[s->n_links++] = (struct link){ NONE, st_add(s, v, n) };
	} else if (!strcmp(tag, "relationship")) {
		size_t n = token_len(v);
		const char *t = v + n;
		while (is_space(*t))
			t++;
		size_t m = token_len(t);
		if (!n || !m)
			return bad_line(l, ln, "relationship needs a type and a target");
		XGROW(s->links, s->cap_links, s->n_links + 1);
		size_t type = st_add(s, v, n);
		s->links[s->n_links++] = (struct link){ type, st_add(s, t, m) };
	} else if (!strcmp(tag, "xref")) {
		return parse_xref(l, ln, v);
	} else if (!strcmp(tag, "alt_id")) {
		if (!vl)
			return bad_line(l, ln, "empty alt_id");
		XGROW(s->alt, s->cap_alt, s->n_alt + 1);
		s->alt[s->n_alt++] = st_add(s, v, token_len(v));
	} else if (!strcmp(tag, "is_obsolete")) {
		s->obsolete = !strcmp(v, "true");
	}
	return 0;
}

/* ---------------------------------------------------------------- terms */

static int add_term(struct loader *l, uint32_t cid, const char *str, const char *tty,
		    int preferred, const char *scope, const char *code)
{
	size_t n = strlen(str);
	buf_reset(&l->norm);
	text_normalize(str, n, &l->norm);
	struct kbterm t = {
		.concept = cid, .source = l->source_id, .preferred = preferred,
		.str = str, .str_len = n, .norm = buf_str(&l->norm), .norm_len = l->norm.len,
		.tty = tty, .tty_len = strlen(tty), .code = code, .code_len = strlen(code),
		.scope = scope, .scope_len = strlen(scope),
	};
	return kbload_add_term(&l->kb, &t);
}

/* The identifier of the concept a term becomes: its first xref of the first
 * mapped kind, else its own id. */
static const char *concept_id(struct loader *l, int *mapped)
{
	const struct stanza *s = &l->s;
	*mapped = 0;
	for (size_t k = 0; l->opt->map && l->opt->map[k]; k++) {
		const char *prefix = !strcasecmp(l->opt->map[k], "umls") ? "UMLS:" : "MESH:";
		for (size_t i = 0; i < s->n_xrefs; i++) {
			const char *x = st_str(s, s->xrefs[i]);
			if (strncmp(x, prefix, 5))
				continue;
			/* only descriptors (D...) are concepts of 'load mesh' */
			if (prefix[0] == 'M' && (x[5] != 'D' || !x[6]))
				continue;
			*mapped = 1;
			return x + 5;
		}
	}
	return st_str(s, s->id);
}

static int mark_seen(struct loader *l, uint32_t cid)
{
	if (cid >= l->seen_cap) {
		size_t old = l->seen_cap;
		XGROW(l->seen, l->seen_cap, (size_t)cid + 1);
		memset(l->seen + old, 0, l->seen_cap - old);
	}
	int was = l->seen[cid];
	l->seen[cid] = 1;
	return was;
}

static int end_term(struct loader *l)
{
	struct stanza *s = &l->s;
	struct obo_stats *stats = l->stats;
	const char *id = st_str(s, s->id), *name = st_str(s, s->name);
	stats->terms_read++;
	if (!id)
		return bad_line(l, s->line, "[Term] without id");
	uint32_t line = (uint32_t)s->line, first;
	if (!strmap_put(&l->term_ids, id, strlen(id), &line)) {
		first = line;
		return bad_line(l, s->line, "term id %s appears twice (first at line %u)", id, first);
	}
	if (s->obsolete && !l->opt->keep_obsolete) {
		stats->obsolete++;
		return 0;
	}
	if (!name)
		return bad_line(l, s->line, "term %s without name", id);

	int mapped;
	const char *cui = concept_id(l, &mapped);
	char why[160];
	if (kb_check_id(mapped ? "mapped id" : "id", cui, strlen(cui), why, sizeof why) < 0 ||
	    kb_check_term("name", name, strlen(name), why, sizeof why) < 0)
		return bad_line(l, s->line, "%s of term %s", why, id);
	for (size_t i = 0; i < s->n_syn; i++) {
		const char *str = st_str(s, s->syn[i].str);
		if (kb_check_term("synonym", str, strlen(str), why, sizeof why) < 0)
			return bad_line(l, s->line, "%s of term %s", why, id);
	}
	uint32_t cid = kbload_concept(&l->kb, cui, strlen(cui));
	int again = mark_seen(l, cid);
	if (!again) {
		stats->concepts++;
		/* a mapped concept that exists keeps the name its owner gave it */
		/* kbload keeps the strings of new concepts until it flushes them */
		if ((cid >= l->kb.first_new_concept || !mapped) &&
		    kbload_write_concept(&l->kb, cid, arena_strdup(&l->strings, cui, strlen(cui)),
					 arena_strdup(&l->strings, name, strlen(name))) < 0)
			return -1;
	}
	stats->mapped += mapped;
	uint32_t v = cid;
	strmap_put(&l->targets, id, strlen(id), &v);
	for (size_t i = 0; i < s->n_alt; i++) {
		const char *a = st_str(s, s->alt[i]);
		v = cid;
		strmap_put(&l->targets, a, strlen(a), &v);
	}

	if (add_term(l, cid, name, "PT", !again, "", id) < 0)
		return -1;
	stats->names++;
	for (size_t i = 0; i < s->n_syn; i++) {
		const struct synonym *y = &s->syn[i];
		const char *str = st_str(s, y->str);
		int dup = !strcmp(str, name);
		for (size_t j = 0; j < i && !dup; j++)
			dup = !strcmp(str, st_str(s, s->syn[j].str));
		if (dup)
			continue;
		if (add_term(l, cid, str, y->abbreviation ? "AB" : "SY", 0, scope_names[y->scope],
			     id) < 0)
			return -1;
		stats->synonyms[y->scope]++;
	}
	for (size_t i = 0; i < s->n_xrefs; i++) {
		const char *x = st_str(s, s->xrefs[i]);
		sqlite3_bind_int64(l->ins_xref, 1, cid);
		sqlite3_bind_text(l->ins_xref, 2, x, -1, SQLITE_STATIC);
		sqlite3_bind_int64(l->ins_xref, 3, l->source_id);
		if (store_step_done(l->st, l->ins_xref) < 0)
			return -1;
		stats->xrefs += sqlite3_changes(l->st->db);
	}
	for (size_t i = 0; i < s->n_links; i++) {
		const struct link *k = &s->links[i];
		const char *type = st_str(s, k->type), *target = st_str(s, k->target);
		XGROW(l->pending, l->cap_pending, l->n_pending + 1);
		l->pending[l->n_pending++] = (struct pending){
			cid, type ? arena_strdup(&l->strings, type, strlen(type)) : NULL,
			arena_strdup(&l->strings, target, strlen(target))
		};
		if (type)
			stats->relationships++;
		else
			stats->is_a++;
	}
	return 0;
}

static int end_stanza(struct loader *l)
{
	struct stanza *s = &l->s;
	if (s->kind == ST_TERM)
		return end_term(l);
	if (s->kind == ST_TYPEDEF && s->id != NONE && s->name != NONE) {
		const char *id = st_str(s, s->id), *name = st_str(s, s->name);
		char why[160];
		if (kb_check_term("name", name, strlen(name), why, sizeof why) < 0)
			return bad_line(l, s->line, "%s of typedef %s", why, id);
		uint32_t idx = (uint32_t)l->n_typedefs;
		if (strmap_put(&l->typedefs, id, strlen(id), &idx)) {
			XGROW(l->typedef_names, l->cap_typedefs, l->n_typedefs + 1);
			l->typedef_names[l->n_typedefs++] = arena_strdup(&l->strings, name, strlen(name));
		}
	}
	return 0;
}

/* Start a stanza at a "[Name]" line. @return 0 or -1. */
static int begin_stanza(struct loader *l, const char *line, size_t len)
{
	struct stanza *s = &l->s;
	buf_reset(&s->text);
	s->line = l->r.lineno;
	s->id = s->name = NONE;
	s->obsolete = 0;
	s->n_alt = s->n_syn = s->n_links = s->n_xrefs = 0;
	while (len && is_space(line[len - 1]))
		len--;
	if (len < 3 || line[len - 1] != ']') {
		s->kind = ST_OTHER; /* lenient: ignore what follows until the next stanza */
		return bad_line(l, s->line, "malformed stanza header '%.*s'", (int)len, line);
	}
	l->stats->stanzas++;
	s->kind = len == 6 && !strncmp(line, "[Term]", 6)	   ? ST_TERM
		  : len == 9 && !strncmp(line, "[Typedef]", 9) ? ST_TYPEDEF
							       : ST_OTHER;
	return 0;
}

/* Read lines until the next stanza header (returned in *line) or the end.
 * @return 1 at a header, 0 at the end, -1 on error. */
static int read_stanza_body(struct loader *l, char **line, size_t *len)
{
	int got;
	while ((got = lineio_next(&l->r, line, len)) == 1) {
		l->stats->lines++;
		progress_update(&l->prog, l->r.lineno, l->r.z.raw_read);
		char *p = *line;
		size_t n = *len, bad;
		if (!utf8_valid(p, n, &bad)) {
			if (bad_line(l, l->r.lineno, "%s at byte %zu",
				     p[bad] == '\0' ? "NUL byte" : "invalid UTF-8", bad + 1) < 0)
				return -1;
			continue;
		}
		while (n && is_space(*p))
			p++, n--;
		if (!n || *p == '!')
			continue;
		if (*p == '[') {
			*line = p;
			*len = n;
			return 1;
		}
		if (stanza_line(l, p, n) < 0)
			return -1;
	}
	return got;
}

/* ---------------------------------------------------------------- relations */

static int resolve(struct loader *l)
{
	uint32_t isa;
	struct buf name = BUF_INIT;
	int rc = -1;
	if (kbload_relation(&l->kb, "isa", "CHD", &isa) < 0)
		goto out;
	for (size_t i = 0; i < l->n_pending; i++) {
		const struct pending *p = &l->pending[i];
		uint32_t tail, rel = isa, idx;
		if (!strmap_get(&l->targets, p->target, strlen(p->target), &tail)) {
			l->stats->unresolved++;
			continue;
		}
		if (tail == p->head)
			continue; /* two terms mapped to one concept */
		if (p->type) {
			buf_reset(&name);
			if (strchr(p->type, ':') && strmap_get(&l->typedefs, p->type, strlen(p->type), &idx))
				for (const char *c = l->typedef_names[idx]; *c; c++)
					buf_addc(&name, *c == ' ' ? '_' : *c);
			else
				buf_adds(&name, p->type);
			if (kbload_relation(&l->kb, name.p, "RO", &rel) < 0)
				goto out;
		}
		kbload_add_triple(&l->kb, p->head, rel, tail, l->source_id);
	}
	rc = kbload_write_triples(&l->kb, &l->stats->triples);
out:
	buf_release(&name);
	return rc;
}

/* ---------------------------------------------------------------- load */

/* The source name: given (letters, digits, '_' and '-'), else the ontology
 * tag or the file name without its extensions, with any other character
 * made '_' ("doid/subsets/DO_AGR_slim" -> DOID_SUBSETS_DO_AGR_SLIM); upper
 * case. @return 0 or -1. */
static int source_name(struct loader *l, char *out, size_t n)
{
	const char *base = strrchr(l->path, '/');
	base = base ? base + 1 : l->path;
	const char *name = l->opt->sab ? l->opt->sab : l->ontology ? l->ontology : base;
	size_t len = l->opt->sab || l->ontology ? strlen(name) : strcspn(name, ".");
	if (!len || len >= n)
		return error("%s: cannot use '%s' as a source name%s", l->path, name,
			     l->opt->sab ? "" : " (give one with --sab)");
	for (size_t i = 0; i < len; i++) {
		char c = name[i];
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-')) {
			if (l->opt->sab)
				return error("%s: cannot use '%s' as a source name: letters, digits, "
					     "'_' and '-' only", l->path, name);
			c = '_';
		}
		out[i] = c >= 'a' && c <= 'z' ? (char)(c - 32) : c;
	}
	out[len] = '\0';
	return 0;
}

static void params_json(const struct obo_options *o, const char *sab, struct buf *out)
{
	buf_adds(out, "{\"sab\":");
	buf_add_json_str(out, sab, strlen(sab));
	buf_adds(out, ",\"map_xrefs\":[");
	for (size_t i = 0; o->map && o->map[i]; i++) {
		if (i)
			buf_addc(out, ',');
		buf_add_json_str(out, o->map[i], strlen(o->map[i]));
	}
	buf_addf(out, "],\"keep_obsolete\":%d,\"lenient\":%d}", o->keep_obsolete, o->lenient);
}

static void stanza_release(struct stanza *s)
{
	buf_release(&s->text);
	free(s->alt);
	free(s->syn);
	free(s->links);
	free(s->xrefs);
}

static int loader_init(struct loader *l, struct store *st, const char *path,
		       const struct obo_options *opt, struct obo_stats *stats)
{
	memset(l, 0, sizeof *l);
	memset(stats, 0, sizeof(*stats));
	l->st = st;
	l->path = path;
	l->opt = opt;
	l->stats = stats;
	strmap_init(&l->term_ids);
	strmap_init(&l->targets);
	strmap_init(&l->typedefs);
	arena_init(&l->strings);
	for (size_t i = 0; opt->map && opt->map[i]; i++)
		if (strcasecmp(opt->map[i], "umls") && strcasecmp(opt->map[i], "mesh"))
			return error("cannot map xrefs of kind '%s' (umls, mesh)", opt->map[i]);
	return 0;
}

static void loader_release(struct loader *l)
{
	progress_end(&l->prog);
	sqlite3_finalize(l->ins_xref);
	kbload_release(&l->kb);
	lineio_close(&l->r);
	stanza_release(&l->s);
	strmap_release(&l->term_ids);
	strmap_release(&l->targets);
	strmap_release(&l->typedefs);
	arena_release(&l->strings);
	free(l->typedef_names);
	free(l->pending);
	free(l->seen);
	free(l->ontology);
	free(l->data_version);
	buf_release(&l->norm);
	buf_release(&l->value);
	buf_release(&l->params);
	buf_release(&l->key);
	buf_release(&l->release);
}

/* The header, before any transaction: it names the ontology. The first
 * stanza's line goes to *line. @return 0 or -1. */
static int read_header(struct loader *l, char **line, size_t *len)
{
	if (lineio_open(&l->r, l->path) < 0)
		return -1;
	progress_start(&l->prog, "OBO", l->r.z.raw_size);
	l->s.kind = ST_HEADER;
	int got = read_stanza_body(l, line, len);
	if (got < 0)
		return -1;
	if (got == 0 && l->r.lineno == 0)
		return error("%s: empty file", l->path);
	if (got == 0)
		return error("%s: no [Term] stanza (is this an OBO file?)", l->path);
	return source_name(l, l->stats->sab, sizeof l->stats->sab);
}

/* The identity of this load (file fingerprint and options) against the one
 * recorded for the ontology. @return an enum kb_identity, or -1. */
static int identify(struct loader *l)
{
	const char *sab = l->stats->sab, *base = strrchr(l->path, '/');
	struct buf fp = BUF_INIT, what = BUF_INIT;
	int found = -1;
	base = base ? base + 1 : l->path;
	if (kbload_file_fingerprint(l->path, &fp) < 0)
		goto out;
	params_json(l->opt, sab, &l->params);
	buf_addf(&fp, "|%s", l->params.p);
	buf_adds(&l->release, base);
	if (l->data_version)
		buf_addf(&l->release, ", data-version %s", l->data_version);
	buf_addf(&l->key, "%s.%s", META_OBO, sab);
	buf_addf(&what, "ontology %s", sab);
	found = kbload_identity(l->st, l->key.p, &fp, l->opt->replace, what.p, l->release.p,
				l->fphex);
out:
	buf_release(&fp);
	buf_release(&what);
	return found;
}

/* The ontology's source row, named and versioned. @return 0 or -1. */
static int describe_source(struct loader *l)
{
	const char *sab = l->stats->sab;
	const char *title = l->ontology ? l->ontology : sab;
	const char *version = l->data_version ? l->data_version : "";
	kbload_source_meta(&l->kb, sab, title, version, sab, "ENG", 0);
	if (kbload_source(&l->kb, sab, strlen(sab), &l->source_id) < 0)
		return -1;
	return kbload_source_describe(&l->kb, l->source_id, title, version);
}

/* Every stanza from the one on line, then the references resolved.
 * @return 0 or -1. */
static int read_stanzas(struct loader *l, char *line, size_t len)
{
	int got;
	do {
		if (begin_stanza(l, line, len) < 0)
			return -1;
		got = read_stanza_body(l, &line, &len);
		if (got < 0 || end_stanza(l) < 0)
			return -1;
	} while (got == 1);
	progress_end(&l->prog);
	if (l->stats->terms_read == 0)
		return error("%s: no [Term] stanza (is this an OBO file?)", l->path);
	if (resolve(l) < 0)
		return -1;
	l->stats->new_concepts = l->kb.n_new_concepts;
	return 0;
}

/* Record the load (its identity, the ingest log) and commit. @return 0 or
 * -1. */
static int finish_load(struct loader *l, struct ingest_entry *log)
{
	const struct obo_stats *stats = l->stats;
	if (kbload_record_identity(l->st, l->key.p, l->fphex, l->release.p, l->params.p) < 0)
		return -1;
	log->target = l->path;
	log->params = l->params.p;
	log->rows_read = stats->lines;
	log->rows_written = stats->concepts + stats->names + stats->triples + stats->xrefs;
	for (int i = 0; i < OBO_SCOPES; i++)
		log->rows_written += stats->synonyms[i];
	log->rows_skipped = stats->malformed;
	log->note = l->release.p;
	if (ingest_finish(l->st, log) < 0 || kbload_commit(&l->kb, l->fphex) < 0)
		return -1;
	return 0;
}

int obo_load(struct store *st, const char *path, const struct obo_options *opt,
	     struct obo_stats *stats)
{
	struct loader l;
	struct ingest_entry log;
	int rc = -1;
	char *line = NULL;
	size_t len = 0;
	double t0 = now_seconds();
	int found = loader_init(&l, st, path, opt, stats) < 0 || read_header(&l, &line, &len) < 0
			    ? -1 : identify(&l);
	if (found < 0)
		goto out;
	if (found == KB_SAME) {
		stats->already_loaded = 1;
		rc = 0;
		goto out;
	}
	if (kbload_begin(&l.kb, st, "obo") < 0)
		goto out;
	if ((found == KB_REPLACE && kbload_clear_source(&l.kb, stats->sab) < 0) ||
	    !(l.ins_xref = store_prepare(st, "INSERT OR IGNORE INTO xrefs(concept, target, "
					     "source) VALUES (?, ?, ?)")) ||
	    describe_source(&l) < 0)
		goto abort;
	ingest_start(&log, "load obo");
	if (read_stanzas(&l, line, len) < 0 || finish_load(&l, &log) < 0)
		goto abort;
	rc = 0;
	goto out;
abort:
	kbload_abort(&l.kb);
out:
	loader_release(&l);
	stats->seconds = now_seconds() - t0;
	return rc;
}
