// A match's health reasons in the reader's language, from the codes and figures the API gives
// beside its English (services/insights/health.py); a code this app does not know yet is shown
// as the API wrote it.
import { t } from "../i18n";

export type HealthReason = { code: string; figures: Record<string, number | string> };

const SAY: Record<string, (f: Record<string, number | string>) => string> = {
  quiet: (f) => t("reason.quiet", { n: Number(f.days) }),
  quiet_since_start: (f) => t("reason.quietSinceStart", { n: Number(f.days) }),
  no_reply: () => t("reason.noReply"),
  one_sided: (f) => t(f.quieter === "mentee" ? "reason.oneSidedMentee" : "reason.oneSidedMentor", { n: f.percent }),
  slow_replies: (f) => t("reason.slowReplies", { n: Number(f.days) }),
  sessions_cancelled: (f) => t("reason.cancelled", { n: Number(f.cancelled), kept: f.kept }),
  reminders_unanswered: (f) => t("reason.nudges", { n: Number(f.reminders) }),
  talking_regularly: () => t("reason.fine"),
};

export function reasonsOf(health: { reasons: string[]; reason_codes: HealthReason[] }): string[] {
  return health.reason_codes.map((r, i) => SAY[r.code]?.(r.figures) ?? health.reasons[i]);
}
