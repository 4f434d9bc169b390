// The part of cli-progress 3 the CLI uses (the package ships no types, and @types/cli-progress is
// not a dependency). The package is CommonJS, hence `export =`.
declare module 'cli-progress' {
  namespace cliProgress {
    interface Options {
      format?: string;
      stream?: NodeJS.WritableStream;
      fps?: number;
      barsize?: number;
      hideCursor?: boolean;
      clearOnComplete?: boolean;
      stopOnComplete?: boolean;
      etaBuffer?: number;
      noTTYOutput?: boolean;
    }
    interface Preset {
      barCompleteChar: string;
      barIncompleteChar: string;
      format?: string;
    }
    class SingleBar {
      constructor(options: Options, preset?: Preset);
      start(total: number, startValue: number, payload?: Record<string, unknown>): void;
      update(value: number, payload?: Record<string, unknown>): void;
      stop(): void;
    }
    const Presets: { shades_classic: Preset; shades_grey: Preset; rect: Preset; legacy: Preset };
  }
  export = cliProgress;
}
