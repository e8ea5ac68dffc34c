// The frame of every page: a skip link, the header with navigation, the main landmark.
import type { ComponentChildren } from "preact";
import { useEffect, useRef } from "preact/hooks";
import { LANGUAGES, lang, t } from "../i18n";
import { Link, location, navigate } from "../router";
import { chooseLanguage, me, signOut } from "../session";
import { staffPages } from "../staff/pages";

export function Layout({ title, children }: { title: string; children: ComponentChildren }) {
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = `${title} · ementor`;
    heading.current?.focus(); // a screen reader hears the new page's title after navigating
  }, [title]);
  const signedIn = !!me.value;
  const participant = !!me.value?.person_id;
  const here = location.value.path;
  const staffLinks = staffPages();
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
            <select value={lang.value} onChange={(e) => void chooseLanguage((e.target as HTMLSelectElement).value).catch(() => undefined)}>
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
