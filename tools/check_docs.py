#!/usr/bin/env python
"""Open every page of the built site (_docs/) in headless Chromium and check it as a reader would see it.

Fails on a JavaScript error, a broken internal link, an image or other resource that does not load,
a stage missing from the sidebar, an exported name without its API entry, a home page without the
results table, or a questionnaire page without all 37 answered questions. Saves a screenshot of each page into _docs_screens/. The browser is the system's
Chromium (Debian's `chromium`), driven by Playwright's Python package.
"""
import ast, functools, http.server, os, re, sys, threading
from pathlib import Path
from urllib.parse import urljoin, urlparse, unquote

root = Path(__file__).resolve().parent.parent
site,shots = root/'_docs',root/'_docs_screens'
CHROMIUM = os.environ.get('CHROMIUM', '/usr/bin/chromium')
ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync']

def exported():
    "Exported names by notebook page, from the library's module index."
    ns = {}; exec((root/'fastbook_log5'/'_modidx.py').read_text(), ns)
    res = {}
    for mod,syms in ns['d']['syms'].items():
        for name,(doc,_) in syms.items():
            res.setdefault(doc.split('#')[0], set()).add(name.split('.', 1)[1])
    return res

class Quiet(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args): pass

def n_plots(stem):
    "How many images the notebook `stem` holds in its outputs."
    import json
    fn = root/'nbs'/f'{stem}.ipynb'
    if not fn.exists(): return 0
    cells = json.loads(fn.read_text())['cells']
    return sum('image/png' in o.get('data', {}) for c in cells for o in c.get('outputs', []))

def serve():
    handler = functools.partial(Quiet, directory=str(site))
    srv = http.server.ThreadingHTTPServer(('127.0.0.1', 0), handler)
    threading.Thread(target=srv.serve_forever, daemon=True).start()
    return srv, f'http://127.0.0.1:{srv.server_port}/'

def main():
    from playwright.sync_api import sync_playwright
    if not (site/'index.html').exists(): sys.exit(f"no site in {site}: run `python tools/build_docs.py` first")
    shots.mkdir(exist_ok=True)
    srv,base = serve()
    pages = sorted(p.relative_to(site).as_posix() for p in site.glob('*.html'))
    api,problems = exported(),[]
    nb_pages = sorted(p.stem for p in (root/'nbs').glob('[0-9]*.ipynb'))
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={'width': 1280, 'height': 900})
        errors = []
        page.on('pageerror', lambda e: errors.append(f"JavaScript error: {e}"))
        # resources from other hosts (fonts, math) can't load on an offline machine: only the site's own count
        page.on('console', lambda m: m.type=='error' and not m.text.startswith('Failed to load resource') and errors.append(f"console error: {m.text}"))
        mine = lambda url: url.startswith(base) and not url.endswith('/favicon.ico')
        page.on('requestfailed', lambda r: mine(r.url) and errors.append(f"failed to load {r.url}"))
        page.on('response', lambda r: mine(r.url) and r.status>=400 and errors.append(f"HTTP {r.status} for {r.url}"))
        for name in pages:
            errors.clear()
            page.goto(base+name, wait_until='load')
            page.wait_for_timeout(300)
            page.screenshot(path=str(shots/(Path(name).stem+'.png')), full_page=False)
            for src,ok in page.eval_on_selector_all('img', 'els => els.map(e => [e.getAttribute("src"), e.complete && e.naturalWidth > 0])'):
                if not ok: errors.append(f"image does not load: {src}")
            for href in page.eval_on_selector_all('a[href]', 'els => els.map(e => e.getAttribute("href"))'):
                url = urljoin(base+name, href)
                if not url.startswith(base): continue
                target = site/unquote(urlparse(url).path[len(urlparse(base).path):])
                if target.is_dir(): target = target/'index.html'
                if not target.exists(): errors.append(f"broken link: {href}")
            text = page.inner_text('body')
            if name=='index.html':
                side = page.eval_on_selector_all('#quarto-sidebar a[href]', 'els => els.map(e => e.getAttribute("href"))')
                for nb in nb_pages:
                    if not any(nb in h for h in side): errors.append(f"sidebar does not list {nb}")
                if not page.query_selector('table') or '0.9971' not in text: errors.append("home page has no results table")
            if name=='08_questionnaire.html':
                bold = page.eval_on_selector_all('strong', 'els => els.map(e => e.innerText)')
                seen = {int(m.group(1)) for b in bold if (m := re.match(r'(\d+)\. ', b))}
                if seen != set(range(1, 38)): errors.append(f"questionnaire page lacks questions {sorted(set(range(1, 38)) - seen)}")
            for nm in sorted(api.get(Path(name).stem+'.ipynb', ())):
                if not page.query_selector(f'[id="{nm.lower()}"], [id="{nm}"]') and nm not in text: errors.append(f"no API entry for {nm}")
            n_img,n_nb = len(page.query_selector_all('img')),n_plots(Path(name).stem)
            if n_img < n_nb: errors.append(f"{n_nb} plots in the notebook but {n_img} images on the page")
            print(f"{'FAIL' if errors else 'ok  '} {name}: {n_img} images" + ''.join(f"\n     {e}" for e in errors))
            problems += [f"{name}: {e}" for e in errors]
        browser.close()
    srv.shutdown()
    print(f"checked {len(pages)} pages, screenshots in {shots.relative_to(root)}/: {len(problems)} problems")
    return 1 if problems else 0

if __name__=='__main__': sys.exit(main())
