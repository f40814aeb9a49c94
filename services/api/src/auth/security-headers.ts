import helmet, { type FastifyHelmetOptions } from '@fastify/helmet';
import type { FastifyInstance } from 'fastify';

/**
 * The Content-Security-Policy of every response: only Vigie's own scripts, styles and
 * connections, no inline script or eval, no plugins, no framing, no `<base>` rewrite.
 * Log content is attacker-controlled; this is the backstop if it ever reached the DOM.
 */
export const CONTENT_SECURITY_POLICY = {
  'default-src': ["'self'"],
  'script-src': ["'self'"],
  'style-src': ["'self'"],
  'img-src': ["'self'", 'data:'],
  'connect-src': ["'self'"],
  'font-src': ["'self'"],
  'form-action': ["'self'"],
  'frame-ancestors': ["'none'"],
  'object-src': ["'none'"],
  'base-uri': ["'none'"],
} as const;

/** Helmet's options for Vigie: the policy above, no referrer, nosniff and helmet's other defaults. */
export function securityHeaderOptions(): FastifyHelmetOptions {
  const directives: Record<string, string[]> = {};
  for (const [name, values] of Object.entries(CONTENT_SECURITY_POLICY)) directives[name] = [...values];
  return {
    global: true,
    contentSecurityPolicy: { useDefaults: false, directives },
    referrerPolicy: { policy: 'no-referrer' },
    xContentTypeOptions: true,
    xFrameOptions: { action: 'deny' },
  };
}

/** Adds the security headers to every response of `app` (helmet's onRequest hook). */
export async function registerSecurityHeaders(app: FastifyInstance): Promise<void> {
  await app.register(helmet, securityHeaderOptions());
}
