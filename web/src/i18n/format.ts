// A message with its placeholders filled in. "{name}" is the value as given. A count uses ICU's
// plural form, "{n, plural, one {# message} other {# messages}}": the language's own rule picks
// the form for that number ("=0 {…}" matches one number exactly, first), and "#" is the number as
// the reader writes it. A language with more forms (Spanish "many") falls back to "other".
export type Vars = Record<string, string | number>;

// Counts and averages are shown to one decimal at most; the form follows the number as written.
const DIGITS = { maximumFractionDigits: 1 } as const;
const PLURAL = /^\s*(\w+)\s*,\s*plural\s*,([\s\S]*)$/;
const rules = new Map<string, Intl.PluralRules>();

export function formatMessage(text: string, vars: Vars, locale: string): string {
  let out = "";
  let at = 0;
  for (let open = text.indexOf("{"); open >= 0; open = text.indexOf("{", at)) {
    const close = closing(text, open);
    if (close < 0) break;  // an unbalanced brace is shown as written
    out += text.slice(at, open) + fill(text.slice(open + 1, close), vars, locale);
    at = close + 1;
  }
  return out + text.slice(at);
}

function closing(text: string, open: number): number {
  let depth = 0;
  for (let i = open; i < text.length; i++) {
    if (text[i] === "{") depth++;
    else if (text[i] === "}" && --depth === 0) return i;
  }
  return -1;
}

function fill(body: string, vars: Vars, locale: string): string {
  const plural = PLURAL.exec(body);
  if (!plural) return String(vars[body.trim()] ?? "");
  const raw = vars[plural[1]] ?? 0;
  const value = typeof raw === "number" ? raw : Number(raw);
  const forms = options(plural[2]);
  const choice = Number.isNaN(value)
    ? forms.get("other")
    : forms.get(`=${value}`) ?? forms.get(pluralRules(locale).select(value)) ?? forms.get("other");
  const written = Number.isNaN(value) ? String(raw) : new Intl.NumberFormat(locale, DIGITS).format(value);
  return formatMessage((choice ?? "").replaceAll("#", written), vars, locale);
}

/** "one {…} other {…}" as selector → text. */
function options(text: string): Map<string, string> {
  const forms = new Map<string, string>();
  let at = 0;
  for (let open = text.indexOf("{"); open >= 0; open = text.indexOf("{", at)) {
    const close = closing(text, open);
    if (close < 0) break;
    forms.set(text.slice(at, open).trim(), text.slice(open + 1, close));
    at = close + 1;
  }
  return forms;
}

function pluralRules(locale: string): Intl.PluralRules {
  let found = rules.get(locale);
  if (!found) rules.set(locale, (found = new Intl.PluralRules(locale, DIGITS)));
  return found;
}
