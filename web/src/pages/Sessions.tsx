// A match's video sessions: book, reschedule, cancel, join, add to a calendar. Every time is
// shown and typed in the person's own time zone (their profile's), whatever the browser's is.
import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../api";
import { Empty, ErrorNote, Loading, useLoad } from "../components/states";
import { Layout } from "../components/Layout";
import { formatDateTime, formatTime, t, timeZone } from "../i18n";
import { matchWithOther } from "../people";
import { Link, type Params } from "../router";
import { pausedSentence, ReportEntry } from "../safeguarding/help";
import { isoToZoned, zonedToIso } from "../zoned";

const DURATIONS = ["15", "30", "45", "60", "90"];
const EARLY_JOIN_MINUTES = 10; // services/video/links.py EARLY_JOIN

async function load(id: string, signal: AbortSignal) {
  const zone = encodeURIComponent(timeZone.value);
  const [{ match, other }, sessions] = await Promise.all([
    matchWithOther(id, signal), api.get(`/v1/matches/${id}/sessions?timezone=${zone}`, signal),
  ]);
  return { match, other, sessions: sessions.items };
}

function DurationSelect({ id, value, onChange }: { id: string; value: string; onChange: (v: string) => void }) {
  const options = DURATIONS.includes(value) ? DURATIONS : [...DURATIONS, value].sort((a, b) => +a - +b);
  return (
    <select id={id} value={value} onChange={(e) => onChange((e.target as HTMLSelectElement).value)}>
      {options.map((m) => <option value={m}>{m}</option>)}
    </select>
  );
}

/** The "change the time" form of one session, in the person's time zone. */
function Reschedule({ session, done, close }: { session: any; done: (s: any) => void; close: () => void }) {
  const [startsAt, setStartsAt] = useState(isoToZoned(session.starts_at, timeZone.value));
  const [duration, setDuration] = useState(String(session.duration_minutes));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const first = useRef<HTMLInputElement>(null);
  useEffect(() => { first.current?.focus(); }, []);
  const id = session.id;
  return (
    <form class="stack reschedule" onSubmit={async (e) => {
      e.preventDefault(); setError(null); setBusy(true);
      try {
        done(await api.patch(`/v1/sessions/${id}?timezone=${encodeURIComponent(timeZone.value)}`, {
          starts_at: zonedToIso(startsAt, timeZone.value), duration_minutes: Number(duration),
        }));
      } catch (err) { setError(err); } finally { setBusy(false); }
    }}>
      <div class="field">
        <label for={`starts-${id}`}>{t("sessions.newTime")}</label>
        <input id={`starts-${id}`} ref={first} type="datetime-local" required value={startsAt} aria-describedby={`zone-${id}`}
               onInput={(e) => setStartsAt((e.target as HTMLInputElement).value)} />
        <p class="hint" id={`zone-${id}`}>{t("sessions.inZone", { zone: timeZone.value.replace(/_/g, " ") })}</p>
      </div>
      <div class="field">
        <label for={`duration-${id}`}>{t("sessions.duration")}</label>
        <DurationSelect id={`duration-${id}`} value={duration} onChange={setDuration} />
      </div>
      {error && <ErrorNote error={error} />}
      <div class="buttons">
        <button type="submit" disabled={busy}>{t("sessions.saveTime")}</button>
        <button type="button" class="secondary" onClick={close}>{t("sessions.keepTime")}</button>
      </div>
    </form>
  );
}

export function Sessions({ params }: { params: Params }) {
  const loaded = useLoad((s) => load(params.id, s), [params.id, timeZone.value]);
  const tomorrow = new Date(Date.now() + 24 * 3600_000);
  const [startsAt, setStartsAt] = useState(isoToZoned(tomorrow.toISOString(), timeZone.value).slice(0, 10) + "T17:00");
  const [duration, setDuration] = useState("30");
  const [error, setError] = useState<unknown>(null);
  const [notice, setNotice] = useState("");
  const [editing, setEditing] = useState<string | null>(null);
  if (loaded.error) return <Layout title={t("sessions.title")}><ErrorNote error={loaded.error} retry={loaded.reload} /></Layout>;
  if (!loaded.data) return <Layout title={t("sessions.title")}><Loading /></Layout>;
  const { match, other, sessions } = loaded.data;
  const paused = match.status === "active" ? pausedSentence(match.paused_for) : null;
  const now = Date.now();
  const zone = timeZone.value.replace(/_/g, " ");
  return (
    <Layout title={t("sessions.titleWith", { name: other.name })}>
      <p class="hint">
        {t("sessions.zoneNote", { zone })}
        {other.timezone && other.timezone !== timeZone.value && !other.hidden
          ? " " + t("sessions.otherZone", { name: other.name, zone: other.timezone.replace(/_/g, " ") }) : ""}
      </p>
      {error && <ErrorNote error={error} />}
      {notice && <p role="status" class="ok">{notice}</p>}
      {paused && <p class="notice" data-testid="paused">{paused}</p>}
      {sessions.length === 0 ? <Empty>{t("sessions.none")}</Empty> : (
        <ul class="cards">
          {sessions.map((s: any) => {
            const started = new Date(s.starts_at).getTime() <= now;
            const over = new Date(s.ends_at).getTime() <= now;
            const opens = new Date(new Date(s.starts_at).getTime() - EARLY_JOIN_MINUTES * 60_000).toISOString();
            return (
              <li class={`card ${s.status}`}>
                <h2>{t("sessions.when", { when: formatDateTime(s.starts_at), minutes: s.duration_minutes })}</h2>
                {s.observer && <p class="hint">{t("sessions.observer", { name: s.observer.name })}</p>}
                {s.status === "cancelled" ? <p class="badge cancelled">{t("sessions.cancelled")}</p>
                  : over ? <p class="badge ended">{t("sessions.over")}</p> : (
                  <>
                    {s.join_url && <p><a class="button" href={s.join_url} target="_blank" rel="noopener noreferrer"
                                         aria-describedby={`slot-${s.id}`}>{t("sessions.join")}</a></p>}
                    <p class="hint" id={`slot-${s.id}`}>{t("sessions.joinSlot", {
                      from: formatTime(opens), until: formatTime(s.ends_at), minutes: EARLY_JOIN_MINUTES })}</p>
                    <p><a href={`/v1/sessions/${s.id}/invite.ics`} download={`ementor-${s.id}.ics`}>{t("sessions.calendar")}</a></p>
                    {editing === s.id ? (
                      <Reschedule session={s} close={() => setEditing(null)} done={(moved) => {
                        setEditing(null); setError(null);
                        setNotice(t("sessions.moved", { when: formatDateTime(moved.starts_at), name: other.name }));
                        loaded.reload();
                      }} />
                    ) : (
                      <div class="buttons">
                        {!started && <button type="button" class="secondary"
                                             onClick={() => { setNotice(""); setEditing(s.id); }}>
                          {t("sessions.changeTime")}</button>}
                        <button type="button" class="secondary" onClick={async () => {
                          setError(null); setNotice("");
                          try { await api.post(`/v1/sessions/${s.id}/cancel`, { reason: null }); loaded.reload(); }
                          catch (e) { setError(e); }
                        }}>{t("sessions.cancel")}</button>
                      </div>
                    )}
                  </>
                )}
              </li>
            );
          })}
        </ul>
      )}
      {!paused && <form class="card stack" onSubmit={async (e) => {
        e.preventDefault(); setError(null); setNotice("");
        try {
          const s = await api.post(`/v1/matches/${params.id}/sessions`, {
            starts_at: zonedToIso(startsAt, timeZone.value), duration_minutes: Number(duration),
          });
          setNotice(t("sessions.booked", { when: formatDateTime(s.starts_at) }));
          loaded.reload();
        } catch (err) { setError(err); }
      }}>
        <h2>{t("sessions.book")}</h2>
        {other.availability && <p>{t("sessions.otherFree", { name: other.name, availability: other.availability })}</p>}
        <div class="field">
          <label for="starts">{t("sessions.startsAt")}</label>
          <input id="starts" type="datetime-local" required value={startsAt} aria-describedby="starts-zone"
                 onInput={(e) => setStartsAt((e.target as HTMLInputElement).value)} />
          <p class="hint" id="starts-zone">{t("sessions.inZone", { zone })}</p>
        </div>
        <div class="field">
          <label for="duration">{t("sessions.duration")}</label>
          <DurationSelect id="duration" value={duration} onChange={setDuration} />
        </div>
        <button type="submit">{t("sessions.submit")}</button>
      </form>}
      <ReportEntry matchId={params.id} />
      <p><Link href={`/matches/${params.id}`}>{t("goals.back", { name: other.name })}</Link></p>
    </Layout>
  );
}
