// What playing a track gives a listener, known before it is clicked (no DOM here: unit-tested).

/** Whether the catalog has audio for `track` (`audio_object`; a track without the field is given the benefit of the doubt). */
export function hasAudio(track) {
  return track?.audio_object !== null;
}

/** The UTC day of `now`, `YYYY-MM-DD`: the stream service counts free full plays per UTC day. */
export function utcDay(now = new Date()) {
  return now.toISOString().slice(0, 10);
}

/**
 * Whether new plays are 30-second previews: a listener who is not premium,
 * whose full plays for today are used up (the stream service answered
 * "preview" on `previewDay`, and it is still that UTC day).
 */
export function previewsNow(plan, previewDay, now = new Date()) {
  return plan !== 'premium' && previewDay !== null && previewDay === utcDay(now);
}

/** 'none' (no audio), 'preview' (the plan only previews it today) or 'full'. */
export function trackAvailability(track, previews) {
  if (!hasAudio(track)) return 'none';
  return previews ? 'preview' : 'full';
}
