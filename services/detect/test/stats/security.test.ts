import type { LogEvent } from '@vigie/common';
import { describe, expect, it } from 'vitest';
import { failedLogin, SecurityDetector, type SecurityVerdict } from '../../src/detectors/security.js';

const T0 = Date.parse('2026-01-05T10:00:00Z');

function login(time: number, ip: string, user: string, outcome = 'failure'): LogEvent {
  return {
    '@timestamp': new Date(time).toISOString(),
    message: `login ${outcome} for ${user}`,
    service: { name: 'auth' },
    event: { category: ['authentication'], outcome },
    source: { ip },
    user: { name: user },
  };
}

function request(time: number, ip: string, path: string, status: number): LogEvent {
  return {
    '@timestamp': new Date(time).toISOString(),
    message: `GET ${path} ${status}`,
    service: { name: 'web' },
    source: { ip },
    url: { path },
    http: { response: { status_code: status } },
  };
}

function anomalous(verdicts: SecurityVerdict[]) {
  return verdicts.filter((v) => v.verdict.anomalous).map((v) => `${v.kind} ${v.field}=${v.actor}`);
}

describe('security detectors', () => {
  it('flag 10 failed logins a minute from one ip, not the same spread over many ips', () => {
    const detector = new SecurityDetector();
    for (let i = 0; i < 12; i++)
      detector.add(`b${i}`, login(T0 + i * 4_000, '203.0.113.9', 'admin'), T0 + i * 4_000);
    for (let i = 0; i < 40; i++)
      detector.add(`n${i}`, login(T0 + i * 1_000, `10.0.${i}.1`, `user${i}`), T0 + i * 1_000);
    const found = anomalous(detector.evaluate(T0 + 50_000, () => false));
    expect(found).toContain('brute_force source.ip=203.0.113.9');
    expect(found.filter((f) => f.includes('10.0.'))).toEqual([]);
    // One ip against one user is the ip's brute force, not a distributed attack on the user.
    expect(found).not.toContain('brute_force user.name=admin');
  });

  it('flags a user attacked from several ips, and an ip spraying many users', () => {
    const detector = new SecurityDetector();
    for (let i = 0; i < 12; i++)
      detector.add(`u${i}`, login(T0 + i * 3_000, `198.51.100.${i % 4}`, 'ceo'), T0 + i * 3_000);
    for (let i = 0; i < 11; i++)
      detector.add(`s${i}`, login(T0 + i * 20_000, '192.0.2.77', `staff${i}`), T0 + i * 20_000);
    const found = anomalous(detector.evaluate(T0 + 220_000, () => false));
    expect(found).toContain('password_spraying source.ip=192.0.2.77');
    const later = new SecurityDetector();
    for (let i = 0; i < 12; i++)
      later.add(`u${i}`, login(T0 + i * 3_000, `198.51.100.${i % 4}`, 'ceo'), T0 + i * 3_000);
    expect(anomalous(later.evaluate(T0 + 40_000, () => false))).toContain('brute_force user.name=ceo');
  });

  it('flags an ip scanning distinct routes, not one client missing many products', () => {
    const detector = new SecurityDetector();
    const probes = [
      '/.env',
      '/admin',
      '/wp-login.php',
      '/.git/config',
      '/phpmyadmin',
      '/backup.zip',
      '/server-status',
      '/actuator',
    ];
    for (const [i, path] of probes.entries()) {
      detector.add(`p${i}`, request(T0 + i * 2_000, '198.51.100.23', path, 404), T0 + i * 2_000);
    }
    for (let i = 0; i < 30; i++)
      detector.add(
        `m${i}`,
        request(T0 + i * 1_000, '10.1.1.1', `/products/${1000 + i}`, 404),
        T0 + i * 1_000,
      );
    const found = anomalous(detector.evaluate(T0 + 30_000, () => false));
    expect(found).toEqual(['scan source.ip=198.51.100.23']);
  });

  it('reads sshd and PAM lines without ECS fields', () => {
    const base = { '@timestamp': new Date(T0).toISOString(), service: { name: 'sshd' } };
    expect(
      failedLogin({
        ...base,
        message: 'Failed password for invalid user oracle from 203.0.113.5 port 4242 ssh2',
      }),
    ).toEqual({
      ip: '203.0.113.5',
      user: 'oracle',
    });
    expect(
      failedLogin({
        ...base,
        message:
          'pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=198.51.100.4  user=root',
      }),
    ).toEqual({ ip: '198.51.100.4', user: 'root' });
    expect(
      failedLogin({ ...base, message: 'Accepted password for alice from 10.0.0.2 port 22 ssh2' }),
    ).toBeUndefined();
    expect(failedLogin(login(T0, '1.2.3.4', 'bob', 'success'))).toBeUndefined();
  });
});

describe('security windows across a restart', () => {
  it('keep counting a brute force after a snapshot is restored from JSON', () => {
    const before = new SecurityDetector();
    for (let i = 0; i < 6; i++)
      before.add(`a${i}`, login(T0 + i * 4_000, '203.0.113.9', 'admin'), T0 + i * 4_000);
    expect(anomalous(before.evaluate(T0 + 25_000, () => false))).toEqual([]);
    const after = new SecurityDetector(undefined, JSON.parse(JSON.stringify(before.snapshot())));
    for (let i = 6; i < 12; i++)
      after.add(`a${i}`, login(T0 + i * 4_000, '203.0.113.9', 'admin'), T0 + i * 4_000);
    expect(anomalous(after.evaluate(T0 + 50_000, () => false))).toContain(
      'brute_force source.ip=203.0.113.9',
    );
  });
});
