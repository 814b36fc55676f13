#!/usr/bin/env python
"""Benchmark: one training epoch of `simple_net` with our autograd (10_backprop, 10a_backprop_chapter) against PyTorch's, in one run.

For MNIST_SAMPLE (3s and 7s, 784-30-1, `mnist_loss`) and full MNIST (ten digits, 784-30-10, cross-entropy),
both train the same network from the same start on the same batches (`epoch_runners`), lr 0.1, batches
of 256, PyTorch on `--threads` threads (default one). Epochs alternate between the two, and the median
of `--repeats` epochs is printed for each, with the ratio ours/PyTorch (the goal: within 1.5x).

Where the rest of the time goes: both record the same operations and run the same torch kernels (but
for PyTorch's fused `addmm` and cross-entropy), so ours minus PyTorch, per step and per recorded
operation, is the bookkeeping ours does in Python (a `Tensor` and a closure per operation, the
topological sort, a dict of gradients) and PyTorch in C++, plus, on ten digits, our unfused
`log_softmax`. The breakdown adds an epoch of the loader alone (batches, no model) and, on 3s and 7s,
an epoch with 04's gradients by hand (`simple_net_grads`: the chain rule written out for this one
network, no graph): PyTorch minus by hand is what any general autograd costs here. On CUDA each epoch
ends with a synchronize, so that the time includes the kernels. Not a test: it asserts nothing, it
measures.

    python bench/autograd.py [--repeats 7] [--threads 1] [--device cpu]
"""
import argparse, platform, statistics
import torch
from fastai.torch_core import set_seed
from fastbook_log5.autograd import epoch_runners, time_epochs, our_simple_net, our_loss_for
from fastbook_log5.engine import toposort, Tensor
from fastbook_log5.sgd import mnist_loaders
from fastbook_log5.nonlinear import get_simple_net, simple_net_grads
from fastbook_log5.all_digits import full_mnist

def med_ms(ts): return statistics.median(ts)*1000

def ops_per_step(dl, n_out):
    "How many operations our autograd records for one training step, and how many of them it walks back."
    set_seed(0)
    ps = [Tensor(torch.randn(s, device=dl.device), requires_grad=True) for s in ((784, 30), (30,), (30, n_out), (n_out,))]
    xb,yb = next(iter(dl))
    loss = our_loss_for(2 if n_out==1 else n_out)(our_simple_net(xb, *ps), yb)
    return len([n for n in toposort(loss, keep=lambda t: True) if n._parents])

def by_hand_epoch(dl, lr=0.1):
    "One epoch with 04's `simple_net_grads`: the chain rule written out, no graph (two classes only)."
    net = get_simple_net().to(dl.device)
    ps = list(net.parameters())
    def run():
        with torch.no_grad():
            for xb,yb in dl:
                for p,g in zip(ps, simple_net_grads(net, xb, yb)): p -= g*lr
    return run

def bench(name, path, n_out, args):
    set_seed(42, reproducible=True)
    dl,_ = mnist_loaders(path=path, device=args.device)
    sync = torch.cuda.synchronize if dl.device.type=='cuda' else (lambda: None)
    ours,pytorch = [lambda run=run: (run(), sync()) for run in epoch_runners(dl, 0.1, n_out)]
    t_ours,t_torch = [],[]
    for i in range(args.repeats):  # alternate, so that a busy moment on the machine hits both
        for run,ts in ((ours, t_ours), (pytorch, t_torch))[::1 if i%2==0 else -1]: ts += time_epochs(run, 1, args.threads)
    loader = time_epochs(lambda: [None for _ in dl], args.repeats, args.threads)
    steps,ops = len(dl),ops_per_step(dl, n_out)
    print(f"\n{name}: {len(dl.x):,} images, {steps} steps of {dl.bs}, median of {args.repeats} epochs, {args.threads} thread(s) on {args.device}")
    print(f"  ours {med_ms(t_ours):7.1f} ms   PyTorch's autograd {med_ms(t_torch):7.1f} ms   ratio {med_ms(t_ours)/med_ms(t_torch):.2f}x (goal: within 1.5x)")
    print(f"  of which the loader alone (batches by index_select, no model): {med_ms(loader):.1f} ms")
    extra = (med_ms(t_ours)-med_ms(t_torch))/steps*1000
    print(f"  ours minus PyTorch: {extra:.0f} µs per step, over the {ops} operations recorded per step: {extra/ops:.1f} µs per operation")
    if n_out==1:
        hand = time_epochs(lambda run=by_hand_epoch(dl): (run(), sync()), args.repeats, args.threads)
        print(f"  04's gradients by hand (the chain rule written out, no graph): {med_ms(hand):.1f} ms; "
              f"PyTorch's autograd minus by hand: {(med_ms(t_torch)-med_ms(hand))/steps*1000:.0f} µs per step")
    return med_ms(t_ours)/med_ms(t_torch)

if __name__=='__main__':
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--repeats', type=int, default=7)
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--device', default='cpu')
    args = p.parse_args()
    print(f"torch {torch.__version__}, Python {platform.python_version()}, {platform.machine()}")
    ratios = [bench('MNIST_SAMPLE, 3s and 7s, simple_net 784-30-1', None, 1, args),
              bench('full MNIST, ten digits, simple_net 784-30-10', full_mnist(), 10, args)]
    print(f"\nours/PyTorch: {ratios[0]:.2f}x on 3s and 7s, {ratios[1]:.2f}x on ten digits")
    print("Where the rest goes: the same kernels run on both sides (PyTorch fuses x@w.T + b into one addmm, and cross-entropy "
          "into log_softmax + nll_loss); what ours adds is Python per recorded operation, a Tensor and a closure going forward, "
          "the topological sort, a dict of gradients and unbroadcast going back, which PyTorch's engine does in C++; and on ten "
          "digits our log_softmax, six kernels forward and four back where PyTorch runs one each, and the index's scatter back.")
