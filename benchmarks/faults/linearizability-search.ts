// Is one id's history linearizable? The Wing–Gong search as Lowe made it practical (and Porcupine
// and Knossos run it): walk the invocations and completions in time order; at an invocation, try to
// take the operation's effect now (the model must accept it), and restart from the first entry left;
// at a completion whose operation was not yet taken, backtrack. A cache of (operations taken,
// model state) prunes every configuration already explored: two orders that reach the same state
// with the same operations taken have the same futures. Ambiguous operations complete at +∞, so
// they may take effect at any time after their invocation, or (the model's identity step) never.
import { isRelevant, type ModelState, step } from './history-model.js';
import type { HistoryEvent } from './history.js';

export type SearchVerdict = 'ok' | 'anomaly' | 'unknown';

export interface SearchBudget {
  /** Wall-clock bound of one search, checked every 1024 steps. */
  deadline: number;
  /** Bound on steps (entries visited), which makes "unknown" reproducible for a given history. */
  maxSteps: number;
}

export interface SearchResult {
  verdict: SearchVerdict;
  steps: number;
}

interface Entry {
  op: number;
  time: number;
  call: boolean;
  /** A call's completion entry. */
  match: Entry | undefined;
  prev: Entry | undefined;
  next: Entry | undefined;
}

/** The doubly linked list of entries in time order; calls before completions at equal times (the lenient order). */
function entries(events: readonly HistoryEvent[]): Entry {
  const list: Entry[] = [];
  events.forEach((event, op) => {
    const done: Entry = {
      op,
      time: event.completedAt ?? Infinity,
      call: false,
      match: undefined,
      prev: undefined,
      next: undefined,
    };
    // A completion the model must respect only when the result is known; others may land at the end.
    if (event.outcome.type === 'info') done.time = Infinity;
    list.push({ op, time: event.invokedAt, call: true, match: done, prev: undefined, next: undefined }, done);
  });
  list.sort((a, b) => a.time - b.time || Number(b.call) - Number(a.call));
  const head: Entry = { op: -1, time: -Infinity, call: false, match: undefined, prev: undefined, next: undefined };
  let last = head;
  for (const entry of list) {
    last.next = entry;
    entry.prev = last;
    last = entry;
  }
  return head;
}

function lift(entry: Entry): void {
  entry.prev!.next = entry.next;
  if (entry.next) entry.next.prev = entry.prev;
  const match = entry.match!;
  match.prev!.next = match.next;
  if (match.next) match.next.prev = match.prev;
}

function unlift(entry: Entry): void {
  const match = entry.match!;
  match.prev!.next = match;
  if (match.next) match.next.prev = match;
  entry.prev!.next = entry;
  if (entry.next) entry.next.prev = entry;
}

/** Model states by content, as small numbers, for the cache key. */
class States {
  readonly #ids = new Map<string, number>();

  id(state: ModelState): number {
    const key = state === undefined ? '' : canonical(state);
    let id = this.#ids.get(key);
    if (id === undefined) this.#ids.set(key, (id = this.#ids.size));
    return id;
  }
}

/** JSON with sorted keys: equal sessions (key order aside) give equal text. */
function canonical(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  const record = value as Record<string, unknown>;
  return `{${Object.keys(record)
    .sort()
    .map((key) => `${JSON.stringify(key)}:${canonical(record[key])}`)
    .join(',')}}`;
}

/** The set of operations taken, with its text as a cache key. */
class Taken {
  readonly #words: Uint16Array;

  constructor(size: number) {
    this.#words = new Uint16Array(Math.ceil(size / 16));
  }

  flip(op: number): void {
    this.#words[op >> 4]! ^= 1 << (op & 15);
  }

  key(): string {
    let text = '';
    for (const word of this.#words) text += String.fromCharCode(word);
    return text;
  }
}

interface Frame {
  entry: Entry;
  state: ModelState;
  /** Which of the model's possible next states was taken. */
  choice: number;
}

/** One id's events (all on that id), from an initial state: nothing stored unless given. */
export function searchLinearization(
  events: readonly HistoryEvent[],
  budget: SearchBudget,
  initial: ModelState = undefined,
): SearchResult {
  const ops = events.filter(isRelevant);
  const head = entries(ops);
  const states = new States();
  const taken = new Taken(ops.length);
  const seen = new Set<string>();
  const stack: Frame[] = [];
  let state = initial;
  let entry = head.next;
  let choice = 0;
  let steps = 0;
  while (head.next !== undefined) {
    steps++;
    if (steps > budget.maxSteps || ((steps & 1023) === 0 && Date.now() > budget.deadline))
      return { verdict: 'unknown', steps };
    const current = entry!;
    if (current.call) {
      const nexts = step(state, ops[current.op]!);
      let moved = false;
      for (let c = choice; c < nexts.length && !moved; c++) {
        taken.flip(current.op);
        const key = `${taken.key()}|${states.id(nexts[c])}`;
        if (seen.has(key)) {
          taken.flip(current.op);
          continue;
        }
        seen.add(key);
        stack.push({ entry: current, state, choice: c });
        state = nexts[c];
        lift(current);
        moved = true;
      }
      choice = 0;
      entry = moved ? head.next : current.next;
    } else {
      // A completion reached before its operation was taken: undo the last choice.
      const frame = stack.pop();
      if (frame === undefined) return { verdict: 'anomaly', steps };
      unlift(frame.entry);
      taken.flip(frame.entry.op);
      state = frame.state;
      entry = frame.entry;
      choice = frame.choice + 1;
    }
  }
  return { verdict: 'ok', steps };
}
