// A page loaded on first visit with a dynamic import(): its code (and whatever only it imports,
// such as the insights charts' uPlot) is a chunk of its own that other visitors never download.
import type { FunctionComponent } from "preact";
import { useEffect, useState } from "preact/hooks";
import { ErrorNote, Loading } from "./components/states";
import { Layout } from "./components/Layout";
import { t } from "./i18n";
import type { Params } from "./router";

type Page = FunctionComponent<{ params: Params }>;

export function lazyPage(load: () => Promise<Page>): Page {
  let loaded: Page | null = null;
  let loading: Promise<Page> | null = null;
  return function LazyPage({ params }) {
    const [, setReady] = useState(0);
    const [error, setError] = useState<unknown>(null);
    useEffect(() => {
      if (loaded) return;
      loading ??= load().then((page) => (loaded = page));
      loading.then(() => setReady((n) => n + 1), (e) => { loading = null; setError(e); });
    }, [error]);
    if (loaded) { const Loaded = loaded; return <Loaded params={params} />; }
    return (
      <Layout title={t("state.loading")}>
        {error ? <ErrorNote error={{ message: t("error.network") }} retry={() => setError(null)} /> : <Loading />}
      </Layout>
    );
  };
}
