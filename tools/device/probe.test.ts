import { describe, expect, it } from 'vitest';
import {
  icdSearch,
  parseIcd,
  parseNvidiaVersion,
  parseSmi,
  probeText,
  verdict,
  type ProbeFacts,
} from './probe';

const NVIDIA_ICD =
  '{"file_format_version":"1.0.1","ICD":{"library_path":"libGLX_nvidia.so.0","api_version":"1.3.277"}}';
const LVP_ICD =
  '{"ICD":{"api_version":"1.4.305","library_path":"libvulkan_lvp.so"},"file_format_version":"1.0.0"}';

const facts = (o: Partial<ProbeFacts>): ProbeFacts => ({
  icdSource: 'default folders',
  icds: [],
  nvidiaModule: null,
  smi: null,
  loader: '/kit/lib/libvulkan.so.1',
  dawn: { error: 'Dawn found no GPU adapter' },
  ...o,
});

describe('the device probe', () => {
  it('reads ICD manifests and names their kind', () => {
    expect(parseIcd('n.json', NVIDIA_ICD)).toEqual({
      file: 'n.json',
      library: 'libGLX_nvidia.so.0',
      api: '1.3.277',
      kind: 'nvidia',
    });
    expect(parseIcd('l.json', LVP_ICD).kind).toBe('software');
    expect(parseIcd('r.json', '{"ICD":{"library_path":"libvulkan_radeon.so"}}').kind).toBe('other');
    expect(parseIcd('x.json', 'not json').kind).toBe('unreadable');
  });

  it('looks where the Vulkan loader looks', () => {
    expect(icdSearch({ VK_ICD_FILENAMES: '/a.json:/b.json' })).toEqual({
      source: 'VK_ICD_FILENAMES',
      paths: ['/a.json', '/b.json'],
    });
    expect(icdSearch({ VK_DRIVER_FILES: '/c.json', VK_ICD_FILENAMES: '/a.json' }).source).toBe(
      'VK_DRIVER_FILES',
    );
    expect(icdSearch({}).paths).toContain('/etc/vulkan/icd.d');
  });

  it("reads the NVIDIA driver's version file and nvidia-smi's CSV", () => {
    const proc =
      'NVRM version: NVIDIA UNIX x86_64 Kernel Module  550.54.15  Tue Mar  5 22:23:56 UTC 2024\nGCC version:  gcc 12';
    expect(parseNvidiaVersion(proc)).toBe('550.54.15');
    expect(
      parseNvidiaVersion('NVRM version: NVIDIA UNIX Open Kernel Module for x86_64  560.35.03  Release'),
    ).toBe('560.35.03');
    expect(parseNvidiaVersion('garbage')).toBeNull();
    expect(parseSmi('NVIDIA H100 80GB HBM3, 550.54.15, 81559 MiB\n\n')).toEqual([
      { name: 'NVIDIA H100 80GB HBM3', driver: '550.54.15', memory: '81559 MiB' },
    ]);
  });

  it('says what a GPU server without the Vulkan part of its driver lacks', () => {
    const v = verdict(
      facts({ nvidiaModule: '550.54.15', icds: [parseIcd('/usr/share/vulkan/icd.d/lvp_icd.json', LVP_ICD)] }),
    );
    expect(v.gpuReady).toBe(false);
    expect(v.lacks.join('\n')).toMatch(/NVIDIA Vulkan ICD \(nvidia_icd\.json\)/);
    expect(v.lacks.join('\n')).toMatch(/a Dawn adapter: Dawn found no GPU adapter/);
    expect(v.lacks.join('\n')).not.toMatch(/an NVIDIA GPU/);
  });

  it('calls a hardware adapter ready and a software one not', () => {
    const gpu = facts({
      nvidiaModule: '550.54.15',
      icds: [parseIcd('nvidia_icd.json', NVIDIA_ICD)],
      dawn: { adapter: 'NVIDIA H100 80GB HBM3, nvidia, hopper', isFallback: false },
    });
    expect(verdict(gpu)).toEqual({ gpuReady: true, lacks: [] });
    expect(probeText(gpu)).toMatch(/Verdict: ready/);
    const cpu = facts({
      icds: [parseIcd('lvp.json', LVP_ICD)],
      dawn: { adapter: 'llvmpipe', isFallback: true },
    });
    expect(verdict(cpu).gpuReady).toBe(false);
    expect(probeText(cpu)).toMatch(
      /lacks an NVIDIA GPU[\s\S]*lacks a hardware adapter: Dawn offers only llvmpipe/,
    );
  });

  it('says when there is no ICD manifest at all', () => {
    expect(verdict(facts({})).lacks.join('\n')).toMatch(/a Vulkan ICD manifest \(none in default folders\)/);
  });
});
