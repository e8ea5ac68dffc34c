// /staff/safeguarding-settings: the organisation's safeguarding contacts, in the order they are
// alerted (name, email, phone), and the minutes each has to acknowledge (GET/PUT
// /v1/settings/safeguarding; the API's 422 shown beside each field); and, for those who may read it,
// the verified safeguarding audit to download (GET /v1/safeguarding/audit).
import { useState } from "preact/hooks";
import { api } from "../api";
import { ErrorNote, Show, useLoad } from "../components/states";
import { Layout } from "../components/Layout";
import { t } from "../i18n";
import { fieldErrors } from "../safeguarding/fields";
import { Allowed } from "../staff/Allowed";
import { can } from "../session";

type Contact = { name: string; email: string; phone: string; staff_id?: string | null };
type Settings = { contacts: { name: string; email: string | null; phone: string | null; staff_id: string | null }[];
  acknowledge_within_minutes: number };

const AUDIT_LIMIT = 5000;

export function StaffSafeguardingSettings() {
  const title = t("sgsettings.title");
  if (!can("safeguarding") && !can("coordinator")) return <Allowed title={title} permission="safeguarding">{null}</Allowed>;
  return <Body />;
}

function Body() {
  const loaded = useLoad((s) => api.get<Settings>("/v1/settings/safeguarding", s));
  const [saves, setSaves] = useState(0); // a save adds an audit entry: the chain's summary follows
  return (
    <Layout title={t("sgsettings.title")}>
      <p>{t("sgsettings.intro")}</p>
      <Show loaded={loaded}>{(settings) => <SettingsForm initial={settings} onSaved={() => setSaves((n) => n + 1)} />}</Show>
      {can("audit_log") && <Audit saves={saves} />}
    </Layout>
  );
}

function SettingsForm({ initial, onSaved }: { initial: Settings; onSaved: () => void }) {
  const [contacts, setContacts] = useState<Contact[]>(initial.contacts.map((c) => ({
    name: c.name, email: c.email ?? "", phone: c.phone ?? "", staff_id: c.staff_id })));
  const [minutes, setMinutes] = useState(String(initial.acknowledge_within_minutes));
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const [problems, setProblems] = useState<Record<string, string>>({});
  const [saved, setSaved] = useState(false);
  const change = (i: number, patch: Partial<Contact>) => {
    setSaved(false);
    setContacts(contacts.map((c, j) => (j === i ? { ...c, ...patch } : c)));
  };
  const move = (i: number, by: number) => {
    const next = [...contacts];
    [next[i], next[i + by]] = [next[i + by], next[i]];
    setContacts(next); setProblems({}); setSaved(false);
  };
  const problem = (field: string) => { // the API's words, unless they are a pattern only a programmer reads
    const said = problems[field];
    if (said && /pattern/i.test(said) && field.endsWith(".phone")) return t("sgsettings.phoneInvalid");
    if (said && /pattern/i.test(said) && field.endsWith(".email")) return t("sgsettings.emailInvalid");
    return said;
  };
  const described = (id: string, hint: string | null, field: string) =>
    [hint, problem(field) ? `${id}-error` : null].filter(Boolean).join(" ") || undefined;
  return (
    <form class="stack" noValidate onSubmit={async (e) => {
      e.preventDefault(); setError(null); setSaved(false); setBusy(true);
      try {
        await api.put("/v1/settings/safeguarding", {
          contacts: contacts.map((c) => ({ name: c.name, email: c.email.trim() || null, phone: c.phone.replace(/\s+/g, "") || null,
            ...(c.staff_id ? { staff_id: c.staff_id } : {}) })),
          acknowledge_within_minutes: Number(minutes),
        });
        setProblems({}); setSaved(true); onSaved();
      } catch (err) {
        const found = fieldErrors(err);
        setProblems(found);
        setError(Object.keys(found).length ? new Error(t("sgsettings.fixBelow")) : err);
      } finally { setBusy(false); }
    }}>
      <h2 id="contacts-h">{t("sgsettings.contacts")}</h2>
      {problem("contacts") && <p class="field-error" role="alert">{problem("contacts")}</p>}
      {contacts.length === 0 && <p class="notice">{t("sgsettings.none")}</p>}
      <ol class="cards contacts" aria-labelledby="contacts-h">
        {contacts.map((c, i) => {
          const f = (name: string) => `contacts.${i}${name ? "." + name : ""}`;
          const id = (name: string) => `contact-${i}-${name}`;
          return (
            <li class="card stack">
              <fieldset aria-describedby={problem(f("")) ? `${id("all")}-error` : `${id("reach")}`}>
                <legend id={id("legend")}>{t("sgsettings.contact", { n: i + 1 })}</legend>
                <p class="hint" id={id("reach")}>{t("sgsettings.reachHint")}</p>
                {problem(f("")) && <p class="field-error" id={`${id("all")}-error`}>{problem(f(""))}</p>}
                {(["name", "email", "phone"] as const).map((name) => (
                  <div class="field">
                    <label for={id(name)}>{t(`sgsettings.${name}`)}</label>
                    <input id={id(name)} value={c[name]} type={name === "email" ? "email" : name === "phone" ? "tel" : "text"}
                           autoComplete="off" aria-invalid={problem(f(name)) ? "true" : undefined}
                           aria-describedby={described(id(name), name === "phone" ? `${id(name)}-hint` : null, f(name))}
                           onInput={(e) => change(i, { [name]: (e.target as HTMLInputElement).value })} />
                    {name === "phone" && <p class="hint" id={`${id(name)}-hint`}>{t("sgsettings.phoneHint")}</p>}
                    {problem(f(name)) && <p class="field-error" id={`${id(name)}-error`}>{problem(f(name))}</p>}
                  </div>
                ))}
                <div class="row tight">
                  <button type="button" class="secondary" disabled={i === 0} aria-describedby={id("legend")}
                          title={t("sgsettings.up", { n: i + 1 })} onClick={() => move(i, -1)}>
                    {t("sgsettings.moveUp")}
                  </button>
                  <button type="button" class="secondary" disabled={i === contacts.length - 1} aria-describedby={id("legend")}
                          title={t("sgsettings.down", { n: i + 1 })} onClick={() => move(i, 1)}>
                    {t("sgsettings.moveDown")}
                  </button>
                  <button type="button" class="secondary" aria-describedby={id("legend")}
                          title={t("sgsettings.remove", { n: i + 1 })} onClick={() => {
                    setContacts(contacts.filter((_, j) => j !== i)); setProblems({}); setSaved(false);
                  }}>{t("sgsettings.removeOne")}</button>
                </div>
              </fieldset>
            </li>
          );
        })}
      </ol>
      <p><button type="button" class="secondary" onClick={() => {
        setContacts([...contacts, { name: "", email: "", phone: "" }]); setSaved(false);
      }}>{t("sgsettings.add")}</button></p>
      <div class="field">
        <label for="ack-minutes">{t("sgsettings.minutes")}</label>
        <input id="ack-minutes" type="number" inputMode="numeric" min={1} max={1440} value={minutes}
               aria-invalid={problem("acknowledge_within_minutes") ? "true" : undefined}
               aria-describedby={described("ack-minutes", "ack-minutes-hint", "acknowledge_within_minutes")}
               onInput={(e) => { setMinutes((e.target as HTMLInputElement).value); setSaved(false); }} />
        <p class="hint" id="ack-minutes-hint">{t("sgsettings.minutesHint")}</p>
        {problem("acknowledge_within_minutes") && (
          <p class="field-error" id="ack-minutes-error">{problem("acknowledge_within_minutes")}</p>
        )}
      </div>
      {error !== null && <ErrorNote error={error} />}
      {saved && <p role="status" class="ok">{t("sgsettings.saved")}</p>}
      <button type="submit" disabled={busy}>{t("sgsettings.save")}</button>
    </form>
  );
}

function Audit({ saves }: { saves: number }) {
  const loaded = useLoad((s) => api.get(`/v1/safeguarding/audit?limit=1`, s), [saves]);
  return (
    <section class="card stack audit" aria-labelledby="audit-h">
      <h2 id="audit-h">{t("sgsettings.audit")}</h2>
      <p>{t("sgsettings.auditIntro")}</p>
      <Show loaded={loaded}>{(chain: any) => chain.verified
        ? <p class="ok">{t("sgsettings.auditVerified", { n: chain.head_seq })}</p>
        : <p class="error" role="alert">{t("sgsettings.auditBroken", { seq: chain.broken_at, problem: chain.problem ?? "" })}</p>}
      </Show>
      <p><a href={`/v1/safeguarding/audit?limit=${AUDIT_LIMIT}`} download="safeguarding-audit.json">{t("sgsettings.auditDownload")}</a></p>
    </section>
  );
}
