// /staff/staff: the organisation's staff; an admin invites (an emailed sign-in link) and removes.
import { useState } from "preact/hooks";
import { api } from "../api";
import { ErrorNote, Show, useLoad } from "../components/states";
import { Layout } from "../components/Layout";
import { Allowed } from "../staff/Allowed";
import { lang, LANGUAGES, t, type Key } from "../i18n";
import { me } from "../session";
import { listAll } from "../staff/lists";

const ROLES = ["coordinator", "safeguarding_lead", "admin"] as const;

export function StaffTeam() {
  return <Allowed title={t("team.title")} permission="manage_staff"><StaffTeamBody /></Allowed>;
}

function StaffTeamBody() {
  const loaded = useLoad((signal) => listAll("/v1/staff", signal, 1000));
  const [note, setNote] = useState("");
  return (
    <Layout title={t("team.title")}>
      {note && <p role="status" class="ok">{note}</p>}
      <Invite onInvited={(name) => { setNote(t("team.invited", { name })); loaded.reload(); }} />
      <section aria-labelledby="team-h">
        <h2 id="team-h">{t("team.list")}</h2>
        <Show loaded={loaded}>{(staff) => (
          <ul class="cards">
            {staff.map((s: any) => <Member key={s.id} member={s} onRemoved={() => { setNote(t("team.removed", { name: s.name })); loaded.reload(); }} />)}
          </ul>
        )}</Show>
      </section>
    </Layout>
  );
}

function Invite({ onInvited }: { onInvited: (name: string) => void }) {
  // Until a language is chosen, their emails are in the one the inviter reads in (it follows a switch).
  const blank = { name: "", email: "", role: "coordinator", locale: "" };
  const [form, setForm] = useState(blank);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const set = (k: string) => (e: Event) => setForm({ ...form, [k]: (e.target as HTMLInputElement).value });
  return (
    <form class="card stack" aria-labelledby="invite-h" onSubmit={async (e) => {
      e.preventDefault(); setError(null); setBusy(true);
      try {
        await api.post("/v1/staff", { ...form, name: form.name.trim(), email: form.email.trim(),
          locale: form.locale || lang.value });
        onInvited(form.name.trim()); setForm(blank);
      } catch (err) { setError(err); } finally { setBusy(false); }
    }}>
      <h2 id="invite-h">{t("team.invite")}</h2>
      <div class="field"><label for="invite-name">{t("team.name")}</label>
        <input id="invite-name" required maxLength={200} value={form.name} onInput={set("name")} /></div>
      <div class="field"><label for="invite-email">{t("team.email")}</label>
        <input id="invite-email" type="email" required value={form.email} onInput={set("email")} /></div>
      <div class="field"><label for="invite-role">{t("team.role")}</label>
        <select id="invite-role" value={form.role} onChange={set("role")}>
          {ROLES.map((r) => <option value={r}>{t(`team.role.${r}` as Key)}</option>)}
        </select></div>
      <div class="field"><label for="invite-locale">{t("team.locale")}</label>
        <select id="invite-locale" value={form.locale || lang.value} onChange={set("locale")} aria-describedby="invite-locale-hint">
          {Object.entries(LANGUAGES).map(([code, l]) => <option value={code} lang={code}>{l.name}</option>)}
        </select>
        <p class="hint" id="invite-locale-hint">{t("team.localeHint")}</p></div>
      {error !== null && <ErrorNote error={error} />}
      <button type="submit" disabled={busy}>{t("team.send")}</button>
    </form>
  );
}

function Member({ member: s, onRemoved }: { member: any; onRemoved: () => void }) {
  const [asking, setAsking] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const self = s.id === me.value?.staff_id;
  return (
    <li class="card">
      <h3>{s.name}</h3>
      <p>{s.email}</p>
      <p>{t(`team.role.${s.role}` as Key)} · {t(s.status === "invited" ? "team.status.invited" : "team.status.active")}</p>
      {error !== null && <ErrorNote error={error} />}
      {!self && (asking ? (
        <div class="row">
          <button type="button" class="danger" onClick={async () => {
            try { await api.del(`/v1/staff/${s.id}`); onRemoved(); } catch (err) { setError(err); }
          }}>{t("team.confirmRemove", { name: s.name })}</button>
          <button type="button" class="link" onClick={() => setAsking(false)}>{t("team.keep")}</button>
        </div>
      ) : <button type="button" onClick={() => setAsking(true)}>{t("team.remove", { name: s.name })}</button>)}
    </li>
  );
}
