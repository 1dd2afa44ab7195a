/**
 * Shown when the dashboard has no token (a server in production hands none
 * out): paste one made with `npm run token -- --role operator`.
 */
import Box from '@mui/material/Box';
import Button from '@mui/material/Button';
import Card from '@mui/material/Card';
import CardContent from '@mui/material/CardContent';
import TextField from '@mui/material/TextField';
import Typography from '@mui/material/Typography';
import { useState, type FormEvent } from 'react';
import { expiresAt } from '../graphql/token.ts';

export function SignIn({ onToken }: { onToken: (token: string) => void }) {
  const [token, setToken] = useState('');
  const [problem, setProblem] = useState<string | null>(null);

  const submit = (event: FormEvent) => {
    event.preventDefault();
    const expiry = expiresAt(token.trim());
    if (expiry === undefined) return setProblem('This is not a token: it should look like xxxxx.yyyyy.zzzzz.');
    if (expiry <= Date.now()) return setProblem('This token has expired. Make a new one.');
    onToken(token.trim());
  };

  return (
    <Box sx={{ minHeight: '100vh', display: 'grid', placeItems: 'center', p: 2 }}>
      <Card component="main" sx={{ maxWidth: 520, width: '100%' }}>
        <CardContent component="form" onSubmit={submit} aria-label="Sign in">
          <Typography variant="h5" component="h1" gutterBottom>
            Orders dashboard
          </Typography>
          <Typography variant="body2" color="text.secondary" sx={{ mb: 2 }}>
            Paste an operator token. Make one with <code>npm run token -- --role operator</code>.
          </Typography>
          <TextField
            label="Token"
            value={token}
            onChange={(event) => setToken(event.target.value)}
            error={problem !== null}
            helperText={problem ?? ' '}
            fullWidth
            multiline
            minRows={3}
            autoFocus
          />
          <Button type="submit" variant="contained" sx={{ mt: 1 }} disabled={token.trim() === ''}>
            Sign in
          </Button>
        </CardContent>
      </Card>
    </Box>
  );
}
