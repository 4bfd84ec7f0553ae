// The ids every domain of the contract shares. Branded, so a host id cannot be passed where a
// deployment id is expected, and each says in its message what a good one looks like.
import { z } from 'zod';
import { ENDPOINTS } from '../health';

const ID = /^[a-z0-9][a-z0-9_.-]{0,62}$/;
export const HostId = z.string().regex(ID, 'host id must be lowercase letters, digits, "_", "." or "-"').brand<'HostId'>();
export type HostId = z.infer<typeof HostId>;
export const DeploymentId = z.string().regex(ID, 'deployment id must be lowercase letters, digits, "_", "." or "-"').brand<'DeploymentId'>();
export type DeploymentId = z.infer<typeof DeploymentId>;
export const RunId = z
  .string()
  .regex(/^run-[a-f0-9]{16}$/, 'not a run id')
  .brand<'RunId'>();
export type RunId = z.infer<typeof RunId>;
export const PreviewToken = z
  .string()
  .regex(/^[A-Za-z0-9_-]{43}$/, 'not a preview token')
  .brand<'PreviewToken'>();
export type PreviewToken = z.infer<typeof PreviewToken>;
export const ActionId = z.string().regex(/^[a-z][a-z0-9.-]{0,80}$/, 'not an action id');
export type ActionId = z.infer<typeof ActionId>;

export const EndpointName = z.enum(ENDPOINTS);

/** The request of a call that takes nothing: an empty object, and nothing else. */
export const Empty = z.object({}).strict();
