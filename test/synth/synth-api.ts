import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

/**
 * scripts/ is plain JavaScript with JSDoc types (it runs before any build). TypeScript reads those
 * types only with allowJs, which tsconfig.json does not set, so a static import would fail the
 * typecheck (TS7016). The tests load the modules by URL and declare here the parts they use.
 */
export const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');

const load = async <T>(relative: string): Promise<T> => (await import(pathToFileURL(path.join(repoRoot, relative)).href)) as T;

export interface EncodeOptions {
  format?: 'jpeg' | 'png';
  quality?: number;
  exif?: Record<string, string | Date>;
}

export interface Scenes {
  laneBackground(cameraId: string, options?: EncodeOptions & { timestamp?: string | Date }): Promise<Buffer>;
  vehicleCapture(spec: { seed: number; cameraId: string; plate: string; timestamp: string | Date } & EncodeOptions): Promise<Buffer>;
  plateCrop(spec: { seed: number; plate: string } & EncodeOptions): Promise<Buffer>;
  travelerPortrait(spec: { seed: number } & EncodeOptions): Promise<Buffer>;
  CAPTURE_WIDTH: number;
  CAPTURE_HEIGHT: number;
  PORTRAIT_WIDTH: number;
  PORTRAIT_HEIGHT: number;
  PLATE_CROP_WIDTH: number;
  PLATE_CROP_HEIGHT: number;
}

export type Transform = (input: Buffer, params?: Record<string, unknown>) => Promise<Buffer>;
export interface RobustnessCase {
  name: string;
  class: string;
  transform: string;
  params?: Record<string, unknown>;
}
export interface Transforms {
  transforms: Record<string, Transform>;
  ROBUSTNESS_CASES: readonly RobustnessCase[];
  applyCase(c: RobustnessCase, input: Buffer): Promise<Buffer>;
}

export interface PlateRead {
  read_id: string;
  captured_at: string;
  lane: number;
  camera: string;
  plate: string;
  confidence: string;
}
export interface Plates {
  PLATE_FORMATS: readonly string[];
  generatePlates(spec: { seed: number; count: number; exclude?: ReadonlySet<string> }): string[];
  plateReads(spec: { seed: number; count: number; plates: readonly string[]; month?: string }): PlateRead[];
  plateReadsCsv(rows: readonly PlateRead[]): string;
}

export interface ExampleText {
  spellPlate(plate: string, variant: number): string;
  gatewayLog(spec: { seed: number; agency: readonly string[]; other: readonly string[]; start: Date }): { text: string; agencyPlates: number };
}

export interface Zip {
  writeZip(members: ReadonlyArray<{ name: string; data: Buffer; mtime: Date }>): Buffer;
}

export interface Plant {
  location: string;
  reference: string;
  kind: 'exact' | 'perceptual' | 'archive' | 'record';
  class: string;
  mode: string;
  ageDays: number;
  violations: string[];
  capturedAgeDays?: number;
  violationsByCaptureDate?: string[];
  transform?: string;
  records?: number;
}
export interface Plan {
  format: string;
  version: number;
  now: string;
  policy: { authorised: string[]; maxMode: string; retentionDays: number };
  summary: { plants: number; outsideAuthorised: number; unrelated: number; byKind: Record<string, number> };
  plants: Plant[];
  unrelated: Array<{ location: string; note: string }>;
  containers: Array<{ location: string; kind: string; members: number; unrelatedMembers: string[] }>;
}
export interface Generator {
  generateExample(options: { out: string; now: Date }): Promise<{ files: number; bytes: number; plan: Plan }>;
}

export const scenes = await load<Scenes>('scripts/synth/scenes.js');
export const transformsModule = await load<Transforms>('scripts/synth/transforms.js');
export const plates = await load<Plates>('scripts/synth/plates.js');
export const exampleText = await load<ExampleText>('scripts/synth/example-text.js');
export const zip = await load<Zip>('scripts/synth/zip.js');
export const generator = await load<Generator>('scripts/generate-fixtures.js');
