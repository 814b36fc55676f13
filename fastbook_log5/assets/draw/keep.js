// Drawings kept in the browser (localStorage, across visits), written out as a .zip of 28x28 greyscale PNGs.
// Plain JavaScript, nothing downloaded: the PNG's zlib stream and the zip are both "stored" (no compression).
const CRC = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) { let c = n; for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1; t[n] = c; }
  return t;
})();
function crc32(bytes) { let c = 0xffffffff; for (const b of bytes) c = CRC[(c ^ b) & 255] ^ (c >>> 8); return (c ^ 0xffffffff) >>> 0; }
function cat(parts) { const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0)); let o = 0; for (const p of parts) { out.set(p, o); o += p.length; } return out; }
const le = (v, n) => Uint8Array.from({length: n}, (_, i) => (v >>> (8*i)) & 255), be32 = v => le(v, 4).reverse();
const ascii = s => Uint8Array.from(s, ch => ch.charCodeAt(0));
function chunk(type, data) { const td = cat([ascii(type), data]); return cat([be32(data.length), td, be32(crc32(td))]); }
function png(grey) {  // 784 bytes, row-major, 255 = ink (MNIST's files are white ink on black) -> an 8-bit greyscale PNG
  const raw = new Uint8Array(28*29);
  for (let y = 0; y < 28; y++) raw.set(grey.subarray(28*y, 28*(y + 1)), 29*y + 1);  // each row after its filter byte, 0: none
  let a = 1, b = 0; for (const v of raw) { a = (a + v) % 65521; b = (b + a) % 65521; }  // zlib's Adler-32
  const z = cat([Uint8Array.of(0x78, 0x01, 1), le(raw.length, 2), le(~raw.length & 0xffff, 2), raw, be32(((b << 16) | a) >>> 0)]);
  return cat([Uint8Array.of(137, 80, 78, 71, 13, 10, 26, 10), chunk('IHDR', cat([be32(28), be32(28), Uint8Array.of(8, 0, 0, 0, 0)])),
              chunk('IDAT', z), chunk('IEND', new Uint8Array(0))]);
}
function zip(files) {  // [{name, data, date}] -> a .zip: a local header before each file, then the central directory
  const parts = [], central = []; let off = 0;
  for (const f of files) {
    const name = ascii(f.name), d = f.date, crc = crc32(f.data);
    const tm = (d.getHours() << 11) | (d.getMinutes() << 5) | (d.getSeconds() >> 1), dt = ((d.getFullYear() - 1980) << 9) | ((d.getMonth() + 1) << 5) | d.getDate();
    const common = cat([le(20, 2), le(0, 2), le(0, 2), le(tm, 2), le(dt, 2), le(crc, 4), le(f.data.length, 4), le(f.data.length, 4), le(name.length, 2), le(0, 2)]);
    parts.push(le(0x04034b50, 4), common, name, f.data);
    central.push(le(0x02014b50, 4), le(20, 2), common, le(0, 2), le(0, 2), le(0, 2), le(0, 4), le(off, 4), name);
    off += 30 + name.length + f.data.length;
  }
  const cd = cat(central);
  return cat([...parts, cd, le(0x06054b50, 4), le(0, 4), le(files.length, 2), le(files.length, 2), le(cd.length, 4), le(off, 4), le(0, 2)]);
}
const KEY = 'log5draw.kept';
const b64 = a => btoa(String.fromCharCode(...a)), unb64 = s => Uint8Array.from(atob(s), ch => ch.charCodeAt(0));
function storage() { try { const s = window.localStorage, k = KEY + '.probe'; s.setItem(k, k); s.removeItem(k); return s; } catch (e) { return null; } }
function keeper(root, models, groups, image, clear) {
  const st = storage(), $ = s => root.querySelector(s), note = t => { $('.l5-knote').textContent = t; };
  let kept = [];
  if (st) {
    const raw = st.getItem(KEY);
    try {
      const all = JSON.parse(raw || '[]');
      kept = all.filter(o => typeof o.c === 'string' && typeof o.px === 'string' && unb64(o.px).length === 784);
      if (kept.length !== all.length) throw new Error('some drawings unreadable');
    } catch (e) { st.setItem(KEY + '.unreadable', raw); note(`some kept drawings could not be read: left in localStorage as ${KEY}.unreadable`); }
  }
  const save = () => { if (!st) return true; try { st.setItem(KEY, JSON.stringify(kept)); return true; } catch (e) { return false; } };
  const sets = Object.fromEntries(Object.keys(groups).map(g => [g, [...new Set(Object.values(models).filter(m => m.group === g).flatMap(m => m.classes))]]));
  const classes = [...new Set(Object.values(sets).flat())].sort();
  const buttons = classes.map(c => { const b = el('button', 'l5-as', c); b.type = 'button'; b.dataset.c = c; $('.l5-kbtns').append(b); return b; });
  const dls = Object.entries(sets).filter(([, cs]) => cs.length).map(([g, cs]) => {
    const b = el('button', 'l5-dl', `download ${groups[g].replace(/ \(.*/, '')} (.zip)`); b.type = 'button'; b.dataset.group = g; $('.l5-dls').append(b);
    return {b, g, cs};
  });
  const counts = () => Object.fromEntries(classes.map(c => [c, kept.filter(o => o.c === c).length]).filter(([, n]) => n));
  function refresh() {
    const n = counts();
    $('.l5-counts').textContent = kept.length ? `kept: ${Object.entries(n).map(([c, k]) => `${k} of ${c}`).join(', ')} (${kept.length} in all)` : 'none kept yet';
    for (const o of dls) o.b.disabled = !o.cs.some(c => n[c]);
    $('.l5-undo').disabled = $('.l5-forget').disabled = !kept.length;
  }
  function files(g) {  // class folders, as one split of MNIST_SAMPLE: 3/drawn_0001.png, ...
    const seen = {};
    return kept.filter(o => sets[g].includes(o.c)).map(o => {
      seen[o.c] = (seen[o.c] || 0) + 1;
      return {name: `${o.c}/drawn_${String(seen[o.c]).padStart(4, '0')}.png`, data: png(unb64(o.px)), date: new Date(o.t)};
    });
  }
  for (const b of buttons) b.addEventListener('click', () => {
    const px = Uint8Array.from(image(), v => Math.round(255*v));
    kept.push({c: b.dataset.c, px: b64(px), t: Date.now()});
    if (!save()) { kept.pop(); return note("the browser's storage for this page is full: download the drawings, then forget them"); }
    clear(); refresh();
    note(`kept as a ${b.dataset.c}` + (st ? '' : " (this browser lets the page store nothing: they last until it is closed)"));
  });
  for (const o of dls) o.b.addEventListener('click', () => {
    const a = el('a'), url = URL.createObjectURL(new Blob([zip(files(o.g))], {type: 'application/zip'}));
    a.href = url; a.download = `log5_drawings_${o.g}.zip`; document.body.append(a); a.click(); a.remove();
    setTimeout(() => URL.revokeObjectURL(url), 1000);
  });
  $('.l5-undo').addEventListener('click', () => { const o = kept.pop(); save(); refresh(); note(`forgot the last one, a ${o.c}`); });
  let armed = null;
  $('.l5-forget').addEventListener('click', e => {  // twice, so that one slip of the mouse loses nothing
    if (!armed) { e.target.textContent = `forget all ${kept.length}? click again`; armed = setTimeout(() => { armed = null; e.target.textContent = 'forget them all'; }, 4000); return; }
    clearTimeout(armed); armed = null; e.target.textContent = 'forget them all';
    kept = []; save(); refresh(); note('forgot them all');
  });
  refresh();
  return {ready: ok => buttons.forEach(b => { b.disabled = !ok; }), counts, files: g => files(g).map(f => ({name: f.name, bytes: Array.from(f.data)}))};
}
