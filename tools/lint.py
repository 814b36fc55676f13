#!/usr/bin/env python
"""Checks the linter can't make: one-line docstrings of at most 100 characters in the library, and the
book's published accuracies written only in `fastbook_log5/book.py` (its notebook, machinery/01_book),
never as literals in code elsewhere: a test, the command, a benchmark or the docs read them from there.

    python tools/lint.py      # exits 1 and names each finding
"""
import ast, json, re, sys
from pathlib import Path

root = Path(__file__).resolve().parent.parent

def book_numbers():
    "The published accuracies, read from book.py without importing the library."
    tree = ast.parse((root/'fastbook_log5'/'book.py').read_text())
    return {f'{n.value:.4f}' for n in ast.walk(tree) if isinstance(n, ast.Constant) and isinstance(n.value, float) and 0.9 < n.value < 1}

def code_lines():
    "Every line of code in the library, tools, benchmarks and notebooks' code cells, with where it is."
    for p in sorted([*root.glob('fastbook_log5/*.py'), *root.glob('tools/*.py'), *root.glob('bench/*.py')]):
        if p.name in ('book.py', '_modidx.py'): continue
        for i,l in enumerate(p.read_text().splitlines(), 1): yield f'{p.relative_to(root)}:{i}', l
    for p in sorted(root.glob('nbs/**/*.ipynb')):
        if p.name=='01_book.ipynb': continue
        for j,c in enumerate(json.loads(p.read_text())['cells']):
            if c['cell_type']!='code': continue
            for l in ''.join(c['source']).splitlines(): yield f'{p.relative_to(root)} cell {j}', l

def main():
    errs = []
    for p in sorted(root.glob('fastbook_log5/*.py')):
        if p.name.startswith('_'): continue
        for n in ast.walk(ast.parse(p.read_text())):
            if isinstance(n, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                d = ast.get_docstring(n, clean=False)
                if d and (len(d) > 100 or '\n' in d): errs.append(f"{p.relative_to(root)}:{n.lineno}: docstring of {n.name} is {len(d)} characters or several lines: one line of 100 at most, the rest in markdown")
    nums = re.compile('|'.join(re.escape(o) for o in sorted(book_numbers())))
    for where,l in code_lines():
        if (m := nums.search(l)): errs.append(f"{where}: the book's {m.group()} written as a literal: read it with book_accuracy() from fastbook_log5.book")
    for e in errs: print(e)
    print(f"lint: {len(errs)} finding{'s'*(len(errs)!=1)}")
    return 1 if errs else 0

if __name__=='__main__': sys.exit(main())
