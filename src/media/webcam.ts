/** Camera access with messages a person can act on. */
import { CameraUnavailableError } from '../errors';

export interface CameraInfo {
  deviceId: string;
  label: string;
}

export async function listCameras(): Promise<CameraInfo[]> {
  if (!navigator.mediaDevices?.enumerateDevices) return [];
  const devices = await navigator.mediaDevices.enumerateDevices();
  return devices
    .filter((d) => d.kind === 'videoinput')
    .map((d, i) => ({ deviceId: d.deviceId, label: d.label || `Camera ${i + 1}` }));
}

export async function openCamera(deviceId: string | null): Promise<MediaStream> {
  if (!navigator.mediaDevices?.getUserMedia)
    throw new CameraUnavailableError(
      'This browser gives no camera access here (a secure context, https or localhost, is needed).',
    );
  try {
    return await navigator.mediaDevices.getUserMedia({
      video: deviceId ? { deviceId: { exact: deviceId } } : { width: { ideal: 640 }, height: { ideal: 480 } },
      audio: false,
    });
  } catch (e) {
    const name = (e as DOMException).name;
    if (name === 'NotAllowedError' || name === 'SecurityError')
      throw new CameraUnavailableError(
        'Camera permission was denied. Allow camera access for this page and try again.',
      );
    if (name === 'NotFoundError' || name === 'OverconstrainedError')
      throw new CameraUnavailableError('No camera was found. Plug one in, or keep using still images.');
    if (name === 'NotReadableError')
      throw new CameraUnavailableError('The camera is in use by another program or could not start.');
    throw new CameraUnavailableError(`The camera could not start: ${(e as Error).message}`);
  }
}

/** Stops every track, which releases the device (the camera light goes off). */
export function closeCamera(stream: MediaStream | null): void {
  stream?.getTracks().forEach((t) => t.stop());
}
