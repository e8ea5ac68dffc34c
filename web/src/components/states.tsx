// Loading, empty and error states, and the hook that loads data for a page.
import type { ComponentChildren } from "preact";
import { useCallback, useEffect, useState } from "preact/hooks";
import { ApiError } from "../api";
import { sentence, t } from "../i18n";
import { en } from "../i18n/en";

export function Loading() {
  return <p class="state" role="status" aria-live="polite">{t("state.loading")}</p>;
}

export function Empty({ children }: { children: ComponentChildren }) {
  return <p class="state empty">{children}</p>;
}

export function describe(error: unknown): string {
  if (error instanceof ApiError) {
    // A 422 the app has words for (starts_in_past, ...) is said in them; any other 422 shows the field and the rule.
    if (error.code === "validation_failed" || (error.status === 422 && !(("error." + error.code) in en))) {
      return t("error.validation_failed", { detail: error.message });
    }
    return sentence(error.code, error.message);
  }
  return String((error as Error)?.message ?? error);
}

export function ErrorNote({ error, retry }: { error: unknown; retry?: () => void }) {
  return (
    <div class="error" role="alert">
      <p>{describe(error)}</p>
      {retry && <button type="button" onClick={retry}>{t("state.retry")}</button>}
    </div>
  );
}

export type Loaded<T> = { data?: T; error?: unknown; loading: boolean; reload: () => void };

/** Runs `load` when the page opens (and when `deps` change); the page shows its three states. */
export function useLoad<T>(load: (signal: AbortSignal) => Promise<T>, deps: unknown[] = []): Loaded<T> {
  const [state, setState] = useState<{ data?: T; error?: unknown; loading: boolean }>({ loading: true });
  const [tick, setTick] = useState(0);
  useEffect(() => {
    const abort = new AbortController();
    setState((s) => ({ ...s, loading: true, error: undefined }));
    load(abort.signal).then(
      (data) => !abort.signal.aborted && setState({ data, loading: false }),
      (error) => !abort.signal.aborted && setState({ error, loading: false }),
    );
    return () => abort.abort();
  }, [...deps, tick]);
  return { ...state, reload: useCallback(() => setTick((n) => n + 1), []) };
}

/** Renders the loading or error state, or the page body once the data is there. */
export function Show<T>({ loaded, children }: { loaded: Loaded<T>; children: (data: T) => ComponentChildren }) {
  if (loaded.error) return <ErrorNote error={loaded.error} retry={loaded.reload} />;
  if (loaded.data === undefined) return <Loading />;
  return <>{children(loaded.data)}</>;
}
