// A match's status as its mentor or mentee reads it: a proposal says whose answer it waits for.
import { t, type Key } from "./i18n";

type MatchState = { status: string; mentee_id: string; mentee_accepted: boolean; mentor_accepted: boolean };

export function statusFor(match: MatchState, personId: string, other: string): string {
  if (match.status !== "proposed") return t(`match.status.${match.status}` as Key);
  const isMentee = personId === match.mentee_id;
  const mine = isMentee ? match.mentee_accepted : match.mentor_accepted;
  const theirs = isMentee ? match.mentor_accepted : match.mentee_accepted;
  if (mine && !theirs) return t("match.status.waitingForThem", { name: other });
  if (theirs && !mine) return t("match.status.waitingForYou", { name: other });
  return t("match.status.proposed");
}
