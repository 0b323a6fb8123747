/** RoundRobin: rotation order, reshuffles only on a changed set, ClientIP affinity. */
import test from 'ava';
import { RoundRobin } from '../../../src/worker/proxy/balancer.js';

const none = { clientIP: false, timeoutSeconds: 10_800 };
const sticky = (timeoutSeconds = 10) => ({ clientIP: true, timeoutSeconds });
/** random() = 0.999... keeps Fisher-Yates from moving anything: the order stays as given. */
const identity = () => 0.999999;

const take = (rr: RoundRobin, key: string, n: number, clientIP = '127.0.0.1', now = 0) => Array.from({ length: n }, () => rr.next(key, clientIP, now));

test('RoundRobin hands out every endpoint in turn, then starts over', (t) => {
  const rr = new RoundRobin({ random: identity });
  rr.set('k', ['a:1', 'b:1', 'c:1'], none);
  t.deepEqual(take(rr, 'k', 7), ['a:1', 'b:1', 'c:1', 'a:1', 'b:1', 'c:1', 'a:1']);
});

test('RoundRobin answers undefined for an unknown key and an empty set', (t) => {
  const rr = new RoundRobin();
  t.is(rr.next('nope', 'x', 0), undefined);
  rr.set('k', [], none);
  t.is(rr.next('k', 'x', 0), undefined);
  t.deepEqual(rr.endpoints('k'), []);
});

test('RoundRobin shuffles a new set with the injected randomness', (t) => {
  // random() = 0 swaps each position with the first: [a,b,c,d] -> [b,c,d,a].
  const rr = new RoundRobin({ random: () => 0 });
  t.true(rr.set('k', ['a', 'b', 'c', 'd'], none));
  t.deepEqual(rr.endpoints('k'), ['b', 'c', 'd', 'a']);
});

const setCases = [
  { name: 'the same set in another order keeps position', next: ['c', 'a', 'b'], changed: false, after: ['b', 'c', 'a'] },
  { name: 'a removed endpoint restarts the rotation without it', next: ['a', 'c'], changed: true, after: ['a', 'c', 'a'] },
  { name: 'an added endpoint restarts the rotation with it', next: ['a', 'b', 'c', 'd'], changed: true, after: ['a', 'b', 'c'] },
  { name: 'a replaced endpoint restarts the rotation', next: ['a', 'b', 'x'], changed: true, after: ['a', 'b', 'x'] },
];
for (const c of setCases) {
  test(`RoundRobin.set(): ${c.name}`, (t) => {
    const rr = new RoundRobin({ random: identity });
    rr.set('k', ['a', 'b', 'c'], none);
    t.is(rr.next('k', 'ip', 0), 'a');
    t.is(rr.set('k', c.next, none), c.changed);
    t.deepEqual(take(rr, 'k', 3), c.after);
  });
}

test('RoundRobin keeps keys apart', (t) => {
  const rr = new RoundRobin({ random: identity });
  rr.set('x', ['a', 'b'], none);
  rr.set('y', ['c', 'd'], none);
  t.deepEqual([rr.next('x', '', 0), rr.next('y', '', 0), rr.next('x', '', 0), rr.next('y', '', 0)], ['a', 'c', 'b', 'd']);
  rr.delete('x');
  t.is(rr.next('x', '', 0), undefined);
  t.is(rr.next('y', '', 0), 'c');
});

test('ClientIP affinity: a client keeps its endpoint, others rotate', (t) => {
  const rr = new RoundRobin({ random: identity });
  rr.set('k', ['a', 'b', 'c'], sticky());
  t.is(rr.next('k', '10.0.0.1', 0), 'a');
  t.is(rr.next('k', '10.0.0.2', 0), 'b');
  t.deepEqual(take(rr, 'k', 3, '10.0.0.1', 1000), ['a', 'a', 'a']);
  t.is(rr.next('k', '10.0.0.3', 1000), 'c');
});

test('ClientIP affinity expires after the timeout since the last use', (t) => {
  const rr = new RoundRobin({ random: identity });
  rr.set('k', ['a', 'b'], sticky(10));
  t.is(rr.next('k', 'ip', 0), 'a');
  t.is(rr.next('k', 'ip', 9_000), 'a'); // refreshes lastUsed
  t.is(rr.next('k', 'ip', 18_999), 'a');
  t.is(rr.next('k', 'ip', 28_999), 'b'); // 10 s idle: a new pick
});

test('ClientIP affinity resets after a failed connect and when the endpoint leaves', (t) => {
  const rr = new RoundRobin({ random: identity });
  rr.set('k', ['a', 'b', 'c'], sticky());
  t.is(rr.next('k', 'ip', 0), 'a');
  t.is(rr.next('k', 'ip', 0, true), 'b');
  t.is(rr.next('k', 'ip', 0), 'b');
  rr.set('k', ['a', 'c'], sticky());
  t.is(rr.next('k', 'ip', 0), 'a'); // b left: rotation restarted, a fresh pick
});

test('turning affinity off forgets the sticky clients', (t) => {
  const rr = new RoundRobin({ random: identity });
  rr.set('k', ['a', 'b'], sticky());
  t.is(rr.next('k', 'ip', 0), 'a');
  rr.set('k', ['a', 'b'], none);
  t.is(rr.next('k', 'ip', 0), 'b');
  rr.set('k', ['a', 'b'], sticky());
  t.is(rr.next('k', 'ip', 0), 'a');
  t.is(rr.next('k', 'ip', 0), 'a');
});

test('the sticky table is bounded: expired entries go first, then the oldest', (t) => {
  const rr = new RoundRobin({ random: identity, maxSticky: 2 });
  rr.set('k', ['a', 'b', 'c'], sticky(10));
  t.is(rr.next('k', 'c1', 0), 'a');
  t.is(rr.next('k', 'c2', 5_000), 'b');
  t.is(rr.next('k', 'c3', 12_000), 'c'); // c1 expired and is pruned
  t.is(rr.next('k', 'c2', 12_000), 'b');
  t.is(rr.next('k', 'c4', 12_000), 'a'); // full of live clients: the oldest (c2) goes
  t.is(rr.next('k', 'c3', 12_000), 'c');
  t.is(rr.next('k', 'c2', 12_000), 'b'); // forgotten: a fresh pick continues the rotation
});

test('RoundRobin validates maxSticky', (t) => {
  t.throws(() => new RoundRobin({ maxSticky: 0 }), { instanceOf: RangeError, message: /maxSticky/ });
});
