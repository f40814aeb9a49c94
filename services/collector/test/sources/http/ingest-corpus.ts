/**
 * A varied `/ingest` NDJSON body for comparing the event loop and parse worker paths:
 * every kind of line the route treats apart, mixed and repeated so that it spans several
 * worker tasks.
 */

const MB = 1024 * 1024;

/** Lines of every kind, in a fixed order (no randomness: a failure must replay). */
function kinds(round: number): string[] {
  return [
    // Valid events with times in each form the JSON mappings read, and none.
    `{"@timestamp":"2026-11-28T11:59:${String(round % 60).padStart(2, '0')}.250Z","level":"info","msg":"order ${round} placed"}`,
    `{"time":1795867200,"level":"warn","message":"epoch seconds ${round}"}`,
    `{"ts":1795867200123,"severity":"ERROR","msg":"epoch ms","error":{"type":"Timeout","stack_trace":"at a\\nat b"}}`,
    `{"timestamp":"2026-11-28 11:00:00,123","logger":"app","msg":"log4j-like ${round}"}`,
    `{"msg":"no time at all ${round}","attempt":${round},"ok":true,"ratio":0.5,"nested":{"a":[1,2,{"b":null}]}}`,
    // Service and environment: the event's own, explicit unknown_service, none.
    `{"msg":"own service","service":{"name":"billing","environment":"staging"}}`,
    `{"msg":"explicit unknown","service":{"name":"unknown_service"}}`,
    `{"msg":"flat service","service.name":"unknown_service","env":"dev"}`,
    `{"msg":"labelled","labels":{"team":"pay","region":"eu"}}`,
    // Secrets for the default rules and the configured one.
    `{"msg":"login password=hunter${round} ticket T-${round}","user":"ann"}`,
    `{"msg":"charged card 4111 1111 1111 1111","token":"sk_live_${round}abcdefghijklmnop"}`,
    `Authorization: Bearer abc.def.${round} from a text line T-${round}`,
    `{"msg":"aws AKIAIOSFODNN7EXAMPLE key","password":"p${round}"}`,
    // Not events: invalid JSON, other JSON values, text, prototype tricks.
    `{"msg":"cut short ${round}"`,
    '{not json at all}',
    '{"a":1}}',
    '[1,2,3]',
    '"just a string"',
    '42',
    `plain text line ${round} with émoji 🚀`,
    '   {"msg":"indented object"}',
    '{"__proto__":{"polluted":true},"msg":"proto"}',
    '{"constructor":{"prototype":{"x":1}},"msg":"ctor"}',
    '{"message":42,"level":7}',
    '{}',
    // Blank lines between entries are skipped; whitespace-only too.
    '',
    '   \t',
  ];
}

/** The body: rounds of every kind of line, huge lines, CRLF endings, invalid UTF-8. */
export function corpus(): Buffer {
  const lines: string[] = [];
  for (let round = 0; round < 12; round++) lines.push(...kinds(round));
  // Over one Kafka message: cut to fit, as JSON and as text.
  lines.splice(30, 0, JSON.stringify({ msg: `big ${'x'.repeat(MB)}`, stack: 'y'.repeat(200_000) }));
  lines.splice(90, 0, `huge text ${'z'.repeat(MB)}`);
  lines.splice(150, 0, `{"msg":"huge and broken ${'w'.repeat(MB)}`);
  const text = lines.map((line, i) => (i % 4 === 0 ? `${line}\r` : line)).join('\n');
  // Bytes that are not UTF-8 become U+FFFD, in a JSON line and in a text line.
  return Buffer.concat([
    Buffer.from(`${text}\n`),
    Buffer.from('{"msg":"bad bytes '),
    Buffer.from([0xff, 0xfe, 0xc3]),
    Buffer.from('"}\r\nraw '),
    Buffer.from([0x80, 0x81]),
    Buffer.from(' tail'),
  ]);
}
