// The real-store zoo's correct Keyv store: a real Keyv instance over a Map-like storage adapter,
// built from parts a zoo member replaces one at a time: how the adapter expires what Keyv hands it
// with a TTL, how it answers a missing key, what its disconnect releases, and the Keyv options.
// Given a `url` option the adapter is a network store: every call first reaches the server there
// (a TCP connect), and fails as a client does when nothing answers.
import { EventEmitter } from 'node:events';
import net from 'node:net';
import Keyv, { type KeyvOptions } from 'keyv';
import type { KeyvModule, OpenContext } from '../../backends/contract.js';
import { withTimeout } from '../../backends/timeout.js';

const CONNECT_TIMEOUT_MS = 1000;
/** A ref'd interval, so disconnect must clear it; far longer than a scenario. */
const SWEEP_EVERY_MS = 60_000;

/** Resolves once a TCP connection to `url` opens (and closes it); rejects as a client would. */
async function reach(url: URL): Promise<void> {
  const socket = net.connect(Number(url.port), url.hostname);
  try {
    await withTimeout(
      new Promise<void>((resolve, reject) => {
        socket.once('connect', () => resolve());
        socket.once('error', reject);
      }),
      CONNECT_TIMEOUT_MS,
      `no connection to ${url.host} within ${CONNECT_TIMEOUT_MS} ms`,
    );
  } finally {
    socket.destroy();
  }
}

export class ZooKeyvAdapter extends EventEmitter {
  readonly opts: Record<string, unknown> = {};
  namespace?: string;
  protected readonly map = new Map<string, unknown>();
  protected readonly sweeper: NodeJS.Timeout = setInterval(() => this.sweep(), SWEEP_EVERY_MS);

  constructor(private readonly server?: URL) {
    super();
  }

  /** Keyv keeps the expiry inside the value and checks it on get; this adapter adds no expiry of its own. */
  protected expireNatively(_key: string, _ttl: number | undefined): void {}

  /** How get answers a key it does not hold. */
  protected missing(): Promise<unknown> {
    return Promise.resolve(undefined);
  }

  protected sweep(): void {}

  private async connected(): Promise<void> {
    if (this.server !== undefined) await reach(this.server);
  }

  async get(key: string): Promise<unknown> {
    await this.connected();
    return this.map.has(key) ? this.map.get(key) : this.missing();
  }

  async set(key: string, value: unknown, ttl?: number): Promise<boolean> {
    await this.connected();
    this.map.set(key, value);
    this.expireNatively(key, ttl);
    return true;
  }

  async delete(key: string): Promise<boolean> {
    await this.connected();
    return this.map.delete(key);
  }

  async clear(): Promise<void> {
    await this.connected();
    this.map.clear();
  }

  async disconnect(): Promise<void> {
    clearInterval(this.sweeper);
  }
}

/** Keyv's expiry check is Date.now() > expires on every get: only timer turns separate it from the TTL. */
const ZOO_TOLERANCE_MS = 25;

export function keyvStoreModule(
  name: string,
  description: string,
  Adapter: new (server?: URL) => ZooKeyvAdapter,
  /** Keyv's own throwOnErrors default is false: a store error then reads as a miss. */
  keyvOptions: Omit<KeyvOptions, 'store'> = { throwOnErrors: true },
): KeyvModule {
  return {
    name,
    kind: 'keyv',
    description,
    capabilities: { persistent: false, shared: false, expiryToleranceMs: ZOO_TOLERANCE_MS },
    async open(context: OpenContext) {
      const url = context.options?.url;
      return new Keyv({ ...keyvOptions, store: new Adapter(typeof url === 'string' ? new URL(url) : undefined) });
    },
    close: async (keyv) => (keyv as Keyv).disconnect(),
    unreachableOptions: (port) => ({ url: `tcp://127.0.0.1:${port}` }),
  };
}

export default keyvStoreModule('zoo-keyv-store', 'the correct base of the Keyv zoo', ZooKeyvAdapter);
