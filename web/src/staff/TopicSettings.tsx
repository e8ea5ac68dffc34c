// The settings page's "Conversation topics" section: the topics messages and goals are tagged with
// (GET/PUT /v1/settings/topics). A coordinator renames one, adds words that tag it, adds a topic of
// their own, removes a default (and restores it), then saves the whole list; a 422 names a topic by
// its place in the list sent ("topics.3.keywords.0"), shown beside that topic's fields. A default's
// name is shown in the reader's language (topicLabel) while the organisation has not renamed it.
import { useState } from "preact/hooks";
import { api } from "../api";
import { Show, useLoad } from "../components/states";
import { Field, FormError, fieldErrors, words } from "./forms";
import { t } from "../i18n";
import { topicLabel } from "../insights/topics";

type Topic = { id: string; label: string; keywords: string; source: "default" | "changed" | "custom";
  default_label: string | null };

/** A label as an id: lower-case words joined by hyphens ("Robotics club" -> "robotics-club"). */
export function slug(label: string): string {
  return label.normalize("NFKD").replace(/[\u0300-\u036f]/g, "").toLowerCase()
    .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 40).replace(/-+$/, "");
}

export function TopicSettings() {
  const loaded = useLoad((signal) => api.get("/v1/settings/topics", signal));
  return <Show loaded={loaded}>{(current) => <TopicForm key={current.revision} current={current} />}</Show>;
}

const fromView = (t: any): Topic => ({ id: t.id, label: t.label, keywords: t.keywords.join(", "), source: t.source,
  default_label: t.default_label });

function TopicForm({ current }: { current: any }) {
  const [topics, setTopics] = useState<Topic[]>(current.topics.map(fromView));
  const [removed, setRemoved] = useState<{ id: string; label: string }[]>(current.removed);
  const [open, setOpen] = useState<string | null>(null);
  const [draft, setDraft] = useState({ label: "", keywords: "", error: "" });
  const [state, setState] = useState<{ busy: boolean; saved: string; error: unknown; sent: string[] }>(
    { busy: false, saved: "", error: null, sent: [] });
  const errors = fieldErrors(state.error);
  // What the server said about each topic, by id: its place in the list sent names it.
  const about = (id: string, part: "label" | "keywords") => {
    const at = state.sent.indexOf(id);
    if (at < 0) return undefined;
    const found = Object.entries(errors).filter(([k]) => part === "label"
      ? k === `topics.${at}.id` || k === `topics.${at}.label`
      : k === `topics.${at}.keywords` || k.startsWith(`topics.${at}.keywords.`) || k === `topics.${at}.removed`);
    return found.length ? found.map(([, v]) => v).join("; ") : undefined;
  };
  const shown = state.sent.flatMap((_, i) => Object.keys(errors).filter((k) => k.startsWith(`topics.${i}.`)));
  const change = (id: string, part: Partial<Topic>) => setTopics(topics.map((x) => x.id === id ? { ...x, ...part } : x));

  const save = async () => {
    const entries = [
      ...topics.map((x) => ({ id: x.id, label: x.label.trim() || null, keywords: words(x.keywords) })),
      ...removed.map((x) => ({ id: x.id, removed: true })),
    ];
    const sent = entries.map((e) => e.id);
    setState({ busy: true, saved: "", error: null, sent });
    try {
      const saved = await api.put("/v1/settings/topics", { topics: entries });
      setTopics(saved.topics.map(fromView)); setRemoved(saved.removed); setOpen(null);
      setState({ busy: false, saved: t("topicSettings.saved"), error: null, sent: [] });
    } catch (error) {
      const bad = fieldErrors(error);
      const first = sent.find((_, i) => Object.keys(bad).some((k) => k.startsWith(`topics.${i}.`)));
      if (first && topics.some((x) => x.id === first)) setOpen(first);
      setState({ busy: false, saved: "", error, sent });
    }
  };

  const add = () => {
    const label = draft.label.trim();
    const id = slug(label);
    if (!label) return setDraft({ ...draft, error: t("topicSettings.nameNeeded") });
    if (topics.some((x) => x.id === id) || removed.some((x) => x.id === id)) {
      return setDraft({ ...draft, error: t("topicSettings.exists") });
    }
    setTopics([...topics, { id: id || label, label, keywords: draft.keywords, source: "custom", default_label: null }]);
    setDraft({ label: "", keywords: "", error: "" });
  };

  // Shown as edited, before saving too: a renamed default or one with words of the organisation's.
  const kind = (x: Topic) => x.source === "custom" ? "custom"
    : x.label.trim() !== x.default_label || x.keywords.trim() ? "changed" : "default";
  const named = (x: Topic) => topicLabel(x.id, x.label.trim() || x.default_label || x.id);
  const kindWords = { custom: t("topicSettings.own"), changed: t("topicSettings.changed"), default: t("topicSettings.default") };

  return (
    <form class="card stack" aria-labelledby="topics-h" noValidate onSubmit={(e) => { e.preventDefault(); save(); }}>
      <h2 id="topics-h" tabIndex={-1}>{t("topicSettings.title")}</h2>
      <p class="hint">{t("topicSettings.intro")}</p>
      <ul class="topics">
        {topics.map((x) => {
          const region = `topic-${x.id}`;
          const bad = about(x.id, "label") || about(x.id, "keywords");
          return (
            <li class="topic" key={x.id}>
              <div class="row tight">
                <strong>{named(x)}</strong>
                <span class={`badge topic-${kind(x)}`}>{kindWords[kind(x)]}</span>
                <button type="button" class="link" aria-expanded={open === x.id} aria-controls={region}
                        aria-label={t("topicSettings.editNamed", { name: named(x) })}
                        onClick={() => setOpen(open === x.id ? null : x.id)}>{t("topicSettings.edit")}</button>
              </div>
              {x.keywords.trim() && open !== x.id && <p class="hint">{t("topicSettings.extraWords", { words: x.keywords })}</p>}
              {bad && open !== x.id && <p class="field-error">{bad}</p>}
              {open === x.id && (
                <div id={region} class="stack">
                  <Field id={`${region}-label`} label={t("topicSettings.name")} error={about(x.id, "label")}
                         hint={x.default_label && x.default_label !== x.label
                           ? t("topicSettings.defaultWas", { name: topicLabel(x.id, x.default_label) }) : undefined}>{(d, invalid) => (
                    <input id={`${region}-label`} value={x.label} maxLength={current.limits.label_chars} aria-describedby={d}
                           aria-invalid={invalid || undefined} onInput={(e) => change(x.id, { label: (e.target as HTMLInputElement).value })} />)}</Field>
                  <Field id={`${region}-keywords`} label={t("topicSettings.keywords")}
                         hint={t(x.default_label ? "topicSettings.keywordsHint" : "topicSettings.newKeywordsHint")}
                         error={about(x.id, "keywords")}>{(d, invalid) => (
                    <textarea id={`${region}-keywords`} rows={2} value={x.keywords} aria-describedby={d}
                              aria-invalid={invalid || undefined}
                              onInput={(e) => change(x.id, { keywords: (e.target as HTMLTextAreaElement).value })} />)}</Field>
                  <button type="button" class="secondary" onClick={() => {
                    setTopics(topics.filter((y) => y.id !== x.id));
                    if (x.default_label) setRemoved([...removed, { id: x.id, label: x.default_label }]);
                    setOpen(null);
                  }}>{t("topicSettings.removeNamed", { name: named(x) })}</button>
                </div>
              )}
            </li>
          );
        })}
      </ul>
      {removed.length > 0 && (
        <div class="stack">
          <h3>{t("topicSettings.removed")}</h3>
          <ul class="topics">
            {removed.map((x) => (
              <li class="topic row tight" key={x.id}>
                <span>{topicLabel(x.id, x.label)}</span>
                <button type="button" class="link" onClick={() => {
                  setRemoved(removed.filter((y) => y.id !== x.id));
                  setTopics([...topics, { id: x.id, label: x.label, keywords: "", source: "default", default_label: x.label }]);
                }}>{t("topicSettings.restoreNamed", { name: topicLabel(x.id, x.label) })}</button>
              </li>
            ))}
          </ul>
        </div>
      )}
      <fieldset class="stack">
        <legend>{t("topicSettings.add")}</legend>
        <Field id="new-topic-label" label={t("topicSettings.name")} error={draft.error || undefined}
               hint={draft.label.trim() ? t("topicSettings.idWillBe", { id: slug(draft.label) || "?" }) : undefined}>{(d, invalid) => (
          <input id="new-topic-label" value={draft.label} maxLength={current.limits.label_chars} aria-describedby={d}
                 aria-invalid={invalid || undefined}
                 onInput={(e) => setDraft({ ...draft, label: (e.target as HTMLInputElement).value, error: "" })} />)}</Field>
        <Field id="new-topic-keywords" label={t("topicSettings.keywords")} hint={t("topicSettings.newKeywordsHint")}>{(d) => (
          <textarea id="new-topic-keywords" rows={2} value={draft.keywords} aria-describedby={d}
                    onInput={(e) => setDraft({ ...draft, keywords: (e.target as HTMLTextAreaElement).value })} />)}</Field>
        <div><button type="button" class="secondary" onClick={add}>{t("topicSettings.addButton")}</button></div>
      </fieldset>
      <FormError error={state.error} shown={shown} />
      {state.saved && <p role="status" class="ok">{state.saved}</p>}
      <button type="submit" disabled={state.busy}>{t("topicSettings.save")}</button>
    </form>
  );
}
