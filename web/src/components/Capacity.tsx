// How many mentees a mentor takes at once, as choices: none for now (a pause: matching offers them
// to no one, their current matches go on), one to five, or more if staff set more.
import { t } from "../i18n";

export function CapacityOptions({ current }: { current: number }) {
  const choices = Array.from({ length: Math.max(5, current) + 1 }, (_, n) => n);
  return <>{choices.map((n) => <option value={String(n)}>{n === 0 ? t("capacity.none") : t("capacity.n", { n })}</option>)}</>;
}
