"""Reference consumer of a medkg export (medkg train export OUT).

Reads the knowledge files and the per-sample annotations and plans of an
export and builds, for each sample, the tensors an ARL-style trainer uses:

  input_ids       [max_len]            token ids, with the masked language
                                       modelling plan applied (80% mask token,
                                       10% random token, 10% unchanged)
  attention_mask  [max_len]
  mlm_labels      [max_len]            original ids at masked tokens, else -100
  pos_matrix      [max_ents, max_len]  row k: the tokens of the k-th entity
                                       mention of the caption (ARL: 24 rows)
  ent_ids         [max_ents]           entity ids of those mentions, -100 padded
  ent_masks       [max_ents]           1 for a mention row, 0 for padding
  ent_labels      [max_ents]           entity id where the plan masked every
                                       token of the mention, else -100
                                       (masked-entity modelling targets)
  ent_polarity    [max_ents]           0 affirmed, 1 negated, 2 uncertain, -1 pad
  img_labels      [n_ent]              multi-hot of img_ents
  mim_mask        [grid * grid]        True for the patches the image masking
                                       plan masks
  patch_masks     [max_ents, grid * grid]  the region patches of each of
                                       img_ents (first max_ents)
  itm_negatives   [K]                  dataset indices of the hard negatives
                                       for image-text matching, -1 padded

An export in ARL's layout (medkg train export --layout arl) is read too:
its pretrain_data/<dataset>.json samples become one item per text, with the
text's entities, the image's entities and no polarity, regions or plans.

It tokenizes nothing itself: the caller passes a tokenizer callable that maps
a text to {"input_ids": [...], "offset_mapping": [(start, end), ...]} with
character offsets (a Hugging Face fast tokenizer called with
return_offsets_mapping=True has this form; special tokens have (0, 0)).
Character spans of the export are mapped to the tokens they overlap.

Only the Python standard library, numpy and torch are used.
"""

import json
import os

import numpy as np
import torch
from torch.utils.data import Dataset

POLARITY = {"affirmed": 0, "negated": 1, "uncertain": 2}


def read_ids(path):
    """entity2id.txt / relation2id.txt: (keys, names) in id order; checks the
    count header and that ids run 0, 1, 2, ..."""
    with open(path, encoding="utf-8") as f:
        n = int(f.readline())
        keys, names = [], []
        for i, line in enumerate(f):
            fields = line.rstrip("\n").split("\t")
            if int(fields[1]) != i:
                raise ValueError("%s:%d: id %s out of order" % (path, i + 2, fields[1]))
            keys.append(fields[0])
            names.append(fields[2] if len(fields) > 2 else fields[0])
    if len(keys) != n:
        raise ValueError("%s: %d lines for a count of %d" % (path, len(keys), n))
    return keys, names


def read_jsonl(path):
    with open(path, encoding="utf-8") as f:
        return [json.loads(line) for line in f if line.strip()]


class MedKGExport:
    """The knowledge side of an export: entities, relations, triples and
    their embeddings, and the manifest."""

    def __init__(self, root=None):
        root = root or os.environ.get("MEDKG_EXPORT")
        if not root:
            raise ValueError("no export: pass its directory or set MEDKG_EXPORT")
        self.root = root
        with open(os.path.join(root, "manifest.json"), encoding="utf-8") as f:
            self.manifest = json.load(f)
        self.params = self.manifest["parameters"]
        self.layout = self.params.get("layout", "medkg")
        self.grid = int(self.params.get("grid") or 18)
        k = os.path.join(root, "knowledge")
        self.entities, self.entity_names = read_ids(os.path.join(k, "entity2id.txt"))
        self.relations, _ = read_ids(os.path.join(k, "relation2id.txt"))
        with open(os.path.join(k, "train2id.txt")) as f:
            n = int(f.readline())
            self.triples = np.array([[int(x) for x in line.split()] for line in f],
                                    dtype=np.int64).reshape(-1, 3)
        if len(self.triples) != n:
            raise ValueError("train2id.txt: %d lines for a count of %d" % (len(self.triples), n))
        self.ent_embeddings = np.load(os.path.join(k, "ent_embeddings.npy"))
        self.rel_embeddings = np.load(os.path.join(k, "rel_embeddings.npy"))
        if self.ent_embeddings.shape[0] != len(self.entities):
            raise ValueError("ent_embeddings.npy has %d rows for %d entities"
                             % (self.ent_embeddings.shape[0], len(self.entities)))

    @property
    def n_ent(self):
        return len(self.entities)


def arl_samples(export, split):
    """The samples of one split of an export in ARL's layout, one per text,
    in the form of medkg's annotations."""
    path = os.path.join(export.root, "pretrain_data", export.params.get("dataset", "mimic_cxr")
                        + ".json")
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    out = []
    for s in data[split]:
        for text, ents in zip(s["texts"], s["text_entities"]):
            out.append({"image_path": s["img_path"], "captions": [text],
                        "txt_ents": [ents], "txt_ents_polarity": [["affirmed"] * len(ents)],
                        "img_ents": s["image_entities"], "patch_masks": []})
    return out


def token_positions(offsets, start, end):
    """Positions of the tokens whose character span overlaps [start, end)."""
    return [i for i, (s, e) in enumerate(offsets) if e > s and s < end and e > start]


class MedKGDataset(Dataset):
    """One split of an export as tensors (see the module documentation).

    tokenizer: text -> {"input_ids", "offset_mapping"}; mask_token_id and
    vocab_size serve the masking (80/10/10). image_loader: optional
    image_path -> tensor, returned as "image". With plans=False (or an export
    without plans) masks are drawn at random: 15% of tokens, 75% of patches.
    """

    def __init__(self, export, split, tokenizer, mask_token_id, vocab_size, max_len=64,
                 max_ents=24, pad_token_id=0, plans=True, image_loader=None, seed=0):
        self.export = export if isinstance(export, MedKGExport) else MedKGExport(export)
        root = self.export.root
        if self.export.layout == "arl":
            self.samples = arl_samples(self.export, split)
        else:
            self.samples = read_jsonl(os.path.join(root, "annotations", split + ".jsonl"))
        self.plans = None
        self.negatives = None
        plan_path = os.path.join(root, "plans", split + ".jsonl")
        if plans and os.path.exists(plan_path):
            self.plans = read_jsonl(plan_path)
            self.negatives = np.load(os.path.join(root, "plans", split + "_negatives.npy"))
            if len(self.plans) != len(self.samples) or len(self.negatives) != len(self.samples):
                raise ValueError("%s: plans and annotations disagree in length" % split)
        self.tokenizer = tokenizer
        self.mask_token_id = mask_token_id
        self.vocab_size = vocab_size
        self.pad_token_id = pad_token_id
        self.max_len = max_len
        self.max_ents = max_ents
        self.image_loader = image_loader
        self.seed = seed
        self.epoch = 0

    def __len__(self):
        return len(self.samples)

    def set_epoch(self, epoch):
        """The 80/10/10 draws (and random plans) differ per epoch."""
        self.epoch = epoch

    def __getitem__(self, idx):
        a = self.samples[idx]
        plan = self.plans[idx] if self.plans else None
        g = torch.Generator().manual_seed(self.seed * 1000003 + self.epoch * 7919 + idx)
        caption = a["captions"][0]
        tok = self.tokenizer(caption)
        ids = list(tok["input_ids"])[: self.max_len]
        offsets = [tuple(o) for o in tok["offset_mapping"]][: self.max_len]
        n = len(ids)
        L, E = self.max_len, self.max_ents
        input_ids = torch.full((L,), self.pad_token_id, dtype=torch.long)
        input_ids[:n] = torch.tensor(ids, dtype=torch.long)
        attention_mask = torch.zeros(L, dtype=torch.long)
        attention_mask[:n] = 1

        # masked language modelling: the plan's spans, or 15% at random
        masked = torch.zeros(L, dtype=torch.bool)
        if plan is not None:
            for s, e in plan["mlm"][0]:
                for p in token_positions(offsets, s, e):
                    masked[p] = True
        else:
            real = [i for i, (s, e) in enumerate(offsets) if e > s]
            k = max(1, round(0.15 * len(real))) if real else 0
            for i in torch.randperm(len(real), generator=g)[:k].tolist():
                masked[real[i]] = True
        mlm_labels = torch.full((L,), -100, dtype=torch.long)
        mlm_labels[masked] = input_ids[masked]
        u = torch.rand(L, generator=g)
        replace = masked & (u < 0.8)
        rand_tok = masked & (u >= 0.8) & (u < 0.9)
        input_ids = input_ids.clone()
        input_ids[replace] = self.mask_token_id
        input_ids[rand_tok] = torch.randint(self.vocab_size, (int(rand_tok.sum()),), generator=g)

        # entity mentions: ARL's pos_matrix, ids and masks
        pos_matrix = torch.zeros(E, L)
        ent_ids = torch.full((E,), -100, dtype=torch.long)
        ent_labels = torch.full((E,), -100, dtype=torch.long)
        ent_masks = torch.zeros(E, dtype=torch.long)
        ent_polarity = torch.full((E,), -1, dtype=torch.long)
        row = 0
        for (s, e, ent), pol in zip(a["txt_ents"][0], a["txt_ents_polarity"][0]):
            if row == E:
                break
            pos = token_positions(offsets, s, e)
            if not pos:
                continue  # truncated away
            pos_matrix[row, pos] = 1.0
            ent_ids[row] = ent
            ent_masks[row] = 1
            ent_polarity[row] = POLARITY[pol]
            if all(masked[p] for p in pos):
                ent_labels[row] = ent
            row += 1

        n_ent = self.export.n_ent
        img_labels = torch.zeros(n_ent)
        if a["img_ents"]:
            img_labels[torch.tensor(a["img_ents"], dtype=torch.long)] = 1.0
        n_patches = self.export.grid ** 2
        mim_mask = torch.zeros(n_patches, dtype=torch.bool)
        if plan is not None:
            if plan["mim"]:
                mim_mask[torch.tensor(plan["mim"], dtype=torch.long)] = True
        else:
            k = round(float(self.export.params.get("mim_ratio", 0.75)) * n_patches)
            mim_mask[torch.randperm(n_patches, generator=g)[:k]] = True
        patch_masks = torch.zeros(E, n_patches, dtype=torch.bool)
        for i, patches in enumerate(a["patch_masks"][:E]):
            if patches:
                patch_masks[i, torch.tensor(patches, dtype=torch.long)] = True
        img_ent_ids = torch.full((E,), -100, dtype=torch.long)
        m = min(E, len(a["img_ents"]))
        img_ent_ids[:m] = torch.tensor(a["img_ents"][:m], dtype=torch.long)
        if self.negatives is not None:
            itm_negatives = torch.from_numpy(self.negatives[idx].astype(np.int64))
        else:
            itm_negatives = torch.full((1,), -1, dtype=torch.long)

        item = {
            "index": torch.tensor(idx),
            "input_ids": input_ids,
            "attention_mask": attention_mask,
            "mlm_labels": mlm_labels,
            "pos_matrix": pos_matrix,
            "ent_ids": ent_ids,
            "ent_masks": ent_masks,
            "ent_labels": ent_labels,
            "ent_polarity": ent_polarity,
            "img_labels": img_labels,
            "img_ent_ids": img_ent_ids,
            "patch_masks": patch_masks,
            "mim_mask": mim_mask,
            "itm_negatives": itm_negatives,
        }
        if self.image_loader is not None:
            item["image"] = self.image_loader(a["image_path"])
        return item
