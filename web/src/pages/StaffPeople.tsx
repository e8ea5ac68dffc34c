// /staff/people: the organisation's mentors and mentees, filtered by role, interest and whether they
// have signed in (the API's filters) and by name (within the pages loaded); a new invitation for those
// not signed in yet; adding one person, and the CSV import with its progress.
import { useState } from "preact/hooks";
import { formatDate } from "../i18n";
import { api } from "../api";
import { Empty, ErrorNote, Show, useLoad } from "../components/states";
import { Layout } from "../components/Layout";
import { Allowed } from "../staff/Allowed";
import { t, type Key } from "../i18n";
import { AddPerson } from "./StaffAddPerson";
import { ImportPeople } from "./StaffImport";
import { InviteAgain } from "./StaffInviteAgain";
import { interestName, VETTING } from "../people";
import { Link, query } from "../router";

type Applied = { role: string; interest: string; signedIn: string };

async function loadPage({ role, interest, signedIn }: Applied, cursor: string | null, signal?: AbortSignal) {
  const q = new URLSearchParams({ limit: "50" });
  if (role) q.set("role", role);
  if (signedIn) q.set("signed_in", signedIn);
  if (interest.trim()) q.set("interest", interest.trim().toLowerCase());
  if (cursor) q.set("cursor", cursor);
  return api.get(`/v1/people?${q}`, signal);
}

export function StaffPeople() {
  return <Allowed title={t("people.title")} permission="coordinator"><StaffPeopleBody /></Allowed>;
}

function StaffPeopleBody() {
  const asked = query("signed_in");  // the Overview links to those not signed in yet
  const signedIn = asked === "true" || asked === "false" ? asked : "";
  const [filters, setFilters] = useState({ role: "", interest: "", signedIn, name: "" });
  const [applied, setApplied] = useState<Applied>({ role: "", interest: "", signedIn });
  const [extra, setExtra] = useState<{ items: any[]; next: string | null } | null>(null);
  const [moreError, setMoreError] = useState<unknown>(null);
  const loaded = useLoad((signal) => loadPage(applied, null, signal), [applied.role, applied.interest, applied.signedIn]);
  const set = (k: string) => (e: Event) => setFilters({ ...filters, [k]: (e.target as HTMLInputElement).value });
  return (
    <Layout title={t("people.title")}>
      <form class="card row" role="search" aria-label={t("people.filters")} onSubmit={(e) => {
        e.preventDefault(); setExtra(null);
        setApplied({ role: filters.role, interest: filters.interest, signedIn: filters.signedIn });
      }}>
        <div class="field"><label for="f-name">{t("people.name")}</label>
          <input id="f-name" type="search" value={filters.name} onInput={set("name")} /></div>
        <div class="field"><label for="f-role">{t("people.role")}</label>
          <select id="f-role" value={filters.role} onChange={set("role")}>
            <option value="">{t("people.anyRole")}</option>
            <option value="mentor">{t("people.role.mentor")}</option>
            <option value="mentee">{t("people.role.mentee")}</option>
          </select></div>
        <div class="field"><label for="f-interest">{t("people.interest")}</label>
          <input id="f-interest" value={filters.interest} onInput={set("interest")} /></div>
        <div class="field"><label for="f-signed-in">{t("people.signedIn")}</label>
          <select id="f-signed-in" value={filters.signedIn} onChange={set("signedIn")}>
            <option value="">{t("people.signedIn.any")}</option>
            <option value="false">{t("people.signedIn.no")}</option>
            <option value="true">{t("people.signedIn.yes")}</option>
          </select></div>
        <button type="submit">{t("people.search")}</button>
      </form>
      <Show loaded={loaded}>{(first) => {
        const all = [...first.items, ...(extra?.items ?? [])];
        const next = extra ? extra.next : first.next_cursor;
        const needle = filters.name.trim().toLowerCase();
        const shown = needle ? all.filter((p: any) => p.name.toLowerCase().includes(needle)) : all;
        return (<>
          <section aria-labelledby="people-h">
            <h2 id="people-h">{t("people.found", { n: shown.length })}</h2>
            {shown.length === 0 ? <Empty>{t(applied.role || applied.interest || applied.signedIn || needle ? "people.none" : "people.empty")}</Empty> : (
              <div class="scroll"><table>
                <thead><tr><th scope="col">{t("people.name")}</th><th scope="col">{t("people.role")}</th>
                  <th scope="col">{t("people.interests")}</th><th scope="col">{t("people.signedIn")}</th>
                  <th scope="col">{t("people.vetting")}</th></tr></thead>
                <tbody>{shown.map((p: any) => (
                  <tr><th scope="row"><Link href={`/staff/people/${p.id}`}>{p.name}</Link></th><td>{t(`people.role.${p.role}` as Key)}</td>
                    <td>{(p.interests ?? []).map(interestName).join(", ")}</td>
                    <td>{p.last_signed_in_at ? formatDate(p.last_signed_in_at) : t("people.signedIn.never")}</td>
                    <td>{p.role === "mentor" ? <Vetting person={p} />
                      : p.is_minor ? t(`people.consent.${p.guardian_consent}` as Key) : "—"}</td></tr>
                ))}</tbody>
              </table></div>
            )}
            {moreError !== null && <ErrorNote error={moreError} />}
            {next && <button type="button" onClick={async () => {
              setMoreError(null);
              try {
                const page = await loadPage(applied, next);
                setExtra({ items: [...(extra?.items ?? []), ...page.items], next: page.next_cursor });
              } catch (err) { setMoreError(err); }
            }}>{t("people.more")}</button>}
          </section>
          {applied.signedIn === "false" && shown.length > 0 && !needle &&
            <InviteAgain key={`${applied.role}|${applied.interest}`} role={applied.role} interest={applied.interest} />}
        </>);
      }}</Show>
      <AddPerson onAdded={loaded.reload} />
      <ImportPeople onFinished={loaded.reload} />
    </Layout>
  );
}

/** A mentor's vetting level, recorded on change (PATCH vetting_level); who recorded it is kept by profiles. */
function Vetting({ person }: { person: any }) {
  const [level, setLevel] = useState<string>(person.vetting_level ?? (person.vetted ? "basic" : "none"));
  const [recorded, setRecorded] = useState<string | null>(person.vetting?.recorded_at ?? null);
  const [saved, setSaved] = useState("");
  const [error, setError] = useState<unknown>(null);
  const id = `vetting-${person.id}`;
  return (
    <div class="vetting">
      <select id={id} aria-label={t("people.vettingFor", { name: person.name })} value={level}
              aria-describedby={recorded ? `${id}-when` : undefined} onChange={async (e) => {
        const chosen = (e.target as HTMLSelectElement).value;
        setError(null); setSaved("");
        try {
          const updated = await api.patch(`/v1/people/${person.id}`, { vetting_level: chosen });
          setLevel(updated.vetting_level); setRecorded(updated.vetting?.recorded_at ?? null);
          setSaved(t("people.vettingSaved", { name: person.name, level: t(`vetting.${updated.vetting_level}` as Key) }));
        } catch (err) { setError(err); }
      }}>
        {VETTING.map((l) => <option value={l}>{t(`vetting.${l}` as Key)}</option>)}
      </select>
      {recorded && <p class="hint" id={`${id}-when`}>{t("people.vettingWhen", { date: formatDate(recorded) })}</p>}
      {saved && <p role="status" class="ok">{saved}</p>}
      {error !== null && <ErrorNote error={error} />}
    </div>
  );
}
