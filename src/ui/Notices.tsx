import { dismiss, holdNotice } from '../services/notices';
import { useApp } from '../store/store';

/**
 * Errors and notes, as text (never HTML), in the page's flow above the work area: they push the
 * page down instead of covering its controls. Notes and warnings go by themselves once read;
 * errors stay until closed.
 */
export function Notices() {
  const notices = useApp((s) => s.notices);
  return (
    <div className="notices" aria-live="polite">
      {notices.map((n) => (
        <div
          key={n.id}
          className={`notice ${n.level}`}
          role={n.level === 'error' ? 'alert' : 'status'}
          data-testid="notice"
          data-level={n.level}
          onMouseEnter={() => holdNotice(n.id, true)}
          onMouseLeave={() => holdNotice(n.id, false)}
          onFocus={() => holdNotice(n.id, true)}
          onBlur={() => holdNotice(n.id, false)}
        >
          <span>{n.text}</span>
          <button aria-label="Dismiss this message" onClick={() => dismiss(n.id)}>
            ×
          </button>
        </div>
      ))}
    </div>
  );
}
