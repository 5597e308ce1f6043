import { describe, expect, it } from 'vitest';
import { ADDRESS_BUDGET, DEFAULT_HUB, readConfig, resolveHttpUrl, withParam } from './config';

const PAGE = 'https://app.example/ovseg/?ep=wasm';
const read = (search: string) => readConfig(search, PAGE);

describe('readConfig', () => {
  it('takes what each parameter documents', () => {
    const c = read(
      '?model=clipseg-rd64-refined&ep=webgpu&dtype=fp16&hub=https://mirror.example/hf&classes=sky,grass',
    );
    expect(c).toMatchObject({
      model: 'clipseg-rd64-refined',
      ep: 'webgpu',
      dtype: 'fp16',
      hub: 'https://mirror.example/hf',
      classes: 'sky,grass',
      problems: [],
    });
    expect(read('?model=embedded&ep=wasm&dtype=q8').model).toBe('embedded');
    expect(read('').problems).toEqual([]);
    expect(read('').model).toBeNull();
    expect(read('').hub).toBe(DEFAULT_HUB);
  });

  it('resolves a relative manifest URL against the page', () => {
    expect(read('?model=models/x/ovseg.json').model).toBe('https://app.example/ovseg/models/x/ovseg.json');
    expect(read('?model=/other/ovseg.json').model).toBe('https://app.example/other/ovseg.json');
    expect(read('?model=http://models.example/a/ovseg.json').model).toBe(
      'http://models.example/a/ovseg.json',
    );
    expect(read('?model=models/x/ovseg.json').problems).toEqual([]);
  });

  it('refuses javascript:, data: and other non-http(s) manifest addresses, with a message', () => {
    for (const bad of [
      'javascript:alert(1)',
      'data:application/json,{}',
      'blob:https://x/1',
      'file:///etc/x',
      'http://',
    ]) {
      const c = read(`?${new URLSearchParams({ model: bad })}`);
      expect(c.model).toBe('embedded');
      expect(c.problems).toHaveLength(1);
      expect(c.problems[0]).toMatch(/^\?model=.* is neither a model name .* nor an http\(s\) address/);
    }
  });

  it('refuses an unknown backend, file variant or hub, with a message each', () => {
    const c = read('?ep=cuda&dtype=int4&hub=javascript:alert(1)');
    expect(c.ep).toBeNull();
    expect(c.dtype).toBeUndefined();
    expect(c.hub).toBe(DEFAULT_HUB);
    expect(c.problems).toEqual([
      '?ep="cuda" is not a backend (wasm or webgpu): choosing one automatically.',
      '?dtype="int4" is not a file variant (fp32, fp16, q8, q4f16): choosing one automatically.',
      `?hub="javascript:alert(1)" is not an http(s) address: using ${DEFAULT_HUB}.`,
    ]);
  });

  it('takes the rule for classes with several names, and refuses others with a message', () => {
    expect(read('').settings).toEqual({});
    for (const r of ['auto', 'max', 'mean'] as const)
      expect(read(`?names=${r}`)).toMatchObject({ settings: { names: r }, problems: [] });
    const bad = read('?names=sum');
    expect(bad.settings).toEqual({});
    expect(bad.problems).toEqual([
      `?names="sum" is not a rule for classes with several names (auto, max, mean): using the model's default.`,
    ]);
  });

  it('resolves a relative hub against the page', () => {
    expect(read('?hub=/mirror').hub).toBe('https://app.example/mirror');
  });

  it('shows hostile values shortened and as text', () => {
    const c = read(`?${new URLSearchParams({ ep: `<img src=x onerror=alert(1)>${'x'.repeat(200)}` })}`);
    expect(c.problems[0]!.length).toBeLessThan(200);
    expect(c.problems[0]).toContain('"<img src=x onerror=alert(1)>');
  });

  it('takes a GPU buffer limit only with ?debug, and only a positive integer', () => {
    expect(read('?gpuBufferLimit=1000').gpuBufferLimit).toBeUndefined();
    expect(read('?debug&gpuBufferLimit=1000').gpuBufferLimit).toBe(1000);
    const bad = read('?debug&gpuBufferLimit=lots');
    expect(bad.gpuBufferLimit).toBeUndefined();
    expect(bad.problems[0]).toContain('gpuBufferLimit');
  });
});

describe('resolveHttpUrl', () => {
  it('resolves relative addresses and refuses other schemes', () => {
    expect(resolveHttpUrl(' a/b.json ', PAGE)).toBe('https://app.example/ovseg/a/b.json');
    expect(resolveHttpUrl('javascript:void 0', PAGE)).toBeNull();
    expect(resolveHttpUrl('data:,x', PAGE)).toBeNull();
    expect(resolveHttpUrl('https://[::1', PAGE)).toBeNull();
  });
});

describe('the address budget', () => {
  const base = 'https://app.example/ovseg/?model=embedded';

  it('keeps a value that fits, and takes out one that would pass the budget', () => {
    const short = withParam(base, 'classes', 'sky, grass');
    expect(short).toEqual({ href: `${base}&classes=sky%2C+grass`, kept: true });
    const long = 'a, '.repeat(ADDRESS_BUDGET / 3);
    expect(withParam(`${base}&classes=sky`, 'classes', long)).toEqual({ href: base, kept: false });
  });

  it('counts the encoded address, not the text: a vocabulary of symbols costs three times its length', () => {
    const fits = 'x'.repeat(ADDRESS_BUDGET - base.length - '&classes='.length);
    expect(withParam(base, 'classes', fits)).toMatchObject({ kept: true });
    expect(withParam(base, 'classes', `${fits}x`)).toMatchObject({ kept: false });
    const symbols = ','.repeat(Math.ceil(fits.length / 3) + 1); // each "%2C"
    expect(withParam(base, 'classes', symbols)).toMatchObject({ kept: false });
  });

  it('says when a link is over the budget, and still takes its vocabulary', () => {
    const classes = 'x'.repeat(ADDRESS_BUDGET);
    const href = `${base}&classes=${classes}`;
    const c = readConfig(`?model=embedded&classes=${classes}`, href);
    expect(c.classes).toBe(classes);
    expect(c.problems).toEqual([expect.stringContaining('over the 8.0 KB a shareable address may hold')]);
    expect(read('?classes=sky').problems).toEqual([]);
  });
});
