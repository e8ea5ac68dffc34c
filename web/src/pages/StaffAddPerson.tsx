// "Add a person" on /staff/people: one mentor or mentee, with their programme (and its questions), time zone and
// language; a minor needs a guardian, who is asked for consent. By default they are emailed an
// invitation to sign in (a minor's once the guardian has consented).
import { useState } from "preact/hooks";
import { api } from "../api";
import { CapacityOptions } from "../components/Capacity";
import { LANGUAGES, lang, t, timeZone, type Key } from "../i18n";
import { Check, Field, FormError, fieldErrors, words } from "../staff/forms";
import { type Answers, Questions, answersFor } from "../components/ProgrammeQuestions";
import { ProgrammeField, programmeOrOnly, useProgrammes } from "../staff/programmes";

const ZONES: string[] = (Intl as any).supportedValuesOf?.("timeZone") ?? [];

const blank = () => ({
  role: "mentee", name: "", email: "", programme_id: null as string | null, timezone: timeZone.value,
  locale: "",  // until chosen, the language the coordinator reads in (it follows a switch)
  interests: "", capacity: "1", is_minor: false, guardian_name: "", guardian_email: "", invite: true,
  custom: {} as Answers,
});

export function AddPerson({ onAdded }: { onAdded: () => void }) {
  const programmes = useProgrammes();
  const [form, setForm] = useState(blank);
  const [error, setError] = useState<unknown>(null);
  const [added, setAdded] = useState("");
  const [busy, setBusy] = useState(false);
  const set = (k: string) => (e: Event) => setForm({ ...form, [k]: (e.target as HTMLInputElement).value });
  const programmeId = programmeOrOnly(form.programme_id, programmes.data);
  const questions = programmes.data?.find((p) => p.id === programmeId)?.custom_fields ?? [];
  const errors = fieldErrors(error);
  const minor = form.role === "mentee" && form.is_minor;
  const shown = ["name", "email", "timezone", "interests", "capacity", "guardian", "guardian.name", "guardian.email", "custom_fields"];
  return (
    <section class="card stack" aria-labelledby="add-h">
      <h2 id="add-h">{t("addPerson.title")}</h2>
      {added && <p role="status" class="ok">{added}</p>}
      <form class="stack" noValidate onSubmit={async (e) => {
        e.preventDefault(); setError(null); setAdded(""); setBusy(true);
        const name = form.name.trim();
        const email = form.email.trim();
        try {
          await api.post("/v1/people", {
            role: form.role, name, email, timezone: form.timezone, locale: form.locale || lang.value,
            programme_id: programmeId || null, custom_fields: answersFor(questions, form.custom), interests: words(form.interests), invite: form.invite,
            is_minor: minor, guardian: minor ? { name: form.guardian_name.trim(), email: form.guardian_email.trim() } : null,
            ...(form.role === "mentor" ? { capacity: Number(form.capacity) } : {}),
          });
          setAdded(t(form.invite ? (minor ? "addPerson.addedMinor" : "addPerson.addedInvited") : "addPerson.added",
            { name, email }));
          setForm({ ...blank(), role: form.role, programme_id: programmeId });
          onAdded();
        } catch (err) { setError(err); } finally { setBusy(false); }
      }}>
        <fieldset class="choices">
          <legend>{t("addPerson.role")}</legend>
          {(["mentee", "mentor"] as const).map((role) => (
            <div class="check"><input type="radio" id={`add-role-${role}`} name="add-role" value={role}
                checked={form.role === role} onChange={set("role")} />
              <label for={`add-role-${role}`}>{t(`people.role.${role}` as Key)}</label></div>
          ))}
        </fieldset>
        <Field id="add-name" label={t("addPerson.name")} error={errors.name}>{(ids, invalid) =>
          <input id="add-name" required maxLength={200} autoComplete="off" value={form.name} onInput={set("name")}
                 aria-describedby={ids} aria-invalid={invalid || undefined} />}</Field>
        <Field id="add-email" label={t("addPerson.email")} error={errors.email}>{(ids, invalid) =>
          <input id="add-email" type="email" required autoComplete="off" value={form.email} onInput={set("email")}
                 aria-describedby={ids} aria-invalid={invalid || undefined} />}</Field>
        <ProgrammeField id="add-programme" programmes={programmes} value={programmeId} hint={t("addPerson.programmeHint")}
                        onChange={(id) => setForm({ ...form, programme_id: id, custom: {} })} />
        <Questions id="add-question" questions={questions} answers={form.custom} error={errors.custom_fields}
                   onChange={(custom) => setForm({ ...form, custom })} />
        <Field id="add-zone" label={t("addPerson.timezone")} error={errors.timezone}>{(ids) =>
          <select id="add-zone" value={form.timezone} onChange={set("timezone")} aria-describedby={ids}>
            {(ZONES.includes(form.timezone) ? ZONES : [form.timezone, ...ZONES])
              .map((z) => <option value={z}>{z.replace(/_/g, " ")}</option>)}
          </select>}</Field>
        <Field id="add-locale" label={t("addPerson.locale")} hint={t("addPerson.localeHint")}>{(ids) =>
          <select id="add-locale" value={form.locale || lang.value} onChange={set("locale")} aria-describedby={ids}>
            {Object.entries(LANGUAGES).map(([code, l]) => <option value={code} lang={code}>{l.name}</option>)}
          </select>}</Field>
        <Field id="add-interests" label={t("addPerson.interests")} hint={t("addPerson.interestsHint")}
               error={errors.interests}>{(ids, invalid) =>
          <input id="add-interests" value={form.interests} onInput={set("interests")} aria-describedby={ids}
                 aria-invalid={invalid || undefined} />}</Field>
        {form.role === "mentor" && <Field id="add-capacity" label={t("editPerson.capacity")} error={errors.capacity}>{(ids) =>
          <select id="add-capacity" value={form.capacity} onChange={set("capacity")} aria-describedby={ids}>
            <CapacityOptions current={1} />
          </select>}</Field>}
        {form.role === "mentee" && <Check id="add-minor" label={t("addPerson.minor")} hint={t("addPerson.minorHint")}
          checked={form.is_minor} onChange={(v) => setForm({ ...form, is_minor: v })} />}
        {minor && <>
          <Field id="add-guardian-name" label={t("addPerson.guardianName")}
                 error={errors["guardian.name"] ?? errors.guardian}>{(ids, invalid) =>
            <input id="add-guardian-name" required maxLength={200} autoComplete="off" value={form.guardian_name}
                   onInput={set("guardian_name")} aria-describedby={ids} aria-invalid={invalid || undefined} />}</Field>
          <Field id="add-guardian-email" label={t("addPerson.guardianEmail")} hint={t("addPerson.guardianHint")}
                 error={errors["guardian.email"]}>{(ids, invalid) =>
            <input id="add-guardian-email" type="email" required autoComplete="off" value={form.guardian_email}
                   onInput={set("guardian_email")} aria-describedby={ids} aria-invalid={invalid || undefined} />}</Field>
        </>}
        <Check id="add-invite" label={t("addPerson.invite")} hint={t("addPerson.inviteHint")}
               checked={form.invite} onChange={(v) => setForm({ ...form, invite: v })} />
        <FormError error={error} shown={shown} />
        <button type="submit" disabled={busy}>{t(form.role === "mentor" ? "addPerson.submitMentor" : "addPerson.submitMentee")}</button>
      </form>
    </section>
  );
}
