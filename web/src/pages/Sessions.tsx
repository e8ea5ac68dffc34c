import { useState } from "preact/hooks";
import { api } from "../api";
import { Empty, ErrorNote, Loading, useLoad } from "../components/states";
import { Layout } from "../components/Layout";
import { formatDateTime, t } from "../i18n";
import { matchWithOther } from "../people";
import type { Params } from "../router";
import { pausedSentence, ReportEntry } from "../safeguarding/help";

function localInputValue(d: Date): string {
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

async function load(id: string, signal: AbortSignal) {
  const [{ match, other }, sessions] = await Promise.all([matchWithOther(id, signal), api.get(`/v1/matches/${id}/sessions`, signal)]);
  return { match, other, sessions: sessions.items };
}

export function Sessions({ params }: { params: Params }) {
  const loaded = useLoad((s) => load(params.id, s), [params.id]);
  const tomorrow = new Date(Date.now() + 24 * 3600_000); tomorrow.setMinutes(0);
  const [startsAt, setStartsAt] = useState(localInputValue(tomorrow));
  const [duration, setDuration] = useState("30");
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState("");
  if (loaded.error) return <Layout title={t("sessions.title")}><ErrorNote error={loaded.error} retry={loaded.reload} /></Layout>;
  if (!loaded.data) return <Layout title={t("sessions.title")}><Loading /></Layout>;
  const { sessions, match } = loaded.data;
  const paused = match.status === "active" ? pausedSentence(match.paused_for) : null;
  return (
    <Layout title={t("sessions.title")}>
      {error && <ErrorNote error={error} />}
      {notice && <p role="status" class="ok">{notice}</p>}
      {paused && <p class="notice" data-testid="paused">{paused}</p>}
      {sessions.length === 0 ? <Empty>{t("sessions.none")}</Empty> : (
        <ul class="cards">
          {sessions.map((s: any) => (
            <li class={`card ${s.status}`}>
              <h2>{t("sessions.when", { when: formatDateTime(s.starts_at), minutes: s.duration_minutes })}</h2>
              {s.status === "cancelled" ? <p class="badge cancelled">{t("sessions.cancelled")}</p> : (
                <>
                  {s.join_url && <p><a class="button" href={s.join_url} target="_blank" rel="noopener noreferrer">{t("sessions.join")}</a></p>}
                  <p class="hint">{t("sessions.joinHint")}</p>
                  <p><a href={`/v1/sessions/${s.id}/invite.ics`} download={`ementor-${s.id}.ics`}>{t("sessions.calendar")}</a></p>
                  <button type="button" class="secondary" onClick={async () => {
                    setError(null);
                    try { await api.post(`/v1/sessions/${s.id}/cancel`, { reason: null }); loaded.reload(); } catch (e) { setError(e); }
                  }}>{t("sessions.cancel")}</button>
                </>
              )}
            </li>
          ))}
        </ul>
      )}
      {!paused && <form class="card stack" onSubmit={async (e) => {
        e.preventDefault(); setError(null); setNotice("");
        try {
          const s = await api.post(`/v1/matches/${params.id}/sessions`, {
            starts_at: new Date(startsAt).toISOString(), duration_minutes: Number(duration),
          });
          setNotice(t("sessions.booked", { when: formatDateTime(s.starts_at) }));
          loaded.reload();
        } catch (err) { setError(err); }
      }}>
        <h2>{t("sessions.book")}</h2>
        <div class="field">
          <label for="starts">{t("sessions.startsAt")}</label>
          <input id="starts" type="datetime-local" required value={startsAt}
                 onInput={(e) => setStartsAt((e.target as HTMLInputElement).value)} />
        </div>
        <div class="field">
          <label for="duration">{t("sessions.duration")}</label>
          <select id="duration" value={duration} onChange={(e) => setDuration((e.target as HTMLSelectElement).value)}>
            {["15", "30", "45", "60", "90"].map((m) => <option value={m}>{m}</option>)}
          </select>
        </div>
        <button type="submit">{t("sessions.submit")}</button>
      </form>}
      <ReportEntry matchId={params.id} />
    </Layout>
  );
}
