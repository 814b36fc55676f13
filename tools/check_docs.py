#!/usr/bin/env python
"""Open every page of the built site (_docs/) in headless Chromium and check it as a reader would see it.

Fails on a JavaScript error, a broken internal link (a page, or a #section on it, that is not there), an image or other resource that does not load,
a stage missing from the sidebar, an exported name without its API entry, a home page without the
results table, a questionnaire page without all 37 answered questions, or a drawing page (13_draw) whose
models disagree with PyTorch, whose pad does not draw, or that weighs 1 MB or more, or whose kept drawings
are not kept across a reload, or download as a zip unlike one split of MNIST_SAMPLE, or whose PNGs differ
from the page's 28x28 images, or on which `log5 reproduce --stages pixel,linear --test` gives no test column. Saves a screenshot of
each page into _docs_screens/. The browser is the system's
Chromium (Debian's `chromium`), driven by Playwright's Python package.
"""
import ast, functools, http.server, math, os, re, shutil, sys, threading
from pathlib import Path
from urllib.parse import urljoin, urlparse, unquote
from fastbook_log5.book import book_accuracy

root = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(root/'tools'))
from build_docs import MOVED  # noqa: E402

site,shots = root/'_docs',root/'_docs_screens'
CHROMIUM = os.environ.get('CHROMIUM', '/usr/bin/chromium')
ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking',
        '--disable-component-update', '--disable-sync']

@functools.cache
def anchors(page) -> set:
    "The ids and `<a name>`s of a built page: what a link's #fragment can point at."
    return set(re.findall(r'\s(?:id|name)="([^"]+)"', Path(page).read_text(encoding='utf-8')))

def exported():
    "The public names (each module's `__all__`) by the page that documents them, from the library's files."
    res = {}
    for p in (root/'fastbook_log5').glob('*.py'):
        text = p.read_text()
        if not (m := re.search(r'File to edit: \.\./nbs/(.+)\.ipynb', text)): continue
        tree = ast.parse(text)
        names = next((ast.literal_eval(n.value) for n in tree.body if isinstance(n, ast.Assign) and any(getattr(t, 'id', None)=='__all__' for t in n.targets)), [])
        defs = {n.name for n in tree.body if isinstance(n, (ast.FunctionDef, ast.ClassDef))}  # show_doc documents these, not constants
        res.setdefault(m.group(1)+'.html', set()).update(set(names) & defs)
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

def to_mnist(ink, W, H):
    "MNIST's preprocessing in NumPy: the stroke's box scaled into 20x20 keeping its shape, its centre of mass at (14, 14)."
    import numpy as np
    a = np.asarray(ink, dtype=np.float64).reshape(H, W)  # rows as rows
    ys,xs = np.nonzero(a > 0)
    out = np.zeros((28, 28))
    if not len(xs): return out
    s = 20/max(xs.max()-xs.min()+1, ys.max()-ys.min()+1)
    m = a.sum(); cx,cy = a.sum(0) @ (np.arange(W)+0.5)/m, a.sum(1) @ (np.arange(H)+0.5)/m
    n = max(1, math.ceil(2*s)); sub = (np.arange(n)+0.5)/n  # each pad pixel in n x n parts, each adds its area
    for y,x in zip(ys, xs):
        tx,ty = np.floor((x+sub-cx)*s + 14).astype(int),np.floor((y+sub-cy)*s + 14).astype(int)
        for j in ty[(ty >= 0) & (ty < 28)]:
            for i in tx[(tx >= 0) & (tx < 28)]: out[j, i] += a[y, x]*s*s/(n*n)
    return np.minimum(out, 1)

def stroke_ink(kind, W=280, H=280, w=24):
    "The ink of an asymmetric digit drawn on the pad: an 'L' or a '7', strokes `w` pixels wide."
    import numpy as np
    a = np.zeros((H, W), dtype=np.float32)
    if kind=='L': a[40:240, 90:90+w] = 1; a[240-w:240, 90:200] = 1
    else:  # a 7: a bar along the top, then a diagonal down to the left
        a[50:50+w, 80:210] = 1
        for y in range(50, 240): a[y, max(0, int(210-(y-50)*0.45)-w):int(210-(y-50)*0.45)] = 1
    return a

def com(im):
    "The centre of mass `(x, y)` of a 28x28 image (784 values or 28 rows), in pixels from its top left corner."
    import numpy as np
    a,c = np.asarray(im, dtype=np.float64).reshape(28, 28),np.arange(28)+0.5
    return a.sum(0) @ c/a.sum(), a.sum(1) @ c/a.sum()

def prep_problems(page):
    "The page's preprocessing against MNIST's, on an L and a 7: the same image, a 20-pixel box, centre of mass at (14, 14), rows as rows."
    import numpy as np
    errs = []
    for kind in ('L', '7'):
        ink = stroke_ink(kind)
        got = np.array(page.evaluate('([a, w, h]) => window.log5draw.toMnist(a, w, h, true)', [ink.ravel().tolist(), 280, 280])).reshape(28, 28)
        if (d := np.abs(got-to_mnist(ink, 280, 280)).max()) > 1e-6: errs.append(f"{kind}: the page's 28x28 image differs from MNIST's preprocessing by {d:.2g}")
        rows,cols = np.nonzero(got.sum(1) > 0.05)[0],np.nonzero(got.sum(0) > 0.05)[0]
        side = max(rows.max()-rows.min()+1, cols.max()-cols.min()+1)
        if not 19 <= side <= 21: errs.append(f"{kind}: the digit spans {side} pixels, not the 20 of MNIST's box")
        cx,cy = com(got)
        if abs(cx-14) > 0.5 or abs(cy-14) > 0.5: errs.append(f"{kind}: centre of mass at ({cx:.1f}, {cy:.1f}), not (14, 14)")
    L = np.array(page.evaluate('([a, w, h]) => window.log5draw.toMnist(a, w, h, true)', [stroke_ink('L').ravel().tolist(), 280, 280])).reshape(28, 28)
    inked = np.nonzero(L.sum(1) > 0.05)[0]
    width = lambda r: (L[r] > 0.05).sum()
    if not width(inked[-1]) > 2*width(inked[0]): errs.append("an L does not come out as an L, its foot at the bottom (rows and columns swapped?)")
    return errs

def draw_problems(page, shots):
    "Check the drawing widget of 13_draw: `predict` against PyTorch on 200 validation images per dataset, the pad, the centring, the weight."
    import math, torch
    from fastbook_log5.draw import spec_scores, spec_labels, model_name, valid_set, DRAW_STAGES
    if page.evaluate('typeof window.log5draw') != 'object': return ["no window.log5draw on the page"]
    if page.query_selector('.log5draw .l5-nojs'): return ["the widget's script did not start: its 'needs its script' notice is still shown"]
    errs,specs = [],page.evaluate("JSON.parse(document.querySelector('.log5draw .l5-models').textContent).models")
    for d in ('sample', 'full'):
        vx,y = valid_set(d, device='cpu')
        idx = torch.randperm(len(vx), generator=torch.Generator().manual_seed(0))[:200]
        x,y = vx[idx],y[idx]
        js = page.evaluate('xs => xs.map(x => window.log5draw.predict(x))', x.tolist())
        for s in DRAW_STAGES:
            name = model_name(s, d)
            if name not in specs: errs.append(f"model {name} missing from the page"); continue
            spec = specs[name]
            want = spec_scores(spec, x)
            got = torch.tensor([[r[name]['probs'][c] for c in spec['classes']] for r in js], dtype=torch.float64)
            lab = torch.tensor([spec['classes'].index(r[name]['label']) for r in js])
            ref = spec_labels(spec, x)
            if (lab!=ref).any(): errs.append(f"{name}: the page's predict disagrees with PyTorch on {(lab!=ref).sum()} of 200 images")
            if (got-want.double()).abs().max() > 1e-4: errs.append(f"{name}: the page's scores differ from PyTorch's by {(got-want.double()).abs().max():.2g}")
            acc,p = (lab==y).float().mean().item(),spec['accuracy']
            if abs(acc-p) > 3*math.sqrt(p*(1-p)/200) + 0.01: errs.append(f"{name}: {acc:.3f} right on 200 validation images, the model's accuracy is {p}")
    agrees = not errs
    errs += prep_problems(page)
    pad,prev = page.locator('.log5draw .l5-pad'),page.locator('.log5draw .l5-preview')
    def state(): return page.evaluate("[document.querySelector('.log5draw .l5-preview').toDataURL(), Array.from(document.querySelectorAll('.log5draw .l5-card')).map(c => c.innerText).join('|'), window.log5draw.image()]")
    def stroke(pts):
        box = pad.bounding_box()
        page.mouse.move(box['x']+pts[0][0]*box['width'], box['y']+pts[0][1]*box['height']); page.mouse.down()
        for a,b in pts[1:]: page.mouse.move(box['x']+a*box['width'], box['y']+b*box['height'], steps=4)
        page.mouse.up(); page.wait_for_timeout(100)
    page.click('.log5draw .l5-clear'); page.wait_for_timeout(100)
    blank = state()
    if sum(blank[2]): errs.append("Clear leaves ink in the 28x28 image")
    if any(page.evaluate('window.log5draw.labels()').values()): errs.append(f"a cleared pad still shows predictions: {page.evaluate('window.log5draw.labels()')}")
    stroke([(0.3, 0.2), (0.7, 0.2), (0.45, 0.5), (0.7, 0.65), (0.55, 0.85), (0.3, 0.8)])
    drawn = state()
    if drawn[0]==blank[0]: errs.append("drawing on the pad does not change the 28x28 preview")
    if drawn[1]==blank[1]: errs.append("drawing on the pad does not change the predictions shown")
    prev.screenshot(path=str(shots/'13_draw_preview.png')); page.locator('.log5draw').screenshot(path=str(shots/'13_draw_widget.png'))
    page.click('.log5draw .l5-clear'); stroke([(0.05, 0.05), (0.2, 0.05), (0.1, 0.12), (0.2, 0.18), (0.05, 0.2)])  # a small digit in a corner
    cx,cy = com(state()[2])
    if abs(cx-14) > 1 or abs(cy-14) > 1: errs.append(f"centred, a digit drawn in a corner has its centre of mass at ({cx:.1f}, {cy:.1f}), not (14, 14)")
    page.click('.log5draw .l5-centre'); page.wait_for_timeout(100)
    cx,cy = com(state()[2])
    if cx > 7 or cy > 7: errs.append(f"not centred, a digit drawn in the top left corner has its centre of mass at ({cx:.1f}, {cy:.1f})")
    page.click('.log5draw .l5-centre'); page.wait_for_timeout(100)
    ctx = page.context.browser.new_context(has_touch=True, viewport={'width': 400, 'height': 800})  # a phone: a finger, not a mouse
    phone = ctx.new_page(); phone.goto(page.url, wait_until='load')
    phone.click('.log5draw .l5-clear'); box = phone.locator('.log5draw .l5-pad').bounding_box()
    phone.touchscreen.tap(box['x']+box['width']/2, box['y']+box['height']/2); phone.wait_for_timeout(100)
    if not sum(phone.evaluate('window.log5draw.image()')): errs.append("a finger's tap on the pad leaves no ink in the 28x28 image")
    ctx.close()
    # the page's own weight: its HTML (weights and all) and what only it loads; the theme under site_libs/ is every page's
    sizes = page.evaluate("performance.getEntries().filter(e => e.entryType=='navigation' || e.entryType=='resource').map(e => [e.name, e.decodedBodySize || 0])")
    own = sum(n for u,n in sizes if '/site_libs/' not in u)
    if own >= 1_000_000: errs.append(f"the page and its own files weigh {own/1e6:.2f} MB, over 1 MB")
    if agrees: print("     13_draw: predict agrees with PyTorch on 2 x 200 validation images")  # one verdict: said only when true
    print(f"     13_draw: the page weighs {own/1e6:.2f} MB ({sum(n for _,n in sizes)/1e6:.2f} MB with the site's theme that every page loads)")
    return errs

DRAWN = {'3': [(0.3, 0.2), (0.7, 0.2), (0.45, 0.5), (0.7, 0.65), (0.55, 0.85), (0.3, 0.8)],  # strokes, as fractions of the pad
         '7': [(0.25, 0.2), (0.75, 0.2), (0.45, 0.85)], '1': [(0.5, 0.15), (0.52, 0.85)]}

def keep_problems(browser, url):
    "Keep drawings as 3s, 7s and a 1, reload, download the zips, check them against the page, run `log5 reproduce --test`."
    import io, json, subprocess, tempfile, zipfile
    import numpy as np
    from PIL import Image
    from fastbook_log5.files import load_image
    errs,ctx = [],browser.new_context(accept_downloads=True, viewport={'width': 1280, 'height': 900})  # a fresh browser: nothing kept yet
    page = ctx.new_page(); page.goto(url, wait_until='load')
    page.on('pageerror', lambda e: errs.append(f"JavaScript error while keeping drawings: {e}"))
    if page.evaluate('window.log5draw.kept()'): errs.append(f"a fresh browser already has drawings kept: {page.evaluate('window.log5draw.kept()')}")
    pad,drawn = page.locator('.log5draw .l5-pad'),[]
    page.click('.log5draw .l5-clear'); page.wait_for_timeout(100)
    if not page.is_disabled('.log5draw .l5-as[data-c="3"]'): errs.append("an empty pad can be kept as a drawing")
    for i,(c,dx,dy) in enumerate([('3', 0, 0), ('7', 0, 0), ('3', 0.08, 0.05), ('7', -0.1, 0), ('3', -0.05, -0.08), ('7', 0.1, 0.08), ('1', 0, 0)]):
        page.click('.log5draw .l5-clear'); box,pts = pad.bounding_box(),DRAWN[c]
        page.mouse.move(box['x']+(pts[0][0]+dx)*box['width'], box['y']+(pts[0][1]+dy)*box['height']); page.mouse.down()
        for a,b in pts[1:]: page.mouse.move(box['x']+(a+dx)*box['width'], box['y']+(b+dy)*box['height'], steps=6)
        page.mouse.up(); page.wait_for_timeout(100)
        drawn.append((c, np.round(255*np.array(page.evaluate('window.log5draw.image()'))).reshape(28, 28)))
        page.click(f'.log5draw .l5-as[data-c="{c}"]'); page.wait_for_timeout(50)
        if sum(page.evaluate('window.log5draw.image()')): errs.append("keeping a drawing does not clear the pad for the next one")
    want = {'3': 3, '7': 3, '1': 1}
    if (got := page.evaluate('window.log5draw.kept()'))!=want: errs.append(f"kept {got}, not the {want} drawn")
    page.reload(wait_until='load'); page.wait_for_timeout(200)
    if (got := page.evaluate('window.log5draw.kept()'))!=want: errs.append(f"after a reload the page has {got} kept, not {want}")
    if (t := page.inner_text('.log5draw .l5-counts'))!='kept: 1 of 1, 3 of 3, 3 of 7 (7 in all)': errs.append(f"the counts read {t!r}")
    if errs: ctx.close(); return errs  # nothing kept to download
    d = Path(tempfile.mkdtemp())
    for g,classes in (('sample', ('3', '7')), ('full', ('1', '3', '7'))):
        with page.expect_download() as dl: page.click(f'.log5draw .l5-dl[data-group="{g}"]')
        z = zipfile.ZipFile(io.BytesIO(Path(dl.value.path()).read_bytes()))
        if (bad := z.testzip()) is not None: errs.append(f"{g} zip: {bad} fails its CRC"); continue
        names = sorted(z.namelist())
        mine = [(c, a) for c,a in drawn if c in classes]
        if names!=sorted(f"{c}/drawn_{i:04d}.png" for c in classes for i in range(1, want[c]+1)): errs.append(f"{g} zip holds {names}"); continue
        z.extractall(d/g)
        for c in classes:  # the i-th kept drawing of class c is c/drawn_000i.png
            for i,(_,a) in enumerate([o for o in mine if o[0]==c], 1):
                fn = d/g/c/f"drawn_{i:04d}.png"
                with Image.open(fn) as im: mode = (im.mode, im.size)
                if mode!=('L', (28, 28)): errs.append(f"{fn.name} of {c} is {mode}, not 28x28 greyscale ('L')")
                if (diff := np.abs(load_image(fn).astype(int) - a).max()) > 0: errs.append(f"{g} zip: {c}/{fn.name} differs from the page's 28x28 image by {diff}")
    if not errs:
        r = subprocess.run([sys.executable, '-c', 'import sys; from fastbook_log5.cli import main; sys.exit(main())', 'reproduce', '--stages', 'pixel,linear',
                            '--test', str(d/'sample'), '--out', str(d/'out')], capture_output=True, text=True)
        rows = [l for l in r.stdout.splitlines() if l.split()[:1] in (['stage'], ['pixel'], ['linear'])]
        res = json.loads((d/'out'/'results.json').read_text()) if r.returncode==0 else {}
        if r.returncode or not rows or not rows[0].endswith(' test') or [o.get('test_accuracy') is not None for o in res['stages']]!=[True, True]:
            errs.append(f"log5 reproduce --test on the download: exit {r.returncode}, {r.stderr.strip()[-300:] or rows}")
        else: print("     13_draw: log5 reproduce --stages pixel,linear --test on the drawings kept:\n" + '\n'.join('       '+l for l in rows))
    page.click('.log5draw .l5-undo'); page.wait_for_timeout(50)
    if (got := page.evaluate('window.log5draw.kept()'))!={'3': 3, '7': 3}: errs.append(f"undo the last leaves {got}")
    page.click('.log5draw .l5-forget'); page.wait_for_timeout(50)
    if not page.evaluate('window.log5draw.kept()'): errs.append("one click on 'forget them all' forgets them: it takes two")
    else: page.click('.log5draw .l5-forget'); page.reload(wait_until='load')
    if page.evaluate('window.log5draw.kept()'): errs.append(f"forgotten, yet after a reload {page.evaluate('window.log5draw.kept()')} are kept")
    ctx.close(); shutil.rmtree(d, ignore_errors=True)
    if not errs: print("     13_draw: 7 drawings kept, still kept after a reload, downloaded as zips that match the page's 28x28 images")
    return errs

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
    pages = sorted(p.relative_to(site).as_posix() for p in [*site.glob('*.html'), *site.glob('machinery/*.html')])
    api,problems = exported(),[]
    nb_pages = sorted(p.relative_to(root/'nbs').with_suffix('').as_posix() for p in (root/'nbs').rglob('[0-9]*.ipynb'))
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        page = browser.new_page(viewport={'width': 1280, 'height': 900})
        errors = []
        page.on('pageerror', lambda e: errors.append(f"JavaScript error: {e}"))
        # the docs must work offline: every request stays on the site (no fonts, scripts or math from another host)
        page.on('request', lambda r: not r.url.startswith((base, 'data:', 'blob:', 'about:')) and errors.append(f"request to another host: {r.url}"))
        # a resource that fails is reported with its address by the two handlers below; the console adds no address
        page.on('console', lambda m: m.type=='error' and not m.text.startswith('Failed to load resource') and errors.append(f"console error: {m.text}"))
        mine = lambda url: url.startswith(base) and not url.endswith('/favicon.ico')
        page.on('requestfailed', lambda r: mine(r.url) and errors.append(f"failed to load {r.url}"))
        page.on('response', lambda r: mine(r.url) and r.status>=400 and errors.append(f"HTTP {r.status} for {r.url}"))
        for name in pages:
            errors.clear()
            if name in MOVED:  # an old address: it must send the reader to the page that replaced it
                page.goto(base+name)
                try: page.wait_for_url(base+MOVED[name], timeout=5000)
                except Exception: errors.append(f"does not forward to {MOVED[name]}")
                print(f"{'FAIL' if errors else 'ok  '} {name}: forwards to {MOVED[name]}" + ''.join(f"\n     {e}" for e in errors))
                problems += [f"{name}: {e}" for e in errors]
                continue
            page.goto(base+name, wait_until='load')
            page.wait_for_timeout(300)
            page.screenshot(path=str(shots/(name[:-5].replace('/', '_')+'.png')), full_page=False)
            for src,ok in page.eval_on_selector_all('img', 'els => els.map(e => [e.getAttribute("src"), e.complete && e.naturalWidth > 0])'):
                if not ok: errors.append(f"image does not load: {src}")
            for href in page.eval_on_selector_all('a[href]', 'els => els.map(e => e.getAttribute("href"))'):
                url = urljoin(base+name, href)
                if not url.startswith(base): continue
                target = site/unquote(urlparse(url).path[len(urlparse(base).path):])
                if target.is_dir(): target = target/'index.html'
                if not target.exists(): errors.append(f"broken link: {href}")
                elif (frag := unquote(urlparse(url).fragment)) and target.suffix=='.html' and frag not in anchors(target):
                    errors.append(f"broken link: {href} (no #{frag} on that page)")
            text = page.inner_text('body')
            if name=='index.html':
                side = page.eval_on_selector_all('#quarto-sidebar a[href]', 'els => els.map(e => e.getAttribute("href"))')
                for nb in nb_pages:
                    if not any(nb in h for h in side): errors.append(f"sidebar does not list {nb}")
                if not page.query_selector('table') or f"{book_accuracy('resnet'):.4f}" not in text: errors.append("home page has no results table")
            if name=='08_questionnaire.html':
                bold = page.eval_on_selector_all('strong', 'els => els.map(e => e.innerText)')
                seen = {int(m.group(1)) for b in bold if (m := re.match(r'(\d+)\. ', b))}
                if seen != set(range(1, 38)): errors.append(f"questionnaire page lacks questions {sorted(set(range(1, 38)) - seen)}")
            if name=='13_draw.html': errors += draw_problems(page, shots) + keep_problems(browser, page.url)
            for nm in sorted(api.get(name, ())):
                if not page.query_selector(f'[id="{nm.lower()}"], [id="{nm}"]') and nm not in text: errors.append(f"no API entry for {nm}")
            n_img,n_nb = len(page.query_selector_all('img')),n_plots(name[:-5])
            if n_img < n_nb: errors.append(f"{n_nb} plots in the notebook but {n_img} images on the page")
            print(f"{'FAIL' if errors else 'ok  '} {name}: {n_img} images" + ''.join(f"\n     {e}" for e in errors))
            problems += [f"{name}: {e}" for e in errors]
        browser.close()
    srv.shutdown()
    print(f"checked {len(pages)} pages, screenshots in {shots.relative_to(root)}/: {len(problems)} problems")
    return 1 if problems else 0

if __name__=='__main__': sys.exit(main())
