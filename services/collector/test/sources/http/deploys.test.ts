import { normalizeEvent } from '@vigie/common';
import { describe, expect, it } from 'vitest';
import { appPerTest } from './helpers.js';

const setup = appPerTest();

describe('POST /api/deploys', () => {
  it('turns a deploy marker into an event of the service, dataset vigie.deploy', async () => {
    const { app, sink } = await setup();
    const response = await app.inject({
      method: 'POST',
      url: '/api/deploys',
      payload: {
        service: 'checkout',
        version: '1.4.2',
        environment: 'production',
        at: '2026-11-28T10:00:00Z',
        description: 'PR #812',
      },
    });
    expect(response.statusCode, response.body).toBe(200);
    expect(response.json()).toEqual({ accepted: 1, '@timestamp': '2026-11-28T10:00:00.000Z' });
    const [event] = sink.events;
    expect(event).toMatchObject({
      '@timestamp': '2026-11-28T10:00:00.000Z',
      message: 'Deploy of checkout 1.4.2: PR #812',
      service: { name: 'checkout', version: '1.4.2', environment: 'production' },
      event: { dataset: 'vigie.deploy', action: 'deploy' },
    });
    expect(normalizeEvent(event)).toMatchObject({ ok: true });
  });

  it('says what is wrong with a bad marker', async () => {
    const { app, sink } = await setup();
    const missing = await app.inject({
      method: 'POST',
      url: '/api/deploys',
      payload: { service: 'checkout' },
    });
    expect(missing.statusCode).toBe(400);
    expect(missing.json().message).toMatch(/version/);
    const badTime = await app.inject({
      method: 'POST',
      url: '/api/deploys',
      payload: { service: 'checkout', version: '2', at: 'last tuesday' },
    });
    expect(badTime.statusCode).toBe(400);
    expect(badTime.json().message).toMatch(/at/);
    const extra = await app.inject({
      method: 'POST',
      url: '/api/deploys',
      payload: { service: 'checkout', version: '2', sevrice: 'typo' },
    });
    expect(extra.statusCode).toBe(400);
    expect(sink.events).toHaveLength(0);
  });
});
