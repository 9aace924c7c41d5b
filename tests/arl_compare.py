#!/usr/bin/env python3
"""Compare an export in ARL's layout with the independent reference.

    /usr/bin/python3 tests/arl_compare.py STORE EXPORT REFDIR

REFDIR is what tests/arl_reference.py wrote for STORE (with the export's
threshold and views, and --use-file). Checks, one line each ("ok NAME" or
"FAIL NAME: why"), then "N passed, N failed"; exit status 1 on a failure:

  - entity2id.txt, relation2id.txt, train2id.txt byte-identical;
  - every sample of the export is the reference's sample for its image
    (texts, text_entities, image_entities), and the reference has no sample
    the export lacks but for images whose file is missing;
  - every entity span: texts[i][start:end] is the stored mention's words
    (its text in reports.text, whitespace collapsed), Python string indices;
  - no sample of a view outside the export's views;
  - chexpert: 14 values in {0, 1} on every sample (dataset mimic_cxr), and
    the labels CSV has MIMIC-CXR's header and values in {1.0, 0.0, -1.0, ''}.
"""
import csv
import json
import os
import re
import sqlite3
import sys

HEADER = ["subject_id", "study_id", "Atelectasis", "Cardiomegaly", "Consolidation", "Edema",
          "Enlarged Cardiomediastinum", "Fracture", "Lung Lesion", "Lung Opacity", "No Finding",
          "Pleural Effusion", "Pleural Other", "Pneumonia", "Pneumothorax", "Support Devices"]

results = []


def check(name, ok, why=""):
    results.append(ok)
    print(("ok %s" % name) if ok else ("FAIL %s: %s" % (name, why)))


def main(store, export, ref):
    manifest = json.load(open(os.path.join(export, "manifest.json"), encoding="utf-8"))
    params = manifest["parameters"]
    dataset = params.get("dataset", "mimic_cxr")
    views = set(params.get("views") or [])
    for f in ("entity2id.txt", "relation2id.txt", "train2id.txt"):
        a = open(os.path.join(export, "knowledge", f), "rb").read()
        b = open(os.path.join(ref, f), "rb").read()
        check("knowledge " + f, a == b, "differs from the reference (%d and %d bytes)"
              % (len(a), len(b)))

    data = json.load(open(os.path.join(export, "pretrain_data", dataset + ".json"),
                          encoding="utf-8"))
    check("splits", sorted(data) == ["test", "train", "val"], "keys %s" % sorted(data))
    # the reference names an image as the store does (its file when the link
    # stage found it, else its path); the export, by the file it found
    refs = {}
    for line in open(os.path.join(ref, "samples.jsonl"), encoding="utf-8"):
        s = json.loads(line)
        refs[os.path.basename(s["img_path"])] = s
    db = sqlite3.connect(store)
    view_of = {os.path.basename(f): v
               for f, v in db.execute("SELECT coalesce(file, path), view FROM images")}
    seen, bad, bad_span, bad_view, bad_cx = set(), [], [], [], []
    for split in ("train", "val", "test"):
        for s in data.get(split, []):
            p = os.path.basename(s["img_path"])
            seen.add(p)
            r = refs.get(p)
            if r is None:
                bad.append("%s: no such sample in the reference" % p)
                continue
            for k in ("texts", "text_entities", "image_entities"):
                if s[k] != r[k]:
                    bad.append("%s: %s differs" % (p, k))
            if view_of.get(p) not in views:
                bad_view.append(p)
            for text, ents in zip(s["texts"], s["text_entities"]):
                for start, end, _ in ents:
                    span = text[start:end]
                    if not span or span != span.strip() or re.search(r"\s\s", span):
                        bad_span.append("%r in %r" % (span, text[:40]))
            if dataset == "mimic_cxr":
                c = s.get("chexpert")
                if not (isinstance(c, list) and len(c) == 14 and all(v in (0, 1) for v in c)):
                    bad_cx.append("%s: %r" % (p, c))
    missing = [p for p, r in refs.items() if p not in seen and os.path.isfile(r["img_path"])]
    check("samples", not bad and not missing,
          "; ".join(bad[:3] + ["%s: in the reference only" % m for m in missing[:3]]))
    check("views", not bad_view, "%d samples of other views, e.g. %s" % (len(bad_view),
                                                                       bad_view[:1]))
    # every span against the store: the words of a mention of its report
    words = set()
    for text, start, end in db.execute(
            "SELECT r.text, m.start, m.end FROM mentions m JOIN reports r ON r.id = m.report"):
        words.add(re.sub(r"\s+", " ", text[start:end].strip()))
    spans = [text[a:b] for split in data.values() for s in split
             for text, ents in zip(s["texts"], s["text_entities"]) for a, b, _ in ents]
    unknown = [w for w in spans if w not in words]
    check("spans", not bad_span and not unknown and spans,
          "%d spans, %d malformed (%s), %d not a mention's words (%s)"
          % (len(spans), len(bad_span), bad_span[:1], len(unknown), unknown[:1]))
    if dataset == "mimic_cxr":
        check("chexpert column", not bad_cx, "; ".join(bad_cx[:3]))
        rows = list(csv.reader(open(os.path.join(export, "pretrain_data",
                                                 dataset + "_chexpert.csv"), encoding="utf-8")))
        vals = {v for r in rows[1:] for v in r[2:]}
        check("labels csv", rows and rows[0] == HEADER and vals <= {"1.0", "0.0", "-1.0", ""}
              and all(len(r) == 16 for r in rows[1:]),
              "header %s, values %s" % (rows[0][:3] if rows else None, sorted(vals)[:6]))
    n_fail = results.count(False)
    print("%d passed, %d failed" % (len(results) - n_fail, n_fail))
    return 1 if n_fail else 0


if __name__ == "__main__":
    if len(sys.argv) != 4:
        sys.exit(__doc__)
    sys.exit(main(*sys.argv[1:]))
