import { Client, type ClientOptions, errors } from '@elastic/elasticsearch';
import { EngineAuthError, readConfiguredFile } from '@vigie/common';

/** Where and how to reach Elasticsearch: the connection settings every Vigie client shares. */
export interface ElasticsearchConnection {
  url: string;
  apiKey?: string;
  username?: string;
  password?: string;
  /** PEM file of the CAs to trust for an https URL (read when the client is made). */
  caFile?: string;
  /** Refuse a server certificate that is not trusted or does not name the host (default true). */
  tlsRejectUnauthorized?: boolean;
  requestTimeoutMs: number;
}

/**
 * A client with Vigie's settings: no retries inside the client (callers decide what is
 * retriable), no compression, API-key or basic auth when configured, and the configured
 * CA for https. A CA file that cannot be read throws a `ConfigError` naming it.
 */
export function createElasticsearchClient(connection: ElasticsearchConnection): Client {
  const options: ClientOptions = {
    node: connection.url,
    requestTimeout: connection.requestTimeoutMs,
    maxRetries: 0,
    compression: false,
  };
  if (connection.apiKey) options.auth = { apiKey: connection.apiKey };
  else if (connection.username)
    options.auth = { username: connection.username, password: connection.password ?? '' };
  if (connection.caFile !== undefined || connection.tlsRejectUnauthorized === false) {
    options.tls = {
      rejectUnauthorized: connection.tlsRejectUnauthorized ?? true,
      ...(connection.caFile !== undefined && {
        ca: readConfiguredFile(connection.caFile, 'elasticsearch.caFile'),
      }),
    };
  }
  return new Client(options);
}

/** Node's codes for a server certificate it does not trust. */
const UNTRUSTED_CERTIFICATE = new Set([
  'SELF_SIGNED_CERT_IN_CHAIN',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'UNABLE_TO_GET_ISSUER_CERT',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID',
]);

/**
 * An `EngineAuthError` when Elasticsearch refused the credentials (401) or its
 * certificate is not trusted: waiting does not fix either. Names the user or says an API
 * key was sent, never the secret.
 */
export function elasticsearchRefusal(
  err: unknown,
  connection: ElasticsearchConnection,
): EngineAuthError | undefined {
  if (err instanceof errors.ResponseError && err.statusCode === 401) {
    const who = connection.apiKey
      ? 'the API key (elasticsearch.apiKey)'
      : connection.username
        ? `the credentials of user "${connection.username}" (elasticsearch.username, elasticsearch.password)`
        : 'a request without credentials: set elasticsearch.apiKey, or elasticsearch.username and elasticsearch.password';
    return new EngineAuthError(`Elasticsearch refused ${who}`, { cause: err });
  }
  for (let e = err, depth = 0; e instanceof Error && depth < 6; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    const named = [...UNTRUSTED_CERTIFICATE].find((c) => code === c || e.message.includes(c));
    if (
      named !== undefined ||
      /self[- ]signed certificate|unable to verify the first certificate/i.test(e.message)
    ) {
      return new EngineAuthError(
        `Elasticsearch's TLS certificate at ${connection.url} is not trusted (${named ?? e.message}): check elasticsearch.caFile`,
        { cause: e },
      );
    }
  }
  return undefined;
}
