// /staff/programmes: the organisation's programmes and a form to create one with its custom
// profile fields; /staff/programmes/:id: one programme and its fields.
import { useState } from "preact/hooks";
import { api } from "../api";
import { Empty, Show, useLoad } from "../components/states";
import { Layout } from "../components/Layout";
import { SurveyTemplateEditor } from "../insights/SurveyTemplate";
import { Allowed } from "../staff/Allowed";
import { Field, Check, FormError, fieldErrors, words } from "../staff/forms";
import { formatDateTime, t, type Key } from "../i18n";
import { Link } from "../router";
import type { Params } from "../router";
import { listAll } from "../staff/lists";

export const FIELD_TYPES = ["text", "single_choice", "multiple_choice", "number"] as const;
const CHOICE = new Set(["single_choice", "multiple_choice"]);

type Draft = { key: string; label: string; type: string; options: string; required: boolean };
const blank = (): Draft => ({ key: "", label: "", type: "text", options: "", required: false });

export function StaffProgrammes() {
  return <Allowed title={t("programmes.title")} permission="coordinator"><ProgrammesBody /></Allowed>;
}

function ProgrammesBody() {
  const loaded = useLoad((signal) => listAll("/v1/programmes", signal, 1000));
  const [created, setCreated] = useState<any>(null);
  return (
    <Layout title={t("programmes.title")}>
      {created && <p role="status" class="ok">{t("programmes.created", { name: created.name })}{" "}
        <Link href={`/staff/programmes/${created.id}`}>{t("programmes.see", { name: created.name })}</Link></p>}
      <section aria-labelledby="programmes-h">
        <h2 id="programmes-h">{t("programmes.list")}</h2>
        <Show loaded={loaded}>{(items) => items.length === 0 ? <Empty>{t("programmes.none")}</Empty> : (
          <ul class="cards">
            {items.map((p: any) => (
              <li class="card" key={p.id}>
                <h3><Link href={`/staff/programmes/${p.id}`}>{p.name}</Link></h3>
                {p.description && <p>{p.description}</p>}
                <p class="hint">{t("programmes.fieldCount", { n: p.custom_fields.length })}</p>
              </li>
            ))}
          </ul>
        )}</Show>
      </section>
      <CreateProgramme onCreated={(p) => { setCreated(p); loaded.reload(); }} />
    </Layout>
  );
}

function CreateProgramme({ onCreated }: { onCreated: (p: any) => void }) {
  const [name, setName] = useState("");
  const [description, setDescription] = useState("");
  const [fields, setFields] = useState<Draft[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState(false);
  const errors = fieldErrors(error);
  const shown = ["name", "description", ...fields.flatMap((_, i) =>
    ["key", "label", "type", "options", "required", ""].map((k) => `custom_fields.${i}${k ? "." + k : ""}`))];
  const edit = (i: number, change: Partial<Draft>) => setFields(fields.map((f, j) => (j === i ? { ...f, ...change } : f)));
  return (
    <form class="card stack" aria-labelledby="create-h" noValidate onSubmit={async (e) => {
      e.preventDefault(); setError(null); setBusy(true);
      try {
        const body = {
          name: name.trim(), description: description.trim() || null,
          custom_fields: fields.map((f) => ({
            key: f.key.trim(), label: f.label.trim(), type: f.type, required: f.required,
            options: CHOICE.has(f.type) ? words(f.options) : [],
          })),
        };
        const programme = await api.post("/v1/programmes", body);
        setName(""); setDescription(""); setFields([]);
        onCreated(programme);
      } catch (err) { setError(err); } finally { setBusy(false); }
    }}>
      <h2 id="create-h">{t("programmes.create")}</h2>
      <Field id="programme-name" label={t("programmes.name")} error={errors.name}>{(d, bad) => (
        <input id="programme-name" value={name} maxLength={200} aria-describedby={d} aria-invalid={bad || undefined}
               onInput={(e) => setName((e.target as HTMLInputElement).value)} />)}</Field>
      <Field id="programme-description" label={t("programmes.description")} error={errors.description}>{(d, bad) => (
        <textarea id="programme-description" value={description} maxLength={2000} aria-describedby={d}
                  aria-invalid={bad || undefined} onInput={(e) => setDescription((e.target as HTMLTextAreaElement).value)} />)}</Field>
      <h3>{t("programmes.fields")}</h3>
      <p class="hint">{t("programmes.fieldsHint")}</p>
      {fields.map((f, i) => {
        const at = (k: string) => errors[`custom_fields.${i}.${k}`];
        const n = i + 1;
        return (
          <fieldset class="stack" key={i}>
            <legend>{t("programmes.fieldN", { n })}</legend>
            {errors[`custom_fields.${i}`] && <p class="field-error">{errors[`custom_fields.${i}`]}</p>}
            <Field id={`cf-${i}-label`} label={t("programmes.fieldLabel")} error={at("label")}>{(d, bad) => (
              <input id={`cf-${i}-label`} value={f.label} aria-describedby={d} aria-invalid={bad || undefined}
                     onInput={(e) => edit(i, { label: (e.target as HTMLInputElement).value })} />)}</Field>
            <Field id={`cf-${i}-key`} label={t("programmes.fieldKey")} hint={t("programmes.fieldKeyHint")} error={at("key")}>{(d, bad) => (
              <input id={`cf-${i}-key`} value={f.key} aria-describedby={d} aria-invalid={bad || undefined}
                     onInput={(e) => edit(i, { key: (e.target as HTMLInputElement).value })} />)}</Field>
            <Field id={`cf-${i}-type`} label={t("programmes.fieldType")} error={at("type")}>{(d) => (
              <select id={`cf-${i}-type`} value={f.type} aria-describedby={d}
                      onChange={(e) => edit(i, { type: (e.target as HTMLSelectElement).value })}>
                {FIELD_TYPES.map((ft) => <option value={ft}>{t(`programmes.type.${ft}` as Key)}</option>)}
              </select>)}</Field>
            {CHOICE.has(f.type) && (
              <Field id={`cf-${i}-options`} label={t("programmes.fieldOptions")} hint={t("programmes.fieldOptionsHint")}
                     error={at("options")}>{(d, bad) => (
                <input id={`cf-${i}-options`} value={f.options} aria-describedby={d} aria-invalid={bad || undefined}
                       onInput={(e) => edit(i, { options: (e.target as HTMLInputElement).value })} />)}</Field>
            )}
            <Check id={`cf-${i}-required`} label={t("programmes.fieldRequired")} checked={f.required}
                   error={at("required")} onChange={(v) => edit(i, { required: v })} />
            <button type="button" class="secondary" onClick={() => setFields(fields.filter((_, j) => j !== i))}>
              {t("programmes.removeField", { n })}</button>
          </fieldset>
        );
      })}
      <button type="button" class="secondary" onClick={() => setFields([...fields, blank()])}>{t("programmes.addField")}</button>
      <FormError error={error} shown={shown} />
      <button type="submit" disabled={busy}>{t("programmes.submit")}</button>
    </form>
  );
}

export function StaffProgramme({ params }: { params: Params }) {
  return <Allowed title={t("programmes.title")} permission="coordinator"><ProgrammeBody id={params.id} /></Allowed>;
}

function ProgrammeBody({ id }: { id: string }) {
  const loaded = useLoad((signal) => api.get(`/v1/programmes/${id}`, signal), [id]);
  return (
    <Layout title={loaded.data?.name ?? t("programmes.one")}>
      <p><Link href="/staff/programmes">{t("programmes.back")}</Link></p>
      <Show loaded={loaded}>{(p) => (
        <>
          {p.description && <p>{p.description}</p>}
          <p class="hint">{t("programmes.since", { when: formatDateTime(p.created_at, { timeStyle: undefined }) })}</p>
          <h2>{t("programmes.fields")}</h2>
          {p.custom_fields.length === 0 ? <Empty>{t("programmes.noFields")}</Empty> : (
            <table>
              <thead><tr><th scope="col">{t("programmes.fieldLabel")}</th><th scope="col">{t("programmes.fieldType")}</th>
                <th scope="col">{t("programmes.fieldOptions")}</th><th scope="col">{t("programmes.fieldRequired")}</th></tr></thead>
              <tbody>{p.custom_fields.map((f: any) => (
                <tr><th scope="row">{f.label} <span class="hint">({f.key})</span></th>
                  <td>{t(`programmes.type.${f.type}` as Key)}</td><td>{f.options.join(", ") || "—"}</td>
                  <td>{f.required ? t("programmes.yes") : t("programmes.no")}</td></tr>
              ))}</tbody>
            </table>
          )}
          <ul class="actions">
            <li><Link class="button" href={`/staff/matching?programme=${p.id}`}>{t("programmes.match")}</Link></li>
            <li><Link href={`/staff/settings?programme=${p.id}`}>{t("programmes.weights")}</Link></li>
          </ul>
          <SurveyTemplateEditor programmeId={p.id} />
        </>
      )}</Show>
    </Layout>
  );
}
