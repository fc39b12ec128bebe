// Sign in, or create an account and sign in with it.
import { h, errorText } from './ui.js';

export function renderLogin(root, app, { message, onSignedIn }) {
  let mode = 'login';
  const status = h('p.form-status', { role: 'alert' }, message ?? '');
  const email = h('label.field.hidden', 'Email', h('input', { name: 'email', type: 'email', autocomplete: 'email' }));
  const submit = h('button.btn.primary.wide', { type: 'submit' }, 'Sign in');
  const switcher = h('button.link-btn', { type: 'button', onclick: () => setMode(mode === 'login' ? 'register' : 'login') });
  const password = h('input', { name: 'password', type: 'password', autocomplete: 'current-password', required: true });
  const setMode = (m) => {
    mode = m;
    email.classList.toggle('hidden', m === 'login');
    email.querySelector('input').required = m === 'register';
    password.autocomplete = m === 'login' ? 'current-password' : 'new-password';
    submit.textContent = m === 'login' ? 'Sign in' : 'Create account';
    switcher.textContent = m === 'login' ? 'New here? Create an account' : 'Have an account? Sign in';
    title.textContent = m === 'login' ? 'Sign in to listen' : 'Create your account';
    status.textContent = '';
  };
  const title = h('h1');
  const form = h('form.login-form', {
    onsubmit: async (e) => {
      e.preventDefault();
      const f = form.elements;
      const username = f.username.value.trim();
      submit.disabled = true;
      status.className = 'form-status';
      status.textContent = mode === 'login' ? 'Signing in…' : 'Creating your account…';
      try {
        if (mode === 'register') await app.session.register(username, f.email.value.trim(), f.password.value);
        await app.session.login(username, f.password.value);
        onSignedIn();
      } catch (err) {
        status.className = 'form-status error';
        status.textContent = errorText(err);
        submit.disabled = false;
      }
    },
  },
  title,
  h('label.field', 'Username', h('input', { name: 'username', autocomplete: 'username', required: true, minLength: 3, maxLength: 32 })),
  email,
  h('label.field', 'Password', password),
  submit, status, switcher);
  setMode('login');
  if (message) status.textContent = message;
  if (message) status.className = 'form-status error';
  root.replaceChildren(h('div.login-page',
    h('div.login-card', h('div.brand.big', h('span.logo', '♪'), 'Chorus'), h('p.tagline', 'Stream and discover music.'), form)));
  form.elements.username.focus();
}
