// A host's watched systemd units, with Status, Restart and Journal per unit as Cockpit's services
// page has them. Each button goes through the action catalog (service.status, service.restart,
// journal.follow) and the one preview -> confirm -> audit path, with the row's unit as the
// parameter: nothing here runs a command itself. A unit the catalog's actions do not name (Redis,
// the seed oneshot) gets no buttons, and says why. Unit names and states are the host's words:
// shown through VisibleText, and escaped in labels and titles (visible).
import { useEffect, useMemo } from 'react';
import type { ActionSummary, HostFacts } from '../../../common/contract';
import { emptyRecord } from '../../../common/emptyRecord';
import { useApi } from '../api/ApiContext';
import { loadCatalog, useActionsStore } from '../actions/actionsStore';
import { STATUS_WORD } from '../status/status';
import { visible, VisibleText } from '../status/VisibleText';
import { startPreview } from '../store/actions';
import { StatusHeader, StatusRow } from './StatusRow';

/** The per-unit buttons, in the order shown: the catalog action and the button's word. */
export const UNIT_ACTIONS = [
  { actionId: 'service.status', word: 'Status' },
  { actionId: 'service.restart', word: 'Restart' },
  { actionId: 'journal.follow', word: 'Journal' },
] as const;

export type UnitActionRequest = { actionId: string; params: Record<string, string | number>; hostIds: string[] };

/**
 * The catalog's request for one unit on one host: the `unit` parameter set to the name the
 * action's choices use (with or without ".service"), every other parameter at its default.
 * Null when the action does not offer this unit.
 */
export function unitActionRequest(action: ActionSummary | undefined, unit: string, hostId: string): UnitActionRequest | null {
  const spec = action?.params.find((p) => p.name === 'unit');
  if (!action || !spec) return null;
  const bare = unit.replace(/\.service$/, '');
  const value = [unit, bare].find((name) => (spec.choices ? spec.choices.includes(name) : true));
  if (value === undefined) return null;
  const params = emptyRecord<string | number>();
  for (const p of action.params) if (p.name !== 'unit' && p.default !== undefined) params[p.name] = p.default;
  params.unit = value;
  return { actionId: action.id, params, hostIds: [hostId] };
}

export function UnitsTable({ facts, hostId, label }: { facts: HostFacts; hostId: string; label: string }) {
  const api = useApi();
  const catalog = useActionsStore((s) => s.catalog);
  const catalogError = useActionsStore((s) => s.catalogError);
  useEffect(() => {
    void loadCatalog(api);
  }, [api]);
  const actions = useMemo(() => UNIT_ACTIONS.map((a) => ({ ...a, action: catalog?.find((x) => x.id === a.actionId) })), [catalog]);
  return (
    <>
      {facts.unitsError ? (
        <p aria-label="Units unknown" className="why why-unknown">
          units unknown: <VisibleText text={facts.unitsError} />
          {facts.units.length ? ' (the states below are from the last read)' : ''}
        </p>
      ) : null}
      <table className="items" aria-label="Units">
        <thead>
          <tr>
            <StatusHeader />
            <th scope="col">Unit</th>
            <th scope="col">State</th>
            <th scope="col">PID</th>
            <th scope="col">Restarts</th>
            <th scope="col">Actions</th>
          </tr>
        </thead>
        <tbody>
          {facts.units.map((u) => {
            const offered = actions.map((a) => ({ ...a, request: unitActionRequest(a.action, u.unit, hostId) })).filter((a) => a.request);
            const unitName = visible(u.unit);
            return (
              <StatusRow
                key={u.unit}
                status={u.status}
                label={`${unitName}: ${STATUS_WORD[u.status]}, ${visible(u.active)}`}
                name={<VisibleText text={u.unit} />}
              >
                <td className={`why why-${u.status}`} title={u.since ? `active since ${visible(u.since)}` : undefined}>
                  <VisibleText text={u.why} />
                </td>
                <td className="mono">{u.mainPid ?? '–'}</td>
                <td>{u.restarts ?? '–'}</td>
                <td>
                  {offered.length ? (
                    <span className="unit-actions">
                      {offered.map((a) => (
                        <button
                          key={a.actionId}
                          className="action"
                          aria-label={`${a.word} ${unitName} on ${label}`}
                          title={a.action?.title}
                          onClick={() => void startPreview(api, `${a.action?.title ?? a.word}: ${unitName} on ${label}`, a.request!)}
                        >
                          {a.word}
                        </button>
                      ))}
                    </span>
                  ) : (
                    <span className="muted" title={catalog ? "the action catalog's service actions do not name this unit" : (catalogError ?? undefined)}>
                      {catalog ? 'not in the catalog' : catalogError ? 'catalog not loaded' : 'loading the catalog…'}
                    </span>
                  )}
                </td>
              </StatusRow>
            );
          })}
        </tbody>
      </table>
    </>
  );
}
