#define _XOPEN_SOURCE 700
#include "umls.h"
#include "kbload.h"
#include "../common/normalize.h"
#include "../common/progress.h"
#include "../common/strmap.h"
#include "../common/util.h"
#include "../common/strlist.h"
#include "../common/utf8.h"
#include "../common/zio.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

/* Column positions, from the release's MRFILES.RRF. */
enum { C_CUI, C_LAT, C_TS, C_LUI, C_STT, C_SUI, C_ISPREF, C_AUI, C_SAUI, C_SCUI, C_SDUI,
       C_SAB, C_TTY, C_CODE, C_STR, C_SRL, C_SUPPRESS, C_CVF, CONSO_FIELDS };
enum { S_CUI, S_TUI, S_STN, S_STY, S_ATUI, S_CVF, STY_FIELDS };
enum { R_CUI1, R_AUI1, R_STYPE1, R_REL, R_CUI2, R_AUI2, R_STYPE2, R_RELA, R_RUI, R_SRUI,
       R_SAB, R_SL, R_RG, R_DIR, R_SUPPRESS, R_CVF, REL_FIELDS };
enum { B_VCUI, B_RCUI, B_VSAB, B_RSAB, B_SON, B_SF, B_SVER, B_VSTART, B_VEND, B_IMETA,
       B_RMETA, B_SLC, B_SCC, B_SRL, B_TFR, B_CFR, B_CXTY, B_TTYL, B_ATNL, B_LAT, B_CENC,
       B_CURVER, B_SABIN, B_SSN, B_SCIT, SAB_FIELDS };

#define MAX_FIELDS 32

struct semtype_info {
	const char *tui, *stn, *name;
};

/* Per concept id: what this load saw of it. */
struct seen {
	const char *cui;   /* NULL: not seen in this load */
	const char *name;
	uint8_t rank;      /* how preferred the name is, higher is better */
};

struct loader {
	struct store *st;
	const struct umls_options *opt;
	struct umls_stats *stats;
	struct kbload kb;

	char *dir;                       /* the release's META directory */
	char *conso, *sty, *rel, *sab;   /* paths; NULL when absent */
	struct buf release, params;      /* the release name, the options (JSON) */
	char fphex[17];                  /* the load's identity (kbload_identity) */
	struct strmap sab_keep;          /* --sab */
	struct strmap lang_keep;         /* --lang */
	struct strmap tui_keep;          /* --sty/--tui, expanded to descendants */
	struct cuimap allowed;           /* CUIs with a kept semantic type */
	struct strmap semtype_ids;       /* TUI -> semtypes.id */

	struct seen *seen;               /* indexed by concept id */
	size_t seen_cap;
	struct arena names;

	sqlite3_stmt *ins_ctype;
	struct progress prog;
	struct semtype_info *types;      /* every semantic type in MRSTY */
	size_t n_types, cap_types;
	struct buf norm;                 /* scratch: a normalized term */
};

static int bad_row(struct loader *l, const char *path, size_t line, const char *fmt, ...)
	MK_PRINTF(4, 5);

static int bad_row(struct loader *l, const char *path, size_t line, const char *fmt, ...)
{
	char msg[256];
	va_list ap;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof msg, fmt, ap);
	va_end(ap);
	if (!l->opt->lenient)
		return error("%s:%zu: %s", path, line, msg);
	if (l->stats->malformed++ < 5)
		warning("%s:%zu: %s (skipped)", path, line, msg);
	return 0;
}

/* Split and validate one RRF row. @return the field count on success, 0 to
 * skip the row (lenient), -1 on error. */
static int rrf_split(struct loader *l, struct lineio *r, char *line, size_t len, char **f,
		     size_t *fl, int want)
{
	size_t bad;
	if (!utf8_valid(line, len, &bad)) {
		int nul = line[bad] == '\0';
		return bad_row(l, r->z.path, r->lineno, "%s at byte %zu",
			       nul ? "NUL byte" : "invalid UTF-8", bad + 1) < 0 ? -1 : 0;
	}
	/* rows end with a '|': "a|b|" holds 2 fields */
	int trailing = len && line[len - 1] == '|';
	int n = split_fields(line, len, '|', f, MAX_FIELDS) - trailing;
	if (n != want)
		return bad_row(l, r->z.path, r->lineno, "expected %d fields, found %d", want, n) < 0
			       ? -1 : 0;
	for (int i = 0; i + 1 < n; i++)
		fl[i] = (size_t)(f[i + 1] - f[i]) - 1;
	fl[n - 1] = (size_t)(line + len - trailing - f[n - 1]);
	return n;
}

/* One RRF row being handled: fields, their lengths, and where it came from. */
struct row {
	char *f[MAX_FIELDS];
	size_t n[MAX_FIELDS];
	const char *path;
	size_t line;
};

/* A row handler: @return 0 to go on, -1 to stop the load (error reported). */
typedef int (*row_fn)(struct loader *l, struct row *row);

/* Read every row of an RRF file with want fields and hand the well-formed ones
 * to fn. Malformed rows stop the load, or are counted and skipped when
 * lenient. *rows, if not NULL, gets the number of lines read.
 * @return 0 or -1 (error reported). */
static int rrf_scan(struct loader *l, const char *path, const char *label, int want,
		    row_fn fn, int64_t *rows)
{
	struct lineio r;
	struct row row;
	char *line;
	size_t len;
	int rc = -1, got;
	if (lineio_open(&r, path) < 0)
		return -1;
	progress_start(&l->prog, label, r.z.raw_size);
	row.path = r.z.path;
	while ((got = lineio_next(&r, &line, &len)) == 1) {
		progress_update(&l->prog, r.lineno, r.z.raw_read);
		row.line = r.lineno;
		int n = rrf_split(l, &r, line, len, row.f, row.n, want);
		if (n < 0)
			goto out;
		if (n > 0 && fn(l, &row) < 0)
			goto out;
	}
	if (got < 0)
		goto out;
	if (r.lineno == 0) {
		error("%s: empty file", path);
		goto out;
	}
	if (rows)
		*rows = (int64_t)r.lineno;
	rc = 0;
out:
	progress_end(&l->prog);
	lineio_close(&r);
	return rc;
}

/* ---------------------------------------------------------------- MRSAB */

static int sab_row(struct loader *l, struct row *r)
{
	char **f = r->f;
	if (!strcmp(f[B_CURVER], "Y")) /* only the current version describes a source */
		kbload_source_meta(&l->kb, f[B_RSAB], f[B_SON], f[B_SVER], f[B_SF], f[B_LAT],
				   atoi(f[B_SRL]));
	return 0;
}

/* ---------------------------------------------------------------- MRSTY */

/* Three passes over MRSTY: the semantic types (and the type filter expanded
 * to descendants), the CUIs the filter allows (before MRCONSO), and the types
 * of the concepts kept (after MRCONSO). Reading the file again is cheaper
 * than holding 6.9M rows. */
static int sty_types_row(struct loader *l, struct row *r)
{
	char **f = r->f;
	uint32_t id = 0;
	if (strmap_get(&l->semtype_ids, f[S_TUI], r->n[S_TUI], &id))
		return 0;
	if (kbload_semtype(&l->kb, f[S_TUI], f[S_STY], f[S_STN], &id) < 0)
		return -1;
	strmap_put(&l->semtype_ids, f[S_TUI], r->n[S_TUI], &id);
	XGROW(l->types, l->cap_types, l->n_types + 1);
	struct semtype_info *t = &l->types[l->n_types++];
	t->tui = arena_strdup(&l->names, f[S_TUI], r->n[S_TUI]);
	t->stn = arena_strdup(&l->names, f[S_STN], r->n[S_STN]);
	t->name = arena_strdup(&l->names, f[S_STY], r->n[S_STY]);
	return 0;
}

static int sty_allowed_row(struct loader *l, struct row *r)
{
	if (strmap_get(&l->tui_keep, r->f[S_TUI], r->n[S_TUI], NULL))
		cuimap_set(&l->allowed, r->f[S_CUI], r->n[S_CUI], 1);
	return 0;
}

static int sty_insert_row(struct loader *l, struct row *r)
{
	uint32_t cid = cuimap_get(&l->kb.concepts, r->f[S_CUI], r->n[S_CUI]);
	uint32_t tid;
	if (!cid || cid >= l->seen_cap || !l->seen[cid].cui ||
	    !strmap_get(&l->semtype_ids, r->f[S_TUI], r->n[S_TUI], &tid))
		return 0;
	sqlite3_bind_int64(l->ins_ctype, 1, cid);
	sqlite3_bind_int64(l->ins_ctype, 2, tid);
	if (store_step_done(l->st, l->ins_ctype) < 0)
		return -1;
	l->stats->concept_types += sqlite3_changes(l->st->db);
	return 0;
}

/* --tui/--sty: each named type (by TUI or name) and every type whose tree
 * number lies below it. */
static int expand_type_filter(struct loader *l)
{
	for (size_t i = 0; l->opt->types[i]; i++) {
		const char *want = l->opt->types[i];
		const char *stn = NULL;
		for (size_t j = 0; j < l->n_types; j++)
			if (!strcasecmp(l->types[j].tui, want) || !strcasecmp(l->types[j].name, want))
				stn = l->types[j].stn;
		if (!stn)
			return error("%s: semantic type '%s' does not occur in the release", l->sty,
				     want);
		size_t k = strlen(stn);
		for (size_t j = 0; j < l->n_types; j++) {
			const char *s = l->types[j].stn;
			if (!strcmp(s, stn) || (!strncmp(s, stn, k) && s[k] == '.'))
				strmap_put(&l->tui_keep, l->types[j].tui, strlen(l->types[j].tui), NULL);
		}
	}
	return 0;
}

/* ---------------------------------------------------------------- MRCONSO */

static uint8_t name_rank(char **f)
{
	int pref = !strcmp(f[C_TS], "P") && !strcmp(f[C_STT], "PF") && !strcmp(f[C_ISPREF], "Y");
	int eng = !strcmp(f[C_LAT], "ENG");
	return (uint8_t)(1 + pref * 2 + eng);
}

static int suppressed(const char *flag)
{
	return flag[0] && strcmp(flag, "N");
}

static int keep_conso_row(struct loader *l, struct row *r)
{
	const struct umls_options *o = l->opt;
	char **f = r->f;
	if (o->lang && !strmap_get(&l->lang_keep, f[C_LAT], r->n[C_LAT], NULL))
		return 0;
	if (o->sab && !strmap_get(&l->sab_keep, f[C_SAB], r->n[C_SAB], NULL))
		return 0;
	if (!o->keep_suppressed && suppressed(f[C_SUPPRESS]))
		return 0;
	if (o->types && !cuimap_get(&l->allowed, f[C_CUI], r->n[C_CUI]))
		return 0;
	return 1;
}

static int conso_row(struct loader *l, struct row *r)
{
	char **f = r->f;
	size_t *n = r->n;
	if (!keep_conso_row(l, r))
		return 0;
	if (!n[C_CUI] || !n[C_STR])
		return bad_row(l, r->path, r->line, "empty %s", n[C_CUI] ? "STR" : "CUI");
	char why[160];
	if (kb_check_id("CUI", f[C_CUI], n[C_CUI], why, sizeof why) < 0 ||
	    kb_check_term("STR", f[C_STR], n[C_STR], why, sizeof why) < 0)
		return bad_row(l, r->path, r->line, "%s", why);
	uint32_t cid = kbload_concept(&l->kb, f[C_CUI], n[C_CUI]);
	if (cid >= l->seen_cap) {
		size_t old = l->seen_cap;
		XGROW(l->seen, l->seen_cap, (size_t)cid + 1);
		memset(l->seen + old, 0, (l->seen_cap - old) * sizeof(*l->seen));
	}
	struct seen *s = &l->seen[cid];
	uint8_t rank = name_rank(f);
	if (!s->cui)
		s->cui = arena_strdup(&l->names, f[C_CUI], n[C_CUI]);
	if (rank > s->rank) {
		s->name = arena_strdup(&l->names, f[C_STR], n[C_STR]);
		s->rank = rank;
	}
	uint32_t src;
	if (kbload_source(&l->kb, f[C_SAB], n[C_SAB], &src) < 0)
		return -1;
	buf_reset(&l->norm);
	text_normalize(f[C_STR], n[C_STR], &l->norm);
	struct kbterm t = {
		.concept = cid, .source = src, .preferred = rank >= 3,
		.str = f[C_STR], .str_len = n[C_STR], .norm = l->norm.p, .norm_len = l->norm.len,
		.tty = f[C_TTY], .tty_len = n[C_TTY], .code = f[C_CODE], .code_len = n[C_CODE],
		.lang = f[C_LAT], .lang_len = n[C_LAT],
		.suppress = n[C_SUPPRESS] ? f[C_SUPPRESS] : NULL, .suppress_len = n[C_SUPPRESS],
	};
	if (kbload_add_term(&l->kb, &t) < 0)
		return -1;
	l->stats->conso_kept++;
	return 0;
}

/* Write the concepts seen in this load: new ones inserted in id order, ones
 * that already existed get their (possibly new) preferred name. */
static int write_concepts(struct loader *l)
{
	for (size_t id = 1; id < l->seen_cap; id++) {
		struct seen *s = &l->seen[id];
		if (!s->cui)
			continue;
		if (kbload_write_concept(&l->kb, (uint32_t)id, s->cui, s->name) < 0)
			return -1;
		l->stats->concepts++;
	}
	l->stats->new_concepts = l->kb.n_new_concepts;
	return kbload_flush_concepts(&l->kb);
}

/* ---------------------------------------------------------------- MRREL */

static int rel_row(struct loader *l, struct row *r)
{
	char **f = r->f;
	size_t *n = r->n;
	if (l->opt->sab && !strmap_get(&l->sab_keep, f[R_SAB], n[R_SAB], NULL))
		return 0;
	if (!l->opt->keep_suppressed && suppressed(f[R_SUPPRESS]))
		return 0;
	uint32_t tail = cuimap_get(&l->kb.concepts, f[R_CUI1], n[R_CUI1]);
	uint32_t head = cuimap_get(&l->kb.concepts, f[R_CUI2], n[R_CUI2]);
	if (!head || !tail || (head == tail && !l->opt->keep_self))
		return 0;
	const char *name = n[R_RELA] ? f[R_RELA] : f[R_REL];
	if (!name[0])
		return bad_row(l, r->path, r->line, "empty REL");
	char why[160];
	if (kb_check_name(n[R_RELA] ? "RELA" : "REL", name, strlen(name), why, sizeof why) < 0)
		return bad_row(l, r->path, r->line, "%s", why);
	uint32_t rel, src;
	if (kbload_relation(&l->kb, name, f[R_REL], &rel) < 0 ||
	    kbload_source(&l->kb, f[R_SAB], n[R_SAB], &src) < 0)
		return -1;
	kbload_add_triple(&l->kb, head, rel, tail, src);
	l->stats->rel_kept++;
	return 0;
}

/* ---------------------------------------------------------------- release */

static char *find_file(const char *dir, const char *name)
{
	char *base = xmalloc(strlen(dir) + strlen(name) + 2);
	sprintf(base, "%s/%s", dir, name);
	char *p = path_with_zst(base);
	free(base);
	return p;
}

/* The release name: release.dat beside or above META, else the directory. */
static void release_name(const char *dir, struct buf *out)
{
	const char *cands[] = { "release.dat", "../release.dat" };
	for (size_t i = 0; i < ARRAY_SIZE(cands); i++) {
		struct buf path = BUF_INIT;
		buf_addf(&path, "%s/%s", dir, cands[i]);
		FILE *fp = fopen(path.p, "r");
		buf_release(&path);
		if (!fp)
			continue;
		char line[512];
		while (fgets(line, sizeof line, fp)) {
			if (!strncmp(line, "umls.release.name=", 18)) {
				line[strcspn(line, "\r\n")] = '\0';
				buf_adds(out, line + 18);
				fclose(fp);
				return;
			}
		}
		fclose(fp);
	}
	char *copy = realpath(dir, NULL);
	const char *p = copy ? copy : dir;
	const char *slash = strrchr(p, '/');
	const char *base = slash ? slash + 1 : p;
	if (!strcmp(base, "META") && slash && slash != p) {
		const char *s2 = slash - 1;
		while (s2 > p && *s2 != '/')
			s2--;
		buf_add(out, *s2 == '/' ? s2 + 1 : s2, (size_t)(slash - (*s2 == '/' ? s2 + 1 : s2)));
	} else {
		buf_adds(out, base);
	}
	free(copy);
}

static void params_json(const struct umls_options *o, struct buf *out)
{
	char **lists[] = { o->sab, o->lang, o->types };
	const char *names[] = { "sab", "lang", "types" };
	buf_addc(out, '{');
	for (size_t i = 0; i < 3; i++) {
		buf_addf(out, "\"%s\":", names[i]);
		if (!lists[i]) {
			buf_adds(out, "null,");
			continue;
		}
		buf_addc(out, '[');
		for (size_t j = 0; lists[i][j]; j++) {
			if (j)
				buf_addc(out, ',');
			buf_add_json_str(out, lists[i][j], strlen(lists[i][j]));
		}
		buf_adds(out, "],");
	}
	buf_addf(out, "\"keep_suppressed\":%d,\"keep_self\":%d,\"lenient\":%d}", o->keep_suppressed,
		 o->keep_self, o->lenient);
}

static void set_from_list(struct strmap *m, char **list)
{
	for (size_t i = 0; list && list[i]; i++)
		strmap_put(m, list[i], strlen(list[i]), NULL);
}

static void loader_init(struct loader *l, struct store *st, const char *dir,
			const struct umls_options *opt, struct umls_stats *stats)
{
	memset(l, 0, sizeof *l);
	memset(stats, 0, sizeof(*stats));
	l->st = st;
	l->opt = opt;
	l->stats = stats;
	l->dir = xstrdup(dir);
	strmap_init(&l->sab_keep);
	strmap_init(&l->lang_keep);
	strmap_init(&l->tui_keep);
	strmap_init(&l->semtype_ids);
	cuimap_init(&l->allowed);
	arena_init(&l->names);
	set_from_list(&l->sab_keep, opt->sab);
	set_from_list(&l->lang_keep, opt->lang);
}

static void loader_release(struct loader *l)
{
	sqlite3_finalize(l->ins_ctype);
	kbload_release(&l->kb);
	strmap_release(&l->sab_keep);
	strmap_release(&l->lang_keep);
	strmap_release(&l->tui_keep);
	strmap_release(&l->semtype_ids);
	cuimap_release(&l->allowed);
	arena_release(&l->names);
	buf_release(&l->norm);
	free(l->types);
	free(l->seen);
	free(l->conso);
	free(l->sty);
	free(l->rel);
	free(l->sab);
	free(l->dir);
	buf_release(&l->release);
	buf_release(&l->params);
}

/* The release's files, in l->dir or in its META. @return 0 or -1. */
static int find_release(struct loader *l)
{
	struct stat sb;
	if (stat(l->dir, &sb) < 0 || !S_ISDIR(sb.st_mode))
		return error("%s: not a directory (give the release's META directory)", l->dir);
	l->conso = find_file(l->dir, "MRCONSO.RRF");
	if (!l->conso) {
		char *meta = xmalloc(strlen(l->dir) + 6);
		sprintf(meta, "%s/META", l->dir);
		if (!(l->conso = find_file(meta, "MRCONSO.RRF"))) {
			free(meta);
			return error("%s: no MRCONSO.RRF or MRCONSO.RRF.zst (is this a UMLS META "
				     "directory?)",
				     l->dir);
		}
		free(l->dir);
		l->dir = meta;
	}
	l->sty = find_file(l->dir, "MRSTY.RRF");
	l->rel = find_file(l->dir, "MRREL.RRF");
	l->sab = find_file(l->dir, "MRSAB.RRF");
	if (l->opt->types && !l->sty)
		return error("%s: semantic type filter given but the release has no MRSTY.RRF",
			     l->dir);
	return 0;
}

/* The identity of this load (release name, file fingerprints, filters)
 * against the store's. @return an enum kb_identity, or -1. */
static int identify(struct loader *l)
{
	struct buf fp = BUF_INIT;
	int found = -1;
	release_name(l->dir, &l->release);
	const char *files[] = { l->conso, l->sty, l->rel, l->sab };
	for (size_t i = 0; i < ARRAY_SIZE(files); i++)
		if (files[i] && kbload_file_fingerprint(files[i], &fp) < 0)
			goto out;
	params_json(l->opt, &l->params);
	buf_addf(&fp, "|%s", l->params.p);
	found = kbload_identity(l->st, META_UMLS, &fp, l->opt->replace, "UMLS release",
				l->release.p, l->fphex);
out:
	buf_release(&fp);
	return found;
}

/* Read every file in turn: MRSAB, MRSTY (types, then the filter), MRCONSO,
 * MRSTY (the kept concepts' types), MRREL. @return 0 or -1. */
static int load_files(struct loader *l)
{
	struct umls_stats *stats = l->stats;
	double t = now_seconds();
	if (l->sab && rrf_scan(l, l->sab, "MRSAB", SAB_FIELDS, sab_row, NULL) < 0)
		return -1;
	if (l->sty && rrf_scan(l, l->sty, "MRSTY", STY_FIELDS, sty_types_row, &stats->sty_rows) < 0)
		return -1;
	if (l->opt->types && (expand_type_filter(l) < 0 ||
			      rrf_scan(l, l->sty, "MRSTY", STY_FIELDS, sty_allowed_row, NULL) < 0))
		return -1;
	stats->sec_sty = now_seconds() - t;
	t = now_seconds();
	if (rrf_scan(l, l->conso, "MRCONSO", CONSO_FIELDS, conso_row, &stats->conso_rows) < 0 ||
	    write_concepts(l) < 0)
		return -1;
	stats->sec_conso = now_seconds() - t;
	t = now_seconds();
	if (l->sty && rrf_scan(l, l->sty, "MRSTY", STY_FIELDS, sty_insert_row, NULL) < 0)
		return -1;
	stats->sec_sty += now_seconds() - t;
	t = now_seconds();
	if (l->rel && rrf_scan(l, l->rel, "MRREL", REL_FIELDS, rel_row, &stats->rel_rows) < 0)
		return -1;
	if (kbload_write_triples(&l->kb, &stats->triples) < 0)
		return -1;
	stats->sec_rel = now_seconds() - t;
	return 0;
}

/* Record the load (its identity, the ingest log) and commit. @return 0 or
 * -1 (rolled back). */
static int finish_load(struct loader *l, struct ingest_entry *log)
{
	struct umls_stats *stats = l->stats;
	if (kbload_record_identity(l->st, META_UMLS, l->fphex, l->release.p, l->params.p) < 0)
		return -1;
	log->target = l->dir;
	log->params = l->params.p;
	log->rows_read = stats->conso_rows + stats->sty_rows + stats->rel_rows;
	log->rows_written = stats->conso_kept + stats->concepts + stats->triples;
	log->rows_skipped = stats->malformed;
	log->note = l->release.p;
	if (ingest_finish(l->st, log) < 0)
		return -1;
	double t = now_seconds();
	if (kbload_commit(&l->kb, l->fphex) < 0)
		return -1;
	stats->sec_commit = now_seconds() - t;
	stats->sources = store_int(l->st, "SELECT count(*) FROM sources WHERE kb = 'umls'", 0);
	return 0;
}

int umls_load(struct store *st, const char *dir, const struct umls_options *opt,
	      struct umls_stats *stats)
{
	struct loader l;
	struct ingest_entry log;
	int rc = -1;
	double t0 = now_seconds();
	loader_init(&l, st, dir, opt, stats);
	int found = find_release(&l) < 0 ? -1 : identify(&l);
	if (found < 0)
		goto out;
	if (found == KB_SAME) {
		stats->already_loaded = 1;
		rc = 0;
		goto out;
	}
	if (kbload_begin(&l.kb, st, "umls") < 0)
		goto out;
	if ((found == KB_REPLACE && kbload_clear(&l.kb) < 0) ||
	    !(l.ins_ctype = store_prepare(st, "INSERT OR IGNORE INTO concept_semtypes(concept, "
					      "semtype) VALUES (?, ?)")))
		goto abort;
	ingest_start(&log, "load umls");
	if (load_files(&l) < 0 || finish_load(&l, &log) < 0)
		goto abort;
	rc = 0;
	goto out;
abort:
	kbload_abort(&l.kb);
out:
	stats->seconds = now_seconds() - t0;
	loader_release(&l);
	return rc;
}
