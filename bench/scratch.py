#!/usr/bin/env python
"""Benchmark: our resnet18 (11_scratch: our Tensor, layers, Adam) against 05's PyTorch one, float32, one run.

Both train the same network (05's `resnet18_model`, one input channel, fastai's head) from the same
weights on the same `--batches` batches of 64 from 05's `mnist_image_dls`, alternating between the two
for `--repeats` rounds; the median is scaled to one epoch of MNIST_SAMPLE (its number of batches).
PyTorch's side is the plain model (no `SmallConv`, no bfloat16, no channels-last: 05's speed-ups are its
own) trained by its autograd and 05's `FusedAdam`; ours is `from_torch` of it trained by our `Adam`.

Where the difference goes, measured on the same shapes: every convolution of one training step,
forward and backward, as our `unfold` + `@` against `F.conv2d` (its backward included); and the
optimizer step over the gradients one batch leaves, ours (one tensor at a time, in Python) against the fused one. The rest (batch norm,
pooling, ReLU, the loss, our graph's bookkeeping) is the remainder. Not a test: it asserts nothing.

    python bench/scratch.py [--batches 10] [--repeats 3] [--threads 1] [--device cpu]
"""
import argparse, copy, platform, statistics, time
import torch
import torch.nn.functional as F
from torch import nn
from fastai.torch_core import set_seed
from fastbook_log5.resnet import resnet18_model
from fastbook_log5.resnet_speed import FusedAdam
from fastbook_log5.loading import mnist_image_dls
from fastbook_log5.engine import Tensor
from fastbook_log5.scratch import from_torch, Adam, no_wd_params, cross_entropy, conv2d

def timed(f, sync):
    t = time.perf_counter(); f(); sync()
    return time.perf_counter() - t

def conv_shapes(model, xb):
    "(input shape, conv) for every convolution of `model` on batch `xb`."
    seen = []
    hooks = [m.register_forward_hook(lambda m, i, o: seen.append((tuple(i[0].shape), m))) for m in model.modules() if isinstance(m, nn.Conv2d)]
    with torch.no_grad(): model(xb)
    for h in hooks: h.remove()
    return seen

def conv_step(shapes, ours, device):
    "Forward and backward of every convolution in `shapes`, by ours (`unfold` + `@`) or by `F.conv2d`."
    xs = [torch.randn(s, device=device) for s,_ in shapes]
    def run():
        for x,(_,m) in zip(xs, shapes):
            if ours:
                w = Tensor(m.weight.detach(), requires_grad=True)
                conv2d(Tensor(x, requires_grad=True), w, m.stride[0], m.padding[0]).sum().backward()
            else:
                xt,wt = x.clone().requires_grad_(),m.weight.detach().clone().requires_grad_()
                F.conv2d(xt, wt, stride=m.stride, padding=m.padding).sum().backward()
    return run

def main(args):
    torch.set_num_threads(args.threads)
    set_seed(42, reproducible=True)
    dls = mnist_image_dls(64, device=args.device, channels_last=False)
    batches = [b for _,b in zip(range(args.batches), dls.train)]
    sync = torch.cuda.synchronize if dls.device.type=='cuda' else (lambda: None)
    net = resnet18_model(2).to(dls.device)
    ours = from_torch(net)
    theirs = copy.deepcopy(net)
    opt_t,opt_o = FusedAdam(list(theirs.parameters()), lr=1e-3),Adam(ours.params(), 1e-3, no_wd=no_wd_params(ours))
    def torch_steps():
        for xb,yb in batches:
            F.cross_entropy(theirs(xb), yb).backward(); opt_t.step(); opt_t.zero_grad()
    def our_steps():
        with torch.no_grad():
            for xb,yb in batches:
                cross_entropy(ours(Tensor(xb)), yb).backward(); opt_o.step(); opt_o.zero_grad()
    xb,yb = batches[0]  # the optimizer steps over the gradients one batch leaves, laid out as backward leaves them
    with torch.no_grad(): cross_entropy(ours(Tensor(xb)), yb).backward()
    F.cross_entropy(theirs(xb), yb).backward()
    our_grads,their_grads = [p.grad for p in ours.params()],[p.grad for p in theirs.parameters()]
    def our_opt():
        for p,g in zip(ours.params(), our_grads): p.grad = g
        opt_o.step()
    def torch_opt():
        for p,g in zip(theirs.parameters(), their_grads): p.grad = g
        opt_t.step()
    shapes = conv_shapes(theirs, batches[0][0])
    parts = dict(ours=our_steps, pytorch=torch_steps, conv_ours=conv_step(shapes, True, dls.device), conv_torch=conv_step(shapes, False, dls.device),
                 opt_ours=our_opt, opt_torch=torch_opt)
    ts = {k: [] for k in parts}
    for i in range(args.repeats):  # alternate, so that a busy moment on the machine hits both sides
        for k,f in (parts.items() if i%2==0 else reversed(parts.items())): ts[k].append(timed(f, sync))
    med = {k: statistics.median(v) for k,v in ts.items()}
    per = {k: med[k]/args.batches if k in ('ours', 'pytorch') else med[k] for k in med}  # seconds per batch
    scale = len(dls.train)
    print(f"torch {torch.__version__}, Python {platform.python_version()}, {platform.machine()}, {args.threads} thread(s) on {args.device}")
    print(f"{args.batches} batches of 64, median of {args.repeats} rounds, scaled to one epoch of {len(dls.train)} batches (float32)")
    print(f"  ours    {per['ours']*scale:7.1f} s per epoch")
    print(f"  PyTorch {per['pytorch']*scale:7.1f} s per epoch   ratio {per['ours']/per['pytorch']:.2f}x (goal: within 2x)")
    gap = per['ours'] - per['pytorch']
    conv,opt = per['conv_ours'] - per['conv_torch'],per['opt_ours'] - per['opt_torch']
    print("Where the difference goes, per epoch:")
    print(f"  convolutions, forward and backward: unfold + @ {per['conv_ours']*scale:.1f} s against F.conv2d {per['conv_torch']*scale:.1f} s: {conv*scale:+.1f} s")
    print(f"  optimizer step: ours {per['opt_ours']*scale:.1f} s against fused {per['opt_torch']*scale:.1f} s: {opt*scale:+.1f} s")
    print(f"  the rest (batch norm, pooling, ReLU, loss, our graph's bookkeeping): {(gap - conv - opt)*scale:+.1f} s")

if __name__=='__main__':
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--batches', type=int, default=10)
    p.add_argument('--repeats', type=int, default=3)
    p.add_argument('--threads', type=int, default=1)
    p.add_argument('--device', default='cpu')
    main(p.parse_args())
