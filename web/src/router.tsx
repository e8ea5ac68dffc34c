// A small History-API router: a route table of path patterns (`/matches/:id`), links that
// navigate without reloading, and the current route as a signal components read.
import { signal } from "@preact/signals";
import type { ComponentChildren, JSX } from "preact";

export type Params = Record<string, string>;
export const location = signal({ path: window.location.pathname, search: window.location.search });

export function navigate(to: string, replace = false): void {
  if (replace) history.replaceState(null, "", to);
  else history.pushState(null, "", to);
  location.value = { path: window.location.pathname, search: window.location.search };
  window.scrollTo(0, 0);
}

window.addEventListener("popstate", () => {
  location.value = { path: window.location.pathname, search: window.location.search };
});

export function query(name: string): string | null {
  return new URLSearchParams(location.value.search).get(name);
}

export function match(pattern: string, path: string): Params | null {
  const want = pattern.split("/").filter(Boolean);
  const have = path.split("/").filter(Boolean);
  if (want.length !== have.length) return null;
  const params: Params = {};
  for (let i = 0; i < want.length; i++) {
    if (want[i].startsWith(":")) params[want[i].slice(1)] = decodeURIComponent(have[i]);
    else if (want[i] !== have[i]) return null;
  }
  return params;
}

type LinkProps = JSX.HTMLAttributes<HTMLAnchorElement> & { href: string; children: ComponentChildren };

export function Link({ href, children, ...rest }: LinkProps) {
  return (
    <a href={href} {...rest} onClick={(e) => {
      if (e.button !== 0 || e.metaKey || e.ctrlKey || e.shiftKey || e.altKey) return;
      e.preventDefault();
      navigate(href);
    }}>{children}</a>
  );
}
