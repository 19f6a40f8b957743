// Command lines for etcd and kube-apiserver, as envtest runs them: loopback only, fresh state.
import { join } from 'node:path';
import type { Certificates } from './certs.ts';

export interface EtcdPorts {
  client: number;
  peer: number;
}

export function etcdArgs(workDir: string, ports: EtcdPorts): string[] {
  const clientUrl = `http://127.0.0.1:${ports.client}`;
  const peerUrl = `http://127.0.0.1:${ports.peer}`;
  return [
    '--name=testenv',
    `--data-dir=${join(workDir, 'etcd-data')}`,
    `--listen-client-urls=${clientUrl}`,
    `--advertise-client-urls=${clientUrl}`,
    `--listen-peer-urls=${peerUrl}`,
    `--initial-advertise-peer-urls=${peerUrl}`,
    `--initial-cluster=testenv=${peerUrl}`,
    // Test data is thrown away; waiting for the disk would only slow every write down.
    '--unsafe-no-fsync=true',
    '--log-level=warn',
  ];
}

export function apiserverArgs(workDir: string, port: number, etcdClientPort: number, certs: Certificates): string[] {
  return [
    `--etcd-servers=http://127.0.0.1:${etcdClientPort}`,
    `--secure-port=${port}`,
    '--bind-address=127.0.0.1',
    // Without it the apiserver looks for a default route to pick an address, and a host with
    // none cannot start it.
    '--advertise-address=127.0.0.1',
    `--cert-dir=${join(workDir, 'apiserver-certs')}`,
    `--tls-cert-file=${certs.servingCert}`,
    `--tls-private-key-file=${certs.servingKey}`,
    `--client-ca-file=${certs.caCert}`,
    '--service-cluster-ip-range=10.0.0.0/24',
    '--authorization-mode=RBAC',
    // Nothing here creates default ServiceAccounts, which that plugin would insist on.
    '--disable-admission-plugins=ServiceAccount',
    `--service-account-issuer=https://127.0.0.1:${port}/`,
    `--service-account-key-file=${certs.serviceAccountPublicKey}`,
    `--service-account-signing-key-file=${certs.serviceAccountKey}`,
    '--allow-privileged=true',
  ];
}
