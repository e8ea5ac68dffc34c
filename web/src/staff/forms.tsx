// Staff forms: a 422's details shown next to the field they name, and labelled controls that
// join their hint and their error with aria-describedby.
import type { ComponentChildren } from "preact";
import { ApiError } from "../api";
import { describe } from "../components/states";
import { t } from "../i18n";

export type FieldErrors = Record<string, string>;

/** A 422's `[{field, message}]` by field path ("weights.interests", "custom_fields.0.key"). */
export function fieldErrors(error: unknown): FieldErrors {
  const out: FieldErrors = {};
  if (error instanceof ApiError && error.status === 422 && Array.isArray(error.details)) {
    for (const d of error.details as { field?: string | null; message?: string }[]) {
      const key = d.field ?? "";
      out[key] = out[key] ? `${out[key]}; ${d.message}` : String(d.message ?? "");
    }
  }
  return out;
}

/** A form's error: for a 422, "correct the fields below" plus any detail no field of `shown` displays;
 *  otherwise the error as a sentence. */
export function FormError({ error, shown }: { error: unknown; shown: string[] }) {
  if (error === null || error === undefined) return null;
  const byField = fieldErrors(error);
  const fields = Object.keys(byField);
  if (!fields.length) return <div class="error" role="alert"><p>{describe(error)}</p></div>;
  const rest = fields.filter((f) => !shown.includes(f));
  return (
    <div class="error" role="alert">
      <p>{t("form.fixFields")}</p>
      {rest.length > 0 && <ul>{rest.map((f) => <li>{f ? `${f}: ${byField[f]}` : byField[f]}</li>)}</ul>}
    </div>
  );
}

type FieldProps = {
  id: string; label: string; hint?: string; error?: string; children: (describedBy: string | undefined,
    invalid: boolean) => ComponentChildren;
};

/** A label, the control (rendered by `children`), its hint and its error. */
export function Field({ id, label, hint, error, children }: FieldProps) {
  const ids = [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;
  return (
    <div class="field">
      <label for={id}>{label}</label>
      {children(ids, !!error)}
      {hint && <p class="hint" id={`${id}-hint`}>{hint}</p>}
      {error && <p class="field-error" id={`${id}-error`}>{error}</p>}
    </div>
  );
}

export function Check({ id, label, checked, onChange, error, hint }: {
  id: string; label: string; checked: boolean; onChange: (v: boolean) => void; error?: string; hint?: string;
}) {
  const ids = [hint ? `${id}-hint` : "", error ? `${id}-error` : ""].filter(Boolean).join(" ") || undefined;
  return (
    <div>
      <div class="check">
        <input id={id} type="checkbox" checked={checked} aria-describedby={ids} aria-invalid={error ? true : undefined}
               onChange={(e) => onChange((e.target as HTMLInputElement).checked)} />
        <label for={id}>{label}</label>
      </div>
      {hint && <p class="hint" id={`${id}-hint`}>{hint}</p>}
      {error && <p class="field-error" id={`${id}-error`}>{error}</p>}
    </div>
  );
}

/** Comma- or line-separated words as a list, blanks dropped. */
export function words(text: string, sep: RegExp = /[,\n]/): string[] {
  return text.split(sep).map((w) => w.trim()).filter(Boolean);
}
