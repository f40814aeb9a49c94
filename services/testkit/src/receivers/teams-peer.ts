import { isJson, type PeerAnswer, type PeerRequest, Problems, VendorPeer } from './vendor-peer.js';

// A Microsoft Teams incoming webhook receiving an Adaptive Card, as documented: a message
// (`type: "message"`) whose attachments have contentType
// application/vnd.microsoft.card.adaptive and an AdaptiveCard `content` (version, body);
// every element has a known type (TextBlock needs text; FactSet facts need title and
// value; containers nest items), actions are Action.OpenUrl (http/https url),
// Action.ShowCard or Action.ToggleVisibility (Action.Submit is not supported), and the
// message is at most 28 KB. Connector mode answers 200 "1"; Workflows mode answers 202.
// Invalid: 400 "Bad payload received by generic incoming webhook.", too large: 413.

const MAX_BYTES = 28 * 1024;
const ELEMENTS = [
  'TextBlock',
  'RichTextBlock',
  'FactSet',
  'Container',
  'ColumnSet',
  'Column',
  'Image',
  'ActionSet',
];
const ACTIONS = ['Action.OpenUrl', 'Action.ShowCard', 'Action.ToggleVisibility'];

export class TeamsPeer extends VendorPeer {
  readonly path = '/webhookb2/00000000-0000-0000-0000-000000000000@tenant/IncomingWebhook/abc/def';

  constructor(private readonly mode: 'connector' | 'workflow' = 'connector') {
    super();
  }

  get webhookUrl(): string {
    return `${this.url}${this.path}`;
  }

  protected handle(request: PeerRequest): PeerAnswer & { accept: boolean } {
    const text = (status: number, body: string, accept = false) => ({ accept, status, body });
    if (request.method !== 'POST' || request.url !== this.path) return text(404, 'Not Found');
    if (Buffer.byteLength(request.body) > MAX_BYTES) return text(413, 'Payload Too Large');
    const p = new Problems();
    if (!isJson(request.headers)) p.add('Content-Type must be application/json');
    const message = request.json;
    if (p.object(message, 'message', true)) {
      if (message.type !== 'message') p.add('type must be message');
      if (p.array(message.attachments, 'attachments', 10, true)) {
        if (message.attachments.length === 0) p.add('attachments must not be empty');
        for (const [i, attachment] of message.attachments.entries()) {
          validateAttachment(attachment, `attachments[${i}]`, p);
        }
      }
    }
    if (!p.ok) return text(400, 'Bad payload received by generic incoming webhook.');
    return this.mode === 'connector' ? text(200, '1', true) : text(202, '', true);
  }
}

function validateAttachment(attachment: unknown, path: string, p: Problems): void {
  if (!p.object(attachment, path, true)) return;
  if (attachment.contentType !== 'application/vnd.microsoft.card.adaptive') {
    p.add(`${path}.contentType must be application/vnd.microsoft.card.adaptive`);
  }
  const card = attachment.content;
  if (!p.object(card, `${path}.content`, true)) return;
  if (card.type !== 'AdaptiveCard') p.add(`${path}.content.type must be AdaptiveCard`);
  p.string(card.version, `${path}.content.version`, 10, { required: true });
  if (p.array(card.body, `${path}.content.body`, 500)) {
    for (const [i, element] of card.body.entries()) validateElement(element, `${path}.content.body[${i}]`, p);
  }
  if (p.array(card.actions, `${path}.content.actions`, 20)) {
    for (const [i, action] of card.actions.entries())
      validateAction(action, `${path}.content.actions[${i}]`, p);
  }
}

function validateElement(element: unknown, path: string, p: Problems): void {
  if (!p.object(element, path, true)) return;
  if (typeof element.type !== 'string' || !ELEMENTS.includes(element.type)) {
    p.add(`${path}.type is not a supported element`);
    return;
  }
  if (element.type === 'TextBlock') p.string(element.text, `${path}.text`, 100_000, { required: true });
  if (element.type === 'FactSet' && p.array(element.facts, `${path}.facts`, 100, true)) {
    for (const [i, fact] of element.facts.entries()) {
      if (!p.object(fact, `${path}.facts[${i}]`, true)) return;
      p.string(fact.title, `${path}.facts[${i}].title`, 100_000, { required: true, min: 0 });
      p.string(fact.value, `${path}.facts[${i}].value`, 100_000, { required: true, min: 0 });
    }
  }
  for (const key of ['items', 'columns'] as const) {
    if (element[key] !== undefined && p.array(element[key], `${path}.${key}`, 500)) {
      for (const [i, child] of (element[key] as unknown[]).entries())
        validateElement(child, `${path}.${key}[${i}]`, p);
    }
  }
}

function validateAction(action: unknown, path: string, p: Problems): void {
  if (!p.object(action, path, true)) return;
  if (typeof action.type !== 'string' || !ACTIONS.includes(action.type)) {
    p.add(`${path}.type is not supported`);
    return;
  }
  if (action.type === 'Action.OpenUrl') p.url(action.url, `${path}.url`, ['http:', 'https:'], true);
}
