// "Change their details" on a person's staff page: name, email address (an invitation that could not
// be delivered says to check it), programme, interests and, for a mentor, how many mentees at once
// (PATCH /v1/people/{id}); a 422 is shown beside the field it names. A new address ends the links sent
// to the old one, and the coordinator is told to send a new invitation.
import { useState } from "preact/hooks";
import { api } from "../api";
import { CapacityOptions } from "../components/Capacity";
import { t } from "../i18n";
import { interestName } from "../people";
import { Field, FormError, fieldErrors, words } from "../staff/forms";
import { Questions, answersFrom, changedAnswers } from "../components/ProgrammeQuestions";
import { ProgrammeField, useProgrammes } from "../staff/programmes";

const SHOWN = ["name", "email", "programme_id", "custom_fields", "interests", "capacity"];

export function EditPerson({ person: p, onSaved }: { person: any; onSaved: () => void }) {
  const programmes = useProgrammes();
  const [form, setForm] = useState({
    name: p.name, email: p.email, programme_id: p.programme_id ?? "", custom: answersFrom(p.custom_fields), interests: p.interests.map(interestName).join(", "), capacity: String(p.capacity ?? 1),
  });
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState<"" | "saved" | "moved">("");
  const [busy, setBusy] = useState(false);
  const set = (k: string) => (e: Event) => { setSaved(""); setForm({ ...form, [k]: (e.target as HTMLInputElement).value }); };
  const questions = programmes.data?.find((x) => x.id === form.programme_id)?.custom_fields ?? [];
  const errors = fieldErrors(error);
  return (
    <details class="card">
      <summary>{t("editPerson.title")}</summary>
      <form class="stack" noValidate onSubmit={async (e) => {
        e.preventDefault(); setError(null); setSaved(""); setBusy(true);
        try {
          const body: Record<string, unknown> = { name: form.name.trim(), email: form.email.trim(), interests: words(form.interests) };
          if (form.programme_id !== (p.programme_id ?? "")) body.programme_id = form.programme_id || null;
          const answers = changedAnswers(questions, form.custom, p.custom_fields, body.programme_id !== undefined);
          if (answers) body.custom_fields = answers;
          if (p.role === "mentor") body.capacity = Number(form.capacity);
          await api.patch(`/v1/people/${p.id}`, body);
          setSaved(form.email.trim().toLowerCase() !== p.email ? "moved" : "saved");
          onSaved();
        } catch (err) { setError(err); } finally { setBusy(false); }
      }}>
        <Field id="edit-name" label={t("addPerson.name")} error={errors.name}>{(ids, invalid) =>
          <input id="edit-name" required maxLength={200} autoComplete="off" value={form.name} onInput={set("name")}
                 aria-describedby={ids} aria-invalid={invalid || undefined} />}</Field>
        <Field id="edit-email" label={t("addPerson.email")} hint={t("editPerson.emailHint")} error={errors.email}>{(ids, invalid) =>
          <input id="edit-email" type="email" required autoComplete="off" value={form.email} onInput={set("email")}
                 aria-describedby={ids} aria-invalid={invalid || undefined} />}</Field>
        <ProgrammeField id="edit-programme" programmes={programmes} value={form.programme_id} always={!!p.programme_id}
                        hint={t("editPerson.programmeHint")} error={errors.programme_id}
                        onChange={(id) => { setSaved(""); setForm({ ...form, programme_id: id, custom: {} }); }} />
        <Questions id="edit-question" questions={questions} answers={form.custom} error={errors.custom_fields}
                   onChange={(custom) => { setSaved(""); setForm({ ...form, custom }); }} />
        <Field id="edit-interests" label={t("addPerson.interests")} error={errors.interests}>{(ids, invalid) =>
          <input id="edit-interests" value={form.interests} onInput={set("interests")} aria-describedby={ids}
                 aria-invalid={invalid || undefined} />}</Field>
        {p.role === "mentor" && (
          <Field id="edit-capacity" label={t("editPerson.capacity")} error={errors.capacity}>{(ids) =>
            <select id="edit-capacity" value={form.capacity} onChange={set("capacity")} aria-describedby={ids}>
              <CapacityOptions current={p.capacity ?? 1} />
            </select>}</Field>
        )}
        <FormError error={error} shown={SHOWN} />
        {saved && <p role="status" class="ok">{t("editPerson.saved", { name: form.name.trim() })}
          {saved === "moved" && " " + t("editPerson.moved")}</p>}
        <button type="submit" disabled={busy}>{t("editPerson.save")}</button>
      </form>
    </details>
  );
}
