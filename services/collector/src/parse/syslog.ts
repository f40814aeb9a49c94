import type { LogEvent } from '@vigie/common';
import type { Draft } from './build.js';

/**
 * Syslog messages, RFC 5424 and RFC 3164 (BSD), as they arrive over the network or sit
 * in files (`/var/log/syslog`, with or without the `<PRI>` and with rsyslog's RFC 3339
 * time). Hand-written: the npm parsers are unmaintained or skip structured data
 * escapes. The structure is read with a scanner; the few regular expressions below
 * only read fixed-size header pieces.
 */

/** Regular expressions of this module, exported so a test can check them for ReDoS. */
export const SYSLOG_PATTERNS = {
  pri: /^<(\d{1,3})>/,
  version: /^([1-9]\d{0,2}) /,
  bsdTime: /^([A-Z][a-z]{2} {1,2}\d{1,2} \d{2}:\d{2}:\d{2}(?:\.\d{1,6})?) /,
  isoTime: /^(\d{4}-\d{2}-\d{2}T[\d:.]{8,18}(?:Z|[+-]\d{2}:\d{2})) /,
  tag: /^([^\s[\]:]{1,128})(?:\[([^\]\s]{1,128})\])?: ?/,
  pid: /^\d{1,10}$/,
} as const;

/** One syslog message, header fields as written (`-` fields left out). */
export interface SyslogMessage {
  protocol: 'rfc5424' | 'rfc3164';
  priority?: number;
  facility?: number;
  severity?: number;
  /** RFC 5424 VERSION. */
  version?: number;
  /** The time as written; read it with the parser's timestamp rules. */
  timestamp?: string;
  hostname?: string;
  /** APP-NAME (RFC 5424) or TAG (RFC 3164). */
  appName?: string;
  procId?: string;
  msgId?: string;
  /** RFC 5424 structured data: SD-ID to its parameters. */
  structuredData?: Record<string, Record<string, string>>;
  message: string;
}

/** Facility names by code (RFC 5424 table 1, with the names syslog implementations use). */
export const FACILITIES = [
  'kern',
  'user',
  'mail',
  'daemon',
  'auth',
  'syslog',
  'lpr',
  'news',
  'uucp',
  'cron',
  'authpriv',
  'ftp',
  'ntp',
  'security',
  'console',
  'solaris-cron',
  'local0',
  'local1',
  'local2',
  'local3',
  'local4',
  'local5',
  'local6',
  'local7',
] as const;

/** Severity names by code. */
export const SEVERITIES = ['emerg', 'alert', 'crit', 'err', 'warning', 'notice', 'info', 'debug'] as const;
/** Log level of each severity. */
export const SEVERITY_LEVELS = ['fatal', 'fatal', 'fatal', 'error', 'warn', 'info', 'info', 'debug'] as const;

const BOM = '\uFEFF';

/**
 * Parses one syslog message; undefined when the text is not syslog (no PRI and no
 * syslog time at its start). Never throws.
 */
export function parseSyslog(input: string): SyslogMessage | undefined {
  let text = input.startsWith(BOM) ? input.slice(1) : input;
  const pri = SYSLOG_PATTERNS.pri.exec(text);
  let priority: number | undefined;
  if (pri) {
    priority = Number(pri[1]);
    if (priority > 191 || ((pri[1] as string).length > 1 && pri[1]?.startsWith('0'))) return undefined;
    text = text.slice(pri[0].length);
  }
  const header = priority === undefined ? {} : { priority, facility: priority >> 3, severity: priority & 7 };
  const version = pri ? SYSLOG_PATTERNS.version.exec(text) : null;
  if (version) {
    const parsed = parse5424(text.slice(version[0].length));
    if (parsed) return { protocol: 'rfc5424', ...header, version: Number(version[1]), ...parsed };
  }
  return parse3164(text, header);
}

type Header = Pick<SyslogMessage, 'priority' | 'facility' | 'severity'>;

function parse5424(text: string): Omit<SyslogMessage, 'protocol'> | undefined {
  const fields: string[] = [];
  let pos = 0;
  for (let i = 0; i < 5; i++) {
    const end = text.indexOf(' ', pos);
    if (end <= pos) return undefined;
    fields.push(text.slice(pos, end));
    pos = end + 1;
  }
  const [timestamp, hostname, appName, procId, msgId] = fields.map((f) => (f === '-' ? undefined : f));
  let structuredData: Record<string, Record<string, string>> | undefined;
  if (text[pos] === '-') {
    pos++;
  } else if (text[pos] === '[') {
    const sd = parseStructuredData(text, pos);
    if (!sd) return undefined;
    structuredData = sd.data;
    pos = sd.end;
  } else {
    return undefined;
  }
  if (pos < text.length && text[pos] !== ' ') return undefined;
  let message = text.slice(pos + 1);
  if (message.startsWith(BOM)) message = message.slice(1);
  return { timestamp, hostname, appName, procId, msgId, structuredData, message };
}

/** `[id k="v" k2="v\"2"][id2]` from `start`; returns the data and the index after it. */
function parseStructuredData(
  text: string,
  start: number,
): { data: Record<string, Record<string, string>>; end: number } | undefined {
  const data: Record<string, Record<string, string>> = Object.create(null);
  let pos = start;
  while (text[pos] === '[') {
    const idEnd = scanName(text, pos + 1);
    if (idEnd === pos + 1) return undefined;
    const id = text.slice(pos + 1, idEnd);
    const params: Record<string, string> = data[id] ?? Object.create(null);
    pos = idEnd;
    while (text[pos] === ' ') {
      const nameEnd = scanName(text, pos + 1);
      if (nameEnd === pos + 1 || text[nameEnd] !== '=' || text[nameEnd + 1] !== '"') return undefined;
      const name = text.slice(pos + 1, nameEnd);
      let value = '';
      let i = nameEnd + 2;
      for (; i < text.length && text[i] !== '"'; i++) {
        // RFC 5424 escapes only ", \ and ]; a backslash before anything else is literal.
        if (text[i] === '\\' && (text[i + 1] === '"' || text[i + 1] === '\\' || text[i + 1] === ']')) i++;
        value += text[i];
      }
      if (i >= text.length) return undefined;
      params[name] = value;
      pos = i + 1;
    }
    if (text[pos] !== ']') return undefined;
    data[id] = params;
    pos++;
  }
  // Plain objects from here on; fromEntries defines keys such as __proto__ as own data.
  const plain = Object.fromEntries(Object.entries(data).map(([id, params]) => [id, { ...params }]));
  return { data: plain, end: pos };
}

// SD-NAME: printable US-ASCII except '=', ' ', ']' and '"'.
function scanName(text: string, start: number): number {
  let i = start;
  while (i < text.length && i - start < 64) {
    const c = text.charCodeAt(i);
    if (c < 33 || c > 126 || c === 61 || c === 93 || c === 34) break;
    i++;
  }
  return i;
}

function parse3164(input: string, header: Header): SyslogMessage | undefined {
  let text = input;
  const time = SYSLOG_PATTERNS.bsdTime.exec(text) ?? SYSLOG_PATTERNS.isoTime.exec(text);
  if (!time && header.priority === undefined) return undefined;
  const result: SyslogMessage = { protocol: 'rfc3164', ...header, message: '' };
  if (time) {
    result.timestamp = time[1];
    text = text.slice(time[0].length).trimStart();
    // Without a time the next word could be anything: a hostname is only read after one.
    const space = text.indexOf(' ');
    const first = space < 0 ? text : text.slice(0, space);
    if (space > 0 && !first.endsWith(':') && !first.includes('[')) {
      result.hostname = first;
      text = text.slice(space + 1);
    }
  }
  const tag = SYSLOG_PATTERNS.tag.exec(text);
  if (tag) {
    result.appName = tag[1];
    if (tag[2]) result.procId = tag[2];
    text = text.slice(tag[0].length);
  }
  result.message = text.startsWith(BOM) ? text.slice(1) : text;
  return result;
}

/**
 * The draft of a syslog message. APP-NAME / TAG names the service unless the source
 * names one (`serviceFromContent` false). Structured data is left out: its names may
 * hold dots, which must not be read as paths (see `addStructuredData`).
 */
export function syslogDraft(msg: SyslogMessage, serviceFromContent: boolean): Draft {
  const syslog: Record<string, unknown> = {};
  if (msg.priority !== undefined) syslog.priority = msg.priority;
  if (msg.facility !== undefined) syslog.facility = { code: msg.facility, name: FACILITIES[msg.facility] };
  if (msg.severity !== undefined) syslog.severity = { code: msg.severity, name: SEVERITIES[msg.severity] };
  if (msg.hostname !== undefined) syslog.hostname = msg.hostname;
  if (msg.appName !== undefined) syslog.appname = msg.appName;
  if (msg.procId !== undefined) syslog.procid = msg.procId;
  if (msg.msgId !== undefined) syslog.msgid = msg.msgId;
  if (msg.version !== undefined) syslog.version = String(msg.version);

  const draft: Draft = { message: msg.message, log: { syslog } };
  if (msg.timestamp !== undefined) draft['@timestamp'] = msg.timestamp;
  if (msg.severity !== undefined) draft['log.level'] = SEVERITY_LEVELS[msg.severity];
  if (msg.hostname !== undefined) draft['host.name'] = msg.hostname;
  if (msg.appName !== undefined) {
    draft['process.name'] = msg.appName;
    if (serviceFromContent) draft['service.name'] = msg.appName;
  }
  if (msg.procId !== undefined && SYSLOG_PATTERNS.pid.test(msg.procId)) {
    const pid = Number(msg.procId);
    if (Number.isSafeInteger(pid)) draft['process.pid'] = pid;
  }
  return draft;
}

/** Puts the structured data into a valid event, names kept as written. */
export function addStructuredData(msg: SyslogMessage, event: LogEvent): void {
  if (msg.structuredData === undefined || Object.keys(msg.structuredData).length === 0) return;
  event.log = { ...event.log, syslog: { ...event.log?.syslog, structured_data: msg.structuredData } };
}
