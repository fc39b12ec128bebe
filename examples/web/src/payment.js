// Paying for Premium: the Plans page, the checkout form, and the Account page
// (the subscription, payment methods, invoices). Every write that moves money
// carries an idempotency key, one per intent (billing.js, Intent): made when
// the checkout form opens, the confirm button shows or a plan is picked, kept
// for retries, renewed once the service has answered for good.
import { h, icon, errorText, toast, showError } from './ui.js';
import { payment } from './subjects.js';
import { billingDetailsSection, yourDataSection } from './closing.js';
import { securitySection } from './security.js';
import {
  Intent, formatMoney, priceLabel, yearlySaving, isFree, isLive, needsNewCard, currentPlanId, statusLabel,
  formatDate, cardLabel, expiryLabel, cardExpired, groupCardNumber, fullYear,
} from './billing.js';

const PAY_TIMEOUT_MS = 15000;

const tierName = (tier) => ({ premium: 'Premium', free: 'Free' })[tier] ?? tier;

const planById = (plans, id) => plans.find((p) => p.id === id);
const planName = (plans, id) => planById(plans, id)?.name ?? id;

function perks(plan) {
  return isFree(plan)
    ? ['The whole catalog', 'A daily allowance of full plays, then 30-second previews', 'Playlists, stars and history']
    : ['Every track in full, as often as you like', 'No previews, no daily limit', 'Playlists, stars and history'];
}

// ---- Plans -------------------------------------------------------------

export async function plans(app) {
  const [{ plans: list }, view] = await Promise.all([app.read(payment.planList, {}), app.loadBilling()]);
  const current = currentPlanId(list, view);
  const s = view.subscription;
  const live = isLive(s);
  const card = (plan) => {
    const isCurrent = plan.id === current;
    const saving = yearlySaving(list, plan);
    let action;
    if (isCurrent) {
      action = isFree(plan) ? null : h('p.plan-note',
        s?.cancel_at_period_end ? `Ends on ${formatDate(s.current_period_end)}. ` : `Renews on ${formatDate(s?.current_period_end)}. `,
        h('a', { href: '#/account' }, 'Manage it on your Account page'));
    } else if (isFree(plan)) {
      action = live ? h('p.plan-note', 'To go back to Free, cancel on your ', h('a', { href: '#/account' }, 'Account page'), '.') : null;
    } else if (s?.status === 'incomplete' && s.plan === plan.id) {
      action = h('a.btn.primary', { href: `#/checkout/${encodeURIComponent(plan.id)}` }, 'Confirm your payment');
    } else if (live) {
      action = h('p.plan-note', 'Switch to it on your ', h('a', { href: '#/account' }, 'Account page'), '.');
    } else {
      action = h('a.btn.primary', { href: `#/checkout/${encodeURIComponent(plan.id)}`, 'aria-label': `Choose ${plan.name}` }, `Choose ${plan.name}`);
    }
    return h(`section.plan-card${isCurrent ? '.current' : ''}`, {
      'aria-labelledby': `plan-${plan.id}`, 'aria-current': isCurrent ? 'true' : null, dataset: { planId: plan.id },
    },
    isCurrent ? h('span.badge.accent', 'Current plan') : null,
    h('h2.plan-name', { id: `plan-${plan.id}` }, plan.name),
    h('div.plan-price', priceLabel(plan)),
    plan.trial_days ? h('div.plan-saving', `${plan.trial_days} days free for your first subscription`) : null,
    saving ? h('div.plan-saving', `Save ${saving}% against monthly`) : null,
    h('ul.plan-perks', perks(plan).map((p) => h('li', p))),
    action);
  };
  return h('div.page',
    h('h1', 'Plans'),
    h('p.page-lead', view.entitlement === 'premium' ? 'You are on Premium. Thanks for listening with us.' : 'Listen without limits with Premium. Cancel any time.'),
    s?.status === 'incomplete' ? h('p.notice', 'Your Premium payment is waiting for your confirmation. ',
      h('a', { href: `#/checkout/${encodeURIComponent(s.plan)}` }, 'Confirm it')) : null,
    h('div.plans', list.map(card)));
}

// ---- cards --------------------------------------------------------------

/**
 * Keep a card, and make it the default if asked. A card kept already comes
 * back as it was (the same card twice is one method), `make_default` or
 * not: then `method.default` makes it so.
 */
async function addCard(app, body, makeDefault) {
  const m = await app.session.call(payment.methodAdd, { ...body, make_default: makeDefault }, { timeout: PAY_TIMEOUT_MS });
  if (!makeDefault || m.default) return m;
  return app.session.call(payment.methodDefault, { id: m.id });
}

/**
 * A new default card for a renewal that failed is charged at once, by the
 * renewal worker, a moment after the reply: wait (a few seconds at most)
 * until the subscription is paid or the charge failed again.
 */
async function awaitRetry(app, before, { tries = 15, every = 1000 } = {}) {
  let view = app.billing;
  for (let i = 0; i < tries; i++) {
    view = await app.loadBilling();
    const s = view.subscription;
    if (!needsNewCard(s) || (s.failed_attempts ?? 0) > (before?.failed_attempts ?? 0)) return view;
    await new Promise((r) => setTimeout(r, every));
  }
  return view;
}

/** What came of charging a new default card for a failed renewal, in words. */
function retryOutcome(view, m) {
  const s = view.subscription;
  if (!needsNewCard(s)) return { text: `Payment went through with ${cardLabel(m)}: you're on ${tierName(s?.tier ?? 'premium')} again` };
  return { text: `${cardLabel(m)} is the default now, but the payment did not go through. Try another card.`, error: true };
}

// ---- card fields (checkout, add a card) -------------------------------

/** Card number, expiry month and year, CVC: labelled inputs, and a way to read and mark them. */
function cardFields() {
  const number = h('input', { name: 'number', inputMode: 'numeric', autocomplete: 'cc-number', placeholder: '1234 1234 1234 1234', required: true, maxLength: 23 });
  const month = h('input', { name: 'exp_month', inputMode: 'numeric', autocomplete: 'cc-exp-month', placeholder: 'MM', required: true, maxLength: 2 });
  const year = h('input', { name: 'exp_year', inputMode: 'numeric', autocomplete: 'cc-exp-year', placeholder: 'YYYY', required: true, maxLength: 4 });
  const cvc = h('input', { name: 'cvc', inputMode: 'numeric', autocomplete: 'cc-csc', placeholder: '123', maxLength: 4 });
  number.addEventListener('blur', () => (number.value = groupCardNumber(number.value)));
  const inputs = { number, month, year, cvc };
  for (const el of Object.values(inputs)) el.addEventListener('input', () => el.removeAttribute('aria-invalid'));
  const node = h('div.card-fields',
    h('label.field', 'Card number', number),
    h('div.field-row',
      h('label.field', 'Expiry month', month),
      h('label.field', 'Expiry year', year),
      h('label.field', 'CVC', cvc)));
  return {
    node,
    inputs,
    /** The `method.add` body, or a local refusal as a code (`invalid_expiry`). */
    read() {
      const m = Number(month.value.trim());
      const y = fullYear(year.value);
      if (!Number.isInteger(m) || m < 1 || m > 12 || !Number.isInteger(y) || y < 1000 || y > 9999) return { error: 'invalid_expiry' };
      const body = { number: number.value.replace(/[\s-]/g, ''), exp_month: m, exp_year: y };
      if (cvc.value.trim()) body.cvc = cvc.value.trim();
      return { body };
    },
    /** Point at the field an error is about. */
    mark(code) {
      const field = {
        invalid_card_number: number, card_declined: number, insufficient_funds: number, expired_card: number, charge_failed: number,
        invalid_expiry: month, card_expired: month, invalid_cvc: cvc,
      }[code];
      if (!field) return;
      field.setAttribute('aria-invalid', 'true');
      field.focus();
    },
    clear() {
      for (const el of Object.values(inputs)) el.value = '';
    },
  };
}

const testCards = () => h('details.test-cards',
  h('summary', 'Test cards'),
  h('ul',
    h('li', h('code', '4242 4242 4242 4242'), ' pays'),
    h('li', h('code', '4000 0000 0000 0002'), ' is declined'),
    h('li', h('code', '4000 0027 6000 3184'), ' asks you to confirm the payment')),
  h('p.small', 'Any future expiry date and any CVC.'));

// ---- checkout ----------------------------------------------------------

export async function checkout(app, planId) {
  const [{ plans: list }, view, { methods }] = await Promise.all([
    app.read(payment.planList, {}), app.loadBilling(), app.session.call(payment.methodList, {}),
  ]);
  const plan = planById(list, planId);
  const back = h('p', h('a', { href: '#/plans' }, '← All plans'));
  if (!plan) return h('div.page', h('h1', 'Checkout'), h('p', 'That plan is not on offer any more.'), back);
  if (isFree(plan)) return h('div.page', h('h1', 'Checkout'), h('p', 'The free plan needs no payment.'), back);
  const s = view.subscription;

  const summary = h('aside.checkout-summary', { 'aria-label': 'Order summary' },
    h('div.kind', 'Your plan'),
    h('h2', plan.name),
    h('div.plan-price', priceLabel(plan)),
    h('ul.plan-perks', perks(plan).map((p) => h('li', p))),
    plan.trial_days ? h('p.small', `Your first subscription starts with ${plan.trial_days} days free: your card is charged when they end, unless you cancel before.`) : null,
    h('p.small', `Renews every ${plan.interval} at ${formatMoney(plan.amount, plan.currency)} until you cancel. Cancel any time on your Account page.`));
  const panel = h('div.checkout-main');
  const page = h('div.page', back, h('h1', `Subscribe to ${plan.name}`), h('div.checkout', summary, panel));

  const done = (reply) => success(app, panel, list, reply);
  if (s?.status === 'incomplete') {
    confirmStep(app, panel, list, s, done);
    return page;
  }
  if (isLive(s)) {
    panel.append(h('div.notice-panel',
      h('p', `You have a subscription already: ${planName(list, s.plan)} (${statusLabel(s.status).toLowerCase()}).`),
      h('a.btn', { href: '#/account' }, 'Go to your account')));
    return page;
  }

  // One intent per opened form: the key is made now and sent with every attempt.
  const intent = new Intent();
  const saved = methods.find((m) => m.default && !cardExpired(m));
  const fields = cardFields();
  const status = h('p.form-status', { role: 'status', 'aria-live': 'polite' });
  const submit = h('button.btn.primary.wide', { type: 'submit' }, `Pay ${formatMoney(plan.amount, plan.currency)} and subscribe`);
  let useSaved = !!saved;
  const choice = saved ? h('fieldset.pay-with', h('legend', 'Pay with'),
    h('label.radio', h('input', { type: 'radio', name: 'pay_with', value: 'saved', checked: true, onchange: () => pick(true) }),
      `${cardLabel(saved)}, expires ${expiryLabel(saved)}`),
    h('label.radio', h('input', { type: 'radio', name: 'pay_with', value: 'new', onchange: () => pick(false) }), 'A new card')) : null;
  const pick = (s) => {
    useSaved = s;
    fields.node.classList.toggle('hidden', s);
    for (const el of [fields.inputs.number, fields.inputs.month, fields.inputs.year]) el.required = !s;
  };
  const fieldset = h('fieldset.plain', choice, fields.node);
  const say = (text, error = false) => {
    status.textContent = text;
    status.className = `form-status${error ? ' error' : ''}`;
    status.setAttribute('role', error ? 'alert' : 'status');
  };
  const form = h('form.pay-form', {
    'aria-label': 'Card details',
    onsubmit: async (e) => {
      e.preventDefault();
      let body = null;
      if (!useSaved) {
        const read = fields.read();
        if (read.error) {
          say(errorText({ code: read.error }), true);
          fields.mark(read.error);
          return;
        }
        body = read.body;
      }
      fieldset.disabled = true;
      submit.disabled = true;
      try {
        if (body) {
          say('Checking your card…');
          await addCard(app, body, true);
        }
        say('Paying…');
        const reply = await intent.send((headers) =>
          app.session.call(payment.subscriptionCreate, { plan: plan.id }, { headers, timeout: PAY_TIMEOUT_MS }));
        say('');
        if (reply.subscription.status === 'incomplete') {
          await app.loadBilling().catch(() => {});
          confirmStep(app, panel, list, reply.subscription, done);
        } else {
          await done(reply);
        }
      } catch (err) {
        if (err.status === 401) return;
        say(errorText(err), true);
        fieldset.disabled = false;
        submit.disabled = false;
        fields.mark(err.code);
      }
    },
  }, fieldset, submit, status, testCards());
  pick(useSaved);
  panel.append(form);
  return page;
}

/** The first payment waits for the listener: a "Confirm payment" button, with a key of its own. */
function confirmStep(app, panel, plans, s, done) {
  const intent = new Intent(); // made when the button shows
  const status = h('p.form-status', { role: 'status', 'aria-live': 'polite' });
  const button = h('button.btn.primary.wide', {
    onclick: async () => {
      button.disabled = true;
      status.className = 'form-status';
      status.textContent = 'Confirming…';
      try {
        const reply = await intent.send((headers) =>
          app.session.call(payment.subscriptionConfirm, {}, { headers, timeout: PAY_TIMEOUT_MS }));
        await done(reply);
      } catch (err) {
        if (err.status === 401) return;
        status.className = 'form-status error';
        status.setAttribute('role', 'alert');
        status.textContent = errorText(err);
        button.disabled = false;
      }
    },
  }, 'Confirm payment');
  panel.replaceChildren(h('div.confirm-panel',
    h('h2', 'Confirm your payment'),
    h('p', `Your bank asks you to confirm the payment of ${formatMoney(s.amount, s.currency)} for ${planName(plans, s.plan)}.`),
    s.incomplete_expires_at ? h('p.small', `It waits for you until ${new Date(s.incomplete_expires_at).toLocaleString()}.`) : null,
    button, status));
  button.focus();
}

/** Paid: refresh the session (the next token carries the plan), then say so. */
async function success(app, panel, plans, reply) {
  if (reply.refresh) await app.refreshSession();
  const [{ methods }] = await Promise.all([
    app.session.call(payment.methodList, {}).catch(() => ({ methods: [] })),
    app.loadBilling().catch(() => {}),
  ]);
  const s = reply.subscription;
  const inv = reply.invoice;
  const method = methods.find((m) => m.id === s.method);
  const heading = h('h2', { tabIndex: -1 }, `You're on ${tierName(s.tier)}`);
  panel.replaceChildren(h('div.success-panel', { role: 'status' },
    h('div.success-mark', '✓'),
    heading,
    h('p', `${planName(plans, s.plan)} · ${formatMoney(s.amount, s.currency)} / ${s.interval} · ${s.status === 'trialing' ? `free until ${formatDate(s.current_period_end)}, then charged` : `renews on ${formatDate(s.current_period_end)}`}`),
    inv ? h('p.small', `Invoice #${inv.number}: ${formatMoney(inv.amount, inv.currency)} paid${method ? ` with ${cardLabel(method)}` : ''}.`) : null,
    h('div.actions', h('a.btn.primary', { href: '#/' }, 'Start listening'), h('a.btn', { href: '#/account' }, 'Your account'))));
  heading.focus();
}

// ---- Account -----------------------------------------------------------

export async function account(app) {
  const [{ plans: list }, view, { methods }, firstInvoices, details, security] = await Promise.all([
    app.read(payment.planList, {}),
    app.loadBilling(),
    app.session.call(payment.methodList, {}),
    app.session.call(payment.invoiceList, { limit: 20 }),
    app.session.call(payment.billingGet, {}),
    securitySection(app),
  ]);
  return h('div.page.account-page',
    h('h1', 'Account'),
    h('p.page-lead', app.session.user?.username ?? '', app.session.user?.email ? ` · ${app.session.user.email}` : ''),
    subscriptionSection(app, list, view, methods),
    methodsSection(app, view, methods),
    billingDetailsSection(app, details),
    invoicesSection(app, firstInvoices),
    security,
    yourDataSection(app));
}

/** Run an account action: the button waits, the page is read again after, errors are told. */
async function act(app, button, work, done) {
  button.disabled = true;
  try {
    await work();
    if (done) toast(done);
    app.rerender();
  } catch (err) {
    if (err.status !== 401) showError(err);
    button.disabled = false;
  }
}

function subscriptionSection(app, plans, view, methods) {
  const s = view.subscription;
  const section = h('section.panel', { 'aria-labelledby': 'subscription-heading' }, h('h2', { id: 'subscription-heading' }, 'Subscription'));
  if (!isLive(s)) {
    section.append(
      h('p.sub-line', h('strong', 'Free plan'), h('span.badge', 'Current')),
      s?.status === 'canceled' ? h('p.muted', `Your ${planName(plans, s.plan)} subscription ended on ${formatDate(s.current_period_end)}.`) : null,
      s?.status === 'incomplete_expired' ? h('p.muted', 'Your last subscription was never confirmed.') : null,
      h('div.actions', h('a.btn.primary', { href: '#/plans' }, icon('premium'), 'Get Premium')));
    return section;
  }
  const method = methods.find((m) => m.id === s.method);
  const facts = [
    ['Plan', h('span', { dataset: { field: 'plan' } }, planName(plans, s.plan), h('span.muted', ` · ${formatMoney(s.amount, s.currency)} / ${s.interval}`))],
    ['Status', h(`span.badge.status-${s.status}`, { dataset: { field: 'status' } }, statusLabel(s.status))],
  ];
  if (s.status === 'incomplete') facts.push(['Waiting until', formatDate(s.incomplete_expires_at)]);
  else if (s.cancel_at_period_end) facts.push(['Ends on', h('span', { dataset: { field: 'ends' } }, formatDate(s.current_period_end))]);
  else if (s.status === 'trialing') facts.push(['Trial ends, first charge on', h('span', { dataset: { field: 'renews' } }, formatDate(s.current_period_end))]);
  else if (s.status === 'active') facts.push(['Renews on', h('span', { dataset: { field: 'renews' } }, formatDate(s.current_period_end))]);
  else facts.push(['Paid until', formatDate(s.current_period_end)]);
  if (s.status === 'past_due' && s.next_attempt_at) facts.push(['Next try', formatDate(s.next_attempt_at)]);
  if (s.scheduled_plan) facts.push(['Then', `${planName(plans, s.scheduled_plan)} from ${formatDate(s.current_period_end)}`]);
  if (method) facts.push(['Card', `${cardLabel(method)}, expires ${expiryLabel(method)}`]);
  section.append(h('dl.facts', facts.map(([k, v]) => [h('dt', k), h('dd', v)])));

  if (s.action_required) section.append(h('p.notice', 'Your bank asks you to confirm the renewal payment. Confirm it below, or add another card and make it the default: it is charged at once instead.'));
  else if (s.status === 'past_due') section.append(h('p.notice', 'Your last renewal payment failed. Add a card below (or make another one the default): it is charged at once.'));
  if (s.status === 'unpaid') section.append(h('p.notice', 'Your renewal could not be paid, so you are on the free plan for now. Add a card below, or make another one the default: it is charged at once and Premium comes back.'));

  const actions = h('div.actions');
  const confirmRow = h('div.confirm-row.hidden', { role: 'group', 'aria-label': 'Cancel now?' });
  const cancelNow = h('button.btn.danger', {
    onclick: () => {
      confirmRow.classList.remove('hidden');
      keep.focus();
    },
  }, 'Cancel now');
  const keep = h('button.btn', { onclick: () => { confirmRow.classList.add('hidden'); cancelNow.focus(); } }, `Keep ${tierName(s.tier)}`);
  const reallyCancel = h('button.btn.danger', {
    onclick: () => act(app, reallyCancel, async () => {
      await app.session.call(payment.subscriptionCancel, { now: true });
      // The entitlement ended with it: the next token says so.
      await app.refreshSession();
    }, `Your ${tierName(s.tier)} subscription has ended`),
  }, 'Yes, cancel now');
  confirmRow.append(h('span', s.status === 'incomplete'
    ? 'Drop this subscription? Nothing has been charged.'
    : `End ${tierName(s.tier)} now? The rest of this period is not refunded.`), reallyCancel, keep);

  if (s.status === 'incomplete' || s.action_required) {
    const intent = new Intent();
    const confirmBtn = h('button.btn.primary', {
      onclick: () => act(app, confirmBtn, async () => {
        const reply = await intent.send((headers) => app.session.call(payment.subscriptionConfirm, {}, { headers, timeout: PAY_TIMEOUT_MS }));
        if (reply.refresh) await app.refreshSession();
      }, `You're on ${tierName(s.tier)}`),
    }, 'Confirm payment');
    actions.append(confirmBtn);
  } else if (s.cancel_at_period_end) {
    const resume = h('button.btn.primary', {
      onclick: () => act(app, resume, () => app.session.call(payment.subscriptionResume, {}), 'Your subscription renews again'),
    }, 'Resume');
    actions.append(resume);
  } else if (s.status === 'active' || s.status === 'trialing') {
    const cancelEnd = h('button.btn', {
      onclick: () => act(app, cancelEnd, () => app.session.call(payment.subscriptionCancel, { now: false }),
        `${tierName(s.tier)} ends on ${formatDate(s.current_period_end)}`),
    }, 'Cancel at period end');
    actions.append(cancelEnd);
  } else if (needsNewCard(s)) {
    actions.append(h('button.btn.primary', { onclick: () => document.querySelector('form.add-card input[name="number"]')?.focus() }, 'Update card'));
  }
  actions.append(cancelNow);
  section.append(actions, confirmRow);
  if (s.status === 'active' && !s.cancel_at_period_end) section.append(changePlan(app, plans, s));
  return section;
}

/** Another plan: an upgrade is charged now (prorated), a downgrade waits for the period's end. One key per plan picked. */
function changePlan(app, plans, s) {
  const others = plans.filter((p) => !isFree(p) && p.id !== s.plan && p.id !== s.scheduled_plan);
  const options = [...others.map((p) => [p.id, `${p.name} · ${priceLabel(p)}`])];
  if (s.scheduled_plan) options.unshift([s.plan, `Stay on ${planName(plans, s.plan)} (undo the scheduled change)`]);
  if (!options.length) return null;
  const select = h('select', { name: 'plan' }, options.map(([id, label]) => h('option', { value: id }, label)));
  const intents = new Map(); // plan id -> Intent: picking a plan begins an intent
  const intentFor = (id) => {
    if (!intents.has(id)) intents.set(id, new Intent());
    return intents.get(id);
  };
  intentFor(select.value);
  select.addEventListener('change', () => intentFor(select.value));
  const status = h('p.form-status', { role: 'status', 'aria-live': 'polite' });
  const button = h('button.btn', { type: 'submit' }, 'Change plan');
  const form = h('form.change-plan', {
    onsubmit: async (e) => {
      e.preventDefault();
      const id = select.value;
      button.disabled = true;
      status.className = 'form-status';
      status.textContent = 'Changing…';
      try {
        const reply = await intentFor(id).send((headers) =>
          app.session.call(payment.subscriptionChange, { plan: id }, { headers, timeout: PAY_TIMEOUT_MS }));
        intents.delete(id);
        if (reply.refresh) await app.refreshSession();
        const n = reply.subscription;
        toast(reply.invoice
          ? `Now on ${planName(plans, n.plan)}: ${formatMoney(reply.invoice.amount, reply.invoice.currency)} charged`
          : n.scheduled_plan
            ? `${planName(plans, n.scheduled_plan)} starts on ${formatDate(n.current_period_end)}`
            : `You stay on ${planName(plans, n.plan)}`);
        app.rerender();
      } catch (err) {
        if (err.status === 401) return;
        status.className = 'form-status error';
        status.textContent = errorText(err);
        button.disabled = false;
      }
    },
  },
  h('label.field', 'Change plan', select),
  h('p.small', 'A longer or dearer plan starts now: you pay its price less what is left of this period. A shorter or cheaper one starts when this period ends.'),
  button, status);
  return form;
}

function methodsSection(app, view, methods) {
  const s = view.subscription;
  const rescue = needsNewCard(s);
  const list = methods.length
    ? h('ul.methods', methods.map((m) => {
      const label = cardLabel(m);
      const makeDefault = m.default ? null : h('button.btn.small', {
        // The visible words first, as a screen reader's listener hears them (axe: label-content-name-mismatch).
        'aria-label': `Make default: ${label}`,
        onclick: () => act(app, makeDefault, async () => {
          await app.session.call(payment.methodDefault, { id: m.id });
          if (!rescue) return toast(`${label} is the default now`);
          const outcome = retryOutcome(await awaitRetry(app, s), m);
          toast(outcome.text, { error: outcome.error });
        }),
      }, 'Make default');
      const remove = h('button.btn.small.danger', {
        'aria-label': `Remove ${label}`,
        onclick: () => act(app, remove, () => app.session.call(payment.methodRemove, { id: m.id }), `Removed ${label}`),
      }, 'Remove');
      return h('li.method', { dataset: { methodId: m.id } },
        icon('card'),
        h('div.method-main', h('div.method-name', label), h('div.muted.small', `Expires ${expiryLabel(m)}`)),
        cardExpired(m) ? h('span.badge.warn', 'Expired') : null,
        m.default ? h('span.badge.accent', 'Default') : null,
        makeDefault, remove);
    }))
    : h('p.empty', 'No cards yet.');

  const fields = cardFields();
  const makeDefault = h('input', { type: 'checkbox', name: 'make_default', checked: rescue || !methods.length });
  const status = h('p.form-status', { role: 'status', 'aria-live': 'polite' });
  const submit = h('button.btn.primary', { type: 'submit' }, 'Add card');
  const form = h('form.add-card.hidden', {
    'aria-label': 'Add a card',
    onsubmit: async (e) => {
      e.preventDefault();
      const read = fields.read();
      if (read.error) {
        status.className = 'form-status error';
        status.textContent = errorText({ code: read.error });
        fields.mark(read.error);
        return;
      }
      submit.disabled = true;
      status.className = 'form-status';
      status.textContent = 'Checking your card…';
      try {
        const m = await addCard(app, read.body, makeDefault.checked);
        fields.clear();
        if (rescue && makeDefault.checked) {
          status.textContent = 'Charging your card…';
          const outcome = retryOutcome(await awaitRetry(app, s), m);
          toast(outcome.text, { error: outcome.error });
        } else {
          toast(`Added ${cardLabel(m)}`);
        }
        app.rerender();
      } catch (err) {
        if (err.status === 401) return;
        status.className = 'form-status error';
        status.textContent = errorText(err);
        submit.disabled = false;
        fields.mark(err.code);
      }
    },
  },
  fields.node,
  h('label.check', makeDefault, rescue ? 'Make it the default (it is charged at once for your subscription)' : 'Make it the default (renewals charge it)'),
  h('div.actions', submit), status, testCards());
  const toggle = h('button.btn', {
    id: 'add-card', 'aria-expanded': 'false',
    onclick: () => {
      const open = form.classList.toggle('hidden') === false;
      toggle.setAttribute('aria-expanded', String(open));
      if (open) fields.inputs.number.focus();
    },
  }, icon('add'), 'Add a card');
  if (rescue) {
    form.classList.remove('hidden');
    toggle.setAttribute('aria-expanded', 'true');
  }
  return h('section.panel', { 'aria-labelledby': 'methods-heading' },
    h('h2', { id: 'methods-heading' }, 'Payment methods'), list, h('div.actions', toggle), form);
}

function invoicesSection(app, first) {
  const body = h('tbody');
  const more = h('button.btn.small.hidden', 'Show more');
  let next = first.next;
  const row = (inv) => {
    const detail = h('tr.invoice-lines.hidden', h('td', { colSpan: 5 }));
    const view = h('button.btn.small.ghost', {
      'aria-expanded': 'false', 'aria-label': `Details of invoice ${inv.number}`,
      onclick: async () => {
        const open = detail.classList.contains('hidden');
        view.setAttribute('aria-expanded', String(open));
        if (!open) return detail.classList.add('hidden');
        try {
          const full = await app.session.call(payment.invoiceGet, { number: inv.number });
          detail.firstChild.replaceChildren(h('ul.lines', full.lines.map((l) =>
            h('li', h('span', l.description), h('span.amount', formatMoney(l.amount, full.currency))))),
          h('div.muted.small', `Charge ${full.charge}`));
          detail.classList.remove('hidden');
        } catch (err) {
          showError(err);
          view.setAttribute('aria-expanded', 'false');
        }
      },
    }, 'Details');
    return [h('tr', { dataset: { invoice: String(inv.number) } },
      h('td', `#${inv.number}`),
      h('td.date', formatDate(inv.issued_at)),
      h('td', inv.lines[0]?.description ?? '', inv.lines.length > 1 ? h('span.muted', ` and ${inv.lines.length - 1} more`) : null),
      h('td.amount', formatMoney(inv.amount, inv.currency)),
      h('td', view)), detail];
  };
  const add = (invoices) => {
    // Newest first, as the service lists them.
    for (const inv of [...invoices].sort((a, b) => b.number - a.number)) body.append(...row(inv));
    more.classList.toggle('hidden', !next);
  };
  more.addEventListener('click', async () => {
    more.disabled = true;
    try {
      const page = await app.session.call(payment.invoiceList, { limit: 20, cursor: next });
      next = page.next;
      add(page.invoices);
    } catch (err) {
      showError(err);
    }
    more.disabled = false;
  });
  add(first.invoices);
  return h('section.panel', { 'aria-labelledby': 'invoices-heading' },
    h('h2', { id: 'invoices-heading' }, 'Invoices'),
    first.invoices.length
      ? h('div.table-wrap', h('table.invoices',
        h('thead', h('tr', h('th', { scope: 'col' }, 'Number'), h('th', { scope: 'col' }, 'Date'), h('th', { scope: 'col' }, 'Description'),
          h('th.amount', { scope: 'col' }, 'Amount'), h('th', h('span.visually-hidden', 'Details')))),
        body))
      : h('p.empty', 'No invoices yet.'),
    more);
}

// ---- the banner --------------------------------------------------------

/** "Your last payment failed — update your card", while a renewal is past due or unpaid; else nothing. */
export function banner(view) {
  if (!needsNewCard(view?.subscription)) return null;
  return h('div.banner', { role: 'alert' },
    icon('card'),
    h('a', { href: '#/account' }, view.subscription.action_required
      ? 'Your bank asks you to confirm your renewal payment'
      : 'Your last payment failed — update your card'));
}
