// A private network of Linux network namespaces for the partition scenario: one namespace per
// member (a cluster node, a client process), `sb-<run>-<n>`, each with a veth pair whose other end
// is a port of a bridge in the root namespace. The bridge is in the root namespace because the
// harness itself runs there and must reach the cluster (create it, watch CLUSTER NODES, read the
// final state); it holds the run's /24 of 10.213.0.0/16 and has no other port, the namespaces have
// no default route, so no packet reaches any other address. A partition moves the bridge ports of
// the isolated members to a second, address-less bridge: the two sides keep their links up and
// each side still talks within itself, but no frame crosses, in either direction; healing moves
// them back. Everything made is deleted by teardown(), and by an exit / signal hook if the
// process ends first; a namespace this run did not make is never touched.
import { execFile, execFileSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { promisify } from 'node:util';
import { withTimeout } from '../timeout.js';
import { onProcessEnd } from './exit-hooks.js';

const run = promisify(execFile);
const COMMAND_TIMEOUT_MS = 5000;

export interface NetnsMember {
  /** The namespace's name. */
  ns: string;
  /** Its address on the run's network. */
  address: string;
  /** The command prefix that runs a program inside it. */
  exec: string[];
}

export interface PrivateNetwork {
  runId: string;
  members: NetnsMember[];
  /** Cuts `isolated` off from every other member (and from the root namespace); heal() joins them again. */
  partition(isolated: readonly NetnsMember[]): Promise<void>;
  heal(): Promise<void>;
  /** Deletes every namespace and bridge this network made; safe to call twice. */
  teardown(): Promise<void>;
}

/** One `ip` command, bounded (the child is killed at the same bound). */
async function ip(...args: string[]): Promise<string> {
  const message = `ip ${args.join(' ')}: no answer within ${COMMAND_TIMEOUT_MS} ms`;
  try {
    const { stdout } = await withTimeout(run('ip', args, { timeout: COMMAND_TIMEOUT_MS }), COMMAND_TIMEOUT_MS, message);
    return stdout;
  } catch (err) {
    const stderr = (err as { stderr?: string }).stderr?.trim();
    throw new Error(`ip ${args.join(' ')} failed: ${stderr || (err as Error).message}`, { cause: err });
  }
}

/** The namespace names `ip netns list` shows. */
export async function listNamespaces(): Promise<string[]> {
  return (await ip('netns', 'list'))
    .split('\n')
    .map((line) => line.split(' ')[0]!)
    .filter((name) => name !== '');
}

/** Why namespaces can't be made here, or undefined when they can (root and `ip` present). */
export async function netnsUnavailable(): Promise<string | undefined> {
  if (process.platform !== 'linux') return `network namespaces need Linux (this is ${process.platform})`;
  if (process.getuid?.() !== 0) return 'network namespaces need root (not running as root)';
  try {
    await ip('-V');
  } catch (err) {
    return (err as { cause?: NodeJS.ErrnoException }).cause?.code === 'ENOENT'
      ? 'network namespaces need iproute2 (no `ip` on PATH)'
      : (err as Error).message;
  }
  return undefined;
}

/** A /24 in 10.213.0.0/16 the root namespace has no route for yet (another run may hold one). */
async function freeSubnet(): Promise<string> {
  const routes = await ip('-4', 'route', 'show', 'table', 'all');
  for (let attempt = 0; attempt < 32; attempt++) {
    const subnet = `10.213.${randomBytes(1)[0]!}`;
    if (!routes.includes(`${subnet}.`)) return subnet;
  }
  throw new Error('no free /24 in 10.213.0.0/16');
}

/**
 * `count` namespaces on one bridge, or { skipped } with the reason when namespaces can't be made
 * here (not root, no `ip`, `ip netns add` refused). Any other failure throws, after teardown.
 */
export async function createPrivateNetwork(count: number): Promise<PrivateNetwork | { skipped: string }> {
  const unavailable = await netnsUnavailable();
  if (unavailable !== undefined) return { skipped: unavailable };
  // Interface names are at most 15 characters: sb + 5 + suffix.
  const runId = randomBytes(4).readUInt32BE().toString(36).slice(-5).padStart(5, '0');
  const bridge = `sb${runId}br`;
  const cut = `sb${runId}cut`;
  const port = (n: number): string => `sb${runId}v${n}`;
  const namespaces: string[] = [];
  const bridges: string[] = [];
  // Deleting a namespace deletes its veth end, and with it the peer on the bridge.
  const removeSync = (): void => {
    const del = (args: string[]): void => {
      try {
        execFileSync('ip', args, { timeout: COMMAND_TIMEOUT_MS, stdio: 'ignore' });
      } catch {
        // the next one still goes
      }
    };
    for (const name of bridges) del(['link', 'del', name]);
    for (const ns of namespaces) del(['netns', 'del', ns]);
  };
  const unhook = onProcessEnd(removeSync);
  let tornDown: Promise<void> | undefined;
  const teardown = (): Promise<void> =>
    (tornDown ??= (async () => {
      unhook();
      const failures: string[] = [];
      for (const name of bridges.splice(0)) await ip('link', 'del', name).catch((e: Error) => failures.push(e.message));
      for (const ns of namespaces.splice(0)) await ip('netns', 'del', ns).catch((e: Error) => failures.push(e.message));
      if (failures.length > 0) throw new Error(`network teardown: ${failures.join('; ')}`);
    })());
  try {
    const first = `sb-${runId}-0`;
    try {
      await ip('netns', 'add', first);
    } catch (err) {
      return { skipped: `cannot create a network namespace: ${(err as Error).message}` };
    }
    namespaces.push(first);
    const subnet = await freeSubnet();
    for (const name of [bridge, cut]) {
      await ip('link', 'add', name, 'type', 'bridge');
      bridges.push(name);
      await ip('link', 'set', name, 'up');
    }
    await ip('addr', 'add', `${subnet}.1/24`, 'dev', bridge);
    const members: NetnsMember[] = [];
    for (let n = 0; n < count; n++) {
      const ns = `sb-${runId}-${n}`;
      if (n > 0) {
        await ip('netns', 'add', ns);
        namespaces.push(ns);
      }
      const address = `${subnet}.${n + 2}`;
      await ip('link', 'add', port(n), 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns);
      await ip('link', 'set', port(n), 'master', bridge, 'up');
      await ip('-n', ns, 'addr', 'add', `${address}/24`, 'dev', 'eth0');
      await ip('-n', ns, 'link', 'set', 'eth0', 'up');
      await ip('-n', ns, 'link', 'set', 'lo', 'up');
      members.push({ ns, address, exec: ['ip', 'netns', 'exec', ns] });
    }
    const attach = async (chosen: readonly NetnsMember[], to: string): Promise<void> => {
      for (const member of chosen) await ip('link', 'set', port(members.indexOf(member)), 'master', to);
    };
    return {
      runId,
      members,
      partition: (isolated) => attach(isolated, cut),
      heal: () => attach(members, bridge),
      teardown,
    };
  } catch (err) {
    await teardown().catch(() => {});
    throw err;
  }
}
