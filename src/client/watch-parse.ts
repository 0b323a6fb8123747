/**
 * Incremental parsing of a watch stream: JSON documents separated by newlines, arriving in
 * chunks that split lines, and even UTF-8 characters, anywhere. Each complete line is decoded as
 * soon as its newline arrives, so an event is delivered without waiting for the next one.
 */
import { StringDecoder } from 'node:string_decoder';
import type { KObject, WatchEvent } from '../api/types.js';

const EVENT_TYPES = new Set(['ADDED', 'MODIFIED', 'DELETED', 'BOOKMARK', 'ERROR']);

/** Splits a byte stream into JSON values, one per line; blank lines are skipped. */
export class JsonLinesDecoder {
  private readonly utf8 = new StringDecoder('utf8');
  private buffered = '';

  /** Feeds a chunk; returns the values whose lines it completed, in order. Throws on malformed JSON. */
  push(chunk: Buffer | string): unknown[] {
    const text = typeof chunk === 'string' ? chunk : this.utf8.write(chunk);
    const out: unknown[] = [];
    // Only the new text can hold a newline: the buffered part was searched already.
    let nl = text.indexOf('\n');
    if (nl < 0) {
      this.buffered += text;
      return out;
    }
    let line = this.buffered + text.slice(0, nl);
    for (;;) {
      decodeLine(line, out);
      const start = nl + 1;
      nl = text.indexOf('\n', start);
      if (nl < 0) {
        this.buffered = text.slice(start);
        return out;
      }
      line = text.slice(start, nl);
    }
  }

  /** Ends the stream: returns the last value when the stream did not end with a newline. */
  end(): unknown[] {
    const rest = this.buffered + this.utf8.end();
    this.buffered = '';
    const out: unknown[] = [];
    decodeLine(rest, out);
    return out;
  }
}

function decodeLine(line: string, out: unknown[]): void {
  if (line.trim() === '') return;
  try {
    out.push(JSON.parse(line));
  } catch (err) {
    const shown = line.length > 120 ? `${line.slice(0, 120)}...` : line;
    throw new Error(`malformed JSON in watch stream: ${(err as Error).message}: ${JSON.stringify(shown)}`, { cause: err });
  }
}

/** Checks that a decoded value has the shape of a watch event; throws an Error naming what is wrong. */
export function toWatchEvent<T = KObject>(v: unknown): WatchEvent<T> {
  if (typeof v !== 'object' || v === null) throw new Error(`watch stream sent ${JSON.stringify(v)}, not an event object`);
  const { type, object } = v as { type?: unknown; object?: unknown };
  if (typeof type !== 'string' || !EVENT_TYPES.has(type)) throw new Error(`watch stream sent an event of unknown type ${JSON.stringify(type)}`);
  if (typeof object !== 'object' || object === null) throw new Error(`watch stream sent a ${type} event without an object`);
  return v as WatchEvent<T>;
}

/** Decodes a watch stream chunk by chunk into typed events. */
export class WatchEventDecoder<T = KObject> {
  private readonly lines = new JsonLinesDecoder();

  /** Events completed by this chunk. */
  push(chunk: Buffer | string): WatchEvent<T>[] {
    return this.lines.push(chunk).map((v) => toWatchEvent<T>(v));
  }

  /** Events left when the stream ends (a last line without a newline). */
  end(): WatchEvent<T>[] {
    return this.lines.end().map((v) => toWatchEvent<T>(v));
  }
}
