import { defineConfig } from "vite";
import preact from "@preact/preset-vite";

// `npm run dev` serves the app with hot reload and sends /v1 to `ementor dev` (make run).
export default defineConfig({
  plugins: [preact()],
  build: { outDir: "dist", assetsDir: "assets", sourcemap: false, modulePreload: { polyfill: false } },
  server: { proxy: { "/v1": "http://127.0.0.1:8000" } },
});
