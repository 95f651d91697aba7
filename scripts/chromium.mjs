// Flags for Debian's Chromium as root in a closed network, with real WebGPU on SwiftShader.
// - --no-sandbox: Chromium refuses to run as root otherwise.
// - background-networking/component-update/sync/quic off: the closed network otherwise floods the log.
// - WebGPU works headless on the bundled SwiftShader Vulkan with exactly these four flags and
//   *without* --disable-gpu; with --enable-unsafe-webgpu alone the first dataSync() returns
//   garbage and loses the device.
export const WEBGPU_FLAGS = ['--enable-unsafe-webgpu', '--enable-features=Vulkan', '--use-vulkan=swiftshader', '--use-angle=swiftshader'];

/** Chromium command-line flags; `webgpu: false` launches a browser without WebGPU. */
export function chromiumArgs({ userDataDir, webgpu = true } = {}) {
  return [
    '--no-sandbox',
    '--disable-background-networking',
    '--disable-component-update',
    '--disable-sync',
    '--disable-quic',
    '--no-first-run',
    '--disable-dev-shm-usage',
    ...(userDataDir ? [`--user-data-dir=${userDataDir}`] : []),
    ...(webgpu ? WEBGPU_FLAGS : []),
  ];
}
