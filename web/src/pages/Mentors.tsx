import { useState } from "preact/hooks";
import { api } from "../api";
import { Reasons } from "../components/Reasons";
import { Empty, ErrorNote, Show, useLoad } from "../components/states";
import { Layout } from "../components/Layout";
import { t } from "../i18n";
import { publicPerson } from "../people";
import { Link, navigate } from "../router";
import { me } from "../session";

async function loadMentors(signal: AbortSignal) {
  const list = await api.get(`/v1/people/${me.value!.person_id}/recommendations?limit=5`, signal);
  const items = await Promise.all(list.items.map(async (r: any) => ({ ...r, mentor: await publicPerson(r.mentor_id) })));
  // Mentors ruled out for sharing too few of the mentee's interests: something the mentee can change.
  return { items, addInterests: (list.pool?.ruled_out?.too_few_shared_interests ?? 0) > 0 };
}

export function Mentors() {
  const loaded = useLoad(loadMentors);
  const [error, setError] = useState<unknown>(null);
  return (
    <Layout title={t("mentors.title")}>
      {error && <ErrorNote error={error} />}
      <Show loaded={loaded}>{({ items, addInterests }) => items.length === 0 ? (
        <>
          <Empty>{addInterests ? t("mentors.noneShared") : t("mentors.none")}</Empty>
          {addInterests && <p><Link href="/profile">{t("mentors.toProfile")}</Link></p>}
        </>
      ) : (<>
        <p>{t("mentors.intro")}</p>
        <ol class="cards">
          {items.map((r: any) => (
            <li class="card">
              <h2>{r.mentor.name}</h2>
              <p class="badge">{t("mentors.match", { percent: Math.round(r.score * 100) })}</p>
              {r.mentor.bio && <p>{r.mentor.bio}</p>}
              <Reasons reasons={r.reasons} />
              <button type="button" onClick={async () => {
                setError(null);
                try {
                  const match = await api.post("/v1/matches", { mentee_id: me.value!.person_id, mentor_id: r.mentor_id });
                  navigate(`/matches/${match.id}`);
                } catch (err) { setError(err); window.scrollTo(0, 0); }
              }}>{t("mentors.request", { name: r.mentor.name })}</button>
            </li>
          ))}
        </ol>
      </>
      )}</Show>
    </Layout>
  );
}
