#!/usr/bin/env python
"""Build the docs site into _docs/ offline, without Quarto.

It does what `nbdev_docs` does before it hands over to Quarto (refresh nbdev.yml, the module index and
the sidebar, then nbdev's notebook processing into _proc/: `show_doc` for every exported name,
`#| hide`, front matter from each title cell), then renders _proc/ with `smalldocs`, a pure-Python
renderer of the same `_quarto.yml`, and moves the site to _docs/ as `nbdev_docs` does.
With Quarto installed, `nbdev_docs` builds the same site from the same files.
"""
import html, re, shutil, sys, time, warnings
from pathlib import Path

# Quarto settings in nbdev's _quarto.yml that smalldocs has no use for: Quarto still reads them.
NOT_NEEDED = ('output-file is not read', 'format commonmark is not built', 'keep-md is ignored')

MATH = re.compile(r'<span class="math (inline|display)">\\[(\[](.*?)\\[)\]]</span>', re.S)
CDN = re.compile(r'<(?:link|script)[^>]*https://cdn\.jsdelivr\.net/npm/katex[^>]*>(?:</script>)?')
REMOTE_CSS = re.compile(r'@import url\((?:"|\')?https?://[^)]*\);?')

def offline(dest):
    "Make the site work with no network: math rendered to MathML now (no KaTeX from a CDN), no web fonts."
    from latex2mathml.converter import convert
    def mathml(m):
        tex = html.unescape(m.group(2)).strip()
        return f'<span class="math {m.group(1)}">' + convert(tex, display='block' if m.group(1)=='display' else 'inline') + '</span>'
    n = 0
    for p in dest.rglob('*.html'):
        text = p.read_text(encoding='utf-8')
        new,k = MATH.subn(mathml, text); n += k
        new = CDN.sub('', new)
        if new!=text: p.write_text(new, encoding='utf-8')
    for p in dest.rglob('*.css'):
        text = p.read_text(encoding='utf-8')
        if (new := REMOTE_CSS.sub('', text))!=text: p.write_text(new, encoding='utf-8')  # the theme's Google font: system fonts instead
    return n

def main():
    warnings.filterwarnings('ignore', message='`torch.jit.script` is deprecated')
    from nbdev.config import get_config
    from nbdev.quarto import refresh_quarto_yml, nbdev_sidebar, proc_nbs
    import nbdev.doclinks
    from smalldocs.site import build
    t0 = time.perf_counter()
    cfg = get_config()
    refresh_quarto_yml()
    nbdev.doclinks._build_modidx()
    nbdev_sidebar.__wrapped__(path=cfg.nbs_path)
    cache = proc_nbs(cfg.nbs_path, force=True)
    site = build(cache, quiet=True)
    warns = [w for w in site.warnings if not any(o in w for o in NOT_NEEDED)]
    for w in warns: print(f"warning: {w}", file=sys.stderr)
    dest = cfg.config_path/cfg.doc_path.name
    shutil.rmtree(dest, ignore_errors=True)
    shutil.move(str(Path(site.out)), str(dest))
    n_math = offline(dest)
    pages = sorted(p.relative_to(dest) for p in dest.rglob('*.html'))
    print(f"built {len(pages)} pages into {dest} in {time.perf_counter()-t0:.0f} s ({n_math} formulas as MathML): {', '.join(map(str, pages))}")
    return 1 if warns else 0

if __name__=='__main__': sys.exit(main())
