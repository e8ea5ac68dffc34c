// "Block this person": a confirmation dialog that says what blocking does (the match ends, never
// matched again) before POST /v1/people/{me}/blocks.
import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../api";
import { ErrorNote } from "../components/states";
import { t } from "../i18n";
import { Link } from "../router";
import { me } from "../session";

export function BlockPerson({ otherId, name, matchId, onBlocked }:
  { otherId: string; name: string; matchId: string; onBlocked: () => void }) {
  const dialog = useRef<HTMLDialogElement>(null);
  const opener = useRef<HTMLButtonElement>(null);
  const [open, setOpen] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  useEffect(() => {
    const d = dialog.current;
    if (!d) return;
    if (open && !d.open) d.showModal?.();
    if (!open && d.open) d.close();
  }, [open]);
  const close = () => { setOpen(false); setError(null); opener.current?.focus(); };
  return (
    <>
      <button type="button" class="secondary danger-outline" ref={opener} onClick={() => setOpen(true)}>
        {t("block.button", { name })}
      </button>
      <dialog ref={dialog} class="confirm" aria-labelledby="block-h" aria-describedby="block-what"
              onClose={() => setOpen(false)}>
        <h2 id="block-h">{t("block.title", { name })}</h2>
        <p id="block-what">{t("block.consequences", { name })}</p>
        <p>{t("block.reportToo")} <Link href={`/report?match=${encodeURIComponent(matchId)}`}>{t("report.link")}</Link></p>
        {error !== null && <ErrorNote error={error} />}
        <div class="row">
          <button type="button" class="danger" disabled={busy} onClick={async () => {
            setBusy(true); setError(null);
            try {
              await api.post(`/v1/people/${me.value!.person_id}/blocks`, { person_id: otherId });
              setOpen(false);
              onBlocked();
            } catch (e) { setError(e); } finally { setBusy(false); }
          }}>{t("block.confirm", { name })}</button>
          <button type="button" class="secondary" onClick={close}>{t("block.keep")}</button>
        </div>
      </dialog>
    </>
  );
}
