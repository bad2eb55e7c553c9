import type { OrganizationViewer } from '../auth/viewer.ts';
import { ForbiddenError } from '../shared/errors.ts';
import type { GraphQLContext } from './context.ts';

/**
 * The organization a tenant field acts for. Scope auth already refused other callers; this
 * narrows the type and stays safe if a field ever forgets its scope.
 */
export function organizationOf(ctx: GraphQLContext): string {
  return organizationViewer(ctx).organizationId;
}

export function organizationViewer(ctx: GraphQLContext): OrganizationViewer {
  if (ctx.viewer?.kind !== 'organization') {
    throw new ForbiddenError('This needs an organization API key');
  }
  return ctx.viewer;
}
