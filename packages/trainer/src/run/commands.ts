import { GradstreamError } from '@gradstream/tensor';

/**
 * A command for a live run, as an object: sent through the `control` option, or emitted by a
 * policy. Commands are plain data, so they travel over `postMessage` and JSON unchanged.
 *
 * | command | effect |
 * | --- | --- |
 * | `{ type: 'pause' }` | pauses before the next batch |
 * | `{ type: 'resume' }` | resumes a paused run |
 * | `{ type: 'step', count? }` | while paused: trains `count` (a positive integer, default 1) more batches, then pauses again |
 * | `{ type: 'stop', reason? }` | ends the run before the next update (`end` with reason `stopped` and `message: reason`) |
 * | `{ type: 'setLr', lr }` | the learning rate (finite, ≥ 0) of every following step |
 * | `{ type: 'setRegularization', l1?, l2? }` | the rates (finite, ≥ 0) of the weight penalty of every following step (see `FitOptions.regularization`); an omitted rate keeps its value |
 * | `{ type: 'keepParams' }` | keeps a copy of the parameters as they are now (one slot, replaced by the next `keepParams`) |
 * | `{ type: 'earlyStop', monitor, bestEpoch, best, restore? }` | ends the run (`early-stop`); with `restore`, the kept parameters are written back first |
 * | `{ type: 'diverge', where, node? }` | ends the run as diverged at the current step (`where` says what crossed) |
 * | `{ type: 'checkpoint', tag?, meta? }` | emits a `checkpoint` event: the model, the optimizer state, step and epoch, and where the run stands (to resume it); asked during a `batch` event, it is taken after that batch's update |
 * | `{ type: 'saveState', state }` | from a policy: the JSON state it needs to go on exactly after a resume; checkpoints keep the latest, and the resumed run hands it back (see {@link PolicyContext}) |
 *
 * Commands take effect at the next boundary of the run: after the event being handled has reached
 * every subscriber, before the next update. A command that is not one of these, or whose values
 * are out of range, ends the run with an `INVALID_COMMAND` error.
 *
 * @example
 * ```ts
 * import type { CommandObject } from '@gradstream/trainer';
 * const slower: CommandObject = { type: 'setLr', lr: 0.001 };
 * ```
 */
export type CommandObject =
  | { readonly type: 'pause' }
  | { readonly type: 'resume' }
  | { readonly type: 'step'; readonly count?: number }
  | { readonly type: 'stop'; readonly reason?: string }
  | { readonly type: 'setLr'; readonly lr: number }
  | { readonly type: 'setRegularization'; readonly l1?: number; readonly l2?: number }
  | { readonly type: 'keepParams' }
  | { readonly type: 'earlyStop'; readonly monitor: string; readonly bestEpoch: number; readonly best: number; readonly restore?: boolean }
  | { readonly type: 'diverge'; readonly where: string; readonly node?: string }
  | { readonly type: 'checkpoint'; readonly tag?: string; readonly meta?: Readonly<Record<string, unknown>> }
  | { readonly type: 'saveState'; readonly state: unknown };

/**
 * A command for a live run: one of the {@link CommandObject}s, or the name of one that needs no
 * values (`'pause'`, `'resume'`, `'step'`, `'stop'`, `'keepParams'`, `'checkpoint'`).
 *
 * @see {@link "Training as a stream" | Training as a stream} (the guide: every command, its effect and when it is invalid).
 *
 * @example
 * ```ts
 * import { Subject } from 'rxjs';
 * import type { TrainCommand } from '@gradstream/trainer';
 * const control = new Subject<TrainCommand>();
 * control.next('pause');
 * control.next({ type: 'step', count: 3 });
 * control.next({ type: 'stop', reason: 'user pressed stop' });
 * ```
 */
export type TrainCommand = 'pause' | 'resume' | 'step' | 'stop' | 'keepParams' | 'checkpoint' | CommandObject;

const SHORT = new Set(['pause', 'resume', 'step', 'stop', 'keepParams', 'checkpoint']);

const EXPECTED =
  "'pause', 'resume', 'step', 'stop', 'keepParams', 'checkpoint', or an object { type } of one of those or of " +
  "'setLr' (lr), 'setRegularization' (l1?, l2?), 'earlyStop' (monitor, bestEpoch, best, restore?), 'diverge' (where, node?), 'saveState' (state)";

const NON_FINITE = '\u2063number:';
const NON_FINITE_QUOTED = /"\u2063number:(-?\w+)"/g;

/** A command as people read it: JSON, but NaN and ±Infinity spelt out. */
export function describeCommand(c: unknown): string {
  if (c === undefined) return 'undefined';
  try {
    // JSON has no NaN or Infinity: mark them as strings, then take the quotes off again.
    const json = JSON.stringify(c, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? `${NON_FINITE}${v}` : v));
    return json === undefined ? safeString(c) : json.replace(NON_FINITE_QUOTED, '$1');
  } catch {
    return safeString(c);
  }
}

/** String(c), or `[object Object]` and the like for values String cannot convert (a null-prototype object). */
function safeString(c: unknown): string {
  try {
    return String(c);
  } catch {
    return Object.prototype.toString.call(c);
  }
}

function invalid(c: unknown, what: string): GradstreamError {
  return new GradstreamError('INVALID_COMMAND', `command ${describeCommand(c)}: ${what}`, { command: describeCommand(c) });
}

function isRecord(v: unknown): v is Readonly<Record<string, unknown>> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Checks a field: present when required, of the type `check` accepts. */
function field(c: Readonly<Record<string, unknown>>, name: string, required: boolean, expected: string, check: (v: unknown) => boolean): void {
  const v = c[name];
  if (v === undefined) {
    if (required) throw invalid(c, `${c.type}.${name} is required (${expected})`);
    return;
  }
  if (!check(v)) throw invalid(c, `${c.type}.${name} must be ${expected}, got ${describeCommand(v)}`);
}

const isString = (v: unknown): boolean => typeof v === 'string';

/** Plain JSON that survives a round trip through a checkpoint unchanged (depth-limited: a state is small). */
function isJson(v: unknown, depth = 0): boolean {
  if (depth > 64) return false;
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) return v.every((item) => isJson(item, depth + 1));
  if (typeof v !== 'object') return false;
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return false;
  return Object.values(v).every((item) => isJson(item, depth + 1));
}
const isFinite = (v: unknown): boolean => typeof v === 'number' && Number.isFinite(v);
const isCount = (v: unknown): boolean => typeof v === 'number' && Number.isInteger(v) && v >= 1;
const isRate = (v: unknown): boolean => isFinite(v) && (v as number) >= 0;

/**
 * Checks a command and returns it in object form; anything else is an `INVALID_COMMAND` error
 * naming the command and what was expected.
 */
export function checkCommand(c: unknown): CommandObject {
  if (typeof c === 'string') {
    if (!SHORT.has(c)) throw invalid(c, `unknown command; expected ${EXPECTED}`);
    return { type: c } as CommandObject;
  }
  if (!isRecord(c) || typeof c.type !== 'string') throw invalid(c, `not a command; expected ${EXPECTED}`);
  switch (c.type) {
    case 'pause':
    case 'resume':
    case 'keepParams':
      break;
    case 'step':
      field(c, 'count', false, 'a positive integer', isCount);
      break;
    case 'stop':
      field(c, 'reason', false, 'a string', isString);
      break;
    case 'setLr':
      field(c, 'lr', true, 'a finite number ≥ 0', isRate);
      break;
    case 'setRegularization':
      field(c, 'l1', false, 'a finite number ≥ 0', isRate);
      field(c, 'l2', false, 'a finite number ≥ 0', isRate);
      break;
    case 'earlyStop':
      field(c, 'monitor', true, 'a string', isString);
      field(c, 'bestEpoch', true, 'an integer ≥ 0', (v) => typeof v === 'number' && Number.isInteger(v) && v >= 0);
      field(c, 'best', true, 'a number', (v) => typeof v === 'number');
      field(c, 'restore', false, 'a boolean', (v) => typeof v === 'boolean');
      break;
    case 'diverge':
      field(c, 'where', true, 'a string', isString);
      field(c, 'node', false, 'a string', isString);
      break;
    case 'checkpoint':
      field(c, 'tag', false, 'a string', isString);
      field(c, 'meta', false, 'an object', isRecord);
      break;
    case 'saveState':
      // Checked now, not when a checkpoint is taken: the policy that sent it is the one to name.
      field(c, 'state', true, 'a JSON value (finite numbers, strings, booleans, null, arrays, plain objects)', isJson);
      break;
    default:
      throw invalid(c, `unknown command type "${c.type}"; expected ${EXPECTED}`);
  }
  return c as CommandObject;
}
