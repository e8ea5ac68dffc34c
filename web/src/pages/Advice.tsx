// /advice: ask in your own words and get passages quoted from the library as written (POST
// /v1/advice), or, when it has no good answer, send the question to your mentor (moderated like
// any message). Below: articles recommended from your goals, conversations and interests (each
// with why), and the library to browse by
// tag and audience or search.
import { useEffect, useState } from "preact/hooks";
import { api, ApiError } from "../api";
import { Empty, ErrorNote, Show, useLoad } from "../components/states";
import { Layout } from "../components/Layout";
import { type Key, lang, LANGUAGES, t } from "../i18n";
import { AUDIENCES, anchorOf, type Passage, type Reason, type Recommended, type Summary, TAGS, tagName }
  from "../knowledge/articles";
import { Link } from "../router";
import { me } from "../session";

const FIRST = 12; // articles listed before "Show all"

type Advice = { answers: Passage[]; answered: boolean; language: string; message: string;
  ask_mentor: { path: string; match_ids: string[] } | null };

export function Advice() {
  return (
    <Layout title={t("advice.title")}>
      <Ask />
      <Recommended />
      <Browse />
    </Layout>
  );
}

function Ask() {
  const [question, setQuestion] = useState("");
  const [asked, setAsked] = useState("");
  const [advice, setAdvice] = useState<Advice | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  return (
    <section aria-labelledby="ask-h" class="card stack ask">
      <h2 id="ask-h">{t("advice.askHeading")}</h2>
      <form class="stack" onSubmit={async (e) => {
        e.preventDefault();
        const text = question.trim();
        if (!text) { setError(new Error(t("advice.empty"))); return; }
        setBusy(true); setError(null); setAdvice(null);
        try {
          setAdvice(await api.post<Advice>("/v1/advice", { question: text }));
          setAsked(text);
        } catch (err) { setError(err); } finally { setBusy(false); }
      }}>
        <div class="field">
          <label for="question">{t("advice.question")}</label>
          <textarea id="question" class="big" rows={3} maxLength={1000} value={question} aria-describedby="question-hint"
                    onInput={(e) => setQuestion((e.target as HTMLTextAreaElement).value)} />
          <p class="hint" id="question-hint">{t("advice.questionHint")}</p>
        </div>
        <button type="submit" disabled={busy}>{busy ? t("advice.asking") : t("advice.ask")}</button>
      </form>
      {error !== null && <ErrorNote error={error} />}
      <div aria-live="polite">
        {advice && (advice.answered ? <Answers answers={advice.answers} /> : <NoAnswer advice={advice} question={asked} />)}
      </div>
    </section>
  );
}

function Answers({ answers }: { answers: Passage[] }) {
  return (
    <>
      <h3 id="answers-h">{t("advice.answers")}</h3>
      <ol class="cards passages" aria-labelledby="answers-h">
        {answers.map((a) => <PassageCard passage={a} />)}
      </ol>
      <p class="hint">{t("advice.quoted")}</p>
    </>
  );
}

export function PassageCard({ passage: p }: { passage: Passage }) {
  const anchor = anchorOf(p.url);
  return (
    <li class="card passage">
      <p class="source"><strong>{p.title}</strong>{p.section && <> · <span>{p.section}</span></>}</p>
      <blockquote>{p.passage}</blockquote>
      <Link href={`/advice/${encodeURIComponent(p.article_id)}${anchor ? `#section-${anchor}` : ""}`}>
        {t("advice.read", { title: p.title })}
      </Link>
    </li>
  );
}

function NoAnswer({ advice, question }: { advice: Advice; question: string }) {
  const mentee = me.value?.role === "mentee";
  const matches = advice.ask_mentor?.match_ids ?? [];
  const [matchId, setMatchId] = useState(matches[0] ?? "");
  const [sent, setSent] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<unknown>(null);
  const unreadable = !/[\p{L}\p{N}]/u.test(question); // emoji or punctuation only: nothing to search for
  return (
    <div class="notice stack no-answer">
      <h3>{t("advice.noAnswerHeading")}</h3>
      <p>{unreadable ? t("advice.unreadable") : t("advice.noAnswer")}</p>
      {mentee && (sent ? <p role="status" class="ok">{sent}</p> : (
        <>
          <p id="ask-mentor-hint">{t("advice.mentorModeration")}</p>
          {matches.length > 1 && (
            <div class="field">
              <label for="which-match">{t("advice.whichMentor")}</label>
              <select id="which-match" value={matchId} onChange={(e) => setMatchId((e.target as HTMLSelectElement).value)}>
                {matches.map((id, i) => <option value={id}>{t("advice.conversation", { n: i + 1 })}</option>)}
              </select>
            </div>
          )}
          {matches.length === 0 && <p id="no-mentor">{t("advice.noMentor")}</p>}
          <button type="button" disabled={busy || matches.length === 0}
                  aria-describedby={matches.length === 0 ? "no-mentor" : "ask-mentor-hint"}
                  onClick={async () => {
                    setBusy(true); setError(null);
                    try {
                      const posted = await api.post("/v1/advice/ask-mentor", { question, match_id: matchId || null });
                      setSent(t(posted.status === "held" ? "advice.sentHeld" : "advice.sent"));
                    } catch (err) { setError(err); } finally { setBusy(false); }
                  }}>{t("advice.sendToMentor")}</button>
          {error !== null && <ErrorNote error={error} />}
        </>
      ))}
      {!mentee && <p>{t("advice.noAnswerMentor")}</p>}
    </div>
  );
}

function Recommended() {
  const loaded = useLoad(async (signal) => {
    try {
      return (await api.get<{ items: Recommended[] }>("/v1/articles/recommended?limit=5", signal)).items;
    } catch (e) {
      if (e instanceof ApiError && e.status === 404) return []; // the library has not heard of the person yet
      throw e;
    }
  });
  return (
    <section aria-labelledby="rec-h">
      <h2 id="rec-h">{t("advice.recommended")}</h2>
      <Show loaded={loaded}>{(items) => items.length === 0 ? <Empty>{t("advice.noRecommended")}</Empty> : (
        <ul class="cards articles">{items.map((a) => <ArticleItem article={a} reasons={a.reasons} />)}</ul>
      )}</Show>
    </section>
  );
}

export function ArticleItem({ article: a, reasons }: { article: Summary; reasons?: Reason[] }) {
  return (
    <li class="card">
      <h3><Link href={`/advice/${encodeURIComponent(a.id)}`}>{a.title}</Link></h3>
      {a.summary && <p>{a.summary}</p>}
      {reasons && reasons.length > 0 ? <p class="hint">{reasons.map(reasonText).join(" · ")}</p>
        : a.tags.length > 0 && <p class="hint">{a.tags.map(tagName).join(" · ")}</p>}
    </li>
  );
}

/** A recommendation's reason in the reader's language (the API's `text` is English). */
function reasonText(r: Reason): string {
  return t(`advice.reason.${r.kind}` as Key, { tag: tagName(r.tag) });
}

function Browse() {
  const [tag, setTag] = useState("");
  const [audience, setAudience] = useState("");
  const [language, setLanguage] = useState(lang.value); // the articles in the language the page is read in
  useEffect(() => setLanguage(lang.value), [lang.value]);
  const [q, setQ] = useState("");
  const [searched, setSearched] = useState("");
  const [all, setAll] = useState(false);
  const list = useLoad((signal) => api.get<{ items: Summary[] }>(
    `/v1/articles?limit=500${tag ? `&tag=${encodeURIComponent(tag)}` : ""}${language ? `&language=${language}` : ""}`,
    signal), [tag, language]);
  const hits = useLoad((signal) => searched
    ? api.get<{ items: Passage[] }>(`/v1/articles/search?limit=6&q=${encodeURIComponent(searched)}`, signal)
    : Promise.resolve(null), [searched]);
  const audiences = me.value?.role === "mentor" ? AUDIENCES : AUDIENCES.filter((a) => a !== "mentors");
  return (
    <section aria-labelledby="browse-h" class="stack">
      <h2 id="browse-h">{t("advice.browse")}</h2>
      <form class="row filters" role="search" aria-label={t("advice.searchLibrary")} onSubmit={(e) => {
        e.preventDefault(); setSearched(q.trim());
      }}>
        <div class="field grow">
          <label for="search">{t("advice.search")}</label>
          <input id="search" type="search" value={q} maxLength={1000}
                 onInput={(e) => setQ((e.target as HTMLInputElement).value)} />
        </div>
        <button type="submit">{t("advice.searchButton")}</button>
      </form>
      {searched && (
        <Show loaded={hits}>{(found) => found && (
          found.items.length === 0 ? <Empty>{t("advice.noHits", { q: searched })}</Empty> : (
            <>
              <h3 id="hits-h">{t("advice.hits", { q: searched })}</h3>
              <ol class="cards passages" aria-labelledby="hits-h">{found.items.map((p) => <PassageCard passage={p} />)}</ol>
            </>
          ))}</Show>
      )}
      <div class="row filters">
        <div class="field">
          <label for="tag">{t("advice.tag")}</label>
          <select id="tag" value={tag} onChange={(e) => setTag((e.target as HTMLSelectElement).value)}>
            <option value="">{t("advice.allTags")}</option>
            {TAGS.map((x) => <option value={x}>{tagName(x)}</option>)}
          </select>
        </div>
        <div class="field">
          <label for="language">{t("advice.language")}</label>
          <select id="language" value={language} onChange={(e) => setLanguage((e.target as HTMLSelectElement).value)}>
            <option value="">{t("advice.allLanguages")}</option>
            {Object.entries(LANGUAGES).map(([code, l]) => <option value={code} lang={code}>{l.name}</option>)}
          </select>
        </div>
        <div class="field">
          <label for="audience">{t("advice.audience")}</label>
          <select id="audience" value={audience} onChange={(e) => setAudience((e.target as HTMLSelectElement).value)}>
            <option value="">{t("advice.allAudiences")}</option>
            {audiences.map((x) => <option value={x}>{t(`audience.${x}` as Key)}</option>)}
          </select>
        </div>
      </div>
      <Show loaded={list}>{(data) => {
        const items = data.items.filter((a) => a.status === "published" && !a.hidden && (!audience || a.audience === audience));
        return items.length === 0 ? <Empty>{t("advice.noArticles")}</Empty> : (
          <>
            <p class="hint" role="status">{t("advice.shown", { n: items.length })}</p>
            <ul class="cards articles">{(all ? items : items.slice(0, FIRST)).map((a) => <ArticleItem article={a} />)}</ul>
            {!all && items.length > FIRST && (
              <button type="button" class="secondary" onClick={() => setAll(true)}>{t("advice.showAll", { n: items.length })}</button>
            )}
          </>
        );
      }}</Show>
    </section>
  );
}
