// The frame of every page: a skip link, the header with navigation, the main landmark.
import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { LANGUAGES, lang, setLanguage, t } from "../i18n";
import { Link, location, navigate } from "../router";
import { can, me, signOut } from "../session";

export function Layout({ title, children }: { title: string; children: ComponentChildren }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · ementor`;
    heading.current?.focus(); // a screen reader hears the new page's title after navigating
  }, [title]);
  const signedIn = !!me.value;
  const participant = !!me.value?.person_id;
  const here = location.value.path;
  // Staff pages by permission (issue 14, staff side: programmes, matching, audit, settings added).
  const staffLinks = ([
    [can("coordinator"), "/staff", t("nav.dashboard")],
    [can("coordinator"), "/staff/moderation", t("nav.moderation")],
    [can("coordinator"), "/staff/people", t("nav.people")],
    [can("coordinator"), "/staff/programmes", t("nav.programmes")],
    [can("coordinator"), "/staff/matching", t("nav.matching")],
    [can("coordinator") || can("audit_log"), "/staff/audit", t("nav.audit")],
    [can("coordinator") || can("manage_staff"), "/staff/settings", t("nav.staffSettings")],
    [can("manage_staff"), "/staff/staff", t("nav.staff")],
    [can("coordinator"), "/staff/insights", t("nav.insights")],  // insights (issue 15)
    [can("coordinator"), "/staff/articles", t("nav.articles")],  // knowledge (issue 16)
    // Safeguarding (issue 17): the leads' concerns and the contacts.
    [can("safeguarding"), "/staff/concerns", t("nav.concerns")],
    [can("safeguarding") || can("coordinator"), "/staff/safeguarding-settings", t("nav.safeguardingSettings")],
  ] as [boolean, string, string][]).filter(([shown]) => shown).map(([, href, label]) => [href, label]);
  const item = (href: string, label: string) => (
    <li><Link href={href} aria-current={here === href || (href !== "/" && href !== "/staff" && here.startsWith(href + "/"))
      ? "page" : undefined}>{label}</Link></li>
  );
  return (
    <>
      <a class="skip" href="#main">{t("app.skip")}</a>
      <header class="top">
        <div class="bar">
          <Link href="/" class="brand">{t("app.name")}</Link>
          <label class="lang">
            <span>{t("nav.language")}</span>
            <select value={lang.value} onChange={(e) => void setLanguage((e.target as HTMLSelectElement).value).catch(() => undefined)}>
              {Object.entries(LANGUAGES).map(([code, l]) => <option value={code} lang={code}>{l.name}</option>)}
            </select>
          </label>
        </div>
        {signedIn && (
          <nav aria-label={t("nav.label")}>
            <ul>
              {item("/", t("nav.home"))}
              {participant && item("/profile", t("nav.profile"))}
              {me.value?.role === "mentee" && item("/mentors", t("nav.mentors"))}
              {participant && item("/settings", t("nav.settings"))}
              {participant && item("/my-data", t("nav.data"))}
              {/* Safeguarding (issue 17): report a worry. */}
              {participant && item("/report", t("nav.report"))}
              {/* knowledge (issue 16) */}
              {participant && item("/advice", t("nav.advice"))}
              <li class="signout"><button type="button" class="link" onClick={async () => {
                await signOut(); navigate("/sign-in");
              }}>{t("nav.signOut")}</button></li>
            </ul>
            {staffLinks.length > 0 && (
              // The staff pages: a second, compact row of the same navigation (issue 14, staff side).
              <ul class="staff-nav" aria-label={t("nav.staffArea")}>
                {staffLinks.map(([href, label]) => item(href, label))}
              </ul>
            )}
          </nav>
        )}
      </header>
      <main id="main">
        <h1 tabIndex={-1} ref={heading}>{title}</h1>
        {children}
      </main>
    </>
  );
}
