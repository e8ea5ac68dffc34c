// /staff/people/:id: one mentor or mentee as a coordinator sees them: their details (and changing them), a minor's
// guardian consent (with a new request to the guardian), their matches, where their invitation
// to sign in stands (with a new one), and the emails and texts sent to them.
import { useState } from "preact/hooks";
import { api } from "../api";
import { ErrorNote, Show, useLoad } from "../components/states";
import { Layout } from "../components/Layout";
import { formatDate, formatShortDateTime, LANGUAGES, list, t, type Key } from "../i18n";
import { Link, type Params } from "../router";
import { interestName, publicPerson } from "../people";
import { Allowed } from "../staff/Allowed";
import { PersonNotifications } from "../staff/PersonNotifications";
import { EditPerson } from "./StaffEditPerson";

export function StaffPerson({ params }: { params: Params }) {
  return <Allowed title={t("people.title")} permission="coordinator"><PersonBody id={params.id} /></Allowed>;
}

async function loadPerson(id: string, signal?: AbortSignal) {
  const person = await api.get(`/v1/people/${id}`, signal);
  const [programme, matches, invitation] = await Promise.all([
    person.programme_id ? api.get(`/v1/programmes/${person.programme_id}`, signal).catch(() => null) : null,
    api.get(`/v1/matches?person_id=${id}&limit=20`, signal),
    api.get(`/v1/people/${id}/invitation`, signal),
  ]);
  const others = await Promise.all(matches.items.map((m: any) =>
    publicPerson(m.mentor_id === id ? m.mentee_id : m.mentor_id).then((p: any) => p.name, () => "—")));
  return { person, programme, invitation,
    matches: matches.items.map((m: any, i: number) => ({ ...m, other: others[i] })) };
}

function PersonBody({ id }: { id: string }) {
  const loaded = useLoad((signal) => loadPerson(id, signal), [id]);
  return (
    <Layout title={loaded.data?.person.name ?? t("people.title")}>
      <p><Link href="/staff/people">{t("person.back")}</Link></p>
      <Show loaded={loaded}>{({ person: p, programme, matches, invitation }) => (
        <>
          <dl class="facts card">
            <dt>{t("people.role")}</dt><dd>{t(`people.role.${p.role}` as Key)}</dd>
            <dt>{t("addPerson.email")}</dt><dd>{p.email}</dd>
            {p.phone && <><dt>{t("person.phone")}</dt><dd>{p.phone}</dd></>}
            <dt>{t("addPerson.programme")}</dt><dd>{programme?.name ?? t("addPerson.noProgramme")}</dd>
            {(programme?.custom_fields ?? []).filter((q: any) => p.custom_fields?.[q.key] !== undefined).map((q: any) => <>
              <dt>{q.label}</dt><dd>{[p.custom_fields[q.key]].flat().join(", ")}</dd></>)}
            <dt>{t("person.timezone")}</dt><dd>{p.timezone.replace(/_/g, " ")}</dd>
            <dt>{t("person.language")}</dt><dd>{LANGUAGES[p.locale ?? ""]?.name ?? t("person.languageUnset")}</dd>
            <dt>{t("people.interests")}</dt><dd>{p.interests.length ? list(p.interests.map(interestName)) : "—"}</dd>
            {p.role === "mentor" && <><dt>{t("people.vetting")}</dt><dd>{t(`vetting.${p.vetting_level}` as Key)}</dd></>}
            {p.role === "mentor" && <><dt>{t("editPerson.capacity")}</dt>
              <dd>{p.capacity === 0 ? t("capacity.none") : t("capacity.n", { n: p.capacity })}</dd></>}
            <dt>{t("person.added")}</dt><dd>{formatDate(p.created_at)}</dd>
          </dl>
          <EditPerson person={p} onSaved={loaded.reload} />
          {p.is_minor && <Consent person={p} onChanged={loaded.reload} />}
          <section aria-labelledby="matches-h">
            <h2 id="matches-h">{t("person.matches")}</h2>
            {matches.length === 0 ? <p>{t("person.noMatches")}</p> : (
              <ul>{matches.map((m: any) => (
                <li><Link href={`/matches/${m.id}`}>{t("person.matchWith", { name: m.other })}</Link>
                  {" "}— {t(`dashboard.status.${m.status}` as Key)}</li>
              ))}</ul>
            )}
          </section>
          <Invite person={p} status={invitation} onSent={loaded.reload} />
          <PersonNotifications personId={p.id} />
        </>
      )}</Show>
    </Layout>
  );
}

/** A minor's guardian consent, and a new request emailed to the guardian when it is not granted. */
function Consent({ person: p, onChanged }: { person: any; onChanged: () => void }) {
  const [sent, setSent] = useState(false);
  const [error, setError] = useState<unknown>(null);
  return (
    <section class="card stack" aria-labelledby="consent-h">
      <h2 id="consent-h">{t("person.consent")}</h2>
      <p>{t(`person.consent.${p.guardian_consent}` as Key)}</p>
      {p.guardian_consent_detail?.guardian && <p>{t("person.guardian", {
        name: p.guardian_consent_detail.guardian.name, email: p.guardian_consent_detail.guardian.email })}</p>}
      {sent && <p role="status" class="ok">{t("person.consentSent")}</p>}
      {error !== null && <ErrorNote error={error} />}
      {p.guardian_consent !== "granted" && (
        <button type="button" class="secondary" onClick={async () => {
          setError(null); setSent(false);
          try { await api.post(`/v1/people/${p.id}/guardian-consent/requests`, {}); setSent(true); onChanged(); }
          catch (err) { setError(err); }
        }}>{t("person.consentAgain")}</button>
      )}
    </section>
  );
}

/** The time each status's sentence names. */
const TIME_OF: Record<string, string> = { queued: "due_at", retrying: "due_at", sent: "sent_at", signed_in: "last_signed_in_at" };
const SOON_MS = 10_000;  // the sender looks every 5 s: due sooner than this is simply on its way

/** Where their invitation stands, in words, and a new one. */
function Invite({ person: p, status: s, onSent }: { person: any; status: any; onSent: () => void }) {
  const [sent, setSent] = useState("");
  const [error, setError] = useState<unknown>(null);
  const at = s[TIME_OF[s.status]];
  // An import's or a round's invitations go at a pace: one due later says when.
  const status = s.status === "queued" && at && Date.parse(at) - Date.now() > SOON_MS ? "queuedLater" : s.status;
  return (
    <section class="card stack" aria-labelledby="invite-h">
      <h2 id="invite-h">{t("person.invite")}</h2>
      <p data-status={s.status}>{t(`person.inviteStatus.${status}` as Key, {
        when: at ? formatShortDateTime(at) : "",
        error: s.last_error ?? "", n: s.attempts })}</p>
      {s.last_signed_in_at && s.status !== "signed_in" && <p>{t("person.lastSignIn", { when: formatShortDateTime(s.last_signed_in_at) })}</p>}
      <p class="hint">{t("person.inviteHint")}</p>
      {sent && <p role="status" class="ok">{sent}</p>}
      {error !== null && <ErrorNote error={error} />}
      <button type="button" onClick={async () => {
        setError(null); setSent("");
        try {
          const queued = await api.post(`/v1/people/${p.id}/invitations`, {});
          setSent(t("person.invited", { email: queued.email }));
          onSent();
        } catch (err) { setError(err); }
      }}>{t("person.inviteSend")}</button>
    </section>
  );
}
