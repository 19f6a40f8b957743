// The certificates and keys a throwaway control plane needs, made with the openssl CLI: a CA, the
// apiserver's serving certificate, an admin client certificate and the service-account key pair.
import { execFile } from 'node:child_process';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface Certificates {
  caCert: string;
  servingCert: string;
  servingKey: string;
  adminCert: string;
  adminKey: string;
  serviceAccountKey: string;
  serviceAccountPublicKey: string;
}

// P-256 keys: generated in milliseconds, accepted by Go, Node and the service-account signer.
const EC_KEY = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes'];
// Each run makes new certificates, so they need only outlive the longest test run.
const DAYS = '2';

async function openssl(args: string[]): Promise<void> {
  try {
    await run('openssl', args);
  } catch (error) {
    const stderr = (error as { stderr?: string }).stderr ?? '';
    const message = `openssl ${args[0]} failed (is Debian's openssl installed?): ${(error as Error).message}`;
    throw new Error(`${message}\n${stderr}`, { cause: error });
  }
}

async function signedCertificate(
  dir: string,
  name: string,
  subject: string,
  extensions: string[],
): Promise<{ cert: string; key: string }> {
  const key = join(dir, `${name}.key`);
  const csr = join(dir, `${name}.csr`);
  const cert = join(dir, `${name}.crt`);
  const extFile = join(dir, `${name}.ext`);
  await writeFile(extFile, `${extensions.join('\n')}\n`);
  await openssl(['req', '-new', ...EC_KEY, '-keyout', key, '-subj', subject, '-out', csr]);
  await openssl([
    'x509', '-req', '-in', csr, '-CA', join(dir, 'ca.crt'), '-CAkey', join(dir, 'ca.key'),
    // A serial file per certificate: they are signed concurrently.
    '-CAserial', join(dir, `${name}.srl`), '-CAcreateserial',
    '-days', DAYS, '-sha256', '-extfile', extFile, '-out', cert,
  ]);
  return { cert, key };
}

export async function createCertificates(dir: string): Promise<Certificates> {
  await mkdir(dir, { recursive: true });
  const caCert = join(dir, 'ca.crt');
  await openssl([
    'req', '-x509', ...EC_KEY, '-keyout', join(dir, 'ca.key'), '-out', caCert, '-days', DAYS,
    '-subj', '/CN=eaec-testenv-ca',
    '-addext', 'basicConstraints=critical,CA:TRUE',
    '-addext', 'keyUsage=critical,keyCertSign,cRLSign',
  ]);
  const serviceAccountKey = join(dir, 'service-account.key');
  const serviceAccountPublicKey = join(dir, 'service-account.pub');
  const [serving, admin] = await Promise.all([
    signedCertificate(dir, 'apiserver', '/CN=kube-apiserver', [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=serverAuth',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
    ]),
    // The apiserver maps O to groups: system:masters may do anything, RBAC or not.
    signedCertificate(dir, 'admin', '/O=system:masters/CN=admin', [
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature,keyEncipherment',
      'extendedKeyUsage=clientAuth',
    ]),
    openssl(['genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', serviceAccountKey]).then(
      () => openssl(['pkey', '-in', serviceAccountKey, '-pubout', '-out', serviceAccountPublicKey]),
    ),
  ]);
  return {
    caCert,
    servingCert: serving.cert,
    servingKey: serving.key,
    adminCert: admin.cert,
    adminKey: admin.key,
    serviceAccountKey,
    serviceAccountPublicKey,
  };
}
