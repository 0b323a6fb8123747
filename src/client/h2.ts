/**
 * The HTTP/2 connection of a Client to an https API server, as client-go has it: one TLS
 * connection carrying every request as its own stream, so that the requests and answers of a
 * busy component share socket writes instead of each paying for its own (on a small VM the
 * system calls, not the bytes, are what costs). The session is opened on first use and again
 * after the server closed it; it holds the process open only while streams are open, as an idle
 * keep-alive socket of node:http's Agent does not.
 */
import { connect, constants, type ClientHttp2Session, type ClientHttp2Stream, type OutgoingHttpHeaders } from 'node:http2';

/** Flow-control windows: large, so that a list of megabytes is not held to 64 KiB round trips. */
const STREAM_WINDOW = 16 << 20;
const SESSION_WINDOW = 64 << 20;

interface Session {
  session: ClientHttp2Session;
  /** Streams open on it. */
  active: number;
}

/** Errors that say a stream never reached the server's handler, so a read may be sent again. */
export function isRetryableStreamError(err: NodeJS.ErrnoException): boolean {
  return (
    err.code === 'ERR_HTTP2_GOAWAY_SESSION' ||
    err.code === 'ERR_HTTP2_INVALID_SESSION' ||
    err.code === 'ECONNRESET' ||
    (err.code === 'ERR_HTTP2_STREAM_ERROR' && /NGHTTP2_REFUSED_STREAM/.test(err.message))
  );
}

export class H2Connection {
  private current: Session | undefined;

  constructor(
    private readonly origin: string,
    private readonly ca: string | undefined,
  ) {}

  /**
   * Opens a stream with headers (':method' and ':path' among them); endStream when there is no
   * body. reused says the stream went on a session that served others before.
   */
  open(headers: OutgoingHttpHeaders, endStream: boolean): { stream: ClientHttp2Stream; reused: boolean } {
    let s = this.current;
    const reused = s !== undefined;
    if (!s) s = this.current = this.connect();
    const stream = s.session.request(headers, { endStream });
    if (s.active++ === 0) s.session.ref();
    const owner = s;
    stream.once('close', () => {
      if (--owner.active === 0 && !owner.session.destroyed) owner.session.unref();
    });
    return { stream, reused };
  }

  /** Closes the session once its open streams are done; new requests open another. */
  close(): void {
    const s = this.current;
    this.current = undefined;
    if (s && !s.session.closed) s.session.close();
  }

  private connect(): Session {
    const session = connect(this.origin, {
      ...(this.ca ? { ca: this.ca } : {}),
      settings: { enablePush: false, initialWindowSize: STREAM_WINDOW },
      maxSessionMemory: 512,
    });
    const s: Session = { session, active: 0 };
    const forget = () => {
      if (this.current === s) this.current = undefined;
    };
    // A session error also fails its streams, each with the error; the callers hear it there.
    session.on('error', forget);
    session.once('goaway', forget);
    session.once('close', forget);
    session.once('connect', () => session.setLocalWindowSize(SESSION_WINDOW));
    return s;
  }
}

/** Cancels a stream (RST_STREAM CANCEL): the server sees the request go away. */
export function cancelStream(stream: ClientHttp2Stream): void {
  if (!stream.closed && !stream.destroyed) stream.close(constants.NGHTTP2_CANCEL);
}
