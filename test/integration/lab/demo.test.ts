import test from 'ava';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DemoResult } from '../../../src/demo/demo.js';
import { runLab } from '../../helpers/lab.js';

test('./lab demo brings a lab up, crashes a node under traffic, reports the recovery, and --rm removes it', async (t) => {
  const home = mkdtempSync(join(tmpdir(), 'kubelab-demo-'));
  t.teardown(async () => {
    await runLab(home, ['down', '--purge']);
    rmSync(home, { recursive: true, force: true });
  });
  const json = join(home, 'demo.json');
  const r = await runLab(home, ['demo', '--rm', '--json', json]);
  t.is(r.code, 0, r.stderr);
  t.regex(r.stdout, /answered by every replica/);
  t.regex(r.stdout, /Recovered in \d+\.\d s/);
  const d = JSON.parse(readFileSync(json, 'utf8')) as DemoResult;
  t.is(Object.keys(d.spread).length, 3, 'three replicas answered before the fault');
  const kinds = d.timeline.map((e) => e.kind);
  for (const k of ['crashed', 'node-not-ready', 'endpoints-dropped', 'pods-evicted', 'replacements-created', 'replacements-ready', 'endpoints-restored', 'node-restarted'] as const) {
    t.true(kinds.includes(k), `timeline has ${k}: ${kinds.join(', ')}`);
  }
  const at = (k: string) => d.timeline.find((e) => e.kind === k)!.at;
  t.true(at('node-not-ready') <= at('replacements-ready'), 'the node is noticed before replacements are ready');
  t.true(d.traffic.answered > 0);
  t.true(d.traffic.sent >= d.traffic.answered);
  t.false(existsSync(join(home, 'lab')), '--rm deleted the lab');
});
