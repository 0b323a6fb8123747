/**
 * Leveled logging for daemons. Level 0 is for the user (what happened), higher levels are debug
 * detail, as kind and Kubernetes use -v. Lines are "<time> <component> <message> key=value ...".
 */
import type { Clock } from './clock.js';
import { systemClock } from './clock.js';

export interface Logger {
  /** Logs at level (0 = always). */
  v(level: number): { info(msg: string, kv?: Record<string, unknown>): void };
  info(msg: string, kv?: Record<string, unknown>): void;
  error(msg: string, err?: unknown, kv?: Record<string, unknown>): void;
  child(component: string): Logger;
}

export interface LoggerOptions {
  component: string;
  /** Highest level printed (default 0, or LAB_VERBOSITY). */
  verbosity?: number;
  write?: (line: string) => void;
  clock?: Clock;
}

function fmt(kv?: Record<string, unknown>): string {
  if (!kv) return '';
  return Object.entries(kv)
    .map(([k, v]) => ` ${k}=${typeof v === 'string' && !/\s/.test(v) ? v : JSON.stringify(v)}`)
    .join('');
}

export function createLogger(o: LoggerOptions): Logger {
  const verbosity = o.verbosity ?? Number(process.env.LAB_VERBOSITY ?? 0);
  const write = o.write ?? ((line: string) => process.stderr.write(line + '\n'));
  const clock = o.clock ?? systemClock;
  const emit = (msg: string, kv?: Record<string, unknown>) => write(`${new Date(clock.now()).toISOString()} ${o.component} ${msg}${fmt(kv)}`);
  const silent = { info() {} };
  const logger: Logger = {
    v: (level) => (level <= verbosity ? { info: emit } : silent),
    info: emit,
    error(msg, err, kv) {
      const detail = err instanceof Error ? (err.stack ?? err.message) : err === undefined ? '' : String(err);
      emit(`ERROR ${msg}`, { ...kv, ...(detail ? { err: detail } : {}) });
    },
    child: (component) => createLogger({ ...o, component: `${o.component}/${component}` }),
  };
  return logger;
}

/** A logger that drops everything, for tests and library use. */
export const nullLogger: Logger = {
  v: () => ({ info() {} }),
  info() {},
  error() {},
  child: () => nullLogger,
};
