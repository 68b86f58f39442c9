import {
  createContext,
  type FocusEvent,
  type ReactNode,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
} from 'react';
import {
  addNotice,
  dismissesItself,
  NOTICE_TIMEOUT_MS,
  type Notice,
  type NoticeTone,
  removeNotice,
} from '../lib/notices';
import { Icon, type IconName } from './Icon';
import './Notices.css';

/** Raises a transient notice: `notify.success('Expiry saved.')`. */
export interface Notify {
  /** Something the reader did worked; goes away after a few seconds. */
  success: (message: string) => void;
  /** Something worth knowing; goes away after a few seconds. */
  info: (message: string) => void;
  /** Something failed away from any form; stays until dismissed. */
  error: (message: string) => void;
}

const NotifyContext = createContext<Notify | null>(null);

/** The app's notices (see {@link NoticesProvider}); throws outside one. */
export function useNotify(): Notify {
  const notify = useContext(NotifyContext);
  if (!notify) throw new Error('useNotify() needs a <NoticesProvider> above it');
  return notify;
}

const ICON: Record<NoticeTone, IconName> = { success: 'check', info: 'info', error: 'alert' };

/**
 * Holds the notices raised with {@link useNotify} and shows them in a corner, announced to
 * screen readers (errors assertively, the others politely). Timers pause while the pointer or
 * focus is on a notice, so nothing goes away while it is being read or reached.
 */
export function NoticesProvider({ children }: { children: ReactNode }) {
  const [notices, setNotices] = useState<Notice[]>([]);
  const nextId = useRef(1);
  const notify = useMemo<Notify>(() => {
    const raise = (tone: NoticeTone) => (message: string) => {
      const id = nextId.current++;
      setNotices((list) => addNotice(list, tone, message, id));
    };
    return { success: raise('success'), info: raise('info'), error: raise('error') };
  }, []);
  const dismiss = useCallback((id: number) => setNotices((list) => removeNotice(list, id)), []);
  return (
    <NotifyContext.Provider value={notify}>
      {children}
      <NoticeStack notices={notices} onDismiss={dismiss} />
    </NotifyContext.Provider>
  );
}

function NoticeStack({
  notices,
  onDismiss,
}: {
  notices: Notice[];
  onDismiss: (id: number) => void;
}) {
  const [hovered, setHovered] = useState(false);
  const [focused, setFocused] = useState(false);
  // Where focus was before it came into a notice: it goes back there when that notice is closed.
  const cameFrom = useRef<HTMLElement | null>(null);
  const onFocus = (e: FocusEvent<HTMLDivElement>) => {
    setFocused(true);
    const from = e.relatedTarget;
    if (from instanceof HTMLElement && !e.currentTarget.contains(from)) cameFrom.current = from;
  };
  const onBlur = (e: FocusEvent<HTMLDivElement>) => {
    if (!e.currentTarget.contains(e.relatedTarget)) setFocused(false);
  };
  const close = (id: number) => {
    onDismiss(id);
    setFocused(false);
    if (cameFrom.current?.isConnected) cameFrom.current.focus();
  };
  const paused = hovered || focused;
  const item = (n: Notice) => (
    // A notice raised again is mounted anew, so that it is announced again.
    <NoticeItem
      key={`${n.id}.${n.raised}`}
      notice={n}
      paused={paused}
      onExpire={onDismiss}
      onClose={close}
    />
  );
  return (
    // The pointer and focus handlers only pause the timers; the notices' own buttons act.
    // biome-ignore lint/a11y/noStaticElementInteractions: pausing on hover has no keyboard equivalent to offer beyond onFocus, which is here
    <div
      className="notices"
      onMouseEnter={() => setHovered(true)}
      onMouseLeave={() => setHovered(false)}
      onFocus={onFocus}
      onBlur={onBlur}
    >
      <div className="notices-list" aria-live="assertive">
        {notices.filter((n) => !dismissesItself(n.tone)).map(item)}
      </div>
      <div className="notices-list" aria-live="polite">
        {notices.filter((n) => dismissesItself(n.tone)).map(item)}
      </div>
    </div>
  );
}

function NoticeItem({
  notice: n,
  paused,
  onExpire,
  onClose,
}: {
  notice: Notice;
  paused: boolean;
  /** Its time is up (focus is elsewhere: timers pause while it is on a notice). */
  onExpire: (id: number) => void;
  /** The reader closed it. */
  onClose: (id: number) => void;
}) {
  const transient = dismissesItself(n.tone);
  useEffect(() => {
    if (paused || !transient) return;
    const timer = setTimeout(() => onExpire(n.id), NOTICE_TIMEOUT_MS);
    return () => clearTimeout(timer);
  }, [paused, transient, n.id, onExpire]);
  return (
    <div className={`notice notice-${n.tone}`}>
      <Icon name={ICON[n.tone]} />
      <p className="notice-text">{n.message}</p>
      <button type="button" className="notice-close" onClick={() => onClose(n.id)}>
        <Icon name="close" />
        <span className="sr-only">Dismiss</span>
      </button>
    </div>
  );
}
