const grey = v => { const g = Math.round(255*(1 - Math.min(1, Math.max(0, v)))); return [g, g, g]; };
const redblue = v => v >= 0 ? [255, Math.round(255*(1 - v)), Math.round(255*(1 - v))] : [Math.round(255*(1 + v)), Math.round(255*(1 + v)), 255];
function paint(cv, vals, colour) {
  const ctx = cv.getContext('2d'), im = ctx.createImageData(28, 28);
  for (let i = 0; i < 784; i++) { const [r, g, b] = colour(vals[i]); im.data.set([r, g, b, 255], 4*i); }
  ctx.putImageData(im, 0, 0);
}
function el(tag, cls, text) { const e = document.createElement(tag); if (cls) e.className = cls; if (text !== undefined) e.textContent = text; return e; }
function tiny(cls) { const c = el('canvas', 'l5-img ' + (cls || '')); c.width = c.height = 28; return c; }
function rows(parent, classes) {  // a row per class: name, bar, number
  return classes.map(c => {
    const r = el('div', 'l5-row'), bar = el('div', 'l5-bar'), fill = el('i'), num = el('span', 'l5-num');
    bar.append(fill); r.append(el('span', 'l5-cls', c), bar, num); parent.append(r);
    return {r, fill, num};
  });
}
const TITLES = {pixel: 'pixel similarity', linear: 'linear model', simple_net: 'simple_net'};
function card(m) {
  const c = el('div', 'l5-card'), head = el('div', 'l5-head'), label = el('span', 'l5-label');
  head.append(el('span', 'l5-title', TITLES[m.kind]), label);
  c.append(head, el('div', 'l5-acc', `validation accuracy ${m.accuracy.toFixed(3)}`));
  let update;
  if (m.kind === 'pixel') {
    c.append(el('div', 'l5-note', `${m.dist === 'l1' ? 'mean absolute' : 'root mean square'} distance to each mean digit; the nearest wins`));
    const grid = el('div', 'l5-means'), cells = m.classes.map((cl, i) => {
      const cell = el('div', 'l5-mean'), cv = tiny(), num = el('span', 'l5-num');
      paint(cv, m.means[i], grey); cell.append(cv, num); grid.append(cell); return {cell, num};
    });
    c.append(grid);
    update = r => cells.forEach((o, i) => { o.num.textContent = r ? r.scores[i].toFixed(3) : '\u2014'; o.cell.classList.toggle('l5-best', !!r && i === r.best); });
  } else {
    const bars = rows(c, m.classes);
    let maps = [], hid = [];
    if (m.kind === 'linear') {
      const two = m.b.length === 1;
      c.append(el('div', 'l5-note', two ? `weight \u00d7 pixel: red pushes towards ${m.classes[0]}, blue towards ${m.classes[1]}` : 'weight \u00d7 pixel for each class: red pushes towards it, blue away'));
      const grid = el('div', 'l5-maps');
      maps = (two ? [m.classes[0]] : m.classes).map(cl => { const cell = el('div', 'l5-mean'), cv = tiny(two ? 'l5-map l5-big' : 'l5-map'); cell.append(cv); if (!two) cell.append(el('span', 'l5-num', cl)); grid.append(cell); return cv; });
      c.append(grid);
    } else {
      c.append(el('div', 'l5-note l5-hnote'));
      const strip = el('div', 'l5-hidden');
      hid = Array.from({length: m.b1.length}, () => { const b = el('i'); strip.append(b); return b; });
      c.append(strip);
    }
    update = (r, x) => {
      bars.forEach((o, i) => { o.fill.style.width = r ? `${(100*r.scores[i]).toFixed(1)}%` : '0'; o.num.textContent = r ? r.scores[i].toFixed(2) : '\u2014'; o.r.classList.toggle('l5-best', !!r && i === r.best); });
      if (maps.length) {
        const prod = maps.map((_, o) => Array.from(x, (v, i) => v*m.w[o*784 + i]));
        const top = Math.max(1e-9, ...prod.map(p => Math.max(...p.map(Math.abs))));
        maps.forEach((cv, o) => paint(cv, prod[o].map(v => Math.sign(v)*Math.sqrt(Math.abs(v)/top)), redblue));  // square root: faint pixels stay visible
      }
      if (hid.length && !r) { hid.forEach(b => { b.style.height = '0'; }); c.querySelector('.l5-hnote').textContent = 'its hidden activations appear as you draw'; }
      if (hid.length && r) {
        const top = Math.max(1e-9, ...r.hidden);
        hid.forEach((b, i) => { b.style.height = `${(100*r.hidden[i]/top).toFixed(1)}%`; b.title = `hidden ${i + 1}: ${r.hidden[i].toFixed(2)}`; });
        c.querySelector('.l5-hnote').textContent = `its ${hid.length} hidden activations after ReLU: ${r.hidden.filter(v => v > 0).length} are active`;
      }
    };
  }
  // r is null when there is nothing to classify (an empty pad): no answer is shown, not a confident guess
  return {el: c, update: (r, x) => { label.textContent = r ? m.classes[r.best] : ''; update(r, x); }, label: () => label.textContent};
}
function widget(root, specs, groups) {
  const models = Object.fromEntries(Object.entries(specs).map(([k, s]) => [k, load(s)]));
  const pad = root.querySelector('.l5-pad'), preview = root.querySelector('.l5-preview'), centre = root.querySelector('.l5-centre');
  const ctx = pad.getContext('2d', {willReadFrequently: true}), W = pad.width, H = pad.height;
  const cards = {};
  for (const [g, title] of Object.entries(groups)) {
    const names = Object.keys(models).filter(k => models[k].group === g);
    if (!names.length) continue;
    const sec = el('div', 'l5-group'), grid = el('div', 'l5-cards');
    sec.append(el('div', 'l5-gtitle', title), grid);
    for (const k of names) { cards[k] = card(models[k]); grid.append(cards[k].el); }
    root.querySelector('.l5-groups').append(sec);
  }
  const keep = keeper(root, models, groups, () => x, () => clear());
  let x = new Float64Array(784), queued = false;
  function ink() { const d = ctx.getImageData(0, 0, W, H).data, a = new Float32Array(W*H); for (let i = 0; i < a.length; i++) a[i] = d[4*i + 3]/255; return a; }
  function update() {
    queued = false;
    x = toMnist(ink(), W, H, centre.checked);
    paint(preview, x, grey);
    const empty = x.every(v => v === 0);
    root.querySelector('.l5-cap').textContent = empty ? 'what the models see: 28x28 (draw a digit)' : 'what the models see: 28x28';
    for (const [k, m] of Object.entries(models)) cards[k].update(empty ? null : run[m.kind](m, x), x);
    keep.ready(!empty);
  }
  const later = () => { if (!queued) { queued = true; requestAnimationFrame(update); } };
  ctx.lineWidth = 24; ctx.lineCap = ctx.lineJoin = 'round'; ctx.strokeStyle = ctx.fillStyle = '#111';
  const pos = e => { const r = pad.getBoundingClientRect(); return [(e.clientX - r.left)*W/r.width, (e.clientY - r.top)*H/r.height]; };
  let last = null;
  pad.addEventListener('pointerdown', e => {
    e.preventDefault(); pad.setPointerCapture(e.pointerId); last = pos(e);
    ctx.beginPath(); ctx.arc(last[0], last[1], ctx.lineWidth/2, 0, 2*Math.PI); ctx.fill(); later();
  });
  pad.addEventListener('pointermove', e => {
    if (!last) return;
    const p = pos(e); ctx.beginPath(); ctx.moveTo(...last); ctx.lineTo(...p); ctx.stroke(); last = p; later();
  });
  for (const t of ['pointerup', 'pointercancel']) pad.addEventListener(t, () => { last = null; });
  const clear = () => { ctx.clearRect(0, 0, W, H); update(); };
  root.querySelector('.l5-clear').addEventListener('click', clear);
  centre.addEventListener('change', update);
  // a first 3, so the cards have something to show
  ctx.beginPath(); ctx.arc(140, 95, 52, 1.1*Math.PI, 2.5*Math.PI); ctx.stroke();
  ctx.beginPath(); ctx.arc(140, 200, 55, 1.5*Math.PI, 2.9*Math.PI); ctx.stroke();
  update();
  return {predict: pixels => predictWith(models, pixels), image: () => Array.from(x), clear, models: Object.keys(models), kept: keep.counts, files: keep.files,
          labels: () => Object.fromEntries(Object.entries(cards).map(([k, c]) => [k, c.label()])),
          toMnist: (ink, w, h, centred = true) => Array.from(toMnist(Float32Array.from(ink), w, h, centred))};
}
