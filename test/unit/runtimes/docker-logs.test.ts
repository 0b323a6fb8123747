/** Decoding `docker logs` output: multiplexed frames cut anywhere, timestamps, partial lines. */
import test from 'ava';
import { DockerLogDecoder, dockerTimeArg, parseNanoTime } from '../../../src/worker/kubelet/runtimes/docker/logs.js';

function frame(stream: 1 | 2, text: string): Buffer {
  const payload = Buffer.from(text);
  const header = Buffer.alloc(8);
  header[0] = stream;
  header.writeUInt32BE(payload.length, 4);
  return Buffer.concat([header, payload]);
}

const T1 = '2026-01-01T00:00:01.123456789Z';
const T2 = '2026-01-01T00:00:02.5Z';

test('frames become lines with their stream and time, however the bytes are cut', (t) => {
  const bytes = Buffer.concat([frame(1, `${T1} hello\n`), frame(2, `${T2} oops\n`), frame(1, `${T2} bye\n`)]);
  const expected = [
    { time: Date.parse('2026-01-01T00:00:01.123Z'), stream: 'stdout', line: 'hello' },
    { time: Date.parse(T2), stream: 'stderr', line: 'oops' },
    { time: Date.parse(T2), stream: 'stdout', line: 'bye' },
  ];
  for (let cut = 0; cut <= bytes.length; cut++) {
    const d = new DockerLogDecoder(() => 0);
    const got = [...d.push(bytes.subarray(0, cut)), ...d.push(bytes.subarray(cut)), ...d.end()];
    t.deepEqual(got, expected, `cut at ${cut}`);
  }
});

test('a long line split into several timestamped messages is joined; an unfinished one is flushed at the end', (t) => {
  const d = new DockerLogDecoder(() => 0);
  t.deepEqual(d.push(frame(1, `${T1} part one, `)), []);
  t.deepEqual(d.push(frame(1, `${T2} part two\n`)), [{ time: Date.parse('2026-01-01T00:00:01.123Z'), stream: 'stdout', line: 'part one, part two' }]);
  t.deepEqual(d.push(frame(2, `${T2} no newline`)), []);
  t.deepEqual(d.end(), [{ time: Date.parse(T2), stream: 'stderr', line: 'no newline' }]);
});

test('lines without timestamps get the decoder clock; empty lines survive; stdin frames are dropped', (t) => {
  const d = new DockerLogDecoder(() => 42);
  t.deepEqual(d.push(Buffer.concat([frame(1, 'a\n\nb\n'), Buffer.from([0, 0, 0, 0, 0, 0, 0, 1, 120])])), [
    { time: 42, stream: 'stdout', line: 'a' },
    { time: 42, stream: 'stdout', line: '' },
    { time: 42, stream: 'stdout', line: 'b' },
  ]);
});

test('parseNanoTime() and dockerTimeArg()', (t) => {
  t.is(parseNanoTime('2026-01-01T00:00:00.999999999Z'), Date.parse('2026-01-01T00:00:00.999Z'));
  t.is(parseNanoTime('not a time'), undefined);
  t.is(dockerTimeArg(1_700_000_000_123), '1700000000.123000000');
  t.is(dockerTimeArg(5), '0.005000000');
});
