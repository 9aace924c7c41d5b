-- medkg store schema, version 1 (PRAGMA user_version).
--
-- One SQLite file holds everything a knowledge-enhanced vision-and-language
-- trainer needs: the knowledge base (concepts, terms, semantic types,
-- sources, relations, triples), the reports and what was extracted from them
-- (mentions, regions, links), embeddings, and a log of every command that
-- wrote to it. This file is compiled into medkg and applied when a new store
-- is created; changes to an existing store go through the numbered
-- migrations in store/store.c, and user_version says which have run.
--
-- Identifiers: integer primary keys are medkg's own and stay stable across
-- reloads of the same knowledge (concepts keep their id by CUI).

-- Key/value facts about the store: loaded releases, fingerprints, versions.
CREATE TABLE meta (
	key   TEXT PRIMARY KEY,
	value TEXT NOT NULL
) WITHOUT ROWID;

---------------------------------------------------------------- knowledge

-- A knowledge source (UMLS SAB, or MSH / an OBO ontology loaded directly).
CREATE TABLE sources (
	id          INTEGER PRIMARY KEY,
	sab         TEXT NOT NULL,          -- root source abbreviation (RSAB)
	name        TEXT,                   -- official name (SON)
	version     TEXT,                   -- source version (SVER)
	family      TEXT,                   -- source family (SF)
	language    TEXT,                   -- LAT
	restriction INTEGER,                -- licence restriction level (SRL)
	kb          TEXT NOT NULL,          -- which loader owns it: umls, mesh, obo
	UNIQUE (sab, kb)
);

-- Semantic types (UMLS Semantic Network), or a source's own categories.
CREATE TABLE semtypes (
	id   INTEGER PRIMARY KEY,
	tui  TEXT NOT NULL UNIQUE,          -- T047, or a category code
	name TEXT NOT NULL,                 -- Disease or Syndrome
	stn  TEXT,                          -- tree number, B2.2.1.2.1
	kb   TEXT NOT NULL                  -- which loader owns it: umls, mesh, obo
);

-- A concept: a UMLS CUI, or another source's identifier when unmapped.
CREATE TABLE concepts (
	id   INTEGER PRIMARY KEY,
	cui  TEXT NOT NULL UNIQUE,
	name TEXT NOT NULL                  -- preferred name
);

CREATE TABLE concept_semtypes (
	concept INTEGER NOT NULL REFERENCES concepts(id) ON DELETE CASCADE,
	semtype INTEGER NOT NULL REFERENCES semtypes(id),
	PRIMARY KEY (concept, semtype)
) WITHOUT ROWID;

-- A name of a concept in one source. norm is str normalized by
-- common/normalize.c (the same function extraction applies to text). norm
-- is deliberately not indexed: the extraction dictionary, built from this
-- table and cached in the store, is the index of normalized terms; an
-- index here would cost a third of a full UMLS load.
CREATE TABLE terms (
	concept   INTEGER NOT NULL REFERENCES concepts(id) ON DELETE CASCADE,
	id        INTEGER NOT NULL,           -- unique; assigned in load order
	str       TEXT NOT NULL,
	norm      TEXT NOT NULL,
	source    INTEGER NOT NULL REFERENCES sources(id),
	tty       TEXT NOT NULL DEFAULT '', -- term type: PT, SY, AB, ...
	code      TEXT NOT NULL DEFAULT '', -- the source's own code for it
	lang      TEXT NOT NULL DEFAULT 'ENG',
	preferred INTEGER NOT NULL DEFAULT 0, -- 1: the concept's preferred name in the source
	suppress  TEXT NOT NULL DEFAULT 'N',  -- N, or O/E/Y when loaded with --keep-suppressed
	scope     TEXT NOT NULL DEFAULT '',   -- synonym scope (OBO: EXACT, RELATED, ...)
	-- Clustered by concept: a concept's names are read together, and a
	-- release sorted by CUI is appended in key order, with no index to build.
	PRIMARY KEY (concept, id)
) WITHOUT ROWID;

-- A relation name: RELA where the source gives one, else REL.
CREATE TABLE relations (
	id   INTEGER PRIMARY KEY,
	name TEXT NOT NULL UNIQUE,          -- isa, has_finding_site, RB, ...
	rel  TEXT NOT NULL                  -- UMLS REL class of its first use: PAR, CHD, RO, ...
);

-- Concept-level triples "head relation tail", deduplicated. From UMLS MRREL
-- a row (CUI1, REL, CUI2, RELA) gives head = CUI2, tail = CUI1: the release
-- defines REL/RELA as the relationship of the second concept to the first.
CREATE TABLE triples (
	head     INTEGER NOT NULL REFERENCES concepts(id) ON DELETE CASCADE,
	relation INTEGER NOT NULL REFERENCES relations(id),
	tail     INTEGER NOT NULL REFERENCES concepts(id) ON DELETE CASCADE,
	source   INTEGER NOT NULL REFERENCES sources(id),
	PRIMARY KEY (head, relation, tail, source)
) WITHOUT ROWID;
CREATE INDEX triples_tail ON triples(tail);

-- Cross-references from one source's identifiers to another's (OBO xrefs).
CREATE TABLE xrefs (
	concept INTEGER NOT NULL REFERENCES concepts(id) ON DELETE CASCADE,
	target  TEXT NOT NULL,              -- e.g. UMLS:C0032285, MESH:D011014
	source  INTEGER NOT NULL REFERENCES sources(id),
	PRIMARY KEY (concept, target, source)
) WITHOUT ROWID;

---------------------------------------------------------------- reports

CREATE TABLE reports (
	id          INTEGER PRIMARY KEY,
	source      TEXT NOT NULL,          -- input collection (file or directory label)
	external_id TEXT NOT NULL,          -- the report's own id (CXR1, s50414267)
	hash        TEXT NOT NULL,          -- content hash of the report text
	text        TEXT NOT NULL,          -- the report as read, sections concatenated
	sections    TEXT NOT NULL DEFAULT '[]', -- JSON [[name, start, end], ...], character offsets into text
	split       TEXT,                   -- train / val / test when the input says
	ingested    TEXT NOT NULL,          -- UTC time of the (re-)extraction
	-- Its mentions: the ids mention_first .. mention_first + mention_count - 1
	-- (store/mentions.h). Extraction gives a report's mentions consecutive
	-- ids, never used before, so that they are read by one range of the
	-- table's own key; a range may hold gaps (mentions of concepts a
	-- knowledge-base reload removed).
	mention_first INTEGER NOT NULL DEFAULT 0,
	mention_count INTEGER NOT NULL DEFAULT 0,
	UNIQUE (source, external_id)
);

CREATE TABLE images (
	id       INTEGER PRIMARY KEY,
	report   INTEGER NOT NULL REFERENCES reports(id) ON DELETE CASCADE,
	path     TEXT NOT NULL,
	view     TEXT,                      -- PA, AP, LATERAL, ...
	width    INTEGER,
	height   INTEGER,
	file     TEXT,                      -- the file found for it (medkg link --images)
	UNIQUE (report, path)
);

-- A concept found in a report. start/end are character (Unicode code point)
-- offsets into reports.text, so substr(text, start + 1, end - start) in
-- SQLite and text[start:end] in Python are the surface text. section is the
-- section's canonical name (findings, impression, ..., report).
--
-- Written by one process at millions of rows, the table has no index but
-- its key: a report's mentions are the range of ids its row names
-- (reports.mention_first, mention_count), and ids only grow (meta
-- mentions.next: the first id no mention has had, kept by every medkg
-- writer; not AUTOINCREMENT, which cost a third of extraction's inserts),
-- so that what came after a point (link's high-water marks) is a range too.
-- report and concept carry no foreign keys, which SQLite could only enforce
-- through an index on each: extraction and knowledge-base loads delete the
-- mentions of what they replace themselves.
CREATE TABLE mentions (
	id         INTEGER PRIMARY KEY,
	report     INTEGER NOT NULL,        -- reports.id
	concept    INTEGER NOT NULL,        -- concepts.id
	section    TEXT NOT NULL,
	sentence   INTEGER NOT NULL,        -- 0-based sentence number in the report
	start      INTEGER NOT NULL,
	end        INTEGER NOT NULL,
	surface    TEXT NOT NULL,
	-- OR chains, not IN (...): SQLite builds a temporary b-tree for an IN
	-- list on every insert, measurable at millions of rows.
	polarity   TEXT NOT NULL CHECK (polarity = 'affirmed' OR polarity = 'negated' OR polarity = 'uncertain'),
	historical INTEGER NOT NULL DEFAULT 0,
	-- the strength of a hedge on it (extract/context.h): possible hedges make
	-- the polarity uncertain, probable ones ("consistent with") do not
	hedge      TEXT NOT NULL DEFAULT 'definite' CHECK (hedge = 'definite' OR hedge = 'probable' OR hedge = 'possible'),
	-- said in a recommendation or a condition ("correlate clinically for",
	-- "if"): never affirmed
	hypothetical INTEGER NOT NULL DEFAULT 0,
	-- How it was recognized (extract/recognize.h):
	term       INTEGER,                 -- terms.id of the term it matched (a variant's, or a
	                                    -- defined short form's long form's, term)
	match      TEXT NOT NULL DEFAULT 'term', -- term, a variant's classes ("spelling",
	                                    -- "inversion+spelling"), or abbreviation (a short
	                                    -- form the report defines)
	candidates INTEGER NOT NULL DEFAULT 1, -- concepts its string can name (1: unambiguous)
	decided    TEXT NOT NULL DEFAULT '', -- when ambiguous: abbreviation, document, semtype, rule
	modifiers  TEXT NOT NULL DEFAULT '', -- modifier words before it, kept out of its span
	modifiers_start INTEGER             -- where its span starts with them (NULL: none)
);

-- Anatomical regions (link/atlas.c): the 29 regions of the Chest ImaGenome
-- scene graphs and "whole image". The atlas rows (image NULL) hold
-- normalized boxes in [0,1] for frontal (PA/AP) views, x to the right of the
-- image (the patient's left), y down; rows with image set hold that image's
-- own boxes in pixels (medkg link --boxes), which override the atlas.
CREATE TABLE regions (
	id    INTEGER PRIMARY KEY,
	name  TEXT NOT NULL,                -- right lung, cardiac silhouette, whole image
	image INTEGER REFERENCES images(id) ON DELETE CASCADE,
	x1 REAL NOT NULL, y1 REAL NOT NULL, x2 REAL NOT NULL, y2 REAL NOT NULL,
	UNIQUE (name, image)
);
-- UNIQUE (name, image) lets atlas rows (image NULL) repeat: this does not.
CREATE UNIQUE INDEX regions_key ON regions(name, ifnull(image, 0));
CREATE INDEX regions_image ON regions(image);

-- A finding mention tied to an anatomical region (one row per region: a
-- bibasilar finding has two), and how: 'sentence' (anatomy named in its
-- sentence), 'kb' (a finding-site relation of the knowledge base), 'lexicon'
-- (the finding-site lexicon), 'default' (the whole image).
CREATE TABLE mention_regions (
	mention INTEGER NOT NULL REFERENCES mentions(id) ON DELETE CASCADE,
	region  TEXT NOT NULL,              -- region name (regions.name)
	-- (OR, not IN: SQLite evaluates an IN list through a temporary b-tree,
	-- opened for every row inserted)
	method  TEXT NOT NULL CHECK (method = 'sentence' OR method = 'kb' OR
				     method = 'lexicon' OR method = 'default'),
	PRIMARY KEY (mention, region)
) WITHOUT ROWID;

-- A linked mention on one image of its report: the patches of the
-- trainer's grid that its regions cover. patches is a bitset over
-- grid * grid patches, row-major (patch r * grid + c is bit (r * grid + c) % 8
-- of byte (r * grid + c) / 8, least significant bit first). geometry says
-- where the boxes came from: the atlas of the image's view (frontal, or the
-- lateral one), the image's own boxes, the whole image (unknown view, or a
-- region with no lateral-view regions in the lexicon), or a mix of these.
CREATE TABLE mention_patches (
	mention   INTEGER NOT NULL REFERENCES mentions(id) ON DELETE CASCADE,
	image     INTEGER NOT NULL REFERENCES images(id) ON DELETE CASCADE,
	geometry  TEXT NOT NULL CHECK (geometry = 'atlas' OR geometry = 'boxes' OR
				       geometry = 'whole' OR geometry = 'mixed'),
	grid      INTEGER NOT NULL,         -- patches per side
	n_patches INTEGER NOT NULL,         -- bits set in patches
	patches   BLOB NOT NULL,            -- (grid * grid + 7) / 8 bytes
	PRIMARY KEY (mention, image)
) WITHOUT ROWID;
CREATE INDEX mention_patches_image ON mention_patches(image);

-- Extraction dictionaries (extract/dict.h): the knowledge base's normalized
-- terms, filtered, as a serialized token trie, zstd-compressed and stored in
-- chunks. key identifies what it was built from: the knowledge base (meta
-- kb.fingerprint), the normalizer version, the trie format and the filters;
-- extraction rebuilds a dictionary whose key no longer matches.
CREATE TABLE dictionaries (
	id             INTEGER PRIMARY KEY,
	key            TEXT NOT NULL UNIQUE,
	kb_fingerprint TEXT NOT NULL,
	normalizer     INTEGER NOT NULL,   -- NORMALIZER_VERSION
	format         INTEGER NOT NULL,   -- DICT_FORMAT
	filters        TEXT NOT NULL,      -- sab=...;tui=... (canonical)
	n_entries      INTEGER NOT NULL,   -- distinct normalized terms
	n_nodes        INTEGER NOT NULL,
	bytes          INTEGER NOT NULL,   -- uncompressed size
	compressed     INTEGER NOT NULL,
	created        TEXT NOT NULL,
	n_terms        INTEGER NOT NULL DEFAULT 0,  -- terms read to build it
	rules          TEXT NOT NULL DEFAULT '{}'   -- JSON: terms each rule removed or
	                                           -- restricted, variants added (dict_store.h)
);

CREATE TABLE dictionary_chunks (
	dictionary INTEGER NOT NULL REFERENCES dictionaries(id) ON DELETE CASCADE,
	seq        INTEGER NOT NULL,
	data       BLOB NOT NULL,
	PRIMARY KEY (dictionary, seq)
);

---------------------------------------------------------------- embeddings

CREATE TABLE embedding_models (
	id       INTEGER PRIMARY KEY,
	kind     TEXT NOT NULL,             -- transe
	dim      INTEGER NOT NULL,
	norm     TEXT NOT NULL,             -- l1, l2
	params   TEXT NOT NULL,             -- JSON: every training setting
	entities TEXT NOT NULL,             -- JSON: how the entity set was chosen
	metrics  TEXT,                      -- JSON: link-prediction results
	parent   INTEGER REFERENCES embedding_models(id), -- incremental: the model extended
	created  TEXT NOT NULL
);

-- One vector per concept (kind 'e') or relation (kind 'r'): dim float32,
-- little-endian, in a BLOB.
CREATE TABLE embeddings (
	model  INTEGER NOT NULL REFERENCES embedding_models(id) ON DELETE CASCADE,
	kind   TEXT NOT NULL CHECK (kind = 'e' OR kind = 'r'),
	item   INTEGER NOT NULL,            -- concepts.id or relations.id (-relations.id: the
	                                    -- inverse relation of a model trained with reciprocal relations)
	vector BLOB NOT NULL,
	PRIMARY KEY (model, kind, item)
) WITHOUT ROWID;

-- The mean training loss of each epoch of a model (its loss curve), as
-- 'medkg embed' and 'medkg build' record it.
CREATE TABLE embedding_epochs (
	model  INTEGER NOT NULL REFERENCES embedding_models(id) ON DELETE CASCADE,
	epoch  INTEGER NOT NULL,            -- 1-based
	loss   REAL NOT NULL,               -- mean loss per training query
	PRIMARY KEY (model, epoch)
) WITHOUT ROWID;

---------------------------------------------------------------- log

-- One row per command that changed the store (only committed work is here).
CREATE TABLE ingest_log (
	id       INTEGER PRIMARY KEY,
	command  TEXT NOT NULL,             -- load umls, extract, ...
	target   TEXT,                      -- input path(s)
	params   TEXT,                      -- JSON of the options that matter
	started  TEXT NOT NULL,
	finished TEXT NOT NULL,
	seconds  REAL NOT NULL,
	rows_read    INTEGER NOT NULL DEFAULT 0,
	rows_written INTEGER NOT NULL DEFAULT 0,
	rows_skipped INTEGER NOT NULL DEFAULT 0,
	note     TEXT
);

-- One row per pipeline stage that completed ('medkg build', 'medkg ingest';
-- pipeline/build.h). key is a hash of everything the stage depends on: the
-- fingerprints of its input files, its settings and the keys of the stages
-- before it. 'medkg build' skips a stage whose latest build row has the key
-- it would run with, and so resumes after an interruption from the first
-- stage that did not complete.
CREATE TABLE stage_runs (
	id       INTEGER PRIMARY KEY,
	command  TEXT NOT NULL,             -- build, ingest
	stage    TEXT NOT NULL,             -- load, extract, link, embed, export
	key      TEXT NOT NULL,
	inputs   TEXT NOT NULL,             -- what the key hashes, one line per setting or input
	config   TEXT NOT NULL,             -- the configuration file
	started  TEXT NOT NULL,
	finished TEXT NOT NULL,
	seconds  REAL NOT NULL,
	summary  TEXT                       -- JSON: what the stage did (counts)
);
CREATE INDEX stage_runs_stage ON stage_runs(stage, command);
