import type { ContextSource } from '../ports/log-search.js';
import type { LogEvent } from '../schema/log-event.js';

/**
 * The source an event was written by, as far as its origin fields tell (the collector
 * sets them, content cannot forge them): the stores read an event's context from this
 * source only, in the order it wrote its lines. Shared by every store so they agree.
 */
export function contextSourceOf(event: LogEvent): ContextSource {
  const host = event.host?.name;
  const path = event.log?.file?.path;
  if (path !== undefined) {
    const fields: Record<string, string> = { 'log.file.path': path };
    if (host !== undefined) fields['host.name'] = host;
    return {
      kind: 'file',
      description: host !== undefined ? `${path} on ${host}` : path,
      fields,
      order: ['log.offset', '@timestamp'],
    };
  }
  const container = event.container?.id;
  if (container !== undefined) {
    const name = event.container?.name;
    return {
      kind: 'container',
      description: name !== undefined ? `container ${name} (${container})` : `container ${container}`,
      fields: { 'container.id': container },
      order: ['@timestamp', 'event.sequence'],
    };
  }
  const stream = event.vigie?.stream;
  if (stream !== undefined) {
    const syslog = event.log?.syslog !== undefined || event.vigie?.source?.startsWith('syslog') === true;
    return {
      kind: syslog ? 'syslog' : 'stream',
      description: syslog ? `syslog stream ${stream}` : `stream ${stream}`,
      fields: { 'vigie.stream': stream },
      order: ['event.sequence', '@timestamp'],
    };
  }
  const sender = event.log?.syslog?.hostname;
  if (sender !== undefined) {
    const fields: Record<string, string> = { 'log.syslog.hostname': sender };
    const app = event.log?.syslog?.appname;
    if (app !== undefined) fields['log.syslog.appname'] = app;
    return {
      kind: 'syslog',
      description: app !== undefined ? `syslog ${app} on ${sender}` : `syslog from ${sender}`,
      fields,
      order: ['@timestamp'],
    };
  }
  const fields: Record<string, string> = { 'service.name': event.service.name };
  if (host !== undefined) fields['host.name'] = host;
  return {
    kind: 'time',
    description: `no origin recorded: events of ${event.service.name}${host !== undefined ? ` on ${host}` : ''} by time`,
    fields,
    order: ['@timestamp'],
  };
}
