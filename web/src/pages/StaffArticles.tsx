// /staff/articles: what the advice page asked and answered (aggregate only), the organisation's
// own articles (drafts and published, with "Was this helpful?" counts), and the platform library,
// where each article can be hidden from, or shown again to, the organisation's readers. Articles
// past their review date say so: advice to young people goes out of date.
import { useState } from "preact/hooks";
import { api } from "../api";
import { Empty, ErrorNote, Show, useLoad } from "../components/states";
import { Layout } from "../components/Layout";
import { formatDate, type Key, t, todayDate } from "../i18n";
import type { Summary } from "../knowledge/articles";
import { Link } from "../router";
import { Allowed } from "../staff/Allowed";

const FIRST = 15; // library rows listed before "Show all" (or a filter)

type Stats = { questions: number; answered: number; answered_rate: number | null; by_language: Record<string, number>;
  by_role: Record<string, number>; top_articles: { article_id: string; count: number }[];
  unanswered_themes?: { word: string; questions: number }[] };

export function StaffArticles() {
  return <Allowed title={t("kstaff.title")} permission="coordinator"><StaffArticlesBody /></Allowed>;
}

async function loadAll(signal: AbortSignal): Promise<Summary[]> {
  const items: Summary[] = [];
  let cursor: string | null = null;
  do {
    const page: { items: Summary[]; next_cursor: string | null } = await api.get(
      `/v1/articles?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`, signal);
    items.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return items;
}

function StaffArticlesBody() {
  const articles = useLoad(loadAll);
  const stats = useLoad((signal) => api.get<Stats>("/v1/advice/stats?days=30", signal));
  const titles = new Map((articles.data ?? []).map((a) => [a.id, a.title]));
  return (
    <Layout title={t("kstaff.title")}>
      <p>{t("kstaff.intro")}</p>
      <p><Link class="button" href="/staff/articles/new">{t("kstaff.write")}</Link></p>
      <section aria-labelledby="stats-h">
        <h2 id="stats-h">{t("kstaff.stats")}</h2>
        <Show loaded={stats}>{(s) => <StatsView stats={s} titles={titles} />}</Show>
      </section>
      <Show loaded={articles}>{(items) => <Lists items={items} reload={articles.reload} />}</Show>
    </Layout>
  );
}

function StatsView({ stats: s, titles }: { stats: Stats; titles: Map<string, string> }) {
  const themes = s.unanswered_themes ?? [];
  return (
    <div class="stack">
      <ul class="cards figures three">
        <li class="card"><p class="figure">{s.questions}</p><p>{t("kstaff.asked")}</p></li>
        <li class="card"><p class="figure">{s.answered}</p><p>{t("kstaff.answered")}</p></li>
        <li class="card"><p class="figure">{s.questions - s.answered}</p><p>{t("kstaff.unanswered")}</p></li>
      </ul>
      <h3>{t("kstaff.themes")}</h3>
      {themes.length === 0 ? <Empty>{t("kstaff.noThemes")}</Empty> : (
        <ul class="plain themes">
          {themes.map((x) => <li>{t("kstaff.theme", { word: x.word, n: x.questions })}</li>)}
        </ul>
      )}
      <p class="hint">{t("kstaff.themesHint")}</p>
      {s.top_articles.length > 0 && (
        <>
          <h3>{t("kstaff.topArticles")}</h3>
          <ol class="plain">
            {s.top_articles.slice(0, 5).map((x) => (
              <li><Link href={`/advice/${encodeURIComponent(x.article_id)}`}>{titles.get(x.article_id) ?? x.article_id}</Link>
                {" "}— {t("kstaff.timesShown", { n: x.count })}</li>
            ))}
          </ol>
        </>
      )}
    </div>
  );
}

const overdue = (a: Summary, today: string) => !!a.review_by && a.review_by < today;

function ReviewBy({ article: a, today }: { article: Summary; today: string }) {
  if (!a.review_by) return <span class="hint">{t("kstaff.noReviewDate")}</span>;
  const date = formatDate(a.review_by, true);
  return overdue(a, today)
    ? <span class="badge overdue">{t("kstaff.reviewOverdue", { date })}</span>
    : <>{date}</>;
}

function Lists({ items, reload }: { items: Summary[]; reload: () => void }) {
  const own = items.filter((a) => a.origin === "organisation");
  const platform = items.filter((a) => a.origin === "platform");
  const [filter, setFilter] = useState("");
  const [all, setAll] = useState(false);
  const [done, setDone] = useState<string | null>(null);
  const [error, setError] = useState<unknown>(null);
  const matching = platform.filter((a) => !filter || a.title.toLowerCase().includes(filter.toLowerCase()));
  const shown = all || filter ? matching : matching.slice(0, FIRST);
  const toggle = async (a: Summary) => {
    setError(null); setDone(null);
    try {
      await api.patch(`/v1/articles/${encodeURIComponent(a.id)}`, { hidden: !a.hidden });
      setDone(t(a.hidden ? "kstaff.shownAgain" : "kstaff.hiddenNow", { title: a.title }));
      reload();
    } catch (err) { setError(err); }
  };
  const counts = (a: Summary) => a.feedback ? t("kstaff.counts", { yes: a.feedback.helpful, no: a.feedback.not_helpful }) : "";
  const today = todayDate();
  const ownOverdue = own.filter((a) => overdue(a, today)).length;
  const platformOverdue = platform.filter((a) => overdue(a, today)).length;
  return (
    <>
      <section aria-labelledby="own-h">
        <h2 id="own-h">{t("kstaff.own")}</h2>
        {ownOverdue > 0 && <p class="notice">{t("kstaff.ownOverdue", { n: ownOverdue })}</p>}
        {own.length === 0 ? <Empty>{t("kstaff.noOwn")}</Empty> : (
          <div class="scroll">
            <table>
              <caption class="sr-only">{t("kstaff.own")}</caption>
              <thead><tr><th scope="col">{t("kstaff.col.title")}</th><th scope="col">{t("kstaff.col.status")}</th>
                <th scope="col">{t("kstaff.col.review")}</th><th scope="col">{t("kstaff.col.helpful")}</th></tr></thead>
              <tbody>
                {own.map((a) => (
                  <tr>
                    <th scope="row"><Link href={`/staff/articles/${encodeURIComponent(a.id)}`}>{a.title}</Link></th>
                    <td>{a.status === "draft" ? t("kstaff.draft") : t("kstaff.published", { n: a.version })}</td>
                    <td><ReviewBy article={a} today={today} /></td>
                    <td>{counts(a)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        )}
      </section>
      <section aria-labelledby="platform-h" class="stack">
        <h2 id="platform-h">{t("kstaff.platform")}</h2>
        <p class="hint">{t("kstaff.platformHint")}</p>
        {platformOverdue > 0 && <p class="notice">{t("kstaff.platformOverdue", { n: platformOverdue })}</p>}
        {done && <p role="status" class="ok">{done}</p>}
        {error !== null && <ErrorNote error={error} />}
        <div class="field">
          <label for="platform-filter">{t("kstaff.filter")}</label>
          <input id="platform-filter" type="search" value={filter} onInput={(e) => setFilter((e.target as HTMLInputElement).value)} />
        </div>
        <div class="scroll">
          <table>
            <caption class="sr-only">{t("kstaff.platform")}</caption>
            <thead><tr><th scope="col">{t("kstaff.col.title")}</th><th scope="col">{t("kstaff.col.audience")}</th>
              <th scope="col">{t("kstaff.col.review")}</th><th scope="col">{t("kstaff.col.helpful")}</th>
              <th scope="col">{t("kstaff.col.shown")}</th></tr></thead>
            <tbody>
              {shown.map((a) => (
                <tr>
                  <th scope="row"><Link href={`/advice/${encodeURIComponent(a.id)}`}>{a.title}</Link></th>
                  <td>{t(`audience.${a.audience}` as Key)}</td>
                  <td><ReviewBy article={a} today={today} /></td>
                  <td>{counts(a)}</td>
                  <td>
                    <span class="hint">{a.hidden ? t("kstaff.isHidden") : t("kstaff.isShown")}</span>{" "}
                    <button type="button" class="secondary small" onClick={() => toggle(a)}
                            aria-label={t(a.hidden ? "kstaff.showTitled" : "kstaff.hideTitled", { title: a.title })}>
                      {t(a.hidden ? "kstaff.show" : "kstaff.hide")}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
        {shown.length < matching.length && (
          <button type="button" class="secondary" onClick={() => setAll(true)}>{t("kstaff.showAll", { n: matching.length })}</button>
        )}
      </section>
    </>
  );
}
