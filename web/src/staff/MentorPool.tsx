// Why no mentor, or fewer than asked, is recommended for a mentee, and what a coordinator can
// change: the API's `pool` (GET /v1/people/{id}/recommendations) counts the mentors of the mentee's
// programme each rule ruled out, and the mentors with a free place in other programmes.
import { t, type Key } from "../i18n";
import { Link } from "../router";

export type Pool = {
  programme_id: string | null; mentors: number; ruled_out: Record<string, number>; with_room_elsewhere: number;
};

const RULES = ["mentor_at_capacity", "too_few_shared_interests", "mentor_not_vetted", "repeat_pair"];

export function WhyNoMentor({ mentee, pool, programme }: { mentee: { id: string; name: string }; pool: Pool;
                                                           programme?: string | null }) {
  const name = mentee.name;
  const none = pool.programme_id === null;
  return (
    <div class="state empty stack">
      {pool.mentors === 0
        ? <p>{none ? t("matching.pool.emptyNoProgramme", { name }) : t("matching.pool.empty", { name, programme: programme ?? "" })}</p>
        : (
          <>
            <p id="pool-of">{none ? t("matching.pool.ofNoProgramme", { n: pool.mentors })
              : t("matching.pool.of", { n: pool.mentors, programme: programme ?? "" })}</p>
            <RuledOut pool={pool} name={name} labelledBy="pool-of" />
          </>
        )}
      {pool.with_room_elsewhere > 0
        ? <p>{t("matching.pool.elsewhere", { n: pool.with_room_elsewhere })}{" "}
            <Link href={`/staff/people/${mentee.id}`}>{t("matching.pool.move", { name })}</Link></p>
        : <p><Link href="/staff/people">{t("matching.pool.addMentors")}</Link></p>}
      {pool.ruled_out.too_few_shared_interests > 0 &&
        <p><Link href={`/staff/people/${mentee.id}`}>{t("matching.pool.interests", { name })}</Link></p>}
    </div>
  );
}

/** Under a short list: how many of the programme's mentors could be offered, and what ruled out the others. */
export function WhyOnly({ mentee, pool, programme, shown }: { mentee: { name: string }; pool: Pool;
                                                             programme?: string | null; shown: number }) {
  if (!RULES.some((rule) => pool.ruled_out[rule] > 0)) return null;  // every mentor of the programme is listed
  const vars = { n: shown, total: pool.mentors, name: mentee.name, programme: programme ?? "" };
  return (
    <div class="hint">
      <p id="pool-only">{pool.programme_id === null ? t("matching.pool.onlyNoProgramme", vars) : t("matching.pool.only", vars)}</p>
      <RuledOut pool={pool} name={mentee.name} labelledBy="pool-only" />
    </div>
  );
}

function RuledOut({ pool, name, labelledBy }: { pool: Pool; name: string; labelledBy: string }) {
  return (
    <ul aria-labelledby={labelledBy}>
      {RULES.filter((rule) => pool.ruled_out[rule] > 0).map((rule) =>
        <li>{t(`matching.pool.${rule}` as Key, { n: pool.ruled_out[rule], name })}</li>)}
    </ul>
  );
}
