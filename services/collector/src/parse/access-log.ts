import type { Draft } from './build.js';

const QUOTED = '"((?:[^"\\\\]|\\\\.)*)"';

/** Regular expressions of this module, exported so a test can check them for ReDoS. */
export const ACCESS_LOG_PATTERNS = {
  // $remote_addr - $remote_user [$time_local] "$request" $status $bytes "$referer" "$agent" [extra]
  line: new RegExp(
    `^(\\S+) \\S+ (\\S+) \\[([^\\]]{1,64})\\] ${QUOTED} (\\d{3}) (\\d{1,19}|-)(?: ${QUOTED} ${QUOTED})?(?: (.*))?$`,
  ),
  request: /^([A-Z][A-Z_-]{0,31}) (\S+)(?: HTTP\/(\d(?:\.\d)?))?$/,
  escape: /\\x([0-9A-Fa-f]{2})|\\(["\\])/g,
  spaces: / +/,
  seconds: /^\d{1,9}\.\d{1,9}$/,
  integer: /^\d{1,15}$/,
} as const;

/** Dialect of a combined access log line; they differ only in their optional trailing fields. */
export type AccessLogFlavor = 'nginx' | 'apache';

/**
 * Parses an nginx or Apache "combined" access log line. A trailing request time is read
 * as nginx `$request_time` when it has a decimal point (seconds) and as Apache `%D`
 * (microseconds) when it is an integer; a second one is nginx `$upstream_response_time`.
 * `flavor` comes from the source's format; when detection found the line, Apache is
 * assumed only on an Apache-only trait (`-` for zero bytes, or a `%D`).
 */
export function parseAccessLog(text: string, flavor?: AccessLogFlavor): Draft | undefined {
  const m = ACCESS_LOG_PATTERNS.line.exec(text);
  if (!m) return undefined;
  const [, client, user, time, request, status, bytes, referrer, agent, extra] = m;
  const trailing = (extra ?? '').trim().split(ACCESS_LOG_PATTERNS.spaces).filter(Boolean);
  const durationText = trailing[0];
  const dialect =
    flavor ??
    (bytes === '-' || (durationText && ACCESS_LOG_PATTERNS.integer.test(durationText)) ? 'apache' : 'nginx');

  const draft: Draft = {
    '@timestamp': time,
    message: text,
    'source.ip': client,
    'http.response.status_code': Number(status),
    'event.dataset': `${dialect}.access`,
  };
  if (user && user !== '-') draft['user.name'] = unescapeField(user);
  if (bytes && bytes !== '-') draft['http.response.body.bytes'] = Number(bytes);
  if (referrer !== undefined && referrer !== '-' && referrer !== '') {
    draft['http.request.referrer'] = unescapeField(referrer);
  }
  if (agent !== undefined && agent !== '-' && agent !== '')
    draft['user_agent.original'] = unescapeField(agent);
  mapRequest(draft, unescapeField(request ?? ''));

  const duration = durationText ? durationNs(durationText, dialect) : undefined;
  if (duration !== undefined) draft['event.duration'] = duration;
  const upstream = trailing[1];
  if (upstream !== undefined && upstream !== '-') draft['attributes.upstream_response_time'] = upstream;
  if (trailing.length > 0 && duration === undefined) draft['attributes.trailing'] = trailing.join(' ');
  return draft;
}

function mapRequest(draft: Draft, request: string): void {
  const m = ACCESS_LOG_PATTERNS.request.exec(request);
  if (!m) {
    // Scanners send TLS handshakes and junk: kept as sent, never dropped.
    if (request !== '-' && request !== '') draft['attributes.request'] = request;
    return;
  }
  const [, method, target, version] = m;
  draft['http.request.method'] = method;
  if (version) draft['http.version'] = version;
  const query = (target ?? '').indexOf('?');
  draft['url.path'] = query < 0 ? target : target?.slice(0, query);
  if (query >= 0) draft['url.query'] = target?.slice(query + 1);
}

function durationNs(text: string, dialect: AccessLogFlavor): number | undefined {
  if (ACCESS_LOG_PATTERNS.seconds.test(text)) return Math.round(Number(text) * 1e9);
  if (ACCESS_LOG_PATTERNS.integer.test(text)) {
    const n = Number(text);
    return dialect === 'apache' ? n * 1000 : n * 1e9;
  }
  return undefined;
}

// nginx writes `"` and non-printable bytes as \xHH, Apache writes \" and \\.
function unescapeField(value: string): string {
  if (!value.includes('\\')) return value;
  return value.replace(ACCESS_LOG_PATTERNS.escape, (_all, hex: string | undefined, ch: string) =>
    hex ? String.fromCharCode(Number.parseInt(hex, 16)) : ch,
  );
}
