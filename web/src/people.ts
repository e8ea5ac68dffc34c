// Other people's public profiles, fetched once per page load and shared.
import { api, ApiError } from "./api";
import { t } from "./i18n";
import { me } from "./session";

const cache = new Map<string, Promise<any>>();

/** Another person's public profile (name, bio, interests, languages, time zone; never contact
 * details). Mentors are open to everyone in the organisation; a mentee to the mentor they are
 * proposed or matched with. Once a match has ended profiles answers 404, and the page says
 * "your mentee" rather than a name. */
export function publicPerson(id: string): Promise<any> {
  if (!cache.has(id)) {
    cache.set(id, api.get(`/v1/people/${id}`).catch((e) => {
      if (e instanceof ApiError && e.status === 404) return { id, name: t("person.yourMentee"), bio: null, hidden: true };
      cache.delete(id);
      throw e;
    }));
  }
  return cache.get(id)!;
}

export function otherSide(match: { mentee_id: string; mentor_id: string }): string {
  return me.value?.person_id === match.mentor_id ? match.mentee_id : match.mentor_id;
}

/** A match with the other person's profile, for pages about one match. */
export async function matchWithOther(id: string, signal?: AbortSignal): Promise<{ match: any; other: any }> {
  const match = await api.get(`/v1/matches/${id}`, signal);
  return { match, other: await publicPerson(otherSide(match)) };
}

/** Background-check levels, lowest first (like UK DBS checks): staff record one per mentor, and the
 * video settings name the least a mentor needs to meet a minor. */
export const VETTING = ["none", "basic", "standard", "enhanced"] as const;

/** An interest as people write it: profiles stores each as a tag ("marine-biology"). */
export function interestName(tag: string): string {
  return tag.replace(/-/g, " ");
}
