/** The dashboard's look: system fonts, light and dark schemes following the operator's system. */
import { createTheme } from '@mui/material/styles';

export const theme = createTheme({
  cssVariables: { colorSchemeSelector: 'media' },
  colorSchemes: {
    light: {
      palette: { primary: { main: '#2563eb' }, secondary: { main: '#7c3aed' }, background: { default: '#f1f5f9' } },
    },
    dark: {
      palette: { primary: { main: '#60a5fa' }, secondary: { main: '#a78bfa' }, background: { default: '#0b1120' } },
    },
  },
  shape: { borderRadius: 10 },
  typography: {
    fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, "Noto Sans", sans-serif',
    button: { textTransform: 'none', fontWeight: 600 },
  },
  components: {
    MuiCard: { defaultProps: { variant: 'outlined' } },
    MuiTableCell: { styleOverrides: { head: { fontWeight: 700, whiteSpace: 'nowrap' } } },
  },
});
