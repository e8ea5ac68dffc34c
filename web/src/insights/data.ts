// What the insights pages read from the API (services/insights/schemas.py), the date range they
// ask for, checked here before it is sent, and the downloads of the export tables.
import { request } from "../api";
import { t, lang } from "../i18n";
import type { HealthReason } from "./reasons";

export type FunnelStage = { stage: "registered" | "matched" | "active" | "ended"; mentees: number; mentors: number;
  mentee_average_days_in_stage: number | null; mentor_average_days_in_stage: number | null };
export type Series = { name: string; label: string; unit: string; points: (number | null)[] };
export type Topic = { topic: string; label: string; messages: number; conversations: number; weekly_messages: (number | null)[] };
export type Overview = {
  programme_id: string | null; from: string; to: string; weeks: string[];
  totals: Record<string, number | string | null>;
  funnel: FunnelStage[]; series: Series[]; reply_times: { bucket: string; replies: number }[];
  topics: Topic[]; topics_suppressed: number; reading: Reading;
};
export type ArticleFigure = { article_id: string; title: string; readers: number; helpful: number; not_helpful: number };
export type Reading = {
  articles_read: number; articles_read_by_mentees: number; articles_read_by_mentors: number;
  helpful: number; not_helpful: number; questions_asked: number; questions_answered: number;
  articles: ArticleFigure[]; articles_suppressed: number;
};
export type MatchHealth = { match_id: string; mentor_id: string | null; mentee_id: string | null; score: number | null;
  at_risk: boolean; reasons: string[]; reason_codes: HealthReason[]; days_since_last_exchange: number | null;
  messages: number };

export const TABLES = ["funnel", "weekly", "reply_times", "topics", "articles", "matches", "survey_rates",
  "survey_scores", "survey_comments"] as const;
export type Table = (typeof TABLES)[number];
export const MAX_RANGE_DAYS = 5 * 366; // the API's limit (services/insights/reports.py)
const DAY_MS = 86_400_000;

export type Range = { programme: string; from: string; to: string };
export type RangeErrors = Partial<Record<"from" | "to", string>>;

export function isoDay(d: Date): string {
  return d.toISOString().slice(0, 10);
}

/** The API's default: the twelve weeks up to today. */
export function defaultRange(): Range {
  const today = new Date();
  return { programme: "", from: isoDay(new Date(today.getTime() - 84 * DAY_MS)), to: isoDay(today) };
}

function day(value: string): number | null {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(value)) return null;
  const ms = Date.parse(value + "T00:00:00Z");
  return Number.isNaN(ms) || isoDay(new Date(ms)) !== value ? null : ms;
}

/** What is wrong with a range, field by field, in words; empty when it can be sent. */
export function checkRange(range: Range): RangeErrors {
  const errors: RangeErrors = {};
  const from = day(range.from);
  const to = day(range.to);
  if (from === null) errors.from = t("insights.range.badDate");
  if (to === null) errors.to = t("insights.range.badDate");
  if (from !== null && to !== null) {
    if (from > to) errors.from = t("insights.range.fromAfterTo");
    else if ((to - from) / DAY_MS > MAX_RANGE_DAYS) errors.to = t("insights.range.tooLong");
  }
  return errors;
}

export function rangeQuery(range: Range): string {
  const q = new URLSearchParams();
  if (range.programme) q.set("programme_id", range.programme);
  if (range.from) q.set("from", range.from);
  if (range.to) q.set("to", range.to);
  return q.toString();
}

/** Downloads one export table as a file. The request goes through the API client (the session
 * cookie, a refresh on an expired token), so a plain link's 401 page never becomes the file. */
export async function download(table: Table, format: "csv" | "json", range: Range): Promise<void> {
  const path = `/v1/insights/export?${rangeQuery(range)}&table=${table}&format=${format}`;
  const response = await request<Response>(path, { raw: true });
  const blob = format === "json"
    ? new Blob([JSON.stringify(await response.json(), null, 2)], { type: "application/json" })
    : await response.blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement("a");
  a.href = url;
  a.download = `ementor-insights-${table}-${range.from}-${range.to}.${format}`;
  document.body.appendChild(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

export function number(n: number, digits = 0): string {
  return new Intl.NumberFormat(lang.value, { maximumFractionDigits: digits }).format(n);
}

/** A duration in hours as people say it: minutes, hours or days. */
export function hours(h: number | null | undefined): string {
  if (h === null || h === undefined) return t("insights.none");
  if (h < 1) return t("insights.minutes", { n: number(Math.max(1, Math.round(h * 60))) });
  if (h < 48) return t("insights.hours", { n: number(h, 1) });
  return t("insights.days", { n: number(h / 24, 1) });
}

/** The API's reply-time bucket ("within 24 h", "over 168 h") in the reader's language. */
export function bucket(label: string | null | undefined): string {
  if (!label) return t("insights.none");
  const within = /^within (\d+) h$/.exec(label);
  if (within) return t("insights.bucket.within", { time: hours(Number(within[1])) });
  const over = /^over (\d+) h$/.exec(label);
  if (over) return t("insights.bucket.over", { time: hours(Number(over[1])) });
  return label;
}

/** A week's Monday as a short date ("3 Nov"). */
export function week(iso: string): string {
  return new Intl.DateTimeFormat(lang.value, { day: "numeric", month: "short", timeZone: "UTC" })
    .format(new Date(iso + "T00:00:00Z"));
}
