// A generated XSS corpus: classic vectors (script tags, event handlers, javascript: urls,
// SVG and MathML, mutation-XSS shapes, template and terminal escapes) in variants that
// slip past naive filters. Each payload that runs calls alert() or sets
// window.__vigieCanary, which the browser tests watch.

const VECTORS: readonly ((n: number) => string)[] = [
  (n) => `<script>window.__vigieCanary=${n}</script>`,
  (n) => `<img src=x onerror=alert(${n})>`,
  (n) => `<img src=x onerror="window.__vigieCanary=${n}">`,
  (n) => `<svg onload=alert(${n})>`,
  (n) => `<svg><script>window.__vigieCanary=${n}</script></svg>`,
  (n) => `<a href="javascript:window.__vigieCanary=${n}">open</a>`,
  (n) => `<iframe src="javascript:alert(${n})"></iframe>`,
  (n) => `<iframe srcdoc="<script>parent.__vigieCanary=${n}</script>"></iframe>`,
  (n) => `"><img src=x onerror=alert(${n})>`,
  (n) => `'-alert(${n})-'`,
  (n) => `<math><mtext><table><mglyph><style><img src=x onerror=alert(${n})>`,
  (n) => `<noscript><p title="</noscript><img src=x onerror=alert(${n})>">`,
  (n) => `<details open ontoggle=alert(${n})>`,
  (n) => `<body onload=alert(${n})>`,
  (n) => `<input autofocus onfocus=alert(${n})>`,
  (n) => `<video><source onerror=alert(${n})></video>`,
  (n) => `<object data="javascript:alert(${n})"></object>`,
  (n) => `<base href="javascript:alert(${n})//">`,
  (n) => `<meta http-equiv="refresh" content="0;url=javascript:alert(${n})">`,
  (n) => `<style>*{background:url("javascript:alert(${n})")}</style>`,
  (n) => `{@html "<img src=x onerror=alert(${n})>"}`,
  (n) => `{{constructor.constructor('alert(${n})')()}}`,
  (n) => `\u001b]0;pwned ${n}\u0007\u001b[2J\u001b[31m<b>red</b>\u001b[0m`,
  (n) => `<form><button formaction="javascript:alert(${n})">x</button></form>`,
];

const VARIANTS: readonly ((payload: string) => string)[] = [
  (p) => p,
  (p) =>
    p
      .toUpperCase()
      .replace(/ALERT|WINDOW\.__VIGIECANARY/g, (m) => (m === 'ALERT' ? 'alert' : 'window.__vigieCanary')),
  (p) => p.replace(/<(\w)/g, (_, c: string) => `<${c.toUpperCase()}`),
  (p) => `"'>${p}`,
  (p) => `${p}<!--`,
  (p) => `<div title="x">${p}</div>`,
  (p) => encodeURIComponent(p),
  (p) => p.replace(/</g, '&lt;').replace(/>/g, '&gt;'),
  (p) => p.replace(/ /g, '\n'),
  (p) => p.replace(/ /g, '\t'),
  (p) => `\u202e${p}`,
  (p) => JSON.stringify({ msg: p }),
  (p) => `</textarea></title></style>${p}`,
];

/** Every vector in every variant, each unique: 24 × 13 = 312 payloads. */
export function xssCorpus(): string[] {
  const payloads: string[] = [];
  let n = 0;
  for (const vector of VECTORS) for (const variant of VARIANTS) payloads.push(variant(vector(++n)));
  return payloads;
}
