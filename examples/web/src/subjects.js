// Every subject the player calls, from subjects.md; the only place they are spelled.
// The web user may publish only these (the browser subjects the auth callout grants).

export const auth = {
  register: 'chorus.auth.v1.user.register',
  login: 'chorus.auth.v1.session.login',
  refresh: 'chorus.auth.v1.session.refresh',
  logout: 'chorus.auth.v1.session.logout',
  me: 'chorus.auth.v1.user.me',
  passwordChange: 'chorus.auth.v1.password.change',
  sessionList: 'chorus.auth.v1.session.list',
  sessionEnd: 'chorus.auth.v1.session.end',
  sessionEndOthers: 'chorus.auth.v1.session.end_others',
  accountClose: 'chorus.auth.v1.account.close',
};

export const catalog = {
  trackGet: 'chorus.catalog.v1.track.get',
  trackBatch: 'chorus.catalog.v1.track.batch',
  trackList: 'chorus.catalog.v1.track.list',
  albumGet: 'chorus.catalog.v1.album.get',
  albumList: 'chorus.catalog.v1.album.list',
  albumBrowse: 'chorus.catalog.v1.album.browse',
  artistGet: 'chorus.catalog.v1.artist.get',
  artistList: 'chorus.catalog.v1.artist.list',
  artistBrowse: 'chorus.catalog.v1.artist.browse',
  genreList: 'chorus.catalog.v1.genre.list',
  artGet: 'chorus.catalog.v1.art.get',
};

export const search = {
  query: 'chorus.search.v1.catalog.query',
  suggest: 'chorus.search.v1.catalog.suggest',
};

export const profile = {
  playlistCreate: 'chorus.profile.v1.playlist.create',
  playlistGet: 'chorus.profile.v1.playlist.get',
  playlistList: 'chorus.profile.v1.playlist.list',
  playlistUpdate: 'chorus.profile.v1.playlist.update',
  playlistDelete: 'chorus.profile.v1.playlist.delete',
  favoriteSet: 'chorus.profile.v1.favorite.set',
  favoriteList: 'chorus.profile.v1.favorite.list',
  playRecent: 'chorus.profile.v1.play.recent',
  playCounts: 'chorus.profile.v1.play.counts',
  playAlbums: 'chorus.profile.v1.play.albums',
  playHistory: 'chorus.profile.v1.play.history',
  ratingList: 'chorus.profile.v1.rating.list',
  queueSave: 'chorus.profile.v1.queue.save',
  queueGet: 'chorus.profile.v1.queue.get',
};

export const stream = {
  open: 'chorus.stream.v1.session.open',
  chunk: 'chorus.stream.v1.chunk.get',
  progress: 'chorus.stream.v1.session.progress',
};

export const payment = {
  planList: 'chorus.payment.v1.plan.list',
  methodAdd: 'chorus.payment.v1.method.add',
  methodList: 'chorus.payment.v1.method.list',
  methodRemove: 'chorus.payment.v1.method.remove',
  methodDefault: 'chorus.payment.v1.method.default',
  subscriptionCreate: 'chorus.payment.v1.subscription.create',
  subscriptionGet: 'chorus.payment.v1.subscription.get',
  subscriptionCancel: 'chorus.payment.v1.subscription.cancel',
  subscriptionResume: 'chorus.payment.v1.subscription.resume',
  subscriptionChange: 'chorus.payment.v1.subscription.change',
  subscriptionConfirm: 'chorus.payment.v1.subscription.confirm',
  billingGet: 'chorus.payment.v1.billing.get',
  billingUpdate: 'chorus.payment.v1.billing.update',
  invoiceList: 'chorus.payment.v1.invoice.list',
  invoiceGet: 'chorus.payment.v1.invoice.get',
};

export const recommend = {
  userMix: 'chorus.recommend.v1.user.mix',
  trackSimilar: 'chorus.recommend.v1.track.similar',
  artistSimilar: 'chorus.recommend.v1.artist.similar',
  artistTop: 'chorus.recommend.v1.artist.top',
  radioStart: 'chorus.recommend.v1.radio.start',
  radioNext: 'chorus.recommend.v1.radio.next',
};

/** The header a write that moves money needs (subjects.md, payment: Idempotency). */
export const IDEMPOTENCY_KEY = 'Chorus-Idempotency-Key';

/** A name a listener understands, for error messages: "search", "your library". */
export function serviceName(subject) {
  const service = subject.split('.')[1];
  return (
    {
      auth: 'sign-in',
      catalog: 'catalog',
      search: 'search',
      profile: 'library',
      stream: 'streaming',
      payment: 'payments',
      recommend: 'recommendations',
    }[service] ?? service
  );
}
