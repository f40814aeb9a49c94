import { BoundedBytes } from './bounded-bytes.js';

/** One syslog message cut out of a TCP stream. */
export interface SyslogFrame {
  /** The message, UTF-8 decoded with invalid sequences replaced. */
  text: string;
  /** The message was longer than the limit (or its connection ended inside it) and was cut. */
  truncated: boolean;
  /** Bytes of the message dropped past the limit. */
  droppedBytes: number;
}

const LF = 0x0a;
const CR = 0x0d;
const NUL = 0x00;
const SPACE = 0x20;
const ZERO = 0x30;
const NINE = 0x39;
/**
 * Longest MSG-LEN read: 9 digits (under 1 GB). A message without PRI that starts with a
 * 10-digit epoch timestamp and a space is then newline-framed, not taken for a length
 * that would swallow the rest of the connection.
 */
const MAX_LENGTH_DIGITS = 9;

type State = 'start' | 'length' | 'counted' | 'delimited';

/**
 * Splits a TCP byte stream into syslog messages per RFC 6587, detecting the framing of
 * each message: octet counting (`MSG-LEN SP MSG`, MSG may hold newlines) when the frame
 * starts with a non-zero digit, digits and a space; otherwise non-transparent framing,
 * where LF or NUL ends the message (and a CR before it is dropped). Messages are
 * kept up to `maxBytes`; the rest of a longer one is read and discarded, never buffered.
 * Empty frames (blank lines between messages) are skipped.
 */
export class SyslogFramer {
  private state: State = 'start';
  private digits = '';
  private remaining = 0;
  private readonly message: BoundedBytes;

  constructor(maxBytes: number) {
    this.message = new BoundedBytes(maxBytes);
  }

  /** Feeds the next chunk of the stream; returns the messages it completed. */
  push(chunk: Buffer): SyslogFrame[] {
    const frames: SyslogFrame[] = [];
    let i = 0;
    let nextLf = -2;
    let nextNul = -2;
    while (i < chunk.length) {
      switch (this.state) {
        case 'start': {
          const byte = chunk[i] as number;
          if (byte === LF || byte === CR || byte === NUL) {
            i++;
          } else if (byte > ZERO && byte <= NINE) {
            this.state = 'length';
          } else {
            this.state = 'delimited';
          }
          break;
        }
        case 'length': {
          let byte = chunk[i] as number;
          while (byte >= ZERO && byte <= NINE && this.digits.length < MAX_LENGTH_DIGITS) {
            this.digits += String.fromCharCode(byte);
            if (++i === chunk.length) return frames;
            byte = chunk[i] as number;
          }
          if (byte === SPACE) {
            this.remaining = Number(this.digits);
            this.digits = '';
            this.state = 'counted';
            i++;
          } else {
            // Not a length: the digits are the start of a newline-terminated message.
            this.message.append(Buffer.from(this.digits, 'latin1'));
            this.digits = '';
            this.state = 'delimited';
          }
          break;
        }
        case 'counted': {
          const end = Math.min(chunk.length, i + this.remaining);
          this.message.append(chunk, i, end);
          this.remaining -= end - i;
          i = end;
          if (this.remaining === 0) frames.push(this.emit());
          break;
        }
        case 'delimited': {
          if (nextLf !== -1 && nextLf < i) nextLf = chunk.indexOf(LF, i);
          if (nextNul !== -1 && nextNul < i) nextNul = chunk.indexOf(NUL, i);
          const end = nextLf === -1 ? nextNul : nextNul === -1 ? nextLf : Math.min(nextLf, nextNul);
          if (end === -1) {
            this.message.append(chunk, i, chunk.length, true);
            i = chunk.length;
          } else {
            this.message.append(chunk, i, end, true);
            i = end + 1;
            frames.push(this.emit());
          }
          break;
        }
      }
    }
    return frames;
  }

  /**
   * The connection ended: returns the message it was in, if any. A message without its
   * trailer is complete; an octet-counted one that misses bytes is flagged truncated.
   */
  end(): SyslogFrame[] {
    if (this.state === 'length') this.message.append(Buffer.from(this.digits, 'latin1'));
    if (this.state === 'counted') this.message.markTruncated();
    this.digits = '';
    this.remaining = 0;
    if (this.message.isEmpty) {
      this.state = 'start';
      return [];
    }
    return [this.emit()];
  }

  private emit(): SyslogFrame {
    this.state = 'start';
    return this.message.take();
  }
}
