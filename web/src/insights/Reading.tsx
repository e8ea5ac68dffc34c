// The advice library's use on the insights page: first reads, "Was this helpful?" answers,
// questions asked and answered, and the most read articles. An article is named only once
// 5 people have read it (the API leaves the others out and counts them), like topics.
import { t } from "../i18n";
import { Chart, COLORS } from "./Chart";
import { number, type Overview } from "./data";

export function Reading({ o }: { o: Overview }) {
  const r = o.reading;
  const count = (v: number) => number(v);
  const answeredShare = r.questions_asked ? Math.round((100 * r.questions_answered) / r.questions_asked) : null;
  const rated = r.helpful + r.not_helpful;
  return (
    <section aria-labelledby="reading-h">
      <h2 id="reading-h">{t("insights.reading")}</h2>
      <p class="hint">{t("insights.readingIntro")}</p>
      <ul class="cards figures three">
        <li class="card"><p class="figure">{count(r.articles_read)}</p><p>{t("insights.articlesRead")}</p>
          <p class="hint">{t("insights.menteesMentors", { mentees: count(r.articles_read_by_mentees),
            mentors: count(r.articles_read_by_mentors) })}</p></li>
        <li class="card"><p class="figure">{rated ? `${Math.round((100 * r.helpful) / rated)}%` : "—"}</p>
          <p>{t("insights.foundHelpful")}</p>
          <p class="hint">{t("insights.helpfulAnswers", { yes: count(r.helpful), no: count(r.not_helpful) })}</p></li>
        <li class="card"><p class="figure">{count(r.questions_asked)}</p><p>{t("insights.questionsAsked")}</p>
          <p class="hint">{answeredShare === null ? t("insights.none")
            : t("insights.questionsAnswered", { share: answeredShare })}</p></li>
      </ul>
      {r.articles.length === 0
        ? <p class="state">{r.articles_suppressed > 0
            ? t("insights.articlesSuppressed", { n: count(r.articles_suppressed) })
            : t("insights.articlesNone")}</p>
        : <div class="charts">
            <Chart id="articles" title={t("insights.mostRead")}
              summary={t("insights.mostReadSummary", { top: r.articles[0].title, n: r.articles[0].readers,
                hidden: count(r.articles_suppressed) })}
              spec={{ kind: "bars", labels: r.articles.map((a) => a.title), yLabel: t("insights.readers"), format: count,
                series: [{ label: t("insights.readers"), color: COLORS[0], values: r.articles.map((a) => a.readers) },
                         { label: t("insights.helpfulYes"), color: COLORS[2], values: r.articles.map((a) => a.helpful) }] }}
              table={{ head: [t("insights.article"), t("insights.readers"), t("insights.helpfulYes"), t("insights.helpfulNo")],
                rows: r.articles.map((a) => [a.title, count(a.readers), count(a.helpful), count(a.not_helpful)]) }} />
          </div>}
    </section>
  );
}
