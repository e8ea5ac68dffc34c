// /staff/moderation: held messages, oldest first, with why they were held; a coordinator
// approves (delivered at once: the other person sees it live) or rejects, with a reason.
import { useEffect, useState } from "preact/hooks";
import { api } from "../api";
import { Empty, ErrorNote, Show, useLoad } from "../components/states";
import { Layout } from "../components/Layout";
import { Allowed } from "../staff/Allowed";
import { formatDateTime, t, type Key } from "../i18n";
import { listAll, personName } from "../staff/lists";

const REFRESH_MS = 15_000;

async function loadQueue(signal: AbortSignal) {
  const items = await listAll("/v1/moderation/messages?status=held", signal);
  return Promise.all(items.map(async (m) => ({ ...m, from: await personName(m.sender_id), to: await personName(m.recipient_id) })));
}

export function StaffModeration() {
  return <Allowed title={t("moderation.title")} permission="coordinator"><StaffModerationBody /></Allowed>;
}

function StaffModerationBody() {
  const loaded = useLoad(loadQueue);
  useEffect(() => { // newly held messages join the queue while the page stays open
    const timer = setInterval(loaded.reload, REFRESH_MS);
    return () => clearInterval(timer);
  }, []);
  const [done, setDone] = useState<{ id: string; text: string }[]>([]);
  const decided = new Set(done.map((d) => d.id));
  return (
    <Layout title={t("moderation.title")}>
      <p>{t("moderation.intro")}</p>
      {done.length > 0 && <p role="status" class="ok">{done[done.length - 1].text}</p>}
      <Show loaded={loaded}>{(queue) => {
        const waiting = queue.filter((m: any) => !decided.has(m.id));
        return waiting.length === 0 ? <Empty>{t("moderation.empty")}</Empty> : (
          <ul class="cards">
            {waiting.map((m: any) => <Held key={m.id} message={m} onDone={(text) => setDone([...done, { id: m.id, text }])} />)}
          </ul>
        );
      }}</Show>
    </Layout>
  );
}

function Held({ message: m, onDone }: { message: any; onDone: (text: string) => void }) {
  const [reason, setReason] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const decide = async (decision: "approve" | "reject") => {
    setError(null);
    if (decision === "reject" && !reason.trim()) { setError(new Error(t("moderation.reasonNeeded"))); return; }
    setBusy(true);
    try {
      await api.post(`/v1/moderation/messages/${m.id}/${decision}`, { reason: reason.trim() || null });
      onDone(t(decision === "approve" ? "moderation.approved" : "moderation.rejected", { name: m.to }));
    } catch (err) { setError(err); setBusy(false); }
  };
  const field = `reason-${m.id}`;
  return (
    <li class="card stack">
      <h2 class="small" id={`from-${m.id}`}>{t("moderation.fromTo", { from: m.from, to: m.to })}</h2>
      <p class="hint">{formatDateTime(m.created_at)}</p>
      <blockquote class="held-body">{m.body}</blockquote>
      <p>{t("moderation.heldFor")} {m.held_reasons.map((r: string) => t(`moderation.reason.${r}` as Key)).join("; ")}</p>
      {m.findings?.length > 0 && (
        <p class="hint">{t("moderation.found")} {m.findings.map((f: any) => `“${f.text}”`).join(", ")}</p>
      )}
      <div class="field">
        <label for={field}>{t("moderation.reason")}</label>
        <input id={field} value={reason} maxLength={1000} aria-describedby={`${field}-hint`}
               onInput={(e) => setReason((e.target as HTMLInputElement).value)} />
        <p class="hint" id={`${field}-hint`}>{t("moderation.reasonHint")}</p>
      </div>
      {error !== null && <ErrorNote error={error} />}
      <div class="row">
        <button type="button" disabled={busy} aria-describedby={`from-${m.id}`} onClick={() => decide("approve")}>{t("moderation.approve")}</button>
        <button type="button" class="danger" disabled={busy} aria-describedby={`from-${m.id}`}
                onClick={() => decide("reject")}>{t("moderation.reject")}</button>
      </div>
    </li>
  );
}
