import { ApiException } from '@kubernetes/client-node';
import { describe, expect, it } from 'vitest';
import { KubeApiError, kubeCall } from './errors.ts';

const conflict = (auditId: string): ApiException<string> =>
  new ApiException(
    409,
    'Unknown API Status Code!',
    JSON.stringify({
      kind: 'Status',
      status: 'Failure',
      reason: 'Conflict',
      message: 'Operation cannot be fulfilled on accessentries.eksaccess.dev "a": the object has been modified',
      code: 409,
    }),
    { 'audit-id': auditId, date: new Date().toUTCString() },
  );

describe('KubeApiError', () => {
  it('says what failed with the Status reason and message, and nothing that changes between attempts', () => {
    const first = new KubeApiError('patch finalizers of AccessEntry a', conflict('1111'));
    const second = new KubeApiError('patch finalizers of AccessEntry a', conflict('2222'));
    expect(first.message).toBe(second.message);
    expect(first.message).toBe(
      'patch finalizers of AccessEntry a: 409 Conflict Operation cannot be fulfilled on accessentries.eksaccess.dev "a": the object has been modified',
    );
    expect(first).toMatchObject({ code: 409, reason: 'Conflict' });
    expect(first.message).not.toMatch(/audit-id|Headers/i);
  });

  it('names the socket error of a request that never reached the API server', () => {
    const refused = new TypeError('fetch failed', { cause: Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' }) });
    expect(new KubeApiError('write status of AccessEntry a', refused).message).toBe('write status of AccessEntry a: ECONNREFUSED: fetch failed');
  });

  it('is what kubeCall rethrows, keeping the original as its cause', async () => {
    const cause = conflict('3');
    const err = await kubeCall('get AccessEntry a', () => Promise.reject(cause)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(KubeApiError);
    expect((err as KubeApiError).cause).toBe(cause);
  });
});
