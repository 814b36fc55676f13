#!/usr/bin/env python
"""Build the docs site into _docs/ offline, without Quarto.

It does what `nbdev_docs` does before it hands over to Quarto (refresh nbdev.yml, the module index and
the sidebar, then nbdev's notebook processing into _proc/: `show_doc` for every exported name,
`#| hide`, front matter from each title cell), then renders _proc/ with `smalldocs`, a pure-Python
renderer of the same `_quarto.yml`, and moves the site to _docs/ as `nbdev_docs` does.
With Quarto installed, `nbdev_docs` builds the same site from the same files.
"""
import functools, html, os, re, shutil, sys, time, warnings
from pathlib import Path

# Quarto settings in nbdev's _quarto.yml that smalldocs has no use for: Quarto still reads them.
NOT_NEEDED = ('output-file is not read', 'format commonmark is not built', 'keep-md is ignored')

MATH = re.compile(r'<span class="math (inline|display)">\\[(\[](.*?)\\[)\]]</span>', re.S)
CDN = re.compile(r'<(?:link|script)[^>]*https://cdn\.jsdelivr\.net/npm/katex[^>]*>(?:</script>)?')
REMOTE_CSS = re.compile(r'@import url\((?:"|\')?https?://[^)]*\);?')

# pages that moved: the old address sends the reader on, so links and bookmarks into an older site keep working
MOVED = {'11_autograd.html': '10_backprop.html'}

def forwards(dest):
    "Write a page at each old address of MOVED that forwards to the new one."
    for old,new in MOVED.items():
        (dest/old).write_text(f'<!doctype html><meta charset="utf-8"><title>Moved to {new}</title>'
                              f'<meta http-equiv="refresh" content="0; url={new}">'
                              f'<p>This page moved to <a href="{new}">{new}</a>.</p>\n', encoding='utf-8')

def local_links(dest, host):
    """nbdev links each backticked name to `host`/page.html, the page named without its number (Quarto's
    naming): point those at this site's own pages instead (10_backprop.html), relative, so they work offline."""
    pages = {}
    for p in dest.rglob('*.html'):
        rel = p.relative_to(dest)
        pages[(rel.parent/re.sub(r'^\d+[a-z]?_', '', rel.name)).as_posix()] = rel
    link = re.compile(r'href="' + re.escape(host.rstrip('/')) + r'/([^"#]*\.html)(#[^"]*)?"')
    ids = functools.cache(lambda rel: set(re.findall(r'\sid="([^"]+)"', (dest/rel).read_text(encoding='utf-8'))))
    def anchor(rel, frag):
        "`frag` if the page has it; else its class (`#basicoptim` for `#basicoptim.step`); else the page's top."
        if not frag or frag[1:] in ids(rel): return frag or ''
        return '#'+frag[1:].split('.')[0] if frag[1:].split('.')[0] in ids(rel) else ''
    n = 0
    for p in dest.rglob('*.html'):
        here = p.relative_to(dest).parent
        def local(m):
            target = pages.get(m.group(1))
            if target is None: return m.group(0)
            return f'href="{os.path.relpath(target, here).replace(os.sep, "/")}{anchor(target, m.group(2))}"'
        text = p.read_text(encoding='utf-8')
        new,k = link.subn(local, text); n += k
        if new!=text: p.write_text(new, encoding='utf-8')
    return n

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
    n_links = local_links(dest, cfg.doc_host + cfg.doc_baseurl)
    forwards(dest)
    pages = sorted(p.relative_to(dest) for p in dest.rglob('*.html'))
    print(f"built {len(pages)} pages into {dest} in {time.perf_counter()-t0:.0f} s ({n_math} formulas as MathML, {n_links} links to names made local): {', '.join(map(str, pages))}")
    return 1 if warns else 0

if __name__=='__main__': sys.exit(main())
