/**
 * Vite for the dashboard: `npm run dev -w web` serves it with hot reload and
 * proxies /graphql (HTTP and WebSocket) and /auth to the GraphQL server on port 4000;
 * `npm run build -w web` writes web/dist, which the server serves at `/`.
 */
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const api = process.env.API_URL ?? 'http://localhost:4000';

export default defineConfig({
  plugins: [react()],
  server: {
    proxy: {
      '/graphql': { target: api, ws: true, changeOrigin: true },
      // The operator token the server hands to loopback callers outside production.
      '/auth': { target: api, changeOrigin: true },
      // GraphiQL's scripts, styles and editor workers, which the server serves beside /graphql.
      '/graphiql': { target: api, changeOrigin: true },
    },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    sourcemap: true,
    chunkSizeWarningLimit: 1200,
  },
});
