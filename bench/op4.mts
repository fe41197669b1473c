import { setNumThreads, tensor, keep } from '../src/engine/index.js';
setNumThreads(1);
const n = Number(process.argv[2]); const m = Number(process.argv[3] ?? 0);
if (m) { const y = keep(tensor(new Float32Array(m).fill(1))); for (let i = 0; i < 20; i++) y.add(1).dispose(); }
const x = keep(tensor(new Float32Array(n).fill(1)));
for (let i = 0; i < 20; i++) x.add(1).dispose();
const t0 = performance.now();
for (let i = 0; i < 2000; i++) x.add(1).dispose();
console.log(n, 'after', m, (((performance.now() - t0) / 2000) * 1000).toFixed(1), 'us/op');
