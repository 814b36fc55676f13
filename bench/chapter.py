#!/usr/bin/env python
"""Benchmark: the book's recipe for chapter 4 against `log5`'s path: whole process, imports, stages, resnet steps.

The book's recipe is in `book_recipe.py`, written as the book gives it: images decoded with a list
comprehension over `PIL.Image.open`, batches from `DataLoader(list(zip(x, y)), batch_size=256)`,
`Learner`, and `ImageDataLoaders.from_folder` + `vision_learner` for the resnet. The log5 path is
what `log5 reproduce` runs. In one run, this prints:

- whole process: `book_recipe.py` against `log5 reproduce`, each in a fresh Python (imports, data and
  every chapter stage), in `--pairs` pairs whose order alternates; the median ratio and its range;
- imports: what each side imports before it can start, median of 3 fresh processes;
- stages: each stage of both, back to back in this process with the same seed, order alternating
  between `--repeats`; seconds, accuracy and the ratio book/log5 (with `basic_learner`, also
  `simple_net` `fit(40, 0.1)` through `train_model`, our `BasicLearner` and fastai's `Learner`);
- the resnet's training step: milliseconds per step for the book's learner and log5's, where log5's
  step goes (phases, and the top operations in `torch.profiler`), and with `--levers` the step with
  each speed lever taken out.

Not a test: it asserts nothing, it measures. Run it on a quiet machine.

    python bench/chapter.py [--dataset full] [--pairs 3] [--repeats 2] [--levers] [--only steps] [--device cpu]

`--dataset full` runs the same comparison on all ten digits: the book's style of code with ten outputs,
cross-entropy and the hyper-parameters log5 uses there (07_all_digits), against log5's ten-digit stages.
"""
import argparse, gc, os, platform, shutil, statistics, subprocess, sys, tempfile, time, warnings
from functools import partial
from pathlib import Path
warnings.filterwarnings('ignore', message='`torch.jit.script` is deprecated')
import torch
import torch.nn.functional as F
from fastai.vision.all import (untar_data, URLs, Learner, SGD, Adam, set_seed, Callback, CancelFitException, ImageDataLoaders,
                               vision_learner, resnet18, accuracy)
from book_recipe import book_data, book_data_full, BOOK_STAGES, BOOK10_STAGES
from fastbook_log5.book import CHAPTER
from fastbook_log5.stages import stage_funcs, stage_names, stage
from fastbook_log5.cache import mnist_stacks
from fastbook_log5.device import get_device

# ---- what a learner's callbacks cost: the same simple_net fit through three loops ----
def loops(dev, seed):
    "`simple_net` `fit(40, 0.1)` on the same in-memory loaders: the plain loop, `BasicLearner`, fastai's `Learner`."
    from fastbook_log5.sgd import mnist_loaders
    from fastbook_log5.optimizer import BasicOptim, train_model
    from fastbook_log5.loading import mnist_dls
    from fastbook_log5.nonlinear import get_simple_net
    from fastbook_log5.learner import BasicLearner
    from fastbook_log5.loss import mnist_loss
    from fastbook_log5.sgd import batch_accuracy
    def plain():
        dl,valid_dl = mnist_loaders(device=dev); m = get_simple_net().to(dev)
        return train_model(m, 40, BasicOptim(m.parameters(), 0.1), dl, valid_dl, show=False)[-1]
    def basic():
        l = BasicLearner(mnist_dls(device=dev), get_simple_net(), mnist_loss, metrics=batch_accuracy, bar=False)
        l.fit(40, 0.1); return l.recorder.values[-1][2]
    def fastai_learner():
        l = Learner(mnist_dls(device=dev), get_simple_net(), opt_func=SGD, loss_func=mnist_loss, metrics=batch_accuracy)
        with l.no_bar(), l.no_logging(): l.fit(40, 0.1)
        return float(l.recorder.values[-1][2])
    return dict(train_model=plain, BasicLearner=basic, fastai_Learner=fastai_learner)

# ---- whole process: the book's recipe against `log5 reproduce`, each in a fresh Python ----
def whole(dataset, pairs):
    "Run `book_recipe.py` and `log5 reproduce` in fresh processes, `pairs` times, alternating which goes first."
    here = Path(__file__).resolve().parent
    cmds = dict(book=[sys.executable, str(here/'book_recipe.py'), '--dataset', dataset])
    res = dict(book=[], log5=[])
    with tempfile.TemporaryDirectory() as out:
        log5 = shutil.which('log5') or sys.exit("bench: the log5 command is not on PATH: pip install -e . first")
        cmds['log5'] = [log5, 'reproduce', '--quiet', '--dataset', dataset, '--out', out]
        for i in range(pairs):
            for who in (('book', 'log5') if i%2==0 else ('log5', 'book')):
                t0 = time.perf_counter()
                subprocess.run(cmds[who], check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                res[who].append(time.perf_counter()-t0)
            print(f"  pair {i+1}: book {res['book'][-1]:6.1f} s  log5 {res['log5'][-1]:6.1f} s  ratio {res['book'][-1]/res['log5'][-1]:.2f}", flush=True)
    ratios = [b/o for b,o in zip(res['book'], res['log5'])]
    print(f"whole process, median of {pairs} pairs: book {statistics.median(res['book']):.1f} s, log5 {statistics.median(res['log5']):.1f} s, "
          f"ratio {statistics.median(ratios):.2f} (pairs {min(ratios):.2f} to {max(ratios):.2f})")

def import_time(n=3):
    "Seconds to import what each side needs, in fresh processes: median of `n`."
    code = dict(book='from fastai.vision.all import *', log5='import fastbook_log5.cli, fastbook_log5.stages')
    t = {}
    for who,c in code.items():
        runs = [float(subprocess.run([sys.executable, '-c', f'import time; t=time.perf_counter(); {c}; print(time.perf_counter()-t)'],
                                     capture_output=True, text=True, check=True).stdout.split()[-1]) for _ in range(n)]
        t[who] = statistics.median(runs)
    print(f"imports, median of {n} fresh processes: book (fastai.vision.all) {t['book']:.2f} s, log5 {t['log5']:.2f} s, ratio {t['book']/t['log5']:.2f}")

# ---- the resnet's training step: milliseconds, where they go, and what each speed lever is worth ----
PHASES = ('before_batch', 'after_pred', 'after_loss', 'after_backward', 'after_step', 'after_batch')  # StepTimer's marks, per batch

class StepTimer(Callback):
    "Time each training batch's phases; stop the fit after `n` batches."
    def __init__(self, n): self.n,self.marks = n,[]
    def _mark(self, ev): self.marks.append((ev, time.perf_counter()))
    def before_batch(self): self._mark('before_batch')
    def after_pred(self): self._mark('after_pred')
    def after_loss(self): self._mark('after_loss')
    def after_backward(self): self._mark('after_backward')
    def after_step(self): self._mark('after_step')
    def after_batch(self):
        self._mark('after_batch')
        if self.training and self.iter+1>=self.n: raise CancelFitException()

def step_phases(learn, n=40, warm=15, lr=0.1):
    "Median milliseconds of a training step and of each phase, over batches `warm` to `n`."
    t = StepTimer(n)
    with learn.no_bar(), learn.no_logging(): learn.fit_one_cycle(1, lr, cbs=t)
    k = len(PHASES)
    batches = [dict(t.marks[i:i+k]) for i in range(0, len(t.marks)-k+1, k)]
    steps,prev = batches[warm:],[b['after_batch'] for b in batches[warm-1:-1]]
    ph = dict(data=[s['before_batch']-p for s,p in zip(steps, prev)])
    for a,b,name in [('before_batch', 'after_pred', 'forward'), ('after_pred', 'after_loss', 'loss'), ('after_loss', 'after_backward', 'backward'),
                     ('after_backward', 'after_step', 'optimizer'), ('after_step', 'after_batch', 'zero_grad and callbacks')]:
        ph[name] = [s[b]-s[a] for s in steps]
    total = [sum(v[i] for v in ph.values()) for i in range(len(steps))]
    return statistics.median(total)*1000, {k: statistics.median(v)*1000 for k,v in ph.items()}

def top_ops(learn, n=8, k=6):
    "The `k` operations taking most of `n` training steps, as shares of the profiled time."
    from torch.profiler import profile, ProfilerActivity
    err = os.dup(2); os.dup2(os.open(os.devnull, os.O_WRONLY), 2)  # the profiler's C++ side logs its start and stop to stderr
    try:
        with profile(activities=[ProfilerActivity.CPU]) as prof: step_phases(learn, n, warm=1)
    finally: os.dup2(err, 2); os.close(err)
    ev = sorted(prof.key_averages(), key=lambda e: -e.self_cpu_time_total)
    tot = sum(e.self_cpu_time_total for e in ev)
    return [(e.key, 100*e.self_cpu_time_total/tot) for e in ev[:k]]

def book_learner(dataset, dev, bs):
    path = untar_data(URLs.MNIST if dataset=='full' else URLs.MNIST_SAMPLE)
    dls = ImageDataLoaders.from_folder(path, **(dict(train='training', valid='testing') if dataset=='full' else {}), bs=bs, device=dev)
    return vision_learner(dls, resnet18, pretrained=False, loss_func=F.cross_entropy, metrics=accuracy)

def lever_learner(dev, bs, path=None, off=None):
    "log5's resnet learner with one speed lever (`off`) taken out."
    from fastbook_log5.resnet import resnet18_model
    from fastbook_log5.resnet_speed import BF16, FusedAdam, small_convs, bf16_ok
    from fastbook_log5.loading import mnist_image_dls
    from fastbook_log5.guard import DivergeCheck
    dls = mnist_image_dls(bs, path, dev, channels_last=off!='channels_last')
    model = resnet18_model(dls.c).to(dev)
    if off!='channels_last': model = model.to(memory_format=torch.channels_last)
    if off!='small_convs': small_convs(model, 28, 1 if off=='small_convs_layer3' else 4)
    cbs = [DivergeCheck()] + ([BF16()] if off!='bf16' and bf16_ok(dev) else [])
    learn = Learner(dls, model, loss_func=F.cross_entropy, opt_func=Adam if off=='fused_adam' else FusedAdam, metrics=accuracy, cbs=cbs)
    if off=='grads_kept': learn.add_cb(GradsToNone())
    return learn

class GradsToNone(Callback):
    "A lever tried and not kept: after each step, set the gradients to None instead of zeroing them."
    order = 100
    def after_step(self):
        for p in self.model.parameters(): p.grad = None

LEVERS = {'all levers': None, 'no small_convs': 'small_convs', 'small_convs on layer4 only': 'small_convs_layer3',
          'no bf16': 'bf16', "fastai's Adam": 'fused_adam', 'no channels-last': 'channels_last',
          'plus grads set to None': 'grads_kept'}

def resnet_steps(dataset, dev, seed, levers, repeats):
    "Print the resnet's milliseconds per step for the book's learner and log5's, the phases and the top operations."
    from fastbook_log5.resnet import resnet_learner
    from fastbook_log5.loading import mnist_image_dls
    from fastbook_log5.all_digits import full_mnist, FULL_RESNET_BS
    path,bs = (str(full_mnist()), FULL_RESNET_BS) if dataset=='full' else (None, 64)
    makers = dict(book=lambda: book_learner(dataset, dev, 64), log5=lambda: resnet_learner(mnist_image_dls(bs, path, dev)))
    if levers: makers.update({k: partial(lever_learner, dev, bs, path, v) for k,v in LEVERS.items() if v})
    learners = {}
    for k,f in makers.items(): set_seed(seed, reproducible=True); learners[k] = f()
    res = {k: [] for k in makers}
    for rnd in range(3*repeats):  # short rounds, the order rotating, so that a machine's slow minutes fall on every learner alike
        ks = list(makers)[rnd % len(makers):] + list(makers)[:rnd % len(makers)]
        for k in ks: gc.collect(); res[k].append(step_phases(learners[k], n=12, warm=4))
    print(f"\nresnet training step, {dataset} (batches of {bs} for log5, 64 for the book), median of {3*repeats} rounds of 8 steps, the learners taking turns:")
    book_ms = statistics.median(t for t,_ in res['book'])
    for k,v in res.items():
        ms,n = statistics.median(t for t,_ in v),(64 if k=='book' else bs)
        print(f"  {k:<27} {ms:7.1f} ms/step  {ms/n:6.3f} ms/image  book/this per image {book_ms/64/(ms/n):5.2f}")
    for who in ('book', 'log5'):
        ph = {p: statistics.median(r[1][p] for r in res[who]) for p in res[who][0][1]}; tot = sum(ph.values())
        print(f"  {who} step phases: " + ', '.join(f"{k} {100*v/tot:.0f}%" for k,v in ph.items()))
    set_seed(seed, reproducible=True)
    print("  log5's step, top operations (torch.profiler, 8 steps): " + ', '.join(f"{k} {p:.0f}%" for k,p in top_ops(learners['log5'])))

# ---- the run ----
def timed(f):
    t0 = time.perf_counter(); r = f(); return r, time.perf_counter()-t0

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--stages', default=','.join(s for s in stage_names() if s not in ('autograd', 'scratch'))); p.add_argument('--repeats', type=int, default=1)
    p.add_argument('--device', default=None); p.add_argument('--seed', type=int, default=42)
    p.add_argument('--dataset', default='sample', choices=['sample', 'full'])
    p.add_argument('--pairs', type=int, default=3, help="whole-process pairs (book_recipe.py against log5 reproduce); 0 skips them")
    p.add_argument('--levers', action='store_true', help="also time the resnet's step with each speed lever taken out")
    p.add_argument('--only', default=None, choices=['whole', 'imports', 'stages', 'steps'], help="run one section")
    a = p.parse_args()
    stages,dev,full = a.stages.split(','),get_device(a.device),a.dataset=='full'
    print(f"machine: {platform.processor() or platform.machine()}, {torch.get_num_threads()} threads, device {dev}; torch {torch.__version__}; data {a.dataset}")
    path = untar_data(URLs.MNIST if full else URLs.MNIST_SAMPLE)
    def want(sec): return a.only in (None, sec)
    if want('whole') and a.pairs: whole(a.dataset, a.pairs)
    if want('imports'): import_time()
    if want('stages'): stages_table(a, stages, dev, full, path)  # before the steps: it times loading the data afresh
    if want('steps'): resnet_steps(a.dataset, dev, a.seed, a.levers, max(a.repeats, 2))

def stages_table(a, stages, dev, full, path):
    "Each stage of the book's recipe and log5's, back to back in this process; the table of medians."
    ours,book_stages,data_arg = stage_funcs(a.dataset),(BOOK10_STAGES if full else BOOK_STAGES),(dict(path=str(path)) if full else {})
    book_d, t_book_data = timed(lambda: (book_data_full if full else book_data)(path, dev))
    _, t_ours_data = timed(lambda: mnist_stacks(path if full else None))  # log5's disk cache, when it has one
    res = {s: dict(book=[], ours=[], book_acc=[], ours_acc=[]) for s in stages}
    for rep in range(a.repeats):
        for s in stages:
            runs = [('book', lambda: book_stages[s](book_d, dev)), ('ours', lambda: ours[s](device=dev, seed=a.seed+rep, show=False, **data_arg))]
            if rep % 2: runs.reverse()
            for who,f in runs:
                set_seed(a.seed+rep, reproducible=True)
                acc,secs = timed(f)
                acc = acc if isinstance(acc, float) else acc.accuracy
                res[s][who].append(secs); res[s][who+'_acc'].append(acc)
            print(f"  repeat {rep+1} {s:<13} book {res[s]['book'][-1]:7.2f} s  log5 {res[s]['ours'][-1]:7.2f} s", flush=True)
    m = statistics.median
    print(f"\nstages in this process, median of {a.repeats}:\n{'stage':<13} {'book s':>8} {'log5 s':>8} {'ratio':>6} {'book acc':>9} {'log5 acc':>9} {'published':>9}")
    print(f"{'data':<13} {t_book_data:8.2f} {t_ours_data:8.2f} {t_book_data/t_ours_data:6.2f}")
    tb,to = t_book_data,t_ours_data
    for s in stages:
        r = res[s]; b,o = m(r['book']),m(r['ours'])
        if s in CHAPTER: tb += b; to += o
        print(f"{s:<13} {b:8.2f} {o:8.2f} {b/o:6.2f} {m(r['book_acc']):9.4f} {m(r['ours_acc']):9.4f} {'' if full else f'{stage(s).bar:9.4f}'}")
    print(f"{'chapter':<13} {tb:8.2f} {to:8.2f} {tb/to:6.2f}   (data and the chapter's stages run)")
    if 'basic_learner' in stages and not full:
        fs,t = loops(dev, a.seed),{}
        for rep in range(a.repeats):
            for k in (list(fs) if rep%2==0 else list(fs)[::-1]):
                set_seed(a.seed+rep, reproducible=True)
                acc,secs = timed(fs[k]); t.setdefault(k, []).append((secs, acc))
        base = m([s for s,_ in t['train_model']])
        print(f"\nsimple_net fit(40, 0.1), same loaders and seeds, median of {a.repeats}:")
        print(f"{'loop':<15} {'seconds':>8} {'ratio':>6} {'accuracy':>9}")
        for k,v in t.items(): print(f"{k:<15} {m([s for s,_ in v]):8.2f} {m([s for s,_ in v])/base:6.2f} {m([x for _,x in v]):9.4f}")

if __name__=='__main__': main()
