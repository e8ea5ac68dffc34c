// The programme a person is in, and their answers to its questions, on the staff forms that add,
// import or edit people. A mentee is matched with mentors of their own programme, so until a
// coordinator chooses, an organisation with one programme puts people in it rather than in none.
import { Show, useLoad } from "../components/states";
import { t } from "../i18n";
import { Field } from "./forms";
import { listAll } from "./lists";

export type Question = {
  key: string; label: string; type: "text" | "number" | "single_choice" | "multiple_choice"; options: string[];
  required: boolean;
};
export type Programme = { id: string; name: string; custom_fields: Question[] };
export type Answers = Record<string, string | string[]>;

export const useProgrammes = () => useLoad<Programme[]>((signal) => listAll("/v1/programmes", signal, 1000));

/** The chosen programme's id; before a choice (null), the organisation's only programme, else none (""). */
export function programmeOrOnly(chosen: string | null, programmes: Programme[] | undefined): string {
  return chosen ?? (programmes?.length === 1 ? programmes[0].id : "");
}

/** Answers as the API takes them (`custom_fields`): numbers as numbers, unanswered questions left out. */
export function answersFor(questions: Question[], answers: Answers): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const q of questions) {
    const value = answers[q.key];
    if (Array.isArray(value) ? value.length === 0 : !value?.trim()) continue;
    out[q.key] = q.type === "number" ? Number(value) : Array.isArray(value) ? value : value.trim();
  }
  return out;
}

/** A person's stored answers as form values. */
export const answersFrom = (stored: Record<string, unknown> | undefined): Answers =>
  Object.fromEntries(Object.entries(stored ?? {}).map(([k, v]) => [k, Array.isArray(v) ? v.map(String) : String(v)]));

/** The programme's questions as inputs; a refused answer (422 on `custom_fields`) shows below them. */
export function Questions({ id, questions, answers, onChange, error }: {
  id: string; questions: Question[]; answers: Answers; onChange: (answers: Answers) => void; error?: string;
}) {
  if (questions.length === 0) return null;
  const set = (key: string, value: string | string[]) => onChange({ ...answers, [key]: value });
  return (
    <fieldset class="stack" aria-describedby={error ? `${id}-error` : undefined}>
      <legend>{t("programmeQuestions.title")}</legend>
      {questions.map((q) => {
        const field = `${id}-${q.key}`;
        const label = q.required ? q.label : t("programmeQuestions.optional", { label: q.label });
        const value = answers[q.key] ?? (q.type === "multiple_choice" ? [] : "");
        if (q.type === "multiple_choice") {
          const chosen = value as string[];
          return (
            <fieldset class="choices"><legend>{label}</legend>
              {q.options.map((option, i) => (
                <div class="check"><input type="checkbox" id={`${field}-${i}`} checked={chosen.includes(option)}
                  onChange={(e) => set(q.key, (e.target as HTMLInputElement).checked
                    ? [...chosen, option] : chosen.filter((c) => c !== option))} />
                  <label for={`${field}-${i}`}>{option}</label></div>
              ))}
            </fieldset>
          );
        }
        return (
          <Field id={field} label={label}>{(ids) => q.type === "single_choice"
            ? <select id={field} required={q.required} value={value as string} aria-describedby={ids}
                      onChange={(e) => set(q.key, (e.target as HTMLSelectElement).value)}>
                <option value="">{t("programmeQuestions.choose")}</option>
                {q.options.map((option) => <option value={option}>{option}</option>)}
              </select>
            : <input id={field} type={q.type === "number" ? "number" : "text"} required={q.required}
                     maxLength={q.type === "text" ? 500 : undefined} value={value as string} aria-describedby={ids}
                     onInput={(e) => set(q.key, (e.target as HTMLInputElement).value)} />}</Field>
        );
      })}
      {error && <p class="field-error" id={`${id}-error`}>{error}</p>}
    </fieldset>
  );
}

/** A select of the organisation's programmes and "No programme"; nothing while there are none to choose. */
export function ProgrammeField({ id, programmes, value, onChange, hint, error, always = false }: {
  id: string; programmes: ReturnType<typeof useProgrammes>; value: string; onChange: (id: string) => void;
  hint: string; error?: string; always?: boolean;
}) {
  return (
    <Show loaded={programmes}>{(items) => items.length === 0 && !always ? null : (
      <Field id={id} label={t("addPerson.programme")} hint={hint} error={error}>{(ids) =>
        <select id={id} value={value} aria-describedby={ids}
                onChange={(e) => onChange((e.target as HTMLSelectElement).value)}>
          <option value="">{t("addPerson.noProgramme")}</option>
          {items.map((p) => <option value={p.id}>{p.name}</option>)}
        </select>}</Field>
    )}</Show>
  );
}
