import { isDeepStrictEqual } from 'node:util';
import type { Logger } from 'pino';
import type { ClusterAccess, ClusterAccessStatus } from '../api/clusteraccess.ts';
import { ConditionType } from '../api/names.ts';
import { Reason } from '../api/reasons.ts';
import type { AccessEntryGateway } from '../eks/access-entries.ts';
import type { EntryRef } from '../eks/types.ts';
import { explainFailure, resultFor } from './explain.ts';
import type { Failure } from './failures.ts';
import { requeueAfter, type ReconcileResult } from './result.ts';
import { ConditionSet } from './status.ts';

export interface ClusterAccessStatusWriter {
  writeStatus(access: ClusterAccess, status: ClusterAccessStatus): Promise<void>;
}

export interface ClusterAccessReconcilerDeps {
  gatewayFor(log: Logger): AccessEntryGateway;
  writer: ClusterAccessStatusWriter;
  /** How often a reachable cluster is checked again (its mode may change, a role may lose trust). */
  recheckMs: number;
  stalledRetryMs: number;
  log: Logger;
  now?: () => Date;
}

/**
 * Checks that the controller can reach the cluster a ClusterAccess describes, with its
 * credentials (STS GetCallerIdentity, then DescribeCluster), and says so in its status: the
 * account, the authentication mode, and Ready with what to fix when it cannot.
 */
export class ClusterAccessReconciler {
  constructor(private readonly deps: ClusterAccessReconcilerDeps) {}

  async reconcile(access: ClusterAccess): Promise<ReconcileResult> {
    const log = this.deps.log.child({ clusterAccess: access.metadata.name });
    const gateway = this.deps.gatewayFor(log);
    const { clusterName, region, roleArn, externalId } = access.spec;
    const ref: EntryRef = { region, clusterName, principalArn: '', ...(roleArn ? { credentials: { roleArn, ...(externalId ? { externalId } : {}) } } : {}) };
    let outcome: { accountId?: string; authenticationMode?: string; failure?: Failure };
    try {
      const accountId = await gateway.callerAccount(ref);
      const authenticationMode = await gateway.authenticationMode(ref);
      outcome = { accountId, ...(authenticationMode ? { authenticationMode } : {}), ...configMapOnly(clusterName, region, authenticationMode) };
    } catch (err) {
      outcome = { failure: await explainFailure(err, { status: undefined, ref, gateway, now: this.#now(), principalGraceMs: 0 }) };
    }
    const status = this.#status(access, outcome);
    if (!isDeepStrictEqual(status, access.status)) {
      await this.deps.writer.writeStatus(access, status);
      if (outcome.failure) log.warn({ reason: outcome.failure.reason }, outcome.failure.message);
      else log.info({ accountId: outcome.accountId, authenticationMode: outcome.authenticationMode }, 'cluster reachable');
    }
    return outcome.failure ? resultFor(outcome.failure, this.deps.stalledRetryMs) : requeueAfter(this.deps.recheckMs);
  }

  #status(access: ClusterAccess, outcome: { accountId?: string; authenticationMode?: string; failure?: Failure }): ClusterAccessStatus {
    const generation = access.metadata.generation ?? 0;
    const conditions = new ConditionSet(access.status?.conditions ?? [], generation, this.#now());
    const { failure } = outcome;
    if (failure) conditions.set(ConditionType.Ready, 'False', failure.reason, failure.message);
    else conditions.set(ConditionType.Ready, 'True', Reason.Reachable, `The controller reaches cluster ${access.spec.clusterName} in account ${outcome.accountId ?? '?'}`);
    const { accountId: _a, authenticationMode: _m, ...rest } = access.status ?? {};
    return {
      ...rest,
      ...(outcome.accountId ? { accountId: outcome.accountId } : {}),
      ...(outcome.authenticationMode ? { authenticationMode: outcome.authenticationMode } : {}),
      observedGeneration: generation,
      conditions: conditions.list(),
    };
  }

  #now(): Date {
    return this.deps.now?.() ?? new Date();
  }
}

/** A cluster that authenticates through aws-auth only cannot hold access entries: not Ready, and why. */
function configMapOnly(clusterName: string, region: string, mode: string | undefined): { failure?: Failure } {
  if (mode !== 'CONFIG_MAP') return {};
  return {
    failure: {
      retryable: false,
      reason: Reason.AuthenticationModeConfigMap,
      message:
        `cluster ${clusterName} in ${region} authenticates only through the aws-auth ConfigMap (authenticationMode CONFIG_MAP), ` +
        `so it has no access entries. Switch it to API_AND_CONFIG_MAP or API, e.g. aws eks update-cluster-config --name ${clusterName} ` +
        '--access-config authenticationMode=API_AND_CONFIG_MAP',
    },
  };
}
