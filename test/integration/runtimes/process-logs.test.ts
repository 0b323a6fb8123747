/** The process runtime's container logs (CRI files, tail, since, follow, --previous) and execSync, with real processes. */
import test from 'ava';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { NotFoundError, type LogEntry } from '../../../src/worker/kubelet/runtime.js';
import type { ProcessRuntime } from '../../../src/worker/kubelet/runtimes/process/index.js';
import { eventually } from '../../helpers/eventually.js';
import { tempDir } from '../../helpers/tmp.js';
import { containerConfig, processLab, recordEvents, runContainer } from './process-harness.js';

async function collect(r: ProcessRuntime, id: string, o: Parameters<ProcessRuntime['containerLogs']>[1] = {}): Promise<LogEntry[]> {
  const out: LogEntry[] = [];
  for await (const e of r.containerLogs(id, o)) out.push(e);
  return out;
}

/** Long lines of one repeated character as "<char>*<length>", to keep failure output readable. */
function short(line: string): string {
  return line.length > 100 && line === line[0]!.repeat(line.length) ? `${line[0]}*${line.length}` : line;
}

test('stdout and stderr go to a CRI log file in the logDirectory; tail and since select, and the log outlives the exit until removal', async (t) => {
  const lab = processLab(t);
  const r = lab.runtime();
  const ev = recordEvents(t, r);
  const logDirectory = join(tempDir(t), 'pods', 'default_chatty_uid');
  const work = tempDir(t);
  // The workload waits for a file between "two" and "three", so that a time lies between them for sinceTime.
  // A 40000-character line is cut into 16 KiB partial records and joined again when read.
  const script = 'echo one; echo two >&2; while [ ! -f go ]; do sleep 0.05; done; echo three; head -c 40000 /dev/zero | tr "\\0" x; echo; printf "no newline"';
  const { id } = await runContainer(r, 'chatty', containerConfig('c', { command: ['sh', '-c', script], workingDir: work, logPath: 'c/0.log' }), { logDirectory });
  await eventually(async () => (await collect(r, id)).length === 2, { message: 'one and two logged' });
  const mark = Date.now();
  // Log times have millisecond precision: let the clock pass mark before "three" can be written.
  await eventually(() => Date.now() > mark + 1);
  writeFileSync(join(work, 'go'), '');
  await ev.waitFor((e) => e.type === 'stopped' && e.containerId === id, 'the container exits');
  const file = join(logDirectory, 'c/0.log');
  t.is(r.logFile(id), file);
  const raw = readFileSync(file, 'utf8');
  t.regex(raw, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z stdout F one\n/);
  t.regex(raw, /\d{9}Z stderr F two\n/);
  const all = await collect(r, id);
  // stdout and stderr are two pipes: lines written back to back on both may be read in either order.
  t.deepEqual(all.slice(0, 2).map((e) => [e.stream, e.line]).sort(), [
    ['stderr', 'two'],
    ['stdout', 'one'],
  ]);
  t.deepEqual(all.slice(2).map((e) => [e.stream, short(e.line)]), [
    ['stdout', 'three'],
    ['stdout', 'x*40000'],
    ['stdout', 'no newline'],
  ]);
  t.is(raw.match(/ stdout P x+\n/g)?.length, 2);
  t.deepEqual((await collect(r, id, { tailLines: 2 })).map((e) => short(e.line)), ['x*40000', 'no newline']);
  t.deepEqual((await collect(r, id, { sinceTime: mark })).map((e) => short(e.line)), ['three', 'x*40000', 'no newline']);
  t.deepEqual((await collect(r, id, { sinceTime: mark, tailLines: 1 })).map((e) => e.line), ['no newline']);
  // An exited container keeps its logs (what --previous reads) until it is removed.
  await r.removeContainer(id);
  t.false(existsSync(file));
  await t.throwsAsync(collect(r, id), { instanceOf: NotFoundError });
});

test('follow sends new lines as they are written and ends when the container exits', async (t) => {
  const lab = processLab(t);
  const r = lab.runtime();
  const work = tempDir(t);
  const script = 'echo first; while [ ! -f go ]; do sleep 0.05; done; echo second; echo third';
  const { id } = await runContainer(r, 'tail', containerConfig('c', { command: ['sh', '-c', script], workingDir: work }));
  const seen: string[] = [];
  const iter = r.containerLogs(id, { follow: true, tailLines: 5 })[Symbol.asyncIterator]();
  const first = await iter.next();
  t.like(first, { done: false, value: { line: 'first', stream: 'stdout' } });
  // Only now does the container go on: the next lines must come through the follow.
  writeFileSync(join(work, 'go'), '');
  for (let n = await iter.next(); !n.done; n = await iter.next()) seen.push(n.value.line);
  t.deepEqual(seen, ['second', 'third']);
  t.like(await r.containerStatus(id), { state: 'exited', exitCode: 0 });
});

test('follow ends when its signal aborts, while the container runs on', async (t) => {
  const lab = processLab(t);
  const r = lab.runtime();
  const { id } = await runContainer(r, 'quiet', containerConfig('c', { command: ['sh', '-c', 'echo hello; exec sleep 60'] }));
  const ac = new AbortController();
  const lines: string[] = [];
  for await (const e of r.containerLogs(id, { follow: true, signal: ac.signal })) {
    lines.push(e.line);
    ac.abort();
  }
  t.deepEqual(lines, ['hello']);
  t.is((await r.containerStatus(id)).state, 'running');
});

test("execSync runs on the host with the container's env and working dir, and times out", async (t) => {
  const lab = processLab(t);
  const r = lab.runtime();
  const work = tempDir(t);
  const { id, ip } = await runContainer(r, 'probe', containerConfig('c', { command: ['sleep', '60'], workingDir: work, env: [{ name: 'GREETING', value: 'hi there' }] }));
  const res = await r.execSync(id, ['sh', '-c', 'echo "$GREETING $POD_IP $HOSTNAME"; pwd; echo oops >&2; exit 4']);
  t.deepEqual(res, { exitCode: 4, stdout: `hi there ${ip} probe\n${work}\n`, stderr: 'oops\n' });
  t.like(await r.execSync(id, ['kubelab-no-such-probe']), { exitCode: 127 });
  await t.throwsAsync(r.execSync(id, ['sleep', '30'], { timeoutMs: 200 }), { message: /timed out after 200 ms/ });
  await r.stopContainer(id, 0);
  await t.throwsAsync(r.execSync(id, ['true']), { message: /it is exited, not running/ });
});
