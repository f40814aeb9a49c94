import type { LogEvent, Logger } from '@vigie/common';
import type { FastifyRequest } from 'fastify';
import type { LineSink, RawLine } from '../../model.js';
import type { EventContext } from './event.js';
import type { HttpMetrics } from './metrics.js';

/** What every route plugin is given by `buildHttpApp`. */
export interface RouteContext {
  sink: LineSink;
  logger: Logger;
  metrics: HttpMetrics;
  defaultService: string;
  /** Larger bodies get 413, also once decompressed by a route (snappy). */
  maxBodyBytes: number;
  /** host.name of this collector, for the cluster info that Elasticsearch shippers ask for. */
  hostName: string;
}

/** The origin of the events of one request: source, per-request stream, arrival time. */
export function eventContext(request: FastifyRequest, source: string, defaultService: string): EventContext {
  return {
    source,
    stream: `http:${request.ip}#${request.id}`,
    sequence: 0,
    receivedAt: Date.now(),
    defaultService,
  };
}

/** A line to hand to the pipeline's parsers, with the request's origin. */
export function rawLine(text: string, context: EventContext, hints?: RawLine['hints']): RawLine {
  const line: RawLine = {
    text,
    origin: { source: context.source, stream: context.stream, sequence: context.sequence },
    receivedAt: context.receivedAt,
  };
  if (hints !== undefined) line.hints = hints;
  return line;
}

/**
 * Hands a request's events and lines to the sink and resolves once all are durable.
 * A `BackpressureError` propagates: the app's error handler answers 503 + Retry-After.
 * Delivery is at least once: when the lines are refused after the events were taken,
 * the client's retry sends those events again (storage keeps both).
 */
export async function deliver(
  context: RouteContext,
  route: string,
  source: string,
  events: LogEvent[],
  lines: RawLine[] = [],
): Promise<void> {
  if (events.length > 0) await context.sink.submitEvents(source, events);
  if (lines.length > 0) await context.sink.submitLines(source, lines);
  context.metrics.events.inc({ route }, events.length + lines.length);
}
