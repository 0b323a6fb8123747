import test from 'ava';
import { lowPortNote } from '../../../src/cli/lab.js';

test('a normal user is told once that Service ports below the unprivileged start cannot be served, and how to allow them', (t) => {
  const note = lowPortNote(1001, 1024);
  t.regex(note!, /ports below 1024, such as the "kubernetes" Service's 443/);
  t.regex(note!, /sudo sysctl -w net\.ipv4\.ip_unprivileged_port_start=0/);
  t.is(lowPortNote(0, 1024), undefined, 'root may listen anywhere');
  t.is(lowPortNote(1001, 0), undefined, 'every user may listen anywhere');
  t.is(lowPortNote(1001, 443), undefined, '443 is allowed');
  t.is(lowPortNote(undefined, 1024), undefined, 'no uids on this platform');
});
