// /surveys/:id: "a quick question for you". One participant's survey (GET /v1/surveys/{id}): a
// 1-5 radio group per question, an optional comment that only the programme team reads, then
// POST /v1/survey-responses. Answered or closed surveys say so instead of showing the form.
import { useState } from "preact/hooks";
import { api, ApiError } from "../api";
import { ErrorNote, Show, useLoad } from "../components/states";
import { Layout } from "../components/Layout";
import { t, type Key } from "../i18n";
import { Link, type Params } from "../router";

export type SurveyView = {
  id: string; match_id: string; moment: "after_session" | "midpoint" | "end";
  questions: { id: string; text: string }[]; scale: { min: number; max: number };
  comment_enabled: boolean; comment_prompt: string | null; closes_at: string;
  status: "open" | "answered" | "closed";
};

const RATINGS = [1, 2, 3, 4, 5] as const;

export function Survey({ params }: { params: Params }) {
  const id = params.id;
  const loaded = useLoad((s) => api.get<SurveyView>(`/v1/surveys/${encodeURIComponent(id)}`, s), [id]);
  const [done, setDone] = useState(false);
  return (
    <Layout title={t("survey.title")}>
      {done ? <Thanks /> : (
        <Show loaded={loaded}>{(survey) => survey.status === "open"
          ? <SurveyForm survey={survey} onDone={() => setDone(true)} />
          : <p class="notice">{t(survey.status === "answered" ? "survey.answered" : "survey.closed")}{" "}
              <Link href="/">{t("survey.home")}</Link></p>}
        </Show>
      )}
    </Layout>
  );
}

function Thanks() {
  return (
    <div class="card stack" role="status">
      <h2>{t("survey.thanks")}</h2>
      <p>{t("survey.thanksBody")}</p>
      <p><Link href="/">{t("survey.home")}</Link></p>
    </div>
  );
}

function SurveyForm({ survey, onDone }: { survey: SurveyView; onDone: () => void }) {
  const [ratings, setRatings] = useState<Record<string, number>>({});
  const [comment, setComment] = useState("");
  const [missing, setMissing] = useState<string[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [closed, setClosed] = useState("");
  const [busy, setBusy] = useState(false);
  if (closed) return <p class="notice" role="alert">{closed} <Link href="/">{t("survey.home")}</Link></p>;
  return (
    <form class="card stack survey-form" noValidate onSubmit={async (e) => {
      e.preventDefault();
      setError(null);
      const unanswered = survey.questions.filter((q) => !ratings[q.id]).map((q) => q.id);
      setMissing(unanswered);
      if (unanswered.length) {
        (document.getElementById(`q-${unanswered[0]}-1`) as HTMLInputElement | null)?.focus();
        return;
      }
      setBusy(true);
      try {
        await api.post("/v1/survey-responses", { survey_id: survey.id, ratings, comment: comment.trim() || null });
        onDone();
      } catch (err) {
        setBusy(false);
        if (err instanceof ApiError && err.status === 409) {
          setClosed(t(err.code === "survey_already_answered" ? "survey.answered" : "survey.closed"));
        } else setError(err);
      }
    }}>
      <p>{t(`survey.intro.${survey.moment}` as Key)}</p>
      <p class="hint" id="scale-hint">{t("survey.scale")}</p>
      {survey.questions.map((q) => {
        const wrong = missing.includes(q.id);
        return (
          <fieldset class="rating" aria-describedby={wrong ? `q-${q.id}-e scale-hint` : "scale-hint"}>
            <legend>{q.text}</legend>
            {wrong && <p class="field-error" id={`q-${q.id}-e`} role="alert">{t("survey.choose")}</p>}
            <div class="rating-options">
              {RATINGS.map((n) => (
                <div class="rating-option">
                  <input type="radio" id={`q-${q.id}-${n}`} name={`q-${q.id}`} value={n} checked={ratings[q.id] === n}
                         onChange={() => { setRatings({ ...ratings, [q.id]: n }); setMissing(missing.filter((m) => m !== q.id)); }} />
                  <label for={`q-${q.id}-${n}`}>
                    <span class="rating-number">{n}</span>
                    {n === 1 && <> <span class="rating-word">{t("survey.low")}</span></>}
                    {n === 5 && <> <span class="rating-word">{t("survey.high")}</span></>}
                  </label>
                </div>
              ))}
            </div>
          </fieldset>
        );
      })}
      {survey.comment_enabled && (
        <div class="field">
          <label for="survey-comment">{survey.comment_prompt || t("survey.comment")}</label>
          <textarea id="survey-comment" rows={4} maxLength={2000} value={comment} aria-describedby="survey-comment-hint"
                    onInput={(e) => setComment((e.target as HTMLTextAreaElement).value)} />
          <p class="hint" id="survey-comment-hint">{t("survey.commentHint")}</p>
        </div>
      )}
      {error !== null && <ErrorNote error={error} />}
      <button type="submit" disabled={busy}>{busy ? t("survey.sending") : t("survey.send")}</button>
    </form>
  );
}
