/** The dashboard's entry: one GraphQL connection, the theme, and the page. */
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { Provider as UrqlProvider } from 'urql';
import CssBaseline from '@mui/material/CssBaseline';
import { ThemeProvider } from '@mui/material/styles';
import { App } from './app/App.tsx';
import { ErrorBoundary } from './app/ErrorBoundary.tsx';
import { theme } from './app/theme.ts';
import { createGraphqlConnection } from './graphql/client.ts';
import { ConnectionProvider } from './graphql/connection-context.tsx';

const connection = createGraphqlConnection(window.location);

createRoot(document.getElementById('root')!).render(
  <StrictMode>
    <ThemeProvider theme={theme}>
      <CssBaseline enableColorScheme />
      <ErrorBoundary what="the dashboard">
        <UrqlProvider value={connection.client}>
          <ConnectionProvider monitor={connection.monitor}>
            <App />
          </ConnectionProvider>
        </UrqlProvider>
      </ErrorBoundary>
    </ThemeProvider>
  </StrictMode>,
);
