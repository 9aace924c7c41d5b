#!/usr/bin/env python3
"""Finish a medkg export in ARL's layout inside ARL's own environment.

    arl_prepare.py OUT --arl ARL_DIR

OUT is what `medkg train export --layout arl OUT` wrote: ARL's data/
directory as ARL's prepro leaves it just before make_arrow. This script,
run with the Python of ARL's environment (torch, pandas, pyarrow, tqdm:
ARL's requirements):

1. writes OUT/knowledge/ent_embeddings.ckpt with torch.save, as OpenKE's
   TransE checkpoint holds it (a state dict: zero_const, pi_const,
   ent_embeddings.weight (n_ent, 256), rel_embeddings.weight (n_rel, 256),
   float32), from OUT/knowledge/{ent,rel}_embeddings.npy; ARL's AlignHead
   reads ["ent_embeddings.weight"];
2. imports make_arrow from ARL_DIR/prepro (ARL's own code, not a copy)
   and writes OUT/pretrain_arrows_umls/<dataset>_{train,val,test}.arrow
   with make_arrow_mimic_cxr (dataset mimic_cxr) or make_arrow (others)
   from OUT/pretrain_data/<dataset>.json, then records what it made them
   from (the manifest's hashes) in OUT/pretrain_arrows_umls/medkg.json.

Without pyarrow (or pandas, tqdm) it writes the checkpoint and stops with
exit status 3, naming what is missing. Exit status 2: bad arguments or a
bad export or ARL directory; 1: ARL's make_arrow failed.
"""
import argparse
import collections
import hashlib
import importlib
import json
import os
import sys


def fail(status, msg):
    print(f"arl_prepare: {msg}", file=sys.stderr)
    sys.exit(status)


def read_manifest(out):
    path = os.path.join(out, "manifest.json")
    try:
        with open(path, encoding="utf-8") as f:
            m = json.load(f)
    except (OSError, ValueError) as e:
        fail(2, f"{path}: not a medkg export ({e})")
    params = m.get("parameters", {})
    if params.get("layout") != "arl":
        fail(2, f"{out}: exported in the {params.get('layout', 'medkg')} layout: export with "
                "'medkg train export --layout arl'")
    return m, params.get("dataset", "mimic_cxr")


def write_checkpoint(out):
    import numpy as np
    import torch
    k = os.path.join(out, "knowledge")
    ent = np.load(os.path.join(k, "ent_embeddings.npy"))
    rel = np.load(os.path.join(k, "rel_embeddings.npy"))
    if ent.dtype != np.float32 or ent.ndim != 2 or ent.shape[1] != 256:
        fail(2, f"{k}/ent_embeddings.npy: {ent.dtype} {ent.shape}: ARL needs float32 (n, 256)")
    with open(os.path.join(k, "entity2id.txt"), encoding="utf-8") as f:
        n = int(f.readline())
    if ent.shape[0] != n:
        fail(2, f"{k}: {ent.shape[0]} entity vectors for {n} entities")
    state = collections.OrderedDict()
    # OpenKE's BaseModule constants, then TransE's two embedding tables
    state["zero_const"] = torch.tensor([0.0])
    state["pi_const"] = torch.tensor([3.14159265358979323846])
    state["ent_embeddings.weight"] = torch.from_numpy(np.ascontiguousarray(ent))
    state["rel_embeddings.weight"] = torch.from_numpy(np.ascontiguousarray(rel))
    path = os.path.join(k, "ent_embeddings.ckpt")
    tmp = path + ".tmp"
    torch.save(state, tmp)
    os.replace(tmp, path)
    print(f"wrote {path}: ent_embeddings.weight {tuple(ent.shape)}, "
          f"rel_embeddings.weight {tuple(rel.shape)}")


def source_hash(path):
    h = hashlib.sha256()
    with open(path, "rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def check_arl(arl):
    if not os.path.isdir(arl):
        fail(2, f"{arl}: no such directory (ARL's checkout)")
    if not os.path.isfile(os.path.join(arl, "prepro", "make_arrow.py")):
        fail(2, f"{arl}: no prepro/make_arrow.py: not an ARL checkout (github.com/zhjohnchan/ARL)")


def make_arrows(out, arl, dataset, manifest):
    prepro = os.path.join(arl, "prepro")
    missing = [m for m in ("pyarrow", "pandas", "tqdm") if importlib.util.find_spec(m) is None]
    if missing:
        fail(3, f"the checkpoint is written, but ARL's make_arrow needs {', '.join(missing)} "
                "(ARL's requirements: pip install -r requirements.txt in ARL's environment); "
                "run this script again there")
    sys.path.insert(0, prepro)  # make_arrow imports glossary from beside it
    ma = importlib.import_module("make_arrow")
    src = os.path.join(out, "pretrain_data", f"{dataset}.json")
    with open(src, encoding="utf-8") as f:
        data = json.load(f)
    for split in ("train", "val", "test"):
        if not data.get(split):
            fail(2, f"{src}: no {split} sample: ARL's make_arrow needs train, val and test "
                    "(export with another --split)")
    save = os.path.join(out, "pretrain_arrows_umls")
    os.makedirs(save, exist_ok=True)
    try:
        if dataset == "mimic_cxr":
            ma.make_arrow_mimic_cxr(data, dataset, save)
        else:
            ma.make_arrow(data, dataset, save)
    except Exception as e:  # ARL's own code: say where it failed
        fail(1, f"ARL's make_arrow failed on {src}: {type(e).__name__}: {e}")
    # what the arrows and the checkpoint were made from, by the manifest's
    # hashes: 'medkg train run' prepares again when these change
    files = manifest.get("files", {})
    made = {name: files.get(name, {}).get("xxh3_128")
            for name in (f"pretrain_data/{dataset}.json", "knowledge/ent_embeddings.npy")}
    stamp = {"from": made, "sha256": source_hash(src),
             "arrows": [f"{dataset}_{s}.arrow" for s in ("train", "val", "test")]}
    with open(os.path.join(save, "medkg.json"), "w", encoding="utf-8") as f:
        json.dump(stamp, f, indent=2)
    print(f"wrote {save}/{dataset}_{{train,val,test}}.arrow with ARL's make_arrow")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("out", help="the export (medkg train export --layout arl OUT)")
    ap.add_argument("--arl", required=True, help="ARL's checkout (github.com/zhjohnchan/ARL)")
    ap.add_argument("--checkpoint-only", action="store_true",
                    help="write the checkpoint, not the arrows")
    a = ap.parse_args()
    manifest, dataset = read_manifest(a.out)
    check_arl(a.arl)
    write_checkpoint(a.out)
    if not a.checkpoint_only:
        make_arrows(a.out, a.arl, dataset, manifest)


if __name__ == "__main__":
    main()
