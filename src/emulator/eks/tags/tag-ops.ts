// TagResource, UntagResource, ListTagsForResource on cluster and access-entry ARNs.
// These operations answer with BadRequestException / NotFoundException, not the
// Invalid*/ResourceNotFound classes of the access-entry operations: that is EKS's model.
import { parseEksResourceArn, type EksResourceArn } from '../arn.ts';
import { param, type OperationContext, type OperationRequest } from '../../core/context.ts';
import { EksError } from '../../core/errors.ts';
import { optionalStringMap } from '../../core/json.ts';
import { validateTags } from './tag-rules.ts';

export function tagResource(context: OperationContext, request: OperationRequest): unknown {
  const { arn, resource, tags } = lookUp(context, request);
  const added = asBadRequest(() => optionalStringMap(request.body, 'tags'));
  if (added === undefined || Object.keys(added).length === 0) {
    throw new EksError('BadRequestException', 'tags is required: give at least one key and value to add.');
  }
  const merged = { ...tags, ...added };
  asBadRequest(() => validateTags(merged));
  context.state.replaceTags(arn, resource, merged);
  return {};
}

export function untagResource(context: OperationContext, request: OperationRequest): unknown {
  const { arn, resource, tags } = lookUp(context, request);
  const keys = request.query.getAll('tagKeys');
  if (keys.length === 0) throw new EksError('BadRequestException', 'tagKeys is required: give at least one tag key to remove.');
  for (const key of keys) delete tags[key];
  context.state.replaceTags(arn, resource, tags);
  return {};
}

export function listTagsForResource(context: OperationContext, request: OperationRequest): unknown {
  return { tags: lookUp(context, request).tags };
}

/** The resource and its tags; an ARN of another region or account than the caller's is not found, as in EKS. */
function lookUp({ state, location }: OperationContext, request: OperationRequest): { arn: string; resource: EksResourceArn; tags: Record<string, string> } {
  const arn = param(request, 'resourceArn');
  const resource = parseEksResourceArn(arn);
  if (resource === undefined) {
    throw new EksError('BadRequestException', `The resourceArn ${arn} is not an EKS cluster or access entry ARN.`);
  }
  if (resource.region !== location.region) {
    throw new EksError('NotFoundException', `The resource ${arn} is in region ${resource.region}, but the request was sent to ${location.region}.`);
  }
  if (resource.accountId !== location.accountId) {
    throw new EksError('NotFoundException', `The resource ${arn} is in account ${resource.accountId}, but the request's credentials are in account ${location.accountId}.`);
  }
  const tags = state.tagsOf(arn, resource);
  if (tags === undefined) throw new EksError('NotFoundException', `No resource found with ARN ${arn}.`);
  return { arn, resource, tags };
}

/** Runs a shared input check, reporting its failure the way the tag operations do. */
function asBadRequest<T>(check: () => T): T {
  try {
    return check();
  } catch (error) {
    if (error instanceof EksError && error.name === 'InvalidParameterException') {
      throw new EksError('BadRequestException', error.message);
    }
    throw error;
  }
}
