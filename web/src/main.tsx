import { render } from "preact";
import { useEffect } from "preact/hooks";
import { Loading } from "./components/states";
import { Layout } from "./components/Layout";
import { lang, languageReady, t } from "./i18n";
import { Link, location, match, navigate } from "./router";
import { routes } from "./routes";
import { loadMe, me } from "./session";
import "./styles.css";

function App() {
  lang.value; // re-render everything when the language changes
  const path = location.value.path;
  const found = routes.map((r) => ({ r, params: match(r.path, path) })).find((x) => x.params);
  useEffect(() => {
    if (found?.r.signedIn && me.value === undefined) loadMe().catch(() => { me.value = null; });
  }, [path]);
  useEffect(() => {
    if (found?.r.signedIn && me.value === null) {
      navigate("/sign-in?next=" + encodeURIComponent(path + location.value.search), true);
    }
  }, [me.value, path]);
  if (!found) {
    return <Layout title={t("state.notFound")}><p><Link href="/">{t("state.home")}</Link></p></Layout>;
  }
  if (found.r.signedIn && !me.value) return <main id="main"><Loading /></main>;
  const Page = found.r.page;
  return <Page params={found.params!} />;
}

window.addEventListener("unhandledrejection", (e) => console.error(e.reason));
languageReady.then(() => render(<App />, document.getElementById("app")!));
