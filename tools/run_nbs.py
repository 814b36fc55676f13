#!/usr/bin/env python
"""Run notebooks top to bottom in place and keep their outputs, as a reader (and the docs site) sees them.

Progress bars are squashed to what a terminal would finally show, so a 40-epoch fit leaves its table
of results, not thousands of bar updates. Run `nbdev_clean` afterwards.

    python tools/run_nbs.py nbs/02_sgd.ipynb nbs/04_nonlinear.ipynb
"""
import os, re, sys
from pathlib import Path
from execnb.shell import CaptureShell
from execnb.nbio import read_nb, write_nb

bar = re.compile(r'\|[█-]*\|\s*\d+\.\d+%|^█$')

def squash(text):
    "What a terminal would show: the text after the last carriage return of each line, without progress bars."
    if isinstance(text, list): text = ''.join(text)
    lines = [l.split('\r')[-1] for l in text.split('\n')]
    return '\n'.join(l for l in lines if not bar.search(l))

def run(fn):
    fn = Path(fn).resolve()
    os.chdir(fn.parent)
    nb = read_nb(fn)
    for c in nb.cells:  # execnb leaves a cell's old outputs when it now prints nothing: start from none
        if c.cell_type=='code': c['outputs'] = []
    CaptureShell(fn).run_all(nb, exc_stop=True)
    for c in nb.cells:
        if c.cell_type!='code': continue
        for o in c.outputs:
            if o.get('output_type')=='stream': o['text'] = squash(o['text'])
        c['outputs'] = [o for o in c.outputs if o.get('output_type')!='stream' or o['text'].strip()]
    write_nb(nb, fn)
    print('ran', fn.name)

if __name__=='__main__':
    for fn in [Path(o).resolve() for o in sys.argv[1:]]: run(fn)
