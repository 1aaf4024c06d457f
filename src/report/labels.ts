// Short chart labels for layer names. Exported models name nodes by their module
// path: PyTorch's exporter writes '/layer2/layer2.0/downsample/downsample.0/Conv', and
// twenty such names cut at a chart's label width all read '/layer2/layer2.0/…'. What
// tells the layers apart is the module path without the exporter's repetition and the
// op type at the end; that is what a label keeps. Tables keep the full names.

/** Drops a trailing op type ('Conv', 'Gemm', 'MatMul', 'LSTM'), keeping at least one segment. */
const OP_SEGMENT = /^[A-Z][A-Za-z]*(_\d+)?$/;

function shorten(name: string): string {
  const parts = name.split('/').filter((p) => p.length > 0);
  if (parts.length > 1 && OP_SEGMENT.test(parts[parts.length - 1])) parts.pop();
  // '/layer1/layer1.0/conv1': a scope whose child repeats it as a prefix adds nothing.
  const kept = parts.filter((p, i) => !(i + 1 < parts.length && parts[i + 1].startsWith(`${p}.`)));
  return kept.length ? kept.join('/') : name;
}

/**
 * A short label per name, in order: the module path without repeated scopes and the
 * trailing op type. Names that would collide keep their full form, so labels stay
 * distinct whenever the names are.
 */
export function shortLabels(names: string[]): string[] {
  const short = names.map(shorten);
  const count = new Map<string, Set<string>>();
  short.forEach((s, i) => count.set(s, (count.get(s) ?? new Set()).add(names[i])));
  return short.map((s, i) => (count.get(s)!.size > 1 ? names[i] : s));
}

/** `shortLabels` as a lookup from each distinct name. */
export function labelMap(names: string[]): Map<string, string> {
  const distinct = [...new Set(names)];
  const labels = shortLabels(distinct);
  return new Map(distinct.map((n, i) => [n, labels[i]]));
}
