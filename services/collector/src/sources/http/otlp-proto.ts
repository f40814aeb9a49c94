import protobuf from 'protobufjs';
import { BodyError } from './body.js';

/**
 * The messages of OTLP logs (opentelemetry-proto v1, `collector/logs/v1` and the
 * `logs`, `common` and `resource` packages it uses), with the official field numbers.
 * Only what Vigie reads is declared: the decoder skips unknown fields, so newer senders
 * still decode. Severity is read as an int32, which is how a proto3 enum travels.
 */
const SCHEMA = `
syntax = "proto3";
package vigie.otlp;
message AnyValue {
  oneof value {
    string string_value = 1;
    bool bool_value = 2;
    int64 int_value = 3;
    double double_value = 4;
    ArrayValue array_value = 5;
    KeyValueList kvlist_value = 6;
    bytes bytes_value = 7;
  }
}
message ArrayValue { repeated AnyValue values = 1; }
message KeyValueList { repeated KeyValue values = 1; }
message KeyValue { string key = 1; AnyValue value = 2; }
message InstrumentationScope { string name = 1; string version = 2; repeated KeyValue attributes = 3; }
message Resource { repeated KeyValue attributes = 1; }
message LogRecord {
  fixed64 time_unix_nano = 1;
  int32 severity_number = 2;
  string severity_text = 3;
  AnyValue body = 5;
  repeated KeyValue attributes = 6;
  fixed32 flags = 8;
  bytes trace_id = 9;
  bytes span_id = 10;
  fixed64 observed_time_unix_nano = 11;
  string event_name = 12;
}
message ScopeLogs { InstrumentationScope scope = 1; repeated LogRecord log_records = 2; }
message ResourceLogs { Resource resource = 1; repeated ScopeLogs scope_logs = 2; }
message ExportLogsServiceRequest { repeated ResourceLogs resource_logs = 1; }
message ExportLogsPartialSuccess { int64 rejected_log_records = 1; string error_message = 2; }
message ExportLogsServiceResponse { ExportLogsPartialSuccess partial_success = 1; }
`;

const root = protobuf.parse(SCHEMA).root;
const Request = root.lookupType('vigie.otlp.ExportLogsServiceRequest');
const Response = root.lookupType('vigie.otlp.ExportLogsServiceResponse');

/**
 * Decodes a protobuf `ExportLogsServiceRequest` into the shape of its OTLP/JSON
 * encoding (camelCase names, 64-bit numbers as decimal strings, ids as base64, which
 * the mapping accepts), so both encodings share one mapping.
 */
export function decodeOtlpProtobuf(body: Uint8Array): unknown {
  try {
    const message = Request.decode(body);
    return Request.toObject(message, { longs: String, bytes: String, defaults: false, arrays: true });
  } catch (err) {
    throw new BodyError(
      'invalid_payload',
      400,
      `The body is not a protobuf ExportLogsServiceRequest: ${(err as Error).message}`,
    );
  }
}

/** A protobuf `ExportLogsServiceResponse`: empty, or with its partial success. */
export function encodeOtlpResponse(partialSuccess?: {
  rejectedLogRecords: string;
  errorMessage: string;
}): Buffer {
  const message = Response.fromObject(partialSuccess === undefined ? {} : { partialSuccess });
  return Buffer.from(Response.encode(message).finish());
}
