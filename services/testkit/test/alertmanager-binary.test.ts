import { afterEach, describe, expect, it } from 'vitest';
import { alertmanagerBinary } from '../src/index.js';

describe('alertmanagerBinary', () => {
  const saved = process.env.VIGIE_ALERTMANAGER_BIN;
  afterEach(() => {
    if (saved === undefined) delete process.env.VIGIE_ALERTMANAGER_BIN;
    else process.env.VIGIE_ALERTMANAGER_BIN = saved;
  });

  it('names the Debian package to install when no binary is found', () => {
    process.env.VIGIE_ALERTMANAGER_BIN = '/nonexistent/alertmanager';
    expect(() => alertmanagerBinary()).toThrow(/apt-get install -y prometheus-alertmanager/);
  });

  it('uses the binary VIGIE_ALERTMANAGER_BIN points at', () => {
    process.env.VIGIE_ALERTMANAGER_BIN = process.execPath;
    expect(alertmanagerBinary()).toBe(process.execPath);
  });
});
