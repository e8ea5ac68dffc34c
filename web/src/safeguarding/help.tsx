// Safeguarding pieces shared by participants' pages: where to get help right now (UK numbers),
// the "Report a worry" entry, and a sentence for why a match is paused.
import { t, type Key } from "../i18n";
import { Link } from "../router";

export function HelpNow({ headingLevel = 2 }: { headingLevel?: 2 | 3 }) {
  const H = headingLevel === 2 ? "h2" : "h3";
  return (
    <section class="help-now" aria-labelledby="help-now-h">
      <H id="help-now-h">{t("help.title")}</H>
      <ul class="plain">
        <li><a href="tel:999">{t("help.emergency")}</a></li>
        <li><a href="tel:08001111">{t("help.childline")}</a></li>
        <li><a href="tel:116123">{t("help.samaritans")}</a></li>
      </ul>
      <p class="hint">{t("help.uk")}</p>
    </section>
  );
}

/** The clearly visible way in: a button-like link to /report, about a match when given. */
export function ReportEntry({ matchId, hint = true }: { matchId?: string; hint?: boolean }) {
  const href = matchId ? `/report?match=${encodeURIComponent(matchId)}` : "/report";
  return (
    <div class="report-entry">
      <Link class="button report" href={href} aria-describedby={hint ? "report-entry-hint" : undefined}>
        {t("report.link")}
      </Link>
      {hint && <p class="hint" id="report-entry-hint">{t("report.linkHint")}</p>}
    </div>
  );
}

const PAUSES = ["concern", "suspended", "guardian_consent"] as const;

/** Why a match (or conversation) is paused, as one sentence; null when it is not paused. */
export function pausedSentence(pausedFor: string[] | undefined | null): string | null {
  if (!pausedFor || pausedFor.length === 0) return null;
  const first = PAUSES.find((p) => pausedFor.includes(p));
  return t((first ? `paused.${first}` : "paused.other") as Key);
}
