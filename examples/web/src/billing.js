// The pure parts of paying (no DOM; unit-tested): money from integer minor
// units, plan and status words, dates, and idempotency keys, one per intent
// (subjects.md, payment). The pages are in payment.js.
import { IDEMPOTENCY_KEY } from './subjects.js';

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

/** A random (version 4) uuid; crypto.randomUUID needs a secure context, getRandomValues does not. */
export function uuid() {
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6] & 0x0f) | 0x40;
  b[8] = (b[8] & 0x3f) | 0x80;
  const x = Array.from(b, (v) => HEX[v]).join('');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20)}`;
}

/** How many minor units a currency's major unit has, in digits: EUR 2, JPY 0, KWD 3. */
export function minorDigits(currency) {
  try {
    return new Intl.NumberFormat('en', { style: 'currency', currency }).resolvedOptions().maximumFractionDigits;
  } catch {
    return 2;
  }
}

/**
 * `amount` minor units of `currency` for people: formatMoney(999, 'EUR') is
 * "€9.99" in English, "9,99 €" in German. The amount goes to Intl as an exact
 * decimal string, never through a float division.
 */
export function formatMoney(amount, currency, locale = undefined) {
  const digits = minorDigits(currency);
  const minor = Math.trunc(Number(amount) || 0);
  const units = String(Math.abs(minor)).padStart(digits + 1, '0');
  const decimal = `${minor < 0 ? '-' : ''}${digits ? `${units.slice(0, -digits)}.${units.slice(-digits)}` : units}`;
  try {
    return new Intl.NumberFormat(locale, { style: 'currency', currency }).format(decimal);
  } catch {
    return `${decimal} ${currency}`;
  }
}

export const isFree = (plan) => plan.tier === 'free' || plan.interval === 'none' || plan.amount <= 0;

const PER = { month: 'month', year: 'year' };

/** "€9.99 / month", or "Free". */
export function priceLabel(plan, locale) {
  if (isFree(plan)) return 'Free';
  const per = PER[plan.interval];
  return `${formatMoney(plan.amount, plan.currency, locale)}${per ? ` / ${per}` : ''}`;
}

/**
 * What a yearly plan saves against twelve months of the monthly plan of the
 * same tier and currency, in whole percent; null when there is nothing to compare.
 */
export function yearlySaving(plans, plan) {
  if (plan.interval !== 'year') return null;
  const monthly = plans.find((p) => p.interval === 'month' && p.tier === plan.tier && p.currency === plan.currency);
  if (!monthly || monthly.amount <= 0) return null;
  const saving = Math.floor((100 * (12 * monthly.amount - plan.amount)) / (12 * monthly.amount));
  return saving > 0 ? saving : null;
}

export const STATUS_LABEL = {
  incomplete: 'Waiting for confirmation',
  incomplete_expired: 'Never confirmed',
  trialing: 'Trial',
  active: 'Active',
  past_due: 'Past due',
  canceled: 'Canceled',
  unpaid: 'Unpaid',
};

export const statusLabel = (status) => STATUS_LABEL[status] ?? status;

/** Whether a subscription still charges or may charge (the service's `live`): another cannot be created. */
export const isLive = (s) => !!s && ['active', 'trialing', 'past_due', 'unpaid', 'incomplete'].includes(s.status);

/** A renewal failed: the banner asks for another card. */
export const needsNewCard = (s) => !!s && (s.status === 'past_due' || s.status === 'unpaid');

/**
 * The plan the listener is on, from `subscription.get`: the subscription's
 * while it entitles them to something, else the free plan.
 */
export function currentPlanId(plans, view) {
  const s = view?.subscription;
  if (s && view.entitlement !== 'free' && s.status !== 'incomplete' && s.status !== 'incomplete_expired') return s.plan;
  return plans.find(isFree)?.id ?? null;
}

/** A date for people: "1 December 2026" (in the page's language). */
export function formatDate(ms, locale = undefined) {
  if (!Number.isFinite(ms) || ms <= 0) return '';
  return new Date(ms).toLocaleDateString(locale, { year: 'numeric', month: 'long', day: 'numeric' });
}

/** "Visa •••• 4242". */
export function cardLabel(m) {
  const brand = { visa: 'Visa', mastercard: 'Mastercard', amex: 'American Express', discover: 'Discover' }[m.brand] ?? 'Card';
  return `${brand} •••• ${m.last4}`;
}

/** "12/28". */
export const expiryLabel = (m) => `${String(m.exp_month).padStart(2, '0')}/${String(m.exp_year).slice(-2)}`;

/** Whether a card's expiry month is over. */
export function cardExpired(m, now = new Date()) {
  const y = now.getFullYear();
  return m.exp_year < y || (m.exp_year === y && m.exp_month < now.getMonth() + 1);
}

/** A card number as typed, in groups of four: "4242 4242 4242 4242" (American Express 4-6-5). */
export function groupCardNumber(value) {
  const digits = String(value).replace(/\D/g, '').slice(0, 19);
  const groups = /^3[47]/.test(digits) ? [4, 6, 5] : [4, 4, 4, 4, 3];
  const out = [];
  let i = 0;
  for (const n of groups) {
    if (i >= digits.length) break;
    out.push(digits.slice(i, i + n));
    i += n;
  }
  return out.join(' ');
}

/** A two- or four-digit year as four digits ("28" -> 2028). */
export function fullYear(value) {
  const y = Number(String(value).trim());
  if (!Number.isInteger(y)) return NaN;
  return y < 100 ? 2000 + y : y;
}

// Codes the page makes itself for a request that may never have arrived.
const TRANSPORT = new Set(['timeout', 'disconnected', 'no_responders', 'not_permitted']);

/**
 * Whether the service kept this answer under the key (subjects.md: the same
 * key with the same request replays the first reply, errors included; a 5xx
 * or a `conflict` is not kept, and `request_in_progress` means the first
 * request still runs). A kept answer is final: the next attempt is a new intent.
 */
export function keptByService(err) {
  if (!err || TRANSPORT.has(err.code)) return false;
  if (!Number.isFinite(err.status)) return false;
  return err.status < 500 && err.code !== 'conflict' && err.code !== 'request_in_progress';
}

/** Whether trying again with the same key may get another answer: it is still running, or it never finished. */
export function retryable(err) {
  if (!err) return false;
  if (err.code === 'not_permitted') return false;
  return TRANSPORT.has(err.code) || err.code === 'conflict' || err.code === 'request_in_progress' || err.status >= 500;
}

/**
 * One intent to pay (the checkout form, a confirm button, a plan change): one
 * idempotency key, made when the intent begins and sent with every attempt,
 * so a retry after a timeout or a 503 is charged at most once. After an
 * answer the service keeps (a success, or a refusal such as a declined card)
 * the key is spent and the next attempt gets a new one.
 */
export class Intent {
  constructor(makeKey = uuid) {
    this.makeKey = makeKey;
    this.key = makeKey();
  }

  get headers() {
    return { [IDEMPOTENCY_KEY]: this.key };
  }

  /** Start a new intent: a new key. */
  renew() {
    this.key = this.makeKey();
  }

  /**
   * `send(headers)` with this intent's key; tried again (same key) while the
   * answer is retryable, `attempts` times in all, waiting a little longer
   * each time. A kept answer, success or refusal, renews the key.
   */
  async send(send, { attempts = 3, wait = (ms) => new Promise((r) => setTimeout(r, ms)) } = {}) {
    for (let i = 1; ; i++) {
      try {
        const reply = await send(this.headers);
        this.renew();
        return reply;
      } catch (err) {
        if (keptByService(err)) this.renew();
        else if (retryable(err) && i < attempts) {
          await wait(Math.min(500 * 2 ** (i - 1), 4000));
          continue;
        }
        throw err;
      }
    }
  }
}

/** The `plan` claim of an access token (a JWT), or null. */
export function tokenPlan(token) {
  try {
    const part = token.split('.')[1].replace(/-/g, '+').replace(/_/g, '/');
    const json = new TextDecoder().decode(Uint8Array.from(atob(part.padEnd(Math.ceil(part.length / 4) * 4, '=')), (c) => c.charCodeAt(0)));
    return JSON.parse(json).plan ?? null;
  } catch {
    return null;
  }
}
