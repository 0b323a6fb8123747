import test from 'ava';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HostBenchResult } from '../../../src/bench/host.js';
import { runLab } from '../../helpers/lab.js';

test('lab bench host measures process, thread and disk round trips, prints them and writes JSON', async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'kubelab-bench-host-'));
  t.teardown(() => rmSync(home, { recursive: true, force: true }));
  const json = join(home, 'host.json');
  const r = await runLab(home, ['bench', 'host', '--round-trips', '200', '--syncs', '20', '--dir', home, '--json', json]);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /process to process, loopback TCP\s+200\s/);
  t.regex(r.stdout, /process to process, loopback TLS\s+200\s/);
  t.regex(r.stdout, /thread to thread, postMessage\s+200\s/);
  t.regex(r.stdout, /4 KiB overwrite \+ fdatasync\s+20\s/);
  const result = JSON.parse(readFileSync(json, 'utf8')) as HostBenchResult;
  t.is(result.benchmark, 'host');
  t.deepEqual(result.measures.map((m) => m.latency.count), [200, 200, 200, 20, 20]);
  for (const m of result.measures) {
    t.true(m.latency.p50Ms > 0 && m.latency.p50Ms <= m.latency.p99Ms && m.latency.p99Ms <= m.latency.maxMs, m.measure);
    t.true(m.cpuMicrosPerOp > 0 && m.systemMicrosPerOp <= m.cpuMicrosPerOp, m.measure);
  }
  t.deepEqual(readdirSync(home).filter((f) => f.startsWith('kubelab-bench-host-')), []);
});

test('lab bench host rejects a bad count naming the flag', async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'kubelab-bench-host-'));
  t.teardown(() => rmSync(home, { recursive: true, force: true }));
  const r = await runLab(home, ['bench', 'host', '--round-trips', '0']);
  t.is(r.code, 2);
  t.regex(r.stderr, /--round-trips/);
});
