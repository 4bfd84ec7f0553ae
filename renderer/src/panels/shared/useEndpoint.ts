import type { EndpointState } from '../../../../common/contract';
import type { Endpoint } from '../../../../common/health';
import { healthKey } from '../../store/slices';
import { useAppStore } from '../../store/appStore';

/** One endpoint's state: the panel re-renders only when this endpoint is updated. */
export function useEndpoint(deploymentId: string, endpoint: Endpoint): EndpointState | undefined {
  return useAppStore((s) => s.health[healthKey(deploymentId, endpoint)]);
}
