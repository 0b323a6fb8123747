/**
 * The cluster IP interface (--cluster-ip-interface): as kube-proxy's IPVS mode binds every
 * cluster IP to the dummy interface kube-ipvs0, this makes cluster IPs from a range no interface
 * has (10.96.0.0/16) local addresses, so the proxy can listen on them. It creates a dummy
 * interface, brings it up, keeps exactly the wanted cluster IPs on it as /32s, and deletes it on
 * shutdown. Needs root (CAP_NET_ADMIN); every change runs `ip` through an injected Exec.
 *
 * Kernels built without the dummy driver (CONFIG_DUMMY) answer "Unknown device type"; then a
 * bridge without ports stands in: it is never attached to anything and addresses on it are just
 * as local.
 */
import { nullLogger, type Logger } from '../../util/log.js';
import { ExecError, type Exec } from './exec.js';
import { planAddresses } from './plan.js';

/** The IPv4 addresses in the output of `ip -o -4 addr show dev NAME`. */
export function parseAddrShow(stdout: string): string[] {
  const out: string[] = [];
  for (const m of stdout.matchAll(/\binet (\d{1,3}(?:\.\d{1,3}){3})\/\d{1,2}\b/g)) out.push(m[1]!);
  return out;
}

function stderrOf(err: unknown): string {
  return err instanceof ExecError ? err.stderr : String(err);
}

export interface ClusterIPInterfaceOptions {
  /** Interface name, e.g. "kube-ipvs0". */
  name: string;
  exec: Exec;
  log?: Logger;
}

export class ClusterIPInterface {
  readonly name: string;
  private readonly exec: Exec;
  private readonly log: Logger;
  /** What the interface holds, as far as this process knows (refreshed by ensure()). */
  private addresses = new Set<string>();
  /** The link type in use, once ensure() ran. */
  type: 'dummy' | 'bridge' | 'existing' | undefined;

  constructor(o: ClusterIPInterfaceOptions) {
    this.name = o.name;
    this.exec = o.exec;
    this.log = o.log ?? nullLogger;
  }

  /**
   * Creates the interface unless it exists (one left by a proxy that crashed is reused), brings
   * it up and reads the addresses it already has.
   */
  async ensure(): Promise<void> {
    this.type = await this.create('dummy');
    if (this.type === undefined) {
      this.log.info(`the kernel has no dummy interface driver; using a bridge without ports as "${this.name}" instead`);
      this.type = await this.create('bridge');
      if (this.type === undefined) throw new Error(`Cannot create interface "${this.name}": the kernel supports neither dummy nor bridge interfaces`);
    }
    await this.ip(['link', 'set', this.name, 'up']);
    this.addresses = new Set(await this.current());
    this.log.v(1).info('cluster IP interface ready', { name: this.name, type: this.type, addresses: this.addresses.size });
  }

  /** The addresses on the interface, as the kernel reports them. */
  async current(): Promise<string[]> {
    const { stdout } = await this.ip(['-o', '-4', 'addr', 'show', 'dev', this.name]);
    return parseAddrShow(stdout);
  }

  /** Adds each of ips as /32 (one already there is fine). */
  async add(ips: readonly string[]): Promise<void> {
    for (const ip of ips) {
      try {
        await this.ip(['addr', 'add', `${ip}/32`, 'dev', this.name]);
      } catch (err) {
        if (!/File exists/i.test(stderrOf(err))) throw err;
      }
      this.addresses.add(ip);
      this.log.v(2).info('bound cluster IP', { ip, dev: this.name });
    }
  }

  /** Removes each of ips (one already gone is fine). */
  async remove(ips: readonly string[]): Promise<void> {
    for (const ip of ips) {
      try {
        await this.ip(['addr', 'del', `${ip}/32`, 'dev', this.name]);
      } catch (err) {
        if (!/Cannot assign requested address|not found/i.test(stderrOf(err))) throw err;
      }
      this.addresses.delete(ip);
      this.log.v(2).info('unbound cluster IP', { ip, dev: this.name });
    }
  }

  /** The change from the known addresses to desired: add these first, remove those after. */
  plan(desired: readonly string[]): { add: string[]; remove: string[] } {
    return planAddresses([...this.addresses], desired);
  }

  /** Deletes the interface and with it every address on it. */
  async delete(): Promise<void> {
    try {
      await this.ip(['link', 'del', this.name]);
    } catch (err) {
      if (!/Cannot find device|does not exist/i.test(stderrOf(err))) throw err;
    }
    this.addresses.clear();
  }

  /** Returns the type created, 'existing' when it was there already, undefined when the kernel lacks the type. */
  private async create(type: 'dummy' | 'bridge'): Promise<'dummy' | 'bridge' | 'existing' | undefined> {
    try {
      await this.ip(['link', 'add', this.name, 'type', type]);
      return type;
    } catch (err) {
      const stderr = stderrOf(err);
      if (/File exists/i.test(stderr)) return 'existing';
      if (/Unknown device type|not supported/i.test(stderr)) return undefined;
      throw new Error(`Cannot create the cluster IP interface "${this.name}" (it needs root): ${(err as Error).message}`, { cause: err });
    }
  }

  private ip(args: string[]) {
    return this.exec('ip', args);
  }
}
