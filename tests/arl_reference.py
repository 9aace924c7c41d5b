#!/usr/bin/env python3
"""ARL's entity numbering and filtering, re-implemented over a medkg store.

    /usr/bin/python3 tests/arl_reference.py STORE OUTDIR [--threshold 20]
        [--views PA,AP,Frontal] [--per-source] [--use-file]
    /usr/bin/python3 tests/arl_reference.py --self-test

An independent reference (standard library only) for the export of a medkg
store in the form ARL's pre-training prepro leaves before make_arrow (ARL:
zhjohnchan/ARL on GitHub, prepro/prepro_pretraining_data.py, "P" below;
the specification with line references is kept outside the repository).
It writes into OUTDIR:

    entity2id.txt    "N\\n", then "CUI\\tid\\tname\\n" in id order   (P:270-273)
    relation2id.txt  "M\\n", then "name\\tid\\n" in id order         (P:275-278)
    train2id.txt     "T\\n", then "h\\tt\\tr\\n" in knowledge order  (P:265-268)
    samples.jsonl    one frontal image sample per line: img_path, texts,
                     text_entities ([start, end, id] per mention, per text),
                     image_entities (sorted unique ids), and for reading
                     only: report_id, image_view, split

ARL's rules (P = prepro_pretraining_data.py at commit 527fe06):
  - texts: impression, then findings (P:211-214); each re.sub(r"\\s+", " ",
    text.strip()) (P:215); kept iff len(text.split()) >= 3 (P:216); a sample
    with no text left is dropped (P:218)
  - frontal: ViewPosition in ["PA", "AP"], exact (P:199)
  - count: one per mention, per text, per image sample, over every split
    (P:230-237); vocabulary: count > threshold (P:239)
  - knowledge: a triple is kept iff head and tail are in the vocabulary; no
    deduplication (P:246-255)
  - entities: Counter over the heads and tails of the kept triples, sorted by
    (count, CUI) with reverse=True, id = rank (P:257-259); relations: Counter
    over their names, sorted by (count, name) reverse=True (P:260-262)
  - filter_datas: mentions of non-entities dropped, image_entities =
    sorted(set(ids)), samples never dropped (P:283-293)

Decisions where a medkg store is not ARL's input (also in the report):
  1. Samples: one per images row whose view equals one of --views exactly
     (case-sensitive). Default PA,AP,Frontal: MIMIC's ViewPosition values
     PA and AP as ARL, and 'Frontal', which IU X-ray's projections.csv gives
     its frontal images (PA/AP not told apart) and MIMIC never uses, so a
     MIMIC store is selected exactly as ARL does. NULL or empty views,
     LATERAL, Lateral, LL, 'AP AXIAL', 'PA LLD' and the like are not
     frontal (medkg link's broader view test is not ARL's).
  2. Texts: a report's impression text is reports.text[start:end] of the
     *last* section named exactly 'impression' in reports.sections, and
     likewise for 'findings' (MIMIC-CXR's create_section_files.py, which
     made the CSV ARL read, keeps the last section of a title). No other
     section is used: a report with only 'report' (no headings), or only
     indication/comparison/technique, has no text and gives no sample.
  3. Mentions of a text: every mentions row of the report whose [start, end)
     lies within the section's span (start < end), whatever its polarity
     (affirmed, negated, uncertain) and historical flag: ARL's extractor
     (scispaCy NER + UMLS linker) has no negation, so ARL counts and keeps
     every mention. mentions.section is not consulted; offsets decide.
  4. Offsets: medkg's are code point offsets into reports.text; they are
     mapped through the strip and the collapse to offsets into the
     collapsed text: a mention is first trimmed to its non-whitespace
     extent (spaCy spans never begin or end with whitespace), start = the
     collapsed index of its first character, end = 1 + that of its last
     (exclusive, as spaCy's end_char). A mention of whitespace only is
     dropped, and so is one of a single collapsed character (ARL drops
     one-character entities, P:26). Dropped mentions are not counted.
  5. Samples of every split count, reports with no split too (ARL counts
     train, val and test). The split is reported for reading only:
     reports.split named as medkg's split_from_name does, else null (the C
     export draws one; this reference does not).
  6. Knowledge base: the triples table. One line per distinct (head,
     relation, tail), in ascending (head, relation, tail) id order, i.e. the
     table's primary key order with the source collapsed ("knowledge-base
     order"); --per-source keeps one line per row (head, relation, tail,
     source), as a per-source dump such as MRREL would repeat it. head is
     column 0 of ARL's train_umls.txt, tail column 1, relation column 3.
     Self-loops are kept and count twice for their concept.
  7. Relation name = relations.name; entity name = concepts.name (ARL wrote
     scispaCy's canonical name). Tabs, CR and LF in written names and CUIs
     become spaces (a newline would shift ARL's line-based readers); sorting
     uses the stored strings (Python str order = code point order = the
     byte order of UTF-8).
  8. text_entities of a text are ordered by (start, end, entity id) (ARL's
     are in extractor order, i.e. by start; spans do not overlap there).
  9. img_path = images.path as stored; --use-file takes coalesce(file, path)
     (the file medkg link found), which is what make_arrow must open.
 10. Samples are written in reports.id, then images.id order (ARL's order,
     metadata CSV order, does not affect any number).
 11. No chexpert column: the store holds no CheXpert labels, and ARL's drop
     of studies without a chexpert row cannot be reproduced here.
"""

import argparse
import json
import os
import re
import sqlite3
import sys
from collections import Counter

WS = re.compile(r"\s+")
SPLITS = {"train": "train", "training": "train", "val": "val", "valid": "val",
          "validation": "val", "validate": "val", "dev": "val", "test": "test",
          "testing": "test"}
DEFAULT_VIEWS = "PA,AP,Frontal"


def collapse(raw):
    """ARL's re.sub(r"\\s+", " ", raw.strip()), and for every character of
    raw its index in the result (None: removed by the strip or the collapse).
    @return (collapsed, cmap) with len(cmap) == len(raw)."""
    stripped = raw.strip()
    lead = len(raw) - len(raw.lstrip())
    cmap = [None] * len(raw)
    out = []
    pos = 0
    i = 0
    for m in WS.finditer(stripped):
        for k in range(i, m.start()):
            cmap[lead + k] = pos
            pos += 1
        out.append(stripped[i:m.start()])
        cmap[lead + m.start()] = pos  # the run becomes one space
        pos += 1
        out.append(" ")
        i = m.end()
    for k in range(i, len(stripped)):
        cmap[lead + k] = pos
        pos += 1
    out.append(stripped[i:])
    collapsed = "".join(out)
    assert collapsed == WS.sub(" ", raw.strip()) and pos == len(collapsed)
    return collapsed, cmap


def map_span(raw, cmap, s, e):
    """Offsets [s, e) into raw -> [start, end) into the collapsed text, the
    span trimmed to its non-whitespace extent; None if nothing is left."""
    ks = [k for k in range(s, e) if not raw[k].isspace()]
    if not ks:
        return None
    return cmap[ks[0]], cmap[ks[-1]] + 1


def clean(s):
    return s.replace("\t", " ").replace("\n", " ").replace("\r", " ")


def last_section(sections, name, n_chars, report):
    span = None
    for sec in sections:
        if (not isinstance(sec, list) or len(sec) < 3 or not isinstance(sec[0], str)
                or not isinstance(sec[1], int) or not isinstance(sec[2], int)
                or not 0 <= sec[1] <= sec[2] <= n_chars):
            raise SystemExit(f"report {report}: sections is not a JSON array of "
                             f"[name, start, end] within the text")
        if sec[0] == name:
            span = (sec[1], sec[2])
    return span


def build(conn, threshold=20, views=DEFAULT_VIEWS.split(","), per_source=False,
          use_file=False):
    """@return (entities, relations, edges, samples, stats): entities a list
    of (cui, name) in id order, relations a list of names in id order, edges
    (h, t, r) id triples in knowledge order, samples dicts as written."""
    views = set(views)
    cols = {r[1] for r in conn.execute("PRAGMA table_info(images)")}
    path_sql = "coalesce(file, path)" if use_file and "file" in cols else "path"
    concepts = {cid: (cui, name) for cid, cui, name in
                conn.execute("SELECT id, cui, name FROM concepts")}
    images = {}
    for rep, iid, path, view in conn.execute(
            f"SELECT report, id, {path_sql}, view FROM images ORDER BY report, id"):
        images.setdefault(rep, []).append((iid, path, view))
    mentions = {}
    for rep, mid, concept, start, end in conn.execute(
            "SELECT report, id, concept, start, end FROM mentions ORDER BY report, id"):
        mentions.setdefault(rep, []).append((mid, concept, start, end))

    stats = Counter()
    samples = []  # (sample dict without ids, [cui per text mention lists])
    for rid, ext, text, sections, split in conn.execute(
            "SELECT id, external_id, text, sections, split FROM reports ORDER BY id"):
        stats["reports"] += 1
        try:
            secs = json.loads(sections)
        except ValueError:
            secs = None
        if not isinstance(secs, list):
            raise SystemExit(f"report {rid}: sections is not a JSON array")
        texts = []
        for name in ("impression", "findings"):
            span = last_section(secs, name, len(text), rid)
            if span is None:
                continue
            raw = text[span[0]:span[1]]
            collapsed, cmap = collapse(raw)
            if len(collapsed.split()) < 3:
                stats["texts_under_3_words"] += 1
                continue
            ents = []
            for mid, concept, start, end in mentions.get(rid, []):
                if not (span[0] <= start < end <= span[1]):
                    continue
                mapped = map_span(raw, cmap, start - span[0], end - span[0])
                if mapped is None or mapped[1] - mapped[0] == 1:
                    stats["mentions_one_char_or_blank"] += 1
                    continue
                ents.append((mapped[0], mapped[1], concept))
            texts.append((collapsed, ents))
        if not texts:
            stats["reports_without_text"] += 1
            continue
        frontal = [im for im in images.get(rid, []) if im[2] in views]
        stats["images_not_frontal"] += len(images.get(rid, [])) - len(frontal)
        for iid, path, view in frontal:
            samples.append({"img_path": path, "texts": [t for t, _ in texts],
                            "mentions": [e for _, e in texts], "report_id": ext,
                            "image_view": view,
                            "split": SPLITS.get((split or "").lower())})

    # create_entity_vocab: every mention of every text of every sample
    count = Counter(concepts[c][0] for s in samples for ents in s["mentions"]
                    for _, _, c in ents)
    vocab = {cui for cui, n in count.items() if n > threshold}
    stats["vocabulary"] = len(vocab)

    relnames = dict(conn.execute("SELECT id, name FROM relations"))
    rows = conn.execute("SELECT head, relation, tail, source FROM triples "
                        "ORDER BY head, relation, tail, source").fetchall()
    if not per_source:
        seen, distinct = set(), []
        for h, r, t, _ in rows:
            if (h, r, t) not in seen:
                seen.add((h, r, t))
                distinct.append((h, r, t, None))
        rows = distinct
    kept = []
    for h, r, t, _ in rows:
        hc, tc = concepts[h][0], concepts[t][0]
        if hc in vocab and tc in vocab:
            kept.append((hc, tc, relnames[r], h))
    ent_count = Counter()
    for hc, tc, _, _ in kept:
        ent_count[hc] += 1
        ent_count[tc] += 1
    ent_order = sorted(ent_count.items(), key=lambda kv: (kv[1], kv[0]), reverse=True)
    entity2id = {cui: i for i, (cui, _) in enumerate(ent_order)}
    rel_order = sorted(Counter(r for _, _, r, _ in kept).items(),
                       key=lambda kv: (kv[1], kv[0]), reverse=True)
    relation2id = {name: i for i, (name, _) in enumerate(rel_order)}
    edges = [(entity2id[hc], entity2id[tc], relation2id[r]) for hc, tc, r, _ in kept]
    name_of = {cui: name for cui, name in concepts.values()}
    entities = [(cui, name_of[cui]) for cui, _ in ent_order]
    relations = [name for name, _ in rel_order]

    # filter_datas
    out = []
    for s in samples:
        tes = []
        for ents in s["mentions"]:
            te = sorted([a, b, entity2id[concepts[c][0]]] for a, b, c in ents
                        if concepts[c][0] in entity2id)
            tes.append(te)
        out.append({"img_path": s["img_path"], "texts": s["texts"], "text_entities": tes,
                    "image_entities": sorted({e[2] for te in tes for e in te}),
                    "report_id": s["report_id"], "image_view": s["image_view"],
                    "split": s["split"]})
    stats["samples"] = len(out)
    stats["mentions_counted"] = sum(count.values())
    return entities, relations, edges, out, stats


def write(outdir, entities, relations, edges, samples):
    os.makedirs(outdir, exist_ok=True)

    def w(name, lines):
        with open(os.path.join(outdir, name), "w", encoding="utf-8", newline="\n") as f:
            f.write(f"{len(lines)}\n")
            for line in lines:
                f.write(line + "\n")

    w("train2id.txt", [f"{h}\t{t}\t{r}" for h, t, r in edges])
    w("entity2id.txt", [f"{clean(c)}\t{i}\t{clean(n)}" for i, (c, n) in enumerate(entities)])
    w("relation2id.txt", [f"{clean(n)}\t{i}" for i, n in enumerate(relations)])
    with open(os.path.join(outdir, "samples.jsonl"), "w", encoding="utf-8", newline="\n") as f:
        for s in samples:
            f.write(json.dumps(s, ensure_ascii=False) + "\n")


# ------------------------------------------------------------ self-test

SELF_TEST_SCHEMA = """
CREATE TABLE concepts (id INTEGER PRIMARY KEY, cui TEXT NOT NULL UNIQUE, name TEXT NOT NULL);
CREATE TABLE relations (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, rel TEXT NOT NULL);
CREATE TABLE triples (head INTEGER, relation INTEGER, tail INTEGER, source INTEGER,
                      PRIMARY KEY (head, relation, tail, source)) WITHOUT ROWID;
CREATE TABLE reports (id INTEGER PRIMARY KEY, source TEXT, external_id TEXT, hash TEXT,
                      text TEXT NOT NULL, sections TEXT NOT NULL DEFAULT '[]', split TEXT,
                      ingested TEXT);
CREATE TABLE images (id INTEGER PRIMARY KEY, report INTEGER, path TEXT, view TEXT,
                     width INTEGER, height INTEGER, file TEXT);
CREATE TABLE mentions (id INTEGER PRIMARY KEY, report INTEGER, concept INTEGER, section TEXT,
                       sentence INTEGER, start INTEGER, end INTEGER, surface TEXT,
                       polarity TEXT, historical INTEGER DEFAULT 0);
"""


def self_test():
    conn = sqlite3.connect(":memory:")
    conn.executescript(SELF_TEST_SCHEMA)
    # CUIs chosen so that ties show the descending CUI order
    conn.executemany("INSERT INTO concepts VALUES (?, ?, ?)", [
        (1, "C0000001", "alpha"), (2, "C0000002", "beta"), (3, "C0000003", "gamma\tg"),
        (4, "C0000004", "delta"), (5, "C0000005", "eps"), (6, "C0000006", "zeta"),
        (7, "C0000007", "eta")])
    conn.executemany("INSERT INTO relations VALUES (?, ?, ?)",
                     [(1, "isa", "PAR"), (2, "ro", "RO"), (3, "zz", "RO")])
    conn.executemany("INSERT INTO triples VALUES (?, ?, ?, ?)", [
        (1, 1, 2, 1), (1, 1, 2, 2),   # one triple from two sources
        (2, 2, 3, 1), (3, 3, 3, 1),   # a self-loop
        (1, 2, 4, 1),                 # 4 is not in the vocabulary
        (2, 1, 1, 1),
        (6, 1, 1, 1), (7, 3, 1, 1)])  # 6 and 7 are
    reports = [
        # 1: two frontal images and a lateral one: its mentions count twice
        (1, "R1", "INDICATION: alpha.\nFINDINGS:  alpha  and\n beta seen here.\n"
                  "IMPRESSION: No gamma, alpha.", "train"),
        # 2: the impression has 2 words (dropped with its mention)
        (2, "R2", "FINDINGS: delta and gamma and eps.\nIMPRESSION: No delta.", "validate"),
        # 3: an IU-style 'Frontal' image, no split
        (3, "R3", "FINDINGS: gamma with zeta and eta; x here.", None),
        # 4: lateral only
        (4, "R4", "FINDINGS: alpha alpha alpha alpha alpha.", "test"),
        # 5: no heading
        (5, "R5", "alpha alpha alpha alpha", "test"),
    ]
    secs = {}
    for rid, ext, text, split in reports:
        # a section runs from after its heading to the next heading
        heads = sorted((text.find(h), name, h) for name, h in (
            ("indication", "INDICATION: "), ("findings", "FINDINGS: "),
            ("impression", "IMPRESSION: ")) if h in text)
        spans = [[name, at + len(h), heads[i + 1][0] if i + 1 < len(heads) else len(text)]
                 for i, (at, name, h) in enumerate(heads)]
        if rid == 5:
            spans = [["report", 0, len(text)]]
        secs[rid] = spans
        conn.execute("INSERT INTO reports(id, external_id, text, sections, split) "
                     "VALUES (?, ?, ?, ?, ?)", (rid, ext, text, json.dumps(spans), split))
    conn.executemany("INSERT INTO images(id, report, path, view) VALUES (?, ?, ?, ?)", [
        (1, 1, "img/r1_pa.png", "PA"), (2, 1, "img/r1_lat.png", "LATERAL"),
        (3, 1, "img/r1_ap.png", "AP"), (4, 2, "img/r2.png", "PA"),
        (5, 3, "img/r3.png", "Frontal"), (6, 4, "img/r4.png", "Lateral"),
        (7, 5, "img/r5.png", "PA"), (8, 2, "img/r2_axial.png", "AP AXIAL")])

    def occ(rid, word, nth=0, concept=None, pol="affirmed"):
        text = [r[2] for r in reports if r[0] == rid][0]
        at = -1
        for _ in range(nth + 1):
            at = text.find(word, at + 1)
        assert at >= 0, (rid, word, nth)
        return (rid, concept, at, at + len(word), pol)

    ms = [occ(1, "alpha", 0, 1),            # indication: not a text
          occ(1, "alpha", 1, 1),            # findings
          occ(1, "alpha  and\n beta", 0, 2),  # findings, spans the collapsed runs
          occ(1, "gamma", 0, 3, "negated"),  # impression, negated: counted
          occ(1, "alpha", 2, 1, "uncertain"),
          occ(2, "delta", 0, 4), occ(2, "gamma", 0, 3), occ(2, "eps", 0, 5),
          occ(2, "delta", 1, 4),            # in the 2-word impression
          occ(3, "gamma", 0, 3), occ(3, "zeta", 0, 6), occ(3, "eta", 1, 7),
          occ(3, "x", 0, 1),                # one character: dropped
          occ(4, "alpha", 0, 1), occ(4, "alpha", 1, 1), occ(5, "alpha", 0, 1)]
    conn.executemany("INSERT INTO mentions(report, concept, start, end, polarity) "
                     "VALUES (?, ?, ?, ?, ?)", [(m[0], m[1], m[2], m[3], m[4]) for m in ms])
    # each report names its range of mention ids (store/mentions.h)
    conn.execute("UPDATE reports SET mention_first = s.first, mention_count = s.n FROM "
                 "(SELECT report, min(id) AS first, max(id) - min(id) + 1 AS n FROM mentions "
                 "GROUP BY report) s WHERE s.report = reports.id")

    # counts per concept over the samples (R1 x2: PA, AP; R2 x1; R3 x1):
    #   alpha(1): R1 findings 1 + impression 1 = 2 per sample -> 4
    #   beta(2):  1 per R1 sample -> 2;  gamma(3): R1 1 x2 + R2 1 + R3 1 = 4
    #   delta(4): 1 (R2 findings; the impression was dropped); eps(5): 1
    #   zeta(6): 1; eta(7): 1
    # threshold 1 -> vocabulary alpha, beta, gamma (count > 1)
    ents, rels, edges, samples, _ = build(conn, threshold=1)
    # kept triples, distinct, in (head, relation, tail) order:
    #   (1 isa 2), (2 isa 1), (2 ro 3), (3 zz 3); not (1 ro 4), (6 isa 1), (7 zz 1)
    # entity occurrences: alpha 2, beta 3, gamma 3 (the self-loop twice):
    #   beta and gamma tie, CUI descending -> gamma 0, beta 1, alpha 2
    assert ents == [("C0000003", "gamma\tg"), ("C0000002", "beta"),
                    ("C0000001", "alpha")], ents
    # relations: isa 2, then ro 1 and zz 1 by name descending
    assert rels == ["isa", "zz", "ro"], rels
    assert edges == [(2, 1, 0), (1, 2, 0), (1, 0, 2), (0, 0, 1)], edges
    # threshold 0 keeps every concept counted; zeta, eta and delta join in
    ents0, rels0, edges0, _, _ = build(conn, threshold=0)
    #   alpha 5, gamma 3, beta 3, delta 1, zeta 1, eta 1 (eps: no triple)
    assert [c for c, _ in ents0] == ["C0000001", "C0000003", "C0000002", "C0000007",
                                     "C0000006", "C0000004"], ents0
    assert rels0 == ["isa", "zz", "ro"] and len(edges0) == 7, (rels0, edges0)
    # --per-source: the triple given by two sources is two lines, two counts:
    #   alpha 3, beta 4, gamma 3 -> beta, gamma, alpha
    ents_p, _, edges_p, _, _ = build(conn, threshold=1, per_source=True)
    assert [c for c, _ in ents_p] == ["C0000002", "C0000003", "C0000001"], ents_p
    assert len(edges_p) == 5 and edges_p[0] == edges_p[1], edges_p
    # the threshold is strict: beta's count is 2, so threshold 2 drops it;
    # alpha stays in the vocabulary but is in no kept triple: no id
    ents2, _, edges2, _, _ = build(conn, threshold=2)
    assert [c for c, _ in ents2] == ["C0000003"] and edges2 == [(0, 0, 0)], ents2
    # samples: R1 PA, R1 AP, R2 PA, R3 Frontal; not lateral, AP AXIAL, R4, R5
    assert [s["img_path"] for s in samples] == ["img/r1_pa.png", "img/r1_ap.png",
                                               "img/r2.png", "img/r3.png"], samples
    s1 = samples[0]
    assert s1["texts"] == ["No gamma, alpha.", "alpha and beta seen here."], s1
    # impression: gamma [3, 8) -> entity 0, alpha [10, 15) -> entity 2;
    # findings: alpha [0, 5), "alpha and beta" [0, 14) (collapsed) -> beta 1
    assert s1["text_entities"] == [[[3, 8, 0], [10, 15, 2]], [[0, 5, 2], [0, 14, 1]]], s1
    assert s1["image_entities"] == [0, 1, 2] and s1["split"] == "train", s1
    s3 = samples[2]
    assert s3["texts"] == ["delta and gamma and eps."], s3
    assert s3["text_entities"] == [[[10, 15, 0]]] and s3["image_entities"] == [0], s3
    assert s3["split"] == "val", s3
    s4 = samples[3]
    assert s4["text_entities"] == [[[0, 5, 0]]] and s4["split"] is None, s4
    # offsets map through the collapse: surface = text[start:end]
    for s in samples:
        for t, te in zip(s["texts"], s["text_entities"]):
            for a, b, _ in te:
                assert t[a:b] == t[a:b].strip() and len(t[a:b]) > 1, (t, a, b)
    # collapse agrees with ARL's expression on Unicode whitespace
    raw = "\u00a0 a\u2003\u2003b\x1c c\n"
    col, cmap = collapse(raw)
    assert col == re.sub(r"\s+", " ", raw.strip()) == "a b c", col
    assert map_span(raw, cmap, 2, 6) == (0, 3) and map_span(raw, cmap, 0, 2) is None
    # files
    import tempfile
    with tempfile.TemporaryDirectory() as d:
        write(d, ents, rels, edges, samples)
        e2i = open(os.path.join(d, "entity2id.txt"), "rb").read()
        assert e2i == b"3\nC0000003\t0\tgamma g\nC0000002\t1\tbeta\nC0000001\t2\talpha\n", e2i
        r2i = open(os.path.join(d, "relation2id.txt"), "rb").read()
        assert r2i == b"3\nisa\t0\nzz\t1\nro\t2\n", r2i
        t2i = open(os.path.join(d, "train2id.txt"), "rb").read()
        assert t2i == b"4\n2\t1\t0\n1\t2\t0\n1\t0\t2\n0\t0\t1\n", t2i
        lines = open(os.path.join(d, "samples.jsonl"), encoding="utf-8").read().splitlines()
        assert [json.loads(x) for x in lines] == samples
    print("arl_reference self-test: 1 passed, 0 failed")


def main(argv):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("store", nargs="?")
    ap.add_argument("outdir", nargs="?")
    ap.add_argument("--threshold", type=int, default=20,
                    help="keep concepts counted more than this (ARL: 20)")
    ap.add_argument("--views", default=DEFAULT_VIEWS,
                    help="comma-separated images.view values that are frontal, "
                         "matched exactly (default %(default)s)")
    ap.add_argument("--per-source", action="store_true",
                    help="one knowledge line per triples row (head, relation, tail, "
                         "source) instead of per distinct (head, relation, tail)")
    ap.add_argument("--use-file", action="store_true",
                    help="img_path = coalesce(images.file, images.path)")
    ap.add_argument("--self-test", action="store_true")
    a = ap.parse_args(argv)
    if a.self_test:
        self_test()
        return 0
    if not a.store or not a.outdir:
        ap.error("STORE and OUTDIR are required")
    if not os.path.exists(a.store):
        ap.error(f"{a.store}: no such store")
    conn = sqlite3.connect(f"file:{a.store}?mode=ro", uri=True)
    ents, rels, edges, samples, stats = build(conn, a.threshold,
                                              [v for v in a.views.split(",") if v],
                                              a.per_source, a.use_file)
    write(a.outdir, ents, rels, edges, samples)
    print(f"{a.outdir}: {len(ents)} entities, {len(rels)} relations, {len(edges)} triples, "
          f"{len(samples)} samples ({stats['vocabulary']} concepts counted more than "
          f"{a.threshold} times, {stats['mentions_counted']} mentions counted)",
          file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
