// Every word a participant sees comes from here: `t("key", {name})`. The language is the
// person's `locale` when their profile has one, else the one they picked (kept in this browser),
// else the browser's. Dates use Intl in the reader's language and time zone.
import { signal } from "@preact/signals";
import { en, type Messages } from "./en";
import { es } from "./es";

export const LANGUAGES: Record<string, { name: string; messages: Messages }> = {
  en: { name: "English", messages: en },
  es: { name: "Español", messages: es },
};

function pick(candidates: readonly (string | null | undefined)[]): string {
  for (const c of candidates) {
    const base = (c ?? "").toLowerCase().split("-")[0];
    if (base in LANGUAGES) return base;
  }
  return "en";
}

export const lang = signal(pick([localStorage.getItem("ementor.lang"), ...navigator.languages]));
export const timeZone = signal(Intl.DateTimeFormat().resolvedOptions().timeZone);

export function setLanguage(code: string, remember = true): void {
  lang.value = pick([code]);
  if (remember) localStorage.setItem("ementor.lang", lang.value);
  document.documentElement.lang = lang.value;
}

/** The person's own settings win over the browser's: called once their profile is known. */
export function adoptPerson(person: { locale?: string | null; timezone?: string | null }): void {
  if (person.locale && !localStorage.getItem("ementor.lang")) setLanguage(person.locale, false);
  if (person.timezone) timeZone.value = person.timezone;
}

export type Key = keyof Messages;

export function t(key: Key, vars: Record<string, string | number> = {}): string {
  const text = LANGUAGES[lang.value].messages[key] ?? en[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => String(vars[name] ?? ""));
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

export function list(items: string[]): string {
  return new Intl.ListFormat(lang.value, { style: "long", type: "conjunction" }).format(items);
}

document.documentElement.lang = lang.value;
