// The action marks of one panel, from the stores that hold their sources (audit log, team
// timeline, catalog, fleet, where runs were started from).
import { useEffect, useMemo } from 'react';
import { useShallow } from 'zustand/react/shallow';
import type { Endpoint } from '../../../common/health';
import type { OpsApi } from '../../../common/contract';
import { loadCatalog, useActionsStore } from '../actions/actionsStore';
import { AREA_ENDPOINT } from '../runbooks/runbookStore';
import { loadAudit } from '../store/actions';
import { useAppStore } from '../store/appStore';
import { useTeamStore } from '../team/teamStore';
import { actionMarks, type ActionMark } from './actionMarks';

const NO_DEPLOYMENTS: never[] = [];

export function useActionMarks(deploymentId: string, endpoint: Endpoint): ActionMark[] {
  const { audit, deployments, origins } = useAppStore(
    useShallow((s) => ({ audit: s.audit.records, deployments: s.fleet?.deployments ?? NO_DEPLOYMENTS, origins: s.runOrigins })),
  );
  const team = useTeamStore((s) => s.items);
  const catalog = useActionsStore((s) => s.catalog);
  return useMemo(
    () => actionMarks({ audit, team, catalog, deployments, origins, areaEndpoints: AREA_ENDPOINT }, deploymentId, endpoint),
    [audit, team, catalog, deployments, origins, deploymentId, endpoint],
  );
}

/** Once per page: the catalog (titles, areas) and this console's past runs (the audit log). */
export function useActionMarkSources(api: OpsApi): void {
  useEffect(() => {
    void loadCatalog(api);
    void loadAudit(api);
  }, [api]);
}
