// The programme a person is in, on the staff forms that add, import or edit people (its questions are
// components/ProgrammeQuestions.tsx). A mentee is matched with mentors of their own programme, so until
// a coordinator chooses, an organisation with one programme puts people in it rather than in none.
import type { Question } from "../components/ProgrammeQuestions";
import { Show, useLoad } from "../components/states";
import { t } from "../i18n";
import { Field } from "./forms";
import { listAll } from "./lists";

export type Programme = { id: string; name: string; custom_fields: Question[] };

export const useProgrammes = () => useLoad<Programme[]>((signal) => listAll("/v1/programmes", signal, 1000));

/** The chosen programme's id; before a choice (null), the organisation's only programme, else none (""). */
export function programmeOrOnly(chosen: string | null, programmes: Programme[] | undefined): string {
  return chosen ?? (programmes?.length === 1 ? programmes[0].id : "");
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
