/** Pure parts of the process runtime: pod IP allocation and the CRI log format with tail/since selection. */
import test from 'ava';
import { allocatableRange, allocateIp, inRange } from '../../../src/worker/kubelet/runtimes/process/ip-alloc.js';
import { CriLogDecoder, criTimestamp, decodeCriLog, formatCriRecord, parseCriRecord, selectLogs } from '../../../src/worker/kubelet/runtimes/process/cri-log.js';
import type { LogEntry } from '../../../src/worker/kubelet/runtime.js';

test('allocateIp() skips network, gateway and broadcast, and what is in use', (t) => {
  t.is(allocateIp('127.244.3.0/24', new Set()), '127.244.3.2');
  t.is(allocateIp('127.244.3.0/24', new Set(['127.244.3.2', '127.244.3.3'])), '127.244.3.4');
  const { first, last } = allocatableRange('127.244.3.0/24');
  t.is(last - first + 1, 253);
  t.true(inRange('127.244.3.0/24', '127.244.3.254'));
  t.false(inRange('127.244.3.0/24', '127.244.3.255'));
  t.false(inRange('127.244.3.0/24', '127.244.4.2'));
});

test('allocateIp() is next-fit: a released address is not reused at once, and it wraps round', (t) => {
  // .2 was released just now; the cursor is at .3, so .4 comes before .2 again.
  t.is(allocateIp('127.244.3.0/24', new Set(['127.244.3.3']), '127.244.3.3'), '127.244.3.4');
  t.is(allocateIp('127.244.3.0/24', new Set(), '127.244.3.254'), '127.244.3.2');
  // A cursor from another range (the CIDR changed) starts at the beginning.
  t.is(allocateIp('127.244.3.0/24', new Set(), '10.0.0.9'), '127.244.3.2');
});

test('allocateIp() throws when the range is full, naming it', (t) => {
  const all = new Set(['127.1.1.2']);
  t.is(allocateIp('127.1.1.0/30', new Set()), '127.1.1.2');
  t.throws(() => allocateIp('127.1.1.0/30', all), { message: /no free address left in pod CIDR 127\.1\.1\.0\/30/ });
  t.throws(() => allocateIp('127.1.1.0/33', new Set()), { instanceOf: TypeError });
});

test('criTimestamp() writes RFC 3339 with nanoseconds, and parseCriRecord() reads it back', (t) => {
  const ms = Date.parse('2026-03-04T05:06:07.089Z');
  t.is(criTimestamp(ms, 123456), '2026-03-04T05:06:07.089123456Z');
  t.is(formatCriRecord({ time: ms, stream: 'stderr', text: 'boom: a b' }), '2026-03-04T05:06:07.089000000Z stderr F boom: a b\n');
  t.deepEqual(parseCriRecord('2026-03-04T05:06:07.089123456Z stdout P half'), { time: ms, stream: 'stdout', partial: true, text: 'half' });
  // Fewer digits and offsets are RFC 3339 too (containerd trims trailing zeros).
  t.deepEqual(parseCriRecord('2026-03-04T06:06:07.5+01:00 stdout F x'), { time: Date.parse('2026-03-04T05:06:07.500Z'), stream: 'stdout', partial: false, text: 'x' });
  t.deepEqual(parseCriRecord('2026-03-04T05:06:07Z stdout F '), { time: Date.parse('2026-03-04T05:06:07Z'), stream: 'stdout', partial: false, text: '' });
  t.is(parseCriRecord('2026-03-04T05:06:07Z stdin F x'), undefined);
  t.is(parseCriRecord('hello world'), undefined);
});

test('the decoder joins partial records per stream, across interleaving and chunk boundaries', (t) => {
  const at = (s: number) => Date.parse('2026-01-01T00:00:00Z') + s * 1000;
  const file =
    formatCriRecord({ time: at(1), stream: 'stdout', partial: true, text: 'long ' }) +
    formatCriRecord({ time: at(2), stream: 'stderr', text: 'err line' }) +
    formatCriRecord({ time: at(3), stream: 'stdout', partial: true, text: 'line ' }) +
    formatCriRecord({ time: at(4), stream: 'stdout', text: 'ends' }) +
    'garbage\n' +
    formatCriRecord({ time: at(5), stream: 'stdout', text: 'next' });
  const whole = decodeCriLog(file);
  t.deepEqual(whole, [
    { time: at(2), stream: 'stderr', line: 'err line' },
    { time: at(1), stream: 'stdout', line: 'long line ends' },
    { time: at(5), stream: 'stdout', line: 'next' },
  ]);
  // The same text pushed in small chunks gives the same lines; an unfinished line waits.
  const d = new CriLogDecoder();
  const got: LogEntry[] = [];
  for (let i = 0; i < file.length; i += 7) got.push(...d.push(file.slice(i, i + 7)));
  t.deepEqual(got, whole);
  t.is(d.malformed, 1);
  t.deepEqual(d.push('2026-01-01T00:00:09Z stdout F no newline yet'), []);
  t.deepEqual(d.push('\n'), [{ time: Date.parse('2026-01-01T00:00:09Z'), stream: 'stdout', line: 'no newline yet' }]);
});

test('selectLogs() applies since first, then tail, as kubectl logs --since-time --tail does', (t) => {
  const e = (time: number, line: string): LogEntry => ({ time, stream: 'stdout', line });
  const all = [e(10, 'a'), e(20, 'b'), e(30, 'c'), e(40, 'd')];
  t.deepEqual(selectLogs(all, {}), all);
  t.deepEqual(selectLogs(all, { tailLines: 2 }).map((x) => x.line), ['c', 'd']);
  t.deepEqual(selectLogs(all, { tailLines: 10 }).map((x) => x.line), ['a', 'b', 'c', 'd']);
  t.deepEqual(selectLogs(all, { tailLines: 0 }), []);
  t.deepEqual(selectLogs(all, { tailLines: -1 }), all);
  t.deepEqual(selectLogs(all, { sinceTime: 20 }).map((x) => x.line), ['b', 'c', 'd']);
  t.deepEqual(selectLogs(all, { sinceTime: 20, tailLines: 1 }).map((x) => x.line), ['d']);
  t.deepEqual(selectLogs(all, { sinceTime: 41 }), []);
});
