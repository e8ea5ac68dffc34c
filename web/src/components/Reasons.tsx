// A recommendation's reasons in plain words: shared interests, languages, the hours apart.
import { list, t as tr, type Key } from "../i18n";
import { languageName } from "../languages";
import { interestName } from "../people";

/** `staff`: said of the two people to a coordinator ("They both like…"), not to one of them. */
export function reasonSentences(reasons: Record<string, any>, staff = false): string[] {
  const t = staff ? (key: Key, vars?: Record<string, string | number>) => tr(`staff.${key}` as Key, vars) : tr;
  const out: string[] = [];
  const interests = reasons.interests?.shared ?? [];
  const names = interests.map((i: any) => i.interest).filter(Boolean).map(interestName);
  if (names.length) out.push(t("reason.interests", { list: list(names) }));
  const languages = reasons.language?.shared ?? [];
  if (languages.length) out.push(t("reason.languages", { list: list(languages.map(languageName)) }));
  const gap = reasons.timezone?.gap_hours;
  if (typeof gap === "number") {
    const hours = Math.round(Math.abs(gap) * 10) / 10;
    out.push(hours === 0 ? t("reason.sameTime") : t("reason.hoursApart", { hours }));
  }
  return out.length ? out : [t("reason.none")];
}

export function Reasons({ reasons, staff = false }: { reasons: Record<string, any>; staff?: boolean }) {
  return <ul class="reasons">{reasonSentences(reasons, staff).map((s) => <li>{s}</li>)}</ul>;
}
