// A programme's survey questions (GET/PUT /v1/surveys/templates/{programme_id}), on the staff
// programme page: the 1-5 questions' words, which moments ask, and whether a comment is offered.
import { useState } from "preact/hooks";
import { api } from "../api";
import { ErrorNote, Show, useLoad } from "../components/states";
import { t, type Key } from "../i18n";
import { en } from "../i18n/en";

type Question = { id: string; text: string; moments: string[] };
type Template = {
  questions: Question[]; comment: { enabled: boolean; prompt: string };
  moments: Record<string, boolean>; midpoint_after_days: number; answer_window_days: number; is_default?: boolean;
};
const MOMENTS = ["after_session", "midpoint", "end"] as const;
const MAX_QUESTIONS = 8;

export function SurveyTemplateEditor({ programmeId }: { programmeId: string }) {
  const path = `/v1/surveys/templates/${encodeURIComponent(programmeId)}`;
  const loaded = useLoad((s) => api.get<Template>(path, s), [programmeId]);
  return (
    <section aria-labelledby="survey-template-h">
      <h2 id="survey-template-h">{t("surveyTemplate.title")}</h2>
      <p class="hint">{t("surveyTemplate.intro")}</p>
      <Show loaded={loaded}>{(template) => <Editor path={path} initial={template} />}</Show>
    </section>
  );
}

// The default questions and prompt in this reader's words: saved so, they are still the defaults (the server
// knows them in every language it speaks, services/insights/survey_words.py) and each participant reads
// them in theirs.
function inReadersWords(tpl: Template): Template {
  const mine = (text: string, key: Key) => (en[key] === text ? t(key) : text);
  return { ...tpl, comment: { ...tpl.comment, prompt: mine(tpl.comment.prompt, "survey.defaultPrompt") },
    questions: tpl.questions.map((q) => {
      const key = `survey.question.${q.id}` as Key;
      return key in en ? { ...q, text: mine(q.text, key) } : q;
    }) };
}

function Editor({ path, initial }: { path: string; initial: Template }) {
  const [tpl, setTpl] = useState<Template>(() => inReadersWords(initial));
  const [error, setError] = useState<unknown>(null);
  const [saved, setSaved] = useState(false);
  const [busy, setBusy] = useState(false);
  const setQuestion = (i: number, text: string) =>
    setTpl({ ...tpl, questions: tpl.questions.map((q, j) => (j === i ? { ...q, text } : q)) });
  const nextId = () => {
    let n = tpl.questions.length + 1;
    while (tpl.questions.some((q) => q.id === `question_${n}`)) n += 1;
    return `question_${n}`;
  };
  return (
    <form class="card stack" noValidate onSubmit={async (e) => {
      e.preventDefault();
      setError(null); setSaved(false); setBusy(true);
      try {
        const { questions, comment, moments, midpoint_after_days, answer_window_days } = tpl;
        setTpl(await api.put<Template>(path, { questions, comment, moments, midpoint_after_days, answer_window_days }));
        setSaved(true);
      } catch (err) { setError(err); } finally { setBusy(false); }
    }}>
      {tpl.is_default && <p class="hint">{t("surveyTemplate.default")}</p>}
      <p class="hint">{t("surveyTemplate.languages")}</p>
      <fieldset>
        <legend>{t("surveyTemplate.questions")}</legend>
        <ol class="template-questions stack">
          {tpl.questions.map((q, i) => (
            <li class="field">
              <label for={`tq-${i}`}>{t("surveyTemplate.question", { n: i + 1 })}</label>
              <input id={`tq-${i}`} value={q.text} maxLength={200} required
                     onInput={(e) => setQuestion(i, (e.target as HTMLInputElement).value)} />
              {tpl.questions.length > 1 && (
                <button type="button" class="secondary" aria-label={t("surveyTemplate.removeNamed", { n: i + 1 })}
                        onClick={() => setTpl({ ...tpl, questions: tpl.questions.filter((_, j) => j !== i) })}>
                  {t("surveyTemplate.remove")}
                </button>
              )}
            </li>
          ))}
        </ol>
        {tpl.questions.length < MAX_QUESTIONS && (
          <button type="button" class="secondary" onClick={() => setTpl({ ...tpl, questions: [
            ...tpl.questions, { id: nextId(), text: "", moments: [...MOMENTS] }] })}>{t("surveyTemplate.add")}</button>
        )}
      </fieldset>
      <fieldset class="choices-list">
        <legend>{t("surveyTemplate.moments")}</legend>
        {MOMENTS.map((m) => (
          <div class="check">
            <input type="checkbox" id={`tm-${m}`} checked={tpl.moments[m]}
                   onChange={(e) => setTpl({ ...tpl, moments: { ...tpl.moments, [m]: (e.target as HTMLInputElement).checked } })} />
            <label for={`tm-${m}`}>{t(`insights.surveyMoment.${m}` as Key)}</label>
          </div>
        ))}
      </fieldset>
      <div class="check">
        <input type="checkbox" id="tc-enabled" checked={tpl.comment.enabled}
               onChange={(e) => setTpl({ ...tpl, comment: { ...tpl.comment, enabled: (e.target as HTMLInputElement).checked } })} />
        <label for="tc-enabled">{t("surveyTemplate.comment")}</label>
      </div>
      {error !== null && <ErrorNote error={error} />}
      {saved && <p role="status">{t("surveyTemplate.saved")}</p>}
      <button type="submit" disabled={busy}>{t("surveyTemplate.save")}</button>
    </form>
  );
}
