// Runs the real CLI in a child process, as a user or CI would: `node --import tsx scripts/cli.ts`.
import { type ChildProcess, spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunningCli {
  child: ChildProcess;
  /** Resolves once stderr matches (rejects if the process ends first). */
  waitForStderr(pattern: RegExp): Promise<void>;
  done: Promise<CliResult>;
}

/** `env` is merged over this process's environment; a test's run never writes to a real job summary. */
export function startCli(args: string[], env: Record<string, string> = {}): RunningCli {
  const childEnv: NodeJS.ProcessEnv = { ...process.env, ...env };
  if (env.GITHUB_STEP_SUMMARY === undefined) delete childEnv.GITHUB_STEP_SUMMARY;
  const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/cli.ts', ...args], {
    cwd: ROOT,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (d: string) => (stdout += d));
  child.stderr!.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
  const waitForStderr = (pattern: RegExp): Promise<void> =>
    new Promise((resolve, reject) => {
      const check = (): void => {
        if (!pattern.test(stderr)) return;
        child.stderr!.off('data', check);
        resolve();
      };
      child.stderr!.on('data', check);
      void done.then(() => reject(new Error(`exited before stderr matched ${pattern}:\n${stderr}`)));
      check();
    });
  return { child, waitForStderr, done };
}

export function runCli(args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return startCli(args, env).done;
}
