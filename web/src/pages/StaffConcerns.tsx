// /staff/concerns: the safeguarding queue, newest first (status, category, age, where the
// escalation stands); /staff/concerns/:id: one concern with the conversation around it, Acknowledge,
// and Resolve with a decision and a required reason. Safeguarding leads only (`safeguarding`).
import { useEffect, useState } from "preact/hooks";
import { api } from "../api";
import { Empty, ErrorNote, Show, useLoad } from "../components/states";
import { Layout } from "../components/Layout";
import { formatDateTime, formatTime, lang, t, type Key } from "../i18n";
import { Link, type Params } from "../router";
import { fieldErrors } from "../safeguarding/fields";
import { Allowed } from "../staff/Allowed";
import { listAll } from "../staff/lists";

const REFRESH_MS = 15_000;
const DECISIONS = ["resume", "end_match", "suspend_person", "refer_outside"] as const;
const FILTERS = ["", "open", "acknowledged", "resolved"] as const;

type Concern = {
  id: string; status: "open" | "acknowledged" | "resolved"; category: string; match_id: string | null;
  created_at: string; serious: boolean; message_id: string | null; mentor_id: string | null; mentee_id: string | null;
  mentor_name: string | null; mentee_name: string | null; details: string | null; raised_by: string;
  raised_via: string; acknowledged_at: string | null; resolved_at: string | null; decision: string | null;
  reason: string | null; next_alert_at: string | null;
  escalation: { step: number; to_operator: boolean; contact_name: string | null; at: string; email: string | null; sms: string | null }[];
};

/** "5 minutes ago", "2 days ago", in the reader's language. */
export function ago(iso: string, now = Date.now()): string {
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  const rtf = new Intl.RelativeTimeFormat(lang.value, { numeric: "auto" });
  const steps: [Intl.RelativeTimeFormatUnit, number][] = [["second", 60], ["minute", 60], ["hour", 24], ["day", 7], ["week", 1e9]];
  let value = seconds;
  for (const [unit, size] of steps) {
    if (Math.abs(value) < size || unit === "week") return rtf.format(value, unit);
    value = Math.round(value / size);
  }
  return rtf.format(value, "week");
}

const category = (c: string) => t(`concerns.category.${c}` as Key);
const mentee = (c: Concern) => c.mentee_name ?? t("concerns.theMentee");
const mentor = (c: Concern) => c.mentor_name ?? t("concerns.theMentor");

function raisedBy(c: Concern): string {
  if (c.raised_via === "moderation") return t("concerns.byModeration");
  if (c.raised_by === `person:${c.mentee_id}`) return `${mentee(c)} (${t("people.role.mentee").toLowerCase()})`;
  if (c.raised_by === `person:${c.mentor_id}`) return `${mentor(c)} (${t("people.role.mentor").toLowerCase()})`;
  return c.raised_by;
}

function Escalation({ c }: { c: Concern }) {
  if (c.status === "resolved") {
    return <p>{t("concerns.resolvedAs", { when: formatDateTime(c.resolved_at!), decision: t(`concern.decided.${c.decision}` as Key) })}</p>;
  }
  const last = c.escalation[c.escalation.length - 1];
  const who = last ? (last.to_operator ? t("concerns.operator") : last.contact_name ?? "") : "";
  return (
    <>
      <p>{last ? t("concerns.escalation.sent", { n: c.escalation.length, who }) : t("concerns.escalation.none")}</p>
      {c.status === "acknowledged" && c.acknowledged_at && (
        <p>{t("concerns.escalation.stopped", { when: formatDateTime(c.acknowledged_at) })}</p>
      )}
      {c.status === "open" && c.next_alert_at && <p>{t("concerns.escalation.next", { when: formatTime(c.next_alert_at) })}</p>}
      {c.status === "open" && !c.next_alert_at && last && <p>{t("concerns.escalation.ended")}</p>}
    </>
  );
}

export function StaffConcerns() {
  return <Allowed title={t("concerns.title")} permission="safeguarding"><Queue /></Allowed>;
}

function Queue() {
  const [filter, setFilter] = useState<string>("");
  const loaded = useLoad((s) => listAll(`/v1/concerns${filter ? `?status=${filter}` : ""}`, s) as Promise<Concern[]>, [filter]);
  useEffect(() => { // new concerns join the queue while the page stays open
    const timer = setInterval(loaded.reload, REFRESH_MS);
    return () => clearInterval(timer);
  }, []);
  return (
    <Layout title={t("concerns.title")}>
      <p>{t("concerns.intro")}</p>
      <div class="field">
        <label for="concern-filter">{t("concerns.filter")}</label>
        <select id="concern-filter" value={filter} onChange={(e) => setFilter((e.target as HTMLSelectElement).value)}>
          {FILTERS.map((f) => <option value={f}>{t(`concerns.filter.${f || "all"}` as Key)}</option>)}
        </select>
      </div>
      <Show loaded={loaded}>{(items) => items.length === 0 ? <Empty>{t("concerns.empty")}</Empty> : (
        <ul class="cards concerns">
          {items.map((c) => (
            <li class={`card stack concern ${c.status}`} data-testid="concern">
              <h2 class="small">
                <Link href={`/staff/concerns/${c.id}`} aria-label={t("concerns.open", { category: category(c.category) })}>
                  {category(c.category)}
                </Link>
              </h2>
              <p class="row tight">
                <span class={`badge concern-${c.status}`}>{t(`concerns.status.${c.status}` as Key)}</span>
                {c.serious && <span class="badge serious">{t("concerns.serious")}</span>}
              </p>
              <p>
                <time dateTime={c.created_at} title={formatDateTime(c.created_at)}>{t("concerns.raised", { age: ago(c.created_at) })}</time>
                {" · "}{c.match_id ? t("concerns.between", { mentee: mentee(c), mentor: mentor(c) }) : t("concerns.noMatch")}
              </p>
              <Escalation c={c} />
            </li>
          ))}
        </ul>
      )}</Show>
    </Layout>
  );
}

async function loadConcern(id: string, signal: AbortSignal) {
  const concern: Concern = await api.get(`/v1/concerns/${encodeURIComponent(id)}`, signal);
  let messages: any[] | null = null;
  let messagesError: unknown = null;
  if (concern.match_id) {
    try { messages = (await api.get(`/v1/concerns/${encodeURIComponent(id)}/messages`, signal)).items; }
    catch (e) { if ((e as Error).name === "AbortError") throw e; messagesError = e; }
  }
  return { concern, messages, messagesError };
}

export function StaffConcern({ params }: { params: Params }) {
  return <Allowed title={t("concerns.title")} permission="safeguarding"><ConcernPage id={params.id} /></Allowed>;
}

function ConcernPage({ id }: { id: string }) {
  const loaded = useLoad((s) => loadConcern(id, s), [id]);
  const [done, setDone] = useState("");
  if (loaded.error) return <Layout title={t("concerns.title")}><ErrorNote error={loaded.error} retry={loaded.reload} /></Layout>;
  if (!loaded.data) return <Layout title={t("concerns.title")}><Show loaded={loaded}>{() => null}</Show></Layout>;
  const { concern: c, messages, messagesError } = loaded.data;
  const names: Record<string, string> = {};
  if (c.mentee_id) names[c.mentee_id] = mentee(c);
  if (c.mentor_id) names[c.mentor_id] = mentor(c);
  return (
    <Layout title={t("concern.title", { category: category(c.category) })}>
      <p><Link href="/staff/concerns">{t("concern.back")}</Link></p>
      {done && <p role="status" class="ok">{done}</p>}
      <div class="card stack">
        <p class="row tight">
          <span class={`badge concern-${c.status}`}>{t(`concerns.status.${c.status}` as Key)}</span>
          {c.serious && <span class="badge serious">{t("concerns.serious")}</span>}
        </p>
        <p>{t("concerns.raisedBy", { who: raisedBy(c) })}, <time dateTime={c.created_at}>{formatDateTime(c.created_at)}</time> ({ago(c.created_at)})</p>
        <p>{c.match_id ? t("concerns.between", { mentee: mentee(c), mentor: mentor(c) }) : t("concerns.noMatch")}</p>
        <h2 class="small">{t("concern.details")}</h2>
        {c.details ? <blockquote class="held-body">{c.details}</blockquote> : <p class="hint">{t("concern.noDetails")}</p>}
        {c.status === "resolved" && c.reason && <p>{t("concern.reasonWas", { reason: c.reason })}</p>}
      </div>

      <section aria-labelledby="escalation-h" class="card stack">
        <h2 id="escalation-h" class="small">{t("concern.escalation")}</h2>
        <Escalation c={c} />
        {c.escalation.length > 0 && (
          <ol class="plain">
            {c.escalation.map((s) => (
              <li>{t("concern.step", {
                when: formatDateTime(s.at), who: s.to_operator ? t("concerns.operator") : s.contact_name ?? "",
                email: s.email ?? t("concern.channel.none"), sms: s.sms ?? t("concern.channel.none"),
              })}</li>
            ))}
          </ol>
        )}
      </section>

      {c.match_id && (
        <section aria-labelledby="context-h">
          <h2 id="context-h">{t("concern.messages")}</h2>
          <p class="hint">{t("concern.messagesHint")}</p>
          {messagesError ? <ErrorNote error={messagesError} retry={loaded.reload} /> : messages!.length === 0 ? (
            <Empty>{t("concern.noMessages")}</Empty>
          ) : (
            <ol class="chat context" data-testid="context">
              {messages!.map((m) => (
                <li class={`bubble ${m.sender_id === c.mentee_id ? "theirs" : "mine"} ${m.status}${m.is_concern_message ? " reported-message" : ""}`}
                    data-reported={m.is_concern_message ? "true" : undefined}>
                  {m.is_concern_message && <p class="flag"><strong>{t("concern.reportedMessage")}</strong></p>}
                  <p class="who">
                    <strong>{names[m.sender_id] ?? m.sender_id}</strong>{" "}
                    {m.created_at && <time dateTime={m.created_at}>{formatDateTime(m.created_at, { dateStyle: "medium" })}</time>}
                    {m.status !== "delivered" && <> · {t(`concern.messageStatus.${m.status}` as Key) ?? m.status}</>}
                  </p>
                  <p class="body">{m.body}</p>
                </li>
              ))}
            </ol>
          )}
        </section>
      )}

      {c.status === "open" && <Acknowledge id={c.id} onDone={() => { setDone(t("concern.acknowledged")); loaded.reload(); }} />}
      {c.status !== "resolved" && (
        <Resolve c={c} names={names} onDone={(decision) => {
          setDone(t("concern.resolved", { decision: t(`concern.decided.${decision}` as Key) })); loaded.reload();
        }} />
      )}
    </Layout>
  );
}

function Acknowledge({ id, onDone }: { id: string; onDone: () => void }) {
  const [note, setNote] = useState("");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  return (
    <form class="card stack" aria-labelledby="ack-h" onSubmit={async (e) => {
      e.preventDefault(); setError(null); setBusy(true);
      try { await api.post(`/v1/concerns/${id}/acknowledge`, { note: note.trim() || null }); onDone(); }
      catch (err) { setError(err); } finally { setBusy(false); }
    }}>
      <h2 id="ack-h" class="small">{t("concern.acknowledge")}</h2>
      <p class="hint" id="ack-hint">{t("concern.acknowledgeHint")}</p>
      <div class="field">
        <label for="ack-note">{t("concern.note")}</label>
        <input id="ack-note" value={note} maxLength={2000} onInput={(e) => setNote((e.target as HTMLInputElement).value)} />
      </div>
      {error !== null && <ErrorNote error={error} />}
      <button type="submit" disabled={busy} aria-describedby="ack-hint">{t("concern.acknowledge")}</button>
    </form>
  );
}

function Resolve({ c, names, onDone }: { c: Concern; names: Record<string, string>; onDone: (decision: string) => void }) {
  const [decision, setDecision] = useState("");
  const [reason, setReason] = useState("");
  const [personId, setPersonId] = useState("");
  const [resumeContact, setResumeContact] = useState(false);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [problems, setProblems] = useState<Record<string, string>>({});
  const people = [c.mentee_id, c.mentor_id].filter(Boolean) as string[];
  return (
    <form class="card stack" aria-labelledby="resolve-h" noValidate onSubmit={async (e) => {
      e.preventDefault(); setError(null);
      const local: Record<string, string> = {};
      if (!decision) local.decision = t("concern.decisionNeeded");
      if (reason.trim().length < 3) local.reason = t("concern.reasonNeeded");
      if (decision === "suspend_person" && !personId) local.person_id = t("error.person_id_required");
      setProblems(local);
      if (Object.keys(local).length) return;
      setBusy(true);
      try {
        await api.post(`/v1/concerns/${c.id}/resolve`, {
          decision, reason: reason.trim(), person_id: decision === "suspend_person" ? personId : null,
          resume_contact: decision === "refer_outside" ? resumeContact : false,
        });
        onDone(decision);
      } catch (err) {
        setError(err); setProblems(fieldErrors(err)); setBusy(false);
      }
    }}>
      <h2 id="resolve-h" class="small">{t("concern.resolve")}</h2>
      <fieldset class="choices" aria-describedby={problems.decision ? "decision-error" : undefined}>
        <legend>{t("concern.decision")}</legend>
        {problems.decision && <p class="field-error" id="decision-error">{problems.decision}</p>}
        {DECISIONS.map((d) => {
          const disabled = !c.match_id && (d === "end_match" || d === "suspend_person");
          return (
            <div class="check">
              <input type="radio" name="decision" id={`decision-${d}`} value={d} checked={decision === d} disabled={disabled}
                     onChange={() => setDecision(d)} />
              <label for={`decision-${d}`}>{t(`concern.decision.${d}` as Key)}</label>
            </div>
          );
        })}
      </fieldset>
      {decision === "suspend_person" && (
        <div class="field">
          <label for="suspend-person">{t("concern.person")}</label>
          <select id="suspend-person" value={personId} aria-invalid={problems.person_id ? "true" : undefined}
                  aria-describedby={problems.person_id ? "person-error" : undefined}
                  onChange={(e) => setPersonId((e.target as HTMLSelectElement).value)}>
            <option value="">—</option>
            {people.map((p) => <option value={p}>{names[p] ?? p}</option>)}
          </select>
          {problems.person_id && <p class="field-error" id="person-error">{problems.person_id}</p>}
        </div>
      )}
      {decision === "refer_outside" && c.match_id && (
        <div class="check">
          <input type="checkbox" id="resume-contact" checked={resumeContact}
                 onChange={(e) => setResumeContact((e.target as HTMLInputElement).checked)} />
          <label for="resume-contact">{t("concern.resumeContact")}</label>
        </div>
      )}
      <div class="field">
        <label for="resolve-reason">{t("concern.reason")}</label>
        <textarea id="resolve-reason" rows={4} maxLength={4000} value={reason} required
                  aria-invalid={problems.reason ? "true" : undefined}
                  aria-describedby={`resolve-reason-hint${problems.reason ? " reason-error" : ""}`}
                  onInput={(e) => setReason((e.target as HTMLTextAreaElement).value)} />
        <p class="hint" id="resolve-reason-hint">{t("concern.reasonHint")}</p>
        {problems.reason && <p class="field-error" id="reason-error">{problems.reason}</p>}
      </div>
      {error !== null && <ErrorNote error={error} />}
      <button type="submit" disabled={busy}>{t("concern.resolve")}</button>
    </form>
  );
}
