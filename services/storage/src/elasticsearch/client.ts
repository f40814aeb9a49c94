import { Client, type ClientOptions, errors } from '@elastic/elasticsearch';
import { EngineAuthError, readConfiguredFile, untrustedCertificateCode } from '@vigie/common';

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
  const code = untrustedCertificateCode(err);
  if (code !== undefined) {
    return new EngineAuthError(
      `Elasticsearch's TLS certificate at ${connection.url} is not trusted (${code}): check elasticsearch.caFile`,
      { cause: err },
    );
  }
  return undefined;
}
