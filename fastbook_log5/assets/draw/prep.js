// The pad's ink (W x H coverage in [0, 1]) as a 28x28 MNIST digit, row-major, 1 = ink.
function toMnist(ink, W, H, centre) {
  const out = new Float64Array(784);
  let x0 = W, x1 = -1, y0 = H, y1 = -1, m = 0, mx = 0, my = 0;
  for (let y = 0; y < H; y++) for (let x = 0; x < W; x++) {
    const v = ink[y*W + x];
    if (v <= 0) continue;
    x0 = Math.min(x0, x); x1 = Math.max(x1, x); y0 = Math.min(y0, y); y1 = Math.max(y1, y);
    m += v; mx += v*(x + 0.5); my += v*(y + 0.5);
  }
  if (m === 0) return out;
  // centred: the stroke's box scaled into 20x20, its centre of mass moved to the image's centre (14, 14);
  // not centred: the whole pad shrunk into 28x28, the digit where it was drawn
  const s = centre ? 20/Math.max(x1 - x0 + 1, y1 - y0 + 1) : 28/Math.max(W, H);
  const cx = centre ? mx/m : W/2, cy = centre ? my/m : H/2;
  const n = Math.max(1, Math.ceil(2*s)), a = s*s/(n*n);  // each pad pixel in n x n parts, each adds its area
  for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) {
    const v = ink[y*W + x];
    if (v <= 0) continue;
    for (let j = 0; j < n; j++) for (let i = 0; i < n; i++) {
      const tx = Math.floor((x + (i + 0.5)/n - cx)*s + 14), ty = Math.floor((y + (j + 0.5)/n - cy)*s + 14);
      if (tx >= 0 && tx < 28 && ty >= 0 && ty < 28) out[ty*28 + tx] += v*a;
    }
  }
  for (let i = 0; i < 784; i++) out[i] = Math.min(1, out[i]);
  return out;
}
