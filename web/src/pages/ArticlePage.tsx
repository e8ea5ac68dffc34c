// /advice/:id: one article, its body from the API's escaped HTML (rebuilt from an allow-list,
// see knowledge/articles.ts), its sources and review date, and "Was this helpful?".
import { useEffect, useRef, useState } from "preact/hooks";
import { api } from "../api";
import { ErrorNote, Loading, useLoad } from "../components/states";
import { Layout } from "../components/Layout";
import { formatDateTime, type Key, t } from "../i18n";
import { type Article, articleNodes, tagName } from "../knowledge/articles";
import { Link, type Params } from "../router";
import { me } from "../session";

export function ArticlePage({ params }: { params: Params }) {
  const loaded = useLoad((signal) => api.get<Article>(`/v1/articles/${encodeURIComponent(params.id)}`, signal), [params.id]);
  if (loaded.error) return <Layout title={t("article.missing")}><ErrorNote error={loaded.error} retry={loaded.reload} /><Back /></Layout>;
  if (!loaded.data) return <Layout title={t("article.loading")}><Loading /></Layout>;
  const a = loaded.data;
  const staff = !me.value?.person_id;
  return (
    <Layout title={a.title}>
      <article class="article stack" lang={a.language}>
        {a.summary && <p class="lede">{a.summary}</p>}
        <p class="hint">
          {t(`audience.for.${a.audience}` as Key)}
          {a.tags.length > 0 && <> · {a.tags.map(tagName).join(" · ")}</>}
        </p>
        {staff && a.status === "draft" && <p class="notice">{t("article.draftNotice")}</p>}
        <Body html={a.html} />
        {a.sources.length > 0 && (
          <section aria-labelledby="sources-h">
            <h2 id="sources-h">{t("article.sources")}</h2>
            <ul class="plain">
              {a.sources.map((s) => <li><a href={s.url} rel="noopener noreferrer nofollow">{s.title}</a></li>)}
            </ul>
          </section>
        )}
        <p class="hint">
          {a.review_by ? t("article.reviewBy", { date: formatDateTime(`${a.review_by}T12:00:00Z`, { dateStyle: "long", timeStyle: undefined }) })
            : t("article.noReviewDate")}
          {" "}{t(a.origin === "platform" ? "article.fromPlatform" : "article.fromOrganisation")}
        </p>
      </article>
      {me.value?.person_id ? <Helpful id={a.id} initial={a.your_feedback ?? null} /> : a.feedback && (
        <p class="hint">{t("article.feedbackCounts", { yes: a.feedback.helpful, no: a.feedback.not_helpful })}</p>
      )}
      <Back />
    </Layout>
  );
}

function Back() {
  return <p><Link href={me.value?.person_id ? "/advice" : "/staff/articles"}>{t("article.back")}</Link></p>;
}

function Body({ html }: { html: string }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    box.current?.replaceChildren(articleNodes(html));
    const anchor = decodeURIComponent(window.location.hash.slice(1));
    const target = anchor ? document.getElementById(anchor) : null;
    if (target) { target.scrollIntoView(); target.focus({ preventScroll: true }); }
  }, [html]);
  return <div class="article-body" ref={box} />;
}

// One answer per reader per article: the one given before is shown pressed, and pressing the other
// replaces it (the counts staff see move with it).
function Helpful({ id, initial }: { id: string; initial: boolean | null }) {
  const [said, setSaid] = useState<boolean | null>(initial);
  const [fresh, setFresh] = useState(false); // answered on this visit: thank them
  const [error, setError] = useState<unknown>(null);
  const answer = async (helpful: boolean) => {
    setError(null);
    try {
      await api.post(`/v1/articles/${encodeURIComponent(id)}/feedback`, { helpful });
      setSaid(helpful);
      setFresh(true);
    } catch (err) { setError(err); }
  };
  const choice = (helpful: boolean) => (
    <button type="button" class={said === helpful ? "" : "secondary"} aria-pressed={said === helpful}
            onClick={() => answer(helpful)}>{t(helpful ? "article.yes" : "article.no")}</button>
  );
  return (
    <section aria-labelledby="helpful-h" class="card helpful">
      <h2 id="helpful-h" class="small">{t("article.helpful")}</h2>
      <div class="row">{choice(true)}{choice(false)}</div>
      {said !== null && (
        <p role="status" class={fresh ? "ok" : "hint"}>
          {fresh ? t(said ? "article.thanksYes" : "article.thanksNo") : t(said ? "article.saidYes" : "article.saidNo")}
        </p>
      )}
      {error !== null && <ErrorNote error={error} />}
    </section>
  );
}
