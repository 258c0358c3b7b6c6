// What a run must undo however it ends (a provisioned Redis, temp dirs): run in reverse order
// at the end, or on SIGINT/SIGTERM before exiting, so Ctrl-C leaves no server behind.

type Step = () => Promise<void> | void;

const SIGNAL_EXIT: Record<'SIGINT' | 'SIGTERM', number> = { SIGINT: 130, SIGTERM: 143 };

export class Teardown {
  #steps: Step[] = [];
  #running: Promise<void> | undefined;
  #handlers: [NodeJS.Signals, () => void][] = [];

  add(step: Step): void {
    this.#steps.push(step);
  }

  /** Runs every step once, last added first; a failing step doesn't stop the others. */
  run(): Promise<void> {
    this.#running ??= (async () => {
      for (const step of this.#steps.reverse()) {
        try {
          await step();
        } catch (err) {
          process.stderr.write(`sessionbench: cleanup failed: ${(err as Error).message}\n`);
        }
      }
      this.#steps = [];
      for (const [signal, handler] of this.#handlers) process.off(signal, handler);
    })();
    return this.#running;
  }

  /** On SIGINT/SIGTERM: tear down, then exit 130/143. A second signal exits at once. */
  onSignals(notice: (text: string) => void): void {
    for (const signal of Object.keys(SIGNAL_EXIT) as (keyof typeof SIGNAL_EXIT)[]) {
      const handler = (): void => {
        if (this.#running !== undefined) process.exit(SIGNAL_EXIT[signal]);
        notice(`${signal}: stopping and cleaning up`);
        void this.run().finally(() => process.exit(SIGNAL_EXIT[signal]));
      };
      this.#handlers.push([signal, handler]);
      process.on(signal, handler);
    }
  }
}
