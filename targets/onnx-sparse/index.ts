// Target onnx-sparse: the model unchanged except that sparse weights are stored as
// standard COO sparse_initializers (values + int64 linear indices), which any ONNX
// tool loads (onnxruntime densifies them at load). It saves size only: 12 bytes per
// nonzero against 4 per dense entry, so it pays below density 1/3.
import onnxProto from 'onnx-proto';
import type { Model, Tensor } from '../../runtime/ir.ts';
import { encodeModel } from '../../src/onnx/export.ts';
import { encodeTensor } from '../../src/onnx/encode-tensor.ts';
import { prunableWeights } from '../../src/ir/layers.ts';
import type { LayerReport, TargetDescriptor } from '../types.ts';

const { onnx } = onnxProto;

export const onnxSparseTarget: TargetDescriptor = {
  name: 'onnx-sparse',
  description: 'standard ONNX: sparse weights as COO sparse_initializers (size only; loaders densify them)',
  extension: '.onnx',
  loadableBy: ['any ONNX loader (onnx, onnxruntime, rampart)'],
  defaultMaxDensity: 1 / 3,
  compile(model, opts) {
    const maxDensity = opts.maxDensity ?? this.defaultMaxDensity;
    const m: Model = structuredClone(model);
    const layers: LayerReport[] = [];
    const sparse: { name: string; values: Tensor; indices: Tensor; dims: number[] }[] = [];
    const seen = new Set<string>();
    for (const pw of prunableWeights(m)) {
      if (seen.has(pw.initializer)) continue;
      seen.add(pw.initializer);
      const t = m.graph.initializers[pw.initializer];
      const d = t.data as Float32Array;
      const idx: number[] = [];
      for (let i = 0; i < d.length; i++) if (d[i] !== 0) idx.push(i);
      const density = d.length ? idx.length / d.length : 1;
      const report: LayerReport = { layer: pw.layer, op: pw.op, action: 'dense', density, denseBytes: d.byteLength, storedBytes: d.byteLength };
      layers.push(report);
      if (density >= maxDensity || t.dtype !== 'float32') { report.note = `density ${density.toFixed(3)} >= ${maxDensity.toFixed(3)}`; continue; }
      const values: Tensor = { dtype: 'float32', dims: [idx.length], data: Float32Array.from(idx, (i) => d[i]) };
      const indices: Tensor = { dtype: 'int64', dims: [idx.length], data: Float64Array.from(idx) };
      sparse.push({ name: pw.initializer, values, indices, dims: t.dims });
      delete m.graph.initializers[pw.initializer];
      report.action = 'coo';
      report.storedBytes = idx.length * 12;
    }
    const mp = onnx.ModelProto.decode(encodeModel(m));
    mp.graph!.sparseInitializer = sparse.map((s) => ({
      values: encodeTensor(s.name, s.values),
      indices: encodeTensor(`${s.name}.indices`, s.indices),
      dims: s.dims,
    }));
    return { bytes: onnx.ModelProto.encode(mp).finish(), layers };
  },
};
