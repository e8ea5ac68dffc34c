// On People filtered to those not signed in yet: a new invitation for each of them (POST
// /v1/people/invitations, with the list's role and interest), sent at an import's pace. It asks first
// with a dry run, so the coordinator sees how many people would be emailed before anyone is; then
// says what it did: how many go and by when, and who was left out and why.
import { useState } from "preact/hooks";
import { api } from "../api";
import { ErrorNote } from "../components/states";
import { formatDate, formatTime, t } from "../i18n";

const PER_HOUR = 100;  // as the import form: a school's list does not land in every inbox in the same minute
const LEFT_OUT = ["waiting_for_consent", "on_its_way", "invited_recently"] as const;

/** When the last of them goes (or would go): a time today, or a day and a time (a long list at its pace takes days). */
function lastGoes(iso: string, words: "last" | "wouldLast"): string {
  const today = formatDate(new Date().toISOString()) === formatDate(iso);
  return today ? t(`inviteAgain.${words}Today`, { time: formatTime(iso) })
    : t(`inviteAgain.${words}Later`, { date: formatDate(iso), time: formatTime(iso) });
}

/** Who was (or would be) left out, and why. */
function LeftOut({ result }: { result: any }) {
  const reasons = LEFT_OUT.filter((k) => result[k] > 0);
  return reasons.length > 0 ? <ul>{reasons.map((k) => <li>{t(`inviteAgain.leftOut.${k}`, { n: result[k] })}</li>)}</ul> : null;
}

export function InviteAgain({ role, interest }: { role: string; interest: string }) {
  // The last answer: a dry run's (what sending would do, asked before sending) or the sending's.
  const [answer, setAnswer] = useState<any>(null);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const who = role ? t(`inviteAgain.who.${role}` as "inviteAgain.who.mentee") : t("inviteAgain.who.any");
  const post = async (dryRun: boolean) => {
    setError(null); setBusy(true);
    try {
      const body: Record<string, unknown> = { invitations_per_hour: PER_HOUR, dry_run: dryRun };
      if (role) body.role = role;
      if (interest.trim()) body.interest = interest.trim();
      setAnswer(await api.post("/v1/people/invitations", body));
    } catch (err) { setError(err); } finally { setBusy(false); }
  };
  const asking = answer?.dry_run === true;
  return (
    <section class="card stack" aria-labelledby="invite-again-h">
      <h2 id="invite-again-h">{t("inviteAgain.title")}</h2>
      <p>{t("inviteAgain.explain", { who, pace: PER_HOUR })}</p>
      {answer && !asking && (
        <div role="status" class="ok">
          <p>{t("inviteAgain.queued", { n: answer.queued })}{answer.queued > 1 && " " + lastGoes(answer.last_due_at, "last")}</p>
          <LeftOut result={answer} />
        </div>
      )}
      {asking && (
        <div role="status" class="stack">
          <p>{t("inviteAgain.wouldQueue", { n: answer.queued })}{answer.queued > 1 && " " + lastGoes(answer.last_due_at, "wouldLast")}</p>
          <LeftOut result={answer} />
          <div class="row">
            {answer.queued > 0 && (
              <button type="button" disabled={busy} onClick={() => post(false)}>{t("inviteAgain.confirm", { n: answer.queued })}</button>
            )}
            <button type="button" class="secondary" disabled={busy} onClick={() => setAnswer(null)}>{t("inviteAgain.cancel")}</button>
          </div>
        </div>
      )}
      {error !== null && <ErrorNote error={error} />}
      {!asking && <button type="button" disabled={busy} onClick={() => post(true)}>{t("inviteAgain.check")}</button>}
    </section>
  );
}
