// A 422's details (`[{field: "contacts.0.email", message}]`, ementor/platform/http/errors.py) by field,
// so a form shows each problem beside its control.
import { ApiError } from "../api";

export function fieldErrors(error: unknown): Record<string, string> {
  const out: Record<string, string> = {};
  if (error instanceof ApiError && error.status === 422 && Array.isArray(error.details)) {
    for (const d of error.details as { field?: string | null; message?: string }[]) {
      const field = d.field ?? "";
      const message = (d.message ?? "").replace(/^Value error, /, "");
      out[field] = out[field] ? `${out[field]} ${message}` : message;
    }
  }
  return out;
}
