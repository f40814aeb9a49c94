import type { Incident, RouteProfile, ServiceProfile } from './types.js';

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;

const route = (
  method: string,
  path: string,
  weight: number,
  latencyMedianMs: number,
  latencyP95Ms: number,
  errorRatio: number,
): RouteProfile => ({ method, path, weight, latencyMedianMs, latencyP95Ms, errorRatio });

/**
 * A small online shop: an nginx front, the shop API, an authentication service, a Java
 * payment service that throws the odd exception and an order worker, 2-3 hosts each,
 * about 8 events per second altogether at the daily peak.
 */
export function defaultShop(): ServiceProfile[] {
  return [
    {
      name: 'frontend',
      version: '1.25.4',
      kind: 'nginx',
      hosts: ['web-1', 'web-2', 'web-3'],
      peakEventsPerSecond: 3,
      routes: [
        route('GET', '/', 20, 12, 45, 0.001),
        route('GET', '/products/:id', 35, 25, 90, 0.002),
        route('GET', '/static/js/app.:id.js', 25, 3, 12, 0),
        route('GET', '/cart', 10, 40, 160, 0.003),
        route('POST', '/checkout', 5, 180, 650, 0.005),
        route('GET', '/search', 5, 60, 240, 0.002),
      ],
    },
    {
      name: 'shop-api',
      version: '2.3.1',
      kind: 'http-api',
      hosts: ['api-1', 'api-2', 'api-3'],
      peakEventsPerSecond: 2.5,
      routes: [
        route('GET', '/api/products/:id', 40, 80, 300, 0.002),
        route('GET', '/api/products', 20, 120, 400, 0.002),
        route('GET', '/api/cart/:id', 20, 40, 150, 0.003),
        route('POST', '/api/orders', 10, 150, 600, 0.005),
        route('GET', '/api/orders/:id', 10, 50, 200, 0.003),
      ],
    },
    {
      name: 'auth',
      version: '1.8.0',
      kind: 'auth',
      hosts: ['auth-1', 'auth-2'],
      peakEventsPerSecond: 1,
      loginFailureRatio: 0.04,
      routes: [
        route('POST', '/login', 60, 90, 250, 0.001),
        route('POST', '/token/refresh', 30, 15, 50, 0.001),
        route('POST', '/logout', 10, 10, 40, 0.001),
      ],
    },
    {
      name: 'payment',
      version: '3.12.0',
      kind: 'http-api',
      hosts: ['pay-1', 'pay-2'],
      peakEventsPerSecond: 0.5,
      routes: [
        route('POST', '/payments', 70, 350, 1200, 0.004),
        route('GET', '/payments/:id', 30, 30, 110, 0.002),
      ],
      errorTemplates: [
        {
          type: 'java.net.SocketTimeoutException',
          message: 'Read timed out after {ms} ms calling acquirer',
          stackTrace: true,
        },
        {
          type: 'org.springframework.dao.CannotAcquireLockException',
          message: 'could not obtain lock on payment {id}',
          stackTrace: true,
        },
      ],
    },
    {
      name: 'order-worker',
      version: '2.3.1',
      kind: 'worker',
      hosts: ['worker-1', 'worker-2'],
      peakEventsPerSecond: 1,
      routes: [
        route('orders', 'send-confirmation-email', 50, 300, 900, 0.003),
        route('orders', 'reserve-stock', 35, 60, 200, 0.002),
        route('orders', 'sync-invoice', 15, 800, 2500, 0.005),
      ],
    },
  ];
}

/**
 * The six incidents of the detection scenario, for `defaultShop()`, one after the other
 * on the day that follows `baselineDays` normal days (default 5) counted from the UTC
 * midnight before `start`, in business hours so that they meet daytime traffic:
 *
 * - 09:00-09:30 brute force: 50 failed logins a minute from 203.0.113.66;
 * - 10:00-10:45 5xx ratio of `POST /api/orders` on shop-api from 0.5 % to 8 %;
 * - 12:00-12:45 p95 of `GET /api/products/:id` on shop-api from 300 ms to 900 ms;
 * - 14:00-14:30 order-worker goes silent;
 * - 15:00-15:20 a new exception on payment, 20 a minute, with a stack trace;
 * - 16:00-16:10 198.51.100.23 requests 200 distinct paths on the frontend.
 */
export function SCENARIO_INCIDENTS(start: number, baselineDays = 5): Incident[] {
  const day = Math.floor(start / DAY) * DAY + baselineDays * DAY;
  const at = (hour: number, minute = 0): number => day + hour * HOUR + minute * MINUTE;
  return [
    {
      kind: 'brute-force',
      service: 'auth',
      from: at(9),
      to: at(9, 30),
      sourceIp: '203.0.113.66',
      perMinute: 50,
    },
    {
      kind: 'error-ratio',
      service: 'shop-api',
      route: 'POST /api/orders',
      from: at(10),
      to: at(10, 45),
      errorRatio: 0.08,
    },
    {
      kind: 'latency',
      service: 'shop-api',
      route: 'GET /api/products/:id',
      from: at(12),
      to: at(12, 45),
      p95Ms: 900,
    },
    { kind: 'silence', service: 'order-worker', from: at(14), to: at(14, 30) },
    {
      kind: 'new-exception',
      service: 'payment',
      from: at(15),
      to: at(15, 20),
      perMinute: 20,
      exceptionType: 'com.shop.payment.fraud.RiskScoreUnavailableException',
      message: 'risk engine returned no score for payment {id}',
    },
    {
      kind: 'scan',
      service: 'frontend',
      from: at(16),
      to: at(16, 10),
      sourceIp: '198.51.100.23',
      distinctPaths: 200,
    },
  ];
}
