/*
 * kbload — what every knowledge-base loader (UMLS, MeSH, OBO) shares: one
 * transaction around the whole load, interning of sources, semantic types,
 * relations and concepts against what the store already holds (so concepts
 * keep their ids across reloads), bulk-load settings, deduplicated triples,
 * and the clean-up that keeps the store consistent when a load replaces an
 * earlier one.
 *
 * Usage: kbload_begin; optionally kbload_clear (replace); intern and insert;
 * kbload_write_triples; kbload_commit (or kbload_abort); kbload_release.
 * Between begin and commit/abort, foreign keys are not enforced by SQLite:
 * the loader guarantees them, and commit removes what a replace orphaned.
 *
 * Does not: parse any file format.
 */
#ifndef MEDKG_KBLOAD_H
#define MEDKG_KBLOAD_H

#include <stdint.h>
#include "batch.h"
#include "store.h"
#include "../common/arena.h"
#include "../common/strmap.h"

/* Map from concept identifiers to 32-bit values (0 = absent). UMLS-shaped
 * CUIs ("C" + 7 digits) go to a flat array; anything else to a hash map. */
struct cuimap {
	uint32_t *num;       /* 10^7 entries, allocated on first use */
	struct strmap other;
};

void cuimap_init(struct cuimap *m);
void cuimap_release(struct cuimap *m);
uint32_t cuimap_get(const struct cuimap *m, const char *cui, size_t len);
void cuimap_set(struct cuimap *m, const char *cui, size_t len, uint32_t v);

struct triple {
	uint32_t head, relation, tail, source;
};

/* A term to insert (see the terms table). Strings need not be NUL terminated;
 * they are copied. lang, suppress and scope may be NULL (defaults). */
struct kbterm {
	uint32_t concept, source;
	int preferred;
	const char *str, *norm, *tty, *code, *lang, *suppress, *scope;
	size_t str_len, norm_len, tty_len, code_len, lang_len, suppress_len, scope_len;
};

#define KB_ROWS 64   /* terms and concepts per INSERT statement (batch.h) */

/* What a loader accepts of an identifier (a CUI, a MeSH UI, an OBO id: the
 * first column of the export's entity2id.txt) and of a term (a name, a
 * synonym, a relation name). Past them, or with a byte these files cannot
 * hold, the row is bad: an error naming the file and line, or skipped and
 * counted with lenient. */
#define KB_ID_MAX 256      /* bytes; no blank, no control character */
#define KB_TERM_MAX 4096   /* bytes; no control character (tab, newline...) */

/* Check an identifier s[0..n), called what in the message ("CUI").
 * @return 0, or -1 with why it is refused in why[0..cap) (no error()
 * reported: the loader says where). */
int kb_check_id(const char *what, const char *s, size_t n, char *why, size_t cap);
/* The same for a term. */
int kb_check_term(const char *what, const char *s, size_t n, char *why, size_t cap);
/* A relation name (a key of relation2id.txt): as a term, but no tab. */
int kb_check_name(const char *what, const char *s, size_t n, char *why, size_t cap);

struct source_meta {
	char *sab, *name, *version, *family, *language;
	int restriction;
};

struct kbload {
	struct store *st;
	char *kb;                  /* "umls", "mesh", "obo" */
	int cleared;
	struct strmap sources;     /* sab -> sources.id (this kb's) */
	struct strmap source_meta; /* sab -> index into meta */
	struct source_meta *meta;
	size_t n_meta, cap_meta;
	struct strmap relations;   /* name -> relations.id */
	struct cuimap concepts;    /* cui -> concepts.id, existing and new */
	uint32_t first_new_concept, next_concept;
	int64_t n_new_concepts, n_sources_used;
	struct triple *trip;
	size_t n_trip, cap_trip, seg_start;
	struct batch terms;        /* strings copied */
	int64_t next_term;         /* id of the next term */
	struct batch new_concepts; /* strings borrowed from the caller */
	sqlite3_stmt *ins_source, *ins_relation, *ins_semtype, *upd_concept, *ins_triple;
};

/* Start a load of knowledge base kb: bulk settings, BEGIN, drop the indexes
 * that are rebuilt at commit, and read what the store holds. @return 0 or -1
 * (nothing started). */
int kbload_begin(struct kbload *k, struct store *st, const char *kb);
/* Remove this kb's terms, triples, semantic type assignments and xrefs (for a
 * replacing load). Concepts left without terms are removed at commit. */
int kbload_clear(struct kbload *k);

/* Remember a source's metadata (MRSAB) for when it is first used. */
void kbload_source_meta(struct kbload *k, const char *sab, const char *name,
			const char *version, const char *family, const char *language,
			int restriction);
/* Id of a source of this kb, inserted on first use. @return 0 or -1. */
int kbload_source(struct kbload *k, const char *sab, size_t len, uint32_t *id);
/* Id of a semantic type, inserted (or renamed) as needed. @return 0 or -1. */
int kbload_semtype(struct kbload *k, const char *tui, const char *name, const char *stn,
		   uint32_t *id);
/* Id of a relation name, inserted on first use. @return 0 or -1. */
int kbload_relation(struct kbload *k, const char *name, const char *rel, uint32_t *id);
/* Id of a concept: the existing one for a known identifier, else a new id
 * (the row is written by kbload_write_concept). */
uint32_t kbload_concept(struct kbload *k, const char *cui, size_t len);
/* Write a concept seen in this load: insert if new, else update its name.
 * New concepts are inserted in batches: cui and name must stay valid until
 * kbload_flush_concepts (or kbload_commit). */
int kbload_write_concept(struct kbload *k, uint32_t id, const char *cui, const char *name);
int kbload_flush_concepts(struct kbload *k);
/* Queue a term; terms go to the store KB_ROWS to an INSERT (batch.h).
 * @return 0 or -1. */
int kbload_add_term(struct kbload *k, const struct kbterm *t);
/* Write queued terms now (also done by kbload_commit). @return 0 or -1. */
int kbload_flush_terms(struct kbload *k);

/* Queue a triple; duplicates are removed before writing. */
void kbload_add_triple(struct kbload *k, uint32_t head, uint32_t relation, uint32_t tail,
		       uint32_t source);
/* Write the queued triples (sorted, unique). @return 0 or -1; *written gets the
 * number of new rows. */
int kbload_write_triples(struct kbload *k, int64_t *written);

/* Finish: remove orphans after a clear, rebuild indexes, record the change of
 * knowledge (fingerprint), COMMIT. @return 0 or -1 (then rolled back). */
int kbload_commit(struct kbload *k, const char *fingerprint);
/* Roll back everything since kbload_begin. */
void kbload_abort(struct kbload *k);
void kbload_release(struct kbload *k);

/* What a load finds recorded under PREFIX "." META_LOAD_FINGERPRINT in meta
 * (prefix: META_UMLS, META_MESH, or META_OBO "." SAB; store.h). */
enum kb_identity {
	KB_NEW = 0,       /* nothing of this kind loaded: go ahead */
	KB_REPLACE = 1,   /* another load is there and replace allows swapping it */
	KB_SAME = 2,      /* the same inputs and options: nothing to do (said with info) */
};

/* Compare a load whose identity (file fingerprints and options) is ident
 * with the one recorded under prefix. what names the knowledge ("UMLS
 * release", "MeSH", "ontology CXO"), name this load (a release, a file).
 * fphex (17 bytes) gets the hash of ident, for kbload_record_identity.
 * @return an enum kb_identity, or -1 after error() when another load is
 * there and replace is not set. */
int kbload_identity(struct store *st, const char *prefix, const struct buf *ident, int replace,
		    const char *what, const char *name, char fphex[17]);
/* Record a load (inside its transaction): PREFIX.META_LOAD_FINGERPRINT,
 * .META_LOAD_RELEASE and .META_LOAD_PARAMS. @return 0 or -1. */
int kbload_record_identity(struct store *st, const char *prefix, const char *fphex,
			   const char *release, const char *params);

/* Append "NAME:SIZE:HASH;" for a file to out: its base name, size and
 * fingerprint (common/fingerprint.h: whole up to 1 MiB, else its first and
 * last MiB). @return 0, or -1 after error(). */
int kbload_file_fingerprint(const char *path, struct buf *out);

/* Remove the terms, triples and xrefs of one source of this kb (a replacing
 * load of one OBO ontology must leave the other ontologies alone). Concepts
 * left without terms are removed at commit. A source not in the store is not
 * an error. @return 0 or -1. */
int kbload_clear_source(struct kbload *k, const char *sab);
/* Set the name and version ("" for none) of source id, which a reload of a
 * new release of a source must update. @return 0 or -1. */
int kbload_source_describe(struct kbload *k, uint32_t id, const char *name,
			   const char *version);

#endif
