#!/usr/bin/env python
"""Fail when a notebook's committed outputs have gone stale: run each notebook afresh, in memory (the
committed file is never written), and compare its text outputs cell by cell with the committed ones.

What is compared: stream text (progress bars squashed as tools/run_nbs.py does), text/markdown,
the text of text/html tables, and otherwise text/plain; never images. The cells run are the ones
`nbdev_test` runs (cells flagged with settings.ini's tst_flags, `eval: false` or calling nbdev_export
are skipped, and so are their committed outputs), plus any cell with a `# machine-specific output`
comment, whose output describes the machine it ran on. A cell whose numbers legitimately move more from
one CPU to another (bfloat16 training, whose rounding depends on the chip's kernels) says so with a
comment like `# varies by machine: 0.01`, and its numbers in [-1, 1] may then move by that much.

The words and layout must match exactly (runs of spaces count as one). Numbers may move a little, as
training on another CPU or thread count moves an accuracy by a few images:
- a number in [-1, 1] by 0.003 (6 of MNIST_SAMPLE's 2,038 validation images; 30 of full MNIST's 10,000);
- a larger one by 1% of its size;
- an integer not at all (a count of images, pixels or units, a label, a size: a stale one is what this
  check is for; should another machine move a count of right answers, re-run and commit);
- a percentage by 0.3 points;
- and any rounded number by one unit of its last printed digit (0.9818 vs 0.9819 rounding apart).
Numbers that measure time or speed are not compared: followed by s, ms, µs, us, ns, min, x, ×,
it/s, GFLOP/s and the like, written mm:ss, in a table column headed time/seconds/ms, or a share (%)
on a line that also holds a timing or says faster/slower/speed (other shares, 33% called a 1, are
compared); nor object addresses (0x...), the date-time of a results folder, a date (the day it ran: a quiz's
`earlier: 1/1 (2026-12-03)`), or the machine in a results file's
`Device: cpu (CPU model, N cores)`, which names the machine that ran it.
The FASTAI_HOME of the run is written as ~/.fastai, as on the machine that committed the outputs.

    OMP_NUM_THREADS=1 python tools/check_outputs.py -j 2                 # every notebook nbdev_test runs
    OMP_NUM_THREADS=1 python tools/check_outputs.py nbs/02_sgd.ipynb     # some of them
    python tools/check_outputs.py --show nbs/05_resnet.ipynb   # runs nothing: what would be compared

Exits 1 with one line per drifted output (notebook, cell, committed vs fresh, and the fix).
"""
import argparse, json, math, os, re, sys, time
from concurrent.futures import ProcessPoolExecutor
import multiprocessing as mp
from pathlib import Path

root = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(root/'tools'))
from run_nbs import squash  # noqa: E402

MACHINE = re.compile(r'#[^\n]*machine-specific output')
VARIES = re.compile(r'#[^\n]*var(?:y|ies) by machine: ([\d.]+)')

# ---- which cells run: as nbdev_test

def skip_flags():
    from nbdev.config import get_config
    return set(str(get_config().get('tst_flags', '')).split())

def directives(src):
    "The `#|` directives of a cell's source, as {name: rest of the line}."
    return {m.group(1): m.group(2).strip() for m in re.finditer(r'^#\|\s*([\w-]+:?)\s*(.*)$', src, re.M)}

def skipped(cell, flags):
    "True for a cell nbdev_test does not run (or whose output describes the machine): its outputs are not compared."
    if cell['cell_type']!='code': return True
    src = ''.join(cell['source'])
    if 'nbdev_export'+'(' in src: return True
    d = directives(src)
    if d.get('eval:', '').lower()=='false' or flags & {k.rstrip(':') for k in d}: return True
    return bool(MACHINE.search(src))

# ---- running a notebook in memory

def run_fresh(fn):
    "Run notebook `fn` as nbdev_test does, in a fresh process; return ({cell index: outputs}, error or None, seconds)."
    import warnings
    warnings.filterwarnings('ignore', message='`torch.jit.script` is deprecated')  # fastai's import, on this process's stderr
    mp.set_start_method('fork', force=True)  # as in Jupyter and nbdev_test: a DataLoader's workers fork, not spawn
    from execnb.shell import CaptureShell
    from execnb.nbio import read_nb
    from fastcore.xtras import working_directory
    fn = Path(fn).resolve()
    flags, nb, t0 = skip_flags(), read_nb(fn), time.time()
    for c in nb.cells:
        if c.cell_type=='code': c['outputs'] = []
    shell, err = CaptureShell(fn), None
    try:
        with working_directory(fn.parent): shell.run_all(nb, exc_stop=True, preproc=lambda c: skipped(c, flags))
    except Exception: err = shell.prettytb(fname=fn)
    outs = {i: json.loads(json.dumps(c.get('outputs', []), default=str)) for i,c in enumerate(nb.cells) if not skipped(c, flags)}
    return outs, err, time.time()-t0

# ---- the text of an output

class _Table:
    "The text of an HTML table: one line per row, cells between pipes, like a markdown table."
    def __init__(self, html):
        from html.parser import HTMLParser
        rows, self.lines = [], []
        class P(HTMLParser):
            def handle_starttag(s, tag, a):
                if tag=='tr': rows.append([])
                elif tag in ('td', 'th') and rows: rows[-1].append('')
            def handle_data(s, data):
                if rows and rows[-1]: rows[-1][-1] += data
        P().feed(html)
        self.lines = ['| ' + ' | '.join(' '.join(c.split()) for c in r) + ' |' for r in rows]

def output_texts(outputs):
    "The comparable text of each output: streams squashed, markdown, HTML tables, else plain text; images dropped."
    res = []
    for o in outputs:
        t = o.get('output_type')
        if t=='stream':
            s = squash(o.get('text', ''))
            if s.strip(): res.append(s)
        elif t in ('execute_result', 'display_data'):
            d = {k: ''.join(v) if isinstance(v, list) else v for k,v in o.get('data', {}).items()}
            if 'text/markdown' in d: res.append(d['text/markdown'])
            elif 'text/html' in d and '<table' in d['text/html']: res.append('\n'.join(_Table(d['text/html']).lines))
            elif 'text/plain' in d: res.append(d['text/plain'])
        elif t=='error': res.append(f"{o.get('ename')}: {o.get('evalue')}")
    return res

# ---- numbers, and which ones measure time

NUM = re.compile(r'(?<![\w.])[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w.]*\d)(?P<pct>\s?%)?')
UNIT = re.compile(r'\s?(?:ms|µs|us|ns|s|sec|secs|seconds?|min|mins|minutes?|h|hours?|x|×|it/s|s/it|GFLOP/s|GFLOPS|TFLOP/s|[kMG]?B/s|img/s|images/s|steps/s|batches/s)(?![\w/])')
VOLATILE = re.compile(r'(?<![\w])0x[0-9a-fA-F]+|\b\d{8}[-_T]\d{4,6}\b|\b\d{4}-\d\d-\d\d(?:[ T]\d\d:\d\d(?::\d\d(?:\.\d+)?)?)?\b|\b\d{1,2}:\d\d(?::\d\d)?(?:\.\d+)?\b')
TIME_HEAD = re.compile(r'(?<![\w])(time|seconds?|secs?|ms|µs|s|duration|elapsed|speed)(?![\w])', re.I)
MACHINE_LINE = re.compile(r'(Device: [\w:]+ \().*?, \d+ cores')  # the machine in a results file: Device: cpu (CPU model, N cores
SPEED_LINE = re.compile(r'\bfaster\b|\bslower\b|\bspeed|\bof the step\b|\bof the time\b', re.I)

def _timing_columns(lines):
    "Spans of numbers under a table header naming time: {line index: [(start, end) or ('col', k)]}."
    res = {}
    for i,l in enumerate(lines):
        if re.search(r'\d', l) or len(l.split()) < 3 or not TIME_HEAD.search(l): continue
        if '|' in l:  # a markdown table: the column's index
            cols = [c.strip() for c in l.strip().strip('|').split('|')]
            ks = [k for k,c in enumerate(cols) if TIME_HEAD.fullmatch(c)]
            for j in range(i+1, len(lines)):
                if '|' not in lines[j]: break
                res.setdefault(j, []).extend(('col', k) for k in ks)
        else:  # a table laid out in spaces: the header word's columns of characters
            spans = [m.span() for m in TIME_HEAD.finditer(l) if len(l.split())>=3]
            for j in range(i+1, len(lines)):
                if not lines[j].strip(): break
                res.setdefault(j, []).extend(spans)
    return res

def line_tokens(text):
    "Each line's words with each number replaced by \\0, and its numbers: [(skeleton, [(string, is it compared)])]."
    text = MACHINE_LINE.sub(r'\1CPU, N cores', VOLATILE.sub('\x01', text))
    lines, res = text.split('\n'), []
    cols = _timing_columns(lines)  # a table's header names its timing column for the lines below it
    for i,l in enumerate(lines):
        timed = any(UNIT.match(l[m.end():]) and not m.group('pct') for m in NUM.finditer(l))
        pos, out, nums = 0, [], []
        for m in NUM.finditer(l):
            s, e = m.span()
            ignored = bool(not m.group('pct') and UNIT.match(l[e:]))
            ignored |= bool(m.group('pct')) and (timed or bool(SPEED_LINE.search(l)))
            for c in cols.get(i, []):
                if c[0]=='col': ignored |= l[:s].count('|')-1==c[1] if l.lstrip().startswith('|') else False
                else: ignored |= s < c[1] and e > c[0]
            nums.append((m.group().replace(' ', ''), not ignored))
            out.append(l[pos:s] + '\0' + ('%' if m.group('pct') else '')); pos = e
        out.append(l[pos:])
        res.append((' '.join(''.join(out).split()), nums))
    return res

def tokens(text):
    "The text's words with each number replaced by \\0, and its numbers: (string, is it compared)."
    lt = line_tokens(text)
    return '\n'.join(o[0] for o in lt).strip(), [n for o in lt for n in o[1]]

def _unit(s):
    "One unit of the last printed digit of number string `s`."
    m = re.fullmatch(r'[-+]?([\d,]*)(?:\.(\d*))?(?:[eE]([-+]?\d+))?', s)
    return 10.0**(int(m.group(3) or 0) - len(m.group(2) or ''))

def close(a, b, small=0.003):
    "Committed number string `a` agrees with fresh `b` within the tolerance in this module's docstring."
    pct = a.endswith('%')
    a, b = a.rstrip('%'), b.rstrip('%')
    x, y = float(a.replace(',', '')), float(b.replace(',', ''))
    if not (math.isfinite(x) and math.isfinite(y)): return a==b
    integer = not re.search(r'[.eE]', a+b)
    big = max(abs(x), abs(y))
    if pct: tol = max(0.3, _unit(a), _unit(b))
    elif integer: tol = 0
    elif big <= 1: tol = max(small, _unit(a), _unit(b))
    else: tol = max(0.01*big, _unit(a), _unit(b))
    return abs(x-y) <= tol*(1+1e-9)

def differs(old, new, small=0.003):
    "None when texts `old` and `new` agree, else the first committed and fresh lines that differ."
    (so, no), (sn, nn) = tokens(old), tokens(new)
    if so==sn and all(not (ca and cb) or close(a, b, small) for (a,ca),(b,cb) in zip(no, nn)): return None
    lo, ln = old.split('\n'), new.split('\n')
    to, tn = line_tokens(old), line_tokens(new)  # each line read in its text, so a table row knows its header
    for i in range(max(len(lo), len(ln))):
        if i >= len(lo) or i >= len(ln): return (lo[i] if i < len(lo) else '(no line)'), (ln[i] if i < len(ln) else '(no line)')
        (sa, na), (sb, nb) = to[i], tn[i]
        if sa!=sb or any(ca and cb and not close(x, y, small) for (x,ca),(y,cb) in zip(na, nb)): return lo[i], ln[i]
    return old, new

# ---- comparing a notebook

def short(s, n=110):
    s = ' '.join(s.split())
    return repr(s if len(s) <= n else s[:n-3]+'...')

def compare(fn, fresh):
    "Lines naming each output of notebook `fn` whose committed text differs from `fresh` ({cell: outputs})."
    rel = Path(fn).resolve().relative_to(root) if Path(fn).resolve().is_relative_to(root) else Path(fn)
    fix = f"fix: re-run the notebook with `OMP_NUM_THREADS=1 python tools/run_nbs.py {rel}`, then nbdev_clean, check its prose, and commit"
    cells, errs = json.loads(Path(fn).read_text())['cells'], []
    for i,new in sorted(fresh.items()):
        old, new = output_texts(cells[i].get('outputs', [])), output_texts(new)
        m = VARIES.search(''.join(cells[i]['source']))
        small = max(0.003, float(m.group(1))) if m else 0.003
        if len(old)!=len(new):
            errs.append(f"{rel} cell {i}: {len(old)} text outputs committed, {len(new)} fresh: committed {short(chr(10).join(old))} vs fresh {short(chr(10).join(new))}; {fix}")
            continue
        for k,(a,b) in enumerate(zip(old, new)):
            if (d := differs(a, b, small)): errs.append(f"{rel} cell {i} output {k}: committed {short(d[0])} vs fresh {short(d[1])}; {fix}")
    return errs

def show(fn):
    "What would be compared in notebook `fn`'s committed outputs: each number, [kept] or (ignored)."
    cells, flags = json.loads(Path(fn).read_text())['cells'], skip_flags()
    for i,c in enumerate(cells):
        if c['cell_type']!='code' or not c.get('outputs'): continue
        if skipped(c, flags): print(f"cell {i}: not run by nbdev_test or machine-specific: not compared"); continue
        for k,t in enumerate(output_texts(c['outputs'])):
            _, nums = tokens(t)
            print(f"cell {i} output {k}: {short(t, 90)}\n    numbers: " + ' '.join(f'[{s}]' if keep else f'({s})' for s,keep in nums))

def all_nbs():
    from nbdev.doclinks import nbglob
    os.chdir(root)
    return sorted(Path(o) for o in nbglob())

def _home(outs):
    "The run's FASTAI_HOME written as ~/.fastai, as it appears in outputs committed from a default install."
    h = os.environ.get('FASTAI_HOME')
    if not h: return outs
    h = str(Path(h).expanduser().resolve())
    return {int(k): v for k,v in json.loads(json.dumps(outs).replace(json.dumps(h)[1:-1], '~/.fastai')).items()}  # JSON keys are strings

def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split('\n\n')[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument('nbs', nargs='*', help='notebooks (default: every notebook nbdev_test runs)')
    ap.add_argument('-j', type=int, default=1, help='notebooks run at once, each in its own process (default 1)')
    ap.add_argument('--show', action='store_true', help='run nothing: print the numbers of the committed outputs, [compared] or (ignored)')
    a = ap.parse_args(argv)
    fns = [Path(o).resolve() for o in a.nbs] or [p.resolve() for p in all_nbs()]
    if a.show:
        for fn in fns: print(f'== {fn.name}'); show(fn)
        return 0
    t0, errs = time.time(), []
    with ProcessPoolExecutor(max(1, a.j), mp_context=mp.get_context('spawn'), max_tasks_per_child=1) as ex:
        for fn,(outs, err, secs) in zip(fns, ex.map(run_fresh, fns)):
            rel = fn.relative_to(root) if fn.is_relative_to(root) else fn
            if err: errs.append(f"{rel}: failed to run:\n{err}"); print(f"{rel}: failed to run ({secs:.0f} s)", flush=True); continue
            e = compare(fn, _home(outs)); errs += e
            print(f"{rel}: {'%d drifted' % len(e) if e else 'outputs as committed'} ({secs:.0f} s)", flush=True)
    for e in errs: print(e)
    print(f"check_outputs: {len(fns)} notebook{'s'*(len(fns)!=1)} in {time.time()-t0:.0f} s, {len(errs)} drifted output{'s'*(len(errs)!=1)}")
    return 1 if errs else 0

if __name__=='__main__': sys.exit(main())
