/** Body of every refusal by the access control (`{ error: { code, message } }`). */
export const accessErrorSchema = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: { code: { type: 'string' }, message: { type: 'string' } },
    },
  },
} as const;

/**
 * Responses every protected route can give, to spread into its `schema.response` so the
 * OpenAPI document lists them (the server's error handler must answer 429 in this shape).
 */
export const ACCESS_CONTROL_RESPONSES = {
  401: { description: 'No API key, or an unknown, revoked or expired one', ...accessErrorSchema },
  403: { description: "The key's role lacks this route's permission", ...accessErrorSchema },
  429: { description: 'Rate limit exceeded; see Retry-After', ...accessErrorSchema },
} as const;

/** For `@fastify/swagger`'s `openapi.components.securitySchemes` and `openapi.security`. */
export const OPENAPI_SECURITY = {
  securitySchemes: {
    bearerKey: { type: 'http', scheme: 'bearer', description: 'A Vigie API key, vigie_<id>_<secret>' },
    headerKey: { type: 'apiKey', in: 'header', name: 'X-API-Key' },
  },
  security: [{ bearerKey: [] }, { headerKey: [] }],
} as const;
