import { type Rng, streamSeed } from './random.js';

const FIRST = [
  'alice',
  'bob',
  'carol',
  'dave',
  'emma',
  'farid',
  'grace',
  'hugo',
  'ines',
  'jules',
  'karim',
  'lea',
];
const MORE = [
  'lucas',
  'maya',
  'nina',
  'omar',
  'paul',
  'quentin',
  'rosa',
  'sami',
  'tom',
  'ugo',
  'vera',
  'yann',
];
const LAST = [
  'martin',
  'bernard',
  'dubois',
  'thomas',
  'robert',
  'richard',
  'petit',
  'durand',
  'leroy',
  'moreau',
];
const LAST_MORE = [
  'simon',
  'laurent',
  'lefebvre',
  'michel',
  'garcia',
  'david',
  'bertrand',
  'roux',
  'fournier',
];

/** Real-looking customer accounts (`first.last`), about 460 of them. */
export const USER_NAMES: readonly string[] = [...FIRST, ...MORE].flatMap((first) =>
  [...LAST, ...LAST_MORE].map((last) => `${first}.${last}`),
);

/** Account names that password-guessing bots try first. */
export const ATTACK_USER_NAMES: readonly string[] = [
  'admin',
  'root',
  'administrator',
  'test',
  'user',
  'guest',
  'support',
  'info',
  'postgres',
  'oracle',
  'ubuntu',
  'deploy',
  'backup',
  'webmaster',
  'sales',
];

/** Browsers and clients seen in front of a shop. */
export const USER_AGENTS: readonly string[] = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148',
  'Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:132.0) Gecko/20100101 Firefox/132.0',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:132.0) Gecko/20100101 Firefox/132.0',
  'ShopApp/4.12.0 (Android 14)',
  'ShopApp/4.12.1 (iOS 18.1)',
  'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)',
];

/** User agents of vulnerability scanners. */
export const SCANNER_AGENTS: readonly string[] = [
  'Mozilla/5.0 (compatible; Nmap Scripting Engine; https://nmap.org/book/nse.html)',
  'Mozilla/5.00 (Nikto/2.5.0) (Evasions:None) (Test:000003)',
  'python-requests/2.32.3',
];

// Well-known probe targets first; the rest are generated so any `distinctPaths` is reachable.
const PROBES = [
  '/.env',
  '/.git/config',
  '/wp-login.php',
  '/wp-admin/',
  '/phpmyadmin/',
  '/admin',
  '/login.php',
];
const PROBES_MORE = ['/server-status', '/actuator/env', '/config.json', '/backup.zip', '/.aws/credentials'];
const PROBE_DIRS = [
  'admin',
  'backup',
  'old',
  'test',
  'cgi-bin',
  'api/v1',
  'static',
  'uploads',
  'db',
  'private',
];
const PROBE_FILES = [
  'index.php',
  'config.php',
  'db.sql',
  'dump.tar.gz',
  'shell.php',
  'web.config',
  '.htpasswd',
];

/** `count` distinct paths a scanner would request, in the order it requests them. */
export function scanPaths(count: number): string[] {
  const paths = [...PROBES, ...PROBES_MORE];
  for (let i = 0; paths.length < count; i++) {
    const dir = PROBE_DIRS[i % PROBE_DIRS.length];
    const file = PROBE_FILES[Math.floor(i / PROBE_DIRS.length) % PROBE_FILES.length];
    const round = Math.floor(i / (PROBE_DIRS.length * PROBE_FILES.length));
    paths.push(round === 0 ? `/${dir}/${file}` : `/${dir}${round}/${file}`);
  }
  return paths.slice(0, count);
}

// First octets of public ranges; 198.51.100.0/24 and 203.0.113.0/24, used for attackers, never appear.
const FIRST_OCTETS = [
  31, 37, 46, 62, 77, 78, 80, 81, 82, 84, 86, 88, 90, 91, 92, 109, 176, 178, 185, 188, 193,
];

/**
 * A pool of client addresses drawn from the seed. Callers pick from it with a skew
 * (a few heavy clients, a long tail), as real front ends see.
 */
export function clientIps(seed: number, size: number): string[] {
  let s = streamSeed(seed, 'client-ips');
  const next = (n: number): number => {
    s = (Math.imul(s ^ (s >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0;
    return s % n;
  };
  const ips = new Set<string>();
  while (ips.size < size) {
    ips.add(`${FIRST_OCTETS[next(FIRST_OCTETS.length)]}.${next(256)}.${next(256)}.${1 + next(254)}`);
  }
  return [...ips];
}

/** A message or path compiled once: even indices are literal text, odd ones placeholder names. */
export type Template = readonly string[];

/** Compiles `{name}` placeholders (error messages). */
export function compileMessage(text: string): Template {
  return text.split(/\{(\w+)\}/);
}

/** Compiles `:name` path segments (route templates). */
export function compilePath(path: string): Template {
  return path.split(/:(\w+)/);
}

/**
 * Fills a template: `ms` gets `ms` when given (the event's own duration, so that a
 * message never contradicts it), `n` a small number, `sku` a product code, anything else an id.
 */
export function fill(template: Template, rng: Rng, ms?: number): string {
  if (template.length === 1) return template[0] as string;
  let out = template[0] as string;
  for (let i = 1; i < template.length; i += 2) {
    const name = template[i];
    if (name === 'ms') out += ms === undefined ? 200 + rng.int(4800) : Math.round(ms);
    else if (name === 'n') out += 1 + rng.int(64);
    else if (name === 'sku') out += `SKU-${10000 + rng.int(90000)}`;
    else out += 1000 + rng.int(999000);
    out += template[i + 1];
  }
  return out;
}

/**
 * The frames of a Java-style stack trace for an exception thrown by `service`: fixed for
 * a given exception type (the same bug always fails at the same place), so a template
 * miner sees one recurring shape.
 */
export function javaFrames(service: string, type: string): string {
  const pkg = `com.shop.${service.replace(/[^a-z0-9]/gi, '').toLowerCase()}`;
  const simple = type.slice(type.lastIndexOf('.') + 1).replace(/Exception$|Error$/, '');
  const line = (label: string): number => 20 + (streamSeed(7, type + label) % 400);
  return [
    `\tat ${pkg}.client.${simple}Client.call(${simple}Client.java:${line('client')})`,
    `\tat ${pkg}.service.${simple}Service.process(${simple}Service.java:${line('service')})`,
    `\tat ${pkg}.api.RequestController.handle(RequestController.java:${line('controller')})`,
    '\tat org.springframework.web.servlet.FrameworkServlet.service(FrameworkServlet.java:897)',
    '\tat org.apache.catalina.core.ApplicationFilterChain.doFilter(ApplicationFilterChain.java:166)',
    '\tat org.apache.tomcat.util.threads.ThreadPoolExecutor$Worker.run(ThreadPoolExecutor.java:659)',
    '\tat java.base/java.lang.Thread.run(Thread.java:1583)',
  ].join('\n');
}
