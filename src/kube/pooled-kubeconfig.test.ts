import { HttpMethod, KubeConfig, RequestContext } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { PooledKubeConfig } from './pooled-kubeconfig.ts';

const PEM = (label: string, body: string): string => Buffer.from(`-----BEGIN ${label}-----\n${Buffer.from(body).toString('base64')}\n-----END ${label}-----\n`).toString('base64');

function kubeConfig(clientCert: string): KubeConfig {
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: [{ name: 'c', server: 'https://127.0.0.1:6443', caData: PEM('CERTIFICATE', 'ca'), skipTLSVerify: false }],
    users: [{ name: 'u', certData: PEM('CERTIFICATE', clientCert), keyData: PEM('PRIVATE KEY', 'key'), token: 'secret-token' }],
    contexts: [{ name: 'x', cluster: 'c', user: 'u' }],
    currentContext: 'x',
  });
  return kc;
}

async function dispatcherOf(kc: KubeConfig): Promise<{ dispatcher: unknown; authorization: string | undefined }> {
  const context = new RequestContext('https://127.0.0.1:6443/api', HttpMethod.GET);
  await kc.applySecurityAuthentication(context);
  return { dispatcher: context.getDispatcher(), authorization: context.getHeaders().Authorization };
}

describe('PooledKubeConfig', () => {
  it('gives every request the same connection pool, where client-node alone makes a new one each time', async () => {
    const plain = kubeConfig('client-1');
    expect((await dispatcherOf(plain)).dispatcher).not.toBe((await dispatcherOf(plain)).dispatcher);
    const pooled = PooledKubeConfig.from(plain);
    const [first, second] = [await dispatcherOf(pooled), await dispatcherOf(pooled)];
    expect(first.dispatcher).toBeDefined();
    expect(second.dispatcher).toBe(first.dispatcher);
    expect(second.authorization).toBe('Bearer secret-token');
  });

  it('makes a new pool, and closes the old one, when the credentials change', async () => {
    const pooled = PooledKubeConfig.from(kubeConfig('client-1'));
    const before = (await dispatcherOf(pooled)).dispatcher as { closed?: boolean };
    pooled.users[0] = { ...pooled.users[0]!, certData: PEM('CERTIFICATE', 'client-2') };
    const after = (await dispatcherOf(pooled)).dispatcher;
    expect(after).not.toBe(before);
    await new Promise((resolve) => setTimeout(resolve, 0));
    expect(before.closed).toBe(true);
  });
});
