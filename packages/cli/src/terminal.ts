import type { CliOutput } from './io.js';

/**
 * What may be written to an output stream besides plain text.
 *
 * @example
 * ```ts
 * const plain: TerminalCapabilities = { color: false, cursor: false };
 * ```
 */
export interface TerminalCapabilities {
  /** Colour codes (ANSI SGR, `\x1b[…m`) may be written. */
  readonly color: boolean;
  /** Cursor movement and erase codes may be written, so a line can be redrawn in place. */
  readonly cursor: boolean;
}

/**
 * Decides what a stream can show from its `isTTY` and the environment:
 *
 * - colour: never when `NO_COLOR` is set to anything non-empty; always when `FORCE_COLOR` is set
 *   to anything non-empty other than `0` or `false`; otherwise only on a terminal whose `TERM` is
 *   not `dumb`;
 * - cursor codes: only on a terminal whose `TERM` is not `dumb` (a redrawn bar in a log file or a
 *   pipe would be noise, and `FORCE_COLOR` does not change that).
 *
 * @param stream - the stream to be written to
 * @param env - the environment (default: the process's)
 * @example
 * ```ts
 * terminalCapabilities({ write: () => true, isTTY: true }, { TERM: 'xterm-256color' }); // { color: true, cursor: true }
 * terminalCapabilities({ write: () => true, isTTY: true }, { NO_COLOR: '1' }); // { color: false, cursor: true }
 * terminalCapabilities({ write: () => true }, { FORCE_COLOR: '1' }); // { color: true, cursor: false }
 * ```
 */
export function terminalCapabilities(stream: Pick<CliOutput, 'isTTY'>, env: Readonly<Record<string, string | undefined>> = process.env): TerminalCapabilities {
  const terminal = stream.isTTY === true && env.TERM !== 'dumb';
  const force = env.FORCE_COLOR;
  const color = isSet(env.NO_COLOR) ? false : isSet(force) && force !== '0' && force !== 'false' ? true : terminal;
  return { color, cursor: terminal };
}

function isSet(value: string | undefined): value is string {
  return value !== undefined && value !== '';
}
