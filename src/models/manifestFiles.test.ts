import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { checkFileOrigins, ManifestError, parseManifest, pickDtype, type Manifest } from './manifest';

const colours = () =>
  JSON.parse(readFileSync('public/models/colours/ovseg.json', 'utf8')) as Record<string, unknown>;

describe('checkFileOrigins', () => {
  const HUB = 'https://hub.example';
  const BASE = 'https://models.example/bundles/x/ovseg.json';
  const withText = (file: string, repo?: string): Manifest =>
    parseManifest({ ...colours(), text: { files: { fp32: file }, ...(repo && { repo }) } });

  it('allows files beside the manifest, on its origin, and on the hub', () => {
    for (const f of [
      'text.onnx',
      '../other/text.onnx',
      '/root.onnx',
      'https://models.example/a.onnx',
      'https://hub.example/o/n/resolve/main/t.onnx',
    ])
      expect(() => checkFileOrigins(withText(f), BASE, HUB)).not.toThrow();
    expect(() => checkFileOrigins(withText('onnx/text.onnx', 'owner/name'), BASE, HUB)).not.toThrow();
  });

  it('refuses files on a third origin, naming the field', () => {
    expect(() => checkFileOrigins(withText('https://evil.example/t.onnx'), BASE, HUB)).toThrow(
      /"text\.files\.fp32" points to https:\/\/evil\.example/,
    );
    expect(() => checkFileOrigins(withText('http://models.example/t.onnx'), BASE, HUB)).toThrow(
      ManifestError,
    );
    expect(() => checkFileOrigins(withText('https://evil.example/t.onnx', 'owner/name'), BASE, HUB)).toThrow(
      ManifestError,
    );
    const tok = parseManifest({ ...colours(), tokenizer: { json: 'https://evil.example/tokenizer.json' } });
    expect(() => checkFileOrigins(tok, BASE, HUB)).toThrow(/"tokenizer\.json"/);
  });

  it('without a URL base (files from disk), allows relative paths and the hub only', () => {
    expect(() => checkFileOrigins(withText('text.onnx'), null, HUB)).not.toThrow();
    expect(() => checkFileOrigins(withText('https://hub.example/t.onnx'), null, HUB)).not.toThrow();
    expect(() => checkFileOrigins(withText('https://models.example/t.onnx'), null, HUB)).toThrow(
      ManifestError,
    );
  });
});

describe('pickDtype', () => {
  const files = { fp32: 'a.onnx', fp16: 'b.onnx', q8: 'c.onnx' };

  it('picks the first preferred dtype the bundle has', () => {
    expect(pickDtype(files, ['q8', 'fp32', 'fp16'])).toBe('q8');
    expect(pickDtype(files, ['fp32', 'fp16', 'q8'])).toBe('fp32');
    expect(pickDtype({ fp16: 'b.onnx', fp32: 'a.onnx' }, ['q4f16', 'q8', 'fp16', 'fp32'])).toBe('fp16');
    expect(pickDtype({ fp32: 'a.onnx' }, ['q8', 'fp16', 'fp32'])).toBe('fp32');
  });

  it('falls back to the first listed file when no preference matches', () => {
    expect(pickDtype({ fp16: 'b.onnx', fp32: 'a.onnx' }, ['q8'])).toBe('fp16');
    expect(pickDtype({ q8: 'c.onnx' }, [])).toBe('q8');
  });

  it('throws a ManifestError when there is no file at all', () => {
    expect(() => pickDtype({}, ['fp32'])).toThrow(ManifestError);
  });
});
