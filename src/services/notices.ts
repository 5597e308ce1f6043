import { useApp, type Notice } from '../store/store';

let noticeId = 1;

/** Adds a message; the same text is not repeated while it is on screen. */
export function notify(level: Notice['level'], text: string): void {
  const { notices } = useApp.getState();
  if (notices.some((n) => n.text === text)) return;
  useApp.setState({ notices: [...notices.slice(-4), { id: noticeId++, level, text }] });
}

/** Removes a message (its close button). */
export function dismiss(id: number): void {
  useApp.setState((s) => ({ notices: s.notices.filter((n) => n.id !== id) }));
}
