import { lookup as dnsLookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import { buildConnector } from 'undici';
import type { AddressPolicy } from './address-policy.js';
import { DeliveryError } from './delivery-error.js';

/** One address a host name resolves to. */
export interface ResolvedAddress {
  address: string;
  family: number;
}

/** Resolves a host name to every address it has (the system resolver by default). */
export type HostLookup = (hostname: string) => Promise<ResolvedAddress[]>;

/** The system resolver (getaddrinfo), every address in the order it gives them. */
export const systemLookup: HostLookup = (hostname) => dnsLookup(hostname, { all: true });

export interface PinnedConnectorOptions {
  policy: AddressPolicy;
  lookup: HostLookup;
  /** Bounds the name resolution and, separately, the TCP + TLS handshake. */
  connectTimeoutMs: number;
  /** Extra trusted certificate authorities (private PKI, tests); the system ones otherwise. */
  ca?: string | Buffer | Array<string | Buffer>;
}

/**
 * An undici connector that checks where it connects. For each new connection it
 * resolves the host once, refuses it if ANY address is outside the policy (a name with
 * one public and one private address is refused: which one the OS would pick is not
 * ours to guess), then connects to exactly the address it checked. The socket never
 * resolves the name again, so a DNS answer that changes between the check and the
 * connect (rebinding) cannot move it. TLS still verifies the certificate against the
 * host name and sends it as SNI.
 */
export function createPinnedConnector(options: PinnedConnectorOptions): buildConnector.connector {
  const connectToAddress = buildConnector({
    timeout: options.connectTimeoutMs,
    ...(options.ca === undefined ? {} : { ca: options.ca }),
  });
  return (connectOptions, callback) => {
    const hostname = connectOptions.hostname;
    resolveChecked(hostname, options).then(
      (address) => {
        const servername = isIP(hostname) === 0 ? hostname : undefined;
        connectToAddress(
          { ...connectOptions, hostname: address, ...(servername === undefined ? {} : { servername }) },
          callback,
        );
      },
      (err: unknown) => {
        callback(err instanceof Error ? err : new DeliveryError('dns_failed', hostname), null);
      },
    );
  };
}

async function resolveChecked(hostname: string, options: PinnedConnectorOptions): Promise<string> {
  const addresses =
    isIP(hostname) !== 0
      ? [hostname]
      : (await withTimeout(options.lookup(hostname), options.connectTimeoutMs, hostname)).map(
          (a) => a.address,
        );
  const first = addresses[0];
  if (first === undefined) throw new DeliveryError('dns_failed', hostname, 'no address');
  for (const address of addresses) {
    const verdict = options.policy.check(address);
    if (!verdict.allowed) {
      const seen =
        address === hostname ? `${verdict.range} address` : `resolves to ${address}, ${verdict.range}`;
      throw new DeliveryError('blocked_address', hostname, seen);
    }
  }
  return first;
}

async function withTimeout<T>(promise: Promise<T>, ms: number, hostname: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new DeliveryError('dns_failed', hostname, 'lookup timed out')), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } catch (err) {
    if (err instanceof DeliveryError) throw err;
    const code = (err as { code?: unknown }).code;
    throw new DeliveryError('dns_failed', hostname, typeof code === 'string' ? code : undefined);
  } finally {
    clearTimeout(timer);
  }
}
