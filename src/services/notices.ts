import { selectStatusState } from '../store/selectors';
import { useApp, type Notice } from '../store/store';

let noticeId = 1;

/**
 * How long a message stays before it goes by itself: long enough to read (a second per 15
 * characters on top of a base). Errors stay until they are closed: each says something failed.
 */
const lifetimeMs = (n: Pick<Notice, 'level' | 'text'>): number | null =>
  n.level === 'error' ? null : (n.level === 'warning' ? 10_000 : 6_000) + (n.text.length / 15) * 1000;

/** Messages whose time is up but that the pointer or the keyboard is on: they go when left. */
const held = new Set<number>();

/**
 * Dismisses a message after `full` ms of a settled page: time spent while a model loads or a
 * picture is segmented does not count (the whole reading time starts again once the page is ready:
 * a note about a picture is read beside its result), nor does time the message is held.
 */
function expire(id: number, full: number): void {
  // Sampled often, so a page that was busy until just before the time is up still gets the whole
  // reading time: only an unbroken stretch of `full` ms of a ready page dismisses (once not held).
  const STEP_MS = 250;
  let readyMs = 0;
  const tick = () =>
    setTimeout(() => {
      const s = useApp.getState();
      if (!s.notices.some((n) => n.id === id)) return;
      if (selectStatusState(s) !== 'ready') readyMs = 0;
      else readyMs += STEP_MS;
      if (readyMs >= full && !held.has(id)) dismiss(id);
      else tick();
    }, STEP_MS);
  tick();
}

/** Adds a message; the same text is not repeated while it is on screen. */
export function notify(level: Notice['level'], text: string): void {
  const { notices } = useApp.getState();
  if (notices.some((n) => n.text === text)) return;
  const id = noticeId++;
  useApp.setState({ notices: [...notices.slice(-4), { id, level, text }] });
  const ms = lifetimeMs({ level, text });
  if (ms !== null) expire(id, ms);
}

/** Removes a message (its close button, or its time is up). */
export function dismiss(id: number): void {
  held.delete(id);
  useApp.setState((s) => ({ notices: s.notices.filter((n) => n.id !== id) }));
}

/** The pointer or focus is on a message (true) or has left it (false). */
export function holdNotice(id: number, on: boolean): void {
  if (on) held.add(id);
  else held.delete(id);
}
