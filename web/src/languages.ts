// Spoken languages as people write them: profiles stores BCP 47 tags ("pl", "pt-BR"); people read
// and write names ("Polish", "polaco"), in the app's language or in English.
import { lang } from "./i18n";

// ISO 639-1 codes of the languages a name is looked up among (a tag is accepted as written too).
const CODES = ("af am ar az be bg bn bs ca cs cy da de el en eo es et eu fa fi fr ga gd gl gu ha he hi hr ht hu hy "
  + "id ig is it ja jv ka kk km kn ko ku ky lb lo lt lv mg mi mk ml mn mr ms mt my ne nl no ny pa pl ps pt ro ru "
  + "rw sd si sk sl sm sn so sq sr st su sv sw ta te tg th ti tk tl tr tt ug uk ur uz vi xh yi yo zh zu").split(" ");

function names(locale: string): Intl.DisplayNames {
  return new Intl.DisplayNames([locale], { type: "language", fallback: "none" });
}

/** A stored tag as a name in the app's language ("pl" → "Polish"); the tag itself if unknown. */
export function languageName(tag: string): string {
  try { return names(lang.value).of(tag) ?? tag; } catch { return tag; }
}

/** What someone wrote ("Polish", "polaco", "pl", "pt-BR") as a tag; null if it is no language known. */
export function languageTag(written: string): string | null {
  const text = written.trim();
  if (/^[a-z]{2,3}(-[a-z0-9]{2,8})*$/i.test(text)) {
    try { if (names("en").of(text)) return text; } catch { /* not a well-formed tag: try it as a name */ }
  }
  const wanted = text.toLocaleLowerCase();
  for (const locale of [lang.value, "en"]) {
    const shown = names(locale);
    const found = CODES.find((code) => shown.of(code)?.toLocaleLowerCase() === wanted);
    if (found) return found;
  }
  return null;
}
