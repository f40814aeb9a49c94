import { isJson, type PeerAnswer, type PeerRequest, Problems, VendorPeer } from './vendor-peer.js';

// PagerDuty Events API v2 (POST /v2/enqueue) as documented: routing_key (32 characters),
// event_action trigger|acknowledge|resolve, dedup_key ≤ 255 (required to acknowledge or
// resolve), and for a trigger payload.summary ≤ 1024, payload.source, payload.severity
// critical|error|warning|info, optional timestamp (ISO 8601), component, group, class,
// custom_details (object), links [{href, text?}], images [{src (https), href?, alt?}].
// 202 {"status":"success","message":"Event processed","dedup_key":…};
// 400 {"status":"invalid event","message":"Event object is invalid","errors":[…]}.

const MAX_PAYLOAD = 512 * 1024;

export interface PagerDutyPeerOptions {
  /** When set, events for another routing key are refused. */
  routingKey?: string;
}

export class PagerDutyPeer extends VendorPeer {
  constructor(private readonly options: PagerDutyPeerOptions = {}) {
    super();
  }

  /** The Events API URL to configure. */
  get eventsUrl(): string {
    return `${this.url}/v2/enqueue`;
  }

  protected handle(request: PeerRequest): PeerAnswer & { accept: boolean } {
    if (request.method !== 'POST' || request.url !== '/v2/enqueue') {
      return { accept: false, status: 404, body: '{"status":"not found"}' };
    }
    const p = new Problems();
    if (!isJson(request.headers)) p.add('Content-Type must be application/json');
    if (Buffer.byteLength(request.body) > MAX_PAYLOAD) p.add('Event payload is larger than 512 KB');
    const event = request.json;
    if (p.object(event, 'event', true)) this.validate(event, p);
    if (!p.ok) return invalid(p.list);
    const dedupKey =
      typeof event === 'object' && event && 'dedup_key' in event ? String(event.dedup_key) : 'generated';
    return {
      accept: true,
      status: 202,
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ status: 'success', message: 'Event processed', dedup_key: dedupKey }),
    };
  }

  private validate(event: Record<string, unknown>, p: Problems): void {
    if (typeof event.routing_key !== 'string' || event.routing_key.length !== 32) {
      p.add("Length of 'routing_key' is incorrect (should be 32 characters)");
    } else if (this.options.routingKey && event.routing_key !== this.options.routingKey) {
      p.add('Invalid routing key');
    }
    p.oneOf(event.event_action, "'event_action'", ['trigger', 'acknowledge', 'resolve'], true);
    p.string(event.dedup_key, "'dedup_key'", 255, { required: event.event_action !== 'trigger' });
    if (event.event_action !== 'trigger') return;
    const payload = event.payload;
    if (p.object(payload, "'payload'", true)) {
      p.string(payload.summary, "'payload.summary'", 1024, { required: true });
      p.string(payload.source, "'payload.source'", 255, { required: true });
      p.oneOf(payload.severity, "'payload.severity'", ['critical', 'error', 'warning', 'info'], true);
      if (payload.timestamp !== undefined && Number.isNaN(Date.parse(String(payload.timestamp)))) {
        p.add("'payload.timestamp' must be an ISO 8601 timestamp");
      }
      for (const key of ['component', 'group', 'class'] as const)
        p.string(payload[key], `'payload.${key}'`, 255);
      p.object(payload.custom_details, "'payload.custom_details'");
    }
    if (p.array(event.links, "'links'", 50)) {
      for (const [i, link] of event.links.entries()) {
        if (p.object(link, `'links[${i}]'`, true)) {
          p.url(link.href, `'links[${i}].href'`, ['http:', 'https:'], true);
          p.string(link.text, `'links[${i}].text'`, 1024);
        }
      }
    }
    if (p.array(event.images, "'images'", 50)) {
      for (const [i, image] of event.images.entries()) {
        if (p.object(image, `'images[${i}]'`, true)) p.url(image.src, `'images[${i}].src'`, ['https:'], true);
      }
    }
    p.string(event.client, "'client'", 255);
    p.url(event.client_url, "'client_url'");
  }
}

function invalid(errors: string[]): PeerAnswer & { accept: boolean } {
  return {
    accept: false,
    status: 400,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ status: 'invalid event', message: 'Event object is invalid', errors }),
  };
}
