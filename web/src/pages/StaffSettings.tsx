// /staff/settings: the organisation's settings, one section per service, each saved on its own
// with a confirmation, and a 422 shown beside the field it names. Sections follow permissions:
// matching, messaging, conversation topics, notifications and video for `coordinator`; sign-in options for `manage_staff`.
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { api } from "../api";
import { ErrorNote, Show, useLoad } from "../components/states";
import { Layout } from "../components/Layout";
import { Field, Check, FormError, fieldErrors, words, type FieldErrors } from "../staff/forms";
import { t, type Key } from "../i18n";
import { query } from "../router";
import { can } from "../session";
import { listAll } from "../staff/lists";
import { VETTING } from "../people";
import { TopicSettings } from "../staff/TopicSettings";

export function StaffSettings() {
  const coordinator = can("coordinator");
  const signIn = can("manage_staff");
  return (
    <Layout title={t("staffSettings.title")}>
      {!coordinator && !signIn && <p class="notice" role="alert">{t("staff.notAllowed")}</p>}
      {(coordinator || signIn) && (
        <nav class="toc" aria-label={t("staffSettings.sections")}>
          <ul>
            {coordinator && <li><a href="#matching-h">{t("staffSettings.matching")}</a></li>}
            {coordinator && <li><a href="#messaging-h">{t("staffSettings.messaging")}</a></li>}
            {coordinator && <li><a href="#topics-h">{t("topicSettings.title")}</a></li>}
            {coordinator && <li><a href="#notifications-h">{t("staffSettings.notifications")}</a></li>}
            {coordinator && <li><a href="#video-h">{t("staffSettings.video")}</a></li>}
            {signIn && <li><a href="#signin-h">{t("staffSettings.signIn")}</a></li>}
          </ul>
        </nav>
      )}
      {coordinator && <MatchingSettings />}
      {coordinator && <MessagingSettings />}
      {coordinator && <TopicSettings />}
      {coordinator && <NotificationSettings />}
      {coordinator && <VideoSettings />}
      {signIn && <SignInOptions />}
    </Layout>
  );
}

/** A section's form: its heading, the save button, the confirmation and the error. */
function Section({ id, title, intro, saved, error, shown, busy, onSubmit, children, submit }: {
  id: string; title: string; intro?: string; saved: string; error: unknown; shown: string[]; busy: boolean;
  onSubmit: () => void; children: ComponentChildren; submit?: string;
}) {
  return (
    <form class="card stack" aria-labelledby={`${id}-h`} noValidate onSubmit={(e) => { e.preventDefault(); onSubmit(); }}>
      <h2 id={`${id}-h`} tabIndex={-1}>{title}</h2>
      {intro && <p class="hint">{intro}</p>}
      {children}
      <FormError error={error} shown={shown} />
      {saved && <p role="status" class="ok">{saved}</p>}
      <button type="submit" disabled={busy}>{submit ?? t("staffSettings.save")}</button>
    </form>
  );
}

/** Saving: busy, the confirmation (cleared on the next try) and the error. */
function useSave() {
  const [state, setState] = useState<{ busy: boolean; saved: string; error: unknown }>({ busy: false, saved: "", error: null });
  const run = async (action: () => Promise<unknown>, done: string) => {
    setState({ busy: true, saved: "", error: null });
    try { await action(); setState({ busy: false, saved: done, error: null }); }
    catch (error) { setState({ busy: false, saved: "", error }); }
  };
  return { ...state, errors: fieldErrors(state.error) as FieldErrors, run };
}

const num = (e: Event) => (e.target as HTMLInputElement).value;
const toNumber = (v: string) => (v.trim() === "" || Number.isNaN(Number(v)) ? v : Number(v));

// -- matching -------------------------------------------------------------------------------------
const WEIGHTS = ["interests", "language", "timezone", "field"] as const;

function MatchingSettings() {
  const programmes = useLoad((signal) => listAll("/v1/programmes", signal, 1000));
  const [programme, setProgramme] = useState(query("programme") ?? "");
  const loaded = useLoad((signal) => api.get(`/v1/settings/matching${programme ? `?programme_id=${programme}` : ""}`, signal), [programme]);
  return (
    <Show loaded={programmes}>{(items) => (
      <Show loaded={loaded}>{(current) => (
        <MatchingForm key={`${programme}:${current.updated_at}`} current={current} programmes={items}
                      programme={programme} setProgramme={setProgramme} />
      )}</Show>
    )}</Show>
  );
}

function MatchingForm({ current, programmes, programme, setProgramme }: {
  current: any; programmes: any[]; programme: string; setProgramme: (id: string) => void;
}) {
  const [form, setForm] = useState({
    weights: Object.fromEntries(WEIGHTS.map((w) => [w, String(current.weights[w])])) as Record<string, string>,
    min: String(current.min_shared_interests), field_key: current.field_key ?? "",
  });
  const save = useSave();
  const [from, setFrom] = useState<string>(current.inherited_from);
  const chosen = programmes.find((p) => p.id === programme);
  const keys = (chosen?.custom_fields ?? []).filter((f: any) => f.type !== "text" && f.type !== "multiple_choice");
  const shown = [...WEIGHTS.map((w) => `weights.${w}`), "min_shared_interests", "field_key"];
  return (
    <Section id="matching" title={t("staffSettings.matching")} intro={t("staffSettings.matchingIntro")}
             saved={save.saved} error={save.error} shown={shown} busy={save.busy}
             onSubmit={() => save.run(async () => {
               const saved = await api.put("/v1/settings/matching", {
                 programme_id: programme || null,
                 weights: Object.fromEntries(WEIGHTS.map((w) => [w, toNumber(form.weights[w])])),
                 min_shared_interests: toNumber(form.min), field_key: form.field_key || null,
               });
               setFrom(saved.inherited_from);
             }, chosen ? t("staffSettings.matchingSavedFor", { name: chosen.name }) : t("staffSettings.matchingSaved"))}>
      <div class="field"><label for="weights-for">{t("staffSettings.appliesTo")}</label>
        <select id="weights-for" value={programme} aria-describedby="weights-from"
                onChange={(e) => setProgramme((e.target as HTMLSelectElement).value)}>
          <option value="">{t("staffSettings.orgDefault")}</option>
          {programmes.map((p) => <option value={p.id}>{p.name}</option>)}
        </select>
        <p class="hint" id="weights-from">{!programme && from === "organisation" ? t("staffSettings.from.own")
          : t(`staffSettings.from.${from}` as Key)}</p></div>
      <fieldset class="stack">
        <legend>{t("staffSettings.weights")}</legend>
        <p class="hint">{t("staffSettings.weightsHint")}</p>
        <div class="grid">
          {WEIGHTS.map((w) => (
            <Field id={`weight-${w}`} label={t(`staffSettings.weight.${w}` as Key)} error={save.errors[`weights.${w}`]}>{(d, bad) => (
              <input id={`weight-${w}`} type="number" min={0} max={10} step="any" inputMode="decimal" value={form.weights[w]}
                     aria-describedby={d} aria-invalid={bad || undefined}
                     onInput={(e) => setForm({ ...form, weights: { ...form.weights, [w]: num(e) } })} />)}</Field>
          ))}
        </div>
      </fieldset>
      <Field id="min-shared" label={t("staffSettings.minShared")} hint={t("staffSettings.minSharedHint")}
             error={save.errors.min_shared_interests}>{(d, bad) => (
        <input id="min-shared" type="number" min={0} max={20} step={1} value={form.min} aria-describedby={d}
               aria-invalid={bad || undefined} onInput={(e) => setForm({ ...form, min: num(e) })} />)}</Field>
      {chosen && (
        <Field id="field-key" label={t("staffSettings.fieldKey")} hint={t("staffSettings.fieldKeyHint")}
               error={save.errors.field_key}>{(d) => (
          <select id="field-key" value={form.field_key} aria-describedby={d}
                  onChange={(e) => setForm({ ...form, field_key: (e.target as HTMLSelectElement).value })}>
            <option value="">{t("staffSettings.noField")}</option>
            {keys.map((f: any) => <option value={f.key}>{f.label}</option>)}
          </select>)}</Field>
      )}
    </Section>
  );
}

// -- messaging ------------------------------------------------------------------------------------
function MessagingSettings() {
  const loaded = useLoad((signal) => api.get("/v1/settings/messaging", signal));
  return <Show loaded={loaded}>{(current) => <MessagingForm current={current} />}</Show>;
}

function MessagingForm({ current }: { current: any }) {
  const [form, setForm] = useState({
    blocked: current.blocked_words.join("\n"), contact: current.hold_contact_details_for_adults,
    links: current.hold_links_for_adults, rate: String(current.messages_per_minute),
  });
  const save = useSave();
  const shown = ["blocked_words", "hold_contact_details_for_adults", "hold_links_for_adults", "messages_per_minute"];
  const blockedError = Object.entries(save.errors).filter(([k]) => k.startsWith("blocked_words")).map(([, v]) => v).join("; ");
  return (
    <Section id="messaging" title={t("staffSettings.messaging")} intro={t("staffSettings.messagingIntro")}
             saved={save.saved} error={save.error} busy={save.busy}
             shown={[...shown, ...Object.keys(save.errors).filter((k) => k.startsWith("blocked_words"))]}
             onSubmit={() => save.run(() => api.put("/v1/settings/messaging", {
               blocked_words: words(form.blocked, /\n/), hold_contact_details_for_adults: form.contact,
               hold_links_for_adults: form.links, messages_per_minute: toNumber(form.rate),
             }), t("staffSettings.messagingSaved"))}>
      <Field id="blocked-words" label={t("staffSettings.blocked")} hint={t("staffSettings.blockedHint")} error={blockedError || undefined}>{(d, bad) => (
        <textarea id="blocked-words" value={form.blocked} rows={5} aria-describedby={d} aria-invalid={bad || undefined}
                  onInput={(e) => setForm({ ...form, blocked: (e.target as HTMLTextAreaElement).value })} />)}</Field>
      <Check id="hold-contact" label={t("staffSettings.holdContact")} checked={form.contact}
             error={save.errors.hold_contact_details_for_adults} onChange={(v) => setForm({ ...form, contact: v })} />
      <Check id="hold-links" label={t("staffSettings.holdLinks")} checked={form.links}
             error={save.errors.hold_links_for_adults} onChange={(v) => setForm({ ...form, links: v })} />
      <p class="hint">{t("staffSettings.minorsFixed")}</p>
      <Field id="rate" label={t("staffSettings.rate")} hint={t("staffSettings.rateHint")} error={save.errors.messages_per_minute}>{(d, bad) => (
        <input id="rate" type="number" min={1} step={1} value={form.rate} aria-describedby={d} aria-invalid={bad || undefined}
               onInput={(e) => setForm({ ...form, rate: num(e) })} />)}</Field>
    </Section>
  );
}

// -- notifications --------------------------------------------------------------------------------
export const TEMPLATE_KINDS = ["match_proposed", "match_accepted", "match_declined", "match_ended", "message_received",
  "more_messages_received", "message_held", "session_scheduled", "session_rescheduled", "session_cancelled", "session_reminder",
  "goal_completed", "nudge", "relationship_at_risk", "nudge_escalation", "survey_requested"] as const;
const PARTS = ["subject", "text", "sms"] as const;

function NotificationSettings() {
  const loaded = useLoad((signal) => api.get("/v1/settings/notifications", signal));
  return <Show loaded={loaded}>{(current) => <NotificationForm current={current} />}</Show>;
}

function NotificationForm({ current }: { current: any }) {
  const [form, setForm] = useState<Record<string, any>>({
    coordinator_email: current.coordinator_email ?? "", organisation_name: current.organisation_name ?? "",
    sign_off: current.sign_off ?? "", sms_from: current.sms_from ?? "",
    messaging_service_sid: current.messaging_service_sid ?? "", allow_sms_to_minors: current.allow_sms_to_minors,
    nudge_after_days: String(current.nudge_after_days), escalate_after_days: String(current.escalate_after_days),
    message_notice_minutes: String(current.message_notice_minutes),
  });
  const [templates, setTemplates] = useState<Record<string, any>>(current.templates ?? {});
  const [kind, setKind] = useState<string>(TEMPLATE_KINDS[0]);
  const save = useSave();
  const text = (k: string) => (e: Event) => setForm({ ...form, [k]: (e.target as HTMLInputElement).value });
  const input = (k: string, type = "text", hint?: string) => (
    <Field id={`n-${k}`} label={t(`staffSettings.n.${k}` as Key)} hint={hint} error={save.errors[k]}>{(d, bad) => (
      <input id={`n-${k}`} type={type} value={form[k]} aria-describedby={d} aria-invalid={bad || undefined}
             min={type === "number" ? 0 : undefined} onInput={text(k)} />)}</Field>
  );
  const template = templates[kind] ?? {};
  const setPart = (part: string, value: string) => setTemplates({ ...templates, [kind]: { ...template, [part]: value } });
  const body = () => {
    const cleaned: Record<string, any> = {};
    for (const [k, parts] of Object.entries(templates)) {
      const kept = Object.fromEntries(Object.entries(parts as Record<string, string | null>)
        .filter(([, v]) => v !== null && v !== undefined && String(v).trim() !== ""));
      if (Object.keys(kept).length) cleaned[k] = kept;
    }
    const blankToNull = (v: string) => (v.trim() === "" ? null : v.trim());
    return {
      coordinator_email: blankToNull(form.coordinator_email), organisation_name: blankToNull(form.organisation_name),
      sign_off: blankToNull(form.sign_off), sms_from: blankToNull(form.sms_from),
      messaging_service_sid: blankToNull(form.messaging_service_sid), allow_sms_to_minors: form.allow_sms_to_minors,
      nudge_after_days: toNumber(form.nudge_after_days), escalate_after_days: toNumber(form.escalate_after_days),
      message_notice_minutes: toNumber(form.message_notice_minutes), templates: cleaned,
    };
  };
  const scalar = ["coordinator_email", "organisation_name", "sign_off", "sms_from", "messaging_service_sid",
    "allow_sms_to_minors", "nudge_after_days", "escalate_after_days", "message_notice_minutes"];
  const templateErrors = PARTS.map((p) => `templates.${kind}.${p}`);
  return (
    <Section id="notifications" title={t("staffSettings.notifications")} intro={t("staffSettings.notificationsIntro")}
             saved={save.saved} error={save.error} shown={[...scalar, ...templateErrors]} busy={save.busy}
             onSubmit={() => save.run(() => api.put("/v1/settings/notifications", body()), t("staffSettings.notificationsSaved"))}>
      {input("coordinator_email", "email", t("staffSettings.n.coordinatorHint"))}
      {input("organisation_name")}
      <Field id="n-sign_off" label={t("staffSettings.n.sign_off")} hint={t("staffSettings.n.signOffHint")} error={save.errors.sign_off}>{(d, bad) => (
        <textarea id="n-sign_off" value={form.sign_off} aria-describedby={d} aria-invalid={bad || undefined} onInput={text("sign_off")} />)}</Field>
      {input("sms_from", "tel", t("staffSettings.n.smsFromHint"))}
      {input("messaging_service_sid")}
      <Check id="n-minors" label={t("staffSettings.n.allow_sms_to_minors")} checked={form.allow_sms_to_minors}
             error={save.errors.allow_sms_to_minors} onChange={(v) => setForm({ ...form, allow_sms_to_minors: v })} />
      <div class="grid">
        {input("nudge_after_days", "number", t("staffSettings.n.nudgeHint"))}
        {input("escalate_after_days", "number")}
      </div>
      {input("message_notice_minutes", "number", t("staffSettings.n.messageNoticeHint"))}
      <fieldset class="stack">
        <legend>{t("staffSettings.templates")}</legend>
        <p class="hint">{t("staffSettings.templatesHint")}</p>
        <div class="field"><label for="template-kind">{t("staffSettings.templateKind")}</label>
          <select id="template-kind" value={kind} onChange={(e) => setKind((e.target as HTMLSelectElement).value)}>
            {TEMPLATE_KINDS.map((k) => <option value={k}>{t(`staffSettings.kind.${k}` as Key)}
              {templates[k] && Object.values(templates[k]).some(Boolean) ? ` ${t("staffSettings.customised")}` : ""}</option>)}
          </select></div>
        {PARTS.map((part) => (
          <Field id={`tpl-${part}`} label={t(`staffSettings.part.${part}` as Key)} error={save.errors[`templates.${kind}.${part}`]}>{(d, bad) => (
            part === "subject"
              ? <input id={`tpl-${part}`} value={template[part] ?? ""} aria-describedby={d} aria-invalid={bad || undefined}
                       onInput={(e) => setPart(part, (e.target as HTMLInputElement).value)} />
              : <textarea id={`tpl-${part}`} value={template[part] ?? ""} aria-describedby={d} aria-invalid={bad || undefined}
                          onInput={(e) => setPart(part, (e.target as HTMLTextAreaElement).value)} />)}</Field>
        ))}
      </fieldset>
    </Section>
  );
}

// -- video ----------------------------------------------------------------------------------------
function VideoSettings() {
  const loaded = useLoad((signal) => api.get("/v1/settings/video", signal));
  return <Show loaded={loaded}>{(current) => <VideoForm current={current} />}</Show>;
}

function VideoForm({ current }: { current: any }) {
  const [form, setForm] = useState({
    min: String(current.min_duration_minutes), max: String(current.max_duration_minutes),
    ahead: String(current.max_days_ahead), reminders: current.reminder_offsets_minutes.join(", "),
    audio: current.jitsi.start_audio_muted, video: current.jitsi.start_video_muted,
    level: (current.minors.min_vetting_level ?? "") as string, guardian: !!current.minors.invite_guardian,
  });
  const save = useSave();
  const e = save.errors;
  const reminderError = Object.entries(e).filter(([k]) => k.startsWith("reminder_offsets_minutes")).map(([, v]) => v).join("; ");
  const number = (k: "min" | "max" | "ahead", id: string, label: string, error?: string) => (
    <Field id={id} label={label} error={error}>{(d, bad) => (
      <input id={id} type="number" min={1} step={1} value={form[k]} aria-describedby={d} aria-invalid={bad || undefined}
             onInput={(ev) => setForm({ ...form, [k]: num(ev) })} />)}</Field>
  );
  return (
    <Section id="video" title={t("staffSettings.video")} saved={save.saved} error={save.error} busy={save.busy}
             shown={["min_duration_minutes", "max_duration_minutes", "max_days_ahead", "jitsi.start_audio_muted",
               "jitsi.start_video_muted", ...Object.keys(e).filter((k) => k.startsWith("reminder_offsets_minutes"))]}
             onSubmit={() => save.run(() => api.put("/v1/settings/video", {
               min_duration_minutes: toNumber(form.min), max_duration_minutes: toNumber(form.max),
               max_days_ahead: toNumber(form.ahead),
               reminder_offsets_minutes: words(form.reminders).map(toNumber),
               jitsi: { start_audio_muted: form.audio, start_video_muted: form.video },
               // The observer rule is kept as it is; the vetting level is set here.
               minors: { require_observer: current.minors.require_observer, observer_staff_id: current.minors.observer_staff_id,
                 require_vetted_mentor: form.level !== "", min_vetting_level: form.level || null,
                 invite_guardian: form.guardian },
             }), t("staffSettings.videoSaved"))}>
      <div class="grid">
        {number("min", "v-min", t("staffSettings.v.min"), e.min_duration_minutes)}
        {number("max", "v-max", t("staffSettings.v.max"), e.max_duration_minutes)}
        {number("ahead", "v-ahead", t("staffSettings.v.ahead"), e.max_days_ahead)}
      </div>
      <Field id="v-reminders" label={t("staffSettings.v.reminders")} hint={t("staffSettings.v.remindersHint")}
             error={reminderError || undefined}>{(d, bad) => (
        <input id="v-reminders" value={form.reminders} inputMode="numeric" aria-describedby={d} aria-invalid={bad || undefined}
               onInput={(ev) => setForm({ ...form, reminders: (ev.target as HTMLInputElement).value })} />)}</Field>
      <Check id="v-audio" label={t("staffSettings.v.audio")} checked={form.audio} error={e["jitsi.start_audio_muted"]}
             onChange={(v) => setForm({ ...form, audio: v })} />
      <Check id="v-video" label={t("staffSettings.v.video")} checked={form.video} error={e["jitsi.start_video_muted"]}
             onChange={(v) => setForm({ ...form, video: v })} />
      <fieldset class="stack">
        <legend>{t("staffSettings.v.minors")}</legend>
        <Field id="v-vetting" label={t("staffSettings.v.vetting")} hint={t("staffSettings.v.vettingHint")}
               error={e["minors.min_vetting_level"]}>{(d) => (
          <select id="v-vetting" value={form.level} aria-describedby={d}
                  onChange={(ev) => setForm({ ...form, level: (ev.target as HTMLSelectElement).value })}>
            <option value="">{t("staffSettings.v.noVetting")}</option>
            {VETTING.filter((l) => l !== "none").map((l) => <option value={l}>{t(`vetting.${l}` as Key)}</option>)}
          </select>)}</Field>
        <Check id="v-guardian" label={t("staffSettings.v.guardian")} hint={t("staffSettings.v.guardianHint")}
               checked={form.guardian} error={e["minors.invite_guardian"]} onChange={(v) => setForm({ ...form, guardian: v })} />
      </fieldset>
      <p class="hint">{t("staffSettings.v.server", { url: current.jitsi.base_url })}</p>
    </Section>
  );
}

// -- sign-in options ------------------------------------------------------------------------------
function SignInOptions() {
  const loaded = useLoad((signal) => api.get("/v1/sign-in-options", signal));
  return <Show loaded={loaded}>{(current) => <SignInForms current={current} reload={loaded.reload} />}</Show>;
}

function SignInForms({ current, reload }: { current: any; reload: () => void }) {
  const sso = current.sso;
  const [form, setForm] = useState({
    issuer: sso?.issuer ?? "", client_id: sso?.client_id ?? "", client_secret: "",
    staff_enabled: sso?.staff_enabled ?? true, people_enabled: sso?.people_enabled ?? true,
  });
  const [totp, setTotp] = useState<boolean>(current.staff_totp_required);
  const save = useSave();
  const totpSave = useSave();
  const [removing, setRemoving] = useState(false);
  const [removeError, setRemoveError] = useState<unknown>(null);
  const [removed, setRemoved] = useState("");
  const text = (k: string) => (e: Event) => setForm({ ...form, [k]: (e.target as HTMLInputElement).value });
  return (
    <>
      <Section id="signin" title={t("staffSettings.signIn")} intro={t("staffSettings.ssoIntro")} saved={save.saved}
               error={save.error} busy={save.busy} submit={t("staffSettings.ssoSave")}
               shown={["issuer", "client_id", "client_secret", "staff_enabled", "people_enabled"]}
               onSubmit={() => save.run(async () => {
                 const body: Record<string, unknown> = { issuer: form.issuer.trim(), client_id: form.client_id.trim(),
                   staff_enabled: form.staff_enabled, people_enabled: form.people_enabled };
                 if (form.client_secret) body.client_secret = form.client_secret;
                 await api.put("/v1/sign-in-options/sso", body);
                 setForm({ ...form, client_secret: "" }); setRemoved(""); reload();
               }, t("staffSettings.ssoSaved"))}>
        {removed && <p role="status" class="ok">{removed}</p>}
        <p>{sso ? t("staffSettings.ssoOn", { issuer: sso.issuer }) : t("staffSettings.ssoOff")}</p>
        {sso && <p class="hint">{t("staffSettings.redirect", { uri: sso.redirect_uri })}</p>}
        <Field id="sso-issuer" label={t("staffSettings.issuer")} hint={t("staffSettings.issuerHint")} error={save.errors.issuer}>{(d, bad) => (
          <input id="sso-issuer" type="url" value={form.issuer} aria-describedby={d} aria-invalid={bad || undefined} onInput={text("issuer")} />)}</Field>
        <Field id="sso-client" label={t("staffSettings.clientId")} error={save.errors.client_id}>{(d, bad) => (
          <input id="sso-client" value={form.client_id} aria-describedby={d} aria-invalid={bad || undefined} onInput={text("client_id")} />)}</Field>
        <Field id="sso-secret" label={t("staffSettings.clientSecret")} error={save.errors.client_secret}
               hint={sso?.client_secret_set ? t("staffSettings.secretKept") : undefined}>{(d, bad) => (
          <input id="sso-secret" type="password" autoComplete="off" value={form.client_secret} aria-describedby={d}
                 aria-invalid={bad || undefined} onInput={text("client_secret")} />)}</Field>
        <Check id="sso-staff" label={t("staffSettings.ssoStaff")} checked={form.staff_enabled}
               onChange={(v) => setForm({ ...form, staff_enabled: v })} />
        <Check id="sso-people" label={t("staffSettings.ssoPeople")} checked={form.people_enabled}
               onChange={(v) => setForm({ ...form, people_enabled: v })} />
        {sso && (removing ? (
          <div class="row">
            <button type="button" class="danger" onClick={async () => {
              setRemoveError(null);
              try { await api.del("/v1/sign-in-options/sso"); setRemoving(false); setRemoved(t("staffSettings.ssoRemoved")); reload(); }
              catch (err) { setRemoveError(err); }
            }}>{t("staffSettings.ssoConfirmRemove")}</button>
            <button type="button" class="secondary" onClick={() => setRemoving(false)}>{t("team.keep")}</button>
          </div>
        ) : <button type="button" class="secondary" onClick={() => setRemoving(true)}>{t("staffSettings.ssoRemove")}</button>)}
        {removeError !== null && <ErrorNote error={removeError} />}
      </Section>
      <Section id="totp" title={t("staffSettings.totp")} saved={totpSave.saved} error={totpSave.error}
               busy={totpSave.busy} shown={["staff_required"]}
               onSubmit={() => totpSave.run(() => api.put("/v1/sign-in-options/totp", { staff_required: totp }),
                 totp ? t("staffSettings.totpOn") : t("staffSettings.totpOff"))}>
        <Check id="totp-required" label={t("staffSettings.totpRequired")} hint={t("staffSettings.totpHint")}
               checked={totp} error={totpSave.errors.staff_required} onChange={setTotp} />
      </Section>
    </>
  );
}
