/** The dashboard's entry: a token, one GraphQL connection, the theme, and the page. */
import { StrictMode, type ReactNode } from 'react';
import { createRoot } from 'react-dom/client';
import { Provider as UrqlProvider } from 'urql';
import CssBaseline from '@mui/material/CssBaseline';
import { ThemeProvider } from '@mui/material/styles';
import { App } from './app/App.tsx';
import { ErrorBoundary } from './app/ErrorBoundary.tsx';
import { SignIn } from './app/SignIn.tsx';
import { theme } from './app/theme.ts';
import { createGraphqlConnection } from './graphql/client.ts';
import { ConnectionProvider } from './graphql/connection-context.tsx';
import { forgetToken, keepToken, obtainToken } from './graphql/token.ts';

const root = createRoot(document.getElementById('root')!);
const render = (page: ReactNode) =>
  root.render(
    <StrictMode>
      <ThemeProvider theme={theme}>
        <CssBaseline enableColorScheme />
        <ErrorBoundary what="the dashboard">{page}</ErrorBoundary>
      </ThemeProvider>
    </StrictMode>,
  );

void obtainToken({
  location: window.location,
  storage: window.sessionStorage,
  fetch: (url) => fetch(url),
  replaceUrl: (url) => window.history.replaceState(null, '', url),
}).then((token) => {
  if (token === null) {
    render(
      <SignIn
        onToken={(pasted) => {
          keepToken(window.sessionStorage, pasted);
          window.location.reload();
        }}
      />,
    );
    return;
  }
  // A token refused or expired: start again from a fresh one (or the sign-in page).
  const connection = createGraphqlConnection(window.location, token, () => {
    forgetToken(window.sessionStorage);
    window.location.reload();
  });
  render(
    <UrqlProvider value={connection.client}>
      <ConnectionProvider monitor={connection.monitor}>
        <App />
      </ConnectionProvider>
    </UrqlProvider>,
  );
});
