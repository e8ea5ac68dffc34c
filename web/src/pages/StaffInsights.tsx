// /staff/insights: how the organisation's (or one programme's) mentoring is going over a date
// range, from GET /v1/insights/overview: headline figures, charts with their tables, the export
// downloads. Topic figures come only where the API says enough conversations stand behind them.
import { useState } from "preact/hooks";
import { ApiError } from "../api";
import { describe, ErrorNote, Show, useLoad } from "../components/states";
import { Layout } from "../components/Layout";
import { t, type Key } from "../i18n";
import { Chart, COLORS } from "../insights/Chart";
import { Reading } from "../insights/Reading";
import { SurveyResults } from "../insights/Surveys";
import { topicLabel } from "../insights/topics";
import {
  bucket, checkRange, defaultRange, download, hours, number, rangeQuery, TABLES, week,
  type Overview, type Range, type RangeErrors, type Table,
} from "../insights/data";
import { Link, navigate, query } from "../router";
import { api } from "../api";
import { Allowed } from "../staff/Allowed";
import { listAll } from "../staff/lists";

export function StaffInsights() {
  return <Allowed title={t("insights.title")} permission="coordinator"><InsightsBody /></Allowed>;
}

/** The API's refusals of a range or a table, as sentences of this page. */
export function insightsError(error: unknown): string {
  if (error instanceof ApiError && error.code === "bad_range") {
    const field = (error.details as { field?: string }[] | null)?.[0]?.field;
    return t(field === "to" ? "insights.range.tooLong" : "insights.range.fromAfterTo");
  }
  if (error instanceof ApiError && error.code === "not_found") return t("insights.noProgramme");
  return describe(error);
}

function InsightsBody() {
  const fallback = defaultRange();
  const applied: Range = {
    programme: query("programme") ?? "", from: query("from") ?? fallback.from, to: query("to") ?? fallback.to,
  };
  const loaded = useLoad((s) => api.get<Overview>(`/v1/insights/overview?${rangeQuery(applied)}`, s),
    [applied.programme, applied.from, applied.to]);
  return (
    <Layout title={t("insights.title")}>
      <p>{t("insights.intro")} <Link href="/staff/insights/at-risk">{t("insights.seeAtRisk")}</Link></p>
      <RangeForm key={rangeQuery(applied)} applied={applied} />
      {loaded.error
        ? <div class="error" role="alert"><p>{insightsError(loaded.error)}</p>
            <button type="button" onClick={loaded.reload}>{t("state.retry")}</button></div>
        : <Show loaded={loaded}>{(o) => <Report o={o} range={applied} />}</Show>}
      {!loaded.error && <SurveyResults range={applied} />}
      {loaded.data && <Exports range={applied} />}
    </Layout>
  );
}

function RangeForm({ applied }: { applied: Range }) {
  const [range, setRange] = useState<Range>(applied);
  const [errors, setErrors] = useState<RangeErrors>({});
  const programmes = useLoad((s) => listAll("/v1/programmes", s), []);
  const set = (field: keyof Range) => (e: Event) => setRange({ ...range, [field]: (e.target as HTMLInputElement).value });
  const submit = (e: Event) => {
    e.preventDefault();
    const found = checkRange(range);
    setErrors(found);
    if (found.from || found.to) {
      document.getElementById(found.from ? "range-from" : "range-to")?.focus();
      return;
    }
    const q = new URLSearchParams({ from: range.from, to: range.to });
    if (range.programme) q.set("programme", range.programme);
    navigate(`/staff/insights?${q}`);
  };
  const dateField = (field: "from" | "to", label: Key) => (
    <div class="field">
      <label for={`range-${field}`}>{t(label)}</label>
      <input id={`range-${field}`} type="date" value={range[field]} onInput={set(field)} required
        aria-invalid={errors[field] ? "true" : undefined} aria-describedby={errors[field] ? `range-${field}-e` : undefined} />
      {errors[field] && <p id={`range-${field}-e`} class="field-error">{errors[field]}</p>}
    </div>
  );
  return (
    <form class="card range" onSubmit={submit} noValidate aria-labelledby="range-h">
      <h2 id="range-h" class="small">{t("insights.range.title")}</h2>
      <div class="field">
        <label for="range-programme">{t("insights.range.programme")}</label>
        <select id="range-programme" value={range.programme} onChange={set("programme")}>
          <option value="">{t("insights.range.allProgrammes")}</option>
          {(programmes.data ?? []).map((p: any) => <option value={p.id}>{p.name}</option>)}
        </select>
        {programmes.error && <p class="field-error">{describe(programmes.error)}</p>}
      </div>
      {dateField("from", "insights.range.from")}
      {dateField("to", "insights.range.to")}
      <button type="submit">{t("insights.range.show")}</button>
    </form>
  );
}

const STAGES = ["registered", "matched", "active", "ended"] as const;

function Report({ o, range }: { o: Overview; range: Range }) {
  const n = (name: string) => Number(o.totals[name] ?? 0);
  const weeks = o.weeks.length || 1;
  const series = (name: string) => o.series.find((s) => s.name === name)?.points ?? [];
  const stage = (s: string) => t(`insights.stage.${s}` as Key);
  const people = (f: Overview["funnel"][number]) => f.mentees + f.mentors;
  const weekLabels = o.weeks.map(week);
  const messages = series("messages");
  const replies = series("replies");
  const busiest = messages.reduce<number>((best, v, i) => ((v ?? 0) > (messages[best] ?? 0) ? i : best), 0);
  const replyTotal = o.reply_times.reduce((a, b) => a + b.replies, 0);
  const count = (v: number) => number(v);
  return (
    <>
      <section aria-labelledby="figures-h">
        <h2 id="figures-h">{t("insights.figures")}</h2>
        <ol class="funnel figures" aria-label={t("insights.funnel")}>
          {o.funnel.map((f) => (
            <li class="card">
              <p class="figure">{count(people(f))}</p>
              <p>{t(`insights.stage.${f.stage}.people` as Key, { n: people(f) })}</p>
              <p class="hint">{t("insights.menteesMentors", { mentees: count(f.mentees), mentors: count(f.mentors) })}</p>
            </li>
          ))}
        </ol>
        <ul class="cards figures three">
          <Figure value={number(n("messages") / weeks, 1)} label={t("insights.messagesPerWeek")}
            note={t("insights.messagesTotal", { n: n("messages") })} />
          <Figure value={hours(o.totals.average_first_response_hours as number | null)} label={t("insights.firstResponse")} />
          <Figure value={bucket(o.totals.typical_reply as string | null)} label={t("insights.typicalReply")}
            note={t("insights.averageReply", { time: hours(o.totals.average_reply_hours as number | null) })} />
          <Figure value={count(n("sessions_held"))} label={t("insights.sessionsHeldFigure")}
            note={t("insights.sessionsCancelled", { n: count(n("sessions_cancelled")) })} />
          <Figure value={t("insights.ofTotal", { n: count(n("goals_completed")), total: count(n("goals_set")) })}
            label={t("insights.goals")} />
          <Figure value={count(n("moderation_held"))} label={t("insights.moderationHeld")}
            note={t("insights.moderationPending", { n: count(n("moderation_pending_now")) })} />
        </ul>
      </section>

      <section aria-labelledby="charts-h">
        <h2 id="charts-h">{t("insights.charts")}</h2>
        <div class="charts">
          <Chart id="funnel" wide title={t("insights.funnel")}
            summary={t("insights.funnelSummary", {
              registered: people(o.funnel[0]), matched: people(o.funnel[1]),
              active: people(o.funnel[2]), ended: people(o.funnel[3]) })}
            spec={{ kind: "bars", labels: STAGES.map(stage), yLabel: t("insights.people"), format: count,
              series: [{ label: t("insights.mentees"), color: COLORS[0], values: o.funnel.map((f) => f.mentees) },
                       { label: t("insights.mentors"), color: COLORS[1], values: o.funnel.map((f) => f.mentors) }] }}
            table={{ head: [t("insights.stage"), t("insights.mentees"), t("insights.mentors"),
                t("insights.menteeDaysInStage"), t("insights.mentorDaysInStage")],
              rows: o.funnel.map((f) => [stage(f.stage), count(f.mentees), count(f.mentors),
                ...(f.stage === "ended" ? ["—", "—"] : [f.mentee_average_days_in_stage, f.mentor_average_days_in_stage]
                  .map((days) => (days === null ? "—" : number(days, 1))))]) }} />
          <Chart id="weekly" title={t("insights.weekly")}
            summary={n("messages") === 0 ? t("insights.weeklyNone") : t("insights.weeklySummary", {
              n: n("messages"), weeks: o.weeks.length, busiest: weekLabels[busiest] ?? "",
              most: count(messages[busiest] ?? 0) })}
            spec={{ kind: "lines", labels: weekLabels, yLabel: t("insights.messages"), format: count,
              series: [{ label: t("insights.messages"), color: COLORS[0], values: messages },
                       { label: t("insights.replies"), color: COLORS[1], values: replies }] }}
            table={{ head: [t("insights.weekOf"), t("insights.messages"), t("insights.replies"), t("insights.sessionsHeld"),
                t("insights.sessionsCancelledShort"), t("insights.goalsSet"), t("insights.goalsCompleted")],
              rows: o.weeks.map((w, i) => [weekLabels[i], ...["messages", "replies", "sessions_held", "sessions_cancelled",
                "goals_set", "goals_completed"].map((s) => { const v = series(s)[i]; return v === null || v === undefined ? "—" : count(v); })]) }} />
          <Chart id="replies" title={t("insights.replyTimes")}
            summary={replyTotal === 0 ? t("insights.replyNone") : t("insights.replySummary", {
              n: replyTotal, typical: bucket(o.totals.typical_reply as string | null) })}
            spec={{ kind: "bars", labels: o.reply_times.map((b) => bucket(b.bucket)), yLabel: t("insights.replies"), format: count,
              series: [{ label: t("insights.replies"), color: COLORS[0], values: o.reply_times.map((b) => b.replies) }] }}
            table={{ head: [t("insights.replyTime"), t("insights.replies")],
              rows: o.reply_times.map((b) => [bucket(b.bucket), count(b.replies)]) }} />
          <Topics o={o} />
        </div>
      </section>
      <Reading o={o} />

    </>
  );
}

function Figure({ value, label, note }: { value: string; label: string; note?: string }) {
  return <li class="card"><p class="figure">{value}</p><p>{label}</p>{note && <p class="hint">{note}</p>}</li>;
}

function Topics({ o }: { o: Overview }) {
  if (o.topics.length === 0) {
    return (
      <section class="card chart" aria-labelledby="topics-h">
        <h3 id="topics-h">{t("insights.topics")}</h3>
        <p class="state">{o.topics_suppressed > 0
          ? t("insights.topicsSuppressed", { n: number(o.topics_suppressed) })
          : t("insights.topicsNone")}</p>
      </section>
    );
  }
  const count = (v: number) => number(v);
  const label = (x: Overview["topics"][number]) => topicLabel(x.topic, x.label);
  return (
    <Chart id="topics" title={t("insights.topics")}
      summary={t("insights.topicsSummary", { top: label(o.topics[0]), n: o.topics[0].messages,
        hidden: count(o.topics_suppressed) })}
      spec={{ kind: "bars", labels: o.topics.map(label), yLabel: t("insights.messages"), format: count,
        series: [{ label: t("insights.messages"), color: COLORS[2], values: o.topics.map((x) => x.messages) }] }}
      table={{ head: [t("insights.topic"), t("insights.messages"), t("insights.conversations")],
        rows: o.topics.map((x) => [label(x), count(x.messages), count(x.conversations)]) }} />
  );
}

function Exports({ range }: { range: Range }) {
  const [error, setError] = useState<unknown>(null);
  const [busy, setBusy] = useState("");
  const get = async (table: Table, format: "csv" | "json") => {
    setError(null);
    setBusy(table + format);
    try { await download(table, format, range); } catch (e) { setError(e); } finally { setBusy(""); }
  };
  return (
    <section aria-labelledby="export-h">
      <h2 id="export-h">{t("insights.export")}</h2>
      <p class="hint">{t("insights.exportIntro")}</p>
      {error && <ErrorNote error={{ message: insightsError(error) }} />}
      <ul class="exports">
        {TABLES.map((table) => {
          const name = t(`insights.table.${table}` as Key);
          return (
            <li>
              <span>{name}</span>
              <span class="formats">{(["csv", "json"] as const).map((format) => (
                <button type="button" class="secondary" disabled={busy === table + format} onClick={() => get(table, format)}
                  aria-label={t("insights.download", { table: name, format: format.toUpperCase() })}>
                  {format.toUpperCase()}
                </button>
              ))}</span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
