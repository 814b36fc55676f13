function f32(d) {  // a tensor exported by `encode`: float32, little-endian, base64
  const s = atob(d.b64), v = new DataView(new ArrayBuffer(s.length)), a = new Float32Array(s.length/4);
  for (let i = 0; i < s.length; i++) v.setUint8(i, s.charCodeAt(i));
  for (let i = 0; i < a.length; i++) a[i] = v.getFloat32(4*i, true);
  return a;
}
function affine(W, b, x) {  // W is (out, in), row-major, as nn.Linear stores it
  const n = x.length, z = new Float64Array(b.length);
  for (let o = 0; o < b.length; o++) { let s = b[o]; for (let i = 0; i < n; i++) s += W[o*n + i]*x[i]; z[o] = s; }
  return z;
}
function probs(z) {  // one output: sigmoid, the first class's probability; more: softmax
  if (z.length === 1) { const p = 1/(1 + Math.exp(-z[0])); return [p, 1 - p]; }
  const mx = Math.max(...z), e = Array.from(z, v => Math.exp(v - mx)), t = e.reduce((a, b) => a + b, 0);
  return e.map(v => v/t);
}
const argmax = a => a.indexOf(Math.max(...a)), argmin = a => a.indexOf(Math.min(...a));
const run = {
  pixel(m, x) {
    const d = m.means.map(mean => {
      let s = 0;
      for (let i = 0; i < 784; i++) { const e = x[i] - mean[i]; s += m.dist === 'l1' ? Math.abs(e) : e*e; }
      return m.dist === 'l1' ? s/784 : Math.sqrt(s/784);
    });
    return {scores: d, best: argmin(d)};
  },
  linear(m, x) { const z = affine(m.w, m.b, x), p = probs(z); return {scores: p, best: argmax(p)}; },
  simple_net(m, x) {
    const h = affine(m.w1, m.b1, x).map(v => Math.max(0, v)), p = probs(affine(m.w2, m.b2, h));
    return {scores: p, best: argmax(p), hidden: h};
  },
};
function load(spec) {
  const m = Object.assign({}, spec);
  for (const k of ['w', 'b', 'w1', 'b1', 'w2', 'b2']) if (spec[k]) m[k] = f32(spec[k]);
  if (spec.means) { const a = f32(spec.means); m.means = spec.classes.map((_, c) => a.subarray(784*c, 784*(c + 1))); }
  return m;
}
function check(pixels) {
  const what = 'log5draw.predict(pixels): pixels must be 784 numbers in [0, 1] (a 28x28 digit, row-major, 1 = ink)';
  if (!pixels || pixels.length !== 784) throw new Error(`${what}; got ${pixels && pixels.length !== undefined ? pixels.length + ' numbers' : String(pixels)}`);
  for (let i = 0; i < 784; i++) if (!(pixels[i] >= 0 && pixels[i] <= 1))
    throw new Error(`${what}; pixel ${i} is ${pixels[i]} (grey levels 0-255 need dividing by 255)`);
}
function predictWith(models, pixels) {
  check(pixels);
  const out = {};
  for (const [name, m] of Object.entries(models)) {
    const r = run[m.kind](m, pixels);
    out[name] = {label: m.classes[r.best], probs: Object.fromEntries(m.classes.map((c, i) => [c, r.scores[i]]))};
  }
  return out;
}
