import test, { type ExecutionContext } from 'ava';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { claimSlot, lockDir, releaseSlot } from '../../../src/bootstrap/providers/local/slots.js';

/** A temporary LAB_SLOTS_DIR for one test, put back and removed after it. */
function slotsHome(t: ExecutionContext): string {
  const root = mkdtempSync(join(tmpdir(), 'kubelab-slots-test-'));
  const before = process.env.LAB_SLOTS_DIR;
  process.env.LAB_SLOTS_DIR = root;
  t.teardown(() => {
    if (before === undefined) delete process.env.LAB_SLOTS_DIR;
    else process.env.LAB_SLOTS_DIR = before;
    rmSync(root, { recursive: true, force: true });
  });
  return root;
}

// One test at a time: LAB_SLOTS_DIR is process-wide.
test.serial('slots: the lock directory is shared like /tmp (mode 1777), and a lab keeps its slot until it lets it go', (t) => {
  const root = slotsHome(t);
  const a = join(root, 'lab-a');
  const b = join(root, 'lab-b');
  mkdirSync(a);
  mkdirSync(b);
  t.is(claimSlot(a), 0);
  t.is(statSync(lockDir()).mode & 0o7777, 0o1777);
  t.is(claimSlot(b), 1);
  t.is(claimSlot(a), 0, 'a lab that holds a slot gets the same one');
  t.is(readFileSync(join(lockDir(), '0.lock'), 'utf8').trim(), a);
  releaseSlot(a);
  t.false(existsSync(join(lockDir(), '0.lock')));
  // A stale lock (its lab directory is gone) is taken over.
  rmSync(b, { recursive: true });
  t.is(claimSlot(a), 0);
  const c = join(root, 'lab-c');
  mkdirSync(c);
  t.is(claimSlot(c), 1);
});

test.serial('slots: a lock directory of ours made without the sticky bit (an older kubelab) is opened up', (t) => {
  const root = slotsHome(t);
  mkdirSync(lockDir());
  chmodSync(lockDir(), 0o755);
  const lab = join(root, 'lab');
  mkdirSync(lab);
  t.is(claimSlot(lab), 0);
  t.is(statSync(lockDir()).mode & 0o7777, 0o1777);
});
