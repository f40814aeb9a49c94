/** Node's codes for a server certificate it does not trust, with the messages it gives them. */
const UNTRUSTED_CERTIFICATE: ReadonlyArray<readonly [code: string, message: RegExp]> = [
  ['SELF_SIGNED_CERT_IN_CHAIN', /self[- ]signed certificate in certificate chain/i],
  ['DEPTH_ZERO_SELF_SIGNED_CERT', /self[- ]signed certificate/i],
  ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', /unable to verify the first certificate/i],
  ['UNABLE_TO_GET_ISSUER_CERT_LOCALLY', /unable to get local issuer certificate/i],
  ['UNABLE_TO_GET_ISSUER_CERT', /unable to get issuer certificate/i],
  ['CERT_HAS_EXPIRED', /certificate has expired/i],
  ['CERT_NOT_YET_VALID', /certificate is not yet valid/i],
  ['ERR_TLS_CERT_ALTNAME_INVALID', /does not match certificate's altnames/i],
];

/**
 * Node's code for the reason a server's certificate was not trusted, when `err` or an
 * error it wraps says so by its code or, for clients that keep only the message (the
 * Elasticsearch client), by its message.
 */
export function untrustedCertificateCode(err: unknown): string | undefined {
  for (let e = err, depth = 0; e instanceof Error && depth < 6; e = e.cause, depth++) {
    const code = (e as { code?: unknown }).code;
    const byCode = UNTRUSTED_CERTIFICATE.find(([known]) => known === code);
    if (byCode) return byCode[0];
    const byMessage = UNTRUSTED_CERTIFICATE.find(([, message]) => message.test(e.message));
    if (byMessage) return byMessage[0];
  }
  return undefined;
}
