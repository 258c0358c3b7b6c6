// Progress while a benchmark runs: on a terminal one line rewritten in place (\r), elsewhere
// (CI logs, pipes, an onProgress callback) one plain line per finished measurement.
export interface Progress {
  /** A measurement is starting (shown on a terminal only). */
  start(label: string): void;
  /** A measurement finished, or something worth a line of its own. */
  line(text: string): void;
  /** Something that must stay visible (on a terminal too). */
  note(text: string): void;
  /** Clears the rewritten line. */
  done(): void;
}

export function createProgress(
  onProgress?: (line: string) => void,
  stream: NodeJS.WriteStream = process.stderr,
): Progress {
  const began = Date.now();
  const stamp = (text: string): string => `[${((Date.now() - began) / 1000).toFixed(1)}s] ${text}`;
  // A callback gets plain lines: its owner decides how to show them.
  if (onProgress !== undefined) return { start: () => {}, line: onProgress, note: onProgress, done: () => {} };
  if (!stream.isTTY) {
    const line = (text: string): void => void stream.write(`${stamp(text)}\n`);
    return { start: () => {}, line, note: line, done: () => {} };
  }
  const width = (): number => Math.max(20, (stream.columns ?? 100) - 1);
  const rewrite = (text: string): void => void stream.write(`\r\x1b[K${stamp(text).slice(0, width())}`);
  return {
    start: (label) => rewrite(`${label} …`),
    line: rewrite,
    note: (text) => void stream.write(`\r\x1b[K${stamp(text)}\n`),
    done: () => void stream.write('\r\x1b[K'),
  };
}
