import { createHmac, timingSafeEqual } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { createReceiver } from '../../src/receivers/index.js';
import { receiverConfigs, WEBHOOK_SECRET } from './configs.js';
import { hostileNotification } from './hostile-notification.js';

// The verification code the README gives integrators, run against a real signed request,
// so the documentation cannot drift from what the webhook receiver sends.

type Verify = (secret: string, headers: Record<string, string>, rawBody: string, nowMs?: number) => boolean;

function readmeVerifier(): Verify {
  const readme = readFileSync(new URL('../../../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('### Webhook signatures'));
  const code = /```js\n([\s\S]*?)```/.exec(section)?.[1];
  if (!code) throw new Error('no js example under "### Webhook signatures"');
  const body = code.replace(/^import .*$/m, '');
  // The README's snippet is plain JavaScript; it runs here with the same node:crypto imports.
  return new Function('createHmac', 'timingSafeEqual', `${body}\nreturn isFromVigie;`)(
    createHmac,
    timingSafeEqual,
  ) as Verify;
}

describe('README: Verifying Vigie webhooks', () => {
  it('accepts what the webhook receiver sends and refuses tampering, other keys and replays', () => {
    const isFromVigie = readmeVerifier();
    const config = receiverConfigs().find((c) => c.type === 'webhook');
    if (!config) throw new Error('no webhook config');
    const now = Date.now();
    const request = createReceiver(config).build(hostileNotification('trigger'), now, { outboxId: 'x' });
    expect(isFromVigie(WEBHOOK_SECRET, request.headers, request.body, now)).toBe(true);
    expect(isFromVigie(WEBHOOK_SECRET, request.headers, request.body.replace('critical', 'info'), now)).toBe(
      false,
    );
    expect(isFromVigie('not-the-secret-000', request.headers, request.body, now)).toBe(false);
    expect(isFromVigie(WEBHOOK_SECRET, request.headers, request.body, now + 6 * 60_000)).toBe(false);
  });
});
