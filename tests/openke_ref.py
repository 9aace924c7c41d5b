#!/usr/bin/python3
"""openke_ref.py - ground truth for ONE OpenKE-PyTorch TransE training batch.

An independent re-statement, in plain torch ops, of what OpenKE-PyTorch
(github.com/thunlp/OpenKE, branch OpenKE-PyTorch, commit 64c4ec8) does in
one call of Trainer.train_one_step for

    TransE(dim=D, p_norm=1, norm_flag=True)            (margin=None)
    NegativeSampling(loss=MarginLoss(margin=5.0), batch_size=B)
    Trainer(opt_method="sgd", alpha=lr)                (weight_decay 0)

It does not import OpenKE. Needs numpy and torch (Debian's python3-torch,
1.13, is enough): /usr/bin/python3 tests/openke_ref.py ...

What is mirrored (file:line in OpenKE-PyTorch):
  score   openke/module/model/TransE.py:46-60, mode 'normal':
            h, r, t = F.normalize(x, 2, -1) each   (x / max(||x||_2, 1e-12))
            d = torch.norm((h + r) - t, p_norm, -1)
          the normalization is INSIDE the score: gradient flows through it,
          the stored rows are never renormalized. TransE.forward returns d
          itself (margin=None, so margin_flag is False): lower is better.
  batch   the C sampler (openke/base/Base.cpp:103-137) fills arrays of
          length B*(1+K): row b (0 <= b < B) is positive b, row
          B + k*B + b is the k-th negative of positive b.
          NegativeSampling (openke/module/strategy/NegativeSampling.py:13-21):
            p = score[:B].view(-1, B).permute(1, 0)      -> (B, 1)
            n = score[B:].view(-1, B).permute(1, 0)      -> (B, K),
                n[b, k] = score[B + k*B + b]
  loss    openke/module/loss/MarginLoss.py:28:
            loss = torch.max(p - n, -margin).mean() + margin
          p broadcast over the K columns: each positive against each of its
          own K negatives, averaged over all B*K pairs
          (= mean_{b,k} max(0, margin + d_pos[b] - d_neg[b,k])).
          No regularization (regul_rate 0).
  step    torch.optim.SGD(lr, weight_decay=0), dense nn.Embedding gradients;
          rows used several times in the batch get the SUM of their
          contributions; rows not used are unchanged.

Input directory (all produced by `make`, or by the C side's test):
  ent.npy     float32 (E, D)   entity embeddings before the step
  rel.npy     float32 (R, D)   relation embeddings before the step
  pos.npy     int64   (B, 3)   positives, columns h, t, r (OpenKE's order)
  neg.npy     int64   (K*B, 3) negatives, columns h, t, r;
                               row k*B + b is the k-th negative of positive b
                               (exactly OpenKE's batch rows B.., minus the B
                               positives in front)
  params.json {"margin": 5.0, "p_norm": 1, "norm_flag": true, "lr": 1.0}

Commands:
  compute DIR   writes DIR/ref_loss.txt (the batch loss, float32 as OpenKE
                computes it, "%.9g"), DIR/ref_grad_ent.npy,
                DIR/ref_grad_rel.npy (dense float32 gradients of that loss),
                DIR/ref_ent.npy, DIR/ref_rel.npy (float32, after the SGD
                step), and DIR/ref64_*.npy / ref64_loss.txt: the same
                computed in float64 from the same float32 inputs.
  compare DIR   reads DIR/c_loss.txt, DIR/c_ent.npy, DIR/c_rel.npy (from the
                C side; runs compute first if the ref files are missing),
                prints the max absolute differences and exits 1 if any
                exceeds the tolerance (below).
  make DIR [--E 50 --R 7 --D 16 --B 8 --K 3 --seed 1 --margin 5 --lr 1
            --p-norm 1 --no-norm]
                writes a random input directory: xavier_uniform_ rows as
                OpenKE initializes them (U(-b, b), b = sqrt(6/(rows + D))),
                random positives, negatives that replace the head or the
                tail (coin flip) by a different random entity, in the layout
                above.
  selfcheck     make + compute on a tiny case; float64 central finite
                differences against the autograd gradient; an independent
                hand-derived (numpy, float64) gradient written as c_* files
                must pass `compare`, a perturbed copy must fail it.

Tolerance of compare (float32 data):
  loss:   |c - ref| <= 1e-5 * max(1, |ref|)
  params: for each table X (ent, rel), with D_ref = ref_X - X (the update)
          |c_X - ref_X| <= 1e-5 * max|D_ref| + 2 ulp(|ref_X|)   elementwise
  Why: the update is what the C code computes, and it is small against the
  rows themselves (lr * grad ~ 1e-4 of a row at FB15K237 sizes), so a
  tolerance relative to the parameters would let a wrong gradient pass; it
  is measured relative to the largest update element instead (normwise:
  the normalization Jacobian (g - x^(x^.g))/||x|| cancels, so single small
  elements have no meaningful relative accuracy). 1e-5 is ~100 float32
  epsilons: float32 sums over D <= 256 components and over a few hundred
  occurrences of a row err by well under that (selfcheck measures the
  float32-vs-float64 gap of the reference itself, ~1e-7 to 1e-6 of the
  max update), while a wrong sign, a missing 1/(B*K), a dropped
  normalization Jacobian or a wrong pairing is off by O(1). The 2 ulp term
  is the rounding of the stored float32 result x - lr*g. The loss is a mean
  of B*K float32 terms: an implementation that accumulates it in float32
  naively can drift past 1e-5 at B*K ~ 7e4; accumulate in double.
  Pairs within 1e-4 of the hinge (p - n == -margin, where torch gives half
  the gradient) are reported, since the two sides may legitimately differ
  there.

Note for test design: when every pair is active (p - n > -margin for all
b, k) the loss is mean(p) - mean(n) + margin, linear in the scores, and
neither the loss nor the gradient depends on WHICH negative is paired with
which positive. That is the usual state with margin 5 and fresh xavier rows
(the default `make`), so such a case cannot catch a wrong negative layout;
`compute` says so. Use e.g. `make --margin 1` (some pairs inactive: 3
of 24 at the default size) for a case that does; selfcheck verifies that a transposed
layout (row b*K + k read as the k-th negative of b) fails there.
"""

import argparse
import json
import os
import shutil
import sys
import tempfile

import numpy as np
import torch
import torch.nn.functional as F

RTOL = 1e-5
LOSS_RTOL = 1e-5
KINK = 1e-4


# ------------------------------------------------------------------ io

def load_input(d):
    ent = np.load(os.path.join(d, "ent.npy"))
    rel = np.load(os.path.join(d, "rel.npy"))
    pos = np.load(os.path.join(d, "pos.npy"))
    neg = np.load(os.path.join(d, "neg.npy"))
    with open(os.path.join(d, "params.json")) as f:
        prm = json.load(f)
    E, D = ent.shape
    R, D2 = rel.shape
    if D2 != D:
        sys.exit("ent.npy and rel.npy differ in dimension: %d vs %d" % (D, D2))
    if ent.dtype != np.float32 or rel.dtype != np.float32:
        sys.exit("ent.npy and rel.npy must be float32, not %s, %s" % (ent.dtype, rel.dtype))
    if pos.ndim != 2 or pos.shape[1] != 3 or neg.ndim != 2 or neg.shape[1] != 3:
        sys.exit("pos.npy and neg.npy must be (B, 3) and (K*B, 3)")
    B = pos.shape[0]
    if B == 0 or neg.shape[0] % B or neg.shape[0] == 0:
        sys.exit("neg.npy has %d rows, not a positive multiple of B = %d" % (neg.shape[0], B))
    for name, a in (("pos", pos), ("neg", neg)):
        if a[:, :2].min() < 0 or a[:, :2].max() >= E or a[:, 2].min() < 0 or a[:, 2].max() >= R:
            sys.exit("%s.npy has an id out of range (E=%d, R=%d)" % (name, E, R))
    p = {
        "margin": float(prm.get("margin", 5.0)),
        "p_norm": prm.get("p_norm", 1),
        "norm_flag": bool(prm.get("norm_flag", True)),
        "lr": float(prm.get("lr", 1.0)),
    }
    return ent, rel, pos.astype(np.int64), neg.astype(np.int64), p


def write_loss(path, v):
    with open(path, "w") as f:
        f.write("%.9g\n" % v)


def read_loss(path):
    with open(path) as f:
        return float(f.read().split()[0])


# ------------------------------------------------------------------ OpenKE, restated

def openke_batch(ent, rel, pos, neg, p, dtype):
    """One OpenKE train_one_step. Returns loss, grad_ent, grad_rel, new_ent,
    new_rel, and the (B, K) hinge arguments p - n (for the kink report)."""
    B = pos.shape[0]
    # the batch as the C sampler lays it out: B positives, then K blocks of B
    batch = np.concatenate([pos, neg], axis=0)
    batch_h = torch.from_numpy(batch[:, 0].copy())
    batch_t = torch.from_numpy(batch[:, 1].copy())
    batch_r = torch.from_numpy(batch[:, 2].copy())

    ent_w = torch.nn.Parameter(torch.from_numpy(ent).to(dtype).clone())
    rel_w = torch.nn.Parameter(torch.from_numpy(rel).to(dtype).clone())
    opt = torch.optim.SGD([ent_w, rel_w], lr=p["lr"], weight_decay=0)
    opt.zero_grad()

    # TransE.forward / _calc, mode 'normal'
    h = F.embedding(batch_h, ent_w)
    t = F.embedding(batch_t, ent_w)
    r = F.embedding(batch_r, rel_w)
    if p["norm_flag"]:
        h = F.normalize(h, 2, -1)
        r = F.normalize(r, 2, -1)
        t = F.normalize(t, 2, -1)
    score = (h + r) - t
    score = torch.norm(score, p["p_norm"], -1).flatten()

    # NegativeSampling._get_positive_score / _get_negative_score
    p_score = score[:B].view(-1, B).permute(1, 0)
    n_score = score[B:].view(-1, B).permute(1, 0)

    # MarginLoss.forward (adv_flag False); margin is a [1] tensor as in OpenKE
    margin = torch.tensor([p["margin"]], dtype=dtype)
    diff = p_score - n_score
    loss = (torch.max(diff, -margin)).mean() + margin
    loss = loss.sum()  # shape [1] -> scalar, as loss.item() / backward see it

    loss.backward()
    g_ent = ent_w.grad.detach().clone()
    g_rel = rel_w.grad.detach().clone()
    opt.step()
    return (loss.item(), g_ent.numpy(), g_rel.numpy(), ent_w.detach().numpy().copy(),
            rel_w.detach().numpy().copy(), diff.detach().numpy())


# ------------------------------------------------------------------ hand-derived (independent) gradient

def manual_batch(ent, rel, pos, neg, p):
    """The same batch from the closed-form gradient, in float64 numpy, the way
    a C implementation computes it. Used by selfcheck only."""
    ent = ent.astype(np.float64)
    rel = rel.astype(np.float64)
    B = pos.shape[0]
    K = neg.shape[0] // B
    m, pn, lr = p["margin"], p["p_norm"], p["lr"]

    def nrm(x):
        n = np.sqrt((x * x).sum(-1, keepdims=True))
        return x / np.maximum(n, 1e-12), n

    def score(tr):
        hh, hn = nrm(ent[tr[:, 0]]) if p["norm_flag"] else (ent[tr[:, 0]], None)
        tt, tn = nrm(ent[tr[:, 1]]) if p["norm_flag"] else (ent[tr[:, 1]], None)
        rr, rn = nrm(rel[tr[:, 2]]) if p["norm_flag"] else (rel[tr[:, 2]], None)
        v = hh + rr - tt
        if pn == 1:
            d = np.abs(v).sum(-1)
            dv = np.sign(v)
        else:
            d = np.sqrt((v * v).sum(-1))
            dv = v / np.where(d > 0, d, 1)[:, None]
        return d, dv, (hh, hn), (tt, tn), (rr, rn)

    dp, gp, *np_p = score(pos)
    dn, gn, *np_n = score(neg)
    dn = dn.reshape(K, B).T  # [b, k] = row k*B + b
    arg = dp[:, None] - dn
    loss = np.mean(np.maximum(arg, -m)) + m
    a = np.where(arg > -m, 1.0, np.where(arg == -m, 0.5, 0.0)) / (B * K)
    c_pos = a.sum(1)              # dL/dd_pos[b]
    c_neg = -a.T.reshape(-1)      # dL/dd_neg[k*B + b]

    G_ent = np.zeros_like(ent)
    G_rel = np.zeros_like(rel)

    def back(tr, c, dv, hs, ts, rs):
        g = c[:, None] * dv       # dL/d(h^ + r^ - t^)
        for col, (xh, xn), sgn, G in ((0, hs, 1, G_ent), (1, ts, -1, G_ent), (2, rs, 1, G_rel)):
            gx = sgn * g
            if p["norm_flag"]:
                # d(x/||x||)/dx applied to gx: (gx - x^ (x^.gx)) / ||x||
                gx = (gx - xh * (xh * gx).sum(-1, keepdims=True)) / xn
            np.add.at(G, tr[:, col], gx)

    back(pos, c_pos, gp, *np_p)
    back(neg, c_neg, gn, *np_n)
    return loss, G_ent, G_rel, ent - lr * G_ent, rel - lr * G_rel


# ------------------------------------------------------------------ commands

def cmd_compute(d, quiet=False):
    ent, rel, pos, neg, p = load_input(d)
    l32, ge32, gr32, e32, r32, diff = openke_batch(ent, rel, pos, neg, p, torch.float32)
    l64, ge64, gr64, e64, r64, _ = openke_batch(ent, rel, pos, neg, p, torch.float64)
    write_loss(os.path.join(d, "ref_loss.txt"), l32)
    np.save(os.path.join(d, "ref_grad_ent.npy"), ge32)
    np.save(os.path.join(d, "ref_grad_rel.npy"), gr32)
    np.save(os.path.join(d, "ref_ent.npy"), e32)
    np.save(os.path.join(d, "ref_rel.npy"), r32)
    write_loss(os.path.join(d, "ref64_loss.txt"), l64)
    np.save(os.path.join(d, "ref64_grad_ent.npy"), ge64)
    np.save(os.path.join(d, "ref64_grad_rel.npy"), gr64)
    np.save(os.path.join(d, "ref64_ent.npy"), e64)
    np.save(os.path.join(d, "ref64_rel.npy"), r64)
    B = pos.shape[0]
    K = neg.shape[0] // B
    gap = np.abs(diff + p["margin"])
    active = int((diff > -p["margin"]).sum())
    near = int((gap < KINK).sum())
    if not quiet:
        print("compute %s: E=%d R=%d D=%d B=%d K=%d  margin=%g p_norm=%s norm_flag=%s lr=%g"
              % (d, ent.shape[0], rel.shape[0], ent.shape[1], B, K, p["margin"], p["p_norm"],
                 p["norm_flag"], p["lr"]))
        print("  loss %.9g (float64 %.12g)  active pairs %d/%d  nearest to the hinge %.3g%s"
              % (l32, l64, active, B * K, gap.min(),
                 "  WARNING: %d pairs within %g of the hinge" % (near, KINK) if near else ""))
        if active == B * K and K > 1 and B > 1:
            print("  note: every pair is active, so this case does not depend on how negatives"
                  " pair with positives (use a smaller --margin to test the layout)")
        for name, a32, a64, x in (("ent", e32, e64, ent), ("rel", r32, r64, rel)):
            dmax = np.abs(a64 - x.astype(np.float64)).max()
            print("  %s: max|update| %.3g  float32 vs float64 reference: max|diff| %.3g (%.2g of max|update|)"
                  % (name, dmax, np.abs(a32 - a64).max(), np.abs(a32 - a64).max() / dmax if dmax else 0))
    return near


def check(name, c, ref, x):
    """params tolerance: RTOL * max|ref - x| + 2 ulp(|ref|), elementwise."""
    if c.shape != ref.shape:
        print("  %s: shape %s, expected %s" % (name, c.shape, ref.shape))
        return False
    c = c.astype(np.float64)
    ref64 = ref.astype(np.float64)
    upd = np.abs(ref64 - x.astype(np.float64)).max()
    tol = RTOL * upd + 2 * np.spacing(np.abs(ref).astype(np.float32)).astype(np.float64)
    err = np.abs(c - ref64)
    bad = ~(err <= tol)  # NaN counts as bad
    i = np.unravel_index(np.argmax(np.where(np.isfinite(err), err, np.inf)), err.shape)
    print("  %s: max|c - ref| %.3g at %s (tol there %.3g; max|update| %.3g)  %s"
          % (name, err[i], tuple(int(v) for v in i), tol[i], upd,
             "FAIL (%d elements)" % bad.sum() if bad.any() else "ok"))
    return not bad.any()


def cmd_compare(d):
    if not all(os.path.exists(os.path.join(d, f)) for f in ("ref_loss.txt", "ref_ent.npy", "ref_rel.npy")):
        cmd_compute(d)
    ent, rel, _, _, _ = load_input(d)
    ref_loss = read_loss(os.path.join(d, "ref_loss.txt"))
    c_loss = read_loss(os.path.join(d, "c_loss.txt"))
    ok = True
    le = abs(c_loss - ref_loss)
    ltol = LOSS_RTOL * max(1.0, abs(ref_loss))
    lok = le <= ltol
    print("compare %s:\n  loss: c %.9g ref %.9g  |diff| %.3g (tol %.3g)  %s"
          % (d, c_loss, ref_loss, le, ltol, "ok" if lok else "FAIL"))
    ok &= lok
    ok &= check("ent", np.load(os.path.join(d, "c_ent.npy")), np.load(os.path.join(d, "ref_ent.npy")), ent)
    ok &= check("rel", np.load(os.path.join(d, "c_rel.npy")), np.load(os.path.join(d, "ref_rel.npy")), rel)
    print("  %s" % ("PASS" if ok else "FAIL"))
    return 0 if ok else 1


def cmd_make(d, E, R, D, B, K, seed, margin, lr, p_norm, norm_flag):
    if E < 2 or R < 1 or D < 1 or B < 1 or K < 1:
        sys.exit("make: need E >= 2, R, D, B, K >= 1")
    os.makedirs(d, exist_ok=True)
    g = np.random.default_rng(seed)
    # nn.init.xavier_uniform_ on an (rows, D) weight: fan_in = D, fan_out = rows
    be = np.sqrt(6.0 / (E + D))
    br = np.sqrt(6.0 / (R + D))
    ent = g.uniform(-be, be, size=(E, D)).astype(np.float32)
    rel = g.uniform(-br, br, size=(R, D)).astype(np.float32)
    h = g.integers(0, E, B)
    t = (h + g.integers(1, E, B)) % E
    r = g.integers(0, R, B)
    pos = np.stack([h, t, r], 1).astype(np.int64)
    neg = np.empty((K * B, 3), np.int64)
    for k in range(K):
        for b in range(B):
            hh, tt, rr = pos[b]
            if g.random() < 0.5:
                tt = (tt + g.integers(1, E)) % E  # replace the tail by another entity
            else:
                hh = (hh + g.integers(1, E)) % E  # replace the head
            neg[k * B + b] = (hh, tt, rr)  # k-th negative of positive b
    np.save(os.path.join(d, "ent.npy"), ent)
    np.save(os.path.join(d, "rel.npy"), rel)
    np.save(os.path.join(d, "pos.npy"), pos)
    np.save(os.path.join(d, "neg.npy"), neg)
    with open(os.path.join(d, "params.json"), "w") as f:
        json.dump({"margin": margin, "p_norm": p_norm, "norm_flag": norm_flag, "lr": lr}, f)
        f.write("\n")
    print("make %s: E=%d R=%d D=%d B=%d K=%d seed=%d" % (d, E, R, D, B, K, seed))


def finite_differences(d):
    """max |autograd - central difference| of the float64 loss, every element."""
    ent, rel, pos, neg, p = load_input(d)
    _, ge, gr, _, _, _ = openke_batch(ent, rel, pos, neg, p, torch.float64)
    B = pos.shape[0]
    batch = torch.from_numpy(np.concatenate([pos, neg], 0))

    def loss_of(E_, R_):
        h, t, r = E_[batch[:, 0]], E_[batch[:, 1]], R_[batch[:, 2]]
        if p["norm_flag"]:
            h, r, t = F.normalize(h, 2, -1), F.normalize(r, 2, -1), F.normalize(t, 2, -1)
        s = torch.norm((h + r) - t, p["p_norm"], -1).flatten()
        ps = s[:B].view(-1, B).permute(1, 0)
        ns = s[B:].view(-1, B).permute(1, 0)
        return float((torch.max(ps - ns, torch.tensor([-p["margin"]], dtype=torch.float64)).mean()
                      + p["margin"]))

    E64 = torch.from_numpy(ent.astype(np.float64))
    R64 = torch.from_numpy(rel.astype(np.float64))
    eps = 1e-6
    worst = 0.0
    for W, G in ((E64, ge), (R64, gr)):
        for idx in np.ndindex(*W.shape):
            old = W[idx].item()
            W[idx] = old + eps
            lp = loss_of(E64, R64)
            W[idx] = old - eps
            lm = loss_of(E64, R64)
            W[idx] = old
            worst = max(worst, abs((lp - lm) / (2 * eps) - G[idx]))
    return worst, max(np.abs(ge).max(), np.abs(gr).max())


def cmd_selfcheck(keep=None):
    root = keep or tempfile.mkdtemp(prefix="openke_ref.")
    status = 0
    try:
        cases = [
            ("tiny", dict(E=12, R=3, D=5, B=4, K=3, seed=7, margin=5.0, lr=1.0, p_norm=1, norm_flag=True)),
            # small margin: a part of the pairs is inactive (zero gradient)
            ("inactive", dict(E=12, R=3, D=5, B=4, K=3, seed=8, margin=0.3, lr=1.0, p_norm=1, norm_flag=True)),
            ("l2", dict(E=12, R=3, D=5, B=4, K=3, seed=9, margin=1.0, lr=0.5, p_norm=2, norm_flag=True)),
            ("nonorm", dict(E=12, R=3, D=5, B=4, K=3, seed=10, margin=1.0, lr=1.0, p_norm=1, norm_flag=False)),
        ]
        for name, kw in cases:
            d = os.path.join(root, name)
            cmd_make(d, **kw)
            near = cmd_compute(d)
            worst, gmax = finite_differences(d)
            ok = worst < 1e-6 * max(1.0, gmax) and near == 0
            print("  finite differences (float64, h=1e-6) vs autograd: max|diff| %.3g (max|grad| %.3g)  %s"
                  % (worst, gmax, "ok" if ok else "FAIL"))
            status |= not ok
        # the hand-derived gradient, written as the C side would, must pass;
        # at the default size and at the FB15K237 recipe's size
        for name, kw in (("default", dict(E=50, R=7, D=16, B=8, K=3, seed=1)),
                         ("fb15k237", dict(E=14541, R=237, D=200, B=2721, K=25, seed=1))):
            d = os.path.join(root, name)
            cmd_make(d, margin=5.0, lr=1.0, p_norm=1, norm_flag=True, **kw)
            cmd_compute(d)
            ent, rel, pos, neg, p = load_input(d)
            l, _, _, e, r = manual_batch(ent, rel, pos, neg, p)
            write_loss(os.path.join(d, "c_loss.txt"), l)
            np.save(os.path.join(d, "c_ent.npy"), e.astype(np.float32))
            np.save(os.path.join(d, "c_rel.npy"), r.astype(np.float32))
            rc = cmd_compare(d)
            print("  hand-derived gradient: compare exit %d (expected 0)" % rc)
            status |= rc != 0
            # and a 1% error in one row's update must fail
            ref = np.load(os.path.join(d, "ref_ent.npy"))
            bad = e.astype(np.float32)
            i = int(pos[0, 0])
            bad[i] = ent[i] + 1.01 * (ref[i] - ent[i])
            np.save(os.path.join(d, "c_ent.npy"), bad)
            rc = cmd_compare(d)
            print("  1%% error in the update of entity %d: compare exit %d (expected 1)" % (i, rc))
            status |= rc != 1
        # the negative layout: read transposed (row b*K + k as the k-th
        # negative of positive b), it must fail where pairs are inactive
        d = os.path.join(root, "layout")
        cmd_make(d, E=50, R=7, D=16, B=8, K=3, seed=1, margin=1.0, lr=1.0, p_norm=1, norm_flag=True)
        cmd_compute(d)
        ent, rel, pos, neg, p = load_input(d)
        B, K = pos.shape[0], neg.shape[0] // pos.shape[0]
        for name, n_, want in (("k*B + b (right)", neg, 0),
                               ("b*K + k (wrong)", neg.reshape(B, K, 3).transpose(1, 0, 2).reshape(-1, 3), 1)):
            l, _, _, e, r = manual_batch(ent, rel, pos, n_, p)
            write_loss(os.path.join(d, "c_loss.txt"), l)
            np.save(os.path.join(d, "c_ent.npy"), e.astype(np.float32))
            np.save(os.path.join(d, "c_rel.npy"), r.astype(np.float32))
            rc = cmd_compare(d)
            print("  negatives read as row %s: compare exit %d (expected %d)" % (name, rc, want))
            status |= rc != want
    finally:
        if not keep:
            shutil.rmtree(root)
    print("selfcheck %s" % ("PASS" if status == 0 else "FAIL"))
    return status


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    sub = ap.add_subparsers(dest="cmd", required=True)
    a = sub.add_parser("compute")
    a.add_argument("dir")
    a = sub.add_parser("compare")
    a.add_argument("dir")
    a = sub.add_parser("make")
    a.add_argument("dir")
    a.add_argument("--E", type=int, default=50)
    a.add_argument("--R", type=int, default=7)
    a.add_argument("--D", type=int, default=16)
    a.add_argument("--B", type=int, default=8)
    a.add_argument("--K", type=int, default=3)
    a.add_argument("--seed", type=int, default=1)
    a.add_argument("--margin", type=float, default=5.0)
    a.add_argument("--lr", type=float, default=1.0)
    a.add_argument("--p-norm", type=int, default=1, choices=(1, 2))
    a.add_argument("--no-norm", action="store_true", help="norm_flag false")
    a = sub.add_parser("selfcheck")
    a.add_argument("--keep", metavar="DIR", help="leave the case directories in DIR")
    o = ap.parse_args()
    torch.set_num_threads(max(1, min(8, os.cpu_count() or 1)))
    if o.cmd == "compute":
        cmd_compute(o.dir)
        return 0
    if o.cmd == "compare":
        return cmd_compare(o.dir)
    if o.cmd == "make":
        cmd_make(o.dir, o.E, o.R, o.D, o.B, o.K, o.seed, o.margin, o.lr, o.p_norm, not o.no_norm)
        return 0
    return cmd_selfcheck(o.keep)


if __name__ == "__main__":
    sys.exit(main())
