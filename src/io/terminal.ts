// Text from a model file (op, node, value and attribute names, producer strings) ends
// up in error lines and tables. A name may hold a newline, which would forge a second
// line of output, or an escape sequence, which a terminal executes (clear the screen,
// retitle the window, rewrite what was printed before). `printable` shows such
// characters as escapes instead: C0 controls and DEL, the C1 controls (which include
// the 8-bit CSI), and the Unicode bidi overrides that reorder how text displays.
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

const NAMED: Record<string, string> = { '\n': '\\n', '\r': '\\r', '\t': '\\t', '\u001b': '\\e' };

function escape(c: string): string {
  const code = c.charCodeAt(0);
  return NAMED[c] ?? (code < 0x100 ? `\\x${code.toString(16).padStart(2, '0')}` : `\\u{${code.toString(16)}}`);
}

/** `s` with every control, escape and bidi-override character written as an escape: one safe line. */
export function printable(s: string): string {
  return s.replace(UNPRINTABLE, escape);
}

/** Like printable, but keeps line breaks (a stack trace is several lines). */
export function printableLines(s: string): string {
  return s.split('\n').map(printable).join('\n');
}
