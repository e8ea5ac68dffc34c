// On People filtered to those not signed in yet: a new invitation for each of them (POST
// /v1/people/invitations, with the list's role and interest), sent at an import's pace, and what it
// did in words: how many go and by when, and who was left out and why.
import { useState } from "preact/hooks";
import { api } from "../api";
import { ErrorNote } from "../components/states";
import { formatDate, formatTime, t } from "../i18n";

const PER_HOUR = 100;  // as the import form: a school's list does not land in every inbox in the same minute
const LEFT_OUT = ["waiting_for_consent", "on_its_way", "invited_recently"] as const;

/** When the last of them goes: a time today, or a day and a time (a long list at its pace takes days). */
function lastGoes(iso: string): string {
  const today = formatDate(new Date().toISOString()) === formatDate(iso);
  return today ? t("inviteAgain.lastToday", { time: formatTime(iso) })
    : t("inviteAgain.lastLater", { date: formatDate(iso), time: formatTime(iso) });
}

export function InviteAgain({ role, interest }: { role: string; interest: string }) {
  const [result, setResult] = useState<any>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const who = role ? t(`inviteAgain.who.${role}` as "inviteAgain.who.mentee") : t("inviteAgain.who.any");
  return (
    <section class="card stack" aria-labelledby="invite-again-h">
      <h2 id="invite-again-h">{t("inviteAgain.title")}</h2>
      <p>{t("inviteAgain.explain", { who, pace: PER_HOUR })}</p>
      {result && (
        <div role="status" class="ok">
          <p>{t("inviteAgain.queued", { n: result.queued })}{result.queued > 1 && " " + lastGoes(result.last_due_at)}</p>
          {LEFT_OUT.some((k) => result[k] > 0) && (
            <ul>{LEFT_OUT.filter((k) => result[k] > 0).map((k) => (
              <li>{t(`inviteAgain.leftOut.${k}`, { n: result[k] })}</li>
            ))}</ul>
          )}
        </div>
      )}
      {error !== null && <ErrorNote error={error} />}
      <button type="button" disabled={busy} onClick={async () => {
        setError(null); setResult(null); setBusy(true);
        try {
          const body: Record<string, unknown> = { invitations_per_hour: PER_HOUR };
          if (role) body.role = role;
          if (interest.trim()) body.interest = interest.trim();
          setResult(await api.post("/v1/people/invitations", body));
        } catch (err) { setError(err); } finally { setBusy(false); }
      }}>{t("inviteAgain.send")}</button>
    </section>
  );
}
