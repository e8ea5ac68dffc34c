// A recommendation's reasons in plain words: shared interests, languages, the hours apart.
import { list, t } from "../i18n";

export function reasonSentences(reasons: Record<string, any>): string[] {
  const out: string[] = [];
  const interests = reasons.interests?.shared ?? [];
  const names = interests.map((i: any) => i.interest).filter(Boolean);
  if (names.length) out.push(t("reason.interests", { list: list(names) }));
  const languages = reasons.language?.shared ?? [];
  if (languages.length) {
    const display = new Intl.DisplayNames([document.documentElement.lang], { type: "language" });
    out.push(t("reason.languages", { list: list(languages.map((l: string) => display.of(l) ?? l)) }));
  }
  const gap = reasons.timezone?.gap_hours;
  if (typeof gap === "number") {
    const hours = Math.round(Math.abs(gap) * 10) / 10;
    out.push(hours === 0 ? t("reason.sameTime") : hours === 1 ? t("reason.hourApart") : t("reason.hoursApart", { hours }));
  }
  return out.length ? out : [t("reason.none")];
}

export function Reasons({ reasons }: { reasons: Record<string, any> }) {
  return <ul class="reasons">{reasonSentences(reasons).map((s) => <li>{s}</li>)}</ul>;
}
