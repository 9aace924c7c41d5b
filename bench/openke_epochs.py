#!/usr/bin/python3
"""openke_epochs.py - seconds per epoch of OpenKE-PyTorch's own TransE on
FB15K237, on the CPU, for the ratios in bench/RESULTS.md.

    /usr/bin/python3 bench/openke_epochs.py OPENKE_DIR DATA_DIR EPOCHS

OPENKE_DIR is a checkout of github.com/thunlp/OpenKE, branch OpenKE-PyTorch,
with openke/release/Base.so built (cd openke && sh make.sh); DATA_DIR an
OpenKE benchmark directory (../shared/data/kg/FB15K237). Runs the setting of
OpenKE's examples/train_transe_FB15K237.py (TrainDataLoader nbatches 100,
8 sampler threads, bern, filter, 25 negatives; TransE dim 200, L1,
norm_flag; MarginLoss margin 5; Trainer SGD alpha 1.0) with use_gpu False,
through Trainer.train_one_step as Trainer.run does, and prints each
epoch's summed loss (as OpenKE prints it) and wall seconds. Needs torch
(Debian's python3-torch), numpy and OpenKE (without scikit-learn, which
only OpenKE's Tester wants, a stand-in is put in its place); the project
does not depend on any of it.
"""
import os
import sys
import time

if len(sys.argv) != 4:
    sys.exit(__doc__)
sys.path.insert(0, sys.argv[1])
try:
    import sklearn.metrics  # noqa: F401  (OpenKE's Tester imports it; training does not use it)
except ImportError:
    import types
    sys.modules["sklearn"] = types.ModuleType("sklearn")
    sys.modules["sklearn.metrics"] = types.ModuleType("sklearn.metrics")
    sys.modules["sklearn.metrics"].roc_auc_score = None
import torch  # noqa: E402
from openke.config import Trainer  # noqa: E402
from openke.data import TrainDataLoader  # noqa: E402
from openke.module.loss import MarginLoss  # noqa: E402
from openke.module.model import TransE  # noqa: E402
from openke.module.strategy import NegativeSampling  # noqa: E402

epochs = int(sys.argv[3])
# torch as Debian builds it starts with one intra-op thread: give it every
# processor, as medkg takes by default
torch.set_num_threads(os.cpu_count())
data = os.path.join(sys.argv[2], "")
print("torch %s, %d threads" % (torch.__version__, torch.get_num_threads()), flush=True)
loader = TrainDataLoader(in_path=data, nbatches=100, threads=8, sampling_mode="normal",
                         bern_flag=1, filter_flag=1, neg_ent=25, neg_rel=0)
transe = TransE(ent_tot=loader.get_ent_tot(), rel_tot=loader.get_rel_tot(), dim=200, p_norm=1,
                norm_flag=True)
model = NegativeSampling(model=transe, loss=MarginLoss(margin=5.0),
                         batch_size=loader.get_batch_size())
trainer = Trainer(model=model, data_loader=loader, train_times=epochs, alpha=1.0, use_gpu=False)
trainer.optimizer = torch.optim.SGD(trainer.model.parameters(), lr=trainer.alpha,
                                    weight_decay=trainer.weight_decay)
for e in range(epochs):
    t0 = time.time()
    loss = 0.0
    for batch in loader:
        loss += trainer.train_one_step(batch)
    print("epoch %d  loss %.4f  %.2f s" % (e + 1, loss, time.time() - t0), flush=True)
