// A programme's own questions (its custom fields) as form inputs, and the answers as the API takes
// them: on the staff forms that add or edit a person, and on a person's own profile.
import { t } from "../i18n";
import { Field } from "../staff/forms";

export type Question = {
  key: string; label: string; type: "text" | "number" | "single_choice" | "multiple_choice"; options: string[];
  required: boolean;
};
export type Answers = Record<string, string | string[]>;

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

/** The answers to send with a change of a person's profile, or undefined when they are as stored: an
 * old unanswered question (one added since) then never blocks saving something else. */
export function changedAnswers(questions: Question[], answers: Answers, stored: Record<string, unknown> | undefined,
                               programmeChanged = false): Record<string, unknown> | undefined {
  const given = answersFor(questions, answers);
  const before = answersFor(questions, answersFrom(stored));
  return programmeChanged || JSON.stringify(given) !== JSON.stringify(before) ? given : undefined;
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
