// A parser for the subset of Python literals a .npy header uses: a dict of str keys
// to strings, True/False/None, integers, tuples and lists (structured dtypes). numpy
// reads the header with ast.literal_eval; anything outside this subset is refused.

export class PyTuple {
  constructor(readonly items: PyValue[]) {}
}

export type PyValue = string | number | boolean | null | PyValue[] | PyTuple | { [k: string]: PyValue };

export function parsePyLiteral(text: string): PyValue {
  let i = 0;
  const err = (what: string): never => {
    throw new Error(`${what} at offset ${i} in ${JSON.stringify(text.length > 120 ? text.slice(0, 120) + '…' : text)}`);
  };
  const ws = (): void => {
    while (i < text.length && /\s/.test(text[i])) i++;
  };

  const value = (): PyValue => {
    ws();
    const c = text[i];
    if (c === undefined) return err('unexpected end');
    if (c === '{') return dict();
    if (c === '(') return new PyTuple(seq(')'));
    if (c === '[') return seq(']');
    if (c === "'" || c === '"') return str();
    const m = /^(True|False|None|[-+]?\d+L?)/.exec(text.slice(i, i + 32));
    if (!m) return err(`unexpected character '${c}'`);
    i += m[0].length;
    if (m[0] === 'True') return true;
    if (m[0] === 'False') return false;
    if (m[0] === 'None') return null;
    return Number(m[0].replace('L', '')); // Python 2 wrote long ints as 3L
  };

  const str = (): string => {
    const q = text[i++];
    let s = '';
    while (i < text.length && text[i] !== q) {
      if (text[i] === '\\') {
        i++;
        if (i >= text.length) break;
      }
      s += text[i++];
    }
    if (text[i] !== q) err('unterminated string');
    i++;
    return s;
  };

  const seq = (close: string): PyValue[] => {
    i++; // opening bracket
    const items: PyValue[] = [];
    for (;;) {
      ws();
      if (text[i] === close) { i++; return items; }
      items.push(value());
      ws();
      if (text[i] === ',') i++;
      else if (text[i] !== close) err(`expected ',' or '${close}'`);
    }
  };

  const dict = (): { [k: string]: PyValue } => {
    i++;
    const out: { [k: string]: PyValue } = {};
    for (;;) {
      ws();
      if (text[i] === '}') { i++; return out; }
      const k = value();
      if (typeof k !== 'string') err('dict key is not a string');
      ws();
      if (text[i] !== ':') err("expected ':'");
      i++;
      out[k as string] = value();
      ws();
      if (text[i] === ',') i++;
      else if (text[i] !== '}') err("expected ',' or '}'");
    }
  };

  const v = value();
  ws();
  if (i !== text.length) err('trailing characters');
  return v;
}
