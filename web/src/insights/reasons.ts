// The health reasons the API writes in English (services/insights/health.py), in the reader's
// language; a reason this app does not know yet is shown as the API wrote it.
import { t } from "../i18n";

const RULES: [RegExp, (m: RegExpExecArray) => string][] = [
  [/^No message for (\d+) days$/, (m) => t("reason.quiet", { n: Number(m[1]) })],
  [/^No message since the match started (\d+) days ago$/, (m) => t("reason.quietSinceStart", { n: Number(m[1]) })],
  [/^The first message has had no reply$/, () => t("reason.noReply")],
  [/^One-sided: the (mentee|mentor) writes only (\d+)% of the messages$/,
    (m) => t(m[1] === "mentee" ? "reason.oneSidedMentee" : "reason.oneSidedMentor", { n: m[2] })],
  [/^Replies take ([\d.]+) days on average$/, (m) => t("reason.slowReplies", { n: Number(m[1]) })],
  [/^(\d+) sessions cancelled, (\d+) kept$/, (m) => t("reason.cancelled", { n: Number(m[1]), kept: m[2] })],
  [/^(\d+) reminder\(s\) to the pair had no reply within a week$/, (m) => t("reason.nudges", { n: Number(m[1]) })],
  [/^Talking regularly$/, () => t("reason.fine")],
];

export function reason(text: string): string {
  for (const [pattern, say] of RULES) {
    const m = pattern.exec(text);
    if (m) return say(m);
  }
  return text;
}
