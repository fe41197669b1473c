/**
 * Builds the web app (web/) into dist/web: `npm run build:web`. The page imports the project's
 * own TypeScript through the stages' browser faces (src/STAGE/pure.ts: audio, runtime, serve,
 * report, models), which test/architecture.test.ts keeps free of Node built-ins; any Node
 * built-in import still fails the build. ONNX Runtime Web's WebAssembly binary is copied from
 * node_modules into dist/web/ort/, so the page loads nothing from elsewhere.
 */
import { readFileSync } from 'node:fs';
import { builtinModules, createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defaultClientConditions, defineConfig, type Plugin } from 'vite';

const webDir = dirname(fileURLToPath(import.meta.url));
const repo = resolve(webDir, '..');
/** ONNX Runtime Web files the page needs (the WebAssembly build without WebGPU). */
const ORT_FILES = ['ort-wasm-simd-threaded.wasm', 'ort-wasm-simd-threaded.mjs'];
/** Where they go in the build (web/src/ort.ts points ONNX Runtime there). */
const ORT_OUT_DIR = 'ort';

/**
 * audio-decode's codecs the page needs: those of the containers src/audio decodes (WAV, FLAC,
 * MP3, Ogg Vorbis, Ogg Opus). Its other codecs (AAC, WMA, tracker modules, …, several MB) are
 * never reached from src/audio and resolve to {@link NO_CODEC}; WebAudio decodes such files.
 */
const BUNDLED_CODECS = new Set([
  '@audio/decode-wav',
  '@audio/decode-flac',
  '@audio/decode-mp3',
  '@audio/decode-vorbis',
  '@audio/decode-opus',
]);
const NO_CODEC = '\0trustser-no-codec';

/** Leaves out the codecs above and refuses Node built-ins (a clear build error naming the importer). */
function browserOnly(): Plugin {
  const builtins = new Set([...builtinModules, ...builtinModules.map((m) => `node:${m}`)]);
  return {
    name: 'trustser-browser-only',
    enforce: 'pre',
    resolveId(source, importer) {
      if (source.startsWith('node:') || builtins.has(source)) {
        this.error(`${importer ?? '(entry)'} imports '${source}', which browsers lack; the web app may import browser-safe modules only`);
      }
      return source.startsWith('@audio/decode-') && !BUNDLED_CODECS.has(source) ? NO_CODEC : null;
    },
    load(id) {
      return id === NO_CODEC ? "export function decoder() { throw new Error('this codec is not part of the web build'); }" : null;
    },
  };
}

/** Emits the ONNX Runtime Web files from node_modules into the build (no CDN at run time). */
function copyOrtRuntime(): Plugin {
  const require = createRequire(import.meta.url);
  const dist = dirname(require.resolve('onnxruntime-web/ort-wasm-simd-threaded.wasm'));
  return {
    name: 'trustser-ort-runtime',
    apply: 'build',
    generateBundle() {
      for (const f of ORT_FILES) this.emitFile({ type: 'asset', fileName: `${ORT_OUT_DIR}/${f}`, source: readFileSync(join(dist, f)) });
    },
  };
}

export default defineConfig({
  root: webDir,
  base: './',
  publicDir: false,
  // ONNX Runtime Web's build that loads its .mjs/.wasm from ort.env.wasm.wasmPaths (the copies above).
  resolve: { conditions: [...defaultClientConditions, 'onnxruntime-web-use-extern-wasm'] },
  plugins: [browserOnly(), copyOrtRuntime()],
  build: {
    outDir: join(repo, 'dist', 'web'),
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 2048,
    reportCompressedSize: false,
  },
});
