#!/usr/bin/env python
"""Fail when a notebook's prose quotes a number that nothing backs: a figure in a markdown sentence must be
printed by a cell of that notebook (as committed), written in its code, be one of the book's published
accuracies, or say where it comes from. Static: runs nothing (tools/check_outputs.py keeps outputs fresh).

Which numbers are checked: those with a decimal point (0.982, 1.5), a percentage (98.2%), a power of ten
written 1e-6, and whole numbers of 100 or more (2,038, 784). Whole numbers below 100 are left alone: in
prose they count things ("two layers", "3s and 7s", "chapter 4", "40 epochs", Q30) and need no output;
so are years (1900-2030), versions (2.4.14, Python 3.10, <2.10), file modes (0600), and numbers inside
`code`, code blocks, math, HTML comments, link targets and names (resnet18, 00_data).

A number is backed when any of these holds:
- a text output of the notebook prints it, in any rounding and either sign: prose 0.982 or 98.2% or 98%
  matches a printed 0.9818 (the printed value rounds to it), 2,038 matches 2038; after "about", within 10%;
- it is a number in the notebook's code (a hyper-parameter: lr 0.1, 0.021, 256);
- it is one of the book's accuracies in fastbook_log5.book.PUBLISHED, in any rounding (0.951, 95.1%);
- it is a size fixed by the data (FACTS below: 784 pixels, 2,038 validation images, 70,000 digits...);
- its sentence names a notebook (04_nonlinear, or a link to it) that prints it or has it in its code;
- its sentence says it quotes a source: "according to",
  "reports", "published", "quoted from", "measured once/with/by hand/here/the same way", "when we
  drew/did/tried", "in that run", "the table above/below", a command in code (`log5 ...`, `python ...`)
  or a link to a web page; a table, when the paragraph before or after it says so (not by naming the book);
- its cell holds a marker `<!-- quoted: 0.9964 from SOURCE -->` or `<!-- quoted: 246 is 2,038 - 7×256 -->`
  whose leading numbers name it, for a figure readers can't see come from anywhere.
Figures that disagree across notebooks: an accuracy-like figure (0.5 to 1, three decimals or more) in a
sentence that names another notebook, or in a table whose caption names one, must be in that notebook too
(printed, in its code, or in its prose), even where the sentence says where it comes from: a reader who
follows the link finds the same figure, or a marker `<!-- quoted: ... -->` that says why they differ.
Known gap: a wrong number that happens to round from another printed or published one (0.968, from
the book's learner accuracy) passes. Naming the book does not vouch for a sentence's other numbers: a
sentence like "the book's 0.1 gave 0.9872" mixes the book's hyper-parameter with our own result.

    python tools/check_prose.py                      # every notebook in nbs/ and nbs/machinery/
    python tools/check_prose.py nbs/02_sgd.ipynb     # some of them

Exits 1 with one line per unbacked number: notebook, cell, the number, its sentence, and the fix.
"""
import json, re, sys
from functools import lru_cache
from pathlib import Path

root = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(root/'tools'))
from check_outputs import output_texts  # noqa: E402

# a number: not inside a word (resnet18, Q30, 00_data) nor part of a version (2.4.14) or a range of dots
NUM = re.compile(r'(?<![\w.\-/#])(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w]|\.\d)(?P<pct>\s?%)?')
ANY_NUM = re.compile(r'(?<![\w.])[-+]?(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?(?:[eE][-+]?\d+)?(?![\w.]*\d)(?P<pct>\s?%)?')
APPROX = re.compile(r'(?:about|around|roughly|nearly|almost|some|over|under|~|≈)\s*$', re.I)
ELSEWHERE = (r"according to|\breport(?:s|ed)\b|\bpublishe[sd]\b|\bmeasured (?:once|with|by hand|here|the same way)|quoted from|\bcites?\b"
             r"|https?://|`(?:log5|python|nbdev_\w+)`|\bthe (?:\w+ )?tables? (?:above|below)|\b(?:in|from) (?:that|the same) run\b|\bwhen we (?:drew|did|tried)\b")
SOURCE = re.compile(ELSEWHERE, re.I)  # a sentence saying where its numbers come from (naming the book is not enough: see below)
TABLE_SOURCE = re.compile(ELSEWHERE, re.I)  # a table's caption: the book named in it does not vouch for the table
# sizes fixed by the data, not results: 28x28 pixels; MNIST_SAMPLE's 12,396 training and 2,038 validation images
# (14,434 in all); full MNIST's 60,000 and 10,000 (70,000)
FACTS = ('784', '12396', '2038', '14434', '60000', '10000', '70000')
MARK = re.compile(r'<!--\s*quoted:\s*(.*?)-->', re.S)
NB_NAME = re.compile(r'\b(\d\d[a-z]?_[a-z_]+)(?:\.ipynb)?\b')

def _src(cell): return ''.join(cell['source'])

def prose(md):
    """Markdown without what is not a sentence's claim: code blocks, math, comments, tags, link targets, images;
    an inline code span is kept as its first word (`log5 reproduce --seeds 3` as `log5`), its numbers dropped."""
    md = re.sub(r'```.*?```', ' ', md, flags=re.S)
    md = re.sub(r'<!--.*?-->', ' ', md, flags=re.S)
    md = re.sub(r'\$\$.*?\$\$|\$[^$\n]+\$', ' ', md, flags=re.S)
    md = re.sub(r'`([^`]*)`', lambda m: '`' + re.sub(r'^[-+\d.,eE%]+$', '', (m.group(1).split() or [''])[0]) + '`', md)
    md = re.sub(r'!\[[^\]]*\]\([^)]*\)', ' ', md)
    md = re.sub(r'\]\((?!https?:)[^)]*\)', ']', md)  # a link to a page of ours: its text stays, its target goes
    md = re.sub(r'</?[a-zA-Z][^>]*>', ' ', md)
    return md

def blocks(md):
    "Paragraphs, list items, headings and tables of markdown `md`, as (is it a table, its text)."
    md = re.sub(r'^(#+\s.*)$', r'\1\n', md, flags=re.M)  # a heading is a block of its own
    for b in re.split(r'\n\s*\n|\n(?=\s*(?:[-*+]|\d+\.|#+)\s)', md):
        if b.strip(): yield b.lstrip().startswith('|'), b

def sentences(block):
    "The sentences of a paragraph: split after a full stop, colon or semicolon that a capital follows."
    for s in re.split(r'(?<=[.!?:;])\s+(?=[A-Z(*_"“])', ' '.join(block.split())):
        if s.strip(): yield s.strip()

def _decimals(s):
    m = re.search(r'\.(\d+)', s)
    return len(m.group(1)) if m else 0

def _value(s): return float(s.replace(',', '').replace('%', '').strip())

VERSION = re.compile(r'(?:[<>=~]=?|\b(?:Python|torch|torchvision|fastai|fastcore|nbdev|execnb|version|v))\s*$', re.I)

def checked(s, before):
    "Whether prose number `s` (`before` is the text ahead of it) is one this check looks at."
    if VERSION.search(before) or re.match(r'0\d', s): return False
    if '%' in s or '.' in s or re.search(r'[eE]', s): return True
    v = _value(s)
    return v >= 100 and not (1900 <= v <= 2030 and ',' not in s)

def matches(s, printed, approx=False):
    "Prose number `s` is a rounding of one of `printed` (number strings): same value at the prose's precision."
    v, d, pct = _value(s), _decimals(s), '%' in s
    half = 0.5*10**-d*(1+1e-9)
    for p in printed:
        try: w = abs(_value(p))  # prose says 'a slope of 0.25' of a printed -0.25
        except ValueError: continue
        ppct = '%' in p
        cands = [w] if pct==ppct else ([100*w] if pct else [w/100])
        if pct and not ppct: cands.append(w)  # 98.2% against a printed 98.18
        for c in cands:
            if abs(c-v) <= half: return True
            if approx and v and abs(c-v) <= 0.1*abs(v): return True
    return False

@lru_cache(None)
def backing(fn):
    "Number strings printed by notebook `fn`'s committed outputs, and those in its code."
    cells = json.loads(Path(fn).read_text())['cells']
    printed, code = [], []
    for c in cells:
        if c['cell_type']!='code': continue
        code += [m.group() for m in ANY_NUM.finditer(_src(c))]
        for t in output_texts(c.get('outputs', [])): printed += [m.group() for m in ANY_NUM.finditer(t)]
    return tuple(printed), tuple(code)

def book_numbers():
    from fastbook_log5.book import PUBLISHED
    return tuple(f'{o.accuracy}' for o in PUBLISHED)

def all_nbs(): return sorted([*root.glob('nbs/*.ipynb'), *root.glob('nbs/machinery/*.ipynb')])

def find_nb(name):
    return next((p for p in all_nbs() if p.stem==name), None)

# an accuracy-like figure: three or more decimals, between 0.5 and 1 (0.9705, 0.985)
FIGURE = re.compile(r'(?<![\w.])0\.[5-9]\d{2,}(?![\w.]*\d)')

@lru_cache(None)
def quoted(fn):
    "Number strings in the prose of notebook `fn`: what it says, beside what it prints."
    cells = json.loads(Path(fn).read_text())['cells']
    return tuple(m.group() for c in cells if c['cell_type']=='markdown' for m in ANY_NUM.finditer(prose(_src(c))))

def disagree(text, fn, context, marked):
    """Figures of `text` that disagree with another notebook `context` names: one a reader would check there
    and not find (printed, in code, or in its prose), even where the sentence says where it comes from."""
    others = [p for n in NB_NAME.findall(context) if (p := find_nb(n)) and p.resolve()!=Path(fn).resolve()]
    if not others: return []
    printed, code = backing(fn)
    out = []
    for m in FIGURE.finditer(prose(text)):
        n = m.group()
        if n in marked or matches(n, book_numbers()): continue
        if any(matches(n, backing(p)[0]) or matches(n, backing(p)[1]) or matches(n, quoted(p)) for p in others): continue
        out.append(f"{n} in {short(' '.join(text.split()))} is in none of {', '.join(p.stem for p in others)}, which it names: "
                   f"make the two agree, or mark it <!-- quoted: {n} from SOURCE --> saying why they differ")
    return out

def check(fn):
    "One line per unbacked number in the prose of notebook `fn`."
    fn = Path(fn).resolve()
    rel = fn.relative_to(root) if fn.is_relative_to(root) else fn
    printed, code = backing(fn)
    book, errs = book_numbers(), []
    for i,c in enumerate(json.loads(fn.read_text())['cells']):
        if c['cell_type']!='markdown': continue
        src = _src(c)
        marked = [n for m in MARK.finditer(src) for n in re.match(r'[\d.,%\s]*', m.group(1)).group().replace(', ', ' ').split()]
        bs = list(blocks(prose(src)))
        for k,(table,b) in enumerate(bs):
            if table and k and not bs[k-1][0] and not NB_NAME.search(b):  # a table: the notebook its caption names
                errs += [f"{rel} cell {i}: {e}" for e in disagree(b, fn, bs[k-1][1], marked)]
            if table and any(TABLE_SOURCE.search(c) for t,c in bs[max(0,k-1):k+2] if not t): continue  # a table its caption attributes
            for s in sentences(b):
                if not table: errs += [f"{rel} cell {i}: {e}" for e in disagree(s, fn, s, marked)]
                if SOURCE.search(s): continue
                others = [p for n in NB_NAME.findall(s) if (p := find_nb(n)) and p.resolve()!=fn]
                for m in NUM.finditer(s):
                    n = m.group().replace(' ', '')
                    if not checked(n, s[:m.start()]): continue
                    approx = bool(APPROX.search(s[:m.start()]))
                    if n.replace(',', '') in FACTS or n in marked or n.rstrip('%') in marked: continue
                    if matches(n, printed, approx) or matches(n, code) or matches(n, book): continue
                    if any(matches(n, backing(p)[0], approx) or matches(n, backing(p)[1]) for p in others): continue
                    where = f'printed by no cell of this notebook{" nor of " + ", ".join(p.stem for p in others) if others else ""}'
                    errs.append(f"{rel} cell {i}: {n} in {short(s)} is {where}: make it what an output shows, "
                                f"say where it comes from (the book's, another notebook by name), or mark it <!-- quoted: {n} from SOURCE -->")
    return errs

def short(s, n=140): return repr(s if len(s) <= n else s[:n-3]+'...')

def main(argv=None):
    fns = [Path(o) for o in (sys.argv[1:] if argv is None else argv)] or all_nbs()
    errs = [e for fn in fns for e in check(fn)]
    for e in errs: print(e)
    print(f"check_prose: {len(fns)} notebook{'s'*(len(fns)!=1)}, {len(errs)} unbacked number{'s'*(len(errs)!=1)}")
    return 1 if errs else 0

if __name__=='__main__': sys.exit(main())
