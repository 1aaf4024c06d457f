// Files and terminals: what a hostile or broken model, a full disk, a closed pipe or a
// killed process can do to the CLI. Each case states what must hold whatever happens:
// nothing outside the output folder is written, no temp file is left, a name from the
// file cannot print control characters, and every failure is one line, not a stack.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { f32 } from '../../runtime/tensor.ts';
import { encodeNpy } from '../../src/io/npy.ts';
import { writeFileAtomic, writeFilesAtomically } from '../../src/io/atomic.ts';
import { printable } from '../../src/io/terminal.ts';
import { assertCleanError, cli, FIXTURES, model, node, ROOT, save, tmp } from './helpers.ts';

const dir = tmp('rampart-hardening-');
test.after(() => rmSync(dir, { recursive: true, force: true }));

const reluModel = save(dir, 'relu.onnx', model({
  inputs: [{ name: 'x', shape: ['N', 3] }], outputs: [{ name: 'y', shape: ['N', 3] }], nodes: [node('Relu', ['x'], ['y'], {}, 'r')],
}));
const xNpy = join(dir, 'x.npy');
writeFileSync(xNpy, encodeNpy(f32([2, 3], [1, -2, 3, -4, 5, -6])));
const bin = join(ROOT, 'bin/rampart.js');

test('a symlink planted where a temp file could go is never followed: the file it points at stays untouched', () => {
  const out = join(dir, 'planted');
  mkdirSync(out);
  const victim = join(dir, 'victim.txt');
  writeFileSync(victim, 'precious');
  // Every name the writer has used for its temp files: .<name>.<pid>.tmp and .<name>.<pid>.<serial>.tmp.
  for (const name of ['y.npy', 'z.json']) {
    symlinkSync(victim, join(out, `.${name}.${process.pid}.tmp`));
    for (let k = 0; k < 36; k++) symlinkSync(victim, join(out, `.${name}.${process.pid}.${k.toString(36)}.tmp`));
  }
  writeFilesAtomically(out, [{ name: 'y.npy', bytes: Uint8Array.of(1, 2) }]);
  writeFileAtomic(join(out, 'z.json'), '{}');
  assert.equal(readFileSync(victim, 'utf8'), 'precious');
  assert.deepEqual([...readFileSync(join(out, 'y.npy'))], [1, 2]);
  assert.equal(readFileSync(join(out, 'z.json'), 'utf8'), '{}');
});

test('temp files of a process that is gone are removed by the next write of the same target', () => {
  const out = join(dir, 'stale');
  mkdirSync(out);
  const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], { encoding: 'utf8' });
  const stale = join(out, `.model.onnx.${dead.stdout}.0a1b2c.tmp`);
  const live = join(out, `.model.onnx.${process.ppid}.0a1b2c.tmp`); // a process that exists: maybe still writing
  const other = join(out, `.other.onnx.${dead.stdout}.0a1b2c.tmp`); // another target's: not ours to judge
  for (const f of [stale, live, other]) writeFileSync(f, 'half a model');
  writeFileAtomic(join(out, 'model.onnx'), 'whole');
  assert.deepEqual(readdirSync(out).sort(), [`.model.onnx.${process.ppid}.0a1b2c.tmp`, `.other.onnx.${dead.stdout}.0a1b2c.tmp`, 'model.onnx']);
});

test('SIGTERM during a write: the write completes, no temp file is left, the process dies of the signal', async () => {
  const out = join(dir, 'killed');
  mkdirSync(out);
  const script = `import { writeFileAtomic } from './src/io/atomic.ts';
    process.stdout.write('writing\\n');
    writeFileAtomic(${JSON.stringify(join(out, 'big.bin'))}, new Uint8Array(256 << 20).fill(7));
    setTimeout(() => process.stdout.write('survived\\n'), 2000);`;
  const p = spawn(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script], { cwd: ROOT });
  let stdout = '';
  p.stdout.on('data', (d) => {
    stdout += d;
    if (stdout.includes('writing')) p.kill('SIGTERM');
  });
  const signal = await new Promise<string | null>((resolve) => p.on('close', (_code, sig) => resolve(sig)));
  assert.equal(signal, 'SIGTERM');
  assert.doesNotMatch(stdout, /survived/);
  const left = readdirSync(out);
  assert.ok(left.every((f) => !f.endsWith('.tmp')), `temp files left: ${left.join(', ')}`);
  if (left.includes('big.bin')) assert.equal(statSync(join(out, 'big.bin')).size, 256 << 20, 'a file in place is whole');
});

test('a missing output folder is named in the error, not the temp file', async () => {
  const target = join(dir, 'no', 'such', 'folder', 'm.onnx');
  assert.throws(() => writeFileAtomic(target, 'x'), (e: Error) =>
    e.message === `${target}: cannot write the file: its folder ${join(dir, 'no', 'such', 'folder')} does not exist (expected an existing output folder)`);
  const r = await cli(['compile', join(FIXTURES, 'lstm.onnx'), '--target', 'onnx-csr', '-o', target]);
  assertCleanError(r, /its folder .*no\/such\/folder does not exist/);
  assert.doesNotMatch(r.stderr, /\.tmp/);
});

test('names from the file are printed escaped: no newline or escape sequence reaches the terminal', async () => {
  const evil = save(dir, 'evil.onnx', model({
    inputs: [{ name: 'x\u001b]0;pwned\u0007', shape: [2, 3] }], outputs: [{ name: 'y', shape: [2, 3] }],
    nodes: [node('Evil\nOp\u001b[2J', ['x\u001b]0;pwned\u0007'], ['y'], {}, 'n\u001b[31m\r\u202ered')],
  }));
  const r = await cli(['inspect', evil]);
  assert.equal(r.code, 0, r.stderr);
  assert.doesNotMatch(r.stdout, /[\u0000-\u0009\u000b-\u001f\u007f\u202e]/, 'a control character in the table');
  assert.match(r.stdout, /n\\e\[31m\\r\\u\{202e\}red +Evil\\nOp\\e\[2J/);
  assert.match(r.stdout, /input {2}x\\e\]0;pwned\\x07: float32/);
  const run = await cli(['run', evil, '--input', `x\u001b]0;pwned\u0007=${xNpy}`, '--output-dir', join(dir, 'evil-out')]);
  assertCleanError(run, /unsupported operator Evil\\nOp\\e\[2J/);
  assert.equal(run.stderr.split('\n').length, 2, 'one line and its newline');
  assert.doesNotMatch(run.stderr, /\u001b/);
  assert.equal(printable('a\tb\u0085c\u2066'), 'a\\tb\\x85c\\u{2066}');
});

/** `rampart ARGS` with stdout and stderr sent where `redirect` (a bash redirection) says. */
function redirected(args: string[], redirect: string): { status: number | null; stderr: string } {
  const cmd = `"${process.execPath}" "${bin}" ${args.map((a) => `'${a}'`).join(' ')} ${redirect}`;
  const r = spawnSync('bash', ['-o', 'pipefail', '-c', cmd], { cwd: ROOT, encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

test('a full device ends the command with one line and exit 1; a lost stderr keeps the exit code', () => {
  const full = redirected(['inspect', join(FIXTURES, 'lstm.onnx')], '> /dev/full');
  assert.equal(full.status, 1);
  assert.equal(full.stderr, 'rampart: error: cannot write to stdout: ENOSPC: no space left on device, write\n');
  // The message cannot be written, but the failure is still a failure.
  assert.equal(redirected(['inspect', join(dir, 'missing.onnx')], '2> /dev/full').status, 1);
  assert.equal(redirected(['inspect', join(dir, 'missing.onnx')], '2>&1 > /dev/null | true').status, 1);
  assert.equal(redirected(['inspect', join(FIXTURES, 'lstm.onnx')], '2> /dev/full | head -1 > /dev/null').status, 0);
});

test('an empty (batch-0) input is refused before onnxruntime sees it (it aborts the process on one)', async () => {
  const empty = join(dir, 'empty.npy');
  writeFileSync(empty, encodeNpy(f32([0, 28, 28], [])));
  const r = await cli(['run', join(FIXTURES, 'lstm.onnx'), '--input', empty, '--runtime', 'ort', '--output-dir', join(dir, 'empty-out')]);
  assert.equal(r.code, 1, r.stderr);
  assertCleanError(r, /input 'input' is empty \(float32 \[0,28,28\]\) \(expected a non-empty input for onnxruntime/);
  const ref = await cli(['run', join(FIXTURES, 'lstm.onnx'), '--input', empty, '--runtime', 'reference', '--output-dir', join(dir, 'empty-ref')]);
  assert.equal(ref.code, 0, ref.stderr);
  assert.match(ref.stdout, /logits: float32 \[0,10\]/);
});

test('`main` refuses a bad value before any step runs', async () => {
  for (const [flag, value, why] of [['--sparsity', '1.5', /--sparsity 1\.5 \(expected 'auto' or a fraction in \[0, 1\]\)/], ['--epochs', '-1', /--epochs -1/], ['--lr', '0', /--lr 0 \(expected a positive number\)/]] as const) {
    const r = await cli(['main', '--out', join(dir, 'main-out'), flag, value]);
    assert.equal(r.code, 1, r.stderr);
    assertCleanError(r, why);
    assert.doesNotMatch(r.stderr, /── inspect/, 'a step ran');
  }
  assert.equal(existsSync(join(dir, 'main-out')), false);
});

test('the memory limit is a CLI flag: --max-memory', async () => {
  const cos = save(dir, 'cos.onnx', model({
    inputs: [], outputs: [{ name: 'y', shape: null }], nodes: [node('ConstantOfShape', ['s'], ['y'], {}, 'the_cos')],
    initializers: { s: { dtype: 'int64', dims: [1], data: Float64Array.of(2 ** 20) } },
  }));
  const refused = await cli(['run', cos, '--max-memory', '1M', '--output-dir', join(dir, 'cos-out')]);
  assertCleanError(refused, /node 'the_cos', op ConstantOfShape: a tensor of 1,048,576 float32 values would take 4\.00 MiB, past the memory limit of 1\.00 MiB/);
  const ok = await cli(['--max-memory', '64M', 'run', cos, '--output-dir', join(dir, 'cos-out')]);
  assert.equal(ok.code, 0, ok.stderr);
  assertCleanError(await cli(['run', cos, '--max-memory', 'lots', '--output-dir', join(dir, 'cos-out')]), /memory size 'lots'/);
});
