// Waiting for etcd and kube-apiserver to answer their health endpoints, failing early and with
// the process's own last words if it dies first.
import { request as httpRequest } from 'node:http';
import { request as httpsRequest, type RequestOptions } from 'node:https';
import { setTimeout as sleep } from 'node:timers/promises';
import { describeExit, type ManagedProcess } from './process.ts';

const PROBE_TIMEOUT_MS = 2_000;
const POLL_INTERVAL_MS = 100;

/** GETs url and resolves with the status code, or with the error's message if none came. */
export function probe(url: string, tls?: Pick<RequestOptions, 'ca' | 'cert' | 'key'>): Promise<number | string> {
  return new Promise((resolve) => {
    const request = url.startsWith('https:') ? httpsRequest : httpRequest;
    const req = request(url, { ...tls, timeout: PROBE_TIMEOUT_MS }, (res) => {
      res.resume();
      resolve(res.statusCode ?? 'no status code');
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${PROBE_TIMEOUT_MS} ms`)));
    req.on('error', (error) => resolve(error.message));
    req.end();
  });
}

export class ProcessFailedError extends Error {
  constructor(
    message: string,
    readonly output: string,
  ) {
    super(`${message}\nIts last output:\n${output}`);
  }

  /** Another process took one of the ports between choosing it and binding it. */
  get portWasTaken(): boolean {
    return /address already in use/i.test(this.output);
  }
}

export async function waitUntilReady(
  child: ManagedProcess,
  check: () => Promise<number | string>,
  timeoutMs: number,
): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let last: number | string = 'not probed yet';
  while (Date.now() < deadline) {
    if (child.hasExited()) {
      const status = await child.exited;
      throw new ProcessFailedError(`${child.name} ${describeExit(status)} before it was ready`, child.recentOutput());
    }
    last = await check();
    if (last === 200) return;
    await sleep(POLL_INTERVAL_MS);
  }
  throw new ProcessFailedError(
    `${child.name} was not ready after ${timeoutMs / 1000} s (last check: ${last})`,
    child.recentOutput(),
  );
}
