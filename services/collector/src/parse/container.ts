/**
 * Container runtime wrappers around application lines: Kubernetes CRI
 * (`<RFC 3339 nano time> <stream> <P|F> <line>`) and Docker's json-file driver
 * (`{"log":"...\n","stream":"stdout","time":"..."}`). Both are unwrapped and the inner
 * line is parsed on its own; the wrapper's time applies when the line has none.
 */

/** Regular expressions of this module, exported so a test can check them for ReDoS. */
export const CONTAINER_PATTERNS = {
  cri: /^(\d{4}-\d{2}-\d{2}T[\d:.]{8,20}(?:Z|[+-]\d{2}:\d{2})) (stdout|stderr) ([FP])(?: ([\s\S]*))?$/,
} as const;

/** What a wrapper says about the line it carries. */
export interface ContainerWrapper {
  /** The application's line, without the wrapper and its trailing newline. */
  inner: string;
  /** When the runtime read the line, as written. */
  time: string;
  stream: string;
  /** CRI `P`: the runtime split a long line and this is not its last piece. */
  partial: boolean;
}

/** Unwraps a CRI line; undefined when the line is not one. */
export function unwrapCri(text: string): ContainerWrapper | undefined {
  const m = CONTAINER_PATTERNS.cri.exec(text);
  if (!m) return undefined;
  const [, time, stream, tag, inner] = m;
  return { inner: inner ?? '', time: time as string, stream: stream as string, partial: tag === 'P' };
}

const DOCKER_KEYS: ReadonlySet<string> = new Set(['log', 'stream', 'time', 'attrs']);

/** Unwraps a parsed docker json-file record; undefined when the object is not one. */
export function unwrapDocker(value: Record<string, unknown>): ContainerWrapper | undefined {
  const { log, stream, time } = value;
  if (typeof log !== 'string' || typeof time !== 'string' || typeof stream !== 'string') return undefined;
  if (!Object.keys(value).every((key) => DOCKER_KEYS.has(key))) return undefined;
  const inner = log.endsWith('\r\n') ? log.slice(0, -2) : log.endsWith('\n') ? log.slice(0, -1) : log;
  // Docker writes lines over 16 KiB in pieces; only the last ends with a newline.
  return { inner, time, stream, partial: !log.endsWith('\n') };
}
