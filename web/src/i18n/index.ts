// Every word a participant sees comes from here: `t("key", {name})`, a count in its plural form
// (format.ts). The language is the person's `locale` when their profile has one, else the one they
// picked (kept in this browser), else the browser's. Dates use Intl in the reader's language and time zone. English ships with
// the app; another language is a chunk of its own, fetched before it is shown.
import { signal } from "@preact/signals";
import { en, type Messages } from "./en";
import { formatMessage, type Vars } from "./format";

export const LANGUAGES: Record<string, { name: string; load: () => Promise<Messages> }> = {
  en: { name: "English", load: async () => en },
  es: { name: "Español", load: () => import("./es").then((m) => m.es) },
};
const catalogues: Record<string, Messages> = { en };

function pick(candidates: readonly (string | null | undefined)[]): string {
  for (const c of candidates) {
    const base = (c ?? "").toLowerCase().split("-")[0];
    if (base in LANGUAGES) return base;
  }
  return "en";
}

export const lang = signal("en");
export const timeZone = signal(Intl.DateTimeFormat().resolvedOptions().timeZone);

/** Switch language once its words are here (English at once); a failed fetch keeps the current one. */
export async function setLanguage(code: string, remember = true): Promise<void> {
  const chosen = pick([code]);
  catalogues[chosen] ??= await LANGUAGES[chosen].load();
  lang.value = chosen;
  if (remember) localStorage.setItem("ementor.lang", chosen);
  document.documentElement.lang = chosen;
}

/** The first language, before the app is drawn: the one picked in this browser, else the browser's. */
export const languageReady = setLanguage(pick([localStorage.getItem("ementor.lang"), ...navigator.languages]), false)
  .catch(() => undefined);

/** The signed-in person's own settings win over the browser's (unless a language was picked in this browser):
 * a participant's profile, a member of staff's language. */
export function adoptPerson(person: { locale?: string | null; timezone?: string | null }): void {
  if (person.locale && !localStorage.getItem("ementor.lang")) void setLanguage(person.locale, false).catch(() => undefined);
  if (person.timezone) timeZone.value = person.timezone;
}

export type Key = keyof Messages;

/** The words for `key` in the reader's language; a count passed as a number picks its plural form. */
export function t(key: Key, vars: Vars = {}): string {
  const text = catalogues[lang.value]?.[key] ?? en[key] ?? key;
  return formatMessage(text, vars, lang.value);
}

/** An API error's code as a sentence; the server's own message when the app has no words for it. */
export function sentence(code: string, fallback: string): string {
  const key = ("error." + code) as Key;
  return key in en ? t(key) : fallback;
}

export function formatDateTime(iso: string, opts: Intl.DateTimeFormatOptions = {}): string {
  return new Intl.DateTimeFormat(lang.value, {
    dateStyle: "full", timeStyle: "short", timeZone: timeZone.value, ...opts,
  }).format(new Date(iso));
}

/** "Dec 5, 2026, 6:46 PM": a moment in a list, where the weekday would be noise. */
export const formatShortDateTime = (iso: string) => formatDateTime(iso, { dateStyle: "medium" });

export function formatTime(iso: string, zone?: string): string {
  return new Intl.DateTimeFormat(lang.value, { hour: "numeric", minute: "2-digit", timeZone: zone ?? timeZone.value })
    .format(new Date(iso));
}

/** A day, in words: an instant in the person's time zone, or a calendar date ("2026-05-01") as it is. */
export function formatDate(iso: string, calendarDate = false): string {
  return new Intl.DateTimeFormat(lang.value, {
    dateStyle: "long", timeZone: calendarDate ? "UTC" : timeZone.value,
  }).format(new Date(calendarDate ? iso + "T00:00:00Z" : iso));
}

/** Today as a calendar date ("2026-12-05") in the person's time zone, to compare with calendar dates. */
export function todayDate(): string {
  return new Intl.DateTimeFormat("en-CA", { timeZone: timeZone.value }).format(new Date());
}

export function list(items: string[]): string {
  return new Intl.ListFormat(lang.value, { style: "long", type: "conjunction" }).format(items);
}

document.documentElement.lang = lang.value;
