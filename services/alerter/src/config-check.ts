import { isIP } from 'node:net';
import { type AlerterConfig, ConfigError, type IncidentAnomaly, type IncidentGroup } from '@vigie/common';
import { AddressPolicy } from './delivery/address-policy.js';

/** What is wrong with the alerter's settings beyond their schema. */
export interface AlerterConfigCheck {
  /** Settings the alerter cannot run with, one sentence each. */
  problems: string[];
  /** Settings that work but probably not as meant (a receiver no route uses). */
  warnings: string[];
}

// Records keep the lists complete: a new kind or group fails to compile until added here.
const KINDS: Record<IncidentAnomaly['kind'], true> = {
  error_spike: true,
  latency: true,
  volume_high: true,
  volume_low: true,
  new_pattern: true,
  brute_force: true,
  password_spraying: true,
  scan: true,
  log_rule: true,
};
const GROUPS: Record<IncidentGroup, true> = { availability: true, security: true, rule: true };

/**
 * The cross-field rules of the `alerter` section, checked at start-up so a typo fails
 * the boot instead of a page at 3 a.m.: unique receiver names, routes naming existing
 * receivers and known kinds and groups, receiver URLs that parse, use https (unless
 * `delivery.allowHttp`) and whose literal IP host (or `localhost`) is allowed by the
 * same `AddressPolicy` delivery uses, valid `allowedNetworks`, `retryMinMs ≤ retryMaxMs`.
 * Host names are not resolved here: the delivery client resolves and checks them on
 * every connection, so a name that points to a refused range later is still refused.
 * Messages name receivers by index and name, never by URL, key or token.
 */
export function checkAlerterConfig(config: AlerterConfig): AlerterConfigCheck {
  const problems: string[] = [];
  const warnings: string[] = [];
  const { delivery } = config;

  const policy = new AddressPolicy(validNetworks(delivery.allowedNetworks, problems));
  if (delivery.retryMinMs > delivery.retryMaxMs) {
    problems.push(
      `alerter.delivery.retryMinMs (${delivery.retryMinMs}) is above alerter.delivery.retryMaxMs (${delivery.retryMaxMs})`,
    );
  }

  const firstIndex = new Map<string, number>();
  config.receivers.forEach((receiver, index) => {
    const where = `alerter.receivers[${index}] (${receiver.name})`;
    const first = firstIndex.get(receiver.name);
    if (first === undefined) firstIndex.set(receiver.name, index);
    else problems.push(`${where}: name already used by alerter.receivers[${first}]`);
    const problem = urlProblem(receiver.url, delivery.allowHttp, policy);
    if (problem) problems.push(`${where}.url: ${problem}`);
  });

  const routed = new Set<string>();
  config.routes.forEach((route, index) => {
    const where = `alerter.routes[${index}]`;
    for (const name of route.receivers) {
      routed.add(name);
      if (!firstIndex.has(name)) {
        const known = [...firstIndex.keys()].join(', ') || 'none';
        problems.push(`${where}.receivers: no receiver is named "${name}" (configured: ${known})`);
      }
    }
    for (const kind of route.match.kind ?? []) {
      if (!Object.hasOwn(KINDS, kind)) {
        problems.push(
          `${where}.match.kind: unknown kind "${kind}" (one of ${Object.keys(KINDS).join(', ')})`,
        );
      }
    }
    for (const group of route.match.group ?? []) {
      if (!Object.hasOwn(GROUPS, group)) {
        problems.push(
          `${where}.match.group: unknown group "${group}" (one of ${Object.keys(GROUPS).join(', ')})`,
        );
      }
    }
  });

  config.receivers.forEach((receiver, index) => {
    if (!routed.has(receiver.name) && firstIndex.get(receiver.name) === index) {
      warnings.push(`alerter.receivers[${index}] (${receiver.name}): no route sends to it`);
    }
  });
  return { problems, warnings };
}

/**
 * Throws one `ConfigError` listing every problem, one per line; returns the warnings for
 * the caller to log.
 */
export function requireValidAlerterConfig(config: AlerterConfig): string[] {
  const { problems, warnings } = checkAlerterConfig(config);
  if (problems.length > 0) {
    throw new ConfigError(
      `Invalid alerter configuration:\n${problems.map((problem) => `  - ${problem}`).join('\n')}`,
    );
  }
  return warnings;
}

function validNetworks(networks: readonly string[], problems: string[]): string[] {
  return networks.filter((network, index) => {
    try {
      new AddressPolicy([network]);
      return true;
    } catch {
      // Configured ranges are not secrets; printed so the typo can be found.
      problems.push(
        `alerter.delivery.allowedNetworks[${index}]: ${JSON.stringify(network)} is not a CIDR or an IP address`,
      );
      return false;
    }
  });
}

/** Why a receiver URL cannot work, without repeating the URL (its path may hold a token). */
function urlProblem(text: string, allowHttp: boolean, policy: AddressPolicy): string | undefined {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return 'not a valid absolute URL';
  }
  if (url.protocol === 'http:' && !allowHttp) {
    return 'http is refused: use https, or set alerter.delivery.allowHttp for a trusted network';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') {
    return `scheme ${url.protocol.replace(/:$/, '')} is not supported: use https`;
  }
  // The WHATWG parser already turned 2130706433, 0x7f.1 or 0177.0.0.1 into 127.0.0.1.
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  const literal =
    isIP(host) !== 0 ? host : host === 'localhost' || host.endsWith('.localhost') ? '127.0.0.1' : undefined;
  if (literal === undefined) return undefined;
  const verdict = policy.check(literal);
  if (verdict.allowed) return undefined;
  return `host ${url.hostname} is in a refused range (${verdict.range}); add it to alerter.delivery.allowedNetworks to allow it`;
}
