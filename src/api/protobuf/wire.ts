/**
 * Wire primitives over protobufjs' low-level Reader. One reader spans the whole request body, so
 * every offset in an error message is an offset into the body as sent, and nested messages are
 * read in place up to their end rather than copied into sub-readers.
 */
import protobuf from 'protobufjs/minimal.js';
import { ProtobufError } from './errors.js';

/** Protobuf wire types (encoding.proto "Encoding" section). */
export const WIRE = { VARINT: 0, I64: 1, LEN: 2, SGROUP: 3, EGROUP: 4, I32: 5 } as const;

const WIRE_NAMES = ['varint', '64-bit', 'length-delimited', 'start-group', 'end-group', '32-bit', 'invalid (6)', 'invalid (7)'];

/** A human name for a wire type number, for error messages. */
export function wireTypeName(wt: number): string {
  return WIRE_NAMES[wt] ?? `invalid (${wt})`;
}

/** Anything protobufjs returns for a 64-bit varint: a number, or a Long when the long package is loaded. */
type Int64 = number | { toNumber(): number };

/** A field key: its number and the wire type it was written with. */
export interface Tag {
  field: number;
  wireType: number;
  /** Offset of the key in the body. */
  at: number;
}

/** A cursor over one request body that reads protobuf primitives and reports errors by offset. */
export class WireReader {
  private readonly r: protobuf.Reader;

  constructor(buf: Uint8Array) {
    this.r = protobuf.Reader.create(buf);
  }

  /** Current offset in the body. */
  get pos(): number {
    return this.r.pos;
  }

  /** Moves to an offset inside the body (used to come back to a message found earlier). */
  seek(pos: number): void {
    if (pos < 0 || pos > this.r.len) throw new RangeError(`Cannot seek to offset ${pos} of a ${this.r.len}-byte body`);
    this.r.pos = pos;
  }

  /** Length of the body. */
  get len(): number {
    return this.r.len;
  }

  /**
   * Runs one primitive read and turns protobufjs' RangeError ("index out of range") into a
   * ProtobufError that says where the message ends too early and what was being read.
   */
  private guard<T>(what: string, read: () => T): T {
    const at = this.r.pos;
    try {
      return read();
    } catch (err) {
      if (err instanceof ProtobufError) throw err;
      throw new ProtobufError(`truncated message at offset ${at}: cannot read ${what} (${(err as Error).message})`, { cause: err });
    }
  }

  /** Reads a field key. Field number 0 is reserved and means the input is not a message. */
  tag(): Tag {
    const at = this.r.pos;
    const key = this.guard('a field key', () => this.r.uint32());
    const field = key >>> 3;
    const wireType = key & 7;
    if (field === 0) throw new ProtobufError(`invalid field number 0 at offset ${at}`);
    if (wireType > 5) throw new ProtobufError(`invalid wire type ${wireType} for field ${field} at offset ${at}`);
    return { field, wireType, at };
  }

  /**
   * Reads a length prefix and returns where the delimited bytes end; the reader is left at their
   * start. A length running past `limit` (the end of the enclosing message) is a truncation.
   */
  delimited(limit: number, what: string): number {
    const at = this.r.pos;
    const n = this.guard(`the length of ${what}`, () => this.r.uint32());
    const end = this.r.pos + n;
    if (end > limit) throw new ProtobufError(`truncated message at offset ${at}: ${what} claims ${n} bytes but only ${limit - this.r.pos} remain`);
    return end;
  }

  /** The bytes from the current position to `end`, as a view (no copy); the reader moves to `end`. */
  bytesTo(end: number): Uint8Array {
    const out = this.r.buf.subarray(this.r.pos, end);
    this.r.pos = end;
    return out;
  }

  /** The body bytes between two offsets, as a view; the position does not move. */
  slice(start: number, end: number): Uint8Array {
    return this.r.buf.subarray(start, end);
  }

  /** UTF-8 text from the current position to `end`. */
  stringTo(end: number): string {
    return Buffer.from(this.bytesTo(end)).toString('utf8');
  }

  /** An int32 varint (negative values arrive sign-extended to 10 bytes); `what` names it in errors. */
  varint32(what: string): number {
    return this.guard(what, () => this.r.int32());
  }

  /** An int64 varint as a number (exact up to 2^53, as JSON numbers are). */
  varint64(what: string): number {
    return this.guard(what, () => {
      const v = this.r.int64() as unknown as Int64;
      return typeof v === 'number' ? v : v.toNumber();
    });
  }

  /** A bool varint: anything but 0 is true. */
  bool(what: string): boolean {
    return this.guard(what, () => this.r.bool());
  }

  /** Skips a field of any wire type, groups included, which must end by `limit`. */
  skip(tag: Tag, limit: number): void {
    this.guard(`field ${tag.field}`, () => this.r.skipType(tag.wireType));
    if (this.r.pos > limit) throw new ProtobufError(`truncated message at offset ${tag.at}: field ${tag.field} runs past the end of its message`);
  }
}
