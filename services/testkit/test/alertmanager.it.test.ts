import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalAlertmanager, uniqueName } from '../src/index.js';

// The harness other tests rely on to prove that a real Alertmanager accepts Vigie's alerts.
describe('LocalAlertmanager', () => {
  let alertmanager: LocalAlertmanager;

  beforeAll(async () => {
    alertmanager = await LocalAlertmanager.start();
  });

  afterAll(async () => {
    await alertmanager?.stop();
  });

  it('listens on loopback only', () => {
    expect(new URL(alertmanager.url).hostname).toBe('127.0.0.1');
  });

  it('lists a posted alert, then reports it resolved once its endsAt has passed', async () => {
    const dedupKey = uniqueName('vigie');
    const labels = { alertname: 'VigieHarness', service: 'checkout', dedup_key: dedupKey };
    const startsAt = new Date(Date.now() - 60_000).toISOString();
    await alertmanager.post([
      { labels, annotations: { summary: 'harness' }, startsAt, generatorURL: 'http://127.0.0.1/#/incidents' },
    ]);

    const [listed, ...others] = await alertmanager.alerts({ labels: { dedup_key: dedupKey } });
    expect(others).toEqual([]);
    expect(listed?.labels).toEqual(labels);
    expect(listed?.annotations.summary).toBe('harness');
    expect(Date.parse(listed?.startsAt ?? '')).toBe(Date.parse(startsAt));
    expect(['active', 'unprocessed']).toContain(listed?.status.state);
    const firing = await alertmanager.waitForNotified({ dedup_key: dedupKey }, 'firing');
    expect(firing.generatorURL).toBe('http://127.0.0.1/#/incidents');

    const endsAt = new Date(Date.now() - 1_000).toISOString();
    await alertmanager.post([{ labels, startsAt, endsAt }]);

    // Resolved alerts leave the API's list; the resolution itself shows in the notification.
    expect(await alertmanager.alerts({ labels: { dedup_key: dedupKey } })).toEqual([]);
    const resolved = await alertmanager.waitForNotified({ dedup_key: dedupKey }, 'resolved');
    expect(Date.parse(resolved.endsAt)).toBe(Date.parse(endsAt));
  });

  it('keeps alerts of other label sets apart and filters on labels', async () => {
    const a = uniqueName('vigie');
    const b = uniqueName('vigie');
    await alertmanager.post([
      { labels: { alertname: 'VigieHarness', dedup_key: a } },
      { labels: { alertname: 'VigieHarness', dedup_key: b } },
    ]);
    const onlyA = await alertmanager.alerts({ labels: { dedup_key: a } });
    expect(onlyA.map((alert) => alert.labels.dedup_key)).toEqual([a]);
  });

  it('refuses an alert without labels, as Alertmanager does', async () => {
    await expect(alertmanager.post([{ labels: {} }])).rejects.toThrow(/400/);
  });
});
