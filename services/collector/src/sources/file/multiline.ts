import type { FileLine } from './line-reader.js';

/**
 * The regular expressions of multiline joining. Each is linear-time: anchored, no
 * quantified group holding a quantifier, so attacker-written lines cannot make them
 * backtrack (a test checks this on long adversarial input).
 */
export const PATTERNS = {
  /** Default first line of a record: a timestamp, a log level, `[` or `{`. */
  defaultStart:
    /^(?:\d{4}-\d{2}-\d{2}[T ]|\d{4}\/\d{2}\/\d{2} |\d{2}:\d{2}:\d{2}|[A-Z][a-z]{2} [ \d]\d |\[|\{|(?:TRACE|DEBUG|INFO|NOTICE|WARN|WARNING|ERROR|ERR|FATAL|CRIT|CRITICAL|SEVERE)\b)/,
  /** Lines that continue the record before them: indented frames, Java causes, Python chains. */
  continuation:
    /^(?:[ \t]|Caused by: |Suppressed: |\.\.\. \d+ (?:more|common frames omitted)|Traceback \(most recent call last\):|During handling of the above exception|The above exception was the direct cause)/,
  /** First line of a Python traceback: its frames and final exception line follow. */
  pythonTraceback: /^Traceback \(most recent call last\):/,
  /** A Java exception header (`java.lang.IllegalStateException: boom`) right after a log line. */
  exceptionHeader: /^[A-Za-z_$][\w$.]*(?:Exception|Error|Throwable|Exit|Interrupt|Warning)(?::|$)/,
} as const;

/** A record: one line, or several joined with `\n`. */
export interface FileRecord {
  text: string;
  /** Byte offset of the record's first byte. */
  offset: number;
  /** Byte offset just after the record: where reading resumes once it is acknowledged. */
  end: number;
  truncated: boolean;
}

/** How lines are joined into records. */
export interface MultilineOptions {
  /**
   * First line of a record; any other line joins the record before it. Without it, a line
   * joins only when it looks like a stack trace continuation (see `PATTERNS`), so plain
   * logs stay one record per line.
   */
  start?: RegExp;
  /** A record growing past this is cut and flagged truncated; its other lines are skipped. */
  maxRecordBytes: number;
}

/**
 * Joins stack traces (Java, Python) into the record they belong to. Holds one pending
 * record: it is emitted when the next record starts, or by `flush()` (timeout, rotation).
 */
export class MultilineJoiner {
  private pending:
    | { parts: string[]; bytes: number; offset: number; end: number; truncated: boolean }
    | undefined;
  private inTraceback = false;
  private sawTraceback = false;

  constructor(private readonly options: MultilineOptions) {}

  /** A record is waiting for its next line or a flush. */
  get hasPending(): boolean {
    return this.pending !== undefined;
  }

  /** Offset where the pending record starts (where reading must resume if it is lost). */
  get pendingOffset(): number | undefined {
    return this.pending?.offset;
  }

  /** Adds a line; returns the record it completed, if any. */
  push(line: FileLine): FileRecord | undefined {
    if (this.pending && this.continues(line.text)) {
      this.append(line);
      return undefined;
    }
    const done = this.flush();
    this.inTraceback = PATTERNS.pythonTraceback.test(line.text);
    this.sawTraceback = this.inTraceback;
    const bytes = Buffer.byteLength(line.text);
    const text =
      bytes > this.options.maxRecordBytes ? cut(line.text, this.options.maxRecordBytes) : line.text;
    this.pending = {
      parts: [text],
      bytes: Math.min(bytes, this.options.maxRecordBytes),
      offset: line.offset,
      end: line.end,
      truncated: line.truncated || bytes > this.options.maxRecordBytes,
    };
    return done;
  }

  /** Emits the pending record now. */
  flush(): FileRecord | undefined {
    const pending = this.pending;
    if (!pending) return undefined;
    this.pending = undefined;
    return {
      text: pending.parts.join('\n'),
      offset: pending.offset,
      end: pending.end,
      truncated: pending.truncated,
    };
  }

  private continues(text: string): boolean {
    if (this.options.start) return !this.options.start.test(text);
    if (PATTERNS.pythonTraceback.test(text)) {
      this.inTraceback = true;
      this.sawTraceback = true;
      return true;
    }
    if (PATTERNS.defaultStart.test(text)) return false;
    if (PATTERNS.continuation.test(text)) return true;
    if (this.inTraceback) {
      // The final `ValueError: ...` line of a Python traceback ends it.
      this.inTraceback = false;
      return true;
    }
    if (text === '') return this.sawTraceback;
    return PATTERNS.exceptionHeader.test(text);
  }

  private append(line: FileLine): void {
    const pending = this.pending;
    if (!pending) return;
    pending.end = line.end;
    if (line.truncated) pending.truncated = true;
    const bytes = Buffer.byteLength(line.text) + 1;
    if (pending.bytes + bytes > this.options.maxRecordBytes) {
      const room = this.options.maxRecordBytes - pending.bytes - 1;
      if (room > 0) {
        pending.parts.push(cut(line.text, room));
        pending.bytes = this.options.maxRecordBytes;
      }
      pending.truncated = true;
      return;
    }
    pending.parts.push(line.text);
    pending.bytes += bytes;
  }
}

/** The first `maxBytes` bytes of `text`, without splitting a character. */
function cut(text: string, maxBytes: number): string {
  const bytes = Buffer.from(text).subarray(0, maxBytes);
  // A split character decodes to one trailing U+FFFD: drop it rather than invent it.
  const decoded = bytes.toString('utf8');
  return Buffer.byteLength(decoded) > maxBytes ? decoded.slice(0, -1) : decoded;
}
