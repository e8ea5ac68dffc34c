import { useState } from "preact/hooks";
import { api, ApiError } from "../api";
import { CapacityOptions } from "../components/Capacity";
import { Questions, answersFrom, changedAnswers, type Question } from "../components/ProgrammeQuestions";
import { ErrorNote, useLoad } from "../components/states";
import { Layout } from "../components/Layout";
import { adoptPerson, LANGUAGES, setLanguage, t } from "../i18n";
import { languageName, languageTag } from "../languages";
import { interestName } from "../people";
import { person } from "../session";

const split = (text: string) => text.split(",").map((s) => s.trim()).filter(Boolean);
const ZONES: string[] = (Intl as any).supportedValuesOf?.("timeZone") ?? [];

export function Profile() {
  const p = person.value;
  const [form, setForm] = useState({
    name: p.name, bio: p.bio ?? "", interests: p.interests.map(interestName).join(", "), languages: p.languages.map(languageName).join(", "),
    timezone: p.timezone, availability: p.availability ?? "", locale: p.locale ?? "", capacity: String(p.capacity ?? 1),
  });
  // The programme's own questions, if it asks any: the person answers them here.
  const programme = useLoad((signal) => p.programme_id
    ? api.get<{ custom_fields: Question[] }>(`/v1/programmes/${p.programme_id}`, signal).catch(() => null)
    : Promise.resolve(null), [p.programme_id]);
  const questions = programme.data?.custom_fields ?? [];
  const [answers, setAnswers] = useState(() => answersFrom(p.custom_fields));
  const [saved, setSaved] = useState(false);
  const [languageError, setLanguageError] = useState("");
  const [error, setError] = useState<unknown>(null);
  const field = (key: keyof typeof form) => ({
    id: key, name: key, value: form[key],
    onInput: (e: Event) => { setSaved(false); setForm({ ...form, [key]: (e.target as HTMLInputElement).value }); },
  });
  return (
    <Layout title={t("profile.title")}>
      {p.is_minor && (
        <aside class="notice" aria-labelledby="minor-h">
          <h2 id="minor-h">{t("profile.minorTitle")}</h2>
          <p>{t("profile.minorBody")}</p>
        </aside>
      )}
      <form class="card stack" onSubmit={async (e) => {
        e.preventDefault(); setError(null);
        const written = split(form.languages);
        const unknown = written.find((l) => languageTag(l) === null);
        setLanguageError(unknown === undefined ? "" : t("profile.languageUnknown", { name: unknown }));
        if (unknown !== undefined) return;
        try {
          const body: Record<string, unknown> = {
            name: form.name, bio: form.bio || null, interests: split(form.interests),
            languages: written.map(languageTag), timezone: form.timezone,
            availability: form.availability.trim() || null, locale: form.locale || null,
          };
          if (p.role === "mentor") body.capacity = Number(form.capacity);
          const given = changedAnswers(questions, answers, p.custom_fields);
          if (given) body.custom_fields = given;
          const localeChanged = (form.locale || null) !== (person.value.locale ?? null);
          person.value = await api.patch(`/v1/people/${p.id}`, body);
          if (localeChanged) { // the profile's language is the person's choice now: it wins over this browser's menu
            localStorage.removeItem("ementor.lang");
            setLanguage(person.value.locale ?? navigator.language, false);
          }
          adoptPerson(person.value);
          setSaved(true);
        } catch (err) { setError(err); }
      }}>
        <div class="field"><label for="name">{t("profile.name")}</label><input {...field("name")} required autoComplete="name" /></div>
        <div class="field">
          <label for="bio">{t("profile.bio")}</label>
          <textarea {...field("bio")} rows={4} maxLength={2000} aria-describedby="bio-hint" />
          <p class="hint" id="bio-hint">{t("profile.bioHint")}</p>
        </div>
        <div class="field">
          <label for="interests">{t("profile.interests")}</label>
          <input {...field("interests")} aria-describedby="interests-hint" />
          <p class="hint" id="interests-hint">{t("profile.interestsHint")}</p>
        </div>
        <div class="field">
          <label for="languages">{t("profile.languages")}</label>
          <input {...field("languages")} aria-invalid={languageError ? "true" : undefined}
                 aria-describedby={languageError ? "languages-hint languages-error" : "languages-hint"} />
          <p class="hint" id="languages-hint">{t("profile.languagesHint")}</p>
          {languageError && <p class="error" id="languages-error" role="alert">{languageError}</p>}
        </div>
        <div class="field">
          <label for="availability">{t("profile.availability")}</label>
          <textarea {...field("availability")} rows={2} maxLength={500} aria-describedby="availability-hint" />
          <p class="hint" id="availability-hint">{t(p.role === "mentor" ? "profile.availabilityHintMentor" : "profile.availabilityHint")}</p>
        </div>
        <Questions id="profile-question" questions={questions} answers={answers}
                   onChange={(next) => { setSaved(false); setAnswers(next); }} />
        {p.role === "mentor" && (
          <div class="field">
            <label for="capacity">{t("profile.capacity")}</label>
            <select {...field("capacity")} aria-describedby="capacity-hint">
              <CapacityOptions current={p.capacity ?? 1} />
            </select>
            <p class="hint" id="capacity-hint">{t("profile.capacityHint")}</p>
          </div>
        )}
        <div class="field">
          <label for="locale">{t("profile.locale")}</label>
          <select {...field("locale")} aria-describedby="locale-hint">
            <option value="">{t("profile.localeBrowser")}</option>
            {Object.entries(LANGUAGES).map(([code, l]) => <option value={code} lang={code}>{l.name}</option>)}
          </select>
          <p class="hint" id="locale-hint">{t("profile.localeHint")}</p>
        </div>
        <div class="field">
          <label for="timezone">{t("profile.timezone")}</label>
          <select {...field("timezone")}>
            {(ZONES.includes(form.timezone) ? ZONES : [form.timezone, ...ZONES]).map((z) => <option value={z}>{z.replace(/_/g, " ")}</option>)}
          </select>
        </div>
        {error && (error instanceof ApiError && error.code === "minor_contact_details"
          ? <div class="error" role="alert"><p>{t("profile.minorRefused")}</p></div> : <ErrorNote error={error} />)}
        {saved && <p role="status" class="ok">{t("state.saved")}</p>}
        <button type="submit">{t("profile.save")}</button>
      </form>
    </Layout>
  );
}
