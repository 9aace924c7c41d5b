#!/usr/bin/python3
"""A tiny knowledge-enhanced pre-training run on a medkg export, on CPU.

    medkg train run OUT -- /usr/bin/python3 train/python/pretrain.py --steps 300
    /usr/bin/python3 train/python/pretrain.py --export OUT --steps 40 --check

Trains a small model with two of ARL's objectives and prints both losses:

  knowledge alignment: the pooled image and text features are scored against
    the entity embeddings (ent_embeddings.npy, frozen, through a learned
    projection); binary cross-entropy against the sample's entity labels
    (img_labels), as ARL's alignment head;
  masked-entity modelling: the text is masked by the export's plan, each
    wholly masked entity mention is pooled through pos_matrix and classified
    over the entities, against ent_labels.

The export's images are not read (the demo ships 8 of its 120): each sample's image is
stood in for by patch features that carry, on the patches of each of its
entities' regions (patch_masks), a fixed random code of that entity, plus
noise, with the patches of the image masking plan blanked. The point is the
data path (export -> tensors -> losses), not a useful model.

--check asserts the tensor shapes and that both losses fall (the mean of the
last tenth of the steps below the mean of the first tenth); exit status 1
otherwise.
"""

import argparse
import os
import re
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from medkg_dataset import MedKGDataset, MedKGExport  # noqa: E402

SPECIALS = ["[PAD]", "[CLS]", "[SEP]", "[MASK]", "[UNK]"]
PAD, CLS, SEP, MASK, UNK = range(5)


class WordTokenizer:
    """Lower-cased words and punctuation, with character offsets; [CLS] and
    [SEP] around (offsets (0, 0)). The vocabulary comes from the captions."""

    pattern = re.compile(r"\w+|[^\w\s]")

    def __init__(self, texts):
        words = sorted({m.group().lower() for t in texts for m in self.pattern.finditer(t)})
        self.vocab = {w: i for i, w in enumerate(SPECIALS + words)}

    def __call__(self, text):
        ids, offsets = [CLS], [(0, 0)]
        for m in self.pattern.finditer(text):
            ids.append(self.vocab.get(m.group().lower(), UNK))
            offsets.append((m.start(), m.end()))
        ids.append(SEP)
        offsets.append((0, 0))
        return {"input_ids": ids, "offset_mapping": offsets}


class TinyModel(nn.Module):
    def __init__(self, vocab, max_len, ent_emb, d=32, d_img=32):
        super().__init__()
        self.tok = nn.Embedding(vocab, d)
        self.pos = nn.Embedding(max_len, d)
        layer = nn.TransformerEncoderLayer(d, 2, 2 * d, dropout=0.0, batch_first=True)
        self.text = nn.TransformerEncoder(layer, 1)
        self.img = nn.Sequential(nn.Linear(d_img, d), nn.GELU(), nn.Linear(d, d))
        self.register_buffer("ent_emb", torch.as_tensor(ent_emb, dtype=torch.float32))
        self.ent_proj = nn.Linear(ent_emb.shape[1], d)
        self.ent_head = nn.Linear(d, d)

    def entities(self):
        return self.ent_proj(self.ent_emb)                      # (n_ent, d)

    def forward(self, b, patches):
        B, L = b["input_ids"].shape
        h = self.tok(b["input_ids"]) + self.pos(torch.arange(L))[None]
        h = self.text(h, src_key_padding_mask=b["attention_mask"] == 0)   # (B, L, d)
        txt = h[:, 0]                                           # [CLS]
        visible = (~b["mim_mask"]).float()[..., None]          # (B, P, 1)
        v = self.img(patches)                                   # (B, P, d)
        img = (v * visible).sum(1) / visible.sum(1).clamp(min=1)
        ek = self.entities()
        # knowledge alignment: image and text against the entities
        align = (F.binary_cross_entropy_with_logits(img @ ek.T, b["img_labels"]) +
                 F.binary_cross_entropy_with_logits(txt @ ek.T, b["img_labels"])) / 2
        # masked-entity modelling: pool each mention's tokens (pos_matrix)
        pm = b["pos_matrix"]                                    # (B, E, L)
        ent = (pm @ h) / pm.sum(-1, keepdim=True).clamp(min=1)  # (B, E, d)
        logits = self.ent_head(ent) @ ek.T                      # (B, E, n_ent)
        labels = b["ent_labels"]
        if (labels != -100).any():
            mem = F.cross_entropy(logits.reshape(-1, logits.shape[-1]), labels.reshape(-1),
                                  ignore_index=-100)
        else:
            mem = torch.zeros(())
        return align, mem


def pseudo_images(b, codes, grid, gen, noise=0.3):
    """(B, grid * grid, d_img): each entity's code on its region patches (the
    whole image when it has none), plus noise."""
    B, P = b["img_labels"].shape[0], grid * grid
    x = noise * torch.randn(B, P, codes.shape[1], generator=gen)
    for i in range(B):
        for k in range(b["img_ent_ids"].shape[1]):
            e = int(b["img_ent_ids"][i, k])
            if e < 0:
                continue
            m = b["patch_masks"][i, k]
            x[i, m if m.any() else slice(None)] += codes[e]
    return x


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--export", default=os.environ.get("MEDKG_EXPORT"),
                    help="the export directory (default: $MEDKG_EXPORT)")
    ap.add_argument("--split", default="train")
    ap.add_argument("--steps", type=int, default=300)
    ap.add_argument("--batch", type=int, default=8)
    ap.add_argument("--lr", type=float, default=2e-3)
    ap.add_argument("--max-len", type=int, default=64)
    ap.add_argument("--seed", type=int, default=0)
    ap.add_argument("--every", type=int, default=25, help="print the losses every N steps")
    ap.add_argument("--check", action="store_true",
                    help="assert the shapes and that both losses fall")
    args = ap.parse_args()
    if not args.export:
        ap.error("no export: --export DIR or MEDKG_EXPORT")
    torch.manual_seed(args.seed)
    torch.set_num_threads(min(2, os.cpu_count() or 1))

    export = MedKGExport(args.export)
    captions = [s["captions"][0] for s in
                MedKGDataset(export, args.split, lambda t: {"input_ids": [], "offset_mapping": []},
                             MASK, 5).samples]
    tokenizer = WordTokenizer(captions)
    ds = MedKGDataset(export, args.split, tokenizer, MASK, len(tokenizer.vocab),
                      max_len=args.max_len, seed=args.seed)
    if len(ds) == 0:
        sys.exit("pretrain: the %s split of %s is empty" % (args.split, args.export))
    grid, n_ent = export.grid, export.n_ent
    gen = torch.Generator().manual_seed(args.seed)
    codes = torch.randn(n_ent, 32, generator=gen)
    model = TinyModel(len(tokenizer.vocab), args.max_len, export.ent_embeddings)
    opt = torch.optim.Adam(model.parameters(), lr=args.lr)
    loader = torch.utils.data.DataLoader(ds, batch_size=min(args.batch, len(ds)), shuffle=True,
                                         generator=torch.Generator().manual_seed(args.seed))
    print("export %s: %d entities, %d %s samples, grid %dx%d, %d steps"
          % (args.export, n_ent, len(ds), args.split, grid, grid, args.steps), flush=True)

    history, step, epoch, ok = [], 0, 0, True
    while step < args.steps:
        ds.set_epoch(epoch)
        for b in loader:
            if step == 0:
                B, L, E = b["input_ids"].shape[0], args.max_len, ds.max_ents
                shapes = {"input_ids": (B, L), "attention_mask": (B, L), "mlm_labels": (B, L),
                          "pos_matrix": (B, E, L), "ent_ids": (B, E), "ent_masks": (B, E),
                          "ent_labels": (B, E), "img_labels": (B, n_ent),
                          "mim_mask": (B, grid * grid), "patch_masks": (B, E, grid * grid)}
                for k, want in shapes.items():
                    got = tuple(b[k].shape)
                    print("  %-15s %s" % (k, list(got)))
                    if got != want:
                        print("pretrain: %s has shape %s, expected %s" % (k, got, want))
                        ok = False
                # padding of ent_ids is -100 exactly where ent_masks is 0
                if not torch.equal(b["ent_ids"] == -100, b["ent_masks"] == 0):
                    print("pretrain: ent_ids padding disagrees with ent_masks")
                    ok = False
            patches = pseudo_images(b, codes, grid, gen)
            align, mem = model(b, patches)
            opt.zero_grad()
            (align + mem).backward()
            opt.step()
            history.append((float(align), float(mem)))
            step += 1
            if step % args.every == 0 or step == args.steps:
                print("step %4d  alignment %.4f  masked-entity %.4f" % (step, align, mem),
                      flush=True)
            if step == args.steps:
                break
        epoch += 1

    tenth = max(1, len(history) // 10)
    first = [sum(h[i] for h in history[:tenth]) / tenth for i in range(2)]
    last = [sum(h[i] for h in history[-tenth:]) / tenth for i in range(2)]
    print("mean over the first %d steps: alignment %.4f, masked-entity %.4f" % (tenth, *first))
    print("mean over the last %d steps:  alignment %.4f, masked-entity %.4f" % (tenth, *last))
    if args.check:
        for name, a, z in zip(("alignment", "masked-entity"), first, last):
            if not z < a:
                print("pretrain: the %s loss did not fall (%.4f -> %.4f)" % (name, a, z))
                ok = False
        print("check: %s" % ("passed" if ok else "FAILED"))
        sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
