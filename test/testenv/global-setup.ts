// vitest globalSetup for the integration project: one control plane shared by every test file
// (each uses fresh names), stopped in teardown whether the tests passed or not. Every emulator
// of the run records the AWS calls it answers in a directory of the run's own, which the
// iam-audit project then evaluates against the shipped IAM policy.
import type { TestProject } from 'vitest/node';
import { finishAuditRun, startAuditRun } from '../iam/audit/run-dir.ts';
import { startControlPlane } from './control-plane.ts';
import { prepareTools } from './tools.ts';

declare module 'vitest' {
  export interface ProvidedContext {
    /** Admin kubeconfig of the shared control plane. */
    kubeconfigPath: string;
    /** kubectl of the same version as the apiserver. */
    kubectlPath: string;
    /** https://127.0.0.1:PORT */
    serverUrl: string;
  }
}

function log(line: string): void {
  process.stderr.write(`${line.startsWith('[testenv]') ? '' : '[testenv] '}${line}\n`);
}

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const startedAt = Date.now();
  // Before any worker starts: they inherit the variable, and so do the emulators they start.
  const auditDir = startAuditRun();
  log(`IAM audit records in ${auditDir}`);
  const [controlPlane] = await Promise.all([startControlPlane({ log }), prepareTools(log)]);
  log(`control plane ready at ${controlPlane.serverUrl} in ${((Date.now() - startedAt) / 1000).toFixed(1)} s`);
  project.provide('kubeconfigPath', controlPlane.kubeconfigPath);
  project.provide('kubectlPath', controlPlane.kubectlPath);
  project.provide('serverUrl', controlPlane.serverUrl);
  return async () => {
    try {
      await controlPlane.stop();
    } finally {
      finishAuditRun(auditDir);
    }
  };
}
