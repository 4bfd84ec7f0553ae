// Once every host succeeded, the catalog's follow-up (a restart after a config edit) is offered
// as a new preview.
import { useEffect } from 'react';
import type { Preview } from '../../../common/contract';
import { useApi } from '../api/ApiContext';
import { startPreview } from '../store/actions';
import { loadCatalog, useActionsStore } from './actionsStore';
import { describeWithParams } from './paramForm';

export function FollowUpOffer({ preview }: { preview: Preview }) {
  const api = useApi();
  const catalog = useActionsStore((s) => s.catalog);
  useEffect(() => {
    void loadCatalog(api);
  }, [api]);
  const followUp = catalog?.find((a) => a.id === preview.actionId)?.followUp;
  const target = followUp ? catalog?.find((a) => a.id === followUp.actionId) : undefined;
  if (!followUp || !target) return null;
  const what = describeWithParams(target.title, followUp.params);
  const where = preview.hosts.length === 1 ? preview.hosts[0]!.label : `the same ${preview.hosts.length} hosts`;
  return (
    <section className="follow-up" aria-label="Follow-up">
      <p>
        Next: {what} on {where} now?
      </p>
      <button
        type="button"
        onClick={() => void startPreview(api, target.title, { actionId: target.id, params: followUp.params, hostIds: preview.hosts.map((h) => h.id) })}
      >
        Preview follow-up
      </button>
    </section>
  );
}
