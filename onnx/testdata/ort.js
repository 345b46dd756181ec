// ort.js runs ONNX models in ONNX Runtime (npm onnxruntime-node) for onnx's Go tests.
// stdin: JSON [{"model": path, "dtype": "float32"|"float64", "dims": [...], "data": [...]}, ...]
// stdout: JSON [{"dims": [...], "data": [...]}, ...], the output "output" of each run.
// Find the package through NODE_PATH (the directory holding node_modules/onnxruntime-node).
const ort = require('onnxruntime-node');

async function main() {
  const chunks = [];
  for await (const c of process.stdin) chunks.push(c);
  const jobs = JSON.parse(Buffer.concat(chunks).toString());
  const sessions = new Map();
  const results = [];
  for (const job of jobs) {
    let s = sessions.get(job.model);
    if (!s) {
      s = await ort.InferenceSession.create(job.model);
      sessions.set(job.model, s);
    }
    const Arr = job.dtype === 'float64' ? Float64Array : Float32Array;
    const x = new ort.Tensor(job.dtype, Arr.from(job.data), job.dims);
    const out = (await s.run({ input: x })).output;
    results.push({ dims: out.dims, type: out.type, data: Array.from(out.data) });
  }
  process.stdout.write(JSON.stringify(results));
}

main().catch((e) => { console.error(String(e && e.stack || e)); process.exit(1); });
