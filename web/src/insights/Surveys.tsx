// The survey part of /staff/insights (GET /v1/insights/surveys): response rate per moment, the
// average and spread of each question's 1-5 answers (a chart with its table), and the comments,
// which only staff ever see.
import { Empty, ErrorNote, Show, useLoad } from "../components/states";
import { formatDate, t, type Key } from "../i18n";
import { en } from "../i18n/en";
import { api } from "../api";
import { Chart, COLORS } from "./Chart";
import { number, rangeQuery, type Range } from "./data";

type Results = {
  moments: { moment: string; requested: number; answered: number; response_rate: number | null }[];
  questions: { moment: string; question_id: string; text: string; default?: boolean; responses: number; mean: number;
    distribution: Record<string, number> }[];
  comments: { survey_id: string; moment: string; role: string; answered_at: string; comment: string }[];
};

const moment = (m: string) => t(`insights.surveyMoment.${m}` as Key);
const percent = (r: number | null) => (r === null ? "—" : `${number(r * 100)}%`);

// A default question in this reader's words (participants each read it in theirs); the organisation's
// own questions as it wrote them.
const questionText = (q: Results["questions"][number]) => {
  const key = `survey.question.${q.question_id}` as Key;
  return q.default && key in en ? t(key) : q.text;
};

// A bar's name under the chart: a default question's short name, else the question's first words (the
// caption and the table give it whole).
const shortLabel = (q: Results["questions"][number]) => {
  const key = `survey.questionShort.${q.question_id}` as Key;
  if (q.default && key in en) return t(key);
  const words = q.text.split(/\s+/);
  return words.length > 3 ? `${words.slice(0, 3).join(" ")}…` : q.text;
};

export function SurveyResults({ range }: { range: Range }) {
  const loaded = useLoad((s) => api.get<Results>(`/v1/insights/surveys?${rangeQuery(range)}`, s),
    [range.programme, range.from, range.to]);
  return (
    <section aria-labelledby="surveys-h" class="survey-results">
      <h2 id="surveys-h">{t("insights.surveys")}</h2>
      <p class="hint">{t("insights.surveysIntro")}</p>
      {loaded.error ? <ErrorNote error={loaded.error} retry={loaded.reload} /> : (
        <Show loaded={loaded}>{(r) => r.moments.every((m) => m.requested === 0)
          ? <Empty>{t("insights.surveyNone")}</Empty> : <Body r={r} />}</Show>
      )}
    </section>
  );
}

function Body({ r }: { r: Results }) {
  const label = (q: Results["questions"][number]) => `${questionText(q)} (${moment(q.moment)})`;
  return (
    <>
      <div class="scroll" tabIndex={0} role="group" aria-label={t("insights.surveyRate")}>
        <table>
          <caption>{t("insights.surveyRate")}</caption>
          <thead><tr><th scope="col">{t("insights.surveyMoment")}</th><th scope="col">{t("insights.surveyRequested")}</th>
            <th scope="col">{t("insights.surveyAnswered")}</th><th scope="col">{t("insights.surveyRate")}</th></tr></thead>
          <tbody>{r.moments.map((m) => (
            <tr><th scope="row">{moment(m.moment)}</th><td>{number(m.requested)}</td><td>{number(m.answered)}</td>
              <td>{percent(m.response_rate)}</td></tr>
          ))}</tbody>
        </table>
      </div>
      {r.questions.length > 0 && (
        <Chart id="survey-scores" title={t("insights.surveyScores")}
          summary={r.questions.map((q) => `${label(q)}: ${number(q.mean, 1)}`).join("; ")}
          spec={{ kind: "bars", labels: r.questions.map(shortLabel), yLabel: t("insights.surveyMean"),
            format: (v: number) => number(v, 1),
            series: [{ label: t("insights.surveyMean"), color: COLORS[0], values: r.questions.map((q) => q.mean) }] }}
          table={{ head: [t("insights.surveyQuestion"), t("insights.surveyMean"), t("insights.surveyResponses"),
              t("insights.surveyDistribution")],
            rows: r.questions.map((q) => [label(q), number(q.mean, 1), number(q.responses),
              ["1", "2", "3", "4", "5"].map((n) => number(q.distribution[n] ?? 0)).join(" / ")]) }} />
      )}
      <h3>{t("insights.surveyComments")}</h3>
      {r.comments.length === 0 ? <Empty>{t("insights.surveyNoComments")}</Empty> : (
        <ul class="cards comments">
          {r.comments.map((c) => (
            <li class="card">
              <blockquote>{c.comment}</blockquote>
              <p class="hint">{t("insights.surveyCommentBy", { role: t(`insights.surveyRole.${c.role}` as Key),
                moment: moment(c.moment), when: formatDate(c.answered_at) })}</p>
            </li>
          ))}
        </ul>
      )}
    </>
  );
}
