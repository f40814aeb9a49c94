import { execFile } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** PEM files of a throwaway certificate authority and one server certificate it signed. */
export interface TestCertificates {
  /** The CA certificate, what clients are told to trust. */
  caFile: string;
  /** The server's certificate (for 127.0.0.1 and localhost), signed by the CA. */
  certFile: string;
  /** The server's private key, unencrypted PKCS#8. */
  keyFile: string;
}

async function openssl(args: string[], cwd: string): Promise<void> {
  await run('openssl', args, { cwd, timeout: 30_000 });
}

/**
 * Makes a certificate authority valid for two days and a server certificate signed by
 * it, with `openssl`, in `dir` under `name` (`<name>-ca.pem`, `<name>.pem`,
 * `<name>.key`). Each call makes a new CA: one that another call made does not trust
 * this one's certificates.
 */
export async function makeTestCertificates(dir: string, name = 'test'): Promise<TestCertificates> {
  const caKey = `${name}-ca.key`;
  const caFile = `${name}-ca.pem`;
  const keyFile = `${name}.key`;
  const certFile = `${name}.pem`;
  const csr = `${name}.csr`;
  const extensions = `${name}.ext`;
  const days = ['-days', '2'];
  await openssl(
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', caKey, '-out', caFile, ...days].concat([
      '-subj',
      `/CN=Vigie test CA ${name}`,
    ]),
    dir,
  );
  await openssl(
    ['req', '-newkey', 'rsa:2048', '-nodes', '-keyout', keyFile, '-out', csr, '-subj', '/CN=localhost'],
    dir,
  );
  await writeFile(
    join(dir, extensions),
    'subjectAltName=IP:127.0.0.1,DNS:localhost\nextendedKeyUsage=serverAuth,clientAuth\n',
  );
  await openssl(
    ['x509', '-req', '-in', csr, '-CA', caFile, '-CAkey', caKey, '-CAcreateserial', '-out', certFile].concat([
      ...days,
      '-extfile',
      extensions,
    ]),
    dir,
  );
  return { caFile: join(dir, caFile), certFile: join(dir, certFile), keyFile: join(dir, keyFile) };
}
