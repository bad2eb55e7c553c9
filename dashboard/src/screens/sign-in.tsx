import { useState } from 'preact/hooks';
import { ApiError } from '../api.ts';
import { describeError } from '../errors.ts';
import { useDocumentTitle } from '../hooks.ts';
import { TextField } from '../ui/fields.tsx';

function signInMessage(error: unknown): string {
  if (error instanceof ApiError && error.code === 'UNAUTHENTICATED') {
    return 'That API key was not accepted: check it, or it may have been revoked.';
  }
  if (error instanceof ApiError && error.code === 'FORBIDDEN') {
    return 'That key cannot read an organization: the operator key manages organizations only, and an EMITTER key only emits events. Use an ADMIN or VIEWER key.';
  }
  return describeError(error).message;
}

export function SignInScreen({
  message,
  signIn,
}: {
  message?: string | undefined;
  signIn: (apiKey: string) => Promise<void>;
}) {
  useDocumentTitle('Sign in');
  const [apiKey, setApiKey] = useState('');
  const [pending, setPending] = useState(false);
  const [error, setError] = useState<string | undefined>(message);
  return (
    <main class="sign-in" id="main">
      <form
        class="card sign-in-card"
        onSubmit={async (event) => {
          event.preventDefault();
          const form = event.currentTarget;
          const key = apiKey.trim();
          if (!key) {
            setError('Enter an API key.');
            return;
          }
          setPending(true);
          setError(undefined);
          try {
            await signIn(key);
          } catch (failure) {
            setError(signInMessage(failure));
            setPending(false);
            // Focus the field: its label and the error (its description) are read out together.
            form.querySelector('input')?.focus();
          }
        }}
      >
        <h1>Hookline</h1>
        <p>Sign in with one of your organization's API keys.</p>
        <TextField
          label="API key"
          name="apiKey"
          type="password"
          required
          value={apiKey}
          onInput={setApiKey}
          error={error}
          hint="Kept in this browser tab only (session storage) and sent only to this server."
        />
        <button type="submit" class="button primary" disabled={pending}>
          {pending ? 'Signing in…' : 'Sign in'}
        </button>
      </form>
    </main>
  );
}
