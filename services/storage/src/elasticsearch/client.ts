import { Client, type ClientOptions } from '@elastic/elasticsearch';

/** Where and how to reach Elasticsearch: the connection settings every Vigie client shares. */
export interface ElasticsearchConnection {
  url: string;
  apiKey?: string;
  username?: string;
  password?: string;
  requestTimeoutMs: number;
}

/**
 * A client with Vigie's settings: no retries inside the client (callers decide what is
 * retriable), no compression, and API-key or basic auth when configured.
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
  return new Client(options);
}
