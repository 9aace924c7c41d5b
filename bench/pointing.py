#!/usr/bin/python3
"""Score the pointing game (bench/pointing.sh) on a store that medkg linked.

    pointing.py STORE BOXES_CSV
    pointing.py --sites STORE BOXES_CSV

STORE holds one report per finding (external id = the finding's label in
BOXES_CSV), one frontal image each, linked by medkg. BOXES_CSV is the NIH
list: image, finding, x, y, w, h in pixels of 1024 x 1024 images.

For each finding, over its boxes:
  hit        the box's centre lies in one of the linked regions' boxes
             (the regions table: the image's own boxes, else the atlas);
  share      the area of the union of those regions' boxes, as a share of
             the image;
  recall,    of the mention's stored patch set (mention_patches) against
  precision  the patches of the grid that the box touches (any overlap).
Totals are weighted by boxes. The reference rules of
../shared/data/SOURCES.md (both lungs for every finding; the whole image)
are scored the same way, their patch sets made by the grid rule of
link/grid.h, which is checked here against the stored patch sets.

--sites prints instead, for each finding, the unions of atlas regions of
least area that hold at least 95% of its box centres: the evidence the
finding-site lexicon (data/lexicon/anatomy.txt) was chosen on. A union is
made of units, a sided region with its mirror ("mid lung zone": both) or a
midline one, at most four, none of which it could do without.
"""
import csv
import itertools
import sqlite3
import sys

import numpy as np

SIZE = 1024.0


def union_area(boxes):
    """Exact area of a union of boxes (x1, y1, x2, y2), by coordinate
    compression."""
    if not boxes:
        return 0.0
    xs = sorted({b[0] for b in boxes} | {b[2] for b in boxes})
    ys = sorted({b[1] for b in boxes} | {b[3] for b in boxes})
    cover = np.zeros((len(ys) - 1, len(xs) - 1), dtype=bool)
    for x1, y1, x2, y2 in boxes:
        cover[ys.index(y1):ys.index(y2), xs.index(x1):xs.index(x2)] = True
    w = np.diff(xs)
    h = np.diff(ys)
    return float((cover * np.outer(h, w)).sum())


def grid_box(grid, box):
    """Patches a normalized box covers by link/grid.h's rule: at least half
    of a patch, else the one patch it covers most. (grid, grid) bool."""
    g = float(grid)
    x1, y1, x2, y2 = (min(max(v, 0.0), 1.0) * g for v in box)
    out = np.zeros((grid, grid), dtype=bool)
    if not (x2 > x1 and y2 > y1):
        return out
    best, best_cov = None, 0.0
    for r in range(int(np.floor(y1)), min(int(np.ceil(y2)), grid)):
        oy = min(y2, r + 1) - max(y1, r)
        for c in range(int(np.floor(x1)), min(int(np.ceil(x2)), grid)):
            cov = (min(x2, c + 1) - max(x1, c)) * oy
            if cov >= 0.5 - 1e-9:
                out[r, c] = True
            if cov > best_cov:
                best, best_cov = (r, c), cov
    if not out.any() and best is not None:
        out[best] = True
    return out


def touched(grid, box):
    """Patches a normalized box touches (any overlap). (grid, grid) bool."""
    out = np.zeros((grid, grid), dtype=bool)
    x1, y1, x2, y2 = (v * grid for v in box)
    c0, c1 = int(np.floor(x1)), min(int(np.ceil(x2)), grid)
    r0, r1 = int(np.floor(y1)), min(int(np.ceil(y2)), grid)
    out[r0:r1, c0:c1] = True
    return out


def bits_to_grid(blob, grid):
    n = grid * grid
    b = np.frombuffer(blob, dtype=np.uint8)
    bits = np.unpackbits(b, bitorder="little")[:n]
    return bits.reshape(grid, grid).astype(bool)


def score(rule_boxes, patches, finding_boxes, grid):
    """Per-box hits, recalls, precisions of one rule; and its share."""
    hits, rec, prec = [], [], []
    for b in finding_boxes:
        cx, cy = (b[0] + b[2]) / 2, (b[1] + b[3]) / 2
        hits.append(any(r[0] <= cx <= r[2] and r[1] <= cy <= r[3] for r in rule_boxes))
        t = touched(grid, b)
        inter = float((t & patches).sum())
        rec.append(inter / t.sum())
        prec.append(inter / patches.sum() if patches.any() else 0.0)
    return hits, rec, prec, union_area(rule_boxes)


def read_boxes(boxes_csv):
    """finding -> [normalized (x1, y1, x2, y2)]"""
    by_finding = {}
    with open(boxes_csv, newline="") as f:
        rd = csv.reader(f)
        next(rd)
        for row in rd:
            x, y, w, h = (float(v) for v in row[2:6])
            by_finding.setdefault(row[1], []).append(
                (x / SIZE, y / SIZE, min(x + w, SIZE) / SIZE, min(y + h, SIZE) / SIZE))
    return by_finding


def frontal_atlas(db):
    return {n: (x1, y1, x2, y2) for n, x1, y1, x2, y2 in
            db.execute("SELECT name, x1, y1, x2, y2 FROM regions WHERE image IS NULL "
                       "AND name NOT LIKE '%(lateral view)'")}


def sites(db, by_finding, want=0.95, most=4, show=3):
    atlas = frontal_atlas(db)
    units = {}
    for n in atlas:
        side, _, rest = n.partition(" ")
        if side in ("right", "left") and "right " + rest in atlas and "left " + rest in atlas:
            units[rest] = ["right " + rest, "left " + rest]
        elif n != "whole image":
            units[n] = [n]
    names = sorted(units)
    print("unions of regions (both sides of a sided one) holding >= %.0f%% of the box centres, "
          "least area first" % (want * 100))
    print("%-13s %5s %6s  %s" % ("finding", "hit", "share", "regions"))
    for finding in sorted(by_finding):
        c = np.array([((b[0] + b[2]) / 2, (b[1] + b[3]) / 2) for b in by_finding[finding]])
        inside = {}
        for u in names:
            m = np.zeros(len(c), dtype=bool)
            for r in units[u]:
                x1, y1, x2, y2 = atlas[r]
                m |= (c[:, 0] >= x1) & (c[:, 0] <= x2) & (c[:, 1] >= y1) & (c[:, 1] <= y2)
            inside[u] = m
        hit = {}
        found = []
        for k in range(1, most + 1):
            for combo in itertools.combinations(names, k):
                m = np.zeros(len(c), dtype=bool)
                for u in combo:
                    m |= inside[u]
                hit[combo] = m.mean()
                if hit[combo] < want:
                    continue
                # irreducible: no unit can go
                if any(hit[tuple(v for v in combo if v != u)] >= want for u in combo if k > 1):
                    continue
                found.append((union_area([atlas[r] for u in combo for r in units[u]]),
                              hit[combo], combo))
        found.sort()
        for i, (area, h, combo) in enumerate(found[:show]):
            print("%-13s %5.2f %6.2f  %s" % (finding if i == 0 else "", h, area, " + ".join(combo)))
        if not found:
            print("%-13s none of %d units or fewer" % (finding, most))


def main():
    if sys.argv[1] == "--sites":
        db = sqlite3.connect(sys.argv[2])
        sites(db, read_boxes(sys.argv[3]))
        return
    store, boxes_csv = sys.argv[1], sys.argv[2]
    by_finding = read_boxes(boxes_csv)
    db = sqlite3.connect(store)
    atlas = frontal_atlas(db)
    grid = int(db.execute("SELECT value FROM meta WHERE key = 'link.grid'").fetchone()[0])
    rules = {
        "both lungs": ["right lung", "left lung"],
        "whole image": ["whole image"],
    }
    rule_patches = {}
    for name, regions in rules.items():
        p = np.zeros((grid, grid), dtype=bool)
        for r in regions:
            p |= grid_box(grid, atlas[r])
        rule_patches[name] = p

    rows, totals = [], {"medkg": [[], [], [], []]}
    for name in rules:
        totals[name] = [[], [], [], []]
    checked = mismatched = 0
    for finding in sorted(by_finding):
        fb = by_finding[finding]
        links = db.execute(
            "SELECT m.id, m.surface, group_concat(r.region, '; '), min(r.method), "
            "count(DISTINCT r.method), i.id FROM reports p JOIN mentions m ON m.report = p.id "
            "JOIN mention_regions r ON r.mention = m.id JOIN images i ON i.report = p.id "
            "WHERE p.external_id = ? GROUP BY m.id", (finding,)).fetchall()
        if len(links) != 1:
            sys.exit("%s: %d linked finding mentions, expected 1" % (finding, len(links)))
        mention, surface, regions, method, n_methods, image = links[0]
        regions = sorted(regions.split("; "))
        own = {n: (x1 / w, y1 / h, x2 / w, y2 / h) for n, x1, y1, x2, y2, w, h in db.execute(
            "SELECT r.name, r.x1, r.y1, r.x2, r.y2, i.width, i.height FROM regions r "
            "JOIN images i ON i.id = r.image WHERE r.image = ?", (image,))}
        boxes = [own.get(r, atlas[r]) for r in regions]
        blob, pgrid = db.execute("SELECT patches, grid FROM mention_patches "
                                 "WHERE mention = ? AND image = ?", (mention, image)).fetchone()
        stored = bits_to_grid(blob, pgrid)
        mine = np.zeros((grid, grid), dtype=bool)
        for b in boxes:
            mine |= grid_box(grid, b)
        checked += 1
        mismatched += int((mine != stored).any())
        h, rc, pr, share = score(boxes, stored, fb, grid)
        for k, v in enumerate((h, rc, pr, [share] * len(fb))):
            totals["medkg"][k] += v
        rows.append((finding, len(fb), surface, method if n_methods == 1 else "mixed",
                     "; ".join(regions), np.mean(h), share, np.mean(rc), np.mean(pr)))
        for name, regs in rules.items():
            h, rc, pr, share = score([atlas[r] for r in regs], rule_patches[name], fb, grid)
            for k, v in enumerate((h, rc, pr, [share] * len(fb))):
                totals[name][k] += v

    print("%-13s %5s  %-9s %5s %6s %7s %7s  %s" % ("finding", "boxes", "method", "hit", "share",
                                                   "recall", "precis.", "regions (mention)"))
    for f, n, surface, method, regs, hit, share, rc, pr in rows:
        print("%-13s %5d  %-9s %5.2f %6.2f %7.2f %7.2f  %s (\"%s\")" % (
            f, n, method, hit, share, rc, pr, regs, surface))
    n = len(totals["medkg"][0])
    print("%-13s %5d  %-9s %5.3f %6.3f %7.3f %7.3f  (box-weighted)" % (
        "all", n, "medkg", *(float(np.mean(totals["medkg"][k])) for k in (0, 3, 1, 2))))
    for name in rules:
        t = totals[name]
        print("%-13s %5d  %-9s %5.3f %6.3f %7.3f %7.3f  (reference rule, %s)" % (
            "all", n, "reference", *(float(np.mean(t[k])) for k in (0, 3, 1, 2)),
            "; ".join(rules[name])))
    print("stored patch sets equal to the grid rule over their regions' boxes: %d of %d" % (
        checked - mismatched, checked))
    if mismatched:
        sys.exit(1)


if __name__ == "__main__":
    main()
