// Who is signed in: `/v1/me`, plus the person's own profile for participants.
import { signal } from "@preact/signals";
import { api, ApiError } from "./api";
import { adoptPerson, setLanguage } from "./i18n";

export type Me = { role: string; organisation_id: string | null; staff_id: string | null; person_id: string | null;
  name: string | null; locale: string | null; permissions: string[] };

export const me = signal<Me | null | undefined>(undefined); // undefined: not asked yet; null: signed out
export const person = signal<any | null>(null);

export async function loadMe(): Promise<Me | null> {
  try {
    const found = await api.get<Me>("/v1/me");
    if (found.person_id) {
      person.value = await api.get(`/v1/people/${found.person_id}`);
      adoptPerson(person.value);
    } else {
      adoptPerson({ locale: found.locale });  // a member of staff's own language
    }
    me.value = found;
  } catch (e) {
    if (e instanceof ApiError && (e.status === 401 || e.status === 403)) me.value = null;
    else throw e;
  }
  return me.value ?? null;
}

/** The header's language choice: this browser's and, for a member of staff, their emails' too (a mentor's or
 * mentee's emails follow the language on their profile). */
export async function chooseLanguage(code: string): Promise<void> {
  await setLanguage(code);
  if (me.value?.staff_id) me.value = await api.patch<Me>("/v1/me", { locale: code });
}

export async function signOut(): Promise<void> {
  try { await api.post("/v1/auth/sign-out"); } finally { me.value = null; person.value = null; }
}

/** Whether the signed-in person holds a permission (`/v1/me`'s list): staff pages and their navigation. */
export function can(permission: string): boolean {
  return !!me.value?.permissions.includes(permission);
}
