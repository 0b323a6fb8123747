import test from 'ava';
import { JsonLinesDecoder, WatchEventDecoder } from '../../../src/client/watch-parse.js';

const events = [
  { type: 'ADDED', object: { kind: 'Pod', metadata: { name: 'café', resourceVersion: '1' } } },
  { type: 'MODIFIED', object: { kind: 'Pod', metadata: { name: '日本語-🚀', resourceVersion: '2' }, data: 'x'.repeat(3000) } },
  { type: 'BOOKMARK', object: { kind: 'Pod', metadata: { resourceVersion: '7' } } },
  { type: 'DELETED', object: { kind: 'Pod', metadata: { name: 'ä', resourceVersion: '8' } } },
];
const stream = Buffer.from(events.map((e) => JSON.stringify(e) + '\n').join(''));

function decodeInChunks(chunks: Buffer[]): unknown[] {
  const d = new WatchEventDecoder();
  const out: unknown[] = [];
  for (const c of chunks) out.push(...d.push(c));
  out.push(...d.end());
  return out;
}

test('watch decoder yields the same events wherever the stream is cut in two', (t) => {
  for (let i = 0; i <= stream.length; i++) {
    const got = decodeInChunks([stream.subarray(0, i), stream.subarray(i)]);
    if (JSON.stringify(got) !== JSON.stringify(events)) return t.fail(`cut at byte ${i} decoded differently`);
  }
  t.pass();
});

test('watch decoder handles a stream fed one byte at a time, splitting multi-byte characters', (t) => {
  const chunks = Array.from({ length: stream.length }, (_, i) => stream.subarray(i, i + 1));
  t.deepEqual(decodeInChunks(chunks), events);
});

test('watch decoder delivers each event as soon as its newline arrives', (t) => {
  const d = new WatchEventDecoder();
  const first = JSON.stringify(events[0]) + '\n';
  const second = JSON.stringify(events[3]);
  t.deepEqual(d.push(Buffer.from(first + second.slice(0, 10))), [events[0]]);
  t.deepEqual(d.push(Buffer.from(second.slice(10))), [], 'an unterminated line is held back');
  t.deepEqual(d.push(Buffer.from('\n')), [events[3]]);
});

test('watch decoder decodes several events in one chunk and skips blank lines', (t) => {
  const d = new WatchEventDecoder();
  const text = `\n${JSON.stringify(events[0])}\n\r\n${JSON.stringify(events[2])}\n\n`;
  t.deepEqual(d.push(Buffer.from(text)), [events[0], events[2]]);
  t.deepEqual(d.end(), []);
});

test('watch decoder returns a last event that lacks its newline at the end of the stream', (t) => {
  const d = new WatchEventDecoder();
  t.deepEqual(d.push(Buffer.from(JSON.stringify(events[3]))), []);
  t.deepEqual(d.end(), [events[3]]);
});

test('malformed JSON in a watch stream is an error that quotes the line', (t) => {
  const d = new JsonLinesDecoder();
  t.throws(() => d.push('{"type":"ADDED","object":{\n'), { message: /^malformed JSON in watch stream: .*: "\{\\"type\\":\\"ADDED\\",\\"object\\":\{"$/ });
});

test('watch decoder rejects values that are not watch events', (t) => {
  t.throws(() => new WatchEventDecoder().push('{"type":"EXPLODED","object":{}}\n'), { message: /unknown type "EXPLODED"/ });
  t.throws(() => new WatchEventDecoder().push('{"type":"ADDED"}\n'), { message: /ADDED event without an object/ });
  t.throws(() => new WatchEventDecoder().push('[1,2]\n'), { message: /unknown type/ });
  t.throws(() => new WatchEventDecoder().push('42\n'), { message: /not an event object/ });
});
