// Asks @cloud-copilot/iam-simulate (test-only: AGPL, a devDependency, never in the image) what
// IAM would answer to one request under the given policies. Anything the simulator cannot take as
// IAM would see it (an unknown action, an ARN of no resource type of the action, a policy it
// rejects, a context key the action does not have) is an error, never a silent answer: a typo'd
// context key would otherwise be dropped and the request judged without it.
import { runSimulation, type RunSimulationResults, type SimulationResourceResult } from '@cloud-copilot/iam-simulate';
import type { PolicyDocument } from '../../scripts/iam/document.ts';
import { describeDenial } from './explain.ts';

export type ContextValues = Record<string, string | string[]>;

export interface IamRequest {
  /** Who calls: an IAM user or role ARN, or an assumed-role session ARN. */
  principal: string;
  action: string;
  resource: string;
  /** The account that owns the resource. */
  resourceAccount: string;
  context: ContextValues;
}

export interface NamedPolicy {
  name: string;
  policy: PolicyDocument;
}

export type IamResult = 'Allowed' | 'ImplicitlyDenied' | 'ExplicitlyDenied';

export interface Decision {
  result: IamResult;
  /** For a denial: the Deny statements that matched, or the Allow statement that came closest and the conditions it failed. */
  explanation: string;
}

export class SimulationInputError extends Error {}

/**
 * IAM's answer for the request under identity policies (and, for a role in another account, that
 * role's trust policy as the resource policy).
 */
export async function decide(request: IamRequest, identityPolicies: readonly NamedPolicy[], trustPolicy?: PolicyDocument): Promise<Decision> {
  const response = await runSimulation(
    {
      request: {
        principal: request.principal,
        action: request.action,
        resource: { resource: request.resource, accountId: request.resourceAccount },
        contextVariables: request.context,
      },
      identityPolicies: identityPolicies.map(({ name, policy }) => ({ name, policy })),
      serviceControlPolicies: [],
      resourceControlPolicies: [],
      ...(trustPolicy ? { resourcePolicy: trustPolicy } : {}),
    },
    { simulationMode: 'Strict' },
  );
  const results = resultsOf(response, request);
  const result = response.resultType === 'error' ? 'ImplicitlyDenied' : response.overallResult;
  if (result === 'Allowed') return { result, explanation: '' };
  const denied = results.find((each) => each.analysis.result !== 'Allowed');
  return { result, explanation: denied ? describeDenial(denied.analysis, request.context) : 'no Allow statement names this action on this resource' };
}

function resultsOf(response: RunSimulationResults, request: IamRequest): SimulationResourceResult[] {
  const what = `${request.action} on ${request.resource}`;
  if (response.resultType === 'error') {
    throw new SimulationInputError(`the IAM simulator refused ${what}: ${response.errors.message} ${JSON.stringify(response.errors)}`);
  }
  const results = response.resultType === 'single' ? [response.result] : response.results;
  const ignored = [...new Set(results.flatMap((each) => each.ignoredContextKeys ?? []))];
  if (ignored.length > 0) {
    throw new SimulationInputError(`IAM has no context key ${ignored.join(', ')} for ${what}: a typo, or a key of another action`);
  }
  return results;
}
