// The other person's public profile on a match page: bio, interests, languages, time zone (and
// what time it is there now). Contact details are never in a public profile.
import { formatTime, list, t } from "../i18n";
import { languageName } from "../languages";
import { interestName } from "../people";

export function AboutPerson({ person }: { person: any }) {
  if (person.hidden) return null;
  const languages = (person.languages ?? []).map(languageName);
  const now = new Date().toISOString();
  return (
    <section class="card" aria-labelledby="about-h">
      <h2 id="about-h">{t("person.about", { name: person.name })}</h2>
      {person.bio && <p>{person.bio}</p>}
      <dl class="facts">
        {person.interests?.length > 0 && <><dt>{t("person.interests")}</dt><dd>{list(person.interests.map(interestName))}</dd></>}
        {languages.length > 0 && <><dt>{t("person.languages")}</dt><dd>{list(languages)}</dd></>}
        {person.availability && <><dt>{t("person.availability")}</dt><dd>{person.availability}</dd></>}
        {person.timezone && <><dt>{t("person.timezone")}</dt>
          <dd>{t("person.localTime", { zone: person.timezone.replace(/_/g, " "), time: formatTime(now, person.timezone) })}</dd></>}
      </dl>
    </section>
  );
}
