import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { useApp } from '../store/store';
import { dismiss, holdNotice, notify } from './notices';

const texts = () => useApp.getState().notices.map((n) => n.text);
const ready = (on: boolean) => useApp.setState({ engineReady: on, busy: false, loadFailure: null });

describe('notices', () => {
  beforeEach(() => {
    vi.useFakeTimers();
    useApp.setState({ notices: [] });
    ready(true);
  });
  afterEach(() => vi.useRealTimers());

  it('notes and warnings go by themselves once read; errors stay until closed', () => {
    notify('info', 'a note');
    notify('warning', 'a warning');
    notify('error', 'an error');
    vi.advanceTimersByTime(6_000);
    expect(texts()).toEqual(['a note', 'a warning', 'an error']); // a second per 15 characters on top
    vi.advanceTimersByTime(2_000);
    expect(texts()).toEqual(['a warning', 'an error']);
    vi.advanceTimersByTime(10_000);
    expect(texts()).toEqual(['an error']);
    vi.advanceTimersByTime(600_000);
    expect(texts()).toEqual(['an error']);
    dismiss(useApp.getState().notices[0]!.id);
    expect(texts()).toEqual([]);
  });

  it('counts no time while a model loads or a picture is segmented: the reading time starts once ready', () => {
    ready(false);
    notify('info', 'scaled while decoding');
    vi.advanceTimersByTime(60_000);
    expect(texts()).toEqual(['scaled while decoding']);
    useApp.setState({ engineReady: true, busy: true });
    vi.advanceTimersByTime(60_000);
    expect(texts()).toEqual(['scaled while decoding']);
    ready(true);
    vi.advanceTimersByTime(6_000);
    expect(texts()).toEqual(['scaled while decoding']);
    vi.advanceTimersByTime(3_000);
    expect(texts()).toEqual([]);
  });

  it('gives the whole reading time after a segmentation that ends just before the time is up', () => {
    notify('info', 'huge.png was scaled');
    useApp.setState({ busy: true });
    vi.advanceTimersByTime(7_000); // the note's reading time is 7.3 s
    ready(true);
    vi.advanceTimersByTime(7_000);
    expect(texts()).toEqual(['huge.png was scaled']);
    vi.advanceTimersByTime(500);
    expect(texts()).toEqual([]);
  });

  it('keeps a message the pointer or focus is on, and lets it go when left', () => {
    notify('info', 'held');
    const id = useApp.getState().notices[0]!.id;
    holdNotice(id, true);
    vi.advanceTimersByTime(60_000);
    expect(texts()).toEqual(['held']);
    holdNotice(id, false);
    vi.advanceTimersByTime(1_000);
    expect(texts()).toEqual([]);
  });

  it('does not repeat a message that is on screen', () => {
    notify('error', 'same');
    notify('error', 'same');
    expect(texts()).toEqual(['same']);
  });
});
