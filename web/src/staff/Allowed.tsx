// A staff page, shown only to holders of its permission; others get the page's title and a
// sentence, not a page of refused requests (the server refuses them anyway).
import type { ComponentChildren } from "preact";
import { Layout } from "../components/Layout";
import { t } from "../i18n";
import { can } from "../session";

export function Allowed({ permission, title, children }: { permission: string; title: string; children: ComponentChildren }) {
  if (can(permission)) return <>{children}</>;
  return <Layout title={title}><p class="notice" role="alert">{t("staff.notAllowed")}</p></Layout>;
}
