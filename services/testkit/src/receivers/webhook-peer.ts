import { createHmac, timingSafeEqual } from 'node:crypto';
import { isJson, type PeerAnswer, type PeerRequest, VendorPeer } from './vendor-peer.js';

// A receiver of Vigie's generic webhook that verifies it as the README tells integrators
// to, written independently of the alerter's code: HMAC-SHA256 of "<X-Vigie-Timestamp>.<raw
// body>" with the shared secret, hex, in `X-Vigie-Signature: v1=<hex>`, compared in
// constant time; a timestamp more than 5 minutes away is a replay; `Idempotency-Key`
// deduplicates retries (a repeated key is answered 200 and not recorded twice).

export class WebhookPeer extends VendorPeer {
  private readonly seen = new Set<string>();
  /** Requests answered as duplicates of an earlier Idempotency-Key. */
  duplicates = 0;

  constructor(
    private readonly secret: string,
    private readonly clock: () => number = Date.now,
  ) {
    super();
  }

  get hookUrl(): string {
    return `${this.url}/vigie-hook`;
  }

  protected handle(request: PeerRequest): PeerAnswer & { accept: boolean } {
    const answer = (status: number, body: string, accept = false) => ({ accept, status, body });
    if (request.method !== 'POST' || request.url !== '/vigie-hook') return answer(404, 'not found');
    if (!isJson(request.headers) || request.json === undefined) return answer(400, 'body must be JSON');
    const timestamp = request.headers['x-vigie-timestamp'] ?? '';
    const signature = request.headers['x-vigie-signature'] ?? '';
    const key = request.headers['idempotency-key'];
    if (!/^\d+$/.test(timestamp)) return answer(401, 'missing or malformed X-Vigie-Timestamp');
    if (Math.abs(this.clock() / 1000 - Number(timestamp)) > 300)
      return answer(401, 'timestamp outside tolerance');
    const expected = `v1=${createHmac('sha256', this.secret).update(`${timestamp}.${request.body}`).digest('hex')}`;
    const a = Buffer.from(expected);
    const b = Buffer.from(signature);
    if (a.length !== b.length || !timingSafeEqual(a, b)) return answer(401, 'bad signature');
    if (!key) return answer(400, 'missing Idempotency-Key');
    if (this.seen.has(key)) {
      this.duplicates += 1;
      return answer(200, 'duplicate');
    }
    this.seen.add(key);
    return answer(200, 'received', true);
  }
}
