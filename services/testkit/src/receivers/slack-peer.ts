import { isJson, type PeerAnswer, type PeerRequest, Problems, VendorPeer } from './vendor-peer.js';

// A Slack incoming webhook: POST JSON with `text` and/or Block Kit `blocks`. Answers
// 200 "ok"; 400 invalid_payload (not JSON), no_text (neither text nor blocks) or
// invalid_blocks (a block breaks Block Kit's limits: 50 blocks; header plain_text ≤ 150;
// section text ≤ 3000, ≤ 10 fields of ≤ 2000; context ≤ 10 elements; actions ≤ 25
// elements; button text plain_text ≤ 75, url ≤ 3000); 404 no_service for another path.

const TEXT_TYPES = ['plain_text', 'mrkdwn'];

export class SlackPeer extends VendorPeer {
  /** The path of the webhook (holds the token in Slack). */
  readonly path = '/services/T00000000/B00000000/XXXXXXXXXXXXXXXXXXXXXXXX';

  get webhookUrl(): string {
    return `${this.url}${this.path}`;
  }

  protected handle(request: PeerRequest): PeerAnswer & { accept: boolean } {
    const text = (status: number, body: string, accept = false) => ({
      accept,
      status,
      body,
      headers: { 'content-type': 'text/html' },
    });
    if (request.method !== 'POST' || request.url !== this.path) return text(404, 'no_service');
    if (!isJson(request.headers) || typeof request.json !== 'object' || request.json === null) {
      return text(400, 'invalid_payload');
    }
    const message = request.json as Record<string, unknown>;
    const hasBlocks = Array.isArray(message.blocks) && message.blocks.length > 0;
    if (typeof message.text !== 'string' && !hasBlocks) return text(400, 'no_text');
    const p = new Problems();
    if (message.text !== undefined) p.string(message.text, 'text', 40000);
    if (message.blocks !== undefined && p.array(message.blocks, 'blocks', 50)) {
      for (const [i, block] of message.blocks.entries()) validateBlock(block, `blocks[${i}]`, p);
    }
    return p.ok ? text(200, 'ok', true) : text(400, 'invalid_blocks');
  }
}

function textObject(value: unknown, path: string, p: Problems, max: number, types = TEXT_TYPES): void {
  if (!p.object(value, path, true)) return;
  p.oneOf(value.type, `${path}.type`, types, true);
  p.string(value.text, `${path}.text`, max, { required: true });
  if (value.emoji !== undefined && (value.type !== 'plain_text' || typeof value.emoji !== 'boolean')) {
    p.add(`${path}.emoji is only a boolean of plain_text`);
  }
}

function validateBlock(block: unknown, path: string, p: Problems): void {
  if (!p.object(block, path, true)) return;
  switch (block.type) {
    case 'header':
      textObject(block.text, `${path}.text`, p, 150, ['plain_text']);
      return;
    case 'section':
      if (block.text === undefined && block.fields === undefined) p.add(`${path} needs text or fields`);
      if (block.text !== undefined) textObject(block.text, `${path}.text`, p, 3000);
      if (block.fields !== undefined && p.array(block.fields, `${path}.fields`, 10)) {
        for (const [i, field] of block.fields.entries()) textObject(field, `${path}.fields[${i}]`, p, 2000);
      }
      if (block.accessory !== undefined) validateButton(block.accessory, `${path}.accessory`, p);
      return;
    case 'context':
      if (p.array(block.elements, `${path}.elements`, 10, true)) {
        for (const [i, element] of block.elements.entries())
          textObject(element, `${path}.elements[${i}]`, p, 3000);
      }
      return;
    case 'actions':
      if (p.array(block.elements, `${path}.elements`, 25, true)) {
        for (const [i, element] of block.elements.entries())
          validateButton(element, `${path}.elements[${i}]`, p);
      }
      return;
    case 'divider':
      return;
    default:
      p.add(`${path}.type is not a block type this peer knows`);
  }
}

function validateButton(element: unknown, path: string, p: Problems): void {
  if (!p.object(element, path, true)) return;
  if (element.type !== 'button') {
    p.add(`${path}.type must be button`);
    return;
  }
  textObject(element.text, `${path}.text`, p, 75, ['plain_text']);
  if (element.url !== undefined) {
    p.string(element.url, `${path}.url`, 3000);
    p.url(element.url, `${path}.url`);
  }
}
