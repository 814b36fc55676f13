#!/usr/bin/env python
"""Benchmark: how fast `log5` answers, and how fast full MNIST loads from the decode cache, each in a fresh process.

Prints the median and the range of `--repeats` runs (default 5) for `log5 --help`, `log5 --version`,
`log5 reproduce --help`, `log5 quiz --list` and `log5 quiz` up to its first question (answered `q`, so
the run stops there), and whether any of them imported torch. Then the time `mnist_stacks` takes
to load full MNIST from a warm disk cache in a fresh Python. Goals (issue "One house"): the four commands
under 0.5 s, the first question under 1 s, full MNIST under 0.5 s, on a 2-core CPU. Not a test: it
asserts nothing, it measures.

    python bench/startup.py [--repeats 5]
"""
import argparse, os, statistics, subprocess, sys, tempfile, time

def run(args, stdin=''):
    t0 = time.perf_counter()
    r = subprocess.run(args, input=stdin, capture_output=True, text=True)
    return time.perf_counter()-t0, r

def fmt(ts): return f"{statistics.median(ts):6.3f} s  ({min(ts):.3f}-{max(ts):.3f})"

def main():
    p = argparse.ArgumentParser(description=__doc__.split('\n')[0]); p.add_argument('--repeats', type=int, default=5)
    n = p.parse_args().repeats
    progress = os.path.join(tempfile.mkdtemp(), 'quiz.json')
    cmds = {'log5 --help': ['log5', '--help'], 'log5 --version': ['log5', '--version'],
            'log5 reproduce --help': ['log5', 'reproduce', '--help'], 'log5 quiz --list': ['log5', 'quiz', '--list'],
            'log5 quiz (first question)': ['log5', 'quiz', '--progress', progress]}
    print(f"{'command':<28} {'median (range) of ' + str(n):>28}  torch imported")
    for name,args in cmds.items():
        stdin = 'q\n' if 'first question' in name else ''
        ts = [run(args, stdin)[0] for _ in range(n)]
        code = "import sys\nfrom fastbook_log5.cli import main\nsys.argv = ['log5', *%r]\ntry: main()\nexcept SystemExit: pass\n" % (args[1:],)
        code += "print('TORCH' if 'torch' in sys.modules else 'NOTORCH', file=sys.stderr)"
        r = subprocess.run([sys.executable, '-c', code], input=stdin, capture_output=True, text=True)
        print(f"{name:<28} {fmt(ts):>28}  {'yes' if 'TORCH' in r.stderr.split() else 'no'}")
    code = ("import time; t = time.perf_counter(); from fastbook_log5.cache import mnist_stacks; from fastbook_log5.all_digits import full_mnist; "
            "i = time.perf_counter(); p = full_mnist(); l = time.perf_counter(); mnist_stacks(p); e = time.perf_counter(); print(i-t, e-l)")
    subprocess.run([sys.executable, '-c', code], capture_output=True)  # warm the disk cache
    imp,load = zip(*[map(float, subprocess.run([sys.executable, '-W', 'ignore', '-c', code], capture_output=True, text=True).stdout.split()) for _ in range(n)])
    print(f"\nfull MNIST, 70,000 digits, from the decode cache: {fmt(load)} (the imports before it: {fmt(imp)})")

if __name__=='__main__': main()
