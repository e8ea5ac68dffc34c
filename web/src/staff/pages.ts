// The staff pages a signed-in member of staff may open, by permission: the staff navigation and the
// staff home list the same pages.
import { t } from "../i18n";
import { can } from "../session";

export function staffPages(): [href: string, label: string][] {
  return ([
    [can("coordinator"), "/staff", t("nav.dashboard")],
    [can("coordinator"), "/staff/moderation", t("nav.moderation")],
    [can("coordinator"), "/staff/people", t("nav.people")],
    [can("coordinator"), "/staff/programmes", t("nav.programmes")],
    [can("coordinator"), "/staff/matching", t("nav.matching")],
    [can("coordinator") || can("audit_log"), "/staff/audit", t("nav.audit")],
    [can("coordinator") || can("manage_staff"), "/staff/settings", t("nav.staffSettings")],
    [can("manage_staff"), "/staff/staff", t("nav.staff")],
    [can("coordinator"), "/staff/insights", t("nav.insights")],
    [can("coordinator"), "/staff/articles", t("nav.articles")],
    [can("safeguarding"), "/staff/concerns", t("nav.concerns")],
    [can("safeguarding") || can("coordinator"), "/staff/safeguarding-settings", t("nav.safeguardingSettings")],
  ] as [boolean, string, string][]).filter(([shown]) => shown).map(([, href, label]) => [href, label]);
}
