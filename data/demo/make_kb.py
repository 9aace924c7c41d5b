#!/usr/bin/env python3
"""Build the medkg demo knowledge base in the UMLS RRF release layout.

Reads kb_source.txt (format described at the top of that file) and writes
MRCONSO.RRF, MRSTY.RRF, MRREL.RRF and MRSAB.RRF into the same directory
(or --out DIR). Then reads the written files back and checks them: field
counts, unique identifiers, every related CUI present, every concept typed,
one preferred atom per concept. Prints counts to stderr.

Python 3 standard library only. The output depends only on the source file:
identifiers (AUI, LUI, SUI, ATUI, RUI) are numbered in source order, so
running it twice gives identical files.

    python3 data/demo/make_kb.py                 # regenerate in place
    python3 data/demo/make_kb.py --check         # only check existing files
    python3 data/demo/make_kb.py --made-up       # list the C9000xxx CUIs
    python3 data/demo/make_kb.py --ambiguous     # strings shared by CUIs
"""

import argparse
import os
import re
import sys
import unicodedata

HERE = os.path.dirname(os.path.abspath(__file__))

# Semantic types used here: TUI -> (STY, STN), as in the UMLS Semantic Network.
SEMANTIC_TYPES = {
    "T019": ("Congenital Abnormality", "A1.2.2.1"),
    "T020": ("Acquired Abnormality", "A1.2.2.2"),
    "T022": ("Body System", "A2.1.4.1"),
    "T023": ("Body Part, Organ, or Organ Component", "A1.2.3.1"),
    "T024": ("Tissue", "A1.2.3.2"),
    "T029": ("Body Location or Region", "A2.1.5.2"),
    "T030": ("Body Space or Junction", "A2.1.5.1"),
    "T033": ("Finding", "A2.2"),
    "T037": ("Injury or Poisoning", "B2.3"),
    "T046": ("Pathologic Function", "B2.2.1.2"),
    "T047": ("Disease or Syndrome", "B2.2.1.2.1"),
    "T055": ("Individual Behavior", "B1.1.2"),
    "T060": ("Diagnostic Procedure", "B1.3.1.2"),
    "T061": ("Therapeutic or Preventive Procedure", "B1.3.1.3"),
    "T074": ("Medical Device", "A1.3.1"),
    "T079": ("Temporal Concept", "A2.1.1"),
    "T080": ("Qualitative Concept", "A2.1.2"),
    "T081": ("Quantitative Concept", "A2.1.3"),
    "T082": ("Spatial Concept", "A2.1.5"),
    "T184": ("Sign or Symptom", "A2.2.2"),
    "T190": ("Anatomical Abnormality", "A1.2.2"),
    "T191": ("Neoplastic Process", "B2.2.1.2.1.2"),
}

# Statement "S rel O" -> two MRREL rows. MRREL's REL and RELA give the
# relationship of CUI2 to CUI1, so the row that reads "S rel O" has CUI2=S,
# CUI1=O; its inverse row has CUI1=S, CUI2=O.
#   name: (REL, RELA of the row CUI1=O,CUI2=S;  REL, RELA of CUI1=S,CUI2=O)
RELATIONS = {
    "isa": ("CHD", "isa", "PAR", "inverse_isa"),
    "narrower_than": ("RN", "", "RB", ""),
    "part_of": ("RO", "part_of", "RO", "has_part"),
    "has_finding_site": ("RO", "has_finding_site", "RO", "finding_site_of"),
    "has_laterality": ("RO", "has_laterality", "RO", "laterality_of"),
    "has_location": ("RO", "has_location", "RO", "location_of"),
    "associated_with": ("RO", "associated_with", "RO", "associated_with"),
    "has_associated_morphology": ("RO", "has_associated_morphology",
                                  "RO", "associated_morphology_of"),
    "due_to": ("RO", "due_to", "RO", "cause_of"),
    "has_procedure_site": ("RO", "has_procedure_site",
                           "RO", "procedure_site_of"),
}

SOURCES = {
    # RSAB: (VSAB, SON, TTYL, code prefix)
    "MEDKG": ("MEDKG2026", "medkg chest radiology demo vocabulary",
              "PT,SY", "MK"),
    "MEDKGRAD": ("MEDKGRAD2026",
                 "medkg chest radiology demo vocabulary, radiologist shorthand",
                 "AB,SY", "MKR"),
}

FIELDS = {
    "MRCONSO.RRF": ["CUI", "LAT", "TS", "LUI", "STT", "SUI", "ISPREF", "AUI",
                    "SAUI", "SCUI", "SDUI", "SAB", "TTY", "CODE", "STR", "SRL",
                    "SUPPRESS", "CVF"],
    "MRSTY.RRF": ["CUI", "TUI", "STN", "STY", "ATUI", "CVF"],
    "MRREL.RRF": ["CUI1", "AUI1", "STYPE1", "REL", "CUI2", "AUI2", "STYPE2",
                  "RELA", "RUI", "SRUI", "SAB", "SL", "RG", "DIR", "SUPPRESS",
                  "CVF"],
    "MRSAB.RRF": ["VCUI", "RCUI", "VSAB", "RSAB", "SON", "SF", "SVER",
                  "VSTART", "VEND", "IMETA", "RMETA", "SLC", "SCC", "SRL",
                  "TFR", "CFR", "CXTY", "TTYL", "ATNL", "LAT", "CENC",
                  "CURVER", "SABIN", "SSN", "SCIT"],
}

MADE_UP_FIRST, MADE_UP_LAST = 9000001, 9000999

# Lexical normalization for LUIs, in the spirit of the UMLS "luinorm":
# case, punctuation, diacritics, a few stop words, plurals, word order.
STOP_WORDS = {"of", "the", "and", "with", "for", "to", "in", "by", "on", "at",
              "a", "an", "nos"}
IRREGULAR = {
    "apices": "apex", "hila": "hilum", "bronchi": "bronchus", "atria": "atrium",
    "pleurae": "pleura", "scapulae": "scapula", "axillae": "axilla",
    "vertebrae": "vertebra", "humeri": "humerus", "bullae": "bulla",
    "granulomata": "granuloma", "emboli": "embolus", "metastases": "metastasis",
    "fibroses": "fibrosis", "kyphoses": "kyphosis", "atelectases": "atelectasis",
    "bronchiectases": "bronchiectasis", "thoracenteses": "thoracentesis",
    "bronchitides": "bronchitis", "pneumothoraces": "pneumothorax",
    "hemothoraces": "hemothorax", "hydropneumothoraces": "hydropneumothorax",
    "hemithoraces": "hemithorax", "prostheses": "prosthesis",
    "pneumopericardia": "pneumopericardium",
}


class SourceError(Exception):
    pass


def fail(path, lineno, msg):
    raise SourceError("%s:%d: %s" % (path, lineno, msg))


def singular(w):
    if w in IRREGULAR:
        return IRREGULAR[w]
    if len(w) > 4 and w.endswith("ies"):
        return w[:-3] + "y"
    if len(w) > 4 and (w.endswith("sses") or w.endswith("ches")
                       or w.endswith("shes") or w.endswith("xes")):
        return w[:-2]
    if len(w) > 3 and w.endswith("s") and not w.endswith(("ss", "us", "is")):
        return w[:-1]
    return w


def lui_key(lat, s):
    s = unicodedata.normalize("NFKD", s)
    s = "".join(c for c in s if not unicodedata.combining(c)).lower()
    s = s.replace("'s ", " ")
    words = [w for w in re.split(r"[^0-9a-z]+", s) if w and w not in STOP_WORDS]
    return lat + "|" + " ".join(sorted(singular(w) for w in words))


def split_list(col):
    return [t.strip() for t in col.split(";") if t.strip()]


def parse_term(path, lineno, t):
    """'{O}name' -> (name, LAT, SUPPRESS)."""
    lat, suppress = "ENG", "N"
    m = re.match(r"^\{(O|E|FRE|SPA)\}\s*(.*)$", t)
    if m:
        tag, t = m.group(1), m.group(2)
        if tag in ("O", "E"):
            suppress = tag
        else:
            lat = tag
    if not t:
        fail(path, lineno, "empty term")
    if "|" in t or "{" in t or "}" in t:
        fail(path, lineno, "bad character in term '%s'" % t)
    return t, lat, suppress


def read_source(path):
    """Return (concepts, statements).

    concepts: list of dict(cui, tuis, name, atoms=[(sab, tty, str, lat, sup)])
    statements: list of (lineno, subject name, relation, object name)
    """
    concepts, statements = [], []
    section = None
    with open(path, encoding="utf-8") as f:
        for lineno, raw in enumerate(f, 1):
            line = raw.rstrip("\n").strip()
            if not line or line.startswith("#"):
                continue
            if line in ("[concepts]", "[relations]"):
                section = line[1:-1]
                continue
            cols = [c.strip() for c in line.split("|")]
            if section == "concepts":
                if len(cols) < 3 or len(cols) > 6:
                    fail(path, lineno, "expected 3 to 6 columns, found %d"
                         % len(cols))
                cols += [""] * (6 - len(cols))
                cui, tuis, name, sy, ab, rsy = cols
                if not re.match(r"^C\d{7}$", cui):
                    fail(path, lineno, "bad CUI '%s'" % cui)
                tuis = [t.strip() for t in tuis.split(",") if t.strip()]
                if not tuis:
                    fail(path, lineno, "no semantic type")
                for t in tuis:
                    if t not in SEMANTIC_TYPES:
                        fail(path, lineno, "unknown semantic type '%s'" % t)
                pt, lat, sup = parse_term(path, lineno, name)
                if lat != "ENG" or sup != "N":
                    fail(path, lineno, "preferred name must be plain English")
                atoms = [("MEDKG", "PT", pt, "ENG", "N")]
                for sab, tty, col in (("MEDKG", "SY", sy),
                                      ("MEDKGRAD", "AB", ab),
                                      ("MEDKGRAD", "SY", rsy)):
                    for t in split_list(col):
                        s, lat, sup = parse_term(path, lineno, t)
                        atoms.append((sab, tty, s, lat, sup))
                seen = set()
                for a in atoms:
                    k = (a[0], a[2])
                    if k in seen:
                        fail(path, lineno, "term '%s' twice in %s" % (a[2], a[0]))
                    seen.add(k)
                if pt in [a[2] for a in atoms[1:]]:
                    fail(path, lineno, "preferred name repeated as a synonym")
                concepts.append(dict(cui=cui, tuis=tuis, name=pt, atoms=atoms,
                                     lineno=lineno))
            elif section == "relations":
                if len(cols) != 3:
                    fail(path, lineno, "expected 3 columns, found %d" % len(cols))
                subj, rel, objs = cols
                if rel not in RELATIONS:
                    fail(path, lineno, "unknown relation '%s'" % rel)
                for o in split_list(objs):
                    statements.append((lineno, subj, rel, o))
            else:
                fail(path, lineno, "line outside a section")
    return concepts, statements


def build(concepts, statements, path):
    by_cui, by_name = {}, {}
    for c in concepts:
        if c["cui"] in by_cui:
            fail(path, c["lineno"], "duplicate CUI %s" % c["cui"])
        if c["name"] in by_name:
            fail(path, c["lineno"], "duplicate preferred name '%s'" % c["name"])
        by_cui[c["cui"]] = c
        by_name[c["name"]] = c

    # Identifiers, numbered in source order.
    luis, suis = {}, {}
    n_aui = 0
    conso = []      # rows as lists
    pt_aui = {}     # CUI -> AUI of its MEDKG PT atom
    for c in concepts:
        cui = c["cui"]
        pref_lui = None
        lui_pf = {}         # LUI -> SUI of its preferred form in this concept
        sui_pref = set()    # SUIs that already have ISPREF=Y in this concept
        rows = []
        for sab, tty, s, lat, sup in c["atoms"]:
            lk = lui_key(lat, s)
            if lk not in luis:
                luis[lk] = "L%07d" % (8000001 + len(luis))
            lui = luis[lk]
            sk = (lat, s)
            if sk not in suis:
                suis[sk] = "S%07d" % (8000001 + len(suis))
            sui = suis[sk]
            n_aui += 1
            aui = "A%07d" % (8000000 + n_aui)
            if pref_lui is None:
                pref_lui = lui
            ts = "P" if lui == pref_lui else "S"
            if lui not in lui_pf:
                lui_pf[lui] = sui
            stt = "PF" if lui_pf[lui] == sui else "VO"
            ispref = "N" if sui in sui_pref else "Y"
            sui_pref.add(sui)
            code = SOURCES[sab][3] + cui[1:]
            if tty == "PT":
                pt_aui[cui] = aui
            rows.append([cui, lat, ts, lui, stt, sui, ispref, aui, "", code,
                         "", sab, tty, code, s, "0", sup, ""])
        conso.extend(rows)

    sty = []
    n_atui = 0
    for c in concepts:
        for t in c["tuis"]:
            n_atui += 1
            name, stn = SEMANTIC_TYPES[t]
            sty.append([c["cui"], t, stn, name, "AT%08d" % (80000000 + n_atui),
                        ""])

    rel = []
    seen = set()
    n_rui = 0
    for lineno, subj, r, obj in statements:
        for nm in (subj, obj):
            if nm not in by_name:
                fail(path, lineno, "no concept named '%s'" % nm)
        s, o = by_name[subj]["cui"], by_name[obj]["cui"]
        if s == o:
            fail(path, lineno, "relation of '%s' to itself" % subj)
        key = (s, r, o)
        if key in seen:
            fail(path, lineno, "duplicate statement %s %s %s" % (subj, r, obj))
        seen.add(key)
        fwd_rel, fwd_rela, inv_rel, inv_rela = RELATIONS[r]
        for cui1, cui2, rl, rla, d in ((o, s, fwd_rel, fwd_rela, "Y"),
                                       (s, o, inv_rel, inv_rela, "N")):
            n_rui += 1
            rel.append([cui1, pt_aui[cui1], "SCUI", rl, cui2, pt_aui[cui2],
                        "SCUI", rla, "R%08d" % (80000000 + n_rui), "",
                        "MEDKG", "MEDKG", "", d, "N", ""])

    # isa must not loop.
    parents = {}
    for lineno, subj, r, obj in statements:
        if r == "isa":
            parents.setdefault(by_name[subj]["cui"], []).append(
                by_name[obj]["cui"])
    state = {}

    def visit(u, trail):
        if state.get(u) == 2:
            return
        if state.get(u) == 1:
            raise SourceError("isa cycle: %s" % " -> ".join(
                by_cui[x]["name"] for x in trail + [u]))
        state[u] = 1
        for p in parents.get(u, []):
            visit(p, trail + [u])
        state[u] = 2
    for u in list(parents):
        visit(u, [])

    sab = []
    for rsab, (vsab, son, ttyl, _) in SOURCES.items():
        atoms = [r for r in conso if r[11] == rsab]
        tfr = len(atoms)
        cfr = len({r[0] for r in atoms})
        sab.append(["", "", vsab, rsab, son, rsab, "2026", "", "", "2026AA", "",
                    "medkg project", "medkg project", "0", str(tfr), str(cfr),
                    "", ttyl, "", "ENG", "UTF-8", "Y", "Y", son,
                    son + ", version 2026; bundled with medkg as demo data."])

    conso.sort(key=lambda r: (r[0], r[7]))
    sty.sort(key=lambda r: (r[0], r[1]))
    rel.sort(key=lambda r: (r[0], r[4], r[8]))
    return {"MRCONSO.RRF": conso, "MRSTY.RRF": sty, "MRREL.RRF": rel,
            "MRSAB.RRF": sab}


def write_rrf(path, rows):
    with open(path, "w", encoding="utf-8", newline="\n") as f:
        for r in rows:
            f.write("|".join(r) + "|\n")


def read_rrf(path, nfields):
    rows = []
    with open(path, encoding="utf-8", newline="") as f:
        data = f.read()
    if data and not data.endswith("\n"):
        raise SourceError("%s: no newline at end of file" % path)
    for lineno, line in enumerate(data.split("\n")[:-1], 1):
        if "\r" in line:
            raise SourceError("%s:%d: carriage return" % (path, lineno))
        if not line.endswith("|"):
            raise SourceError("%s:%d: no trailing '|'" % (path, lineno))
        f = line[:-1].split("|")
        if len(f) != nfields:
            raise SourceError("%s:%d: expected %d fields, found %d"
                              % (path, lineno, nfields, len(f)))
        rows.append(f)
    return rows


def check(outdir):
    """Re-read the four files and check them. Returns a dict of counts."""
    t = {name: read_rrf(os.path.join(outdir, name), len(cols))
         for name, cols in FIELDS.items()}
    conso, sty, rel, sab = (t["MRCONSO.RRF"], t["MRSTY.RRF"], t["MRREL.RRF"],
                            t["MRSAB.RRF"])
    errs = []

    def uniq(rows, i, what):
        vals = [r[i] for r in rows]
        if len(vals) != len(set(vals)):
            errs.append("duplicate %s" % what)

    uniq(conso, 7, "AUI in MRCONSO")
    uniq(sty, 4, "ATUI in MRSTY")
    uniq(rel, 8, "RUI in MRREL")
    aui_cui = {r[7]: r[0] for r in conso}
    cuis = set(aui_cui.values())
    sui_str, lui_of_sui = {}, {}
    for r in conso:
        cui, lat, ts, lui, stt, sui, ispref, aui = r[:8]
        if not re.match(r"^C\d{7}$", cui): errs.append("bad CUI " + cui)
        if not re.match(r"^L\d{7}$", lui): errs.append("bad LUI " + lui)
        if not re.match(r"^S\d{7}$", sui): errs.append("bad SUI " + sui)
        if not re.match(r"^A\d{7}$", aui): errs.append("bad AUI " + aui)
        if ts not in "PS" or stt not in ("PF", "VO") or ispref not in "YN":
            errs.append("bad TS/STT/ISPREF on " + aui)
        if r[11] not in SOURCES: errs.append("unknown SAB on " + aui)
        if r[16] not in ("N", "O", "E"): errs.append("bad SUPPRESS on " + aui)
        if sui_str.setdefault(sui, (lat, r[14])) != (lat, r[14]):
            errs.append("SUI %s names two strings" % sui)
        if lui_of_sui.setdefault(sui, lui) != lui:
            errs.append("SUI %s in two LUIs" % sui)
    if len({v for v in sui_str.values()}) != len(sui_str):
        errs.append("one string with two SUIs")
    # Exactly one preferred atom (TS=P, STT=PF, ISPREF=Y, MEDKG PT) per CUI.
    pref = {}
    for r in conso:
        if r[2] == "P" and r[4] == "PF" and r[6] == "Y" and r[11] == "MEDKG":
            pref.setdefault(r[0], []).append(r)
    for c in cuis:
        p = pref.get(c, [])
        if len(p) != 1 or p[0][12] != "PT":
            errs.append("%s: %d preferred atoms" % (c, len(p)))
    typed = {r[0] for r in sty}
    for c in cuis - typed: errs.append("%s has no MRSTY row" % c)
    for c in typed - cuis: errs.append("MRSTY %s not in MRCONSO" % c)
    for r in sty:
        if r[1] not in SEMANTIC_TYPES or SEMANTIC_TYPES[r[1]] != (r[3], r[2]):
            errs.append("bad semantic type row for %s" % r[0])
    pairs = set()
    for r in rel:
        for cui, aui in ((r[0], r[1]), (r[4], r[5])):
            if cui not in cuis: errs.append("MRREL CUI %s not in MRCONSO" % cui)
            if aui_cui.get(aui) != cui:
                errs.append("MRREL AUI %s not an atom of %s" % (aui, cui))
        if r[10] not in SOURCES: errs.append("unknown SAB in MRREL " + r[8])
        pairs.add((r[0], r[3], r[7], r[4]))
    inverse = {}
    for fr, fa, ir, ia in RELATIONS.values():
        inverse[(fr, fa)] = (ir, ia)
        inverse[(ir, ia)] = (fr, fa)
    for c1, rl, rla, c2 in pairs:
        ir, ia = inverse.get((rl, rla), (None, None))
        if (c2, ir, ia, c1) not in pairs:
            errs.append("no inverse for %s %s %s %s" % (c1, rl, rla, c2))
    for r in sab:
        atoms = [a for a in conso if a[11] == r[3]]
        if r[14] != str(len(atoms)) or r[15] != str(len({a[0] for a in atoms})):
            errs.append("MRSAB counts wrong for " + r[3])
    if errs:
        raise SourceError("check failed:\n  " + "\n  ".join(errs[:50]))
    return {
        "concepts": len(cuis),
        "made-up concepts": sum(1 for c in cuis
                                if MADE_UP_FIRST <= int(c[1:]) <= MADE_UP_LAST),
        "atoms": len(conso),
        "atoms MEDKG": sum(1 for r in conso if r[11] == "MEDKG"),
        "atoms MEDKGRAD": sum(1 for r in conso if r[11] == "MEDKGRAD"),
        "distinct strings (SUI)": len(sui_str),
        "terms (LUI)": len({r[3] for r in conso}),
        "non-English atoms": sum(1 for r in conso if r[1] != "ENG"),
        "suppressed atoms (O/E)": sum(1 for r in conso if r[16] != "N"),
        "semantic types used": len({r[1] for r in sty}),
        "MRSTY rows": len(sty),
        "concepts with two types": sum(1 for c in cuis
                                       if sum(1 for r in sty if r[0] == c) > 1),
        "MRREL rows": len(rel),
        "relationships (row pairs)": len(rel) // 2,
        "MRSAB rows": len(sab),
    }


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--source", default=os.path.join(HERE, "kb_source.txt"))
    ap.add_argument("--out", default=HERE)
    ap.add_argument("--check", action="store_true",
                    help="only check the existing RRF files")
    ap.add_argument("--made-up", action="store_true",
                    help="print the made-up CUIs (C9000001-C9000999) and exit")
    ap.add_argument("--ambiguous", action="store_true",
                    help="print normalized strings that name several concepts")
    args = ap.parse_args()
    try:
        if not args.check:
            concepts, statements = read_source(args.source)
            if args.made_up:
                for c in concepts:
                    if MADE_UP_FIRST <= int(c["cui"][1:]) <= MADE_UP_LAST:
                        print("%s\t%s" % (c["cui"], c["name"]))
                return 0
            if args.ambiguous:
                names = {}
                for c in concepts:
                    for a in c["atoms"]:
                        names.setdefault(lui_key(a[3], a[2]), set()).add(
                            c["name"])
                for k in sorted(names):
                    if len(names[k]) > 1:
                        print("%s\t%s" % (k, "; ".join(sorted(names[k]))))
                return 0
            tables = build(concepts, statements, args.source)
            for name, rows in tables.items():
                write_rrf(os.path.join(args.out, name), rows)
        counts = check(args.out)
    except (SourceError, OSError) as e:
        print("make_kb: %s" % e, file=sys.stderr)
        return 1
    for k, v in counts.items():
        print("%-28s %d" % (k, v), file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
