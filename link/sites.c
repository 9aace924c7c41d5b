/* sites — what each mentioned concept is for linking (finding, anatomy,
 * other, by its semantic types) and the regions it implies (link_int.h). */
#include "link_int.h"
#include "../common/buf.h"
#include "../common/normalize.h"
#include "../common/util.h"

#include <stdlib.h>
#include <string.h>

/* Semantic types whose concepts are linked (disorders, findings, injuries,
 * abnormalities, neoplasms, devices), and the anatomy types. A concept with
 * no type at all (another knowledge base) counts as a finding. */
static const char *const finding_tuis[] = { "T019", "T020", "T033", "T037", "T046", "T047",
					    "T049", "T050", "T190", "T191", "T073", "T074",
					    "T203" };
static const char *const anatomy_tuis[] = { "T017", "T018", "T021", "T022", "T023", "T024",
					    "T025", "T026", "T029", "T030", "T031" };

static int tui_in(const char *tui, const char *const *list, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (!strcmp(tui, list[i]))
			return 1;
	return 0;
}

static struct cinfo *cinfo_get(struct sites *c, int64_t id, int *fresh)
{
	uint32_t v = (uint32_t)c->n_ci;
	*fresh = strmap_put(&c->cmap, (const char *)&id, sizeof id, &v);
	if (*fresh) {
		XGROW(c->ci, c->cap_ci, c->n_ci + 1);
		memset(&c->ci[c->n_ci], 0, sizeof c->ci[0]);
		c->n_ci++;
	}
	return &c->ci[v];
}

/* The concept's CUI and normalized preferred name into cui (16 bytes) and
 * name. @return 0, or -1 after error(). */
static int concept_names(struct sites *c, int64_t id, char *cui, struct buf *name, struct buf *raw)
{
	sqlite3_reset(c->q_concept);
	sqlite3_bind_int64(c->q_concept, 1, id);
	int rc = sqlite3_step(c->q_concept);
	if (rc != SQLITE_ROW) {
		sqlite3_reset(c->q_concept);
		if (rc == SQLITE_DONE)
			return error("%s: mention of concept %lld, which is not in the store",
				     c->st->path, (long long)id);
		return store_error(c->st, "cannot read concepts");
	}
	snprintf(cui, 16, "%s", (const char *)sqlite3_column_text(c->q_concept, 0));
	const char *n = (const char *)sqlite3_column_text(c->q_concept, 1);
	int len = sqlite3_column_bytes(c->q_concept, 1);
	buf_reset(name);
	text_normalize(n, (size_t)len, name);
	if (raw) {
		buf_reset(raw);
		buf_add(raw, n, (size_t)len);
	}
	sqlite3_reset(c->q_concept);
	return 0;
}

static int concept_anatomy(struct sites *c, int64_t id, regmask *out);

/* Regions of the knowledge base's finding sites (and locations) of id. */
static int kb_sites(struct sites *c, int64_t id, regmask *out)
{
	int fresh;
	struct cinfo *ci = cinfo_get(c, id, &fresh);
	if (ci->have_kb) {
		*out = ci->kb;
		return 0;
	}
	*out = 0;
	int64_t targets[64];
	int n = 0, rc;
	sqlite3_reset(c->q_sites);
	sqlite3_bind_int64(c->q_sites, 1, id);
	while ((rc = sqlite3_step(c->q_sites)) == SQLITE_ROW && n < 64)
		targets[n++] = sqlite3_column_int64(c->q_sites, 0);
	sqlite3_reset(c->q_sites);
	if (rc != SQLITE_ROW && rc != SQLITE_DONE)
		return store_error(c->st, "cannot read finding sites");
	for (int i = 0; i < n; i++) {
		regmask m;
		if (concept_anatomy(c, targets[i], &m) < 0)
			return -1;
		*out |= m;
	}
	ci = cinfo_get(c, id, &fresh); /* the table may have grown */
	ci->kb = *out;
	ci->have_kb = 1;
	return 0;
}

/* Regions of an anatomy concept: the lexicon's concept entry, else its
 * preferred name read as report text. */
static int concept_anatomy(struct sites *c, int64_t id, regmask *out)
{
	int fresh;
	struct cinfo *ci = cinfo_get(c, id, &fresh);
	if (ci->have_anatomy) {
		*out = ci->anatomy;
		return 0;
	}
	char cui[16];
	struct buf name = BUF_INIT, raw = BUF_INIT;
	int rc = concept_names(c, id, cui, &name, &raw);
	if (rc == 0) {
		regmask m = 0;
		if (!anatomy_lexicon_concept(c->lx, cui, &m))
			m = link_text_anatomy(c->lx, buf_str(&raw), raw.len, c->scratch);
		ci = cinfo_get(c, id, &fresh); /* the table may have grown */
		ci->anatomy = m;
		ci->have_anatomy = 1;
		*out = m;
	}
	buf_release(&name);
	buf_release(&raw);
	return rc;
}

static int lexicon_site_of(struct sites *c, int64_t id, regmask *out)
{
	int fresh;
	struct cinfo *ci = cinfo_get(c, id, &fresh);
	if (ci->have_lex) {
		*out = ci->lex;
		return 0;
	}
	char cui[16];
	struct buf name = BUF_INIT;
	*out = 0;
	int rc = concept_names(c, id, cui, &name, NULL);
	if (rc == 0 && !anatomy_lexicon_site(c->lx, cui, strlen(cui), out))
		anatomy_lexicon_site(c->lx, buf_str(&name), name.len, out);
	buf_release(&name);
	if (rc == 0) {
		ci = cinfo_get(c, id, &fresh);
		ci->lex = *out;
		ci->have_lex = 1;
	}
	return rc;
}

/* The side of a set that has regions of one side only ("right hemithorax"),
 * else SIDE_NONE. */
static enum side side_of(regmask m)
{
	int r = (m & ATLAS_RIGHT) != 0, l = (m & ATLAS_LEFT) != 0;
	return r && !l ? SIDE_RIGHT : l && !r ? SIDE_LEFT : SIDE_NONE;
}

/* The implied site of a finding. Its nearest knowledge-base finding sites
 * (its own, else its is-a ancestors', nearest level first) and its nearest
 * lexicon site (found the same way) compete: the knowledge base wins where
 * it is at least as precise, that is where its regions cover no more of the
 * image (atlas_area) than the lexicon's on the same side. A one-sided
 * knowledge-base site keeps its side when the lexicon's wins ("Right pleural
 * effusion": the right hemithorax loses to the right half of the pleural
 * effusion site). */
static int concept_site(struct sites *c, int64_t id, regmask *site, enum link_method *method)
{
	int64_t level[64], next[64], seen[256];
	int n = 1, n_seen = 1, rc = -1;
	regmask kb = 0, lex = 0;
	level[0] = id;
	seen[0] = id;
	*site = 0;
	*method = METHOD_NONE;
	for (int depth = 0; depth < 5 && n && !(kb && lex); depth++) {
		regmask m, kb_level = 0, lex_level = 0;
		for (int i = 0; i < n && !kb; i++) {
			if (kb_sites(c, level[i], &m) < 0)
				goto out;
			kb_level |= m;
		}
		for (int i = 0; i < n && !lex; i++) {
			if (lexicon_site_of(c, level[i], &m) < 0)
				goto out;
			lex_level |= m;
		}
		kb = kb ? kb : kb_level;
		lex = lex ? lex : lex_level;
		/* parents of this level */
		int nn = 0;
		for (int i = 0; i < n; i++) {
			sqlite3_reset(c->q_parents);
			sqlite3_bind_int64(c->q_parents, 1, level[i]);
			int r;
			while ((r = sqlite3_step(c->q_parents)) == SQLITE_ROW) {
				int64_t p = sqlite3_column_int64(c->q_parents, 0);
				int dup = 0;
				for (int k = 0; k < n_seen; k++)
					dup |= seen[k] == p;
				if (dup || nn == 64 || n_seen == 256)
					continue;
				seen[n_seen++] = p;
				next[nn++] = p;
			}
			sqlite3_reset(c->q_parents);
			if (r != SQLITE_DONE && r != SQLITE_ROW) {
				store_error(c->st, "cannot read is-a relations");
				goto out;
			}
		}
		memcpy(level, next, (size_t)nn * sizeof next[0]);
		n = nn;
	}
	if (lex)
		lex = atlas_apply_side(lex, side_of(kb));
	if (kb && (!lex || atlas_area(kb) <= atlas_area(lex))) {
		*site = kb;
		*method = METHOD_KB;
	} else if (lex) {
		*site = lex;
		*method = METHOD_LEXICON;
	}
	rc = 0;
out:
	return rc;
}

int sites_info(struct sites *c, int64_t id, struct cinfo *out)
{
	int fresh;
	struct cinfo *ci = cinfo_get(c, id, &fresh);
	if (ci->have_site) {
		*out = *ci;
		return 0;
	}
	int finding = 0, anatomy = 0, any = 0, rc;
	sqlite3_reset(c->q_types);
	sqlite3_bind_int64(c->q_types, 1, id);
	while ((rc = sqlite3_step(c->q_types)) == SQLITE_ROW) {
		const char *tui = (const char *)sqlite3_column_text(c->q_types, 0);
		any = 1;
		finding |= tui_in(tui, finding_tuis, ARRAY_SIZE(finding_tuis));
		anatomy |= tui_in(tui, anatomy_tuis, ARRAY_SIZE(anatomy_tuis));
	}
	sqlite3_reset(c->q_types);
	if (rc != SQLITE_DONE)
		return store_error(c->st, "cannot read semantic types");
	enum mention_kind kind = finding || !any ? KIND_FINDING : anatomy ? KIND_ANATOMY
								     : KIND_OTHER;
	regmask site = 0, anat = 0;
	enum link_method method = METHOD_NONE;
	if (kind == KIND_FINDING && concept_site(c, id, &site, &method) < 0)
		return -1;
	if (kind == KIND_ANATOMY && concept_anatomy(c, id, &anat) < 0)
		return -1;
	ci = cinfo_get(c, id, &fresh);
	ci->kind = kind;
	ci->site = site;
	ci->site_method = method;
	if (kind == KIND_ANATOMY) {
		ci->anatomy = anat;
		ci->have_anatomy = 1;
	}
	ci->have_site = 1;
	*out = *ci;
	return 0;
}

int sites_open(struct sites *s, struct store *st, const struct anatomy_lexicon *lx,
	       struct link_scratch *scratch)
{
	memset(s, 0, sizeof *s);
	s->st = st;
	s->lx = lx;
	s->scratch = scratch;
	strmap_init(&s->cmap);
	s->q_types = store_prepare(st,
		"SELECT s.tui FROM concept_semtypes cs JOIN semtypes s ON s.id = cs.semtype "
		"WHERE cs.concept = ?");
	s->q_concept = store_prepare(st, "SELECT cui, name FROM concepts WHERE id = ?");
	s->q_sites = store_prepare(st,
		"SELECT tail FROM triples WHERE head = ?1 AND relation IN "
		"(SELECT id FROM relations WHERE name IN ('has_finding_site', 'has_location')) "
		"UNION SELECT head FROM triples WHERE tail = ?1 AND relation IN "
		"(SELECT id FROM relations WHERE name IN ('finding_site_of', 'location_of'))");
	s->q_parents = store_prepare(st,
		"SELECT tail FROM triples WHERE head = ?1 AND relation IN "
		"(SELECT id FROM relations WHERE name = 'isa') "
		"UNION SELECT head FROM triples WHERE tail = ?1 AND relation IN "
		"(SELECT id FROM relations WHERE name = 'inverse_isa')");
	return s->q_types && s->q_concept && s->q_sites && s->q_parents ? 0 : -1;
}

void sites_close(struct sites *s)
{
	sqlite3_finalize(s->q_types);
	sqlite3_finalize(s->q_concept);
	sqlite3_finalize(s->q_sites);
	sqlite3_finalize(s->q_parents);
	if (s->st)
		strmap_release(&s->cmap);
	free(s->ci);
	memset(s, 0, sizeof *s);
}
