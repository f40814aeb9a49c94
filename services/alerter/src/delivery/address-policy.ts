import { isIP } from 'node:net';
import { ConfigError } from '@vigie/common';
import ipaddr from 'ipaddr.js';

type Address = ipaddr.IPv4 | ipaddr.IPv6;
type Network = [Address, number];

/** Whether a receiver may be reached at one address, and if not, which range refused it. */
export type AddressVerdict = { allowed: true } | { allowed: false; range: string };

/**
 * Which IP addresses notifications may be sent to. Only public unicast addresses pass:
 * loopback, RFC 1918, CGNAT, link-local (cloud metadata at 169.254.169.254), 0/8,
 * multicast, broadcast and reserved IPv4; ::1, ::, fc00::/7, fe80::/10, site-local,
 * Teredo, reserved IPv6. IPv6 forms that carry an IPv4 address (::ffff:a.b.c.d,
 * ::ffff:0:a.b.c.d, ::a.b.c.d, NAT64 64:ff9b::/96, 6to4 2002::/16) are judged by the
 * IPv4 address they lead to. `allowedNetworks` (CIDRs, or single addresses) let chosen
 * ranges through anyway, e.g. `127.0.0.1/32` for an Alertmanager on the same host.
 */
export class AddressPolicy {
  private readonly allowed: Network[];

  /** Throws `ConfigError` listing every entry of `allowedNetworks` that is not a CIDR or an address. */
  constructor(allowedNetworks: readonly string[]) {
    const invalid: string[] = [];
    this.allowed = [];
    for (const text of allowedNetworks) {
      const network = parseNetwork(text);
      if (network === undefined) invalid.push(text);
      else this.allowed.push(network);
    }
    if (invalid.length > 0) {
      throw new ConfigError(
        `alerter.delivery.allowedNetworks: not CIDRs or IP addresses: ${invalid.map((t) => JSON.stringify(t)).join(', ')}`,
      );
    }
  }

  /** Judges one resolved address (dotted quad or IPv6 text, as a resolver returns them). */
  check(text: string): AddressVerdict {
    if (isIP(text) === 0 || !ipaddr.isValid(text)) return { allowed: false, range: 'not_an_address' };
    const address = ipaddr.parse(canonicalIPv6(text));
    if (this.isAllowed(address)) return { allowed: true };
    if (address.kind() === 'ipv4') return judge(address.range());
    const v6 = address as ipaddr.IPv6;
    const embedded = embeddedIPv4(v6);
    if (embedded === undefined) return judge(v6.range());
    if (this.isAllowed(embedded)) return { allowed: true };
    const verdict = judge(embedded.range());
    return verdict.allowed ? verdict : { allowed: false, range: `${v6.range()}(${verdict.range})` };
  }

  private isAllowed(address: Address): boolean {
    return this.allowed.some(
      ([network, bits]) => network.kind() === address.kind() && address.match(network, bits),
    );
  }
}

function judge(range: string): AddressVerdict {
  return range === 'unicast' ? { allowed: true } : { allowed: false, range };
}

function parseNetwork(text: string): Network | undefined {
  const trimmed = text.trim();
  // Only canonical spellings: ipaddr.js would also read "0x7f.1" or "127.1", which hides typos.
  const [base = '', bits] = trimmed.split('/');
  if (isIP(base) === 0) return undefined;
  try {
    if (bits !== undefined) return ipaddr.parseCIDR(trimmed);
    const address = ipaddr.parse(base);
    return [address, address.kind() === 'ipv4' ? 32 : 128];
  } catch {
    return undefined;
  }
}

/**
 * ipaddr.js reads `::a.b.c.d` as `::ffff:a.b.c.d`; the WHATWG parser gets the dotted
 * tail of IPv6 text right, so it rewrites it first (zone ids aside: it refuses them).
 */
function canonicalIPv6(text: string): string {
  if (isIP(text) !== 6 || !text.includes('.') || text.includes('%')) return text;
  return new URL(`http://[${text}]/`).hostname.slice(1, -1);
}

/** The IPv4 address an IPv6 address stands for, when its form embeds one. */
function embeddedIPv4(address: ipaddr.IPv6): ipaddr.IPv4 | undefined {
  const p = address.parts;
  const low = (high: number, lowPart: number) =>
    new ipaddr.IPv4([high >> 8, high & 0xff, lowPart >> 8, lowPart & 0xff]);
  const range = address.range();
  if (range === 'ipv4Mapped' || range === 'rfc6145') return low(p[6] ?? 0, p[7] ?? 0);
  if (range === 'rfc6052' && p[0] === 0x64 && p[1] === 0xff9b && p.slice(2, 6).every((x) => x === 0)) {
    return low(p[6] ?? 0, p[7] ?? 0);
  }
  if (range === '6to4') return low(p[1] ?? 0, p[2] ?? 0);
  // Deprecated IPv4-compatible form ::a.b.c.d (:: and ::1 are judged as themselves).
  if (range === 'unicast' && p.slice(0, 6).every((x) => x === 0)) return low(p[6] ?? 0, p[7] ?? 0);
  return undefined;
}
