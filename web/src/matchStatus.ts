// A match's status as its mentor or mentee reads it: a proposal says whose answer it waits for.
import { t, type Key } from "./i18n";

type MatchState = { status: string; mentor_id: string; mentee_accepted: boolean; mentor_accepted: boolean };

/** Whether this side of the match (the person, or else the other) has accepted it. */
export function hasAccepted(match: MatchState, personId: string, other = false): boolean {
  return (personId === match.mentor_id) !== other ? match.mentor_accepted : match.mentee_accepted;
}

export function statusFor(match: MatchState, personId: string, other: string): string {
  if (match.status !== "proposed") return t(`match.status.${match.status}` as Key);
  const mine = hasAccepted(match, personId);
  const theirs = hasAccepted(match, personId, true);
  if (mine && !theirs) return t("match.status.waitingForThem", { name: other });
  if (theirs && !mine) return t("match.status.waitingForYou", { name: other });
  return t("match.status.proposed");
}
