#!/usr/bin/env python3
"""Score CheXpert labels (MIMIC-CXR chexpert CSV layout, as 'medkg labels'
writes) against a hand-labelled fixture (tests/fixtures/iu_chexpert/labels.csv:
uid, split, the 14 observations), per split.

    bench/chexpert_score.py GOLD.csv PRED.csv [--errors SPLIT] [--text REPORTS.csv]

Decisions: one per (report, observation). The classes are positive (1.0),
negative (0.0) and uncertain (-1.0); blank (not mentioned) is no decision.
For a class c, TP = predicted c and gold c, FP = predicted c and gold not c
(another class or blank), FN = gold c and predicted not c. Micro P/R/F1 sum
TP, FP, FN over the three classes (and over the observations); so a
predicted label counts as correct only when it equals the gold label, and a
label where the gold is blank is a false positive. Accuracy counts every
decision, blank included (value equal to the gold's). A report of the
fixture that the predictions lack is all blank.

--errors SPLIT prints that split's disagreements (with --text, the report's
findings and impression): for tuning on dev only.
"""
import csv
import sys

NAMES = ["Atelectasis", "Cardiomegaly", "Consolidation", "Edema",
         "Enlarged Cardiomediastinum", "Fracture", "Lung Lesion", "Lung Opacity",
         "No Finding", "Pleural Effusion", "Pleural Other", "Pneumonia",
         "Pneumothorax", "Support Devices"]
CLASSES = [("positive", "1.0"), ("negative", "0.0"), ("uncertain", "-1.0")]


def norm(v):
    v = (v or "").strip()
    return {1.0: "1.0", 0.0: "0.0", -1.0: "-1.0"}[float(v)] if v else ""


def prf(tp, fp, fn):
    p = tp / (tp + fp) if tp + fp else 0.0
    r = tp / (tp + fn) if tp + fn else 0.0
    f = 2 * p * r / (p + r) if p + r else 0.0
    return p, r, f


def main():
    args = sys.argv[1:]
    errors = text = None
    if "--errors" in args:
        i = args.index("--errors")
        errors = args[i + 1]
        del args[i:i + 2]
    if "--text" in args:
        i = args.index("--text")
        text = args[i + 1]
        del args[i:i + 2]
    if len(args) != 2:
        sys.exit(__doc__)
    gold = list(csv.DictReader(open(args[0], newline="", encoding="utf-8")))
    pred = {r["study_id"]: r for r in csv.DictReader(open(args[1], newline="", encoding="utf-8"))}
    reports = {}
    if text:
        reports = {r["uid"]: r for r in csv.DictReader(open(text, newline="", encoding="utf-8"))}
    for split in ("dev", "test"):
        rows = [g for g in gold if g["split"] == split]
        # count[obs][class] = [tp, fp, fn]
        count = {o: {c: [0, 0, 0] for c, _ in CLASSES} for o in NAMES}
        agree = total = 0
        for g in rows:
            p = pred.get(g["uid"], {})
            for o in NAMES:
                gv, pv = norm(g[o]), norm(p.get(o))
                total += 1
                agree += gv == pv
                for c, v in CLASSES:
                    t = count[o][c]
                    t[0] += pv == v and gv == v
                    t[1] += pv == v and gv != v
                    t[2] += gv == v and pv != v
                if errors == split and gv != pv:
                    print(f"ERR {g['uid']}\t{o}\tgold {gv or 'blank'}\tgot {pv or 'blank'}")
        print(f"{split}: {len(rows)} reports, {total} decisions")
        print(f"  {'observation':27s} {'gold+':>5s} {'gold0':>5s} {'gold?':>5s}"
              f" {'P':>6s} {'R':>6s} {'F1':>6s}")
        tot = [0, 0, 0]
        for o in NAMES:
            s = [sum(count[o][c][k] for c, _ in CLASSES) for k in range(3)]
            tot = [a + b for a, b in zip(tot, s)]
            ng = [count[o][c][0] + count[o][c][2] for c, _ in CLASSES]
            p, r, f = prf(*s)
            print(f"  {o:27s} {ng[0]:5d} {ng[1]:5d} {ng[2]:5d} {p:6.3f} {r:6.3f} {f:6.3f}")
        for c, _ in CLASSES:
            s = [sum(count[o][c][k] for o in NAMES) for k in range(3)]
            p, r, f = prf(*s)
            print(f"  class {c:21s} {'':17s} {p:6.3f} {r:6.3f} {f:6.3f}"
                  f"   (TP {s[0]}, FP {s[1]}, FN {s[2]})")
        p, r, f = prf(*tot)
        print(f"  micro {'':21s} {'':17s} {p:6.3f} {r:6.3f} {f:6.3f}"
              f"   (TP {tot[0]}, FP {tot[1]}, FN {tot[2]})")
        print(f"  accuracy, blank included: {agree / total:.3f} ({agree} of {total})")
        if errors == split and text:
            seen = set()
            for g in rows:
                p = pred.get(g["uid"], {})
                if g["uid"] in seen or all(norm(g[o]) == norm(p.get(o)) for o in NAMES):
                    continue
                seen.add(g["uid"])
                r = reports.get(g["uid"], {})
                print(f"TEXT {g['uid']}: {r.get('findings', '')} || {r.get('impression', '')}")


if __name__ == "__main__":
    main()
