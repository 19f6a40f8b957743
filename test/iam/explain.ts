// Says why IAM denied a request, in the words of the policy: the Deny statements that matched, or
// the Allow statement that came closest and each of its conditions the request failed.
import type { ConditionExplain, RequestAnalysis } from '@cloud-copilot/iam-simulate';
import type { ContextValues } from './simulate.ts';

type StatementAnalysis = NonNullable<RequestAnalysis['identityAnalysis']>['unmatchedStatements'][number];

export function describeDenial(analysis: RequestAnalysis, context: ContextValues): string {
  const denies = [...(analysis.identityAnalysis?.denyStatements ?? []), ...(analysis.resourceAnalysis?.denyStatements ?? [])];
  if (denies.length > 0) return `denied by ${denies.map(statementName).join(', ')}`;
  const parts: string[] = [];
  if (analysis.identityAnalysis?.result !== 'Allowed') parts.push(closestAllow(analysis.identityAnalysis?.unmatchedStatements ?? [], context));
  const resourceSide = analysis.resourceAnalysis;
  if (resourceSide && !['Allowed', 'AllowedForAccount', 'NotApplicable'].includes(resourceSide.result)) {
    parts.push(`the resource's policy: ${closestAllow(resourceSide.unmatchedStatements, context)}`);
  }
  return parts.join('; ') || `denied (${analysis.result})`;
}

/** The Allow statement naming the action and resource with the fewest failed conditions, and those conditions. */
function closestAllow(statements: readonly StatementAnalysis[], context: ContextValues): string {
  const candidates = statements
    .filter((each) => each.explain.effect === 'Allow' && each.explain.actionMatch && each.explain.resourceMatch)
    .map((each) => ({ each, failed: (each.explain.conditions ?? []).filter((condition) => !condition.matches) }))
    .sort((a, b) => a.failed.length - b.failed.length);
  const closest = candidates[0];
  if (!closest) return 'no Allow statement names this action on this resource';
  if (closest.each.explain.principalMatch === 'NoMatch') return `closest statement ${statementName(closest.each)}: its Principal is not the caller`;
  return `closest statement ${statementName(closest.each)} failed ${closest.failed.map((condition) => failedCondition(condition, context)).join(' and ')}`;
}

function statementName(statement: StatementAnalysis): string {
  return `${statement.explain.identifier} (${statement.policyId})`;
}

function failedCondition(condition: ConditionExplain, context: ContextValues): string {
  const expected = [condition.values].flat().map((value) => value.value);
  const key = condition.conditionKeyValue;
  const actual = Object.entries(context).find(([name]) => name.toLowerCase() === key.toLowerCase())?.[1];
  const was = actual === undefined ? 'absent from the request' : `request has ${JSON.stringify(actual)}`;
  return `${condition.operator} ${key} ${JSON.stringify(expected.length === 1 ? expected[0] : expected)} (${was})`;
}
