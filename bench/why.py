#!/usr/bin/env python
"""Benchmark: what each row of `log5 why` takes to train, the table as the command runs it, and the whole command.

Prints, on this machine:
- each row alone: the seconds of its intact and its broken runs (every seed of the row), trained
  back to back in this process with the row's seeds, so a row is charged its intact recipe in full;
- the table as `log5 why` runs it (`why_rows`: an intact recipe that several rows share is trained
  once per seed): what each row adds, and the total;
- the whole command, `log5 why --quiet` in a fresh process (imports, data, table, why.md and why.png),
  unless `--no-command`.

Not a test: it asserts nothing, it measures. Run it on a quiet machine; OMP_NUM_THREADS sets the threads.

    python bench/why.py [--dataset sample|full] [--only ROW,...] [--device cpu] [--no-command]
"""
import argparse, os, platform, subprocess, sys, tempfile, time, warnings
warnings.filterwarnings('ignore', message='`torch.jit.script` is deprecated')
import torch
from fastbook_log5.why import WHY_ROWS, pick_rows, why_rows
from fastbook_log5.data import mnist_xy
from fastbook_log5.all_digits import full_mnist
from fastbook_log5.device import get_device
from fastbook_log5.resnet_speed import bf16_ok

def timed(f):
    t0 = time.perf_counter(); f(); return time.perf_counter()-t0

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0])
    p.add_argument('--dataset', default='sample', choices=list(WHY_ROWS)); p.add_argument('--only', default=None)
    p.add_argument('--device', default=None); p.add_argument('--seed', type=int, default=42)
    p.add_argument('--no-command', action='store_true', help="skip the whole `log5 why` in a fresh process")
    a = p.parse_args()
    dev = get_device(a.device)
    rows = pick_rows(a.only, WHY_ROWS[a.dataset])
    print(f"machine: {platform.processor() or platform.machine()}, {torch.get_num_threads()} threads, device {dev}; torch {torch.__version__}; "
          f"data {a.dataset}; resnet in bfloat16: {'yes' if bf16_ok(dev) else 'no'}")
    t0 = time.perf_counter()
    data = mnist_xy(full_mnist() if a.dataset=='full' else None, device=dev)
    print(f"data loaded in {time.perf_counter()-t0:.1f} s\n\neach row alone (its intact and broken runs, every seed):")
    print(f"{'row':<14} {'step':<14} {'seeds':>5} {'intact s':>9} {'broken s':>9} {'row s':>7}")
    for r in rows:
        seeds = range(a.seed, a.seed+r.seeds)
        ti = sum(timed(lambda: r.intact(seed=s, data=data)) for s in seeds)
        tb = sum(timed(lambda: r.broken(seed=s, data=data)) for s in seeds)
        print(f"{r.name:<14} {r.step:<14} {r.seeds:>5} {ti:9.1f} {tb:9.1f} {ti+tb:7.1f}", flush=True)
    added = {}
    def bar(it, unit):
        t = time.perf_counter()
        for r in it:
            yield r
            added[r.name] = time.perf_counter()-t; t = time.perf_counter()
    total = timed(lambda: why_rows([r.name for r in rows], seed=a.seed, bar=bar, data=data, dataset=a.dataset))
    print(f"\nthe table as log5 why runs it (an intact recipe shared by rows trained once per seed): {total:.1f} s")
    print('what each row adds: ' + ', '.join(f"{k} {v:.1f} s" for k,v in added.items()))
    if a.no_command: return
    with tempfile.TemporaryDirectory() as d:
        cmd = ['log5', 'why', '--quiet', '--dataset', a.dataset, '--seed', str(a.seed), '--device', str(dev), '--out', d]
        if a.only: cmd += ['--only', a.only]
        t0 = time.perf_counter(); r = subprocess.run(cmd, capture_output=True, text=True); secs = time.perf_counter()-t0
    if r.returncode: sys.exit(f"{' '.join(cmd[:2])} failed ({r.returncode}): {r.stderr.strip()}")
    print(f"\nthe whole command, a fresh process (imports, data, table, why.md, why.png): {secs:.1f} s "
          f"(OMP_NUM_THREADS={os.environ.get('OMP_NUM_THREADS', 'unset')})")

if __name__ == '__main__': main()
