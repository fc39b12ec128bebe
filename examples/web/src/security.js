// The Account page's sign-in part: change the password, see where the
// listener is signed in, end a session there, or sign out everywhere else
// (auth password.change, session.list, session.end, session.end_others).
import { h, errorText, toast, timeAgo } from './ui.js';
import { auth } from './subjects.js';

export async function securitySection(app) {
  const { sessions } = await app.session.call(auth.sessionList, {});
  return h('section.panel', { 'aria-labelledby': 'security-heading' },
    h('h2', { id: 'security-heading' }, 'Sign-in and security'),
    passwordForm(app),
    sessionsPart(app, sessions));
}

function passwordForm(app) {
  const status = h('p.form-status', { role: 'status', 'aria-live': 'polite' });
  const save = h('button.btn', { type: 'submit' }, 'Change password');
  const field = (name, label, autocomplete) => h('label.field', label,
    h('input', { name, type: 'password', required: true, autocomplete, maxLength: 1024 }));
  const form = h('form.password-form', {
    'aria-label': 'Change password',
    onsubmit: async (e) => {
      e.preventDefault();
      const data = new FormData(form);
      const current = String(data.get('current_password'));
      const next = String(data.get('new_password'));
      status.className = 'form-status';
      if (next !== String(data.get('repeat_password'))) {
        status.className = 'form-status error';
        status.textContent = 'The new passwords do not match.';
        return;
      }
      save.disabled = true;
      status.textContent = 'Changing…';
      try {
        await app.session.call(auth.passwordChange, { current_password: current, new_password: next });
        form.reset();
        status.textContent = 'Password changed. You are signed out everywhere else.';
        toast('Password changed');
      } catch (err) {
        if (err.status === 401 && err.code !== 'invalid_credentials') return;
        status.className = 'form-status error';
        status.textContent = err.code === 'invalid_credentials' ? 'Your current password is not right.' : errorText(err);
      }
      save.disabled = false;
    },
  },
  field('current_password', 'Current password', 'current-password'),
  field('new_password', 'New password (at least 10 characters)', 'new-password'),
  field('repeat_password', 'New password again', 'new-password'),
  h('div.actions', save), status);
  return form;
}

function sessionsPart(app, sessions) {
  const others = sessions.filter((s) => !s.current);
  const when = (ms) => (ms ? timeAgo(ms) : 'a while ago');
  const row = (s) => h('li.session-row', { dataset: { session: s.id } },
    h('div',
      h('strong', s.current ? 'This browser' : 'Another device or browser'),
      h('div.small.muted', `Signed in ${when(s.started_at)} · last active ${when(s.last_used_at)}`)),
    h('button.btn.small', {
      'aria-label': s.current ? 'Sign out of this browser' : `End the session signed in ${when(s.started_at)}`,
      onclick: async (e) => {
        e.currentTarget.disabled = true;
        try {
          await app.session.call(auth.sessionEnd, { id: s.id });
          if (s.current) return app.leave('You signed out of this browser.');
          toast('That session has ended');
          app.rerender();
        } catch (err) {
          if (err.status !== 401) toast(errorText(err), { error: true });
          e.currentTarget.disabled = false;
        }
      },
    }, s.current ? 'Sign out' : 'End'));
  const everywhere = h('button.btn.danger', {
    disabled: !others.length,
    onclick: async () => {
      everywhere.disabled = true;
      try {
        const { ended } = await app.session.call(auth.sessionEndOthers, {});
        toast(`Signed out everywhere else (${ended} session${ended === 1 ? '' : 's'})`);
        app.rerender();
      } catch (err) {
        if (err.status !== 401) toast(errorText(err), { error: true });
        everywhere.disabled = false;
      }
    },
  }, 'Sign out everywhere else');
  return h('div.sessions',
    h('h3', 'Where you are signed in'),
    h('ul.session-list', sessions.map(row)),
    h('p.small.muted', 'Ending a session signs that device out within 15 minutes at most.'),
    h('div.actions', everywhere));
}
